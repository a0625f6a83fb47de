//! The referral pages (issue 14): the referral form of a service (professionals) and the
//! self-referral form (residents), the Welzijn op Recept intake by postcode, "Mijn
//! verwijzingen", one referral with its timeline and the forms to move it on, the receiving
//! organisation's inbox and audit log, the printable recept, the resident's status page (code
//! plus contact, no account) and the moderators' intake points.
//!
//! Who may see what is decided by `crate::referrals` (and the policy behind it); these
//! handlers only pass the [`Visit`]'s actor and word the answers. Personal data is never put
//! in a URL: everything a resident typed travels in POST bodies, and pages that show it are
//! reached by a referral's id.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use super::account::{Field, html, refused, see_other};
use super::reports::{RadioGroup, TextArea};
use super::session::{CsrfForm, Visit};
use super::views::format_date;
use crate::accounts::{AccountError, Accounts};
use crate::app::AppState;
use crate::catalog::Catalog;
use crate::domain::referral::{ReferralStatus, StatusReason};
use crate::error::AppError;
use crate::referrals::{
    Channel, Detail, IntakeChoice, MAX_NOTE, ReferralError, ReferralInput, Referrals, ReferrerRole,
    Step, Summary, TransitionInput, consent_text,
};
use crate::store::referrals::{AuditRow, ReceiverRow};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/aanbod/{id}/verwijzen", get(refer_page).post(refer_post))
        .route("/aanbod/{id}/aanmelden", get(self_page).post(self_post))
        .route("/verwijzen", get(intake_page).post(intake_post))
        .route("/mijn-verwijzingen", get(mine))
        .route("/mijn-verwijzingen/{id}", get(referrer_detail))
        .route("/beheer/verwijzingen/{id}", get(receiver_detail))
        .route("/verwijzingen/{id}/status", post(transition_post))
        .route(
            "/verwijzingen/{id}/toestemming-intrekken",
            post(withdraw_post),
        )
        .route("/verwijzingen/{id}/recept", get(recept))
        .route("/beheer/organisatie/{id}/verwijzingen", get(inbox))
        .route(
            "/beheer/organisatie/{id}/verwijzingen/logboek",
            get(audit_log),
        )
        .route("/beheer/intake", get(intakes).post(intake_set))
        .route("/beheer/intake/verwijderen", post(intake_remove))
        .route("/mijn-verwijzing", get(resident_page).post(resident_post))
        .route("/mijn-verwijzing/intrekken", post(resident_withdraw))
}

fn parse_id(id: &str) -> Option<Uuid> {
    Uuid::parse_str(id.trim()).ok()
}

fn not_found() -> Response {
    // The same answer for an id that does not exist and one that is not the reader's.
    AppError::not_found("Deze verwijzing (of uw toegang ertoe)").into_response()
}

/// The answer to a refusal by the referral use cases.
fn referral_refused(err: ReferralError, path: &str) -> Response {
    match err {
        ReferralError::Denied(denied) => refused(AccountError::Denied(denied), path),
        ReferralError::NotFound => not_found(),
        ReferralError::NotAccepting(name) => AppError::BadRequest {
            param: None,
            detail: format!(
                "{name} neemt via Wijkwijzer geen verwijzingen aan. Neem contact op met de \
                 organisatie."
            ),
        }
        .into_response(),
        ReferralError::Conflict => AppError::Conflict {
            detail: "Iemand anders heeft deze verwijzing net bijgewerkt. Laad de pagina \
                     opnieuw en kijk of uw wijziging nog nodig is."
                .into(),
        }
        .into_response(),
        ReferralError::Erased => AppError::BadRequest {
            param: None,
            detail: "De persoonsgegevens van deze verwijzing zijn gewist.".into(),
        }
        .into_response(),
        ReferralError::Transition(err) => AppError::BadRequest {
            param: None,
            detail: format!("Dat kan niet: {err}."),
        }
        .into_response(),
        ReferralError::Invalid { message, .. } => AppError::BadRequest {
            param: None,
            detail: message,
        }
        .into_response(),
        ReferralError::NoConsent | ReferralError::PossibleDuplicate | ReferralError::Fields(_) => {
            AppError::BadRequest {
                param: None,
                detail: err.to_string(),
            }
            .into_response()
        }
        ReferralError::Internal(err) => AppError::Internal(err).into_response(),
    }
}

// ---------------------------------------------------------------- the referral form

/// One checkbox of a group: (value, label, checked).
pub type Check = (String, String, bool);

/// The form as the page shows it, with what was typed and the messages next to the fields.
struct ReferralForm {
    action: String,
    csrf: String,
    /// A professional's form (role and organisation asked) or a resident's own.
    professional: bool,
    /// Came from the Welzijn op Recept intake (kept as a hidden field).
    as_intake: bool,
    name: Field,
    contact: Field,
    channel: RadioGroup,
    moments: Field,
    reasons: Vec<Check>,
    reasons_error: Option<String>,
    note: TextArea,
    postcode: Field,
    role: RadioGroup,
    organisation: Field,
    consent_text: String,
    consent: Field,
    /// The duplicate warning, and the checkbox to send anyway.
    duplicate: Option<Field>,
}

