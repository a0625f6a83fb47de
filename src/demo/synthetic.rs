//! Generates any number of realistic services for benchmarks: the shipped demo services are
//! the templates, placed at random points inside random wijken of the province of Utrecht,
//! each with its own organisation every few services. Deterministic for a given seed.

use uuid::Uuid;

use super::DemoFile;
use crate::catalog::Catalog;
use crate::domain::vocabulary::namespace;
use crate::domain::{Location, Organization, ServiceArea};
use crate::geo::{Geography, Level, XorShift64};

const SERVICES_PER_ORGANIZATION: usize = 5;

/// The wijken benchmark services are spread over: those of the province of Utrecht (the
/// geography covers the whole country now; the benchmarks in BENCHMARKS.md were measured on
/// the province, and `benches/search.rs` draws from the same list).
pub fn benchmark_wijken(geo: &Geography) -> Vec<&str> {
    let province = crate::config::Region::utrecht();
    geo.all()
        .filter(|n| n.level == Level::Wijk)
        .filter(|n| n.parent.as_deref().is_some_and(|g| province.contains(g)))
        .map(|n| n.code.as_str())
        .collect()
}

pub async fn generate(catalog: &Catalog, count: usize, seed: u64) -> anyhow::Result<()> {
    let demo = DemoFile::embedded()?;
    let geo = &catalog.geo;
    let wijken: Vec<String> = benchmark_wijken(geo)
        .into_iter()
        .map(str::to_string)
        .collect();
    let ns = namespace();
    let mut rng = XorShift64::new(seed);
    let mut organization = None;
    for i in 0..count {
        let key = |kind: &str| Uuid::new_v5(&ns, format!("synthetic:{seed}:{kind}:{i}").as_bytes());
        if i % SERVICES_PER_ORGANIZATION == 0 {
            let template = &demo.organizations[rng.below(demo.organizations.len())];
            let org = Organization {
                id: key("organization"),
                name: format!("{} {}", template.name, i / SERVICES_PER_ORGANIZATION + 1),
                ..template.clone()
            };
            catalog.save_organization(&org).await?;
            organization = Some(org.id);
        }
        let Some(organization_id) = organization else {
            continue;
        };
        let template = &demo.services[rng.below(demo.services.len())];
        let wijk = &wijken[rng.below(wijken.len())];
        let mut service = template.clone();
        service.id = key("service");
        service.organization_id = organization_id;
        for s in &mut service.schedules {
            s.id = None;
        }
        for c in &mut service.contacts {
            c.id = None;
        }
        if template.location_ids.is_empty() {
            service.location_ids.clear();
            service.service_areas = vec![ServiceArea {
                code: Some(wijk.clone()),
                ..Default::default()
            }];
        } else {
            let (latitude, longitude) = geo
                .random_point_in(wijk, rng.next_u64())
                .ok_or_else(|| anyhow::anyhow!("no point found in {wijk}"))?;
            let location = Location {
                id: key("location"),
                organization_id: Some(organization_id),
                name: Some(format!("Locatie {}", i + 1)),
                description: None,
                latitude: Some(latitude),
                longitude: Some(longitude),
                address: None,
                wheelchair_accessible: Some(rng.below(3) > 0),
                transportation: None,
                placement: Default::default(),
            };
            catalog.save_location(&location).await?;
            service.location_ids = vec![location.id];
            service.service_areas.clear();
        }
        catalog.save_service(&service).await?;
        if (i + 1) % 10_000 == 0 {
            tracing::info!(done = i + 1, of = count, "generating services");
        }
    }
    Ok(())
}
