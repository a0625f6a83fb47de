//! What the edit pages need besides the editing use cases of [`crate::listings`] (issue 13,
//! part 3): an organisation's listings for its editors, a location to start an edit from, and
//! placing a typed address on the map. Authorisation goes through the same
//! [`Catalog::may_edit_organisation`] as every other change to a listing.

use uuid::Uuid;

use crate::auth::Actor;
use crate::catalog::{Catalog, ListingChangeError};
use crate::domain::{Location, Service};
use crate::geo::Geography;

/// An organisation as its editors see it: what it offers and where.
#[derive(Debug, Clone)]
pub struct OrganisationListings {
    pub id: Uuid,
    pub name: String,
    /// Sorted by name.
    pub services: Vec<Service>,
    /// Sorted by name.
    pub locations: Vec<Location>,
}

impl Catalog {
    /// The organisation's services and locations, for those who may edit them; `None` when
    /// there is no such organisation (asked before the policy, so that an unknown id is a 404
    /// for everyone).
    pub async fn organisation_listings(
        &self,
        actor: &Actor,
        organization: Uuid,
    ) -> Result<Option<OrganisationListings>, ListingChangeError> {
        let store = &self.store;
        let Some(name) = store
            .organization_name(organization)
            .await
            .map_err(anyhow::Error::from)?
        else {
            return Ok(None);
        };
        self.may_edit_organisation(actor, organization)
            .await?
            .map_err(ListingChangeError::Denied)?;
        let of = |mut map: std::collections::HashMap<Uuid, Vec<Uuid>>| {
            map.remove(&organization).unwrap_or_default()
        };
        let service_ids = of(store
            .service_ids_of_organizations(&[organization])
            .await
            .map_err(anyhow::Error::from)?);
        let location_ids = of(store
            .location_ids_of_organizations(&[organization])
            .await
            .map_err(anyhow::Error::from)?);
        let mut services: Vec<Service> = store
            .load_services(&service_ids)
            .await
            .map_err(anyhow::Error::from)?
            .into_iter()
            .map(|r| r.service)
            .collect();
        services.sort_by_cached_key(|s| s.name.to_lowercase());
        let mut locations = store
            .load_locations(&location_ids)
            .await
            .map_err(anyhow::Error::from)?;
        locations.sort_by_cached_key(|l| l.name.clone().unwrap_or_default().to_lowercase());
        Ok(Some(OrganisationListings {
            id: organization,
            name,
            services,
            locations,
        }))
    }
}

/// Why a typed address could not be put on the map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unplaceable {
    /// Not a postcode, or one we do not know.
    UnknownPostcode(String),
    /// A real postcode, but not in one of the region's gemeenten.
    OutsideRegion,
}

/// The point of a location: the one the editor gave (it wins: a PC4 centroid can be a few
/// hundred metres off, or in the wrong wijk), else the centre of the postcode's PC4 area,
/// which must lie in the region.
pub fn place_location(
    geo: &Geography,
    region: &crate::config::Region,
    postcode: &str,
    given: Option<(f64, f64)>,
) -> Result<(f64, f64), Unplaceable> {
    if let Some(point) = given {
        return Ok(point);
    }
    let found = geo
        .postcode(postcode)
        .map_err(|e| Unplaceable::UnknownPostcode(e.to_string()))?;
    match found.placement.gemeente.as_deref() {
        Some(gemeente) if region.contains(gemeente) => Ok((found.latitude, found.longitude)),
        _ => Err(Unplaceable::OutsideRegion),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_point_wins_and_postcodes_outside_the_region_are_refused() {
        let geo = Geography::load_embedded().unwrap();
        let region = crate::config::Region::utrecht();
        let (lat, lon) = place_location(&geo, &region, "3562 AB", None).unwrap();
        assert!(geo.locate(lat, lon).gemeente.as_deref() == Some("GM0344"));
        assert_eq!(
            place_location(&geo, &region, "9999", Some((52.1, 5.1))),
            Ok((52.1, 5.1))
        );
        // Groningen.
        assert_eq!(
            place_location(&geo, &region, "9712", None),
            Err(Unplaceable::OutsideRegion)
        );
        assert!(matches!(
            place_location(&geo, &region, "hallo", None),
            Err(Unplaceable::UnknownPostcode(_))
        ));
    }
}