impl ReferralForm {
    fn new(
        catalog: &Catalog,
        action: String,
        csrf: String,
        professional: bool,
        receiver: &str,
        retention_days: u32,
        typed: &ReferralInput,
    ) -> Self {
        let you = |pro: &'static str, own: &'static str| if professional { pro } else { own };
        ReferralForm {
            action,
            csrf,
            professional,
            as_intake: false,
            name: Field::new(
                "naam",
                you("Naam of voorletters van de inwoner", "Uw naam of voorletters"),
                "text",
            )
            .autocomplete(if professional { "off" } else { "name" })
            .value(&typed.naam),
            contact: Field::new(
                "contact",
                you(
                    "Telefoonnummer of e-mailadres van de inwoner",
                    "Uw telefoonnummer of e-mailadres",
                ),
                "text",
            )
            .hint("Eén manier is genoeg. Met dit nummer of adres kan de inwoner later ook zien hoe het gaat.")
            .value(&typed.contact),
            channel: RadioGroup {
                name: "kanaal",
                legend: you("Hoe wil de inwoner contact?", "Hoe wilt u contact?"),
                choices: Channel::ALL
                    .iter()
                    .map(|c| (c.code(), c.label(), typed.kanaal.trim() == c.code()))
                    .collect(),
                error: None,
            },
            moments: Field::new(
                "momenten",
                "Wanneer is een goed moment? (niet verplicht)",
                "text",
            )
            .optional()
            .hint("Bijvoorbeeld: dinsdagochtend, na 16 uur.")
            .value(&typed.momenten),
            reasons: catalog
                .vocabulary
                .top_categories()
                .map(|t| {
                    let code = t.code.clone();
                    let checked = typed.redenen.iter().any(|r| r.trim() == code);
                    (code, t.name.clone(), checked)
                })
                .collect(),
            reasons_error: None,
            note: TextArea {
                name: "toelichting",
                label: "Korte toelichting (niet verplicht)",
                hint: format!(
                    "Alleen wat de ontvanger nodig heeft; geen medische gegevens. Hoogstens \
                     {MAX_NOTE} tekens."
                ),
                value: typed.toelichting.clone(),
                error: None,
            },
            postcode: Field::new("postcode", "Postcode (niet verplicht)", "text")
                .optional()
                .autocomplete(if professional { "off" } else { "postal-code" })
                .hint("We bewaren alleen de wijk, voor de cijfers per wijk.")
                .value(&typed.postcode),
            role: RadioGroup {
                name: "rol",
                legend: "U verwijst als",
                choices: ReferrerRole::ALL
                    .iter()
                    .map(|r| (r.code(), r.label(), typed.rol.trim() == r.code()))
                    .collect(),
                error: None,
            },
            organisation: Field::new("organisatie", "Uw praktijk of organisatie", "text")
                .autocomplete("organization")
                .value(&typed.organisatie),
            consent_text: consent_text(receiver, retention_days),
            consent: Field::new(
                "toestemming",
                you(
                    "De inwoner heeft hiervoor toestemming gegeven",
                    "Ik geef hiervoor toestemming",
                ),
                "checkbox",
            )
            .value(typed.toestemming.as_deref().unwrap_or("")),
            duplicate: None,
        }
    }

    fn complain(&mut self, err: &ReferralError) {
        match err {
            ReferralError::Fields(errors) => {
                for (field, message) in errors {
                    self.complain(&ReferralError::Invalid {
                        field,
                        message: message.clone(),
                    });
                }
            }
            ReferralError::Invalid { field, message } => {
                let message = Some(message.clone());
                match *field {
                    "toestemming" => self.consent.error = message,
                    "naam" => self.name.error = message,
                    "contact" => self.contact.error = message,
                    "kanaal" => self.channel.error = message,
                    "momenten" => self.moments.error = message,
                    "redenen" => self.reasons_error = message,
                    "toelichting" => self.note.error = message,
                    "postcode" => self.postcode.error = message,
                    "rol" => self.role.error = message,
                    _ => self.organisation.error = message,
                }
            }
            ReferralError::NoConsent => {
                self.consent.error = Some(crate::referrals::NO_CONSENT.into())
            }
            ReferralError::PossibleDuplicate => {
                self.duplicate = Some(
                    Field::new(
                        "toch_versturen",
                        "Toch versturen: dit is een nieuwe verwijzing",
                        "checkbox",
                    )
                    .optional(),
                );
            }
            _ => {}
        }
    }

    fn error_summary(&self) -> Vec<(&'static str, &str)> {
        [
            ("naam", self.name.error.as_deref()),
            ("contact", self.contact.error.as_deref()),
            ("kanaal", self.channel.error.as_deref()),
            ("momenten", self.moments.error.as_deref()),
            ("redenen", self.reasons_error.as_deref()),
            ("toelichting", self.note.error.as_deref()),
            ("postcode", self.postcode.error.as_deref()),
            ("rol", self.role.error.as_deref()),
            ("organisatie", self.organisation.error.as_deref()),
            ("toestemming", self.consent.error.as_deref()),
        ]
        .into_iter()
        .filter_map(|(field, error)| error.map(|e| (field, e)))
        .collect()
    }
}

#[derive(Template)]
#[template(path = "referrals/form.html")]
struct FormPage {
    title: String,
    receiver: ReceiverRow,
    intro: Option<String>,
    form: ReferralForm,
}

fn form_page(
    visit: &Visit,
    catalog: &Catalog,
    referrals: &Referrals,
    receiver: ReceiverRow,
    professional: bool,
    typed: &ReferralInput,
) -> FormPage {
    let path = if professional {
        "verwijzen"
    } else {
        "aanmelden"
    };
    let form = ReferralForm::new(
        catalog,
        format!("/aanbod/{}/{path}", receiver.service_id),
        visit.csrf_token(),
        professional,
        &receiver.organization_name,
        referrals.settings().retention_days,
        typed,
    );
    FormPage {
        title: if professional {
            format!("Verwijzen naar {}", receiver.service_name)
        } else {
            format!("Aanmelden bij {}", receiver.service_name)
        },
        intro: None,
        receiver,
        form,
    }
}

