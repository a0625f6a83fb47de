//! Startup and the router: [`App::build`] prepares everything and binds the port (tests bind
//! port 0 and read [`App::port`]); [`App::run`] serves until the shutdown future resolves.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::FromRef;
use axum::http::{HeaderValue, header};
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::demo::DemoFile;
use crate::domain::Vocabulary;
use crate::geo::Geography;
use crate::indexer::Indexer;
use crate::search::{IndexState, SearchIndex};
use crate::store::{NeighbourhoodRow, Store};

/// How long change-log rows are kept. An instance whose index is older than that rebuilds.
const CHANGE_LOG_RETENTION: time::Duration = time::Duration::days(7);

/// Everything a handler may need; cheap to clone.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub catalog: Catalog,
    pub config: Arc<Config>,
    pub accounts: crate::accounts::Accounts,
    pub csrf: crate::web::session::CsrfKey,
    pub cookies: crate::web::session::CookiePolicy,
    pub reports: crate::reports::Reports,
    pub reminders: crate::reminders::Reminders,
    pub referrals: crate::referrals::Referrals,
    pub needs: crate::needs::Needs,
}

pub struct App {
    listener: TcpListener,
    state: AppState,
}

/// Opens the database and the index, loads reference data (and the demo data into an empty
/// database when enabled: by default only the embedded SQLite one) and brings the index up to
/// date. Shared by `serve` and the
/// maintenance commands.
pub async fn prepare(config: &Config) -> anyhow::Result<Catalog> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating data directory {}", config.data_dir.display()))?;
    let store = Store::connect(config.database_url.as_deref(), &config.data_dir)
        .await
        .context("opening the database")?;
    let geo = Arc::new(load_geography(&store).await?);
    let region = config.region.clone().resolve(&geo)?;
    let vocabulary = Arc::new(Vocabulary::embedded().context("loading the vocabulary")?);
    // Neither writes when the database already holds this version (no wait for the write
    // lock a long import holds); what they change reaches the index through its reference
    // fingerprint (`Indexer::prepare` rebuilds an index built with other reference data).
    if store.sync_vocabulary(&vocabulary).await? {
        tracing::info!("vocabulary written to the database");
    }
    sync_neighbourhoods(&store, &geo).await?;

    let (search, state) =
        SearchIndex::open_or_create(&config.index_dir()).context("opening the search index")?;
    let needs_rebuild = !matches!(state, IndexState::Current { .. });
    let indexer = Indexer::new(
        store.clone(),
        search.clone(),
        geo.clone(),
        vocabulary.clone(),
    );
    let mut catalog = Catalog::new(store, search, geo, vocabulary, indexer);
    catalog.freshness = crate::domain::Freshness::new(config.stale_after_days);

    if config.loads_demo_data(catalog.store.backend()) && catalog.store.service_count().await? == 0
    {
        let demo = region.demo_set();
        tracing::info!(?demo, "empty database: loading the demo data");
        DemoFile::embedded_for(demo)?
            .load(&catalog)
            .await
            .context("loading demo data")?;
    }
    catalog.indexer.prepare(needs_rebuild).await?;
    Ok(catalog)
}

/// The built-in geography plus the buurten imported into this database earlier.
pub async fn load_geography(store: &Store) -> anyhow::Result<Geography> {
    let imported = store
        .imported_neighbourhoods()
        .await?
        .into_iter()
        .filter_map(|row| {
            let level = crate::geo::Level::from_name(row.level)?;
            let n = crate::geo::import::from_stored(
                row.code,
                row.name,
                level,
                row.parent_code,
                &row.geometry_geojson,
            );
            if n.is_none() {
                tracing::warn!("onleesbare geometrie van een geïmporteerde buurt overgeslagen");
            }
            n
        })
        .collect();
    Geography::load_embedded_with(imported).context("loading neighbourhoods")
}

/// Writes the built-in neighbourhoods to the database when they changed (the imported ones
/// stay; see [`Store::sync_built_in_neighbourhoods`], which is safe with several instances
/// starting at once).
async fn sync_neighbourhoods(store: &Store, geo: &Geography) -> anyhow::Result<()> {
    let mut rows: Vec<NeighbourhoodRow> = geo
        .all()
        // Imported buurten lie outside gemeente Utrecht, the only one with built-in buurten.
        .filter(|n| n.level != crate::geo::Level::Buurt || n.code.starts_with("BU0344"))
        .map(|n| NeighbourhoodRow {
            code: n.code.clone(),
            name: n.name.clone(),
            level: n.level.as_str(),
            parent_code: n.parent.clone(),
            geometry_geojson: geojson::Geometry::from(&n.geometry).to_string(),
        })
        .collect();
    // Parents first, for the self-referencing foreign key.
    rows.sort_by_key(|r| match r.level {
        "gemeente" => 0,
        "wijk" => 1,
        _ => 2,
    });
    match store.sync_built_in_neighbourhoods(&rows).await? {
        None => {}
        Some(dropped) if dropped.is_empty() => {
            tracing::info!("neighbourhoods written to the database")
        }
        Some(dropped) => tracing::warn!(
            ?dropped,
            "geïmporteerde buurten verwijderd: hun wijk bestaat niet meer"
        ),
    }
    Ok(())
}

