//! `wijkwijzer import PATH`: an HSDS 3.0 feed into the directory — JSON (one object, a list
//! page, an array), ndjson, or the tabular form (CSV files, see `tabular`).
//!
//! JSON arrays and ndjson are read as a stream (`feed_reader`): records are checked one by one
//! against the HSDS schema and our own rules, and the valid ones are written in batches of
//! [`BATCH_RECORDS`], so memory stays bounded and a feed of any size goes in with one command.
//! Rejected records are listed with file, place and field. With `strict` the whole feed is
//! checked first and nothing is written when anything is wrong (the file is then read a second
//! time to write it). Importing the same data again changes nothing: a record whose HSDS
//! document (and, for a service, mapped categories) is unchanged is skipped.
//!
//! On the way, terms of other taxonomies are mapped to our categories (`taxonomy_map`) and
//! service areas get their neighbourhoods (a CBS code in `uri`, `name` or `description`; a
//! GeoJSON extent is matched to neighbourhoods by `geo::coverage` when indexed).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, Value};
use time::Date;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::feed_reader::{Read, stream_json_file};
use super::schemas::{self, Validators};
use super::taxonomy_map::{ForeignTerm, Mapping, TermMapper};
use crate::catalog::Catalog;
use crate::domain::vocabulary::{CATEGORY_TAXONOMY, TARGET_GROUP_TAXONOMY};
use crate::domain::{
    AccessRoute, Address, Contact, Cost, CostKind, Formality, GroupFormat, Location, Organization,
    Placement, Schedule, Service, ServiceArea, Setting,
};
use crate::geo::Geography;
use crate::store::{TaxonomyRow, TermRow};

/// The largest CSV table the tabular form reads (JSON feeds have no limit: they stream).
pub const MAX_FILE_BYTES: u64 = 25 * 1024 * 1024;
/// Schema problems reported per record, at most.
const PROBLEMS_PER_RECORD: usize = 10;
/// Records checked before they are written together: large enough that the per-batch lookups
/// (kept documents, existing ids) are a few queries per hundreds of records, small enough that
/// a batch stays a few megabytes.
pub const BATCH_RECORDS: usize = 500;
/// Records in flight between the file reader and the importer.
const READ_AHEAD: usize = 256;

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

/// A term of another taxonomy that maps to none of our categories or target groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmappedTerm {
    /// The taxonomy's name (or URI or id, whichever the feed gave), or "-".
    pub taxonomy: String,
    pub code: Option<String>,
    pub name: String,
    /// How many imported services carry it.
    pub services: usize,
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
    /// Terms of other taxonomies that no rule maps to our categories, most used first.
    pub unmapped_terms: Vec<UnmappedTerm>,
    /// Nothing was written: `strict` and something was wrong, or the file could not be read.
    pub aborted: bool,
    /// The import ran in strict mode.
    pub strict: bool,
    /// The file could not be read to its end; the valid records before that were written.
    pub stopped_early: bool,
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
        if self.aborted && self.strict {
            writeln!(
                f,
                "strict mode: nothing was written because of the problems below"
            )?;
        } else if self.aborted {
            writeln!(f, "nothing was written: the file could not be read")?;
        } else if self.stopped_early {
            writeln!(
                f,
                "the file could not be read to its end; the valid records before the problem \
                 were imported"
            )?;
        }
        if !self.unmapped_terms.is_empty() {
            writeln!(
                f,
                "not mapped to our categories ({} terms; see index/taxonomy-maps/README.md):",
                self.unmapped_terms.len()
            )?;
            for t in &self.unmapped_terms {
                let code = t
                    .code
                    .as_deref()
                    .map(|c| format!("{c} "))
                    .unwrap_or_default();
                let plural = if t.services == 1 { "" } else { "s" };
                writeln!(
                    f,
                    "  {}: {code}\"{}\" ({} service{plural})",
                    t.taxonomy, t.name, t.services
                )?;
            }
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

/// How far an import has got, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Records read so far (valid or not).
    pub records: usize,
    /// Bytes of the file read so far, and its size (both 0 for the tabular form).
    pub bytes_read: u64,
    pub bytes_total: u64,
    /// The first of two passes of a strict import: checking only, nothing written yet.
    pub checking: bool,
}

