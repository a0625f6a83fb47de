//! The sign-up and claim pages: `/organisatie-aanmelden` and `/aanbod/{id}/claimen` for
//! everyone, and the moderators' queue `/beheer/aanmeldingen` where requests are approved or
//! rejected. The use cases (`crate::claims`) decide who may see and do what.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use crate::accounts::{AccountError, Accounts, Invited};
use crate::catalog::Catalog;
use crate::claims::{ClaimInput, Queued, RequestError, Requests, SignUpInput};
use crate::error::AppError;
use crate::store::RequestKind;
use crate::web::account::{Field, FormPage, html, refused};
use crate::web::session::{CsrfForm, Visit};

const QUEUE: &str = "/beheer/aanmeldingen";

const CONSENT: &str = "Wijkwijzer mag mijn naam en e-mailadres gebruiken om deze aanvraag te \
                       behandelen en mij te mailen.";

fn signup_page(visit: &Visit, typed: &SignUpInput) -> FormPage {
    let mut page = FormPage::new(
        "Organisatie aanmelden",
        "/organisatie-aanmelden",
        "Aanmelding versturen",
    );
    page.intro = vec![
        "Staat uw organisatie of buurtinitiatief nog niet op Wijkwijzer? Meld het hier aan. \
         Een moderator bekijkt de aanmelding. Keurt de moderator hem goed? Dan krijgt u een \
         mail met een link om uw account te maken, en kunt u uw aanbod zelf invullen."
            .into(),
    ];
    page.fields = vec![
        Field::new("naam", "Naam van de organisatie", "text")
            .autocomplete("organization")
            .value(&typed.naam),
        Field::new("beschrijving", "Wat doet de organisatie?", "textarea")
            .hint("Een paar zinnen. Dit ziet de moderator, en later ook bezoekers.")
            .value(&typed.beschrijving),
        Field::new("kvk", "KvK-nummer (niet verplicht)", "text")
            .hint("8 cijfers. Heeft de organisatie geen KvK-nummer? Laat het leeg.")
            .optional()
            .value(&typed.kvk),
        Field::new("website", "Website (niet verplicht)", "text")
            .autocomplete("url")
            .optional()
            .value(&typed.website),
        Field::new("postcode", "Postcode", "text")
            .autocomplete("postal-code")
            .hint("Waar de organisatie zit. Vul de postcode of de plaats in.")
            .optional()
            .value(&typed.postcode),
        Field::new("plaats", "Plaats", "text")
            .autocomplete("address-level2")
            .optional()
            .value(&typed.plaats),
        Field::new("contactpersoon", "Uw naam", "text")
            .autocomplete("name")
            .value(&typed.contactpersoon),
        Field::new("email", "Uw e-mailadres", "email")
            .autocomplete("email")
            .hint("Hier sturen we de uitnodiging of het antwoord naartoe.")
            .value(&typed.email),
        Field::new("toestemming", CONSENT, "checkbox").value(&typed.toestemming),
    ];
    page.csrf = visit.csrf_token();
    page
}

fn claim_page(visit: &Visit, id: Uuid, names: &(String, String), typed: &ClaimInput) -> FormPage {
    let (service, organization) = names;
    let mut page = FormPage::new(
        "Is dit uw organisatie?",
        format!("/aanbod/{id}/claimen"),
        "Vraag versturen",
    );
    page.intro = vec![
        format!("U vraagt om het aanbod van {organization} zelf bij te houden, zoals “{service}”."),
        "Een moderator bekijkt uw vraag. Keurt de moderator hem goed? Dan krijgt u een mail met \
         een link om in te loggen."
            .into(),
    ];
    page.fields = vec![
        Field::new("contactpersoon", "Uw naam", "text")
            .autocomplete("name")
            .value(&typed.contactpersoon),
        Field::new("email", "Uw e-mailadres", "email")
            .autocomplete("email")
            .hint("Gebruik het e-mailadres van uw werk bij de organisatie, als u dat heeft.")
            .value(&typed.email),
        Field::new("functie", "Uw functie bij de organisatie", "text")
            .autocomplete("organization-title")
            .value(&typed.functie),
        Field::new(
            "bericht",
            "Bericht voor de moderator (niet verplicht)",
            "textarea",
        )
        .optional()
        .value(&typed.bericht),
        Field::new("toestemming", CONSENT, "checkbox").value(&typed.toestemming),
    ];
    page.links = vec![("Terug naar het aanbod", format!("/aanbod/{id}"))];
    page.csrf = visit.csrf_token();
    page
}

