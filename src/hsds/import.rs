//! `wijkwijzer import PATH`: HSDS 3.0 JSON (one object, a list page, an array, or ndjson) into
//! the directory. Every record is checked against the HSDS schema and our own rules first;
//! valid records are written (each in its own transaction, with the neighbourhoods of its
//! locations assigned and the search index notified), rejected ones are listed with file,
//! place and field. With `strict`, nothing is written when anything is wrong. Importing the
//! same data again changes nothing: a record whose HSDS document is unchanged is skipped.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use serde_json::{Map, Value};
use time::Date;
use uuid::Uuid;

use super::render::CBS_URI_PREFIX;
use super::schemas::{self, Validators};
use crate::catalog::Catalog;
use crate::domain::vocabulary::{CATEGORY_TAXONOMY, TARGET_GROUP_TAXONOMY};
use crate::domain::{
    AccessRoute, Address, Contact, Cost, CostKind, Formality, GroupFormat, Location, Organization,
    Schedule, Service, ServiceArea, Setting,
};
use crate::store::{TaxonomyRow, TermRow};

/// Larger files are refused before reading: split them (ndjson) instead.
pub const MAX_FILE_BYTES: u64 = 25 * 1024 * 1024;
/// Schema problems reported per record, at most.
const PROBLEMS_PER_RECORD: usize = 10;

/// One thing wrong (or worth knowing) about one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// Where in the file: a JSON path (`$[3]`), an ndjson line (`line 7`) or a CSV row.
    pub place: String,
    /// The field inside the record, as a JSON pointer (`/phones/0/number`) or a name.
    pub field: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}: {}",
            self.file, self.place, self.field, self.message
        )
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
}

#[derive(Debug, Default)]
pub struct Report {
    pub services: Counts,
    pub organizations: Counts,
    pub locations: Counts,
    pub taxonomy_terms: Counts,
    /// Why records were rejected.
    pub problems: Vec<Problem>,
    /// Accepted with a caveat (e.g. coordinates outside the earth were left out).
    pub warnings: Vec<Problem>,
    /// `strict` and something was wrong: nothing was written.
    pub aborted: bool,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, c) in [
            ("services", self.services),
            ("organizations", self.organizations),
            ("locations", self.locations),
            ("taxonomy terms", self.taxonomy_terms),
        ] {
            writeln!(
                f,
                "{name}: {} created, {} updated, {} unchanged, {} rejected",
                c.created, c.updated, c.unchanged, c.rejected
            )?;
        }
        if self.aborted {
            writeln!(
                f,
                "strict mode: nothing was written because of the problems below"
            )?;
        }
        for p in &self.problems {
            writeln!(f, "rejected: {p}")?;
        }
        for p in &self.warnings {
            writeln!(f, "warning: {p}")?;
        }
        Ok(())
    }
}

#[derive(Default)]
pub struct Options {
    pub strict: bool,
    /// Called after each written record with (done, total).
    pub progress: Option<Box<dyn Fn(usize, usize) + Send + Sync>>,
}

/// A record read from a file, with where it came from.
pub struct Item {
    pub file: String,
    pub place: String,
    pub value: Value,
    /// What the record is, when the source says so (CSV tables); else guessed from its fields.
    pub kind: Option<Kind>,
}