/// `GET /aanbod/{id}/verwijzen`: the referral form (professionals).
async fn refer_page(
    State(catalog): State<Catalog>,
    State(referrals): State<Referrals>,
    Path(id): Path<String>,
    visit: Visit,
) -> Response {
    let Some(service) = parse_id(&id) else {
        return AppError::not_found("Dit aanbod").into_response();
    };
    match referrals.form_for(&visit.actor, service).await {
        Ok(receiver) => {
            let typed = match referrals.last_referrer_details(&visit.actor).await {
                Ok(Some((rol, organisatie))) => ReferralInput {
                    rol,
                    organisatie,
                    ..ReferralInput::default()
                },
                Ok(None) => ReferralInput::default(),
                Err(err) => return referral_refused(err, &format!("/aanbod/{service}")),
            };
            let page = form_page(&visit, &catalog, &referrals, receiver, true, &typed);
            visit.respond(html(StatusCode::OK, &page))
        }
        Err(ReferralError::NotFound) => AppError::not_found("Dit aanbod").into_response(),
        Err(err) => referral_refused(err, &format!("/aanbod/{service}/verwijzen")),
    }
}

/// `POST /aanbod/{id}/verwijzen`: sends the referral; the referrer lands on it, with its code
/// and the recept. Errors: the form again, with what was typed.
async fn refer_post(
    State(catalog): State<Catalog>,
    State(referrals): State<Referrals>,
    Path(id): Path<String>,
    CsrfForm { visit, form }: CsrfForm<ReferralInput>,
) -> Response {
    let Some(service) = parse_id(&id) else {
        return AppError::not_found("Dit aanbod").into_response();
    };
    let as_intake = form.intake.is_some();
    match referrals
        .refer(&visit.actor, service, &form, as_intake)
        .await
    {
        Ok(sent) => see_other(&format!("/mijn-verwijzingen/{}?verstuurd=1", sent.id)),
        Err(
            err @ (ReferralError::Invalid { .. }
            | ReferralError::Fields(_)
            | ReferralError::NoConsent
            | ReferralError::PossibleDuplicate),
        ) => {
            let receiver = match referrals.form_for(&visit.actor, service).await {
                Ok(receiver) => receiver,
                Err(other) => return referral_refused(other, &format!("/aanbod/{service}")),
            };
            let mut page = form_page(&visit, &catalog, &referrals, receiver, true, &form);
            page.form.as_intake = as_intake;
            page.form.complain(&err);
            let status = if matches!(err, ReferralError::PossibleDuplicate) {
                StatusCode::CONFLICT
            } else {
                StatusCode::BAD_REQUEST
            };
            visit.respond(html(status, &page))
        }
        Err(ReferralError::NotFound) => AppError::not_found("Dit aanbod").into_response(),
        Err(err) => referral_refused(err, &format!("/aanbod/{service}/verwijzen")),
    }
}

/// `GET /aanbod/{id}/aanmelden`: a resident signs up themselves (no account).
async fn self_page(
    State(catalog): State<Catalog>,
    State(referrals): State<Referrals>,
    Path(id): Path<String>,
    visit: Visit,
) -> Response {
    let Some(service) = parse_id(&id) else {
        return AppError::not_found("Dit aanbod").into_response();
    };
    match referrals.accepting_receiver(service).await {
        Ok(receiver) => {
            let page = form_page(
                &visit,
                &catalog,
                &referrals,
                receiver,
                false,
                &ReferralInput::default(),
            );
            visit.respond(html(StatusCode::OK, &page))
        }
        Err(ReferralError::NotFound) => AppError::not_found("Dit aanbod").into_response(),
        Err(err) => referral_refused(err, &format!("/aanbod/{service}")),
    }
}

#[derive(Template)]
#[template(path = "referrals/sent.html")]
struct SentPage {
    service_id: Uuid,
    service_name: String,
    organization_name: String,
    code: String,
}

/// `POST /aanbod/{id}/aanmelden` (rate-limited per client: `crate::limits`).
async fn self_post(
    State(catalog): State<Catalog>,
    State(referrals): State<Referrals>,
    Path(id): Path<String>,
    CsrfForm { visit, form }: CsrfForm<ReferralInput>,
) -> Response {
    let Some(service) = parse_id(&id) else {
        return AppError::not_found("Dit aanbod").into_response();
    };
    match referrals.refer_self(service, &form).await {
        Ok(sent) => {
            let receiver = match referrals.accepting_receiver(service).await {
                Ok(receiver) => receiver,
                Err(err) => return referral_refused(err, "/"),
            };
            visit.respond(html(
                StatusCode::OK,
                &SentPage {
                    service_id: service,
                    service_name: receiver.service_name,
                    organization_name: receiver.organization_name,
                    code: sent.code,
                },
            ))
        }
        Err(
            err @ (ReferralError::Invalid { .. }
            | ReferralError::Fields(_)
            | ReferralError::NoConsent
            | ReferralError::PossibleDuplicate),
        ) => {
            let receiver = match referrals.accepting_receiver(service).await {
                Ok(receiver) => receiver,
                Err(other) => return referral_refused(other, "/"),
            };
            let mut page = form_page(&visit, &catalog, &referrals, receiver, false, &form);
            page.form.complain(&err);
            let status = if matches!(err, ReferralError::PossibleDuplicate) {
                StatusCode::CONFLICT
            } else {
                StatusCode::BAD_REQUEST
            };
            visit.respond(html(status, &page))
        }
        Err(ReferralError::NotFound) => AppError::not_found("Dit aanbod").into_response(),
        Err(err) => referral_refused(err, &format!("/aanbod/{service}")),
    }
}

// ---------------------------------------------------------------- Welzijn op Recept intake

#[derive(Template)]
#[template(path = "referrals/intake.html")]
struct IntakePage {
    csrf: String,
    postcode: Field,
    /// When no intake point serves the area: where, and the nearest one.
    none_for: Option<String>,
    nearest: Option<(ReceiverRow, String)>,
}

