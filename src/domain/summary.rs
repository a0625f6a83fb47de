//! The list view of a service: what a result card and the search API show.
//!
//! Why it exists: a results page used to load its twenty services from the database after the
//! search, which cost ten times more than the search itself (see BENCHMARKS.md). The indexer
//! now builds a [`ServiceSummary`] from the same [`ServiceRecord`] it indexes and stores it with
//! the search document, so a list is served from the index alone. It is derived data like the
//! rest of the index: as current as the index cursor, rebuilt with it, and never the source of
//! truth — a service's own page still reads the database.
//!
//! Changing the serde shape of this type (or of the `Cost` and `Schedule` it embeds) makes the
//! summaries in existing indexes unreadable: bump `search::schema::SCHEMA_VERSION` with it, so
//! that every instance rebuilds its index at start.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{AccessRoute, Cost, Formality, Placement, Schedule, ServiceRecord};

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
        }
    }
}