/// Reads an HSDS JSON document or an ndjson file into items (pages and arrays unpacked).
pub fn read_json_file(path: &Path) -> Result<Vec<Item>, Problem> {
    let file = path.display().to_string();
    let fail = |message: String| Problem {
        file: file.clone(),
        place: "file".into(),
        field: "-".into(),
        message,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| fail(format!("cannot read: {e}")))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(fail(format!(
            "file is {:.1} MB, more than the {} MB an import reads at once; split it (e.g. as \
             ndjson) into smaller files",
            size as f64 / 1_048_576.0,
            MAX_FILE_BYTES / 1_048_576
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    parse_json_text(&file, &text)
}

/// Parses JSON (object, page, array) or, failing that, ndjson.
pub fn parse_json_text(file: &str, text: &str) -> Result<Vec<Item>, Problem> {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => Ok(unpack(file, "$", value)),
        Err(whole) => {
            let lines: Vec<(usize, &str)> = text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .collect();
            // One line that does not parse: report the JSON error itself.
            if lines.len() <= 1 {
                return Err(Problem {
                    file: file.into(),
                    place: format!("line {}, column {}", whole.line(), whole.column()),
                    field: "-".into(),
                    message: format!("not valid JSON: {whole}"),
                });
            }
            let mut items = Vec::new();
            for (i, line) in lines {
                let value: Value = serde_json::from_str(line).map_err(|e| Problem {
                    file: file.into(),
                    place: format!("line {}, column {}", i + 1, e.column()),
                    field: "-".into(),
                    message: format!("not valid JSON: {e}"),
                })?;
                items.extend(unpack(file, &format!("line {}", i + 1), value));
            }
            Ok(items)
        }
    }
}

fn unpack(file: &str, place: &str, value: Value) -> Vec<Item> {
    match value {
        Value::Array(list) => list
            .into_iter()
            .enumerate()
            .flat_map(|(i, v)| unpack(file, &format!("{place}[{i}]"), v))
            .collect(),
        Value::Object(map) if map.contains_key("contents") && map.contains_key("total_items") => {
            match map.get("contents") {
                Some(Value::Array(list)) => list
                    .iter()
                    .enumerate()
                    .map(|(i, v)| Item {
                        file: file.into(),
                        place: format!("{place}.contents[{i}]"),
                        value: v.clone(),
                        kind: None,
                    })
                    .collect(),
                _ => vec![Item {
                    file: file.into(),
                    place: place.into(),
                    value: Value::Object(map),
                    kind: None,
                }],
            }
        }
        other => vec![Item {
            file: file.into(),
            place: place.into(),
            value: other,
            kind: None,
        }],
    }
}

/// What one service (with what it needs) becomes.
#[derive(Debug, Clone)]
struct ServiceBundle {
    service: Service,
    source: Value,
}

#[derive(Debug, Clone)]
struct Staged {
    organizations: Vec<(Organization, Value)>,
    locations: Vec<(Location, Value)>,
    taxonomies: Vec<(TaxonomyRow, Value)>,
    terms: Vec<(TermRow, Value)>,
    services: Vec<ServiceBundle>,
}

/// Collects problems for one record.
struct Checker<'a> {
    item: &'a Item,
    problems: Vec<Problem>,
    warnings: Vec<Problem>,
}

impl Checker<'_> {
    fn problem(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            file: self.item.file.clone(),
            place: self.item.place.clone(),
            field: field.into(),
            message: message.into(),
        });
    }

    fn warning(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.warnings.push(Problem {
            file: self.item.file.clone(),
            place: self.item.place.clone(),
            field: field.into(),
            message: message.into(),
        });
    }

    fn uuid(&mut self, value: Option<&Value>, field: &str) -> Option<Uuid> {
        match value.and_then(Value::as_str) {
            Some(s) => match Uuid::parse_str(s) {
                Ok(id) => Some(id),
                Err(_) => {
                    self.problem(
                        field,
                        format!("{s:?} is not a UUID (HSDS 3.0 ids are UUIDs)"),
                    );
                    None
                }
            },
            None => None,
        }
    }
}

fn text(map: &Map<String, Value>, key: &str) -> Option<String> {
    // Not trimmed: a round trip gives back exactly what came in.
    map.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
}

fn objects<'a>(map: &'a Map<String, Value>, key: &str) -> Vec<&'a Map<String, Value>> {
    map.get(key)
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default()
}

/// "10:00:00" → "10:00"; anything we cannot read → None.
fn hh_mm(value: Option<String>) -> Option<String> {
    let v = value?;
    let minutes = crate::indexer::minutes(&v)?;
    Some(format!("{:02}:{:02}", minutes / 60, minutes % 60))
}

