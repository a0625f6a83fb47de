//! Moderation pages (issue 13, parts 4 and 5): the moderators' queue with side-by-side diffs,
//! an editor's own change requests, and a listing's history. The use cases in
//! `src/listings.rs` decide who may see and do what; these handlers only word the answers.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::session::{CsrfForm, Visit};
use crate::auth::Denied;
use crate::catalog::{Catalog, ListingChangeError};
use crate::domain::FieldChange;
use crate::error::AppError;
use crate::listings::{OwnRequest, QueuedListing};
use crate::store::{Entity, HistoryRow, RequestStatus};

/// A refusal as a page: the sign-in page for visitors (coming back to `path`), else the error.
fn refused(err: ListingChangeError, path: &str) -> Response {
    match err {
        ListingChangeError::Denied(Denied::NotSignedIn) => {
            let back = form_urlencoded::Serializer::new(String::new())
                .append_pair("terug", path)
                .finish();
            Redirect::to(&format!("/inloggen?{back}")).into_response()
        }
        err => AppError::from(err).into_response(),
    }
}

/// A bad id in a path is a 404 page, not an error.
fn parse_id(id: &str) -> Option<Uuid> {
    Uuid::parse_str(id.trim()).ok()
}

/// "2 december 2026, 14:05" (UTC, as stored).
pub(super) fn when(at: time::OffsetDateTime) -> String {
    format!(
        "{}, {:02}:{:02}",
        super::views::format_date(at.date()),
        at.hour(),
        at.minute()
    )
}

fn role_label(role: &str) -> &str {
    match role {
        "redacteur" => "Redacteur van de organisatie",
        "moderator" => "Moderator",
        "beheerder" => "Beheerder",
        "api-sleutel" => "API-sleutel van de organisatie",
        "systeem" => "Wijkwijzer zelf",
        other => other,
    }
}

fn edit_link(entity: Entity, id: Uuid) -> Option<String> {
    // Locations have no edit page of their own yet; services do (`/beheer/aanbod/{id}/bewerken`).
    (entity == Entity::Service).then(|| format!("/beheer/aanbod/{id}/bewerken"))
}

// ------------------------------------------------------------------------------ the queue

pub struct RequestView {
    pub id: Uuid,
    pub proposed_by: String,
    pub proposed_at: String,
    pub changes: Vec<FieldChange>,
    pub conflicting: bool,
    pub outdated: bool,
    /// The reason typed with a refused rejection (shown again with its error).
    pub reason: String,
    pub reason_error: Option<String>,
}

pub struct ListingView {
    pub kind: &'static str,
    pub name: String,
    pub organization: String,
    pub organization_id: Uuid,
    pub trusted: bool,
    pub is_new: bool,
    pub public_link: Option<String>,
    pub requests: Vec<RequestView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "moderation/queue.html")]
pub struct QueuePage {
    pub csrf: String,
    pub notice: Option<String>,
    pub problem: Option<String>,
    pub listings: Vec<ListingView>,
}

fn queue_view(
    listings: Vec<QueuedListing>,
    error: Option<(Uuid, &str, String)>,
) -> Vec<ListingView> {
    listings
        .into_iter()
        .map(|l| ListingView {
            kind: match l.entity {
                Entity::Service => "Aanbod",
                Entity::Location => "Locatie",
            },
            public_link: (l.entity == Entity::Service && l.version.is_some())
                .then(|| format!("/aanbod/{}", l.listing_id)),
            is_new: l.version.is_none(),
            name: l.name,
            organization: l.organization,
            organization_id: l.organization_id,
            trusted: l.trusted,
            requests: l
                .requests
                .into_iter()
                .map(|q| {
                    let (reason, reason_error) = match &error {
                        Some((id, reason, message)) if *id == q.request.id => {
                            (reason.to_string(), Some(message.clone()))
                        }
                        _ => (String::new(), None),
                    };
                    RequestView {
                        id: q.request.id,
                        proposed_by: role_label(&q.request.proposed_role).to_string(),
                        proposed_at: when(q.request.proposed_at),
                        changes: q.changes,
                        conflicting: q.conflicting,
                        outdated: q.outdated,
                        reason,
                        reason_error,
                    }
                })
                .collect(),
        })
        .collect()
}

