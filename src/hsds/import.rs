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
    Placement, Schedule, Service, ServiceArea, ServiceStatus, Setting,
};
use crate::geo::Geography;
use crate::store::{ChildOwner, TaxonomyRow, TermRow, WriteTx};

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

/// One object a record describes: what we store, its HSDS document, and where in the record
/// it is (a JSON pointer, for problems).
#[derive(Debug)]
struct Obj<T> {
    row: T,
    source: Value,
    field: String,
}

/// What one service (with what it needs) becomes.
#[derive(Debug)]
struct ServiceBundle {
    service: Service,
    source: Value,
    field: String,
    /// Our own fields (those HSDS has no field for: access route, formality, …) that the feed
    /// set, by name as in [`keep_omitted_service`]; the attributes hook adds to it. An update
    /// keeps the stored value of the others.
    carried: HashSet<&'static str>,
}

/// What one record stages, before it joins the batch.
#[derive(Debug, Default)]
struct Staged {
    organizations: Vec<Obj<Organization>>,
    locations: Vec<Obj<Location>>,
    taxonomies: Vec<Obj<TaxonomyRow>>,
    terms: Vec<Obj<TermRow>>,
    services: Vec<ServiceBundle>,
    /// Locations staged earlier in this import without their organisation (nested before it),
    /// whose organisation this record now gives: written even when their document is unchanged.
    organisation_found: HashSet<Uuid>,
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
        let warning = self.problem_at(field, message);
        self.warnings.push(warning);
    }

    /// A problem at `field` of this record, to report now or later.
    fn problem_at(&self, field: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            file: self.item.file.clone(),
            place: self.item.place.clone(),
            field: field.into(),
            message: message.into(),
        }
    }

    /// Where `field` of this record is, for a later problem that names both places.
    fn at(&self, field: &str) -> String {
        if field.is_empty() {
            self.item.place.clone()
        } else {
            format!("{} {field}", self.item.place)
        }
    }

    /// Checks that an object with this id was not described differently earlier in the feed.
    /// `Ok(true)`: first time, stage it; `Ok(false)`: described the same before, already
    /// staged; `Err(())`: a different description, reported.
    fn first_time(
        &mut self,
        known: &mut Known,
        entity: Entity,
        id: Uuid,
        digest: u64,
        field: &str,
    ) -> Result<bool, ()> {
        match known.see(entity, id, digest, self.at(field)) {
            Seen::First => Ok(true),
            Seen::Again(_) => Ok(false),
            Seen::Differs(first) => {
                let message = match entity {
                    Entity::Schedule | Entity::Contact | Entity::ServiceArea => format!(
                        "{} {id} hoort al bij een andere dienst in dit bestand ({first}); \
                         geef elk(e) {} een eigen id",
                        entity.dutch(),
                        entity.dutch()
                    ),
                    _ => format!(
                        "{} {id} staat twee keer in dit bestand, met verschillende gegevens: \
                         eerst in {first}, en hier; geef elk(e) {} een eigen id of maak de twee \
                         beschrijvingen gelijk",
                        entity.dutch(),
                        entity.dutch()
                    ),
                };
                self.problem(format!("{field}/id"), message);
                Err(())
            }
        }
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
    /// Locations staged without their organisation because it was not (yet) in the file, with
    /// the warning that is due if it never comes: reported at the end of the file, so that an
    /// organisation described after a service nested its location (our own export does that)
    /// is no warning.
    without_organisation: HashMap<Uuid, (usize, Problem)>,
    /// Counts the entries ever made in `without_organisation`, to report them in file order.
    forward_references: usize,
    /// Every object this import described so far: where first, and a digest of how.
    seen: HashMap<(Entity, Uuid), SeenAt>,
    /// (taxonomy, code) → the term of this import that has that code, and where.
    codes: HashMap<(Uuid, String), (Uuid, Box<str>)>,
    journal: Vec<Undo>,
}

/// What kind of object an id in the feed names (ids are unique per kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Entity {
    Organization,
    Location,
    Service,
    Taxonomy,
    Term,
    Schedule,
    Contact,
    ServiceArea,
}

impl Entity {
    /// As the import report names it.
    fn dutch(self) -> &'static str {
        match self {
            Entity::Organization => "organisatie",
            Entity::Location => "locatie",
            Entity::Service => "dienst",
            Entity::Taxonomy => "taxonomie",
            Entity::Term => "term",
            Entity::Schedule => "openingstijd",
            Entity::Contact => "contactpersoon",
            Entity::ServiceArea => "werkgebied",
        }
    }
}

struct SeenAt {
    at: Box<str>,
    digest: u64,
}

enum Seen {
    First,
    /// Described before, the same way: where first.
    Again(Box<str>),
    /// Described before, differently: where first.
    Differs(Box<str>),
}

enum Undo {
    Organization(Uuid),
    Term(Uuid),
    Taxonomy(Uuid, Option<Vec<String>>),
    Location(Uuid),
    Seen(Entity, Uuid),
    Code(Uuid, String),
    /// A location entered in `without_organisation`.
    ForwardReference(Uuid),
    /// A location taken out of `without_organisation` (its organisation came), with its entry.
    OrganisationFound(Uuid, (usize, Problem)),
}