/// What kind of HSDS object an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Service,
    Organization,
    Taxonomy,
    TaxonomyTerm,
}

fn kind_of(map: &Map<String, Value>) -> Kind {
    let has = |k: &str| map.contains_key(k);
    if has("status") || has("service_at_locations") || has("organization_id") {
        Kind::Service
    } else if has("taxonomy_detail") || has("taxonomy_id") || has("term_uri") || has("parent_id") {
        Kind::TaxonomyTerm
    } else {
        Kind::Organization
    }
}

/// What the importer knows already: ids in the database and in the file so far.
struct Known {
    organizations: HashSet<Uuid>,
    terms: HashSet<Uuid>,
    taxonomies: HashSet<Uuid>,
}

fn stage_term(
    c: &mut Checker<'_>,
    term: &Map<String, Value>,
    field: &str,
    staged: &mut Staged,
    known: &mut Known,
) -> Option<Uuid> {
    let id = c.uuid(term.get("id"), &format!("{field}/id"))?;
    let mut taxonomy_id = c.uuid(term.get("taxonomy_id"), &format!("{field}/taxonomy_id"));
    if let Some(detail) = term.get("taxonomy_detail").and_then(Value::as_object)
        && let Some(tid) = stage_taxonomy(
            c,
            detail,
            &format!("{field}/taxonomy_detail"),
            staged,
            known,
        )
    {
        taxonomy_id.get_or_insert(tid);
    }
    let parent_id = c.uuid(term.get("parent_id"), &format!("{field}/parent_id"));
    if known.terms.insert(id) {
        staged.terms.push((
            TermRow {
                id,
                code: text(term, "code"),
                name: text(term, "name").unwrap_or_default(),
                description: text(term, "description").unwrap_or_default(),
                parent_id,
                taxonomy: text(term, "taxonomy"),
                taxonomy_id,
                language: text(term, "language"),
                term_uri: text(term, "term_uri"),
            },
            Value::Object(term.clone()),
        ));
    }
    Some(id)
}

fn stage_taxonomy(
    c: &mut Checker<'_>,
    detail: &Map<String, Value>,
    field: &str,
    staged: &mut Staged,
    known: &mut Known,
) -> Option<Uuid> {
    let id = c.uuid(detail.get("id"), &format!("{field}/id"))?;
    if known.taxonomies.insert(id) || !staged.taxonomies.iter().any(|(t, _)| t.id == id) {
        staged.taxonomies.retain(|(t, _)| t.id != id);
        staged.taxonomies.push((
            TaxonomyRow {
                id,
                name: text(detail, "name").unwrap_or_default(),
                description: text(detail, "description").unwrap_or_default(),
                uri: text(detail, "uri"),
                version: text(detail, "version"),
            },
            Value::Object(detail.clone()),
        ));
    }
    Some(id)
}

fn stage_location(
    c: &mut Checker<'_>,
    loc: &Map<String, Value>,
    field: &str,
    organization_id: Option<Uuid>,
    staged: &mut Staged,
    known: &Known,
) -> Option<Uuid> {
    let id = c.uuid(loc.get("id"), &format!("{field}/id"))?;
    let mut latitude = loc.get("latitude").and_then(Value::as_f64);
    let mut longitude = loc.get("longitude").and_then(Value::as_f64);
    let on_earth = matches!((latitude, longitude), (Some(la), Some(lo))
        if (-90.0..=90.0).contains(&la) && (-180.0..=180.0).contains(&lo));
    if (latitude.is_some() || longitude.is_some()) && !on_earth {
        c.warning(
            format!("{field}/latitude"),
            "coordinates are incomplete or outside the earth; the location is kept without a \
             point on the map (and without a neighbourhood)",
        );
        latitude = None;
        longitude = None;
    }
    let address = objects(loc, "addresses").first().map(|a| Address {
        address_1: text(a, "address_1").unwrap_or_default(),
        address_2: text(a, "address_2"),
        postal_code: text(a, "postal_code").unwrap_or_default(),
        city: text(a, "city").unwrap_or_default(),
    });
    let own_org = c.uuid(
        loc.get("organization_id"),
        &format!("{field}/organization_id"),
    );
    let organization_id = match own_org {
        Some(org) if known.organizations.contains(&org) => Some(org),
        Some(org) => {
            c.warning(
                format!("{field}/organization_id"),
                format!(
                    "unknown organization {org}; the location is kept without an organization \
                     (the reference stays in its HSDS document)"
                ),
            );
            None
        }
        None => organization_id,
    };
    let location = Location {
        id,
        organization_id,
        name: text(loc, "name"),
        description: text(loc, "description"),
        latitude,
        longitude,
        address,
        wheelchair_accessible: None,
        transportation: text(loc, "transportation"),
        placement: Default::default(),
    };
    if let Err(e) = location.validate() {
        c.problem(format!("{field}/{}", e.field), e.message);
        return None;
    }
    staged.locations.retain(|(l, _)| l.id != id);
    staged
        .locations
        .push((location, Value::Object(loc.clone())));
    Some(id)
}