/// Told how an import is going (see [`Options::progress`]).
pub type ProgressFn = Box<dyn Fn(&Progress) + Send + Sync>;

#[derive(Default)]
pub struct Options {
    pub strict: bool,
    /// Called after each record read.
    pub progress: Option<ProgressFn>,
}

/// A record read from a file, with where it came from.
#[derive(Debug, Clone)]
pub struct Item {
    pub file: String,
    pub place: String,
    pub value: Value,
    /// What the record is, when the source says so (CSV tables); else guessed from its fields.
    pub kind: Option<Kind>,
}

/// What one service (with what it needs) becomes.
#[derive(Debug)]
struct ServiceBundle {
    service: Service,
    source: Value,
}

/// What one record stages, before it joins the batch.
#[derive(Debug, Default)]
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
    mapper: &'a TermMapper,
    problems: Vec<Problem>,
    warnings: Vec<Problem>,
    /// Foreign terms on services of this record that map to nothing of ours (one per service).
    unmapped: Vec<Uuid>,
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

/// What the importer knows: what is in the database, and what this import has described so
/// far. Staging a record adds to it through a journal, so a rejected record's additions are
/// taken back without copying everything known (copying made imports quadratic).
struct Known {
    organizations: HashSet<Uuid>,
    /// Every term known, with what the mapper needs of it.
    terms: HashMap<Uuid, ForeignTerm>,
    /// Taxonomy id → what identifies it: name, URI, id.
    taxonomies: HashMap<Uuid, Vec<String>>,
    /// Locations described in this import (a service may only link to those).
    locations: HashSet<Uuid>,
    journal: Vec<Undo>,
}

enum Undo {
    Organization(Uuid),
    Term(Uuid),
    Taxonomy(Uuid, Option<Vec<String>>),
    Location(Uuid),
}

impl Known {
    async fn load(catalog: &Catalog) -> anyhow::Result<Self> {
        let store = &catalog.store;
        let taxonomies: HashMap<Uuid, Vec<String>> = store
            .taxonomies()
            .await?
            .into_iter()
            .map(|t| (t.id, taxonomy_labels(t.id, Some(t.name), t.uri)))
            .collect();
        let terms = store
            .taxonomy_terms()
            .await?
            .into_iter()
            .map(|t| {
                let info = foreign_term(&t, &taxonomies);
                (t.id, info)
            })
            .collect();
        Ok(Self {
            organizations: store.organization_ids().await?.into_iter().collect(),
            terms,
            taxonomies,
            locations: HashSet::new(),
            journal: Vec::new(),
        })
    }

    fn add_organization(&mut self, id: Uuid) {
        if self.organizations.insert(id) {
            self.journal.push(Undo::Organization(id));
        }
    }

    /// Adds a term; `false` if it was known already.
    fn add_term(&mut self, id: Uuid, info: ForeignTerm) -> bool {
        if self.terms.contains_key(&id) {
            return false;
        }
        self.terms.insert(id, info);
        self.journal.push(Undo::Term(id));
        true
    }

    fn set_taxonomy(&mut self, id: Uuid, labels: Vec<String>) {
        let before = self.taxonomies.insert(id, labels);
        self.journal.push(Undo::Taxonomy(id, before));
    }

    fn add_location(&mut self, id: Uuid) {
        if self.locations.insert(id) {
            self.journal.push(Undo::Location(id));
        }
    }

    /// Keeps what the last record added.
    fn commit(&mut self) {
        self.journal.clear();
    }

    /// Takes back what the last record added.
    fn rollback(&mut self) {
        while let Some(undo) = self.journal.pop() {
            match undo {
                Undo::Organization(id) => {
                    self.organizations.remove(&id);
                }
                Undo::Term(id) => {
                    self.terms.remove(&id);
                }
                Undo::Taxonomy(id, Some(before)) => {
                    self.taxonomies.insert(id, before);
                }
                Undo::Taxonomy(id, None) => {
                    self.taxonomies.remove(&id);
                }
                Undo::Location(id) => {
                    self.locations.remove(&id);
                }
            }
        }
    }
}

