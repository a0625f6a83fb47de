//! Demo data: the shipped Utrecht and Hart van Brabant datasets (`demo/utrecht-demo.json`,
//! `demo/hart-van-brabant-demo.json`), one of which is loaded into an empty database on first
//! start (chosen by the region), and a generator of any number of realistic services for
//! benchmarks.

use serde::Deserialize;

use crate::catalog::Catalog;
use crate::config::DemoSet;
use crate::domain::{Location, Organization, Service};

pub mod synthetic;

pub const DEMO_JSON: &str = include_str!("../../demo/utrecht-demo.json");
/// The day both demo generators (`demo/generate*.py`, `TODAY`) date the listings' last checks
/// from. At load the dates move forward by the days since then (see [`DemoFile::load`]).
pub const DEMO_REFERENCE_DATE: time::Date = time::macros::date!(2026 - 11 - 23);

pub const HART_VAN_BRABANT_DEMO_JSON: &str = include_str!("../../demo/hart-van-brabant-demo.json");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoFile {
    pub format: String,
    #[serde(default)]
    pub description: String,
    pub organizations: Vec<Organization>,
    pub locations: Vec<Location>,
    pub services: Vec<Service>,
}

impl DemoFile {
    /// The Utrecht demo data.
    pub fn embedded() -> anyhow::Result<Self> {
        Self::embedded_for(DemoSet::Utrecht)
    }

    /// The demo data set of a region (see [`crate::config::Region::demo_set`]).
    pub fn embedded_for(set: DemoSet) -> anyhow::Result<Self> {
        let text = match set {
            DemoSet::Utrecht => DEMO_JSON,
            DemoSet::HartVanBrabant => HART_VAN_BRABANT_DEMO_JSON,
        };
        let file: DemoFile = serde_json::from_str(text)?;
        anyhow::ensure!(
            file.format == "wijkwijzer-demo/1",
            "unknown demo format {}",
            file.format
        );
        Ok(file)
    }

    /// Writes everything through the catalogue, so neighbourhoods are assigned and the change
    /// log is written exactly as for any other write.
    ///
    /// Every `assured_date` moves forward by the days between [`DEMO_REFERENCE_DATE`] and
    /// today: the demo then has the same mix of fresh and stale listings on any day (about a
    /// third older than the default 180 days), instead of going stale as the calendar runs —
    /// and tests that rank demo listings do not change with the date they run on.
    pub async fn load(&self, catalog: &Catalog) -> anyhow::Result<()> {
        self.load_on(catalog, crate::domain::freshness::today())
            .await
    }

    /// [`Self::load`] as if today were `today`.
    pub async fn load_on(&self, catalog: &Catalog, today: time::Date) -> anyhow::Result<()> {
        let shift = today - DEMO_REFERENCE_DATE;
        for org in &self.organizations {
            catalog.save_organization(org).await?;
        }
        for loc in &self.locations {
            catalog.save_location(loc).await?;
        }
        for service in &self.services {
            let mut service = service.clone();
            service.assured_date = service
                .assured_date
                .map(|d| d.checked_add(shift).unwrap_or(d));
            catalog.save_service(&service).await.map_err(|e| {
                anyhow::anyhow!("demo service {} ({}): {e}", service.name, service.id)
            })?;
        }
        Ok(())
    }
}