/// A digest of an HSDS document that ignores the order of keys (the same object written by
/// another tool is the same object).
fn digest(value: &Value) -> u64 {
    use std::hash::{Hash, Hasher};
    fn feed(value: &Value, h: &mut std::collections::hash_map::DefaultHasher) {
        match value {
            Value::Null => 0u8.hash(h),
            Value::Bool(b) => (1u8, b).hash(h),
            Value::Number(n) => (2u8, n.to_string()).hash(h),
            Value::String(s) => (3u8, s).hash(h),
            Value::Array(list) => {
                (4u8, list.len()).hash(h);
                for v in list {
                    feed(v, h);
                }
            }
            Value::Object(map) => {
                (5u8, map.len()).hash(h);
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                for k in keys {
                    k.hash(h);
                    feed(&map[k], h);
                }
            }
        }
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    feed(value, &mut h);
    h.finish()
}

/// The digest of a child row's owner: the same id under another service differs.
fn owner_digest(owner: Uuid) -> u64 {
    u64::from_le_bytes(owner.as_bytes()[..8].try_into().unwrap_or_default())
}

impl Known {
    async fn load(catalog: &Catalog) -> anyhow::Result<Self> {
        let organizations = catalog
            .store
            .organization_ids()
            .await?
            .into_iter()
            .collect();
        Self::load_with(catalog, organizations).await
    }

    /// What is known, with these organisations as the only ones (the write API: one
    /// organisation's document, without reading every organisation's id).
    async fn load_with(catalog: &Catalog, organizations: HashSet<Uuid>) -> anyhow::Result<Self> {
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
            organizations,
            terms,
            taxonomies,
            locations: HashSet::new(),
            without_organisation: HashMap::new(),
            forward_references: 0,
            seen: HashMap::new(),
            codes: HashMap::new(),
            journal: Vec::new(),
        })
    }

    fn see(&mut self, entity: Entity, id: Uuid, digest: u64, at: String) -> Seen {
        match self.seen.get(&(entity, id)) {
            Some(first) if first.digest == digest => Seen::Again(first.at.clone()),
            Some(first) => Seen::Differs(first.at.clone()),
            None => {
                self.seen.insert(
                    (entity, id),
                    SeenAt {
                        at: at.into(),
                        digest,
                    },
                );
                self.journal.push(Undo::Seen(entity, id));
                Seen::First
            }
        }
    }

    /// Claims `code` in `taxonomy` for `term`; the other term of this import and where, if
    /// one has it already.
    fn claim_code(
        &mut self,
        taxonomy: Uuid,
        code: &str,
        term: Uuid,
        at: String,
    ) -> Option<(Uuid, Box<str>)> {
        let key = (taxonomy, code.to_string());
        match self.codes.get(&key) {
            Some((other, first)) if *other != term => Some((*other, first.clone())),
            Some(_) => None,
            None => {
                self.codes.insert(key.clone(), (term, at.into()));
                self.journal.push(Undo::Code(key.0, key.1));
                None
            }
        }
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
                Undo::Seen(entity, id) => {
                    self.seen.remove(&(entity, id));
                }
                Undo::Code(taxonomy, code) => {
                    self.codes.remove(&(taxonomy, code));
                }
                Undo::ForwardReference(id) => {
                    self.without_organisation.remove(&id);
                }
                Undo::OrganisationFound(id, pending) => {
                    self.without_organisation.insert(id, pending);
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
    let source = Value::Object(term.clone());
    if !c
        .first_time(known, Entity::Term, id, digest(&source), field)
        .ok()?
    {
        return Some(id);
    }
    if let (Some(taxonomy), Some(code)) = (row.taxonomy_id, &row.code)
        && let Some((other, first)) = known.claim_code(taxonomy, code, id, c.at(field))
    {
        c.problem(
            format!("{field}/code"),
            format!(
                "code {code:?} van taxonomie {taxonomy} hoort in dit bestand al bij term \
                 {other} ({first}); een code komt één keer voor per taxonomie"
            ),
        );
        return None;
    }
    let info = foreign_term(&row, &known.taxonomies);
    if known.add_term(id, info) {
        staged.terms.push(Obj {
            row,
            source,
            field: field.to_string(),
        });
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
    let source = Value::Object(detail.clone());
    if !c
        .first_time(known, Entity::Taxonomy, id, digest(&source), field)
        .ok()?
    {
        return Some(id);
    }
    known.set_taxonomy(
        id,
        taxonomy_labels(id, Some(row.name.clone()), row.uri.clone()),
    );
    staged.taxonomies.push(Obj {
        row,
        source,
        field: field.to_string(),
    });
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
    // A location may be nested (under a service of another organisation) before its own
    // organisation appears in the file: it is staged without one now and not counted as seen,
    // so that the organisation's own description of it, later, is staged again and sets it.
    let forward_reference = own_org.is_some_and(|org| !known.organizations.contains(&org));
    let organization_id = match own_org {
        Some(org) if known.organizations.contains(&org) => Some(org),
        Some(_) => None,
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
    let source = Value::Object(loc.clone());
    if !forward_reference
        && !c
            .first_time(known, Entity::Location, id, digest(&source), field)
            .ok()?
    {
        return Some(id);
    }
    if let (true, Some(org)) = (forward_reference, own_org) {
        let field = format!("{field}/organization_id");
        let warning = c.problem_at(
            &field,
            format!(
                "unknown organization {org}; the location is kept without an organization \
                 (the reference stays in its HSDS document)"
            ),
        );
        if let std::collections::hash_map::Entry::Vacant(entry) =
            known.without_organisation.entry(id)
        {
            entry.insert((known.forward_references, warning));
            known.forward_references += 1;
            known.journal.push(Undo::ForwardReference(id));
        }
    } else if location.organization_id.is_some()
        && let Some(pending) = known.without_organisation.remove(&id)
    {
        known.journal.push(Undo::OrganisationFound(id, pending));
        staged.organisation_found.insert(id);
    }
    known.add_location(id);
    staged.locations.push(Obj {
        row: location,
        source,
        field: field.to_string(),
    });
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
    let mut source = org.clone();
    source.remove("services");
    // Its locations are compared one by one (a service's nested organisation often leaves
    // them out).
    let mut compared = source.clone();
    compared.remove("locations");
    let first = c
        .first_time(
            known,
            Entity::Organization,
            id,
            digest(&Value::Object(compared)),
            field,
        )
        .ok()?;
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
    if first {
        staged.organizations.push(Obj {
            row: organization,
            source: Value::Object(source),
            field: field.to_string(),
        });
    }
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
    let status = match text(svc, "status") {
        Some(v) => match v.to_ascii_lowercase().parse::<ServiceStatus>() {
            Ok(status) => status,
            Err(_) => {
                c.problem(
                    format!("{field}/status"),
                    format!(
                        "{:?} is not an HSDS status (active, inactive, defunct, temporarily closed)",
                        crate::domain::enums::clip(&v)
                    ),
                );
                ServiceStatus::Active
            }
        },
        None => ServiceStatus::Active,
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
            closed_on_holidays: text(s, "notes")
                .is_some_and(|n| n.trim() == crate::domain::HOLIDAYS_CLOSED_NOTE),
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
        status,
        // Read from our status attribute just below, if the document has one.
        status_reason: None,
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
    // The fields our own attributes gave: only those overwrite what an update finds stored.
    let carried: HashSet<&'static str> = super::attributes::read_service(&mut service, svc)
        .into_iter()
        .collect();
    if let Err(e) = service.validate(&catalog.vocabulary) {
        c.problem(format!("{field}/{}", e.field), e.message);
        return;
    }
    // A schedule, contact or area id is one row of ours: two services cannot share it.
    let children = [
        (
            Entity::Schedule,
            "schedules",
            service.schedules.iter().map(|s| s.id).collect::<Vec<_>>(),
        ),
        (
            Entity::Contact,
            "contacts",
            service.contacts.iter().map(|s| s.id).collect(),
        ),
        (
            Entity::ServiceArea,
            "service_areas",
            service.service_areas.iter().map(|s| s.id).collect(),
        ),
    ];
    for (entity, key, ids) in children {
        for (i, child) in ids.into_iter().enumerate() {
            if let Some(child) = child {
                let _ = c.first_time(
                    known,
                    entity,
                    child,
                    owner_digest(id),
                    &format!("{field}/{key}/{i}"),
                );
            }
        }
    }
    let source = Value::Object(source);
    match known.see(Entity::Service, id, digest(&source), c.at(field)) {
        Seen::First => {}
        Seen::Again(first) => {
            c.warning(
                format!("{field}/id"),
                format!(
                    "dienst {id} staat twee keer in dit bestand, hetzelfde beschreven: eerst in \
                     {first}, en hier; de tweede keer is overgeslagen"
                ),
            );
            return;
        }
        Seen::Differs(first) => {
            c.problem(
                format!("{field}/id"),
                format!(
                    "dienst {id} staat twee keer in dit bestand, met verschillende gegevens: \
                     eerst in {first}, en hier; geef elke dienst een eigen id of maak de twee \
                     beschrijvingen gelijk"
                ),
            );
            return;
        }
    }
    staged.services.push(ServiceBundle {
        service,
        source,
        field: field.to_string(),
        carried,
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

/// A checked record waiting to be written.
struct Record {
    file: String,
    place: String,
    kind: Option<Kind>,
    staged: Staged,
}

/// Checked records waiting to be written together.
#[derive(Default)]
struct Batch {
    records: Vec<Record>,
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

fn add(total: &mut Counts, more: Counts) {
    total.created += more.created;
    total.updated += more.updated;
    total.unchanged += more.unchanged;
}

/// What one record's write adds to the report, counted once the record is written whole.
#[derive(Default)]
struct RecordCounts {
    services: Counts,
    organizations: Counts,
    locations: Counts,
    taxonomy_terms: Counts,
}

impl RecordCounts {
    fn add_to(self, report: &mut Report) {
        add(&mut report.services, self.services);
        add(&mut report.organizations, self.organizations);
        add(&mut report.locations, self.locations);
        add(&mut report.taxonomy_terms, self.taxonomy_terms);
    }
}

fn reject(report: &mut Report, kind: Option<Kind>) {
    match kind {
        Some(Kind::Organization) => report.organizations.rejected += 1,
        Some(Kind::TaxonomyTerm | Kind::Taxonomy) => report.taxonomy_terms.rejected += 1,
        _ => report.services.rejected += 1,
    }
}

/// Our own category and target-group terms a service carries, sorted.
fn own_terms(catalog: &Catalog, service: &Service) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = service
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
    ids.sort();
    ids
}

/// What the database holds of the objects a batch describes, looked up once per batch
/// (through the import's transaction, so it includes what the import wrote before).
#[derive(Default)]
struct Stored {
    sources: HashMap<(Entity, Uuid), String>,
    existing: HashSet<(Entity, Uuid)>,
    /// Our own terms of each stored service.
    classified: HashMap<Uuid, Vec<Uuid>>,
    /// Schedules, contacts and service areas with ids the batch uses, and their owners.
    children: HashMap<Uuid, ChildOwner>,
    /// Stored versions of what the batch changes, to keep what the feed leaves out.
    organizations: HashMap<Uuid, Organization>,
    locations: HashMap<Uuid, Location>,
    services: HashMap<Uuid, Service>,
}

impl Stored {
    fn source(&self, entity: Entity, id: Uuid) -> Option<&String> {
        self.sources.get(&(entity, id))
    }

    fn exists(&self, entity: Entity, id: Uuid) -> bool {
        self.existing.contains(&(entity, id))
    }

    /// Whether a staged service is what is stored: the same document *and* the same
    /// categories (a changed mapping file applies on the next import). A document without
    /// attributes keeps the stored categories, so they are the same.
    fn same_service(&self, catalog: &Catalog, bundle: &ServiceBundle) -> bool {
        let id = bundle.service.id;
        if !same_source(self.source(Entity::Service, id), &bundle.source) {
            return false;
        }
        if bundle.source.get("attributes").is_none() {
            return true;
        }
        let ours = own_terms(catalog, &bundle.service);
        self.classified.get(&id).map_or(ours.is_empty(), |stored| {
            let mut stored = stored.clone();
            stored.sort();
            stored == ours
        })
    }

    async fn load(catalog: &Catalog, tx: &mut WriteTx, batch: &Batch) -> anyhow::Result<Self> {
        let mut ids: HashMap<Entity, Vec<Uuid>> = HashMap::new();
        let mut children = Vec::new();
        for r in &batch.records {
            let s = &r.staged;
            let mut put = |e: Entity, id: Uuid| ids.entry(e).or_default().push(id);
            s.taxonomies
                .iter()
                .for_each(|o| put(Entity::Taxonomy, o.row.id));
            s.terms.iter().for_each(|o| put(Entity::Term, o.row.id));
            s.organizations
                .iter()
                .for_each(|o| put(Entity::Organization, o.row.id));
            s.locations
                .iter()
                .for_each(|o| put(Entity::Location, o.row.id));
            for b in &s.services {
                put(Entity::Service, b.service.id);
                let svc = &b.service;
                children.extend(svc.schedules.iter().filter_map(|c| c.id));
                children.extend(svc.contacts.iter().filter_map(|c| c.id));
                children.extend(svc.service_areas.iter().filter_map(|c| c.id));
            }
        }
        let mut stored = Stored::default();
        for (entity, name) in [
            (Entity::Taxonomy, "taxonomy"),
            (Entity::Term, "taxonomy_term"),
            (Entity::Organization, "organization"),
            (Entity::Location, "location"),
            (Entity::Service, "service"),
        ] {
            let ids = ids.remove(&entity).unwrap_or_default();
            if ids.is_empty() {
                continue;
            }
            for (id, body) in tx.hsds_sources(name, &ids).await? {
                stored.sources.insert((entity, id), body);
            }
            if entity != Entity::Taxonomy {
                for id in tx.existing_ids(name, &ids).await? {
                    stored.existing.insert((entity, id));
                }
            }
            if entity == Entity::Service {
                stored.classified = tx.own_term_ids_of_services(&ids).await?;
            }
        }
        if !children.is_empty() {
            stored.children = tx.child_owners(&children).await?;
        }

        // The stored versions of what will be updated.
        let (mut orgs, mut locs, mut svcs) = (Vec::new(), Vec::new(), Vec::new());
        for r in &batch.records {
            let s = &r.staged;
            for o in &s.organizations {
                let id = o.row.id;
                if stored.exists(Entity::Organization, id)
                    && !same_source(stored.source(Entity::Organization, id), &o.source)
                {
                    orgs.push(id);
                }
            }
            for o in &s.locations {
                let id = o.row.id;
                if stored.exists(Entity::Location, id)
                    && (s.organisation_found.contains(&id)
                        || !same_source(stored.source(Entity::Location, id), &o.source))
                {
                    locs.push(id);
                }
            }
            for b in &s.services {
                let id = b.service.id;
                if stored.exists(Entity::Service, id) && !stored.same_service(catalog, b) {
                    svcs.push(id);
                }
            }
        }
        if !orgs.is_empty() {
            stored.organizations = tx.load_organizations(&orgs).await?;
        }
        if !locs.is_empty() {
            stored.locations = tx.load_locations(&locs).await?;
        }
        if !svcs.is_empty() {
            stored.services = tx
                .load_services(&svcs)
                .await?
                .into_iter()
                .map(|r| (r.service.id, r.service))
                .collect();
        }
        Ok(stored)
    }
}

/// What the feed left out keeps its stored value: an HSDS document that omits a field we hold
/// (a key that is absent, not one that is `null` or empty) does not clear it. HSDS has no
/// wheelchair field on a location, so that one is only set from the feed when something
/// reads it into the location.
fn keep_omitted_location(new: &mut Location, stored: &Location, source: &Value) {
    let has = |key: &str| source.get(key).is_some();
    if new.wheelchair_accessible.is_none() {
        new.wheelchair_accessible = stored.wheelchair_accessible;
    }
    if !has("name") {
        new.name.clone_from(&stored.name);
    }
    if !has("description") {
        new.description.clone_from(&stored.description);
    }
    if !has("transportation") {
        new.transportation.clone_from(&stored.transportation);
    }
    if !has("latitude") && !has("longitude") {
        new.latitude = stored.latitude;
        new.longitude = stored.longitude;
    }
    if !has("addresses") {
        new.address.clone_from(&stored.address);
    }
    if !has("organization_id") && new.organization_id.is_none() {
        new.organization_id = stored.organization_id;
    }
}

/// As [`keep_omitted_location`], for an organisation (HSDS has no provider type).
fn keep_omitted_organization(new: &mut Organization, stored: &Organization, source: &Value) {
    let has = |key: &str| source.get(key).is_some();
    if new.provider_type.is_none() {
        new.provider_type = stored.provider_type;
    }
    if !has("alternate_name") {
        new.alternate_name.clone_from(&stored.alternate_name);
    }
    if !has("description") {
        new.description.clone_from(&stored.description);
    }
    if !has("email") {
        new.email.clone_from(&stored.email);
    }
    if !has("website") {
        new.website.clone_from(&stored.website);
    }
    if !has("phones") {
        new.phone.clone_from(&stored.phone);
    }
}

/// As [`keep_omitted_location`], for a service. Our own fields that HSDS has no field for
/// keep their stored value unless the feed set them (`carried`, by the attributes hook).
fn keep_omitted_service(
    new: &mut Service,
    stored: &Service,
    source: &Value,
    carried: &HashSet<&'static str>,
) {
    let has = |key: &str| source.get(key).is_some();
    let set = |field: &str| carried.contains(field);
    if !set("access_route") {
        new.access_route = stored.access_route;
    }
    if !set("accepts_referrals") {
        new.accepts_referrals = stored.accepts_referrals;
    }
    if !set("welzijn_op_recept") {
        new.welzijn_op_recept = stored.welzijn_op_recept;
    }
    if !set("formality") {
        new.formality = stored.formality;
    }
    if !set("initiative") {
        new.initiative = stored.initiative;
    }
    if !set("setting") {
        new.setting = stored.setting;
    }
    if !set("group_format") {
        new.group_format = stored.group_format;
    }
    if !set("cost") && !has("cost_options") && !has("fees_description") && !has("fees") {
        new.cost = stored.cost.clone();
    }
    if !has("alternate_name") {
        new.alternate_name.clone_from(&stored.alternate_name);
    }
    if !has("description") {
        new.description.clone_from(&stored.description);
    }
    if !has("url") {
        new.url.clone_from(&stored.url);
    }
    if !has("email") {
        new.email.clone_from(&stored.email);
    }
    if !has("phones") {
        new.phone.clone_from(&stored.phone);
    }
    if !has("wait_time") {
        new.waiting_time.clone_from(&stored.waiting_time);
    }
    if !has("eligibility_description") {
        new.eligibility.clone_from(&stored.eligibility);
    }
    if !has("minimum_age") {
        new.minimum_age = stored.minimum_age;
    }
    if !has("maximum_age") {
        new.maximum_age = stored.maximum_age;
    }
    if !has("assured_date") {
        new.assured_date = stored.assured_date;
    }
    if !has("status") {
        new.status = stored.status;
    }
    if !set("status_reason") {
        new.status_reason.clone_from(&stored.status_reason);
    }
    if !has("languages") && !set("languages") {
        new.languages.clone_from(&stored.languages);
    }
    if !has("schedules") {
        new.schedules.clone_from(&stored.schedules);
    }
    if !has("contacts") {
        new.contacts.clone_from(&stored.contacts);
    }
    if !has("service_areas") {
        new.service_areas.clone_from(&stored.service_areas);
    }
    if !has("service_at_locations") {
        new.location_ids.clone_from(&stored.location_ids);
    }
    if !has("attributes") {
        new.categories.clone_from(&stored.categories);
        new.target_groups.clone_from(&stored.target_groups);
        new.other_term_ids.clone_from(&stored.other_term_ids);
    }
}

/// A write of one object that the database refused.
struct Failure {
    field: String,
    entity: Entity,
    id: Uuid,
    error: crate::store::StoreError,
}

impl Failure {
    fn at(field: &str, entity: Entity, id: Uuid) -> impl FnOnce(crate::store::StoreError) -> Self {
        let field = field.to_string();
        move |error| Failure {
            field,
            entity,
            id,
            error,
        }
    }

    /// The problem, in words (the database's own text goes to the log, not to the report).
    fn problem(self, record: &Record) -> Problem {
        use crate::store::StoreError;
        use sqlx::error::ErrorKind;
        let what = format!("{} {}", self.entity.dutch(), self.id);
        let message = match &self.error {
            StoreError::MissingReference { entity, id } => format!(
                "{what} verwijst naar {} {id}, die niet in de database staat",
                dutch_table(entity)
            ),
            StoreError::Database(sqlx::Error::Database(db)) => {
                let table = db.table().map(dutch_table);
                let table = table.map(|t| format!(" ({t})")).unwrap_or_default();
                match db.kind() {
                    ErrorKind::UniqueViolation => format!(
                        "{what} kan niet worden opgeslagen: een id of code erin bestaat al in \
                         de database{table}"
                    ),
                    ErrorKind::ForeignKeyViolation => format!(
                        "{what} kan niet worden opgeslagen: het verwijst naar iets dat niet in de \
                         database staat{table}"
                    ),
                    ErrorKind::NotNullViolation | ErrorKind::CheckViolation => format!(
                        "{what} kan niet worden opgeslagen: een veld mag niet leeg zijn of heeft \
                         een waarde die de database weigert{table}"
                    ),
                    _ => format!(
                        "{what} kon niet worden opgeslagen door een fout van de database \
                         (details staan in het logboek)"
                    ),
                }
            }
            _ => format!(
                "{what} kon niet worden opgeslagen door een fout van de database (details \
                 staan in het logboek)"
            ),
        };
        tracing::warn!(
            file = %record.file,
            place = %record.place,
            field = %self.field,
            error = %self.error,
            "import: a record could not be written"
        );
        Problem {
            file: record.file.clone(),
            place: record.place.clone(),
            field: if self.field.is_empty() {
                "/".into()
            } else {
                self.field
            },
            message,
        }
    }
}

/// A table as the import report names what it holds.
fn dutch_table(table: &str) -> &'static str {
    match table {
        "organization" => "organisatie",
        "location" => "locatie",
        "service" => "dienst",
        "taxonomy" => "taxonomie",
        "taxonomy_term" => "term",
        "schedule" => "openingstijd",
        "contact" => "contactpersoon",
        "service_area" => "werkgebied",
        "service_at_location" => "dienst op locatie",
        "attribute" => "kenmerk",
        "address" => "adres",
        "language" => "taal",
        _ => "gegevens",
    }
}

/// Ids of a record that already belong to something else in the database: reported before
/// anything is written, with file, place and field.
async fn collisions(
    tx: &mut WriteTx,
    record: &Record,
    stored: &Stored,
) -> anyhow::Result<Vec<Problem>> {
    let mut problems = Vec::new();
    let mut problem = |field: String, message: String| {
        problems.push(Problem {
            file: record.file.clone(),
            place: record.place.clone(),
            field,
            message,
        })
    };
    for b in &record.staged.services {
        let svc = &b.service;
        let lists = [
            (
                "schedules",
                svc.schedules.iter().map(|c| c.id).collect::<Vec<_>>(),
            ),
            ("contacts", svc.contacts.iter().map(|c| c.id).collect()),
            (
                "service_areas",
                svc.service_areas.iter().map(|c| c.id).collect(),
            ),
        ];
        for (key, ids) in lists {
            for (i, child) in ids.into_iter().enumerate() {
                let Some(owner) = child.and_then(|c| stored.children.get(&c)) else {
                    continue;
                };
                if owner.service_id == Some(svc.id) {
                    continue;
                }
                let what = dutch_table(owner.table);
                let whose = owner
                    .service_id
                    .map(|s| format!("dienst {s}"))
                    .unwrap_or_else(|| "iets anders dan een dienst".into());
                problem(
                    format!("{}/{key}/{i}/id", b.field),
                    format!(
                        "{what} {} hoort in de database al bij {whose}; geef deze {what} een \
                         eigen id",
                        child.unwrap_or_default()
                    ),
                );
            }
        }
    }
    for t in &record.staged.terms {
        let (Some(taxonomy), Some(code)) = (t.row.taxonomy_id, &t.row.code) else {
            continue;
        };
        if let Some(other) = tx.term_with_code(taxonomy, code).await?
            && other != t.row.id
        {
            problem(
                format!("{}/code", t.field),
                format!(
                    "code {code:?} van taxonomie {taxonomy} hoort in de database al bij term \
                     {other}; een code komt één keer voor per taxonomie"
                ),
            );
        }
    }
    Ok(problems)
}

/// Writes one record's objects: what it needs first (taxonomies, terms, organisations,
/// locations), then its services. Objects whose kept document is unchanged are skipped; what
/// the feed leaves out keeps its stored value.
async fn write_record(
    catalog: &Catalog,
    tx: &mut WriteTx,
    record: &Record,
    stored: &Stored,
    counts: &mut RecordCounts,
) -> Result<(), Failure> {
    let staged = &record.staged;
    for t in &staged.taxonomies {
        let id = t.row.id;
        if !same_source(stored.source(Entity::Taxonomy, id), &t.source) {
            tx.upsert_taxonomy(&t.row, Some(&t.source.to_string()))
                .await
                .map_err(Failure::at(&t.field, Entity::Taxonomy, id))?;
        }
    }
    for t in &staged.terms {
        let id = t.row.id;
        if same_source(stored.source(Entity::Term, id), &t.source) {
            counts.taxonomy_terms.unchanged += 1;
        } else {
            tx.upsert_term(&t.row, Some(&t.source.to_string()))
                .await
                .map_err(Failure::at(&t.field, Entity::Term, id))?;
            bump(&mut counts.taxonomy_terms, stored.exists(Entity::Term, id));
        }
    }
    for o in &staged.organizations {
        let id = o.row.id;
        if same_source(stored.source(Entity::Organization, id), &o.source) {
            counts.organizations.unchanged += 1;
            continue;
        }
        let mut org = o.row.clone();
        if let Some(old) = stored.organizations.get(&id) {
            keep_omitted_organization(&mut org, old, &o.source);
        }
        tx.upsert_organization(&org, Some(&o.source.to_string()))
            .await
            .map_err(Failure::at(&o.field, Entity::Organization, id))?;
        bump(
            &mut counts.organizations,
            stored.exists(Entity::Organization, id),
        );
    }
    for l in &staged.locations {
        let id = l.row.id;
        // A location first stored without its organisation (nested before it) has the same
        // document as now, but not yet the organisation.
        if !staged.organisation_found.contains(&id)
            && same_source(stored.source(Entity::Location, id), &l.source)
        {
            counts.locations.unchanged += 1;
            continue;
        }
        let mut loc = l.row.clone();
        if let Some(old) = stored.locations.get(&id) {
            keep_omitted_location(&mut loc, old, &l.source);
        }
        loc.placement = placement(&catalog.geo, &loc);
        tx.upsert_location(&loc, Some(&l.source.to_string()))
            .await
            .map_err(Failure::at(&l.field, Entity::Location, id))?;
        bump(&mut counts.locations, stored.exists(Entity::Location, id));
    }
    for b in &staged.services {
        let id = b.service.id;
        if stored.same_service(catalog, b) {
            counts.services.unchanged += 1;
            continue;
        }
        let mut service = b.service.clone();
        if let Some(old) = stored.services.get(&id) {
            keep_omitted_service(&mut service, old, &b.source, &b.carried);
        }
        let source = b.source.to_string();
        let written = if stored.exists(Entity::Service, id) {
            tx.upsert_service(&service, &catalog.vocabulary, Some(&source))
                .await
        } else {
            tx.insert_new_service(&service, &catalog.vocabulary, Some(&source))
                .await
        };
        written.map_err(Failure::at(&b.field, Entity::Service, id))?;
        bump(&mut counts.services, stored.exists(Entity::Service, id));
    }
    Ok(())
}

/// Writes a batch through `tx`, each record whole or not at all: a record the database
/// refuses, or whose ids already belong to something else, becomes a problem and the others
/// go on. The batch is first written whole under one savepoint (a savepoint per record costs
/// two more round trips to the database per record); only when a record fails is that undone
/// and the batch written again with a savepoint per record.
async fn write_batch(
    catalog: &Catalog,
    tx: &mut WriteTx,
    batch: Batch,
    report: &mut Report,
) -> anyhow::Result<()> {
    let stored = Stored::load(catalog, tx, &batch).await?;
    let mut ready = Vec::with_capacity(batch.records.len());
    for record in batch.records {
        let problems = collisions(tx, &record, &stored).await?;
        if problems.is_empty() {
            ready.push(record);
        } else {
            report.problems.extend(problems);
            reject(report, record.kind);
        }
    }

    let whole = tx.savepoint().await?;
    let mut counts = Vec::with_capacity(ready.len());
    for record in &ready {
        let mut c = RecordCounts::default();
        if write_record(catalog, tx, record, &stored, &mut c)
            .await
            .is_err()
        {
            break;
        }
        counts.push(c);
    }
    if counts.len() == ready.len() {
        tx.release_savepoint().await?;
        counts.into_iter().for_each(|c| c.add_to(report));
        return Ok(());
    }
    tx.rollback_to_savepoint(whole).await?;

    for record in ready {
        let mark = tx.savepoint().await?;
        let mut counts = RecordCounts::default();
        match write_record(catalog, tx, &record, &stored, &mut counts).await {
            Ok(()) => {
                tx.release_savepoint().await?;
                counts.add_to(report);
            }
            Err(failure) => {
                tx.rollback_to_savepoint(mark).await?;
                report.problems.push(failure.problem(&record));
                reject(report, record.kind);
            }
        }
    }
    Ok(())
}

/// Where an import's writes go. Strict: one transaction for the whole file, committed only
/// when nothing went wrong (a failure or a kill leaves nothing). Otherwise one transaction per
/// batch, committed as it is written (each record in it whole or absent).
struct Writer<'a> {
    catalog: &'a Catalog,
    strict: bool,
    whole_file: Option<WriteTx>,
}

impl<'a> Writer<'a> {
    fn new(catalog: &'a Catalog, strict: bool) -> Self {
        Self {
            catalog,
            strict,
            whole_file: None,
        }
    }

    async fn write(&mut self, batch: Batch, report: &mut Report) -> anyhow::Result<()> {
        let store = &self.catalog.store;
        if self.strict {
            if self.whole_file.is_none() {
                self.whole_file = Some(store.begin().await?);
            }
            if let Some(tx) = &mut self.whole_file {
                return write_batch(self.catalog, tx, batch, report).await;
            }
        }
        let mut tx = store.begin().await?;
        write_batch(self.catalog, &mut tx, batch, report).await?;
        tx.commit().await?;
        self.catalog.indexer.nudge();
        Ok(())
    }

    /// Commits a strict import if nothing went wrong; else rolls it back and says so.
    async fn finish(self, report: &mut Report) -> anyhow::Result<()> {
        let Some(tx) = self.whole_file else {
            if self.strict && !report.problems.is_empty() {
                abort(report);
            }
            return Ok(());
        };
        if report.problems.is_empty() {
            tx.commit().await?;
            self.catalog.indexer.nudge();
        } else {
            tx.rollback().await?;
            abort(report);
        }
        Ok(())
    }
}

/// A strict import that wrote nothing: no counts of what would have been written.
fn abort(report: &mut Report) {
    report.aborted = true;
    report.stopped_early = false;
    for c in [
        &mut report.services,
        &mut report.organizations,
        &mut report.locations,
        &mut report.taxonomy_terms,
    ] {
        *c = Counts {
            rejected: c.rejected,
            ..Counts::default()
        };
    }
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
    let mut writer = write.then(|| Writer::new(catalog, options.strict));
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
                        batch.records.push(Record {
                            file: item.file,
                            place: item.place,
                            kind: checked.kind,
                            staged,
                        });
                    }
                } else {
                    reject(&mut report, checked.kind);
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
        if batch.records.len() >= BATCH_RECORDS
            && let Some(writer) = &mut writer
        {
            writer
                .write(std::mem::take(&mut batch), &mut report)
                .await?;
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
    // Organisations that a location named but the file never described.
    let mut never_described: Vec<_> = known.without_organisation.into_values().collect();
    never_described.sort_by_key(|(order, _)| *order);
    report
        .warnings
        .extend(never_described.into_iter().map(|(_, warning)| warning));
    if let Some(mut writer) = writer {
        if !batch.records.is_empty() {
            writer.write(batch, &mut report).await?;
        }
        writer.finish(&mut report).await?;
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

/// One HSDS 3.0 service document, sent by an organisation's system to the write API, read
/// into our [`Service`] exactly as an import reads it (same checks, same taxonomy mapping).
/// `organization` is whose listing it is (the API token's): the document may name no other;
/// nested organisation and location objects are read for their ids only (those change through
/// their own routes), and it may link only that organisation's existing locations. For an update, `stored` is the
/// published service: our own fields the document does not set keep their value, as in an
/// import. `Err` holds the problems, each with the field as a JSON pointer.
pub async fn service_document(
    catalog: &Catalog,
    document: Value,
    organization: Uuid,
    stored: Option<&Service>,
) -> anyhow::Result<Result<Service, Vec<Problem>>> {
    let problem = |field: &str, message: &str| Problem {
        file: String::new(),
        place: "body".into(),
        field: field.into(),
        message: message.into(),
    };
    let mut document = document;
    let Some(map) = document.as_object_mut() else {
        return Ok(Err(vec![problem("", "send one HSDS service object")]));
    };
    // A service as the HSDS API serves it nests its organisation and locations; they are not
    // changed through it, so only their ids count (a system can send back what it read).
    map.remove("organization");
    if let Some(Value::Array(links)) = map.get_mut("service_at_locations") {
        for link in links.iter_mut().filter_map(Value::as_object_mut) {
            if let Some(Value::Object(location)) = link.remove("location")
                && let Some(id) = location.get("id")
                && !link.contains_key("location_id")
            {
                link.insert("location_id".into(), id.clone());
            }
        }
    }
    let mut known = Known::load_with(catalog, HashSet::from([organization])).await?;
    known.locations = catalog
        .store
        .location_ids_of_organizations(&[organization])
        .await?
        .remove(&organization)
        .unwrap_or_default()
        .into_iter()
        .collect();
    let mapper = TermMapper::embedded(&catalog.vocabulary)?;
    let item = Item {
        file: String::new(),
        place: "body".into(),
        value: document,
        kind: Some(Kind::Service),
    };
    let map = item
        .value
        .as_object()
        .ok_or_else(|| anyhow::anyhow!("the document stopped being an object"))?;
    let mut checker = Checker {
        item: &item,
        mapper: &mapper,
        problems: Vec::new(),
        warnings: Vec::new(),
        unmapped: Vec::new(),
    };
    let mut staged = Staged::default();
    stage_service(
        &mut checker,
        map,
        "",
        None,
        catalog,
        &mut staged,
        &mut known,
    );
    if !staged.locations.is_empty() || !staged.organizations.is_empty() {
        checker.problem(
            "/service_at_locations",
            "link existing locations by location_id; a location is changed through its own form",
        );
    }
    if !checker.problems.is_empty() {
        return Ok(Err(checker.problems));
    }
    let Some(bundle) = staged.services.pop() else {
        return Ok(Err(vec![problem("", "no service in the document")]));
    };
    let mut service = bundle.service;
    if service.organization_id != organization {
        return Ok(Err(vec![problem(
            "/organization_id",
            "a token changes only its own organisation's services",
        )]));
    }
    if let Some(stored) = stored {
        keep_omitted_service(&mut service, stored, &bundle.source, &bundle.carried);
    }
    Ok(Ok(service))
}