#[derive(Deserialize, Default)]
struct IntakeQuery {
    #[serde(default)]
    postcode: String,
}

/// `GET /verwijzen`: Welzijn op Recept for a resident: their postcode picks the intake.
async fn intake_page(State(referrals): State<Referrals>, visit: Visit) -> Response {
    // Only professionals refer; the use case says who (a form for nobody helps nobody).
    if let Err(err) = referrals.may_refer(&visit.actor) {
        return referral_refused(err, "/verwijzen");
    }
    let page = IntakePage {
        csrf: visit.csrf_token(),
        postcode: Field::new("postcode", "Postcode van de inwoner", "text")
            .hint("Bijvoorbeeld 3562 AB. We zoeken het intakepunt voor die wijk."),
        none_for: None,
        nearest: None,
    };
    visit.respond(html(StatusCode::OK, &page))
}

/// `POST /verwijzen`: the postcode (in the body, not the URL) → the form of the intake point
/// for the resident's area, or a message with the nearest one.
async fn intake_post(
    State(catalog): State<Catalog>,
    State(referrals): State<Referrals>,
    CsrfForm { visit, form }: CsrfForm<IntakeQuery>,
) -> Response {
    if let Err(err) = referrals.may_refer(&visit.actor) {
        return referral_refused(err, "/verwijzen");
    }
    let mut postcode = Field::new("postcode", "Postcode van de inwoner", "text")
        .hint("Bijvoorbeeld 3562 AB. We zoeken het intakepunt voor die wijk.")
        .value(&form.postcode);
    match referrals.intake_for_postcode(&form.postcode).await {
        Ok(IntakeChoice::Found {
            receiver,
            area_name,
            ..
        }) => {
            let (rol, organisatie) = referrals
                .last_referrer_details(&visit.actor)
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
            let typed = ReferralInput {
                postcode: form.postcode.clone(),
                redenen: vec!["welzijn-op-recept".into()],
                rol,
                organisatie,
                ..ReferralInput::default()
            };
            let mut page = form_page(&visit, &catalog, &referrals, receiver, true, &typed);
            page.form.as_intake = true;
            page.title = format!("Welzijn op Recept in {area_name}");
            page.intro = Some(format!(
                "De intake voor {area_name} doet {} ({}).",
                page.receiver.service_name, page.receiver.organization_name
            ));
            visit.respond(html(StatusCode::OK, &page))
        }
        Ok(IntakeChoice::NoneForArea { area_name, nearest }) => {
            let page = IntakePage {
                csrf: visit.csrf_token(),
                postcode,
                none_for: Some(area_name.unwrap_or_else(|| "deze postcode".into())),
                nearest: nearest.map(|(receiver, km)| (receiver, format!("{km:.1} km"))),
            };
            visit.respond(html(StatusCode::OK, &page))
        }
        Err(ReferralError::Invalid { message, .. }) => {
            postcode.error = Some(message);
            let page = IntakePage {
                csrf: visit.csrf_token(),
                postcode,
                none_for: None,
                nearest: None,
            };
            visit.respond(html(StatusCode::BAD_REQUEST, &page))
        }
        Err(err) => referral_refused(err, "/verwijzen"),
    }
}

// ---------------------------------------------------------------- lists and one referral

/// A referral in a list: anonymous facts only.
struct Line {
    id: Uuid,
    code: String,
    service_name: String,
    sent: String,
    status: &'static str,
    status_code: &'static str,
    reason: Option<&'static str>,
    categories: Vec<String>,
    route: &'static str,
    referrer_role: String,
    steps: Vec<StepView>,
}

struct StepView {
    date: String,
    status: &'static str,
    reason: Option<&'static str>,
    matched: Option<(Uuid, String)>,
    note: Option<String>,
}

fn step_view(step: &Step) -> StepView {
    StepView {
        date: format_date(step.at.date()),
        status: step.status.label(),
        reason: step.reason.map(StatusReason::label),
        matched: step
            .matched_service_id
            .map(|id| (id, step.matched_service_name.clone().unwrap_or_default())),
        note: step.note.clone(),
    }
}

fn line(catalog: &Catalog, summary: &Summary, steps: &[Step]) -> Line {
    let row = &summary.row;
    Line {
        id: row.id,
        code: row.code.clone(),
        service_name: row
            .service_name
            .clone()
            .unwrap_or_else(|| "(aanbod bestaat niet meer)".into()),
        sent: format_date(row.created_at.date()),
        status: summary.status.label(),
        status_code: summary.status.code(),
        reason: summary.reason.map(StatusReason::label),
        categories: row
            .categories
            .iter()
            .filter_map(|c| catalog.vocabulary.category(c).map(|t| t.name.clone()))
            .collect(),
        route: summary.route.label(),
        referrer_role: ReferrerRole::parse(&row.referrer_role)
            .map_or_else(|| "Inwoner zelf".to_string(), |r| r.label().to_string()),
        steps: steps.iter().map(step_view).collect(),
    }
}

#[derive(Template)]
#[template(path = "referrals/mine.html")]
struct MinePage {
    lines: Vec<Line>,
}

/// `GET /mijn-verwijzingen`: what the signed-in professional sent, each with its statuses.
async fn mine(
    State(catalog): State<Catalog>,
    State(referrals): State<Referrals>,
    visit: Visit,
) -> Response {
    match referrals.sent_by(&visit.actor).await {
        Ok(sent) => {
            let lines = sent
                .iter()
                .map(|(summary, steps)| line(&catalog, summary, steps))
                .collect();
            visit.respond(html(StatusCode::OK, &MinePage { lines }))
        }
        Err(err) => referral_refused(err, "/mijn-verwijzingen"),
    }
}