fn taxonomy_labels(id: Uuid, name: Option<String>, uri: Option<String>) -> Vec<String> {
    name.into_iter()
        .chain(uri)
        .chain(std::iter::once(id.to_string()))
        .filter(|l| !l.trim().is_empty())
        .collect()
}

/// A stored term as the mapper sees it: its taxonomy identified by the term's own `taxonomy`
/// text and by the taxonomy it links to.
fn foreign_term(t: &TermRow, taxonomies: &HashMap<Uuid, Vec<String>>) -> ForeignTerm {
    let mut labels: Vec<String> = t
        .taxonomy_id
        .and_then(|id| taxonomies.get(&id))
        .cloned()
        .unwrap_or_default();
    labels.extend(t.taxonomy.clone());
    ForeignTerm {
        code: t.code.clone(),
        name: t.name.clone(),
        taxonomy: labels,
    }
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
    let row = TermRow {
        id,
        code: text(term, "code"),
        name: text(term, "name").unwrap_or_default(),
        description: text(term, "description").unwrap_or_default(),
        parent_id,
        taxonomy: text(term, "taxonomy"),
        taxonomy_id,
        language: text(term, "language"),
        term_uri: text(term, "term_uri"),
    };
    let info = foreign_term(&row, &known.taxonomies);
    if known.add_term(id, info) {
        staged.terms.push((row, Value::Object(term.clone())));
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
    let row = TaxonomyRow {
        id,
        name: text(detail, "name").unwrap_or_default(),
        description: text(detail, "description").unwrap_or_default(),
        uri: text(detail, "uri"),
        version: text(detail, "version"),
    };
    known.set_taxonomy(
        id,
        taxonomy_labels(id, Some(row.name.clone()), row.uri.clone()),
    );
    // Staged every time it appears (the last description wins); unchanged ones are skipped
    // when written.
    staged.taxonomies.retain(|(t, _)| t.id != id);
    staged.taxonomies.push((row, Value::Object(detail.clone())));
    Some(id)
}

fn stage_location(
    c: &mut Checker<'_>,
    loc: &Map<String, Value>,
    field: &str,
    organization_id: Option<Uuid>,
    staged: &mut Staged,
    known: &mut Known,
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
    let mut location = Location {
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
    super::attributes::read_location(&mut location, loc);
    if let Err(e) = location.validate() {
        c.problem(format!("{field}/{}", e.field), e.message);
        return None;
    }
    known.add_location(id);
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
    let mut organization = Organization {
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
    super::attributes::read_organization(&mut organization, org);
    if let Err(e) = organization.validate() {
        c.problem(format!("{field}/{}", e.field), e.message);
        return None;
    }
    known.add_organization(id);
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
    let mut unmapped_here = Vec::new();
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
        } else if let Some(foreign) = known.terms.get(&term_id) {
            // Kept as it is, and mapped to ours where a rule says how.
            other_term_ids.push(term_id);
            match c.mapper.map(foreign) {
                Mapping::To(target) => {
                    categories.extend(target.categories);
                    target_groups.extend(target.target_groups);
                }
                Mapping::Nothing => {}
                Mapping::Unmapped => unmapped_here.push(term_id),
            }
        } else {
            c.problem(
                format!("{afield}/taxonomy_term_id"),
                format!("unknown taxonomy term {term_id}: not in this import nor in the directory"),
            );
        }
    }
    other_term_ids.sort();
    other_term_ids.dedup();
    dedup_in_order(&mut categories);
    dedup_in_order(&mut target_groups);
    unmapped_here.sort();
    unmapped_here.dedup();
    c.unmapped.extend(unmapped_here);

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
                if !known.locations.contains(&lid) {
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
            let afield = format!("{field}/service_areas/{i}");
            let extent = text(a, "extent");
            if let Some(extent) = &extent {
                check_extent(c, extent, text(a, "extent_type").as_deref(), &afield);
            }
            ServiceArea {
                id: c.uuid(a.get("id"), &format!("{afield}/id")),
                code: area_code(c, a, &afield, &catalog.geo),
                name: text(a, "name"),
                extent,
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

    let mut service = Service {
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
        // HSDS has no access route, formality or format: our defaults, unless the feed says
        // otherwise in attributes of our taxonomies (read just below).
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
    super::attributes::read_service(&mut service, svc);
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

/// The CBS neighbourhood a service area names in its `uri`, `name` or `description` (looked
/// for in that order; `urn:nl-cbs:WK034403`, "Overvecht (WK034403)", `…/gebieden/WK034403`).
/// Codes we do not know, and further codes in the same area, are reported as warnings: one
/// service area is one neighbourhood here, so a feed should give each its own area.
fn area_code(
    c: &mut Checker<'_>,
    area: &Map<String, Value>,
    field: &str,
    geo: &Geography,
) -> Option<String> {
    let mut known = Vec::new();
    for key in ["uri", "name", "description"] {
        for code in text(area, key)
            .map(|t| Geography::codes_in_text(&t))
            .unwrap_or_default()
        {
            if geo.get(&code).is_none() {
                c.warning(
                    format!("{field}/{key}"),
                    format!("{code} is not a neighbourhood we know; ignored"),
                );
            } else if !known.contains(&code) {
                known.push(code);
            }
        }
    }
    if known.len() > 1 {
        c.warning(
            field,
            format!(
                "several neighbourhood codes ({}); only {} is used: give each its own service \
                 area",
                known.join(", "),
                known[0]
            ),
        );
    }
    known.into_iter().next()
}

/// Warns when a service area's extent cannot serve neighbourhood filtering: not GeoJSON we can
/// read, or without any area (a point, a line). The extent is kept either way.
fn check_extent(c: &mut Checker<'_>, extent: &str, extent_type: Option<&str>, field: &str) {
    if extent_type.is_some_and(|t| !t.eq_ignore_ascii_case("geojson")) {
        return;
    }
    let geometry = crate::geo::import::parse_geometry(extent);
    let message = match geometry {
        None => "not a GeoJSON geometry we can read",
        Some(g) if Geography::covered_area_of(&g).is_none() => {
            "a GeoJSON geometry without area (a point or line)"
        }
        Some(_) => return,
    };
    c.warning(
        format!("{field}/extent"),
        format!("{message}; kept, but it places the service in no neighbourhood"),
    );
}

fn dedup_in_order(codes: &mut Vec<String>) {
    let mut seen = HashSet::new();
    codes.retain(|c| seen.insert(c.clone()));
}

/// The outcome of checking one record.
struct Checked {
    kind: Option<Kind>,
    problems: Vec<Problem>,
    warnings: Vec<Problem>,
    unmapped: Vec<Uuid>,
}

/// Checks and stages one item into `staged` (left empty when the record has problems).
fn stage_item(
    item: &Item,
    validators: &Validators,
    catalog: &Catalog,
    mapper: &TermMapper,
    staged: &mut Staged,
    known: &mut Known,
) -> Checked {
    let mut c = Checker {
        item,
        mapper,
        problems: Vec::new(),
        warnings: Vec::new(),
        unmapped: Vec::new(),
    };
    let Some(map) = item.value.as_object() else {
        c.problem(
            "/",
            "expected an HSDS object (service, organization or taxonomy term)",
        );
        return Checked {
            kind: None,
            problems: c.problems,
            warnings: c.warnings,
            unmapped: Vec::new(),
        };
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
    if c.problems.is_empty() {
        match kind {
            Kind::Service => stage_service(&mut c, map, "", None, catalog, staged, known),
            Kind::Organization => {
                if let Some(org_id) = stage_organization(&mut c, map, "", staged, known) {
                    for (i, svc) in objects(map, "services").iter().enumerate() {
                        stage_service(
                            &mut c,
                            svc,
                            &format!("/services/{i}"),
                            Some(org_id),
                            catalog,
                            staged,
                            known,
                        );
                    }
                }
            }
            Kind::TaxonomyTerm => {
                stage_term(&mut c, map, "", staged, known);
            }
            Kind::Taxonomy => {
                stage_taxonomy(&mut c, map, "", staged, known);
            }
        }
    }
    if c.problems.is_empty() {
        known.commit();
    } else {
        known.rollback();
        *staged = Staged::default();
        c.unmapped.clear();
    }
    Checked {
        kind: Some(kind),
        problems: c.problems,
        warnings: c.warnings,
        unmapped: c.unmapped,
    }
}

/// Objects of one kind waiting to be written, each once (the last description wins), in the
/// order they first appeared.
struct Keyed<T> {
    rows: Vec<(T, Value)>,
    index: HashMap<Uuid, usize>,
}

impl<T> Default for Keyed<T> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<T> Keyed<T> {
    fn put(&mut self, id: Uuid, row: T, source: Value) {
        match self.index.get(&id) {
            Some(&i) => self.rows[i] = (row, source),
            None => {
                self.index.insert(id, self.rows.len());
                self.rows.push((row, source));
            }
        }
    }

    fn ids(&self) -> Vec<Uuid> {
        let mut ids: Vec<(Uuid, usize)> = self.index.iter().map(|(id, i)| (*id, *i)).collect();
        ids.sort_by_key(|(_, i)| *i);
        ids.into_iter().map(|(id, _)| id).collect()
    }
}

/// Checked records waiting to be written together.
#[derive(Default)]
struct Batch {
    records: usize,
    taxonomies: Keyed<TaxonomyRow>,
    terms: Keyed<TermRow>,
    organizations: Keyed<Organization>,
    locations: Keyed<Location>,
    services: Keyed<Service>,
}

impl Batch {
    fn add(&mut self, staged: Staged) {
        self.records += 1;
        for (t, source) in staged.taxonomies {
            self.taxonomies.put(t.id, t, source);
        }
        for (t, source) in staged.terms {
            self.terms.put(t.id, t, source);
        }
        for (o, source) in staged.organizations {
            self.organizations.put(o.id, o, source);
        }
        for (l, source) in staged.locations {
            self.locations.put(l.id, l, source);
        }
        for b in staged.services {
            self.services.put(b.service.id, b.service, b.source);
        }
    }
}

fn same_source(stored: Option<&String>, new: &Value) -> bool {
    stored
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
        .is_some_and(|old| &old == new)
}

fn bump(counts: &mut Counts, existed: bool) {
    if existed {
        counts.updated += 1;
    } else {
        counts.created += 1;
    }
}

/// Writes a batch: what it needs first (taxonomies, terms, organisations, locations), then
/// its services. Objects whose kept document is unchanged are skipped.
async fn write_batch(catalog: &Catalog, batch: Batch, report: &mut Report) -> anyhow::Result<()> {
    let store = &catalog.store;

    let ids = batch.taxonomies.ids();
    let stored = store.hsds_sources("taxonomy", &ids).await?;
    for (taxonomy, source) in &batch.taxonomies.rows {
        if !same_source(stored.get(&taxonomy.id), source) {
            store
                .upsert_taxonomy(taxonomy, Some(&source.to_string()))
                .await?;
        }
    }

    let ids = batch.terms.ids();
    let stored = store.hsds_sources("taxonomy_term", &ids).await?;
    let existing = store.existing_ids("taxonomy_term", &ids).await?;
    for (term, source) in &batch.terms.rows {
        let counts = &mut report.taxonomy_terms;
        if same_source(stored.get(&term.id), source) {
            counts.unchanged += 1;
        } else {
            store.upsert_term(term, Some(&source.to_string())).await?;
            bump(counts, existing.contains(&term.id));
        }
    }

    let ids = batch.organizations.ids();
    let stored = store.hsds_sources("organization", &ids).await?;
    let existing = store.existing_ids("organization", &ids).await?;
    let mut writes = Vec::new();
    for (org, source) in &batch.organizations.rows {
        let counts = &mut report.organizations;
        if same_source(stored.get(&org.id), source) {
            counts.unchanged += 1;
        } else {
            writes.push((org, source.to_string()));
            bump(counts, existing.contains(&org.id));
        }
    }
    let rows: Vec<(&Organization, Option<&str>)> =
        writes.iter().map(|(o, s)| (*o, Some(s.as_str()))).collect();
    store.upsert_organizations(&rows).await?;

    let ids = batch.locations.ids();
    let stored = store.hsds_sources("location", &ids).await?;
    let existing = store.existing_ids("location", &ids).await?;
    let mut writes = Vec::new();
    for (loc, source) in &batch.locations.rows {
        let counts = &mut report.locations;
        if same_source(stored.get(&loc.id), source) {
            counts.unchanged += 1;
        } else {
            let placed = Location {
                placement: placement(&catalog.geo, loc),
                ..loc.clone()
            };
            writes.push((placed, source.to_string()));
            bump(counts, existing.contains(&loc.id));
        }
    }
    let rows: Vec<(&Location, Option<&str>)> =
        writes.iter().map(|(l, s)| (l, Some(s.as_str()))).collect();
    store.upsert_locations(&rows).await?;

    let ids = batch.services.ids();
    let stored = store.hsds_sources("service", &ids).await?;
    let existing = store.existing_ids("service", &ids).await?;
    let classified = store.own_term_ids_of_services(&ids).await?;
    let mut writes = Vec::new();
    for (service, source) in &batch.services.rows {
        let counts = &mut report.services;
        // Unchanged only if the document is the same *and* it maps to the same categories
        // (a changed mapping file applies on the next import).
        let mut own_terms: Vec<Uuid> = service
            .categories
            .iter()
            .filter_map(|c| catalog.vocabulary.category(c))
            .chain(
                service
                    .target_groups
                    .iter()
                    .filter_map(|g| catalog.vocabulary.target_group(g)),
            )
            .map(|t| t.id)
            .collect();
        own_terms.sort();
        let same_terms = classified
            .get(&service.id)
            .map_or(own_terms.is_empty(), |stored| {
                let mut stored = stored.clone();
                stored.sort();
                stored == own_terms
            });
        if same_source(stored.get(&service.id), source) && same_terms {
            counts.unchanged += 1;
        } else {
            writes.push((service, source.to_string()));
            bump(counts, existing.contains(&service.id));
        }
    }
    let rows: Vec<(&Service, Option<&str>)> = writes
        .iter()
        .map(|(s, src)| (*s, Some(src.as_str())))
        .collect();
    store.upsert_services(&rows, &catalog.vocabulary).await?;
    catalog.indexer.nudge();
    Ok(())
}

/// The neighbourhoods of a location's point (as `Catalog::save_location` assigns them).
fn placement(geo: &Geography, loc: &Location) -> Placement {
    match loc.point() {
        Some((lat, lon)) => {
            let p = geo.locate(lat, lon);
            Placement {
                gemeente: p.gemeente,
                wijk: p.wijk,
                buurt: p.buurt,
            }
        }
        None => Placement::default(),
    }
}

/// Where records come from: a JSON/ndjson file (streamed) or records already read (CSV).
enum Input {
    File(PathBuf),
    Items(Vec<Item>),
}

/// A running reader: records arrive on `records`; `done` says whether the file was read whole.
struct Reader {
    records: mpsc::Receiver<Read>,
    done: tokio::task::JoinHandle<Result<(), Problem>>,
    bytes_read: Arc<AtomicU64>,
    bytes_total: u64,
}

impl Input {
    fn open(&self) -> Reader {
        let (tx, records) = mpsc::channel(READ_AHEAD);
        let bytes_read = Arc::new(AtomicU64::new(0));
        match self {
            Input::File(path) => {
                let path = path.clone();
                let bytes_total = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                let counter = bytes_read.clone();
                let done = tokio::task::spawn_blocking(move || {
                    stream_json_file(&path, counter, &mut |read| tx.blocking_send(read).is_ok())
                });
                Reader {
                    records,
                    done,
                    bytes_read,
                    bytes_total,
                }
            }
            Input::Items(items) => {
                let items = items.clone();
                let done = tokio::spawn(async move {
                    for item in items {
                        if tx.send(Read::Item(item)).await.is_err() {
                            break;
                        }
                    }
                    Ok(())
                });
                Reader {
                    records,
                    done,
                    bytes_read,
                    bytes_total: 0,
                }
            }
        }
    }
}

/// One pass over the input: checks every record and, with `write`, writes the valid ones in
/// batches.
async fn pass(
    catalog: &Catalog,
    input: &Input,
    options: &Options,
    write: bool,
) -> anyhow::Result<Report> {
    let validators = schemas::validators()?;
    let mapper = TermMapper::embedded(&catalog.vocabulary)?;
    let mut known = Known::load(catalog).await?;
    let mut report = Report::default();
    let mut batch = Batch::default();
    let mut unmapped: HashMap<Uuid, usize> = HashMap::new();
    let mut reader = input.open();
    let mut records = 0usize;
    while let Some(read) = reader.records.recv().await {
        records += 1;
        match read {
            Read::Problem(problem) => {
                report.services.rejected += 1;
                report.problems.push(problem);
            }
            Read::Item(item) => {
                let mut staged = Staged::default();
                let checked = stage_item(
                    &item,
                    &validators,
                    catalog,
                    &mapper,
                    &mut staged,
                    &mut known,
                );
                if checked.problems.is_empty() {
                    for term in checked.unmapped {
                        *unmapped.entry(term).or_default() += 1;
                    }
                    if write {
                        batch.add(staged);
                    }
                } else {
                    match checked.kind {
                        Some(Kind::Organization) => report.organizations.rejected += 1,
                        Some(Kind::TaxonomyTerm | Kind::Taxonomy) => {
                            report.taxonomy_terms.rejected += 1
                        }
                        _ => report.services.rejected += 1,
                    }
                }
                report.problems.extend(checked.problems);
                report.warnings.extend(checked.warnings);
            }
        }
        if let Some(progress) = &options.progress {
            progress(&Progress {
                records,
                bytes_read: reader.bytes_read.load(Ordering::Relaxed),
                bytes_total: reader.bytes_total,
                checking: !write,
            });
        }
        if batch.records >= BATCH_RECORDS {
            write_batch(catalog, std::mem::take(&mut batch), &mut report).await?;
        }
    }
    if let Err(problem) = reader.done.await? {
        report.problems.push(problem);
        if records == 0 {
            report.aborted = true;
        } else {
            report.stopped_early = true;
        }
    }
    if batch.records > 0 {
        write_batch(catalog, batch, &mut report).await?;
    }
    let mut list: Vec<UnmappedTerm> = unmapped
        .into_iter()
        .filter_map(|(id, services)| {
            let term = known.terms.get(&id)?;
            Some(UnmappedTerm {
                taxonomy: term.taxonomy.first().cloned().unwrap_or_else(|| "-".into()),
                code: term.code.clone(),
                name: term.name.clone(),
                services,
            })
        })
        .collect();
    list.sort_by(|a, b| {
        (b.services, &a.taxonomy, &a.code, &a.name).cmp(&(
            a.services,
            &b.taxonomy,
            &b.code,
            &b.name,
        ))
    });
    report.unmapped_terms = list;
    Ok(report)
}

/// Imports from `input`: in strict mode, a checking pass first and nothing written unless
/// everything is right.
async fn run(catalog: &Catalog, input: Input, options: &Options) -> anyhow::Result<Report> {
    if options.strict {
        let mut check = pass(catalog, &input, options, false).await?;
        check.strict = true;
        if !check.problems.is_empty() {
            check.aborted = true;
            return Ok(check);
        }
    }
    let mut report = pass(catalog, &input, options, true).await?;
    report.strict = options.strict;
    Ok(report)
}

/// Imports items (already read) into the directory.
pub async fn import_items(
    catalog: &Catalog,
    items: Vec<Item>,
    options: &Options,
) -> anyhow::Result<Report> {
    run(catalog, Input::Items(items), options).await
}

/// Reads `path` (a JSON or ndjson file, or a CSV datapackage: its directory or its
/// `datapackage.json`) and imports it.
pub async fn import_path(
    catalog: &Catalog,
    path: &Path,
    options: &Options,
) -> anyhow::Result<Report> {
    let tabular = path.is_dir() || path.file_name().is_some_and(|n| n == "datapackage.json");
    if !tabular {
        return run(catalog, Input::File(path.to_path_buf()), options).await;
    }
    let dir = if path.is_dir() {
        path
    } else {
        path.parent().unwrap_or(Path::new("."))
    };
    match super::tabular::read_datapackage(dir) {
        Ok((items, orphans)) => {
            if options.strict && !orphans.is_empty() {
                return Ok(Report {
                    problems: orphans,
                    aborted: true,
                    strict: true,
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
            strict: options.strict,
            ..Default::default()
        }),
    }
}
