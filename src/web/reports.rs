//! "Klopt er iets niet?" on every service page (the form, its errors and the thank-you page),
//! the list of reports for those who handle them (`/beheer/meldingen`, one report with its
//! closing form at `/beheer/meldingen/{id}`), and the moderators' list of stale listings
//! (`/beheer/verouderd`). Who may see and do what is decided by the use cases
//! (`crate::reports`, `crate::reminders`); these handlers only pass the [`Visit`]'s actor.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::account::{Field, html, refused, see_other};
use super::session::{CsrfForm, Visit};
use super::views::format_date;
use crate::accounts::AccountError;
use crate::auth::Denied;
use crate::catalog::Catalog;
use crate::error::AppError;
use crate::reminders::{Reminders, StaleListError};
use crate::reports::{MAX_DETAILS, ReportError, ReportInput, ReportKind, ReportOutcome, Reports};
use crate::store::ReportRow;

/// One choice of a radio group: (value, label, checked).
pub type Choice = (&'static str, &'static str, bool);

/// A radio group with its legend and the message next to it (`partials/radio_group.html`).
pub struct RadioGroup {
    pub name: &'static str,
    pub legend: &'static str,
    pub choices: Vec<Choice>,
    pub error: Option<String>,
}

/// A text of a few lines with its hint and message (`partials/textarea_field.html`).
pub struct TextArea {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: String,
    pub value: String,
    pub error: Option<String>,
}

/// The report form as the service page and the form page show it, with what was typed and the
/// messages next to the fields.
pub struct ReportFormView {
    pub action: String,
    pub csrf: String,
    pub kind: RadioGroup,
    pub details: TextArea,
    pub name: Field,
    pub contact: Field,
}

impl ReportFormView {
    pub fn new(service: Uuid, csrf: String, typed: &ReportInput) -> Self {
        ReportFormView {
            action: format!("/aanbod/{service}/melden"),
            csrf,
            kind: RadioGroup {
                name: "soort",
                legend: "Wat klopt er niet?",
                choices: ReportKind::ALL
                    .iter()
                    .map(|k| (k.as_str(), k.label(), typed.soort.trim() == k.as_str()))
                    .collect(),
                error: None,
            },
            details: TextArea {
                name: "toelichting",
                label: "Wat is het goede? (niet verplicht, behalve bij “Iets anders”)",
                hint: format!(
                    "Bijvoorbeeld: “Het inloopuur is nu op woensdag.” Hoogstens {MAX_DETAILS} \
                     tekens."
                ),
                value: typed.toelichting.clone(),
                error: None,
            },
            name: Field::new("naam", "Uw naam (niet verplicht)", "text")
                .optional()
                .autocomplete("name")
                .value(&typed.naam),
            contact: Field::new(
                "contact",
                "Uw e-mailadres of telefoonnummer (niet verplicht)",
                "text",
            )
            .optional()
            .autocomplete("email")
            .value(&typed.contact),
        }
    }

    fn complain(&mut self, field: &str, message: String) {
        match field {
            "soort" => self.kind.error = Some(message),
            "toelichting" => self.details.error = Some(message),
            "naam" => self.name.error = Some(message),
            _ => self.contact.error = Some(message),
        }
    }

    /// The optional fields about the reporter, in the order the form shows them.
    pub fn personal_fields(&self) -> [&Field; 2] {
        [&self.name, &self.contact]
    }

    pub fn error_summary(&self) -> Vec<(&'static str, &str)> {
        [
            ("soort", self.kind.error.as_deref()),
            ("toelichting", self.details.error.as_deref()),
            ("naam", self.name.error.as_deref()),
            ("contact", self.contact.error.as_deref()),
        ]
        .into_iter()
        .filter_map(|(field, error)| error.map(|e| (field, e)))
        .collect()
    }
}

#[derive(Template)]
#[template(path = "reports/form.html")]
struct FormPage {
    service_id: Uuid,
    service_name: String,
    report_form: ReportFormView,
}

#[derive(Template)]
#[template(path = "reports/thanks.html")]
struct ThanksPage {
    service_id: Uuid,
    service_name: String,
}

fn no_such_service() -> Response {
    AppError::not_found("Dit aanbod").into_response()
}

/// The answer to a refusal by the report use cases, as for every page behind a sign-in.
fn report_refused(err: ReportError, path: &str) -> Response {
    match err {
        ReportError::Denied(denied) => refused(AccountError::Denied(denied), path),
        ReportError::NotFound(what) => AppError::not_found(what).into_response(),
        ReportError::Invalid { message, .. } => AppError::BadRequest {
            param: None,
            detail: message,
        }
        .into_response(),
        ReportError::AlreadyClosed => AppError::BadRequest {
            param: None,
            detail: "Deze melding is al afgehandeld.".into(),
        }
        .into_response(),
        ReportError::Internal(err) => AppError::Internal(err).into_response(),
    }
}