fn stage_organization(
    c: &mut Checker<'_>,
    org: &Map<String, Value>,
    field: &str,
    staged: &mut Staged,
    known: &mut Known,
) -> Option<Uuid> {
    let id = c.uuid(org.get("id"), &format!("{field}/id"))?;
    let organization = Organization {
        id,
        name: text(org, "name").unwrap_or_default(),
        alternate_name: text(org, "alternate_name"),
        description: text(org, "description").unwrap_or_default(),
        email: text(org, "email"),
        website: text(org, "website"),
        provider_type: None,
        phone: objects(org, "phones")
            .first()
            .and_then(|p| text(p, "number")),
    };
    if let Err(e) = organization.validate() {
        c.problem(format!("{field}/{}", e.field), e.message);
        return None;
    }
    known.organizations.insert(id);
    for (i, loc) in objects(org, "locations").iter().enumerate() {
        stage_location(
            c,
            loc,
            &format!("{field}/locations/{i}"),
            Some(id),
            staged,
            known,
        );
    }
    let mut source = org.clone();
    source.remove("services");
    staged.organizations.retain(|(o, _)| o.id != id);
    staged
        .organizations
        .push((organization, Value::Object(source)));
    Some(id)
}

fn stage_service(
    c: &mut Checker<'_>,
    svc: &Map<String, Value>,
    field: &str,
    parent_org: Option<Uuid>,
    catalog: &Catalog,
    staged: &mut Staged,
    known: &mut Known,
) {
    let Some(id) = c.uuid(svc.get("id"), &format!("{field}/id")) else {
        return;
    };
    let mut organization_id = parent_org.or_else(|| {
        c.uuid(
            svc.get("organization_id"),
            &format!("{field}/organization_id"),
        )
    });
    if let Some(org) = svc.get("organization").and_then(Value::as_object) {
        organization_id =
            stage_organization(c, org, &format!("{field}/organization"), staged, known)
                .or(organization_id);
    }
    let Some(organization_id) = organization_id else {
        c.problem(
            format!("{field}/organization_id"),
            "a service needs its organization (organization_id or a nested organization)",
        );
        return;
    };
    if !known.organizations.contains(&organization_id) {
        c.problem(
            format!("{field}/organization_id"),
            format!(
                "unknown organization {organization_id}: not in this import nor in the directory"
            ),
        );
        return;
    }

    // Classification: our own terms become categories and target groups, others are kept.
    let mut categories = Vec::new();
    let mut target_groups = Vec::new();
    let mut other_term_ids = Vec::new();
    for (i, attribute) in objects(svc, "attributes").iter().enumerate() {
        let afield = format!("{field}/attributes/{i}");
        let mut term_id = c.uuid(
            attribute.get("taxonomy_term_id"),
            &format!("{afield}/taxonomy_term_id"),
        );
        if let Some(term) = attribute.get("taxonomy_term").and_then(Value::as_object) {
            if let Some(ours) = c
                .uuid(term.get("id"), &format!("{afield}/taxonomy_term/id"))
                .and_then(|id| catalog.vocabulary.term_by_id(id))
            {
                term_id = Some(ours.id);
            } else {
                term_id = stage_term(c, term, &format!("{afield}/taxonomy_term"), staged, known)
                    .or(term_id);
            }
        }
        let Some(term_id) = term_id else {
            c.problem(
                afield,
                "an attribute needs a taxonomy_term_id or a taxonomy_term",
            );
            continue;
        };
        if let Some(ours) = catalog.vocabulary.term_by_id(term_id) {
            match ours.taxonomy_code.as_str() {
                CATEGORY_TAXONOMY => categories.push(ours.code.clone()),
                TARGET_GROUP_TAXONOMY => target_groups.push(ours.code.clone()),
                _ => other_term_ids.push(term_id),
            }
        } else if known.terms.contains(&term_id) {
            other_term_ids.push(term_id);
        } else {
            c.problem(
                format!("{afield}/taxonomy_term_id"),
                format!("unknown taxonomy term {term_id}: not in this import nor in the directory"),
            );
        }
    }
    other_term_ids.sort();
    other_term_ids.dedup();

    let mut location_ids = Vec::new();
    let mut source = svc.clone();
    source.remove("organization");
    let mut kept_sals = Vec::new();
    for (i, sal) in objects(svc, "service_at_locations").iter().enumerate() {
        let sfield = format!("{field}/service_at_locations/{i}");
        let mut sal = (*sal).clone();
        let location_id = match sal.remove("location") {
            Some(Value::Object(loc)) => stage_location(
                c,
                &loc,
                &format!("{sfield}/location"),
                Some(organization_id),
                staged,
                known,
            ),
            _ => c.uuid(sal.get("location_id"), &format!("{sfield}/location_id")),
        };
        match location_id {
            Some(lid) => {
                if !staged.locations.iter().any(|(l, _)| l.id == lid) {
                    c.problem(
                        format!("{sfield}/location_id"),
                        format!("location {lid} is not described in this import"),
                    );
                }
                sal.insert("location_id".into(), Value::String(lid.to_string()));
                location_ids.push(lid);
            }
            None => c.problem(sfield, "a service_at_location needs a location"),
        }
        kept_sals.push(Value::Object(sal));
    }
    if source.contains_key("service_at_locations") {
        source.insert("service_at_locations".into(), Value::Array(kept_sals));
    }
    location_ids.dedup();

    let assured_date = match text(svc, "assured_date") {
        Some(d) => match Date::parse(
            &d,
            time::macros::format_description!("[year]-[month]-[day]"),
        ) {
            Ok(date) => Some(date),
            Err(_) => {
                c.problem(
                    format!("{field}/assured_date"),
                    format!("{d:?} is not a date like 2026-01-31"),
                );
                None
            }
        },
        None => None,
    };
    let age = |c: &mut Checker<'_>, key: &str| -> Option<u8> {
        let v = svc.get(key)?.as_f64()?;
        if (0.0..=120.0).contains(&v) {
            Some(v as u8)
        } else {
            c.problem(
                format!("{field}/{key}"),
                format!("{v} is not an age between 0 and 120"),
            );
            None
        }
    };
    let minimum_age = age(c, "minimum_age");
    let maximum_age = age(c, "maximum_age");

    let mut schedules = Vec::new();
    for (i, s) in objects(svc, "schedules").iter().enumerate() {
        let sfield = format!("{field}/schedules/{i}");
        let byday = text(s, "byday").filter(|b| {
            let ok = b
                .split(',')
                .all(|d| crate::domain::weekday_from_byday(d).is_some());
            if !ok {
                c.warning(
                    format!("{sfield}/byday"),
                    "days not understood; kept, but not searchable by day",
                );
            }
            ok
        });
        schedules.push(Schedule {
            id: c.uuid(s.get("id"), &format!("{sfield}/id")),
            freq: text(s, "freq"),
            byday,
            opens_at: hh_mm(text(s, "opens_at")),
            closes_at: hh_mm(text(s, "closes_at")),
            description: text(s, "description"),
        });
    }
    let service_areas = objects(svc, "service_areas")
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let code = text(a, "uri")
                .and_then(|u| u.strip_prefix(CBS_URI_PREFIX).map(str::to_string))
                .filter(|code| catalog.geo.get(code).is_some());
            ServiceArea {
                id: c.uuid(a.get("id"), &format!("{field}/service_areas/{i}/id")),
                code,
                name: text(a, "name"),
                extent: text(a, "extent"),
                extent_type: text(a, "extent_type"),
            }
        })
        .collect();
    let contacts = objects(svc, "contacts")
        .iter()
        .enumerate()
        .map(|(i, ct)| Contact {
            id: c.uuid(ct.get("id"), &format!("{field}/contacts/{i}/id")),
            name: text(ct, "name"),
            title: text(ct, "title"),
            email: text(ct, "email"),
            phone: objects(ct, "phones")
                .first()
                .and_then(|p| text(p, "number")),
        })
        .collect();
    let amount = objects(svc, "cost_options")
        .iter()
        .find_map(|o| o.get("amount").and_then(Value::as_f64));
    let fees = text(svc, "fees_description");
    let cost_kind = match amount {
        Some(a) if a > 0.0 => CostKind::Price,
        Some(_) => CostKind::Free,
        // Without an amount we cannot promise "free": it shows as a contribution.
        None if fees.is_some() || text(svc, "fees").is_some() => CostKind::Contribution,
        None => CostKind::Contribution,
    };
    let mut languages: Vec<String> = objects(svc, "languages")
        .iter()
        .filter_map(|l| text(l, "code").or_else(|| text(l, "name")))
        .collect();
    languages.dedup();

    let service = Service {
        id,
        organization_id,
        name: text(svc, "name").unwrap_or_default(),
        alternate_name: text(svc, "alternate_name"),
        description: text(svc, "description").unwrap_or_default(),
        url: text(svc, "url"),
        email: text(svc, "email"),
        phone: objects(svc, "phones")
            .first()
            .and_then(|p| text(p, "number")),
        status: text(svc, "status").unwrap_or_else(|| "active".into()),
        categories,
        target_groups,
        // HSDS has no access route, formality or format; these are our defaults until a
        // moderator says otherwise.
        access_route: AccessRoute::Open,
        accepts_referrals: false,
        welzijn_op_recept: false,
        formality: Formality::Formal,
        initiative: None,
        setting: Setting::InPerson,
        group_format: GroupFormat::Both,
        waiting_time: text(svc, "wait_time"),
        minimum_age,
        maximum_age,
        eligibility: text(svc, "eligibility_description"),
        cost: Cost {
            kind: cost_kind,
            amount,
            description: fees,
        },
        languages,
        assured_date,
        location_ids,
        service_areas,
        schedules,
        contacts,
        other_term_ids,
    };
    if let Err(e) = service.validate(&catalog.vocabulary) {
        c.problem(format!("{field}/{}", e.field), e.message);
        return;
    }
    staged.services.retain(|b| b.service.id != id);
    staged.services.push(ServiceBundle {
        service,
        source: Value::Object(source),
    });
}

