//! The list view of a service: what a result card and the search API show.
//!
//! Why it exists: a results page used to load its twenty services from the database after the
//! search, which cost ten times more than the search itself (see BENCHMARKS.md). The indexer
//! now builds a [`ServiceSummary`] from the same [`ServiceRecord`] it indexes and stores it with
//! the search document, so a list is served from the index alone. It is derived data like the
//! rest of the index: as current as the index cursor, rebuilt with it, and never the source of
//! truth — a service's own page still reads the database.
//!
//! It is stored in postcard's compact binary form ([`ServiceSummary::to_stored`]): decoding
//! JSON was ~5 % of a search request's CPU. Postcard is not self-describing, so changing the
//! serde shape of this type (or of the `Cost`, `Schedule` and `Placement` it embeds, including
//! field order) makes the summaries in existing indexes unreadable: bump
//! `search::schema::SCHEMA_VERSION` with it, so that every instance rebuilds its index at start.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{AccessRoute, Cost, Formality, Placement, Schedule, ServiceRecord, ServiceStatus};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceSummary {
    pub id: Uuid,
    pub name: String,
    pub organization_name: String,
    /// Left out of the stored form: the index keeps the description once (for snippets) and
    /// hands it back with each hit, where the catalog puts it in.
    #[serde(skip)]
    pub description: String,
    /// Category codes as stored on the service (not expanded to parents).
    pub categories: Vec<String>,
    pub target_groups: Vec<String>,
    pub access_route: AccessRoute,
    pub accepts_referrals: bool,
    pub welzijn_op_recept: bool,
    pub formality: Formality,
    pub cost: Cost,
    pub schedules: Vec<Schedule>,
    pub locations: Vec<LocationSummary>,
    /// CBS codes of the service areas that have one.
    pub service_area_codes: Vec<String>,
    /// ISO 639 codes of the languages it is offered in.
    pub languages: Vec<String>,
    /// The service's phone number, else its organisation's (for the printed handout).
    pub phone: Option<String>,
    /// When it was last checked: cards show it, and judge staleness against today.
    pub assured_date: Option<time::Date>,
    pub status: ServiceStatus,
    /// Why it is temporarily closed (the card's banner).
    pub status_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationSummary {
    pub id: Uuid,
    pub name: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub address_1: Option<String>,
    pub postal_code: Option<String>,
    pub placement: Placement,
}

impl ServiceSummary {
    /// The stored form (without the description, see the field).
    pub fn to_stored(&self) -> Result<Vec<u8>, postcard::Error> {
        postcard::to_stdvec(self)
    }

    /// Reads [`Self::to_stored`]'s output; the description is left empty. Bytes left over
    /// mean the summary was written in another shape, and are an error.
    pub fn from_stored(bytes: &[u8]) -> Result<Self, postcard::Error> {
        match postcard::take_from_bytes(bytes)? {
            (summary, []) => Ok(summary),
            _ => Err(postcard::Error::DeserializeBadEncoding),
        }
    }
}

impl From<&ServiceRecord> for ServiceSummary {
    fn from(record: &ServiceRecord) -> Self {
        let s = &record.service;
        Self {
            id: s.id,
            name: s.name.clone(),
            organization_name: record.organization.name.clone(),
            description: s.description.clone(),
            categories: s.categories.clone(),
            target_groups: s.target_groups.clone(),
            access_route: s.access_route,
            accepts_referrals: s.accepts_referrals,
            welzijn_op_recept: s.welzijn_op_recept,
            formality: s.formality,
            cost: s.cost.clone(),
            schedules: s.schedules.clone(),
            locations: record
                .locations
                .iter()
                .map(|l| LocationSummary {
                    id: l.id,
                    name: l.name.clone(),
                    latitude: l.latitude,
                    longitude: l.longitude,
                    address_1: l.address.as_ref().map(|a| a.address_1.clone()),
                    postal_code: l.address.as_ref().map(|a| a.postal_code.clone()),
                    placement: l.placement.clone(),
                })
                .collect(),
            service_area_codes: s
                .service_areas
                .iter()
                .filter_map(|a| a.code.clone())
                .collect(),
            languages: s.languages.clone(),
            phone: s
                .phone
                .clone()
                .or_else(|| record.organization.phone.clone()),
            assured_date: s.assured_date,
            status: s.status,
            status_reason: s.status_reason.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CostKind;

    /// Every kind of value the stored form must carry: options both set and unset, empty and
    /// non-ASCII strings, several locations. The description is not stored.
    #[test]
    fn the_stored_form_round_trips_without_the_description() {
        let summary = ServiceSummary {
            id: Uuid::from_u128(7),
            name: "Taalcafé Overvecht – ‘Samen praten’".to_string(),
            organization_name: String::new(),
            description: "niet bewaard".to_string(),
            categories: vec!["taal".to_string(), "ontmoeting/huiskamer".to_string()],
            target_groups: Vec::new(),
            access_route: AccessRoute::Open,
            accepts_referrals: true,
            welzijn_op_recept: false,
            formality: Formality::Informal,
            cost: Cost {
                kind: CostKind::Contribution,
                amount: Some(2.5),
                description: None,
            },
            schedules: vec![Schedule {
                id: None,
                freq: Some("WEEKLY".to_string()),
                byday: Some("TU,TH".to_string()),
                opens_at: Some("10:00".to_string()),
                closes_at: Some("12:00".to_string()),
                description: None,
                closed_on_holidays: false,
            }],
            locations: vec![
                LocationSummary {
                    id: Uuid::from_u128(8),
                    name: Some("Buurthuis De Boog".to_string()),
                    latitude: Some(52.1165),
                    longitude: Some(5.1106),
                    address_1: Some("Boogstraat 1".to_string()),
                    postal_code: Some("3562 AB".to_string()),
                    placement: Placement {
                        gemeente: Some("GM0344".to_string()),
                        wijk: Some("WK034403".to_string()),
                        buurt: None,
                    },
                },
                LocationSummary {
                    id: Uuid::from_u128(9),
                    name: None,
                    latitude: None,
                    longitude: None,
                    address_1: None,
                    postal_code: None,
                    placement: Placement::default(),
                },
            ],
            service_area_codes: vec!["GM0344".to_string()],
            languages: vec!["ar".to_string(), "nl".to_string()],
            phone: Some("030-123 45 67".to_string()),
            assured_date: Some(time::macros::date!(2026 - 03 - 03)),
            status: ServiceStatus::TemporarilyClosed,
            status_reason: Some("Verbouwing tot 1 april".to_string()),
        };
        let stored = summary.to_stored().expect("serialisable");
        assert!(!stored.is_empty());
        let read = ServiceSummary::from_stored(&stored).expect("readable");
        assert_eq!(read.description, "");
        assert_eq!(
            read,
            ServiceSummary {
                description: String::new(),
                ..summary
            }
        );
        assert!(ServiceSummary::from_stored(&stored[..stored.len() / 2]).is_err());
        let mut longer = stored.clone();
        longer.push(0);
        assert!(ServiceSummary::from_stored(&longer).is_err());
    }
}
