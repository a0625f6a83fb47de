//! Plain domain types of the directory and their validation.
//!
//! Nothing here knows about HTTP, SQL or the search index: values are parsed and checked at the
//! boundary (demo data, forms, imports) and trusted afterwards.

pub mod calendar;
pub mod change;
pub mod enums;
pub mod freshness;
pub mod holidays;
pub mod languages;
pub mod referral;
pub mod service;
pub mod summary;
pub mod suppression;
pub mod vocabulary;

pub use calendar::{CalendarEvent, EventKind, Occurrence, Origin};
pub use change::{FieldChange, diff_locations, diff_services};
pub use enums::*;
pub use freshness::Freshness;
pub use languages::{language_label, language_name, parse_language};
pub use service::*;
pub use summary::{LocationSummary, ServiceSummary};
pub use vocabulary::{Term, Vocabulary};

/// A validation problem with the field it concerns, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

impl Invalid {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}
