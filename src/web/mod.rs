//! The HTML pages: server-rendered with askama, plain Dutch (B1), usable without JavaScript,
//! phone first and printable. Templates live in `templates/`, one per page, all extending
//! `base.html`; the structs here hold everything a template shows, already worded.

pub(crate) mod account;
pub mod agenda;
mod calendar_edit;
mod claims;
mod editing;
mod moderation;
mod needs;
mod neighbourhood;
mod referrals;
mod reports;
mod search;
mod service;
pub mod session;
pub mod theme;
mod views;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::app::AppState;
use crate::catalog::Catalog;
use crate::error::AppError;

pub use views::*;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/zoeken", get(search::results))
        .route("/aanbod/{id}", get(service::page))
        .route(
            "/aanbod/{id}/klopt-nog",
            axum::routing::post(service::confirm_still_correct),
        )
        .route("/aanbod/{id}/agenda.ics", get(agenda::service_feed))
        .route("/aanbod/{id}/melden", post(reports::report_post))
        .route("/wijken", get(neighbourhood::index))
        .route("/wijk/{code}", get(neighbourhood::page))
        .route("/wijk/{code}/agenda", get(agenda::page))
        .route("/wijk/{code}/agenda.ics", get(agenda::area_feed))
        .route("/static/style.css", get(stylesheet))
        .route("/static/vendor/{file}", get(theme::vendored_css))
        .route("/healthz", get(healthz))
        .route("/inloggen", get(account::login).post(account::login_post))
        .route("/uitloggen", post(account::logout))
        .route(
            "/wachtwoord-vergeten",
            get(account::forgot).post(account::forgot_post),
        )
        .route(
            "/wachtwoord-herstellen/{token}",
            get(account::reset).post(account::reset_post),
        )
        .route(
            "/uitnodiging/{token}",
            get(account::invitation).post(account::invitation_post),
        )
        .route("/account", get(account::me))
        .route(
            "/account/overal-uitloggen",
            post(account::logout_everywhere),
        )
        .route(
            "/beheer/gebruikers",
            get(account::users).post(account::invite),
        )
        .route(
            "/beheer/organisatie/{id}/sleutels",
            get(account::tokens).post(account::create_token),
        )
        .route(
            "/beheer/organisatie/{id}/sleutels/intrekken",
            post(account::revoke_token),
        )
        .route("/beheer/moderatie", get(moderation::queue))
        .route(
            "/beheer/moderatie/{id}/goedkeuren",
            post(moderation::approve),
        )
        .route("/beheer/moderatie/{id}/afwijzen", post(moderation::reject))
        .route(
            "/beheer/organisatie/{id}/vertrouwd",
            post(moderation::set_trusted),
        )
        .route("/beheer/mijn-wijzigingen", get(moderation::mine))
        .route(
            "/beheer/mijn-wijzigingen/{id}/intrekken",
            post(moderation::withdraw),
        )
        .route("/beheer/aanbod/{id}/geschiedenis", get(moderation::history))
        .route(
            "/beheer/locatie/{id}/geschiedenis",
            get(moderation::location_history),
        )
        .merge(editing::routes())
        .merge(referrals::routes())
        .merge(needs::routes())
        .route("/beheer/meldingen", get(reports::queue))
        .route("/beheer/meldingen/{id}", get(reports::detail))
        .route(
            "/beheer/meldingen/{id}/afhandelen",
            post(reports::close_post),
        )
        .route("/beheer/verouderd", get(reports::stale))
        .route(
            "/beheer/gebruikers/rol-intrekken",
            post(account::revoke_role),
        )
        .route(
            "/beheer/gebruikers/uitzetten",
            post(account::disable_account),
        )
        .route(
            "/organisatie-aanmelden",
            get(claims::signup).post(claims::signup_post),
        )
        .route(
            "/aanbod/{id}/claimen",
            get(claims::claim).post(claims::claim_post),
        )
        .route("/beheer/aanbod/{id}/agenda", get(calendar_edit::page))
        .route(
            "/beheer/aanbod/{id}/agenda/activiteit",
            post(calendar_edit::add_activity),
        )
        .route(
            "/beheer/aanbod/{id}/agenda/extra",
            post(calendar_edit::add_extra),
        )
        .route(
            "/beheer/aanbod/{id}/agenda/afzeggen",
            post(calendar_edit::cancel),
        )
        .route(
            "/beheer/aanbod/{id}/agenda/verwijderen",
            post(calendar_edit::remove),
        )
        .route("/beheer/aanmeldingen", get(claims::queue))
        .route(
            "/beheer/aanmeldingen/{id}/goedkeuren",
            post(claims::approve),
        )
        .route("/beheer/aanmeldingen/{id}/afwijzen", post(claims::reject))
}

pub async fn not_found(uri: axum::http::Uri) -> impl IntoResponse {
    let err = AppError::not_found("Deze pagina");
    // A problem document for every path of the public API (`/api/`, `/hsds/`), a page else.
    err.render(crate::limits::face_for(uri.path()))
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    form: SearchForm,
    areas: AreaOptions,
    categories: Vec<CategoryTile>,
    examples: Vec<(&'static str, String)>,
    service_count: i64,
}

async fn home(
    State(catalog): State<Catalog>,
    State(config): State<std::sync::Arc<crate::config::Config>>,
) -> Result<HomePage, AppError> {
    let examples = [
        "ik voel me alleen",
        "schulden",
        "mantelzorg",
        "taalcafé",
        "wandelen",
    ]
    .into_iter()
    .map(|q| {
        (
            q,
            format!(
                "/zoeken?{}",
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("q", q)
                    .finish()
            ),
        )
    })
    .collect();
    Ok(HomePage {
        form: SearchForm::empty(),
        areas: AreaOptions::new(&catalog.geo, &config.region, None),
        categories: CategoryTile::all(&catalog.vocabulary),
        examples,
        service_count: catalog.store.service_count().await?,
    })
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/style.css"),
    )
}

/// Liveness and readiness: the database answers and the index is open.
async fn healthz(State(catalog): State<Catalog>) -> impl IntoResponse {
    let db = catalog.store.ping().await;
    let stats = catalog.indexer.stats();
    let body = serde_json::json!({
        "status": if db.is_ok() { "ok" } else { "unavailable" },
        "database": catalog.store.backend(),
        "indexed_services": catalog.search.doc_count(),
        "index_cursor": catalog.search.cursor(),
        "indexer": {
            "reconciliations": stats.reconciliations,
            "repaired": stats.repaired,
            "holes_stepped_over": stats.holes_stepped_over,
            "last_reconciliation": {
                "compared": stats.last_reconciliation_compared,
                "elapsed_ms": stats.last_reconciliation_ms,
            },
        },
    });
    let status = if db.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}
