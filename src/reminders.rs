//! Listings not checked for a long time (issue 13, part 6): the moderators' list of them, and
//! the reminder mails to their organisations' editors, sent by a background job of the app
//! (`--reminder-interval`) or by `wijkwijzer reminders send`.
//!
//! At most one reminder per listing per stale period, and one instance sends it even when
//! several share one PostgreSQL database: before mailing, an instance inserts a claim
//! (service, period) with `on conflict do nothing` and mails only the listings whose insert it
//! won (`Store::claim_reminder`). The period is named by the listing's last check, so a
//! listing confirmed ("klopt nog") and stale again later gets a new reminder.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::auth::{Action, Actor, Denied, authorize};
use crate::catalog::Catalog;
use crate::mail::{Mail, Mailer};
use crate::store::StaleService;

/// How many stale listings the moderators' list shows, and one reminder run handles.
const SHOWN: i64 = 500;
const PER_RUN: i64 = 10_000;

/// One line of the moderators' list.
#[derive(Debug, Clone)]
pub struct StaleLine {
    pub service: StaleService,
    /// When the reminder about this stale period went out, if it did.
    pub reminded: Option<OffsetDateTime>,
}

/// What one reminder run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReminderRun {
    pub mails: usize,
    pub listings: usize,
}

/// The stale period a listing is in, named by its last check (`nooit`: never checked).
pub fn period(assured: Option<Date>) -> String {
    assured.map_or_else(|| "nooit".to_string(), |d| d.to_string())
}

/// The stale-listing use cases; cheap to clone.
#[derive(Clone)]
pub struct Reminders {
    catalog: Catalog,
    mailer: Arc<Mailer>,
    public_url: String,
}

impl Reminders {
    pub fn new(catalog: Catalog, mailer: Arc<Mailer>, public_url: String) -> Self {
        Self {
            catalog,
            mailer,
            public_url,
        }
    }

    /// The stale listings `actor` moderates (instance moderators and administrators: all;
    /// a gemeente's moderator: that gemeente's), never checked first, then oldest check first.
    pub async fn stale_list(
        &self,
        actor: &Actor,
        today: Date,
    ) -> Result<Vec<StaleLine>, StaleListError> {
        let services = match authorize(actor, &Action::ModerateArea(None)) {
            Ok(()) => self.catalog.stale_services(None, today, SHOWN).await?,
            Err(Denied::NotSignedIn) => return Err(Denied::NotSignedIn.into()),
            Err(Denied::Forbidden) => {
                // The gemeenten this actor moderates, asked of the policy one by one.
                let areas: Vec<String> = self
                    .catalog
                    .geo
                    .gemeenten()
                    .into_iter()
                    .map(|g| g.code.clone())
                    .filter(|code| {
                        authorize(actor, &Action::ModerateArea(Some(code.clone()))).is_ok()
                    })
                    .collect();
                if areas.is_empty() {
                    return Err(Denied::Forbidden.into());
                }
                let mut seen = BTreeSet::new();
                let mut all = Vec::new();
                for code in &areas {
                    for s in self
                        .catalog
                        .stale_services(Some(code.as_str()), today, SHOWN)
                        .await?
                    {
                        if seen.insert(s.id) {
                            all.push(s);
                        }
                    }
                }
                // The store's order: never checked first, then the oldest check, then name.
                all.sort_by(|a, b| {
                    (a.assured_date.is_some(), a.assured_date, &a.name, a.id).cmp(&(
                        b.assured_date.is_some(),
                        b.assured_date,
                        &b.name,
                        b.id,
                    ))
                });
                all.truncate(SHOWN as usize);
                all
            }
        };
        let ids: Vec<Uuid> = services.iter().map(|s| s.id).collect();
        let sent: HashMap<(Uuid, String), OffsetDateTime> = self
            .catalog
            .store
            .reminders_sent(&ids)
            .await?
            .into_iter()
            .map(|(id, period, at)| ((id, period), at))
            .collect();
        Ok(services
            .into_iter()
            .map(|service| StaleLine {
                reminded: sent
                    .get(&(service.id, period(service.assured_date)))
                    .copied(),
                service,
            })
            .collect())
    }

    /// Mails the editors of every organisation with stale listings not yet reminded in this
    /// stale period: one mail per editor with a link to each listing (its page has the "Klopt
    /// nog" button). Organisations without editors are skipped (and not claimed, so that an
    /// editor who comes later is reminded). Safe to run on several instances at once.
    pub async fn send_due(&self, today: Date) -> anyhow::Result<ReminderRun> {
        let store = &self.catalog.store;
        let mut by_org: BTreeMap<Uuid, Vec<StaleService>> = BTreeMap::new();
        for s in self.catalog.stale_services(None, today, PER_RUN).await? {
            by_org.entry(s.organization_id).or_default().push(s);
        }
        let mut run = ReminderRun::default();
        for (organization, services) in by_org {
            let editors = store.editor_emails(organization).await?;
            if editors.is_empty() {
                continue;
            }
            let mut claimed = Vec::new();
            for s in services {
                if store.claim_reminder(s.id, &period(s.assured_date)).await? {
                    claimed.push(s);
                }
            }
            if claimed.is_empty() {
                continue;
            }
            let lines: String = claimed
                .iter()
                .map(|s| format!("- {}: {}/aanbod/{}\n", s.name, self.public_url, s.id))
                .collect();
            let mut delivered = 0;
            for to in editors {
                let mail = Mail {
                    to,
                    subject: "Kloppen uw gegevens in Wijkwijzer nog?".into(),
                    body: format!(
                        "Hallo,\n\nDit aanbod van {} is al lang niet gecontroleerd. Bezoekers \
                         zien nu “Mogelijk verouderd”. Kijk of alles nog klopt: open de link, \
                         log in en klik op “Klopt nog”, of pas aan wat niet meer klopt.\n\n\
                         {lines}\nWijkwijzer\n",
                        claimed[0].organization_name
                    ),
                };
                match self.mailer.send(mail).await {
                    Ok(()) => delivered += 1,
                    Err(err) => tracing::warn!(%organization, error = %err, "reminder mail failed"),
                }
            }
            if delivered == 0 {
                // Nobody got it: give the claims back, so that a later run tries again.
                for s in &claimed {
                    store
                        .release_reminder(s.id, &period(s.assured_date))
                        .await?;
                }
                continue;
            }
            run.mails += delivered;
            run.listings += claimed.len();
        }
        Ok(run)
    }

    /// Runs [`Self::send_due`] every `interval` until `stop` resolves (the app's background
    /// job; the first run right at the start).
    pub async fn run_every(
        self,
        interval: std::time::Duration,
        stop: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(stop);
        loop {
            match self.send_due(crate::domain::freshness::today()).await {
                Ok(run) if run.listings > 0 => {
                    tracing::info!(mails = run.mails, listings = run.listings, "reminders sent")
                }
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "could not send reminders"),
            }
            tokio::select! {
                _ = &mut stop => break,
                _ = tokio::time::sleep(interval) => {}
            }
        }
    }
}

/// Why the stale list could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum StaleListError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<crate::store::StoreError> for StaleListError {
    fn from(err: crate::store::StoreError) -> Self {
        Self::Internal(err.into())
    }
}
