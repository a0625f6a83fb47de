//! The HSDS 3.0 JSON schemas, shipped in the binary (`assets/hsds/schema`, CC BY-SA 4.0), and
//! validators built from them. The per-object schemas refer to each other by file name
//! (`"$ref": "phone.json"`); we give each root the specification's own URL as `$id` and
//! answer every lookup below that URL from the embedded files, so nothing is fetched.

use std::sync::{Arc, OnceLock};

use jsonschema::{Retrieve, Uri, Validator};
use serde_json::Value;

/// Where the specification publishes its schemas; the `$ref`s resolve against this.
pub const SCHEMA_BASE: &str =
    "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/";

macro_rules! schema_files {
    ($($name:literal),* $(,)?) => {
        const FILES: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../../assets/hsds/schema/", $name)))),*
        ];
    };
}

schema_files!(
    "accessibility.json",
    "address.json",
    "attribute.json",
    "contact.json",
    "cost_option.json",
    "funding.json",
    "language.json",
    "location.json",
    "meta_table_description.json",
    "metadata.json",
    "organization.json",
    "organization_identifier.json",
    "phone.json",
    "program.json",
    "required_document.json",
    "schedule.json",
    "service.json",
    "service_area.json",
    "service_at_location.json",
    "taxonomy.json",
    "taxonomy_term.json",
);

/// The raw schema of one object, e.g. `schema("service")`.
pub fn schema(name: &str) -> Option<Value> {
    let file = format!("{name}.json");
    FILES
        .iter()
        .find(|(f, _)| *f == file)
        .and_then(|(_, text)| serde_json::from_str(text).ok())
}

struct Embedded;

impl Retrieve for Embedded {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let uri = uri.as_str();
        let name = uri.rsplit('/').next().unwrap_or(uri);
        FILES
            .iter()
            .find(|(f, _)| *f == name)
            .map(|(_, text)| serde_json::from_str(text))
            .transpose()?
            .ok_or_else(|| format!("no embedded HSDS schema for {uri}").into())
    }
}

/// A validator for one HSDS object type, with its references resolved from the embedded files.
pub fn validator(name: &str) -> anyhow::Result<Validator> {
    let mut root = schema(name).ok_or_else(|| anyhow::anyhow!("no HSDS schema called {name:?}"))?;
    if let Value::Object(map) = &mut root {
        map.insert(
            "$id".into(),
            Value::String(format!("{SCHEMA_BASE}{name}.json")),
        );
    }
    Ok(jsonschema::options()
        .with_retriever(Embedded)
        .build(&root)?)
}

/// Validators for the objects an import accepts, built once.
pub struct Validators {
    pub service: Validator,
    pub organization: Validator,
    pub taxonomy: Validator,
    pub taxonomy_term: Validator,
}

pub fn validators() -> anyhow::Result<Arc<Validators>> {
    static CELL: OnceLock<Arc<Validators>> = OnceLock::new();
    if let Some(v) = CELL.get() {
        return Ok(v.clone());
    }
    let built = Arc::new(Validators {
        service: validator("service")?,
        organization: validator("organization")?,
        taxonomy: validator("taxonomy")?,
        taxonomy_term: validator("taxonomy_term")?,
    });
    Ok(CELL.get_or_init(|| built).clone())
}

/// Schema problems of `value`, each as (JSON path, message), at most `limit` of them.
pub fn problems(validator: &Validator, value: &Value, limit: usize) -> Vec<(String, String)> {
    validator
        .iter_errors(value)
        .take(limit)
        .map(|e| {
            let path = e.instance_path().to_string();
            (
                if path.is_empty() { "/".into() } else { path },
                e.to_string(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_schema_parses_and_the_spec_example_validates() {
        for (name, text) in FILES {
            serde_json::from_str::<Value>(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let v = validators().unwrap();
        let example: Value =
            serde_json::from_str(include_str!("../../assets/hsds/examples/service_full.json"))
                .unwrap();
        assert!(problems(&v.service, &example, 10).is_empty());
    }

    #[test]
    fn nested_problems_are_reported_with_their_path() {
        let v = validators().unwrap();
        let bad = serde_json::json!({
            "id": "ac148810-d857-441c-9679-408f346de14b",
            "name": "x",
            "status": "active",
            "minimum_age": "twelve",
            "phones": [{"id": "1554f2e2-a373-45db-a3fa-9fc48a61c15e"}]
        });
        let found = problems(&v.service, &bad, 10);
        assert!(found.iter().any(|(p, _)| p == "/minimum_age"), "{found:?}");
        // A phone needs a number: the $ref to phone.json was followed.
        assert!(found.iter().any(|(p, _)| p == "/phones/0"), "{found:?}");
    }
}