/// Checks and stages one item; returns its problems (empty = staged) and warnings.
fn stage_item(
    item: &Item,
    validators: &Validators,
    catalog: &Catalog,
    staged: &mut Staged,
    known: &mut Known,
) -> (Vec<Problem>, Vec<Problem>) {
    let mut c = Checker {
        item,
        problems: Vec::new(),
        warnings: Vec::new(),
    };
    let Some(map) = item.value.as_object() else {
        c.problem(
            "/",
            "expected an HSDS object (service, organization or taxonomy term)",
        );
        return (c.problems, c.warnings);
    };
    let kind = item.kind.unwrap_or_else(|| kind_of(map));
    let validator = match kind {
        Kind::Service => &validators.service,
        Kind::Organization => &validators.organization,
        Kind::Taxonomy => &validators.taxonomy,
        Kind::TaxonomyTerm => &validators.taxonomy_term,
    };
    for (path, message) in schemas::problems(validator, &item.value, PROBLEMS_PER_RECORD) {
        c.problem(path, message);
    }
    if !c.problems.is_empty() {
        return (c.problems, c.warnings);
    }
    // Stage into a scratch copy so a record with problems leaves nothing staged.
    let mut scratch = staged.clone();
    let mut scratch_known = Known {
        organizations: known.organizations.clone(),
        terms: known.terms.clone(),
        taxonomies: known.taxonomies.clone(),
    };
    match kind {
        Kind::Service => stage_service(
            &mut c,
            map,
            "",
            None,
            catalog,
            &mut scratch,
            &mut scratch_known,
        ),
        Kind::Organization => {
            if let Some(org_id) =
                stage_organization(&mut c, map, "", &mut scratch, &mut scratch_known)
            {
                for (i, svc) in objects(map, "services").iter().enumerate() {
                    stage_service(
                        &mut c,
                        svc,
                        &format!("/services/{i}"),
                        Some(org_id),
                        catalog,
                        &mut scratch,
                        &mut scratch_known,
                    );
                }
            }
        }
        Kind::TaxonomyTerm => {
            stage_term(&mut c, map, "", &mut scratch, &mut scratch_known);
        }
        Kind::Taxonomy => {
            stage_taxonomy(&mut c, map, "", &mut scratch, &mut scratch_known);
        }
    }
    if c.problems.is_empty() {
        *staged = scratch;
        *known = scratch_known;
    }
    (c.problems, c.warnings)
}