#[derive(Template)]
#[template(path = "referrals/detail.html")]
struct DetailPage {
    line: Line,
    notice: Option<&'static str>,
    back: (&'static str, String),
    /// `None` once erased.
    personal: Option<crate::referrals::Personal>,
    channel: &'static str,
    referrer_organisation: String,
    wijk: Option<String>,
    consent: String,
    is_receiver: bool,
    /// The statuses this reader may choose now, with the reasons each needs.
    moves: Vec<Move>,
    reasons: RadioGroup,
    note: TextArea,
    /// "Gekoppeld aan activiteit": the search term and what it found.
    activity_query: String,
    activities: Vec<(Uuid, String, String)>,
    may_match: bool,
    csrf: String,
}

struct Move {
    code: &'static str,
    label: &'static str,
    needs_reason: bool,
}

#[derive(Deserialize, Default)]
struct DetailQuery {
    #[serde(default)]
    verstuurd: Option<String>,
    #[serde(default)]
    bijgewerkt: Option<String>,
    #[serde(default)]
    zoek: Option<String>,
}

async fn detail_page(
    catalog: &Catalog,
    referrals: &Referrals,
    visit: &Visit,
    id: Uuid,
    as_receiver: bool,
    query: &DetailQuery,
) -> Result<DetailPage, ReferralError> {
    let purpose = if as_receiver {
        "verwijzing behandelen"
    } else {
        "terugkoppeling bekijken"
    };
    let detail: Detail = referrals.open(&visit.actor, id, purpose).await?;
    let summary = &detail.summary;
    let row = &summary.row;
    let moves: Vec<Move> = summary
        .status
        .next()
        .iter()
        .filter(|to| detail.is_receiver || **to == ReferralStatus::Cancelled)
        .map(|to| Move {
            code: to.code(),
            label: to.label(),
            needs_reason: to.needs_reason(),
        })
        .collect();
    let mut reasons: Vec<(&'static str, &'static str, bool)> = Vec::new();
    // Only the reasons of the moves this reader may make.
    for to in summary
        .status
        .next()
        .iter()
        .filter(|to| moves.iter().any(|m| m.code == to.code()))
    {
        for reason in to.reasons() {
            if !reasons.iter().any(|(code, _, _)| *code == reason.code()) {
                reasons.push((reason.code(), reason.label(), false));
            }
        }
    }
    let may_match = detail.is_receiver
        && matches!(
            summary.status,
            ReferralStatus::Accepted | ReferralStatus::InProgress | ReferralStatus::OnHold
        );
    let activity_query = query.zoek.clone().unwrap_or_default();
    let activities = if may_match && !activity_query.trim().is_empty() {
        let request = crate::search::SearchRequest {
            text: Some(activity_query.trim().to_string()),
            limit: 10,
            ..Default::default()
        };
        catalog
            .search_request(request)
            .await
            .map_err(ReferralError::Internal)?
            .hits
            .into_iter()
            .map(|hit| {
                (
                    hit.summary.id,
                    hit.summary.name,
                    hit.summary.organization_name,
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let receiver_name = row.organization_name.clone().unwrap_or_default();
    Ok(DetailPage {
        line: line(catalog, summary, &detail.steps),
        notice: if query.verstuurd.is_some() {
            Some("De verwijzing is verstuurd. Geef de inwoner het recept mee.")
        } else if query.bijgewerkt.is_some() {
            Some("De verwijzing is bijgewerkt.")
        } else {
            None
        },
        back: if as_receiver {
            (
                "Alle verwijzingen",
                format!("/beheer/organisatie/{}/verwijzingen", row.organization_id),
            )
        } else {
            ("Mijn verwijzingen", "/mijn-verwijzingen".into())
        },
        personal: detail.personal.clone(),
        channel: Channel::parse(&row.preferred_channel).map_or("", Channel::label),
        referrer_organisation: row.referrer_organisation.clone(),
        wijk: row
            .wijk_code
            .as_deref()
            .and_then(|code| catalog.geo.get(code))
            .map(|n| n.name.clone()),
        consent: format!(
            "Gegeven op {} (tekst {}): {}",
            format_date(row.consent_at.date()),
            row.consent_version,
            consent_text(&receiver_name, referrals.settings().retention_days)
        ),
        is_receiver: detail.is_receiver,
        moves,
        reasons: RadioGroup {
            name: "reden",
            legend: "Reden (nodig bij afwijzen, annuleren, wachten en niet gelukt)",
            choices: reasons,
            error: None,
        },
        note: TextArea {
            name: "notitie",
            label: "Notitie voor de verwijzer (niet verplicht)",
            hint: format!("Kort, zonder medische gegevens. Hoogstens {MAX_NOTE} tekens."),
            value: String::new(),
            error: None,
        },
        activity_query,
        activities,
        may_match,
        csrf: visit.csrf_token(),
    })
}

/// `GET /mijn-verwijzingen/{id}`: the referrer's view of one referral.
async fn referrer_detail(
    State(catalog): State<Catalog>,
    State(referrals): State<Referrals>,
    Path(id): Path<String>,
    visit: Visit,
    Query(query): Query<DetailQuery>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return not_found();
    };
    match detail_page(&catalog, &referrals, &visit, id, false, &query).await {
        Ok(page) => no_store(visit.respond(html(StatusCode::OK, &page))),
        Err(err) => referral_refused(err, &format!("/mijn-verwijzingen/{id}")),
    }
}

/// `GET /beheer/verwijzingen/{id}`: the receiving organisation's view of one referral.
async fn receiver_detail(
    State(catalog): State<Catalog>,
    State(referrals): State<Referrals>,
    Path(id): Path<String>,
    visit: Visit,
    Query(query): Query<DetailQuery>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return not_found();
    };
    match detail_page(&catalog, &referrals, &visit, id, true, &query).await {
        Ok(page) => no_store(visit.respond(html(StatusCode::OK, &page))),
        Err(err) => referral_refused(err, &format!("/beheer/verwijzingen/{id}")),
    }
}

/// Pages with personal data are not kept by browsers or proxies.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[derive(Deserialize, Default)]
struct TransitionPost {
    #[serde(flatten)]
    input: TransitionInput,
    /// Which page the form was on: `ontvanger` or `verwijzer`.
    #[serde(default)]
    kant: String,
}

/// The page a form about referral `id` came from (`kant`: `ontvanger` or `verwijzer`), where
/// the answer goes back to.
fn page_of(kant: &str, id: Uuid) -> String {
    if kant == "ontvanger" {
        format!("/beheer/verwijzingen/{id}")
    } else {
        format!("/mijn-verwijzingen/{id}")
    }
}

/// Back to the referral's page with "bijgewerkt", or the refusal.
fn back_to_referral(result: Result<(), ReferralError>, page: &str) -> Response {
    match result {
        Ok(()) => see_other(&format!("{page}?bijgewerkt=1")),
        Err(err) => referral_refused(err, page),
    }
}

/// `POST /verwijzingen/{id}/status`: a new status (or a match to an activity).
async fn transition_post(
    State(referrals): State<Referrals>,
    Path(id): Path<String>,
    CsrfForm { visit, form }: CsrfForm<TransitionPost>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return not_found();
    };
    let result = referrals.transition(&visit.actor, id, &form.input).await;
    back_to_referral(result.map(|_| ()), &page_of(&form.kant, id))
}

#[derive(Deserialize, Default)]
struct WithdrawPost {
    #[serde(default)]
    kant: String,
}

/// `POST /verwijzingen/{id}/toestemming-intrekken`: the resident withdrew consent (recorded by
/// the referrer or the receiver): erased at once.
async fn withdraw_post(
    State(referrals): State<Referrals>,
    Path(id): Path<String>,
    CsrfForm { visit, form }: CsrfForm<WithdrawPost>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return not_found();
    };
    let result = referrals.withdraw_consent(&visit.actor, id).await;
    back_to_referral(result, &page_of(&form.kant, id))
}

// ---------------------------------------------------------------- the recept

#[derive(Template)]
#[template(path = "referrals/recept.html")]
struct ReceptPage {
    code: String,
    name: Option<String>,
    service_id: Uuid,
    service_name: String,
    organization_name: String,
    description: String,
    places: Vec<String>,
    when: Vec<String>,
    phone: Option<String>,
    email: Option<String>,
    channel: &'static str,
    status_url: String,
    sent: String,
}

/// `GET /verwijzingen/{id}/recept`: the plain-language recept for the resident, one A4.
async fn recept(
    State(catalog): State<Catalog>,
    State(referrals): State<Referrals>,
    State(config): State<std::sync::Arc<crate::config::Config>>,
    Path(id): Path<String>,
    visit: Visit,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return not_found();
    };
    let detail = match referrals.open(&visit.actor, id, "recept afdrukken").await {
        Ok(detail) => detail,
        Err(err) => return referral_refused(err, &format!("/verwijzingen/{id}/recept")),
    };
    let row = &detail.summary.row;
    let record = match catalog.service(row.service_id).await {
        Ok(record) => record,
        Err(err) => return AppError::Internal(err).into_response(),
    };
    let (description, places, when, phone, email) = match &record {
        Some(record) => (
            short(&record.service.description, 300),
            record
                .locations
                .iter()
                .map(|l| {
                    let mut parts = vec![l.name.clone().unwrap_or_default()];
                    if let Some(a) = &l.address {
                        parts.push(format!("{}, {} {}", a.address_1, a.postal_code, a.city));
                    }
                    parts.retain(|p| !p.is_empty());
                    parts.join(", ")
                })
                .filter(|p| !p.is_empty())
                .collect(),
            record
                .service
                .schedules
                .iter()
                .map(|s| s.summary())
                .filter(|t| !t.is_empty())
                .collect(),
            record
                .service
                .phone
                .clone()
                .or_else(|| record.organization.phone.clone()),
            record
                .service
                .email
                .clone()
                .or_else(|| record.organization.email.clone()),
        ),
        None => (String::new(), Vec::new(), Vec::new(), None, None),
    };
    let page = ReceptPage {
        code: row.code.clone(),
        name: detail.personal.as_ref().map(|p| p.name.clone()),
        service_id: row.service_id,
        service_name: row.service_name.clone().unwrap_or_default(),
        organization_name: row.organization_name.clone().unwrap_or_default(),
        description,
        places,
        when,
        phone,
        email,
        channel: Channel::parse(&row.preferred_channel).map_or("", Channel::label),
        status_url: format!("{}/mijn-verwijzing", config.public_base()),
        sent: format_date(row.created_at.date()),
    };
    no_store(visit.respond(html(StatusCode::OK, &page)))
}

