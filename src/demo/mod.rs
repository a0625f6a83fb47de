//! Demo data: the shipped Utrecht and Hart van Brabant datasets (`demo/utrecht-demo.json`,
//! `demo/hart-van-brabant-demo.json`), one of which is loaded into an empty database on first
//! start (chosen by the region), and a generator of any number of realistic services for
//! benchmarks.

use serde::Deserialize;

use crate::auth::Actor;
use crate::catalog::Catalog;
use crate::config::DemoSet;
use crate::domain::calendar::{self as cal, Origin};
use crate::domain::{CalendarEvent, EventKind, GroupFormat, Location, Organization, Service};

pub mod synthetic;

pub const DEMO_JSON: &str = include_str!("../../demo/utrecht-demo.json");
/// The day both demo generators (`demo/generate*.py`, `TODAY`) date the listings' last checks
/// from. At load the dates move forward by the days since then (see [`DemoFile::load`]).
pub const DEMO_REFERENCE_DATE: time::Date = time::macros::date!(2026 - 11 - 23);

/// The category of the services that do the Welzijn op Recept intake.
pub const INTAKE_CATEGORY: &str = "welzijn-op-recept/welzijnscoach";

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
        self.configure_intakes(catalog).await?;
        for event in self.calendar(cal::today_local()) {
            catalog
                .record_event(&Actor::System, event)
                .await
                .map_err(|e| anyhow::anyhow!("demo calendar entry: {e}"))?;
        }
        Ok(())
    }

    /// The Welzijn op Recept intake points of the demo (issue 14): each intake service (category
    /// [`INTAKE_CATEGORY`], taking referrals) becomes the intake of the wijken and gemeenten of
    /// its `service_areas`; when two serve one area the first in the file wins, and an area that
    /// already has an intake keeps it. Whether a postcode then finds it depends, as for any
    /// intake, on someone working the organisation's inbox.
    async fn configure_intakes(&self, catalog: &Catalog) -> anyhow::Result<()> {
        let mut taken: std::collections::BTreeSet<String> = catalog
            .store
            .referral_intakes()
            .await?
            .into_iter()
            .map(|intake| intake.area_code)
            .collect();
        for service in &self.services {
            if !service.accepts_referrals
                || !service.categories.iter().any(|c| c == INTAKE_CATEGORY)
            {
                continue;
            }
            for code in service
                .service_areas
                .iter()
                .filter_map(|a| a.code.as_deref())
            {
                if catalog.geo.get(code).is_some() && taken.insert(code.to_string()) {
                    catalog
                        .store
                        .set_referral_intake(code, service.id, None)
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// A handful of one-off activities and exceptions for the activity calendar, dated from
    /// `today` so that the agenda shows them in the week the demo is loaded and the next.
    ///
    /// They are computed when the demo is loaded (into an empty database, once): a demo that
    /// runs for weeks keeps its weekly activities in the agenda, but these dated entries then
    /// lie in the past. That is what a real calendar does too; reloading the demo (a fresh
    /// data directory) dates them anew. Spread over the first group activities with weekly
    /// times in the file, so every demo set gets some; ids are derived, so a second load
    /// writes nothing twice.
    pub fn calendar(&self, today: time::Date) -> Vec<CalendarEvent> {
        let weekly: Vec<&Service> = self
            .services
            .iter()
            .filter(|s| s.group_format != GroupFormat::Individual)
            .filter(|s| s.schedules.iter().any(cal::is_dated))
            .collect();
        let horizon = today + time::Duration::days(13);
        // The regular sessions of a service in the coming two weeks (its schedules get their
        // ids as when stored, so that an exception can name one).
        let sessions = |service: &Service| {
            let mut service = service.clone();
            service.fill_child_ids();
            cal::expand(service.id, &service.schedules, &[], today, horizon)
                .into_iter()
                .filter(|o| o.origin == Origin::Regular && o.starts_at.is_some())
                .collect::<Vec<_>>()
        };
        let entry = |service: &Service, n: u8, kind: EventKind, date: time::Date| CalendarEvent {
            id: uuid::Uuid::new_v5(&service.id, format!("demo-event:{n}:{date}").as_bytes()),
            service_id: service.id,
            kind,
            date,
            starts_at: None,
            ends_at: None,
            target_id: None,
            title: None,
            location: None,
            note: None,
        };
        let at = |hour: u8| time::Time::from_hms(hour, 0, 0).ok();
        let mut out = Vec::new();
        // Each picks its own service (every other one, spreading them over the area).
        let mut picks = weekly.iter().step_by(2);
        if let Some(service) = picks.next()
            && let Some(first) = sessions(service).into_iter().next()
        {
            out.push(CalendarEvent {
                target_id: Some(first.source_id),
                note: Some("De vrijwilligers zijn op cursus.".into()),
                ..entry(service, 1, EventKind::Cancelled, first.date)
            });
        }
        if let Some(service) = picks.next()
            && let Some(second) = sessions(service).into_iter().nth(1)
        {
            out.push(CalendarEvent {
                target_id: Some(second.source_id),
                starts_at: at(13),
                ends_at: at(15),
                note: Some("Deze keer 's middags.".into()),
                ..entry(service, 2, EventKind::Changed, second.date)
            });
        }
        if let Some(service) = picks.next() {
            let saturday = cal::week_start(today) + time::Duration::days(5);
            let day = if saturday >= today { saturday } else { today };
            out.push(CalendarEvent {
                starts_at: at(19),
                ends_at: at(21),
                note: Some("Extra avond vanwege de drukte.".into()),
                ..entry(service, 3, EventKind::Extra, day)
            });
        }
        if let Some(service) = picks.next() {
            out.push(CalendarEvent {
                title: Some("Open middag met koffie en taart".into()),
                starts_at: at(14),
                ends_at: at(16),
                note: Some("Kom kennismaken, iedereen is welkom.".into()),
                ..entry(
                    service,
                    4,
                    EventKind::Activity,
                    today + time::Duration::days(2),
                )
            });
        }
        if let Some(service) = picks.next() {
            out.push(CalendarEvent {
                title: Some("Buurtwandeling met gids".into()),
                starts_at: at(10),
                ends_at: at(12),
                location: Some("Start bij het buurthuis".into()),
                ..entry(
                    service,
                    5,
                    EventKind::Activity,
                    today + time::Duration::days(8),
                )
            });
        }
        out
    }
}