/// The answer to a posted request form: thanks, the form again with every problem next to
/// its field, or 429 when this address sent too many.
fn after_post(visit: &Visit, mut page: FormPage, result: Result<Uuid, RequestError>) -> Response {
    match result {
        Ok(_) => {
            page.show_form = false;
            page.notice = Some(
                "Dank u. Een moderator bekijkt uw aanvraag en u krijgt antwoord per mail.".into(),
            );
            visit.respond(html(StatusCode::OK, &page))
        }
        Err(RequestError::Invalid(problems)) => {
            for (field, message) in problems {
                page.complain(message, Some(field));
            }
            visit.respond(html(StatusCode::BAD_REQUEST, &page))
        }
        Err(RequestError::Account(AccountError::Throttled { retry_after })) => {
            page.problem = Some(
                "Vanaf uw internetadres zijn in korte tijd te veel aanvragen verstuurd. Probeer \
                 het over een uur opnieuw."
                    .into(),
            );
            let mut response = visit.respond(html(StatusCode::TOO_MANY_REQUESTS, &page));
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                retry_after.as_secs().max(1).into(),
            );
            response
        }
        Err(RequestError::NotOpen) => AppError::not_found("Deze aanvraag").into_response(),
        Err(RequestError::Account(err)) => refused(err, &page.action),
    }
}

pub async fn signup(visit: Visit) -> Response {
    let page = signup_page(&visit, &SignUpInput::default());
    visit.respond(html(StatusCode::OK, &page))
}

pub async fn signup_post(
    State(catalog): State<Catalog>,
    State(accounts): State<Accounts>,
    CsrfForm { visit, form }: CsrfForm<SignUpInput>,
) -> Response {
    let result = Requests::new(&catalog, &accounts)
        .sign_up(&form, visit.client)
        .await;
    after_post(&visit, signup_page(&visit, &form), result)
}

/// The id in a path; a malformed one is a page that does not exist (the caller says which).
pub(super) fn path_id(raw: &str) -> Option<Uuid> {
    Uuid::parse_str(raw.trim()).ok()
}

fn no_such_service() -> Response {
    AppError::not_found("Dit aanbod").into_response()
}

pub async fn claim(
    State(catalog): State<Catalog>,
    State(accounts): State<Accounts>,
    visit: Visit,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return no_such_service();
    };
    match Requests::new(&catalog, &accounts).claimable(id).await {
        Ok(names) => {
            let page = claim_page(&visit, id, &names, &ClaimInput::default());
            visit.respond(html(StatusCode::OK, &page))
        }
        Err(err) => after_post(&visit, FormPage::new("", "/", ""), Err(err)),
    }
}

pub async fn claim_post(
    State(catalog): State<Catalog>,
    State(accounts): State<Accounts>,
    Path(id): Path<String>,
    CsrfForm { visit, form }: CsrfForm<ClaimInput>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return no_such_service();
    };
    let requests = Requests::new(&catalog, &accounts);
    let names = match requests.claimable(id).await {
        Ok(names) => names,
        Err(err) => return after_post(&visit, FormPage::new("", "/", ""), Err(err)),
    };
    let result = requests.claim(id, &form, visit.client).await;
    after_post(&visit, claim_page(&visit, id, &names, &form), result)
}

// ---------------------------------------------------------------- the moderators' queue

/// One request as the queue shows it, already worded.
pub struct RequestView {
    pub id: String,
    pub heading: String,
    pub kind: &'static str,
    /// (label, value) lines; every value typed by the public, escaped by the template.
    pub facts: Vec<(&'static str, String)>,
    pub message: Option<String>,
    pub link: Option<(String, String)>,
    pub received: String,
    /// The reason typed into this request's reject form, and why it could not be used.
    pub reason: String,
    pub reason_error: Option<String>,
}

#[derive(Template)]
#[template(path = "claims/queue.html")]
struct QueuePage {
    notice: Option<String>,
    requests: Vec<RequestView>,
    csrf: String,
}

fn view(queued: Queued) -> RequestView {
    let Queued { request, claimed } = queued;
    let d = request.details;
    let mut facts = Vec::new();
    let mut push = |label: &'static str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            facts.push((label, value));
        }
    };
    push("Contactpersoon", Some(d.contact_name));
    push("E-mailadres", Some(d.contact_email));
    push("Functie", d.contact_function);
    push("KvK-nummer", d.kvk_number);
    push("Website", d.website);
    push("Postcode", d.postcode);
    push("Plaats", d.place);
    push("Gemeente", request.gemeente);
    let (kind, heading, link) = match request.kind {
        RequestKind::SignUp => ("Nieuwe organisatie", d.organization_name, None),
        RequestKind::Claim => (
            "Wil het aanbod beheren van",
            claimed.unwrap_or(d.organization_name),
            request
                .service
                .map(|s| (format!("/aanbod/{s}"), "Bekijk het aanbod".to_string())),
        ),
    };
    let format = time::macros::format_description!("[day]-[month]-[year] [hour]:[minute]");
    RequestView {
        id: request.id.to_string(),
        heading,
        kind,
        facts,
        message: [d.description, d.message.unwrap_or_default()]
            .into_iter()
            .find(|text| !text.is_empty()),
        link,
        received: request.created_at.format(&format).unwrap_or_default(),
        reason: String::new(),
        reason_error: None,
    }
}