/// At most `max` characters, cut at a word.
fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    match cut.rfind(' ') {
        Some(at) => format!("{} …", &cut[..at]),
        None => format!("{cut} …"),
    }
}

// ---------------------------------------------------------------- the inbox

#[derive(Template)]
#[template(path = "referrals/inbox.html")]
struct InboxPage {
    organization_id: Uuid,
    organization_name: String,
    tab: &'static str,
    tabs: Vec<(&'static str, &'static str, usize)>,
    lines: Vec<Line>,
}

#[derive(Deserialize, Default)]
struct InboxQuery {
    #[serde(default)]
    tab: String,
}

/// `GET /beheer/organisatie/{id}/verwijzingen`: the organisation's referrals in four tabs.
async fn inbox(
    State(catalog): State<Catalog>,
    State(referrals): State<Referrals>,
    State(accounts): State<Accounts>,
    Path(id): Path<String>,
    visit: Visit,
    Query(query): Query<InboxQuery>,
) -> Response {
    let Some(org) = parse_id(&id) else {
        return AppError::not_found("Deze organisatie").into_response();
    };
    let path = format!("/beheer/organisatie/{org}/verwijzingen");
    let inbox = match referrals.inbox(&visit.actor, org).await {
        Ok(inbox) => inbox,
        Err(err) => return referral_refused(err, &path),
    };
    let organization_name = match accounts.organisation(org).await {
        Ok((_, name)) => name,
        Err(err) => return refused(err, &path),
    };
    let tabs = vec![
        ("nieuw", "Nieuw", inbox.new.len()),
        ("bezig", "Bezig", inbox.in_progress.len()),
        ("wacht", "Wacht", inbox.waiting.len()),
        ("afgerond", "Afgerond", inbox.closed.len()),
    ];
    let (tab, chosen) = match query.tab.as_str() {
        "bezig" => ("bezig", inbox.in_progress),
        "wacht" => ("wacht", inbox.waiting),
        "afgerond" => ("afgerond", inbox.closed),
        _ => ("nieuw", inbox.new),
    };
    let lines = chosen.iter().map(|s| line(&catalog, s, &[])).collect();
    visit.respond(html(
        StatusCode::OK,
        &InboxPage {
            organization_id: org,
            organization_name,
            tab,
            tabs,
            lines,
        },
    ))
}

