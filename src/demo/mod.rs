//! Demo data: the shipped Utrecht dataset (`demo/utrecht-demo.json`), loaded into an empty
//! database on first start, and a generator of any number of realistic services for benchmarks.

use serde::Deserialize;

use crate::catalog::Catalog;
use crate::domain::{Location, Organization, Service};

pub mod synthetic;

pub const DEMO_JSON: &str = include_str!("../../demo/utrecht-demo.json");

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
    pub fn embedded() -> anyhow::Result<Self> {
        let file: DemoFile = serde_json::from_str(DEMO_JSON)?;
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