/// `POST /aanbod/{id}/melden`: anyone reports a mistake (rate-limited per client by
/// `crate::limits`). Thanks, or the form again with the messages and what was typed.
pub async fn report_post(
    State(catalog): State<Catalog>,
    State(reports): State<Reports>,
    Path(id): Path<String>,
    CsrfForm { visit, form }: CsrfForm<ReportInput>,
) -> Response {
    let Ok(service_id) = Uuid::parse_str(id.trim()) else {
        return no_such_service();
    };
    let service_name = match catalog.service(service_id).await {
        Ok(Some(record)) if !record.service.status.is_withdrawn() => record.service.name,
        Ok(_) => return no_such_service(),
        Err(err) => return AppError::Internal(err).into_response(),
    };
    match reports.submit(service_id, &form).await {
        Ok(_) => visit.respond(html(
            StatusCode::OK,
            &ThanksPage {
                service_id,
                service_name,
            },
        )),
        Err(ReportError::Invalid { field, message }) => {
            let mut view = ReportFormView::new(service_id, visit.csrf_token(), &form);
            view.complain(field, message);
            visit.respond(html(
                StatusCode::BAD_REQUEST,
                &FormPage {
                    service_id,
                    service_name,
                    report_form: view,
                },
            ))
        }
        Err(err) => report_refused(err, &format!("/aanbod/{service_id}")),
    }
}

/// A report as a list or detail page shows it, already worded.
pub struct ReportView {
    pub id: Uuid,
    pub service_id: Uuid,
    pub service_name: String,
    pub organization_name: String,
    pub kind: &'static str,
    pub details: String,
    pub reporter_name: Option<String>,
    pub reporter_contact: Option<String>,
    pub received: String,
    /// "2 december 2026: Aangepast", when closed.
    pub closed: Option<String>,
    pub outcome_note: Option<String>,
}

impl From<ReportRow> for ReportView {
    fn from(row: ReportRow) -> Self {
        let outcome = row
            .outcome
            .as_deref()
            .and_then(ReportOutcome::parse)
            .map_or("", ReportOutcome::label);
        ReportView {
            id: row.id,
            service_id: row.service_id,
            service_name: row.service_name,
            organization_name: row.organization_name,
            kind: ReportKind::parse(&row.kind).map_or("Onbekend", ReportKind::label),
            details: row.details,
            reporter_name: row.reporter_name,
            reporter_contact: row.reporter_contact,
            received: format_date(row.created_at.date()),
            closed: row
                .closed_at
                .map(|at| format!("{}: {outcome}", format_date(at.date()))),
            outcome_note: row.outcome_note,
        }
    }
}

#[derive(Template)]
#[template(path = "reports/queue.html")]
struct QueuePage {
    notice: Option<&'static str>,
    open: Vec<ReportView>,
    closed: Vec<ReportView>,
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    afgehandeld: Option<String>,
}

/// `GET /beheer/meldingen`: the reports the signed-in person may handle.
pub async fn queue(
    State(reports): State<Reports>,
    visit: Visit,
    Query(query): Query<QueueQuery>,
) -> Response {
    match reports.queue(&visit.actor).await {
        Ok(queue) => visit.respond(html(
            StatusCode::OK,
            &QueuePage {
                notice: query.afgehandeld.map(
                    |_| "De melding is afgehandeld. De contactgegevens van de melder zijn gewist.",
                ),
                open: queue.open.into_iter().map(ReportView::from).collect(),
                closed: queue.closed.into_iter().map(ReportView::from).collect(),
            },
        )),
        Err(err) => report_refused(err, "/beheer/meldingen"),
    }
}

#[derive(Template)]
#[template(path = "reports/detail.html")]
struct DetailPage {
    report: ReportView,
    is_open: bool,
    notice: Option<&'static str>,
    outcome: RadioGroup,
    note: TextArea,
    csrf: String,
}

impl DetailPage {
    fn new(report: ReportRow, visit: &Visit, form: &CloseForm) -> Self {
        DetailPage {
            is_open: report.closed_at.is_none(),
            report: report.into(),
            notice: None,
            outcome: RadioGroup {
                name: "uitkomst",
                legend: "Wat heeft u gedaan?",
                choices: ReportOutcome::ALL
                    .iter()
                    .map(|o| (o.as_str(), o.label(), form.uitkomst.trim() == o.as_str()))
                    .collect(),
                error: None,
            },
            note: TextArea {
                name: "notitie",
                label: "Notitie (niet verplicht)",
                hint: format!(
                    "Voor andere redacteuren en moderatoren. Hoogstens {MAX_DETAILS} tekens."
                ),
                value: form.notitie.clone(),
                error: None,
            },
            csrf: visit.csrf_token(),
        }
    }

