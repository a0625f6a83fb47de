//! The HSDS tabular form: a directory of CSV files, one per object type (`services.csv`,
//! `phones.csv`, …), linked by `*_id` columns, plus a `datapackage.json`. Reading turns the
//! tables into the nested JSON objects the importer already understands; writing flattens our
//! nested export into tables. Cells are typed by the HSDS schema of their table.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::{Map, Value, json};

use super::import::{Item, Kind, Problem};
use super::schemas;

/// (file, schema name) of every table HSDS defines.
pub const TABLES: &[(&str, &str)] = &[
    ("organizations.csv", "organization"),
    ("services.csv", "service"),
    ("locations.csv", "location"),
    ("service_at_location.csv", "service_at_location"),
    ("addresses.csv", "address"),
    ("phones.csv", "phone"),
    ("schedules.csv", "schedule"),
    ("service_areas.csv", "service_area"),
    ("languages.csv", "language"),
    ("contacts.csv", "contact"),
    ("cost_options.csv", "cost_option"),
    ("attributes.csv", "attribute"),
    ("taxonomies.csv", "taxonomy"),
    ("taxonomy_terms.csv", "taxonomy_term"),
    ("funding.csv", "funding"),
    ("programs.csv", "program"),
    ("required_documents.csv", "required_document"),
    ("accessibility.csv", "accessibility"),
    ("organization_identifiers.csv", "organization_identifier"),
    ("metadata.csv", "metadata"),
    ("meta_table_descriptions.csv", "meta_table_description"),
];