async fn queue_page(
    catalog: &Catalog,
    visit: &Visit,
    notice: Option<String>,
    problem: Option<String>,
    error: Option<(Uuid, &str, String)>,
) -> Result<QueuePage, ListingChangeError> {
    let listings = catalog.moderation_queue(&visit.actor).await?;
    Ok(QueuePage {
        csrf: visit.csrf_token(),
        notice,
        problem,
        listings: queue_view(listings, error),
    })
}

#[derive(Deserialize, Default)]
pub struct Notice {
    #[serde(default)]
    klaar: Option<String>,
}

pub async fn queue(
    State(catalog): State<Catalog>,
    visit: Visit,
    axum::extract::Query(query): axum::extract::Query<Notice>,
) -> Response {
    let notice = match query.klaar.as_deref() {
        Some("goedgekeurd") => Some("De wijziging is gepubliceerd.".to_string()),
        Some("afgewezen") => Some("De wijziging is afgewezen. De redacteur ziet uw reden.".into()),
        Some("vertrouwd") => Some("De organisatie is bijgewerkt.".into()),
        _ => None,
    };
    match queue_page(&catalog, &visit, notice, None, None).await {
        Ok(page) => visit.respond(page),
        Err(err) => refused(err, "/beheer/moderatie"),
    }
}

pub async fn approve(
    State(catalog): State<Catalog>,
    Path(id): Path<String>,
    CsrfForm { visit, .. }: CsrfForm<std::collections::HashMap<String, String>>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return AppError::not_found("Deze wijziging").into_response();
    };
    match catalog.approve_request(&visit.actor, id).await {
        Ok(()) => Redirect::to("/beheer/moderatie?klaar=goedgekeurd").into_response(),
        Err(ListingChangeError::Conflict { .. }) => {
            let problem = "Deze wijziging kan niet meer worden goedgekeurd: het aanbod is \
                           intussen gewijzigd. Wijs hem af; de redacteur kan hem opnieuw doen \
                           op de huidige gegevens."
                .to_string();
            match queue_page(&catalog, &visit, None, Some(problem), None).await {
                Ok(page) => (axum::http::StatusCode::CONFLICT, page).into_response(),
                Err(err) => refused(err, "/beheer/moderatie"),
            }
        }
        Err(err) => refused(err, "/beheer/moderatie"),
    }
}

#[derive(Deserialize)]
pub struct RejectForm {
    #[serde(default)]
    reden: String,
}

pub async fn reject(
    State(catalog): State<Catalog>,
    Path(id): Path<String>,
    CsrfForm { visit, form }: CsrfForm<RejectForm>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return AppError::not_found("Deze wijziging").into_response();
    };
    match catalog.reject_request(&visit.actor, id, &form.reden).await {
        Ok(()) => Redirect::to("/beheer/moderatie?klaar=afgewezen").into_response(),
        // The reason is missing or too long: the queue again, the error next to the field
        // and what was typed still in it.
        Err(ListingChangeError::Invalid(invalid)) => {
            match queue_page(
                &catalog,
                &visit,
                None,
                None,
                Some((id, &form.reden, invalid.message)),
            )
            .await
            {
                Ok(page) => (axum::http::StatusCode::BAD_REQUEST, page).into_response(),
                Err(err) => refused(err, "/beheer/moderatie"),
            }
        }
        Err(err) => refused(err, "/beheer/moderatie"),
    }
}

#[derive(Deserialize)]
pub struct TrustForm {
    #[serde(default)]
    vertrouwd: String,
}

pub async fn set_trusted(
    State(catalog): State<Catalog>,
    Path(id): Path<String>,
    CsrfForm { visit, form }: CsrfForm<TrustForm>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return AppError::not_found("Deze organisatie").into_response();
    };
    let trusted = form.vertrouwd == "ja";
    match catalog.set_trusted(&visit.actor, id, trusted).await {
        Ok(()) => Redirect::to("/beheer/moderatie?klaar=vertrouwd").into_response(),
        Err(err) => refused(err, "/beheer/moderatie"),
    }
}

// ---------------------------------------------------------------- the editor's own requests