#[derive(Template)]
#[template(path = "referrals/audit.html")]
struct AuditPage {
    organization_id: Uuid,
    organization_name: String,
    rows: Vec<AuditView>,
}

struct AuditView {
    at: String,
    referral_id: Uuid,
    code: String,
    who: String,
    role: String,
    purpose: String,
}

impl From<AuditRow> for AuditView {
    fn from(row: AuditRow) -> Self {
        AuditView {
            at: super::moderation::when(row.at),
            referral_id: row.referral_id,
            code: row.referral_code,
            who: row
                .actor_email
                .unwrap_or_else(|| "inwoner (met code)".into()),
            role: row.actor_role,
            purpose: row.purpose,
        }
    }
}

/// `GET /beheer/organisatie/{id}/verwijzingen/logboek`: who read which referral's personal
/// data, when and why.
async fn audit_log(
    State(referrals): State<Referrals>,
    State(accounts): State<Accounts>,
    Path(id): Path<String>,
    visit: Visit,
) -> Response {
    let Some(org) = parse_id(&id) else {
        return AppError::not_found("Deze organisatie").into_response();
    };
    let path = format!("/beheer/organisatie/{org}/verwijzingen/logboek");
    let rows = match referrals.audit_log(&visit.actor, org, None).await {
        Ok(rows) => rows,
        Err(err) => return referral_refused(err, &path),
    };
    let organization_name = match accounts.organisation(org).await {
        Ok((_, name)) => name,
        Err(err) => return refused(err, &path),
    };
    visit.respond(html(
        StatusCode::OK,
        &AuditPage {
            organization_id: org,
            organization_name,
            rows: rows.into_iter().map(AuditView::from).collect(),
        },
    ))
}

// ---------------------------------------------------------------- intake points

#[derive(Template)]
#[template(path = "referrals/intakes.html")]
struct IntakesPage {
    rows: Vec<(String, String, Uuid, String, String)>,
    notice: Option<&'static str>,
    area: Field,
    service: Field,
    csrf: String,
}

#[derive(Deserialize, Default)]
struct IntakesQuery {
    #[serde(default)]
    opgeslagen: Option<String>,
}