/// A table's flat columns and their JSON types, in the schema's order.
pub fn columns(schema_name: &str) -> Vec<(String, String)> {
    let Some(schema) = schemas::schema(schema_name) else {
        return Vec::new();
    };
    schema["properties"]
        .as_object()
        .map(|props| {
            props
                .iter()
                .filter_map(|(name, p)| {
                    let t = p["type"].as_str().unwrap_or("string");
                    let nested = t == "array" || t == "object" || p.get("$ref").is_some();
                    (!nested).then(|| (name.clone(), t.to_string()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// One CSV row as a JSON object, with where it came from.
#[derive(Debug, Clone)]
struct Row {
    place: String,
    value: Map<String, Value>,
}

impl Row {
    fn get(&self, column: &str) -> Option<&str> {
        self.value.get(column).and_then(Value::as_str)
    }
    fn id(&self) -> &str {
        self.get("id").unwrap_or("")
    }
}

/// A cell typed by its column: numbers and integers become JSON numbers when they parse (when
/// they do not, the string stays and schema validation names the field).
fn typed(cell: &str, kind: &str) -> Value {
    match kind {
        "integer" => cell
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(cell.into())),
        "number" => cell
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| cell.parse::<f64>().map(|f| json!(f)))
            .unwrap_or_else(|_| Value::String(cell.into())),
        "boolean" => match cell {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(cell.into()),
        },
        _ => Value::String(cell.into()),
    }
}

fn read_table(dir: &Path, file: &str, schema_name: &str) -> Result<Vec<Row>, Vec<Problem>> {
    let path = dir.join(file);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let shown = path.display().to_string();
    let problem = |place: String, field: &str, message: String| Problem {
        file: shown.clone(),
        place,
        field: field.into(),
        message,
    };
    // A regular file only, and never more than the limit even if it grows while read.
    let handle = super::feed_reader::open_regular(&path)
        .map_err(|message| vec![problem("file".into(), "-", message)])?;
    let size = handle.metadata().map(|m| m.len()).unwrap_or(0);
    if size > super::import::MAX_FILE_BYTES {
        return Err(vec![problem(
            "file".into(),
            "-",
            format!(
                "file is {:.1} MB, more than the {} MB an import reads at once",
                size as f64 / 1_048_576.0,
                super::import::MAX_FILE_BYTES / 1_048_576
            ),
        )]);
    }
    let mut reader =
        csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(super::feed_reader::Limited::new(
                handle,
                super::import::MAX_FILE_BYTES,
            ));
    let known: HashMap<String, String> = columns(schema_name).into_iter().collect();
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| {
            vec![problem(
                "header".into(),
                "-",
                format!("not a CSV header: {e}"),
            )]
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut problems = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if !known.contains_key(h) {
            let mut expected: Vec<&String> = known.keys().collect();
            expected.sort();
            problems.push(problem(
                "header".into(),
                h,
                format!(
                    "column {} ({h:?}) is not a field of {schema_name}; expected some of: {}",
                    i + 1,
                    expected
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    if !headers.iter().any(|h| h == "id") {
        problems.push(problem(
            "header".into(),
            "id",
            "the id column is missing".into(),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        // Row 1 is the header, so data starts at row 2 (as a spreadsheet shows it).
        let place = format!("row {}", n + 2);
        let record = record.map_err(|e| vec![problem(place.clone(), "-", format!("{e}"))])?;
        let mut value = Map::new();
        for (h, cell) in headers.iter().zip(record.iter()) {
            if !cell.is_empty() {
                value.insert(h.clone(), typed(cell, &known[h]));
            }
        }
        rows.push(Row { place, value });
    }
    Ok(rows)
}

/// The tables, read, with lookups by any column.
struct Tables {
    rows: HashMap<&'static str, Vec<Row>>,
    /// Which rows were placed into some parent (table, row index).
    used: HashSet<(&'static str, usize)>,
    /// Rows placed so far, and how many may be (see [`nesting_budget`]).
    placed: usize,
    budget: usize,
    /// (table, column) → value → rows holding it, built on first use: scanning a table for
    /// each parent made a package of many thousands of rows take hours (rows × rows).
    lookups: HashMap<(&'static str, String), HashMap<String, Vec<usize>>>,
}

/// How many rows may be placed into parents, copies included. A row is copied into every
/// parent that links to it, so repeated ids multiply: four tables of 30 rows with one id each
/// (an 8 KB package) nested into 810,000 objects and 91 MB, and 100 rows into gigabytes
/// (found by tests/fuzz). A real package places each row a few times at most (a location under
/// its organization and under each service at it).
fn nesting_budget(rows: usize) -> usize {
    10_000 + 20 * rows
}

impl Tables {
    /// Rows of `table` whose `column` equals `value` (marked as used), as JSON objects.
    fn children(
        &mut self,
        table: &'static str,
        column: &str,
        value: &str,
    ) -> Vec<(usize, Map<String, Value>)> {
        let rows = self.rows.get(table).map(Vec::as_slice).unwrap_or_default();
        let lookup = self
            .lookups
            .entry((table, column.to_string()))
            .or_insert_with(|| {
                let mut by_value: HashMap<String, Vec<usize>> = HashMap::new();
                for (i, r) in rows.iter().enumerate() {
                    if let Some(v) = r.get(column) {
                        by_value.entry(v.to_string()).or_default().push(i);
                    }
                }
                by_value
            });
        let matching = lookup.get(value).map(Vec::as_slice).unwrap_or_default();
        self.placed += matching.len();
        if self.placed > self.budget {
            // Over budget: nothing more is built; `read_datapackage` refuses the package.
            return Vec::new();
        }
        for &i in matching {
            self.used.insert((table, i));
        }
        matching.iter().map(|&i| (i, rows[i].value.clone())).collect()
    }

    /// Puts the rows of each child table whose `column` holds this object's id into the
    /// object, under the HSDS key, built by the child's own builder; empty lists stay out.
    fn nest(&mut self, m: &mut Map<String, Value>, column: &str, children: &[Child]) {
        let id = m
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        for (key, table, build) in children {
            let list: Vec<Value> = self
                .children(table, column, &id)
                .into_iter()
                .map(|(_, row)| build(self, row))
                .collect();
            if !list.is_empty() {
                m.insert((*key).into(), Value::Array(list));
            }
        }
    }

    fn one(&mut self, table: &'static str, id: Option<&Value>, build: Build) -> Option<Value> {
        let id = id?.as_str()?.to_string();
        self.children(table, "id", &id)
            .into_iter()
            .next()
            .map(|(_, m)| build(self, m))
    }
}

/// Turns a table row into its nested HSDS object.
type Build = fn(&mut Tables, Map<String, Value>) -> Value;
/// A nested list: the HSDS key, the table its rows come from, and their builder.
type Child = (&'static str, &'static str, Build);

fn plain(_: &mut Tables, m: Map<String, Value>) -> Value {
    Value::Object(m)
}

fn phone(t: &mut Tables, mut m: Map<String, Value>) -> Value {
    t.nest(&mut m, "phone_id", &[("languages", "languages.csv", plain)]);
    Value::Object(m)
}

fn contact(t: &mut Tables, mut m: Map<String, Value>) -> Value {
    t.nest(&mut m, "contact_id", &[("phones", "phones.csv", phone)]);
    Value::Object(m)
}

fn taxonomy_term(t: &mut Tables, mut m: Map<String, Value>) -> Value {
    if let Some(detail) = t.one(
        "taxonomies.csv",
        m.get("taxonomy_id").cloned().as_ref(),
        plain,
    ) {
        m.insert("taxonomy_detail".into(), detail);
    }
    Value::Object(m)
}

fn attribute(t: &mut Tables, mut m: Map<String, Value>) -> Value {
    if let Some(term) = t.one(
        "taxonomy_terms.csv",
        m.get("taxonomy_term_id").cloned().as_ref(),
        taxonomy_term,
    ) {
        m.insert("taxonomy_term".into(), term);
    }
    Value::Object(m)
}

/// What every object can carry: attributes and metadata that point at it.
fn common(t: &mut Tables, m: &mut Map<String, Value>) {
    t.nest(m, "link_id", &[("attributes", "attributes.csv", attribute)]);
    t.nest(m, "resource_id", &[("metadata", "metadata.csv", plain)]);
}

fn location(t: &mut Tables, mut m: Map<String, Value>) -> Value {
    t.nest(
        &mut m,
        "location_id",
        &[
            ("languages", "languages.csv", plain),
            ("addresses", "addresses.csv", plain),
            ("contacts", "contacts.csv", contact),
            ("accessibility", "accessibility.csv", plain),
            ("phones", "phones.csv", phone),
            ("schedules", "schedules.csv", plain),
        ],
    );
    common(t, &mut m);
    Value::Object(m)
}

fn service_at_location(t: &mut Tables, mut m: Map<String, Value>) -> Value {
    t.nest(
        &mut m,
        "service_at_location_id",
        &[
            ("contacts", "contacts.csv", contact),
            ("phones", "phones.csv", phone),
            ("schedules", "schedules.csv", plain),
        ],
    );
    if let Some(loc) = t.one(
        "locations.csv",
        m.get("location_id").cloned().as_ref(),
        location,
    ) {
        m.insert("location".into(), loc);
    }
    common(t, &mut m);
    Value::Object(m)
}

fn service(t: &mut Tables, mut m: Map<String, Value>) -> Value {
    t.nest(
        &mut m,
        "service_id",
        &[
            ("phones", "phones.csv", phone),
            ("schedules", "schedules.csv", plain),
            ("service_areas", "service_areas.csv", plain),
            (
                "service_at_locations",
                "service_at_location.csv",
                service_at_location,
            ),
            ("languages", "languages.csv", plain),
            ("funding", "funding.csv", plain),
            ("cost_options", "cost_options.csv", plain),
            ("required_documents", "required_documents.csv", plain),
            ("contacts", "contacts.csv", contact),
        ],
    );
    if let Some(program) = t.one("programs.csv", m.get("program_id").cloned().as_ref(), plain) {
        m.insert("program".into(), program);
    }
    common(t, &mut m);
    Value::Object(m)
}

fn organization(t: &mut Tables, mut m: Map<String, Value>) -> Value {
    t.nest(
        &mut m,
        "organization_id",
        &[
            ("funding", "funding.csv", plain),
            ("contacts", "contacts.csv", contact),
            ("phones", "phones.csv", phone),
            ("locations", "locations.csv", location),
            ("programs", "programs.csv", plain),
            (
                "organization_identifiers",
                "organization_identifiers.csv",
                plain,
            ),
            ("services", "services.csv", service),
        ],
    );
    common(t, &mut m);
    Value::Object(m)
}

/// Reads a CSV datapackage directory into importable items: organizations (with their services
/// nested), services of organizations that are not in the package, taxonomies and terms. Rows
/// that belong to nothing in the package are reported, not silently dropped.
pub fn read_datapackage(dir: &Path) -> Result<(Vec<Item>, Vec<Problem>), Vec<Problem>> {
    let mut rows = HashMap::new();
    let mut problems = Vec::new();
    for (file, schema_name) in TABLES {
        match read_table(dir, file, schema_name) {
            Ok(r) => {
                rows.insert(*file, r);
            }
            Err(p) => problems.extend(p),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if rows.values().all(Vec::is_empty) {
        return Err(vec![Problem {
            file: dir.display().to_string(),
            place: "directory".into(),
            field: "-".into(),
            message: "no HSDS CSV tables here (expected organizations.csv, services.csv, …)".into(),
        }]);
    }
    let row_count = rows.values().map(Vec::len).sum();
    let mut tables = Tables {
        rows,
        used: HashSet::new(),
        placed: 0,
        budget: nesting_budget(row_count),
        lookups: HashMap::new(),
    };
    let file = |name: &str| dir.join(name).display().to_string();
    let mut items = Vec::new();
    let org_ids: HashSet<String> = tables.rows["organizations.csv"]
        .iter()
        .map(|r| r.id().to_string())
        .collect();
    for (i, row) in tables.rows["organizations.csv"]
        .clone()
        .into_iter()
        .enumerate()
    {
        tables.used.insert(("organizations.csv", i));
        items.push(Item {
            file: file("organizations.csv"),
            place: row.place.clone(),
            value: organization(&mut tables, row.value),
            kind: Some(Kind::Organization),
        });
    }
    for (i, row) in tables.rows["services.csv"].clone().into_iter().enumerate() {
        if row
            .get("organization_id")
            .is_some_and(|o| org_ids.contains(o))
        {
            continue;
        }
        tables.used.insert(("services.csv", i));
        items.push(Item {
            file: file("services.csv"),
            place: row.place.clone(),
            value: service(&mut tables, row.value),
            kind: Some(Kind::Service),
        });
    }
    for (table, kind, build) in [
        (
            "taxonomies.csv",
            Kind::Taxonomy,
            plain as fn(&mut Tables, Map<String, Value>) -> Value,
        ),
        ("taxonomy_terms.csv", Kind::TaxonomyTerm, taxonomy_term),
    ] {
        for (i, row) in tables.rows[table].clone().into_iter().enumerate() {
            tables.used.insert((table, i));
            items.push(Item {
                file: file(table),
                place: row.place.clone(),
                value: build(&mut tables, row.value),
                kind: Some(kind),
            });
        }
    }
    if tables.placed > tables.budget {
        return Err(vec![Problem {
            file: dir.display().to_string(),
            place: "directory".into(),
            field: "-".into(),
            message: format!(
                "the tables link {} rows into more than {} nested objects: ids are repeated \
                 or shared too often (is one id used for many rows?)",
                row_count, tables.budget
            ),
        }]);
    }
    let mut orphans = Vec::new();
    for (table, _) in TABLES {
        for (i, row) in tables.rows[table].iter().enumerate() {
            if !tables.used.contains(&(*table, i)) {
                orphans.push(Problem {
                    file: file(table),
                    place: row.place.clone(),
                    field: "-".into(),
                    message: format!(
                        "{} belongs to nothing in this package (its *_id columns match no \
                         row), so it was not imported",
                        row.id()
                    ),
                });
            }
        }
    }
    Ok((items, orphans))
}

/// Which nested lists of which object become which table, and the column that links back.
const NESTED: &[(&str, &str, &str, Option<&str>)] = &[
    // (object, key, child table, link column in the child)
    (
        "organization",
        "funding",
        "funding.csv",
        Some("organization_id"),
    ),
    (
        "organization",
        "contacts",
        "contacts.csv",
        Some("organization_id"),
    ),
    (
        "organization",
        "phones",
        "phones.csv",
        Some("organization_id"),
    ),
    (
        "organization",
        "locations",
        "locations.csv",
        Some("organization_id"),
    ),
    (
        "organization",
        "programs",
        "programs.csv",
        Some("organization_id"),
    ),
    (
        "organization",
        "organization_identifiers",
        "organization_identifiers.csv",
        Some("organization_id"),
    ),
    (
        "organization",
        "services",
        "services.csv",
        Some("organization_id"),
    ),
    ("service", "phones", "phones.csv", Some("service_id")),
    ("service", "schedules", "schedules.csv", Some("service_id")),
    (
        "service",
        "service_areas",
        "service_areas.csv",
        Some("service_id"),
    ),
    (
        "service",
        "service_at_locations",
        "service_at_location.csv",
        Some("service_id"),
    ),
    ("service", "languages", "languages.csv", Some("service_id")),
    ("service", "funding", "funding.csv", Some("service_id")),
    (
        "service",
        "cost_options",
        "cost_options.csv",
        Some("service_id"),
    ),
    ("service", "program", "programs.csv", None),
    (
        "service",
        "required_documents",
        "required_documents.csv",
        Some("service_id"),
    ),
    ("service", "contacts", "contacts.csv", Some("service_id")),
    ("service", "organization", "organizations.csv", None),
    (
        "service_at_location",
        "contacts",
        "contacts.csv",
        Some("service_at_location_id"),
    ),
    (
        "service_at_location",
        "phones",
        "phones.csv",
        Some("service_at_location_id"),
    ),
    (
        "service_at_location",
        "schedules",
        "schedules.csv",
        Some("service_at_location_id"),
    ),
    ("service_at_location", "location", "locations.csv", None),
    (
        "location",
        "languages",
        "languages.csv",
        Some("location_id"),
    ),
    (
        "location",
        "addresses",
        "addresses.csv",
        Some("location_id"),
    ),
    ("location", "contacts", "contacts.csv", Some("location_id")),
    (
        "location",
        "accessibility",
        "accessibility.csv",
        Some("location_id"),
    ),
    ("location", "phones", "phones.csv", Some("location_id")),
    (
        "location",
        "schedules",
        "schedules.csv",
        Some("location_id"),
    ),
    ("phone", "languages", "languages.csv", Some("phone_id")),
    ("contact", "phones", "phones.csv", Some("contact_id")),
    ("attribute", "taxonomy_term", "taxonomy_terms.csv", None),
    ("taxonomy_term", "taxonomy_detail", "taxonomies.csv", None),
];

fn schema_of(table: &str) -> &'static str {
    TABLES
        .iter()
        .find(|(f, _)| *f == table)
        .map(|(_, s)| *s)
        .unwrap_or("")
}

/// Rows collected for writing: by table, by id, merged (the same phone may hang under a
/// service and a location; its row gets both links).
#[derive(Default)]
pub struct TableWriter {
    rows: HashMap<&'static str, TableRows>,
}

/// One table's rows: ids in first-seen order, and the rows by id.
type TableRows = (Vec<String>, HashMap<String, Map<String, Value>>);

impl TableWriter {
    fn add(&mut self, table: &'static str, mut row: Map<String, Value>) {
        let Some(id) = row.get("id").and_then(Value::as_str).map(str::to_string) else {
            return;
        };
        row.retain(|_, v| !v.is_array() && !v.is_object() && !v.is_null());
        let (order, by_id) = self.rows.entry(table).or_default();
        match by_id.get_mut(&id) {
            Some(existing) => {
                for (k, v) in row {
                    existing.entry(k).or_insert(v);
                }
            }
            None => {
                order.push(id.clone());
                by_id.insert(id, row);
            }
        }
    }

    /// Adds an object and everything nested in it.
    pub fn add_object(&mut self, table: &'static str, object: &Value) {
        let Some(map) = object.as_object() else {
            return;
        };
        let kind = schema_of(table);
        let id = map.get("id").cloned().unwrap_or(Value::Null);
        for (parent, key, child_table, link) in NESTED {
            if *parent != kind {
                continue;
            }
            let children: Vec<&Value> = match map.get(*key) {
                Some(Value::Array(list)) => list.iter().collect(),
                Some(v @ Value::Object(_)) => vec![v],
                _ => continue,
            };
            for child in children {
                let mut child = child.clone();
                if let (Some(link), Value::Object(c)) = (link, &mut child) {
                    c.entry(link.to_string()).or_insert(id.clone());
                }
                self.add_object(child_table, &child);
            }
        }
        if let Some(attributes) = map.get("attributes").and_then(Value::as_array) {
            for a in attributes {
                let mut a = a.clone();
                if let Value::Object(m) = &mut a {
                    m.entry("link_id").or_insert(id.clone());
                }
                self.add_object("attributes.csv", &a);
            }
        }
        if let Some(metadata) = map.get("metadata").and_then(Value::as_array) {
            for m in metadata {
                self.add_object("metadata.csv", m);
            }
        }
        let mut row = map.clone();
        if kind == "service_at_location"
            && let Some(lid) = map.get("location").and_then(|l| l.get("id"))
        {
            row.entry("location_id").or_insert(lid.clone());
        }
        if kind == "attribute"
            && let Some(tid) = map.get("taxonomy_term").and_then(|t| t.get("id"))
        {
            row.entry("taxonomy_term_id").or_insert(tid.clone());
        }
        if kind == "service"
            && let Some(pid) = map.get("program").and_then(|p| p.get("id"))
        {
            row.entry("program_id").or_insert(pid.clone());
        }
        self.add(table, row);
    }

    /// Writes every table (also empty ones, with their header) and a `datapackage.json`.
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut resources = Vec::new();
        for (table, schema_name) in TABLES {
            let columns = columns(schema_name);
            let mut writer = csv::Writer::from_path(dir.join(table))?;
            writer.write_record(columns.iter().map(|(c, _)| c))?;
            if let Some((order, by_id)) = self.rows.get(table) {
                for id in order {
                    let row = &by_id[id];
                    writer.write_record(columns.iter().map(|(c, _)| match row.get(c) {
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Null) | None => String::new(),
                        Some(other) => other.to_string(),
                    }))?;
                }
            }
            writer.flush()?;
            resources.push(json!({
                "name": schema_name,
                "path": table,
                "profile": "tabular-data-resource",
                "schema": {
                    "fields": columns
                        .iter()
                        .map(|(name, kind)| json!({ "name": name, "type": kind }))
                        .collect::<Vec<_>>(),
                    "primaryKey": "id",
                },
            }));
        }
        let package = json!({
            "name": "wijkwijzer-hsds-export",
            "profile": "tabular-data-package",
            "resources": resources,
        });
        std::fs::write(
            dir.join("datapackage.json"),
            serde_json::to_string_pretty(&package)?,
        )?;
        Ok(())
    }
}