pub struct OwnView {
    pub id: Uuid,
    pub name: String,
    pub state: &'static str,
    pub pending: bool,
    pub reason: Option<String>,
    pub proposed_at: String,
    pub edit_link: Option<String>,
    pub changes: Vec<FieldChange>,
}

#[derive(Template, WebTemplate)]
#[template(path = "moderation/mine.html")]
pub struct MinePage {
    pub csrf: String,
    pub notice: Option<String>,
    pub requests: Vec<OwnView>,
}

fn own_view(r: OwnRequest) -> OwnView {
    let state = match r.request.status {
        RequestStatus::Pending => "Wacht op een moderator",
        RequestStatus::Approved => "Gepubliceerd",
        RequestStatus::Rejected => "Afgewezen",
        RequestStatus::Withdrawn => "Ingetrokken",
    };
    OwnView {
        id: r.request.id,
        name: r.name,
        state,
        pending: r.request.status == RequestStatus::Pending,
        reason: r.request.reason.clone(),
        proposed_at: when(r.request.proposed_at),
        edit_link: edit_link(r.request.entity, r.request.listing_id)
            .filter(|_| r.request.base_version.is_some()),
        changes: r.changes,
    }
}

pub async fn mine(
    State(catalog): State<Catalog>,
    visit: Visit,
    axum::extract::Query(query): axum::extract::Query<Notice>,
) -> Response {
    match catalog.own_requests(&visit.actor).await {
        Ok(requests) => visit.respond(MinePage {
            csrf: visit.csrf_token(),
            notice: (query.klaar.as_deref() == Some("ingetrokken"))
                .then(|| "Uw wijziging is ingetrokken.".to_string()),
            requests: requests.into_iter().map(own_view).collect(),
        }),
        Err(err) => refused(err, "/beheer/mijn-wijzigingen"),
    }
}

pub async fn withdraw(
    State(catalog): State<Catalog>,
    Path(id): Path<String>,
    CsrfForm { visit, .. }: CsrfForm<std::collections::HashMap<String, String>>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return AppError::not_found("Deze wijziging").into_response();
    };
    match catalog.withdraw_request(&visit.actor, id).await {
        Ok(()) => Redirect::to("/beheer/mijn-wijzigingen?klaar=ingetrokken").into_response(),
        Err(err) => refused(err, "/beheer/mijn-wijzigingen"),
    }
}

// ------------------------------------------------------------------------------ history

pub struct HistoryView {
    pub when: String,
    pub label: String,
    pub old: String,
    pub new: String,
    pub by: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "moderation/history.html")]
pub struct HistoryPage {
    pub name: String,
    /// Where the listing itself is (a service's public page, a location's form).
    pub back: String,
    pub rows: Vec<HistoryView>,
}

/// One published change as the history table shows it.
fn history_view(h: HistoryRow) -> HistoryView {
    HistoryView {
        when: when(h.changed_at),
        by: format!(
            "{}{}",
            role_label(&h.changed_role),
            if h.approved_by.is_some() {
                ", goedgekeurd door een moderator"
            } else {
                ""
            }
        ),
        label: h.label,
        old: h.old_value,
        new: h.new_value,
    }
}

pub async fn history(
    State(catalog): State<Catalog>,
    visit: Visit,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return AppError::not_found("Dit aanbod").into_response();
    };
    let history = catalog.service_history(&visit.actor, id).await;
    history_page(visit, history, format!("/aanbod/{id}"), "aanbod", id)
}

pub async fn location_history(
    State(catalog): State<Catalog>,
    visit: Visit,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return AppError::not_found("Deze locatie").into_response();
    };
    let history = catalog.location_history(&visit.actor, id).await;
    history_page(
        visit,
        history,
        format!("/beheer/locatie/{id}/bewerken"),
        "locatie",
        id,
    )
}

/// The history of a listing (`kind`: aanbod or locatie), or why it may not be seen.
fn history_page(
    visit: Visit,
    history: Result<(String, Vec<HistoryRow>), ListingChangeError>,
    back: String,
    kind: &str,
    id: Uuid,
) -> Response {
    match history {
        Ok((name, rows)) => visit.respond(HistoryPage {
            name,
            back,
            rows: rows.into_iter().map(history_view).collect(),
        }),
        Err(err) => refused(err, &format!("/beheer/{kind}/{id}/geschiedenis")),
    }
}