async fn intakes_page(
    catalog: &Catalog,
    referrals: &Referrals,
    visit: &Visit,
    typed: &IntakeSet,
    error: Option<(&'static str, String)>,
    notice: Option<&'static str>,
) -> Result<IntakesPage, ReferralError> {
    let rows = referrals
        .intakes(&visit.actor)
        .await?
        .into_iter()
        .map(|i| {
            (
                catalog
                    .geo
                    .get(&i.area_code)
                    .map_or_else(|| i.area_code.clone(), |n| n.name.clone()),
                i.area_code,
                i.receiver.service_id,
                i.receiver.service_name,
                i.receiver.organization_name,
            )
        })
        .collect();
    let mut area = Field::new("gebied", "Wijk- of gemeentecode", "text")
        .hint("Bijvoorbeeld WK034403 (Overvecht) of GM0344 (Utrecht).")
        .value(&typed.gebied);
    let mut service = Field::new("aanbod", "Id van het aanbod dat de intake doet", "text")
        .hint("Het id staat in de link van het aanbod: /aanbod/…")
        .value(&typed.aanbod);
    match error {
        Some(("aanbod", message)) => service.error = Some(message),
        Some((_, message)) => area.error = Some(message),
        None => {}
    }
    Ok(IntakesPage {
        rows,
        notice,
        area,
        service,
        csrf: visit.csrf_token(),
    })
}

/// `GET /beheer/intake`: the Welzijn op Recept intake point of each area (moderators).
async fn intakes(
    State(catalog): State<Catalog>,
    State(referrals): State<Referrals>,
    visit: Visit,
    Query(query): Query<IntakesQuery>,
) -> Response {
    let notice = query.opgeslagen.map(|_| "Het intakepunt is opgeslagen.");
    match intakes_page(
        &catalog,
        &referrals,
        &visit,
        &IntakeSet::default(),
        None,
        notice,
    )
    .await
    {
        Ok(page) => visit.respond(html(StatusCode::OK, &page)),
        Err(err) => referral_refused(err, "/beheer/intake"),
    }
}

#[derive(Deserialize, Default)]
struct IntakeSet {
    #[serde(default)]
    gebied: String,
    #[serde(default)]
    aanbod: String,
}

/// `POST /beheer/intake`: make a service the intake point of an area.
async fn intake_set(
    State(catalog): State<Catalog>,
    State(referrals): State<Referrals>,
    CsrfForm { visit, form }: CsrfForm<IntakeSet>,
) -> Response {
    let result = match parse_id(&form.aanbod) {
        Some(service) => {
            referrals
                .set_intake(&visit.actor, form.gebied.trim(), service)
                .await
        }
        None => Err(ReferralError::Invalid {
            field: "aanbod",
            message: "Vul het id van een aanbod in.".into(),
        }),
    };
    match result {
        Ok(()) => see_other("/beheer/intake?opgeslagen=1"),
        Err(ReferralError::Invalid { field, message }) => {
            match intakes_page(
                &catalog,
                &referrals,
                &visit,
                &form,
                Some((field, message)),
                None,
            )
            .await
            {
                Ok(page) => visit.respond(html(StatusCode::BAD_REQUEST, &page)),
                Err(err) => referral_refused(err, "/beheer/intake"),
            }
        }
        Err(err) => referral_refused(err, "/beheer/intake"),
    }
}

/// `POST /beheer/intake/verwijderen`: an area no longer has an intake point.
async fn intake_remove(
    State(referrals): State<Referrals>,
    CsrfForm { visit, form }: CsrfForm<IntakeSet>,
) -> Response {
    match referrals
        .remove_intake(&visit.actor, form.gebied.trim())
        .await
    {
        Ok(_) => see_other("/beheer/intake?opgeslagen=1"),
        Err(err) => referral_refused(err, "/beheer/intake"),
    }
}

// ---------------------------------------------------------------- the resident's own page

#[derive(Template)]
#[template(path = "referrals/resident.html")]
struct ResidentPage {
    csrf: String,
    code: Field,
    contact: Field,
    problem: Option<&'static str>,
    notice: Option<&'static str>,
    /// Found: the referral's anonymous facts and timeline.
    found: Option<Line>,
}

impl ResidentPage {
    /// The look-up form, with the code as typed (never the contact: a failed look-up must
    /// not echo it).
    fn new(visit: &Visit, typed: &ResidentPost) -> Self {
        ResidentPage {
            csrf: visit.csrf_token(),
            code: Field::new("code", "Uw code", "text")
                .hint("Die staat op uw recept, bijvoorbeeld K7M-4QX-P2A.")
                .value(&typed.code),
            contact: Field::new("contact", "Uw telefoonnummer of e-mailadres", "text")
                .hint("Hetzelfde als op de verwijzing.")
                .autocomplete("tel"),
            problem: None,
            notice: None,
            found: None,
        }
    }
}

/// The look-up form again with "not found" (a wrong code, contact or an erased referral
/// all look the same).
fn resident_not_found(visit: Visit, typed: &ResidentPost) -> Response {
    let mut page = ResidentPage::new(&visit, typed);
    page.problem = Some(NOT_FOUND_FOR_RESIDENT);
    visit.respond(html(StatusCode::NOT_FOUND, &page))
}

/// `GET /mijn-verwijzing`: a resident looks up their referral (code + contact, no account).
async fn resident_page(visit: Visit) -> Response {
    let page = ResidentPage::new(&visit, &ResidentPost::default());
    visit.respond(html(StatusCode::OK, &page))
}

#[derive(Deserialize, Default)]
struct ResidentPost {
    #[serde(default)]
    code: String,
    #[serde(default)]
    contact: String,
}

const NOT_FOUND_FOR_RESIDENT: &str = "We vinden geen verwijzing met deze code en dit \
     telefoonnummer of e-mailadres. Kijk of alles goed is overgenomen van uw recept.";

/// `POST /mijn-verwijzing` (rate-limited per client): the status, when code and contact match.
async fn resident_post(
    State(catalog): State<Catalog>,
    State(referrals): State<Referrals>,
    CsrfForm { visit, form }: CsrfForm<ResidentPost>,
) -> Response {
    match referrals.resident_view(&form.code, &form.contact).await {
        Ok(view) => {
            let mut found = line(&catalog, &view.summary, &view.steps);
            // The resident need not see which professional role sent them.
            found.referrer_role = String::new();
            let mut page = ResidentPage::new(&visit, &form);
            // Kept for the withdraw button on the same page (a hidden POST field, not a URL).
            page.contact.value = form.contact.clone();
            page.found = Some(found);
            no_store(visit.respond(html(StatusCode::OK, &page)))
        }
        Err(ReferralError::NotFound) => resident_not_found(visit, &form),
        Err(err) => referral_refused(err, "/mijn-verwijzing"),
    }
}

/// `POST /mijn-verwijzing/intrekken`: the resident withdraws consent; erased at once.
async fn resident_withdraw(
    State(referrals): State<Referrals>,
    CsrfForm { visit, form }: CsrfForm<ResidentPost>,
) -> Response {
    match referrals
        .withdraw_consent_as_resident(&form.code, &form.contact)
        .await
    {
        Ok(()) => {
            let mut page = ResidentPage::new(&visit, &ResidentPost::default());
            page.notice =
                Some("Uw toestemming is ingetrokken. We hebben uw naam en contactgegevens gewist.");
            visit.respond(html(StatusCode::OK, &page))
        }
        Err(ReferralError::NotFound) => resident_not_found(visit, &form),
        Err(err) => referral_refused(err, "/mijn-verwijzing"),
    }
}