fn same_source(stored: Option<&String>, new: &Value) -> bool {
    stored
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
        .is_some_and(|old| &old == new)
}

/// Imports items (already read) into the directory.
pub async fn import_items(
    catalog: &Catalog,
    items: Vec<Item>,
    options: &Options,
) -> anyhow::Result<Report> {
    let validators = schemas::validators()?;
    let mut report = Report::default();
    let store = &catalog.store;
    let mut known = Known {
        organizations: store.organization_ids().await?.into_iter().collect(),
        terms: store
            .taxonomy_terms()
            .await?
            .into_iter()
            .map(|t| t.id)
            .collect(),
        taxonomies: store
            .taxonomies()
            .await?
            .into_iter()
            .map(|t| t.id)
            .collect(),
    };
    let mut staged = Staged {
        organizations: Vec::new(),
        locations: Vec::new(),
        taxonomies: Vec::new(),
        terms: Vec::new(),
        services: Vec::new(),
    };
    for item in &items {
        let kind = item.kind.or_else(|| item.value.as_object().map(kind_of));
        let (problems, warnings) = stage_item(item, &validators, catalog, &mut staged, &mut known);
        if !problems.is_empty() {
            match kind {
                Some(Kind::Organization) => report.organizations.rejected += 1,
                Some(Kind::TaxonomyTerm | Kind::Taxonomy) => report.taxonomy_terms.rejected += 1,
                _ => report.services.rejected += 1,
            }
        }
        report.problems.extend(problems);
        report.warnings.extend(warnings);
    }
    if options.strict && !report.problems.is_empty() {
        report.aborted = true;
        return Ok(report);
    }

    let total = staged.taxonomies.len()
        + staged.terms.len()
        + staged.organizations.len()
        + staged.locations.len()
        + staged.services.len();
    let mut done = 0;
    let mut tick = || {
        done += 1;
        if let Some(progress) = &options.progress {
            progress(done, total);
        }
    };

    let stored = store
        .hsds_sources(
            "taxonomy",
            &ids(staged.taxonomies.iter().map(|(t, _)| t.id)),
        )
        .await?;
    for (taxonomy, source) in &staged.taxonomies {
        if !same_source(stored.get(&taxonomy.id), source) {
            store
                .upsert_taxonomy(taxonomy, Some(&source.to_string()))
                .await?;
        }
        tick();
    }
    let terms: Vec<Uuid> = staged.terms.iter().map(|(t, _)| t.id).collect();
    let stored = store.hsds_sources("taxonomy_term", &terms).await?;
    let existing: HashSet<Uuid> = store
        .taxonomy_terms()
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    for (term, source) in &staged.terms {
        let counts = &mut report.taxonomy_terms;
        if same_source(stored.get(&term.id), source) {
            counts.unchanged += 1;
        } else {
            store.upsert_term(term, Some(&source.to_string())).await?;
            if existing.contains(&term.id) {
                counts.updated += 1;
            } else {
                counts.created += 1;
            }
        }
        tick();
    }

    let org_ids = ids(staged.organizations.iter().map(|(o, _)| o.id));
    let stored = store.hsds_sources("organization", &org_ids).await?;
    let existing: HashSet<Uuid> = store
        .load_organizations(&org_ids)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    for (org, source) in &staged.organizations {
        let counts = &mut report.organizations;
        if same_source(stored.get(&org.id), source) {
            counts.unchanged += 1;
        } else {
            catalog
                .save_organization_with_source(org, Some(&source.to_string()))
                .await?;
            bump(counts, existing.contains(&org.id));
        }
        tick();
    }

    let loc_ids = ids(staged.locations.iter().map(|(l, _)| l.id));
    let stored = store.hsds_sources("location", &loc_ids).await?;
    let existing: HashSet<Uuid> = store
        .load_locations(&loc_ids)
        .await?
        .into_iter()
        .map(|l| l.id)
        .collect();
    for (loc, source) in &staged.locations {
        let counts = &mut report.locations;
        if same_source(stored.get(&loc.id), source) {
            counts.unchanged += 1;
        } else {
            catalog
                .save_location_with_source(loc, Some(&source.to_string()))
                .await?;
            bump(counts, existing.contains(&loc.id));
        }
        tick();
    }

    let svc_ids = ids(staged.services.iter().map(|b| b.service.id));
    let stored = store.hsds_sources("service", &svc_ids).await?;
    let existing: HashSet<Uuid> = store
        .load_services(&svc_ids)
        .await?
        .into_iter()
        .map(|r| r.service.id)
        .collect();
    for bundle in &staged.services {
        let counts = &mut report.services;
        let id = bundle.service.id;
        if same_source(stored.get(&id), &bundle.source) {
            counts.unchanged += 1;
        } else {
            catalog
                .save_service_with_source(&bundle.service, Some(&bundle.source.to_string()))
                .await?;
            bump(counts, existing.contains(&id));
        }
        tick();
    }
    Ok(report)
}