impl App {
    pub async fn build(mut config: Config) -> anyhow::Result<Self> {
        let catalog = prepare(&config).await?;
        // Fills in the label of a region given as a list of codes (checked by `prepare`).
        config.region = config.region.clone().resolve(&catalog.geo)?;
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("binding {}", config.listen))?;
        if config.public_url.is_none() {
            // Links in mails need the real port (tests listen on port 0).
            let url = format!("http://{}", listener.local_addr()?);
            tracing::warn!(
                %url,
                "no --public-url: links in mails point here and cookies are not Secure; set it \
                 to the address people use (https://…) in production"
            );
            config.public_url = Some(url);
        }
        let accounts = crate::accounts::Accounts::new(catalog.store.clone(), &config)?;
        let csrf = crate::web::session::CsrfKey::load(&catalog.store).await?;
        let cookies = crate::web::session::CookiePolicy {
            secure: config.secure_cookies(),
        };
        let reports = crate::reports::Reports::new(
            catalog.store.clone(),
            accounts.mailer().clone(),
            config.public_base(),
        );
        let reminders = crate::reminders::Reminders::new(
            catalog.clone(),
            accounts.mailer().clone(),
            config.public_base(),
        );
        let referrals = crate::referrals::Referrals::new(
            catalog.store.clone(),
            catalog.geo.clone(),
            catalog.vocabulary.clone(),
            accounts.mailer().clone(),
            config.public_base(),
            Arc::new(config.master_key(catalog.store.backend())?),
            config.referral_settings(),
        );
        let needs = crate::needs::Needs::new(
            catalog.store.clone(),
            catalog.geo.clone(),
            catalog.vocabulary.clone(),
            catalog.freshness,
            config.region.gemeenten.clone(),
        );
        Ok(Self {
            listener,
            state: AppState {
                catalog,
                config: Arc::new(config),
                accounts,
                csrf,
                cookies,
                reports,
                reminders,
                referrals,
                needs,
            },
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then finishes open requests (until the shutdown
    /// deadline: [`crate::server`]) and stops the indexer.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let indexer = self.state.catalog.indexer.clone();
        let mut rx = stop_rx.clone();
        let indexer_task = tokio::spawn(indexer.run(async move {
            let _ = rx.wait_for(|stop| *stop).await;
        }));
        let store = self.state.catalog.store.clone();
        let referrals = self.state.referrals.clone();
        let mut rx = stop_rx.clone();
        let pruning_task = tokio::spawn(async move {
            loop {
                // Referrals: erase personal data past its retention, remind about unanswered
                // ones. Hourly is often enough for both (days are their unit).
                let now = time::OffsetDateTime::now_utc();
                if let Err(err) = referrals.purge_expired(now).await {
                    tracing::warn!(error = %err, "could not erase expired referral data");
                }
                if let Err(err) = referrals.send_reminders(now).await {
                    tracing::warn!(error = %err, "could not send referral reminders");
                }
                let cutoff = time::OffsetDateTime::now_utc() - CHANGE_LOG_RETENTION;
                match store.prune_changes(cutoff).await {
                    Ok(n) if n > 0 => tracing::info!(rows = n, "pruned change log"),
                    Ok(_) => {}
                    Err(err) => tracing::warn!(error = %err, "could not prune change log"),
                }
                match store.prune_accounts(time::OffsetDateTime::now_utc()).await {
                    Ok(n) if n > 0 => tracing::info!(rows = n, "pruned ended sessions and links"),
                    Ok(_) => {}
                    Err(err) => tracing::warn!(error = %err, "could not prune sessions"),
                }
                tokio::select! {
                    _ = rx.wait_for(|stop| *stop) => break,
                    _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
                }
            }
        });

        let interval = self.state.config.reminder_interval;
        let reminders_task = (!interval.is_zero()).then(|| {
            let mut rx = stop_rx.clone();
            tokio::spawn(
                self.state
                    .reminders
                    .clone()
                    .run_every(interval, async move {
                        let _ = rx.wait_for(|stop| *stop).await;
                    }),
            )
        });

        let router = router(self.state.clone());
        tracing::info!(address = %self.listener.local_addr()?, "Wijkwijzer is listening");
        let limits = self.state.config.limits.clone();
        crate::server::serve(self.listener, router, limits, shutdown).await;
        let _ = stop_tx.send(true);
        let _ = indexer_task.await;
        let _ = pruning_task.await;
        if let Some(task) = reminders_task {
            let _ = task.await;
        }
        self.state.catalog.store.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

pub fn router(state: AppState) -> Router {
    let limits = Arc::new(state.config.limits.clone());
    let rate_limits = Arc::new(crate::limits::RateLimits::new(&limits));
    let (api, openapi) = crate::api::routes();
    let openapi = Arc::new(openapi);
    Router::new()
        .merge(crate::web::router())
        .merge(api)
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let doc = openapi.clone();
                // Public, like the APIs it describes (CORS: `limits::public_api_cors`).
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .fallback(crate::web::not_found)
        // Layers: the last added is the outermost. Limits answer before the work is done.
        .layer(RequestBodyLimitLayer::new(limits.max_body_bytes))
        // A slow client or a pathological query must not hold a worker forever. Only the time
        // until the response starts counts: a streaming dump is not cut off.
        .layer(axum::middleware::from_fn_with_state(
            limits.request_timeout,
            crate::limits::request_timeout,
        ))
        .layer(axum::middleware::from_fn_with_state(
            rate_limits,
            crate::limits::rate_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            limits.clone(),
            crate::limits::request_size,
        ))
        // The region's house style for every page rendered, error pages included.
        .layer(axum::middleware::from_fn_with_state(
            crate::web::theme::Theme::from(state.config.region.theme),
            crate::web::theme::scope,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'"),
        ))
        // Outside the limits, so that their refusals carry CORS headers too.
        .layer(axum::middleware::from_fn(crate::limits::public_api_cors))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