async fn queue_page(requests: &Requests, visit: &Visit) -> Result<QueuePage, RequestError> {
    Ok(QueuePage {
        notice: None,
        requests: requests
            .queue(&visit.actor)
            .await?
            .into_iter()
            .map(view)
            .collect(),
        csrf: visit.csrf_token(),
    })
}

/// A refusal or failure of the queue's use cases as a response.
fn queue_refused(err: RequestError) -> Response {
    match err {
        RequestError::Account(err) => refused(err, QUEUE),
        RequestError::NotOpen => AppError::not_found("Deze aanvraag").into_response(),
        RequestError::Invalid(problems) => AppError::BadRequest {
            param: None,
            detail: problems
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join(" "),
        }
        .into_response(),
    }
}

pub async fn queue(
    State(catalog): State<Catalog>,
    State(accounts): State<Accounts>,
    visit: Visit,
) -> Response {
    match queue_page(&Requests::new(&catalog, &accounts), &visit).await {
        Ok(page) => visit.respond(html(StatusCode::OK, &page)),
        Err(err) => queue_refused(err),
    }
}

fn no_such_request() -> Response {
    AppError::not_found("Deze aanvraag").into_response()
}

#[derive(Deserialize)]
pub struct NoFields {}

pub async fn approve(
    State(catalog): State<Catalog>,
    State(accounts): State<Accounts>,
    Path(id): Path<String>,
    CsrfForm { visit, .. }: CsrfForm<NoFields>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return no_such_request();
    };
    let requests = Requests::new(&catalog, &accounts);
    let approved = match requests.approve(&visit.actor, id).await {
        Ok(approved) => approved,
        Err(err) => return queue_refused(err),
    };
    let mut page = match queue_page(&requests, &visit).await {
        Ok(page) => page,
        Err(err) => return queue_refused(err),
    };
    page.notice = Some(match approved.invited {
        Invited::NewAccount => "Goedgekeurd. De aanvrager krijgt een mail met een uitnodiging \
                                om een account te maken."
            .into(),
        Invited::RoleAdded | Invited::AlreadyHadRole => {
            "Goedgekeurd. De aanvrager had al een account en kan het aanbod nu bijhouden.".into()
        }
    });
    visit.respond(html(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct RejectForm {
    #[serde(default)]
    reden: String,
}

pub async fn reject(
    State(catalog): State<Catalog>,
    State(accounts): State<Accounts>,
    Path(id): Path<String>,
    CsrfForm { visit, form }: CsrfForm<RejectForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return no_such_request();
    };
    let requests = Requests::new(&catalog, &accounts);
    let problems = match requests.reject(&visit.actor, id, &form.reden).await {
        Ok(()) => None,
        Err(RequestError::Invalid(problems)) => Some(problems),
        Err(err) => return queue_refused(err),
    };
    let mut page = match queue_page(&requests, &visit).await {
        Ok(page) => page,
        Err(err) => return queue_refused(err),
    };
    let Some(problems) = problems else {
        page.notice = Some("Afgewezen. De aanvrager krijgt een mail met de reden.".into());
        return visit.respond(html(StatusCode::OK, &page));
    };
    let key = id.to_string();
    if let Some(view) = page.requests.iter_mut().find(|r| r.id == key) {
        view.reason = form.reden;
        view.reason_error = problems.into_iter().next().map(|(_, m)| m);
    }
    visit.respond(html(StatusCode::BAD_REQUEST, &page))
}