fn bump(counts: &mut Counts, existed: bool) {
    if existed {
        counts.updated += 1;
    } else {
        counts.created += 1;
    }
}

fn ids(iter: impl Iterator<Item = Uuid>) -> Vec<Uuid> {
    iter.collect()
}

/// Reads `path` (a JSON or ndjson file, or a CSV datapackage: its directory or its
/// `datapackage.json`) and imports it.
pub async fn import_path(
    catalog: &Catalog,
    path: &Path,
    options: &Options,
) -> anyhow::Result<Report> {
    let tabular = path.is_dir() || path.file_name().is_some_and(|n| n == "datapackage.json");
    let read = if tabular {
        let dir = if path.is_dir() {
            path
        } else {
            path.parent().unwrap_or(Path::new("."))
        };
        super::tabular::read_datapackage(dir)
    } else {
        read_json_file(path)
            .map(|items| (items, Vec::new()))
            .map_err(|p| vec![p])
    };
    match read {
        Ok((items, orphans)) => {
            if options.strict && !orphans.is_empty() {
                return Ok(Report {
                    problems: orphans,
                    aborted: true,
                    ..Default::default()
                });
            }
            let mut report = import_items(catalog, items, options).await?;
            report.problems.extend(orphans);
            Ok(report)
        }
        Err(problems) => Ok(Report {
            problems,
            aborted: true,
            ..Default::default()
        }),
    }
}
