//! Open Referral HSDS 3.0: our directory as HSDS JSON ([`render`]), HSDS feeds into our
//! directory ([`import`]) and the whole directory out again ([`export`]). The HTTP endpoints
//! live in `api::hsds`; this module knows nothing of HTTP.
//!
//! Lossless round trips work like this: our tables hold the fields we model; the HSDS document
//! each object was imported from is kept beside it (`hsds_source`), and rendering lays our
//! columns over that document. So fields we do not model (funding, programs, accessibility,
//! nested phones, …) come back as they arrived, and edits to the fields we do model win.
//! Fields HSDS has no place for travel as attributes of our own taxonomies ([`attributes`]),
//! so our own export is a whole backup: export → import into an empty database → export gives
//! the same files (`tests/round_trip.rs`).

pub mod attributes;
pub mod export;
mod feed_reader;
pub mod import;
pub mod render;
pub mod schemas;
pub mod tabular;
pub mod taxonomy_map;

use serde_json::Value;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// The HSDS version we speak.
pub const HSDS_VERSION: &str = "3.0";
/// The profile we follow: HSDS 3.0 with the UK profile's query parameters.
pub const HSDS_PROFILE: &str = "https://docs.openreferral.org/en/3.0/hsds/overview.html";

pub fn iso_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The taxonomy term an HSDS attribute points at (`taxonomy_term_id` or `taxonomy_term.id`).
pub fn attribute_term_id(attribute: &Value) -> Option<Uuid> {
    attribute
        .get("taxonomy_term_id")
        .and_then(Value::as_str)
        .or_else(|| attribute.get("taxonomy_term")?.get("id")?.as_str())
        .and_then(|s| Uuid::parse_str(s).ok())
}