    fn error_summary(&self) -> Vec<(&'static str, &str)> {
        [
            ("uitkomst", self.outcome.error.as_deref()),
            ("notitie", self.note.error.as_deref()),
        ]
        .into_iter()
        .filter_map(|(field, error)| error.map(|e| (field, e)))
        .collect()
    }
}

#[derive(Deserialize, Default)]
pub struct CloseForm {
    #[serde(default)]
    uitkomst: String,
    #[serde(default)]
    notitie: String,
}

/// The report id in the path; a malformed one is a page that does not exist (after the
/// sign-in check, so that a visitor learns nothing).
fn report_id(raw: &str, visit: &Visit) -> Result<Uuid, ReportError> {
    if visit.actor == crate::auth::Actor::Visitor {
        return Err(Denied::NotSignedIn.into());
    }
    Uuid::parse_str(raw.trim()).map_err(|_| ReportError::NotFound("Deze melding"))
}

/// `GET /beheer/meldingen/{id}`: one report, with the form to close it while open.
pub async fn detail(
    State(reports): State<Reports>,
    visit: Visit,
    Path(id): Path<String>,
) -> Response {
    let path = format!("/beheer/meldingen/{id}");
    let found = match report_id(&id, &visit) {
        Ok(id) => reports.report(&visit.actor, id).await,
        Err(err) => Err(err),
    };
    match found {
        Ok(report) => {
            let page = DetailPage::new(report, &visit, &CloseForm::default());
            visit.respond(html(StatusCode::OK, &page))
        }
        Err(err) => report_refused(err, &path),
    }
}

/// `POST /beheer/meldingen/{id}/afhandelen`: closes a report with an outcome and a note.
pub async fn close_post(
    State(reports): State<Reports>,
    Path(id): Path<String>,
    CsrfForm { visit, form }: CsrfForm<CloseForm>,
) -> Response {
    let path = format!("/beheer/meldingen/{id}");
    let report_id = match report_id(&id, &visit) {
        Ok(id) => id,
        Err(err) => return report_refused(err, &path),
    };
    let outcome = reports
        .close(&visit.actor, report_id, &form.uitkomst, &form.notitie)
        .await;
    let status = match &outcome {
        Ok(()) => return see_other("/beheer/meldingen?afgehandeld=1"),
        Err(ReportError::Invalid { .. }) => StatusCode::BAD_REQUEST,
        Err(ReportError::AlreadyClosed) => StatusCode::CONFLICT,
        Err(_) => StatusCode::OK,
    };
    let report = match reports.report(&visit.actor, report_id).await {
        Ok(report) => report,
        Err(err) => return report_refused(err, &path),
    };
    let mut page = DetailPage::new(report, &visit, &form);
    match outcome {
        Err(ReportError::Invalid { field, message }) => match field {
            "uitkomst" => page.outcome.error = Some(message),
            _ => page.note.error = Some(message),
        },
        Err(ReportError::AlreadyClosed) => {
            page.notice = Some("Iemand anders heeft deze melding al afgehandeld.")
        }
        Err(err) => return report_refused(err, &path),
        Ok(()) => {}
    }
    visit.respond(html(status, &page))
}

/// A stale listing as the moderators' list shows it.
pub struct StaleView {
    pub id: Uuid,
    pub name: String,
    pub organization: String,
    pub checked: String,
    pub reminded: String,
    pub temporarily_closed: bool,
}

#[derive(Template)]
#[template(path = "reports/stale.html")]
struct StalePage {
    stale_after_days: u32,
    listings: Vec<StaleView>,
}

/// `GET /beheer/verouderd`: the listings not checked within the stale period, in the
/// moderator's gemeenten (all of them for instance moderators and administrators).
pub async fn stale(
    State(reminders): State<Reminders>,
    State(catalog): State<Catalog>,
    visit: Visit,
) -> Response {
    let lines = match reminders
        .stale_list(&visit.actor, crate::domain::freshness::today())
        .await
    {
        Ok(lines) => lines,
        Err(StaleListError::Denied(denied)) => {
            return refused(AccountError::Denied(denied), "/beheer/verouderd");
        }
        Err(StaleListError::Internal(err)) => return AppError::Internal(err).into_response(),
    };
    let page = StalePage {
        stale_after_days: catalog.freshness.stale_after_days,
        listings: lines
            .into_iter()
            .map(|line| StaleView {
                id: line.service.id,
                name: line.service.name,
                organization: line.service.organization_name,
                checked: line
                    .service
                    .assured_date
                    .map_or_else(|| "nooit".into(), format_date),
                reminded: line.reminded.map_or_else(
                    || "nog niet verstuurd".into(),
                    |at| format!("verstuurd op {}", format_date(at.date())),
                ),
                temporarily_closed: line.service.status
                    == crate::domain::ServiceStatus::TemporarilyClosed,
            })
            .collect(),
    };
    visit.respond(html(StatusCode::OK, &page))
}
