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
    pub async fn load(&self, catalog: &Catalog) -> anyhow::Result<()> {
        for org in &self.organizations {
            catalog.save_organization(org).await?;
        }
        for loc in &self.locations {
            catalog.save_location(loc).await?;
        }
        for service in &self.services {
            catalog.save_service(service).await.map_err(|e| {
                anyhow::anyhow!("demo service {} ({}): {e}", service.name, service.id)
            })?;
        }
        Ok(())
    }
}
