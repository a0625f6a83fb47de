//! Editing listings in the browser (issue 13, part 3): an organisation's page for its editors
//! (`/beheer/organisatie/{id}`), the service form (`/beheer/aanbod/nieuw`,
//! `/beheer/aanbod/{id}/bewerken`) and the location form (`/beheer/locatie/nieuw`,
//! `/beheer/locatie/{id}/bewerken`).
//!
//! The forms work without JavaScript: every repeated part (times, contact people) has empty
//! rows to fill in, a post that cannot be saved shows the form again with everything that was
//! typed and the errors next to their fields (and in a summary at the top that links to them).
//! What becomes of a saved form (published, waiting for a moderator, nothing changed) is
//! decided by the use cases in `crate::listings`; the answer is a redirect back to the form
//! with a notice, so that reloading does not post again.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use uuid::Uuid;

use super::account::refused;
use super::session::{CsrfForm, Visit};
use crate::accounts::AccountError;
use crate::app::AppState;
use crate::catalog::{Catalog, ListingChangeError};
use crate::config::Config;
use crate::domain::vocabulary::{CATEGORY_TAXONOMY, TARGET_GROUP_TAXONOMY};
use crate::domain::{
    AccessRoute, Address, Contact, Cost, CostKind, Formality, GroupFormat, Invalid, Location,
    Placement, Schedule, Service, ServiceArea, ServiceStatus, Setting,
};
use crate::editing::{Unplaceable, place_location};
use crate::error::AppError;
use crate::listings::{Editable, Proposal, Version};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/beheer/organisatie/{id}", get(organisation))
        .route(
            "/beheer/aanbod/nieuw",
            get(new_service).post(create_service),
        )
        .route(
            "/beheer/aanbod/{id}/bewerken",
            get(edit_service).post(update_service),
        )
        .route(
            "/beheer/locatie/nieuw",
            get(new_location).post(create_location),
        )
        .route(
            "/beheer/locatie/{id}/bewerken",
            get(edit_location).post(update_location),
        )
}

/// Empty schedule rows below the filled ones: room to add times without JavaScript.
const EMPTY_SCHEDULE_ROWS: usize = 2;
const EMPTY_CONTACT_ROWS: usize = 1;
/// Rows read from a post; more are ignored (a form never has this many).
const MAX_ROWS: usize = 40;

const WEEKDAYS: [(&str, &str); 7] = [
    ("MO", "maandag"),
    ("TU", "dinsdag"),
    ("WE", "woensdag"),
    ("TH", "donderdag"),
    ("FR", "vrijdag"),
    ("SA", "zaterdag"),
    ("SU", "zondag"),
];

/// Which week of the month a time is on; "" is every week (RFC 5545 BYDAY ordinals).
const WEEKS: [(&str, &str); 6] = [
    ("", "Elke week"),
    ("1", "Elke eerste van de maand"),
    ("2", "Elke tweede van de maand"),
    ("3", "Elke derde van de maand"),
    ("4", "Elke vierde van de maand"),
    ("-1", "Elke laatste van de maand"),
];

// ---------------------------------------------------------------- what was posted

/// A posted form as name–value pairs, repeated names kept (checkboxes).
struct Posted(Vec<(String, String)>);

impl Posted {
    /// The first value of `name`, trimmed; empty when absent.
    fn one(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, v)| n == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }

    fn checked(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }
}

fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// Errors of one post, by field name; shown next to the fields and in the summary.
#[derive(Default)]
struct Errors(Vec<(String, String)>);

impl Errors {
    fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let field = field.into();
        if !self.0.iter().any(|(f, _)| *f == field) {
            self.0.push((field, message.into()));
        }
    }

    fn get(&self, field: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The HTML id of a field: its name with only letters, digits, `-` and `_`.
fn field_id(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("veld-{}", cleaned.trim_matches('-').replace("--", "-"))
}

// ---------------------------------------------------------------- what a form shows

/// `aria-describedby` of a field or fieldset with this id: its error first, then its hint.
fn described_by(id: &str, error: bool, hint: bool) -> String {
    let mut ids = Vec::new();
    if error {
        ids.push(format!("fout-{id}"));
    }
    if hint {
        ids.push(format!("uitleg-{id}"));
    }
    ids.join(" ")
}

/// A text input or text area, already worded, with what was typed and its error.
pub struct Input {
    pub name: String,
    pub id: String,
    pub label: String,
    /// `text`, `email`, `tel`, `url`, `time`, `textarea`.
    pub kind: &'static str,
    pub inputmode: &'static str,
    pub autocomplete: &'static str,
    pub hint: Option<String>,
    pub value: String,
    pub error: Option<String>,
}

impl Input {
    fn new(name: &str, label: &str, kind: &'static str, value: &str, errors: &Errors) -> Self {
        Input {
            name: name.to_string(),
            id: field_id(name),
            label: label.to_string(),
            kind,
            inputmode: "",
            autocomplete: "off",
            hint: None,
            value: value.to_string(),
            error: errors.get(name),
        }
    }

    fn hint(mut self, hint: &str) -> Self {
        self.hint = Some(hint.to_string());
        self
    }

    fn inputmode(mut self, mode: &'static str) -> Self {
        self.inputmode = mode;
        self
    }

    fn autocomplete(mut self, value: &'static str) -> Self {
        self.autocomplete = value;
        self
    }

    /// `aria-describedby`: the error first, then the hint.
    pub fn described_by(&self) -> String {
        described_by(&self.id, self.error.is_some(), self.hint.is_some())
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// Checkboxes or radio buttons in a fieldset with a legend; optionally in sub-groups.
pub struct ChoiceGroup {
    pub name: String,
    pub id: String,
    pub legend: String,
    /// `checkbox` or `radio`.
    pub kind: &'static str,
    pub hint: Option<String>,
    pub error: Option<String>,
    /// (heading, options); one group with an empty heading when there are no sub-groups.
    pub groups: Vec<(String, Vec<Choice>)>,
    /// Shown collapsed (`<details>`) with this many checked: long lists such as wijken.
    pub collapsible: bool,
}

impl ChoiceGroup {
    fn new(name: &str, legend: &str, kind: &'static str, errors: &Errors) -> Self {
        ChoiceGroup {
            name: name.to_string(),
            id: field_id(name),
            legend: legend.to_string(),
            kind,
            hint: None,
            error: errors.get(name),
            groups: Vec::new(),
            collapsible: false,
        }
    }

    fn options<'a>(
        mut self,
        heading: &str,
        options: impl IntoIterator<Item = (&'a str, &'a str)>,
        chosen: &[String],
    ) -> Self {
        let options = options
            .into_iter()
            .map(|(value, label)| Choice {
                value: value.to_string(),
                label: label.to_string(),
                checked: chosen.iter().any(|c| c == value),
            })
            .collect();
        self.groups.push((heading.to_string(), options));
        self
    }

    fn hint(mut self, hint: &str) -> Self {
        self.hint = Some(hint.to_string());
        self
    }

    pub fn described_by(&self) -> String {
        described_by(&self.id, self.error.is_some(), self.hint.is_some())
    }

    /// How many are checked in a sub-group (for the collapsed heading).
    pub fn checked_in(options: &[Choice]) -> usize {
        options.iter().filter(|c| c.checked).count()
    }
}

/// One row of weekly times.
pub struct ScheduleRow {
    pub number: usize,
    pub days: ChoiceGroup,
    pub week: ChoiceGroup,
    pub opens: Input,
    pub closes: Input,
    pub holidays_name: String,
    pub holidays_id: String,
    pub holidays: bool,
}

pub struct ContactRow {
    pub number: usize,
    pub fields: Vec<Input>,
}

/// The notice after a redirect: what became of the last save.
#[derive(Deserialize, Default)]
pub struct Outcome {
    uitkomst: Option<String>,
}

impl Outcome {
    fn notice(&self) -> Option<&'static str> {
        Some(match self.uitkomst.as_deref()? {
            "opgeslagen" => "Opgeslagen en zichtbaar.",
            "wacht" => {
                "Uw wijziging wacht op een moderator. Zodra die haar goedkeurt, is ze zichtbaar."
            }
            "ongewijzigd" => "Er is niets veranderd.",
            _ => return None,
        })
    }
}

fn outcome_query(proposal: &Proposal) -> &'static str {
    match proposal {
        Proposal::Published => "opgeslagen",
        Proposal::Pending { .. } => "wacht",
        Proposal::Unchanged => "ongewijzigd",
    }
}

/// Where a saved form goes: back to the form with what became of it, or — for a new listing
/// that waits for a moderator and so cannot be opened yet — to the organisation's page.
fn after_proposal(
    proposal: &Proposal,
    kind: &str,
    id: Uuid,
    organisation: Uuid,
    version: Option<Version>,
) -> Response {
    let outcome = outcome_query(proposal);
    match proposal {
        Proposal::Pending { .. } if version.is_none() => see_other(&format!(
            "/beheer/organisatie/{organisation}?uitkomst={outcome}"
        )),
        _ => see_other(&format!("/beheer/{kind}/{id}/bewerken?uitkomst={outcome}")),
    }
}

fn see_other(to: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(axum::http::header::LOCATION, to.to_string())],
    )
        .into_response()
}

fn html(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => (status, axum::response::Html(body)).into_response(),
        Err(err) => AppError::Internal(err.into()).into_response(),
    }
}

/// A refusal of the use cases as a page: sign in, 403 or 404.
fn listing_refused(err: ListingChangeError, path: &str, what: &str) -> Response {
    match err {
        ListingChangeError::Denied(denied) => refused(AccountError::Denied(denied), path),
        ListingChangeError::NoSuchService => AppError::not_found(what).into_response(),
        other => AppError::from(other).into_response(),
    }
}

fn parse_id(raw: &str) -> Option<Uuid> {
    Uuid::parse_str(raw.trim()).ok()
}

/// The page a handler shows instead of its own (404, the sign-in page, 403), boxed: a
/// `Response` is large for the error side of a `Result`.
struct Refusal(Box<Response>);

impl From<Response> for Refusal {
    fn from(response: Response) -> Self {
        Refusal(Box::new(response))
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// The id in a path or form field; a malformed one is a page that does not exist.
fn id_of(raw: &str, what: &str) -> Result<Uuid, Refusal> {
    parse_id(raw).ok_or_else(|| AppError::not_found(what).into_response().into())
}

/// A use case's answer for a page: the value, or the page that says why not (404 for what
/// does not exist, the sign-in page for visitors, 403 for the others).
fn found<T>(
    result: Result<Option<T>, ListingChangeError>,
    path: &str,
    what: &str,
) -> Result<T, Refusal> {
    match result {
        Ok(Some(value)) => Ok(value),
        Ok(None) => Err(AppError::not_found(what).into_response().into()),
        Err(err) => Err(listing_refused(err, path, what).into()),
    }
}

// ---------------------------------------------------------------- the organisation's page

pub struct ListingLine {
    pub name: String,
    pub detail: String,
    pub edit: String,
    pub public: Option<String>,
}

#[derive(Template)]
#[template(path = "editing/organisation.html")]
struct OrganisationPage {
    id: Uuid,
    name: String,
    services: Vec<ListingLine>,
    locations: Vec<ListingLine>,
    notice: Option<&'static str>,
}

async fn organisation(
    State(catalog): State<Catalog>,
    visit: Visit,
    Path(id): Path<String>,
    Query(outcome): Query<Outcome>,
) -> Result<Response, Refusal> {
    let path = format!("/beheer/organisatie/{id}");
    let organization = id_of(&id, "Deze organisatie")?;
    let listings = catalog
        .organisation_listings(&visit.actor, organization)
        .await;
    let listings = found(listings, &path, "Deze organisatie")?;
    let page = OrganisationPage {
        id: organization,
        name: listings.name,
        services: listings
            .services
            .iter()
            .map(|s| ListingLine {
                name: s.name.clone(),
                detail: if s.status == ServiceStatus::Active {
                    String::new()
                } else {
                    s.status.label().to_string()
                },
                edit: format!("/beheer/aanbod/{}/bewerken", s.id),
                public: (!s.status.is_withdrawn()).then(|| format!("/aanbod/{}", s.id)),
            })
            .collect(),
        locations: listings
            .locations
            .iter()
            .map(|l| ListingLine {
                name: l
                    .name
                    .clone()
                    .unwrap_or_else(|| "Locatie zonder naam".into()),
                detail: l
                    .address
                    .as_ref()
                    .map(|a| format!("{}, {} {}", a.address_1, a.postal_code, a.city))
                    .unwrap_or_default(),
                edit: format!("/beheer/locatie/{}/bewerken", l.id),
                public: None,
            })
            .collect(),
        notice: outcome.notice(),
    };
    Ok(visit.respond(html(StatusCode::OK, &page)))
}

// ---------------------------------------------------------------- the service form

/// The service form's values as typed (or as read from the listing).
#[derive(Default, Clone)]
struct ServiceInput {
    version: String,
    name: String,
    description: String,
    categories: Vec<String>,
    target_groups: Vec<String>,
    languages: Vec<String>,
    cost_kind: String,
    cost_amount: String,
    cost_description: String,
    access_route: String,
    formality: String,
    setting: String,
    group_format: String,
    /// `vrij`, `wachtlijst`, `vol`, `anders` (keep the text as it is) or empty.
    waiting: String,
    waiting_weeks: String,
    /// A waiting time in other words (from an import), kept unless another choice is made.
    waiting_other: String,
    phone: String,
    email: String,
    url: String,
    accepts_referrals: bool,
    welzijn_op_recept: bool,
    minimum_age: String,
    maximum_age: String,
    schedules: Vec<ScheduleInput>,
    contacts: Vec<ContactInput>,
    areas: Vec<String>,
    locations: Vec<String>,
}

#[derive(Default, Clone)]
struct ScheduleInput {
    days: Vec<String>,
    week: String,
    opens_at: String,
    closes_at: String,
    holidays: bool,
}

impl ScheduleInput {
    fn is_empty(&self) -> bool {
        self.days.is_empty() && self.opens_at.is_empty() && self.closes_at.is_empty()
    }
}

#[derive(Default, Clone)]
struct ContactInput {
    name: String,
    title: String,
    phone: String,
    email: String,
}

impl ContactInput {
    fn is_empty(&self) -> bool {
        [&self.name, &self.title, &self.phone, &self.email]
            .iter()
            .all(|v| v.is_empty())
    }
}

const WAITING_FREE: &str = "Plek vrij";
const WAITING_FULL: &str = "Vol: nu geen plek";
const WAITING_LIST: &str = "Wachtlijst";

impl ServiceInput {
    fn from_posted(posted: &Posted) -> Self {
        let schedules = (0..MAX_ROWS)
            .map(|i| ScheduleInput {
                days: posted.all(&format!("schedules[{i}].days")),
                week: posted.one(&format!("schedules[{i}].week")),
                opens_at: posted.one(&format!("schedules[{i}].opens_at")),
                closes_at: posted.one(&format!("schedules[{i}].closes_at")),
                holidays: posted.checked(&format!("schedules[{i}].holidays")),
            })
            .filter(|s| !s.is_empty())
            .collect();
        let contacts = (0..MAX_ROWS)
            .map(|i| ContactInput {
                name: posted.one(&format!("contacts[{i}].name")),
                title: posted.one(&format!("contacts[{i}].title")),
                phone: posted.one(&format!("contacts[{i}].phone")),
                email: posted.one(&format!("contacts[{i}].email")),
            })
            .filter(|c| !c.is_empty())
            .collect();
        ServiceInput {
            version: posted.one("version"),
            name: posted.one("name"),
            description: posted.one("description"),
            categories: posted.all("categories"),
            target_groups: posted.all("target_groups"),
            languages: posted.all("languages"),
            cost_kind: posted.one("cost.kind"),
            cost_amount: posted.one("cost.amount"),
            cost_description: posted.one("cost.description"),
            access_route: posted.one("access_route"),
            formality: posted.one("formality"),
            setting: posted.one("setting"),
            group_format: posted.one("group_format"),
            waiting: posted.one("waiting"),
            waiting_weeks: posted.one("waiting_weeks"),
            waiting_other: posted.one("waiting_other"),
            phone: posted.one("phone"),
            email: posted.one("email"),
            url: posted.one("url"),
            accepts_referrals: posted.checked("accepts_referrals"),
            welzijn_op_recept: posted.checked("welzijn_op_recept"),
            minimum_age: posted.one("minimum_age"),
            maximum_age: posted.one("maximum_age"),
            schedules,
            contacts,
            areas: posted.all("areas"),
            locations: posted.all("locations"),
        }
    }

    fn from_service(s: &Service, version: Version) -> Self {
        let (waiting, waiting_weeks, waiting_other) = match s.waiting_time.as_deref() {
            None => (String::new(), String::new(), String::new()),
            Some(WAITING_FREE) => ("vrij".into(), String::new(), String::new()),
            Some(WAITING_FULL) => ("vol".into(), String::new(), String::new()),
            Some(text) if text.starts_with(WAITING_LIST) => (
                "wachtlijst".into(),
                text.chars().filter(char::is_ascii_digit).collect(),
                String::new(),
            ),
            Some(text) => ("anders".into(), String::new(), text.to_string()),
        };
        ServiceInput {
            version: version.to_string(),
            name: s.name.clone(),
            description: s.description.clone(),
            categories: s.categories.clone(),
            target_groups: s.target_groups.clone(),
            languages: s.languages.clone(),
            cost_kind: s.cost.kind.as_str().into(),
            cost_amount: s
                .cost
                .amount
                .map(|a| format!("{a:.2}").replace('.', ","))
                .unwrap_or_default(),
            cost_description: s.cost.description.clone().unwrap_or_default(),
            access_route: s.access_route.as_str().into(),
            formality: s.formality.as_str().into(),
            setting: s.setting.as_str().into(),
            group_format: s.group_format.as_str().into(),
            waiting,
            waiting_weeks,
            waiting_other,
            phone: s.phone.clone().unwrap_or_default(),
            email: s.email.clone().unwrap_or_default(),
            url: s.url.clone().unwrap_or_default(),
            accepts_referrals: s.accepts_referrals,
            welzijn_op_recept: s.welzijn_op_recept,
            minimum_age: s.minimum_age.map(|a| a.to_string()).unwrap_or_default(),
            maximum_age: s.maximum_age.map(|a| a.to_string()).unwrap_or_default(),
            schedules: {
                // Stored rows come in the order of their ids: shown by day and time instead.
                let mut rows: Vec<ScheduleInput> = s
                    .schedules
                    .iter()
                    .filter(|sc| sc.byday.is_some())
                    .map(schedule_input)
                    .collect();
                rows.sort_by_key(|row| {
                    let first_day = row
                        .days
                        .iter()
                        .filter_map(|d| WEEKDAYS.iter().position(|(code, _)| code == d))
                        .min();
                    (first_day, row.opens_at.clone())
                });
                rows
            },
            contacts: s
                .contacts
                .iter()
                .map(|c| ContactInput {
                    name: c.name.clone().unwrap_or_default(),
                    title: c.title.clone().unwrap_or_default(),
                    phone: c.phone.clone().unwrap_or_default(),
                    email: c.email.clone().unwrap_or_default(),
                })
                .collect(),
            areas: s
                .service_areas
                .iter()
                .filter_map(|a| a.code.clone())
                .collect(),
            locations: s.location_ids.iter().map(Uuid::to_string).collect(),
        }
    }

    /// The service this input describes, built on `base` (what the form does not show is kept
    /// from it), or the errors of the fields that cannot be read.
    fn to_service(&self, base: &Service, offered_areas: &[String]) -> Result<Service, Errors> {
        let mut errors = Errors::default();
        let mut s = base.clone();
        s.name = self.name.clone();
        s.description = self.description.clone();
        s.categories = self.categories.clone();
        s.target_groups = self.target_groups.clone();
        // Languages the form does not offer (from an import) are kept.
        s.languages
            .retain(|l| !language_options().any(|(code, _)| code == l));
        s.languages.extend(self.languages.iter().cloned());
        s.phone = optional(&self.phone);
        s.email = optional(&self.email);
        s.url = optional(&self.url);
        s.accepts_referrals = self.accepts_referrals;
        s.welzijn_op_recept = self.welzijn_op_recept;
        let choose = "Kies een van de mogelijkheden.";
        match self.cost_kind.parse::<CostKind>() {
            Ok(kind) => s.cost.kind = kind,
            Err(_) => errors.add("cost.kind", choose),
        }
        s.cost.amount = match self.cost_amount.replace(',', ".").trim() {
            "" => None,
            amount => match amount.trim_start_matches('€').trim().parse::<f64>() {
                Ok(a) if a.is_finite() && a >= 0.0 => Some(a),
                _ => {
                    errors.add("cost.amount", "Vul een bedrag in euro in, zoals 2,50.");
                    None
                }
            },
        };
        s.cost.description = optional(&self.cost_description);
        match self.access_route.parse::<AccessRoute>() {
            Ok(v) => s.access_route = v,
            Err(_) => errors.add("access_route", choose),
        }
        match self.formality.parse::<Formality>() {
            Ok(v) => s.formality = v,
            Err(_) => errors.add("formality", choose),
        }
        match self.setting.parse::<Setting>() {
            Ok(v) => s.setting = v,
            Err(_) => errors.add("setting", choose),
        }
        match self.group_format.parse::<GroupFormat>() {
            Ok(v) => s.group_format = v,
            Err(_) => errors.add("group_format", choose),
        }
        s.waiting_time = match self.waiting.as_str() {
            "vrij" => Some(WAITING_FREE.into()),
            "vol" => Some(WAITING_FULL.into()),
            "wachtlijst" => match self.waiting_weeks.as_str() {
                "" => Some(WAITING_LIST.into()),
                weeks => match weeks.parse::<u16>() {
                    Ok(1) => Some(format!("{WAITING_LIST}: ongeveer 1 week")),
                    Ok(n) => Some(format!("{WAITING_LIST}: ongeveer {n} weken")),
                    Err(_) => {
                        errors.add("waiting_weeks", "Vul een aantal weken in, zoals 6.");
                        None
                    }
                },
            },
            "anders" => optional(&self.waiting_other),
            _ => None,
        };
        for (field, raw, target) in [
            ("minimum_age", &self.minimum_age, &mut s.minimum_age),
            ("maximum_age", &self.maximum_age, &mut s.maximum_age),
        ] {
            *target = match raw.as_str() {
                "" => None,
                text => match text.parse::<u8>() {
                    Ok(age) => Some(age),
                    Err(_) => {
                        errors.add(field, "Vul een leeftijd in jaren in, zoals 18.");
                        None
                    }
                },
            };
        }
        // Schedules without days (a description such as "op afspraak") are not in the form:
        // they are kept as they are.
        s.schedules.retain(|sc| sc.byday.is_none());
        for (i, row) in self.schedules.iter().enumerate() {
            if row.days.is_empty() {
                errors.add(format!("schedules[{i}].days"), "Kies minstens één dag.");
            }
            if !WEEKS.iter().any(|(w, _)| *w == row.week) {
                errors.add(format!("schedules[{i}].week"), choose);
            }
            let byday = row
                .days
                .iter()
                .map(|d| format!("{}{d}", row.week))
                .collect::<Vec<_>>()
                .join(",");
            s.schedules.push(Schedule {
                id: None,
                freq: Some(
                    if row.week.is_empty() {
                        "WEEKLY"
                    } else {
                        "MONTHLY"
                    }
                    .into(),
                ),
                byday: Some(byday),
                opens_at: optional(&row.opens_at),
                closes_at: optional(&row.closes_at),
                description: None,
                closed_on_holidays: row.holidays,
            });
        }
        s.contacts = self
            .contacts
            .iter()
            .map(|c| Contact {
                id: None,
                name: optional(&c.name),
                title: optional(&c.title),
                email: optional(&c.email),
                phone: optional(&c.phone),
            })
            .collect();
        // Areas the form does not offer (an extent, a buurt from an import) are kept.
        s.service_areas.retain(|a| {
            a.code
                .as_ref()
                .is_none_or(|code| !offered_areas.contains(code))
        });
        for code in &self.areas {
            if offered_areas.contains(code) {
                s.service_areas.push(ServiceArea {
                    code: Some(code.clone()),
                    ..Default::default()
                });
            }
        }
        s.location_ids = self.locations.iter().filter_map(|l| parse_id(l)).collect();
        // Ids of rows are made from the service id and the row's place when saved.
        for sc in &mut s.schedules {
            sc.id = None;
        }
        for a in &mut s.service_areas {
            a.id = None;
        }
        if errors.is_empty() {
            Ok(s)
        } else {
            Err(errors)
        }
    }
}

fn schedule_input(s: &Schedule) -> ScheduleInput {
    let tokens: Vec<&str> = s
        .byday
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    // One ordinal for the whole row, as the form writes it.
    let week = tokens
        .first()
        .map(|t| {
            t[..t.len().saturating_sub(2)]
                .trim_start_matches('+')
                .to_string()
        })
        .unwrap_or_default();
    ScheduleInput {
        days: tokens
            .iter()
            .map(|t| t[t.len().saturating_sub(2)..].to_ascii_uppercase())
            .collect(),
        week,
        opens_at: s.opens_at.clone().unwrap_or_default(),
        closes_at: s.closes_at.clone().unwrap_or_default(),
        holidays: s.closed_on_holidays,
    }
}

/// The languages offered as checkboxes: one per name.
fn language_options() -> impl Iterator<Item = (&'static str, &'static str)> {
    let mut seen = Vec::new();
    crate::domain::languages::known_languages().filter(move |(_, name)| {
        let new = !seen.contains(name);
        seen.push(*name);
        new
    })
}

/// Whether saving `proposed` would change nothing about `current`: the form sends lists in its
/// own order and rows without ids, so both are compared the same way.
fn same_listing(current: &Service, proposed: &Service) -> bool {
    fn normalised(s: &Service) -> Service {
        let mut s = s.clone();
        s.categories.sort();
        s.target_groups.sort();
        s.languages.sort();
        s.location_ids.sort();
        for sc in &mut s.schedules {
            sc.id = None;
        }
        s.schedules.sort_by_key(|sc| {
            (
                sc.byday.clone(),
                sc.opens_at.clone(),
                sc.closes_at.clone(),
                sc.description.clone(),
            )
        });
        for c in &mut s.contacts {
            c.id = None;
        }
        for a in &mut s.service_areas {
            a.id = None;
            a.name = None;
        }
        s.service_areas.sort_by(|a, b| a.code.cmp(&b.code));
        s
    }
    normalised(current) == normalised(proposed)
}

#[derive(Template)]
#[template(path = "editing/service_form.html")]
struct ServiceFormPage {
    title: String,
    action: String,
    organisation_id: Uuid,
    organisation_name: String,
    csrf: String,
    version: String,
    public_link: Option<String>,
    notice: Option<&'static str>,
    /// The whole form's problem (e.g. a conflict), above the form.
    problem: Option<String>,
    summary: Vec<(String, String)>,
    basics: Vec<Input>,
    categories: ChoiceGroup,
    target_groups: ChoiceGroup,
    ages: Vec<Input>,
    access_route: ChoiceGroup,
    accepts_referrals: bool,
    welzijn_op_recept: bool,
    formality: ChoiceGroup,
    setting: ChoiceGroup,
    group_format: ChoiceGroup,
    languages: ChoiceGroup,
    cost_kind: ChoiceGroup,
    cost_fields: Vec<Input>,
    waiting: ChoiceGroup,
    waiting_weeks: Input,
    waiting_other: String,
    schedules: Vec<ScheduleRow>,
    contact_fields: Vec<Input>,
    contacts: Vec<ContactRow>,
    areas: ChoiceGroup,
    locations: ChoiceGroup,
}

/// Where an organisation works: the region's wijken, by gemeente (the codes offered).
fn area_choices(
    catalog: &Catalog,
    config: &Config,
    chosen: &[String],
    errors: &Errors,
) -> ChoiceGroup {
    let mut group = ChoiceGroup::new("areas", "In welke wijken werkt u?", "checkbox", errors)
        .hint("Kies de wijken waar mensen vandaan kunnen komen. Werkt u in de hele gemeente? Kies dan de gemeente.");
    group.collapsible = true;
    for gemeente in &config.region.gemeenten {
        let Some(g) = catalog.geo.get(gemeente) else {
            continue;
        };
        let mut options = vec![(g.code.clone(), format!("Heel {}", g.name))];
        options.extend(
            catalog
                .geo
                .children(&g.code)
                .into_iter()
                .map(|w| (w.code.clone(), w.name.clone())),
        );
        group.groups.push((
            g.name.clone(),
            options
                .into_iter()
                .map(|(value, label)| Choice {
                    checked: chosen.contains(&value),
                    value,
                    label,
                })
                .collect(),
        ));
    }
    group
}

fn offered_areas(catalog: &Catalog, config: &Config) -> Vec<String> {
    config
        .region
        .gemeenten
        .iter()
        .flat_map(|g| {
            std::iter::once(g.clone())
                .chain(catalog.geo.children(g).into_iter().map(|w| w.code.clone()))
        })
        .collect()
}

fn enum_options<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|&v| (code(v), label(v))).collect()
}

struct ServiceFormContext<'a> {
    catalog: &'a Catalog,
    config: &'a Config,
    visit: &'a Visit,
    organisation_id: Uuid,
    organisation_name: String,
    /// `None` for a new service.
    service_id: Option<Uuid>,
    /// The organisation's locations: (id, name).
    locations: Vec<(String, String)>,
}

impl ServiceFormContext<'_> {
    fn page(
        &self,
        input: &ServiceInput,
        errors: &Errors,
        notice: Option<&'static str>,
        problem: Option<String>,
    ) -> ServiceFormPage {
        let vocabulary = &self.catalog.vocabulary;
        let mut categories = ChoiceGroup::new(
            "categories",
            "Waar gaat uw aanbod over?",
            "checkbox",
            errors,
        )
        .hint("Kies alles wat past. Mensen vinden uw aanbod dan bij deze onderwerpen.");
        for top in vocabulary.top_categories() {
            let mut options = vec![(top.code.as_str(), top.name.as_str())];
            options.extend(
                vocabulary
                    .children(CATEGORY_TAXONOMY, &top.code)
                    .map(|t| (t.code.as_str(), t.name.as_str())),
            );
            categories = categories.options(&top.name, options, &input.categories);
        }
        let target_groups =
            ChoiceGroup::new("target_groups", "Voor wie is het?", "checkbox", errors)
                .hint("Is het voor iedereen? Kies dan niets.")
                .options(
                    "",
                    vocabulary
                        .target_groups()
                        .filter(|t| t.taxonomy_code == TARGET_GROUP_TAXONOMY)
                        .map(|t| (t.code.as_str(), t.name.as_str())),
                    &input.target_groups,
                );
        let radio = |name: &str, legend: &str, options: Vec<(&str, &str)>, chosen: &str| {
            ChoiceGroup::new(name, legend, "radio", errors).options(
                "",
                options,
                &[chosen.to_string()],
            )
        };
        let rows = input
            .schedules
            .iter()
            .cloned()
            .chain(std::iter::repeat_n(
                ScheduleInput::default(),
                EMPTY_SCHEDULE_ROWS,
            ))
            .enumerate()
            .map(|(i, row)| ScheduleRow {
                number: i + 1,
                days: ChoiceGroup::new(
                    &format!("schedules[{i}].days"),
                    "Dagen",
                    "checkbox",
                    errors,
                )
                .options("", WEEKDAYS, &row.days),
                week: ChoiceGroup::new(
                    &format!("schedules[{i}].week"),
                    "Welke weken",
                    "select",
                    errors,
                )
                .options("", WEEKS, std::slice::from_ref(&row.week)),
                opens: Input::new(
                    &format!("schedules[{i}].opens_at"),
                    "Van (uur)",
                    "time",
                    &row.opens_at,
                    errors,
                )
                .hint("Zoals 09:30"),
                closes: Input::new(
                    &format!("schedules[{i}].closes_at"),
                    "Tot (uur)",
                    "time",
                    &row.closes_at,
                    errors,
                )
                .hint("Zoals 12:00"),
                holidays_name: format!("schedules[{i}].holidays"),
                holidays_id: field_id(&format!("schedules[{i}].holidays")),
                holidays: row.holidays,
            })
            .collect();
        let contacts = input
            .contacts
            .iter()
            .cloned()
            .chain(std::iter::repeat_n(
                ContactInput::default(),
                EMPTY_CONTACT_ROWS,
            ))
            .enumerate()
            .map(|(i, c)| ContactRow {
                number: i + 1,
                fields: vec![
                    Input::new(
                        &format!("contacts[{i}].name"),
                        "Naam",
                        "text",
                        &c.name,
                        errors,
                    ),
                    Input::new(
                        &format!("contacts[{i}].title"),
                        "Functie",
                        "text",
                        &c.title,
                        errors,
                    ),
                    Input::new(
                        &format!("contacts[{i}].phone"),
                        "Telefoonnummer",
                        "tel",
                        &c.phone,
                        errors,
                    ),
                    Input::new(
                        &format!("contacts[{i}].email"),
                        "E-mailadres",
                        "email",
                        &c.email,
                        errors,
                    ),
                ],
            })
            .collect();
        let mut waiting_options = vec![
            ("", "Zeg ik niet"),
            ("vrij", "Er is plek"),
            ("wachtlijst", "Er is een wachtlijst"),
            ("vol", "Vol: nu geen plek"),
        ];
        if !input.waiting_other.is_empty() {
            waiting_options.push(("anders", "Laat staan wat er nu staat"));
        }
        let summary = errors
            .0
            .iter()
            .map(|(field, message)| (field_id(field), message.clone()))
            .collect();
        ServiceFormPage {
            title: match self.service_id {
                Some(_) => format!("{} bewerken", input.name_or("Aanbod")),
                None => "Nieuw aanbod".into(),
            },
            action: match self.service_id {
                Some(id) => format!("/beheer/aanbod/{id}/bewerken"),
                None => "/beheer/aanbod/nieuw".into(),
            },
            organisation_id: self.organisation_id,
            organisation_name: self.organisation_name.clone(),
            csrf: self.visit.csrf_token(),
            version: input.version.clone(),
            public_link: self.service_id.map(|id| format!("/aanbod/{id}")),
            notice,
            problem,
            summary,
            basics: vec![
                Input::new("name", "Naam van het aanbod", "text", &input.name, errors)
                    .hint("Kort en duidelijk, zoals “Koffieochtend in de Klop”."),
                Input::new(
                    "description",
                    "Wat is het?",
                    "textarea",
                    &input.description,
                    errors,
                )
                .hint("Schrijf in korte zinnen wat mensen er doen en wat ze eraan hebben."),
            ],
            categories,
            target_groups,
            ages: vec![
                Input::new(
                    "minimum_age",
                    "Vanaf leeftijd (jaar)",
                    "text",
                    &input.minimum_age,
                    errors,
                )
                .inputmode("numeric"),
                Input::new(
                    "maximum_age",
                    "Tot en met leeftijd (jaar)",
                    "text",
                    &input.maximum_age,
                    errors,
                )
                .inputmode("numeric"),
            ],
            access_route: radio(
                "access_route",
                "Hoe komen mensen bij u?",
                enum_options(AccessRoute::ALL, AccessRoute::as_str, AccessRoute::label),
                &input.access_route,
            ),
            accepts_referrals: input.accepts_referrals,
            welzijn_op_recept: input.welzijn_op_recept,
            formality: radio(
                "formality",
                "Wie biedt het aan?",
                enum_options(Formality::ALL, Formality::as_str, Formality::label),
                &input.formality,
            ),
            setting: radio(
                "setting",
                "Waar?",
                enum_options(Setting::ALL, Setting::as_str, Setting::label),
                &input.setting,
            ),
            group_format: radio(
                "group_format",
                "Met hoeveel mensen?",
                enum_options(GroupFormat::ALL, GroupFormat::as_str, GroupFormat::label),
                &input.group_format,
            ),
            languages: ChoiceGroup::new("languages", "In welke talen?", "checkbox", errors)
                .options("", language_options(), &input.languages),
            cost_kind: radio(
                "cost.kind",
                "Wat kost het?",
                enum_options(CostKind::ALL, CostKind::as_str, CostKind::label),
                &input.cost_kind,
            ),
            cost_fields: vec![
                Input::new(
                    "cost.amount",
                    "Bedrag in euro",
                    "text",
                    &input.cost_amount,
                    errors,
                )
                .inputmode("decimal")
                .hint("Zoals 2,50. Niet nodig als het gratis is."),
                Input::new(
                    "cost.description",
                    "Uitleg over de kosten",
                    "text",
                    &input.cost_description,
                    errors,
                )
                .hint("Zoals “per keer” of “met U-pas gratis”."),
            ],
            waiting: radio(
                "waiting",
                "Is er plek?",
                waiting_options,
                &input.waiting,
            ),
            waiting_weeks: Input::new(
                "waiting_weeks",
                "Hoe lang is de wachtlijst ongeveer? (weken)",
                "text",
                &input.waiting_weeks,
                errors,
            )
            .inputmode("numeric"),
            waiting_other: input.waiting_other.clone(),
            schedules: rows,
            contact_fields: vec![
                Input::new("phone", "Telefoonnummer", "tel", &input.phone, errors)
                    .autocomplete("tel"),
                Input::new("email", "E-mailadres", "email", &input.email, errors)
                    .autocomplete("email"),
                Input::new("url", "Website", "url", &input.url, errors)
                    .hint("Begint met https://"),
            ],
            contacts,
            areas: area_choices(self.catalog, self.config, &input.areas, errors),
            locations: ChoiceGroup::new(
                "locations",
                "Op welke locaties?",
                "checkbox",
                errors,
            )
            .hint("Staat de locatie er niet bij? Voeg haar eerst toe op de pagina van uw organisatie.")
            .options(
                "",
                self.locations
                    .iter()
                    .map(|(id, name)| (id.as_str(), name.as_str())),
                &input.locations,
            ),
        }
    }

    fn respond(&self, status: StatusCode, page: &ServiceFormPage) -> Response {
        self.visit.respond(html(status, page))
    }
}

impl ServiceInput {
    fn name_or<'a>(&'a self, fallback: &'a str) -> &'a str {
        if self.name.is_empty() {
            fallback
        } else {
            &self.name
        }
    }
}

#[derive(Deserialize)]
pub struct NewQuery {
    organisatie: Option<String>,
}

/// A location as a choice on the service form: its id, and its name with the address.
fn location_choice(location: &Location) -> (String, String) {
    let name = location.name.clone().unwrap_or_else(|| "Locatie".into());
    let label = match &location.address {
        Some(a) => format!("{name} ({}, {})", a.address_1, a.city),
        None => name,
    };
    (location.id.to_string(), label)
}

/// The organisation's locations plus those the service already has elsewhere (shared with
/// another organisation, or imported): offered too, so that saving the form keeps them.
async fn with_service_locations(
    catalog: &Catalog,
    mut locations: Vec<(String, String)>,
    service: &Service,
) -> Result<Vec<(String, String)>, AppError> {
    let missing: Vec<Uuid> = service
        .location_ids
        .iter()
        .filter(|id| !locations.iter().any(|(l, _)| *l == id.to_string()))
        .copied()
        .collect();
    if !missing.is_empty() {
        let found = catalog.store.load_locations(&missing).await?;
        locations.extend(found.iter().map(location_choice));
    }
    Ok(locations)
}

/// A new service's starting point: nothing filled in but what every listing must have.
fn blank_service(organisation: Uuid) -> Service {
    Service {
        id: Uuid::new_v4(),
        organization_id: organisation,
        name: String::new(),
        alternate_name: None,
        description: String::new(),
        url: None,
        email: None,
        phone: None,
        status: ServiceStatus::Active,
        status_reason: None,
        categories: Vec::new(),
        target_groups: Vec::new(),
        access_route: AccessRoute::Open,
        accepts_referrals: false,
        welzijn_op_recept: false,
        formality: Formality::Informal,
        initiative: None,
        setting: Setting::InPerson,
        group_format: GroupFormat::Group,
        waiting_time: None,
        minimum_age: None,
        maximum_age: None,
        eligibility: None,
        cost: Cost::default(),
        languages: Vec::new(),
        assured_date: None,
        location_ids: Vec::new(),
        service_areas: Vec::new(),
        schedules: Vec::new(),
        contacts: Vec::new(),
        other_term_ids: Vec::new(),
    }
}

/// What the service form needs of the organisation (and of the service, when it exists), for
/// those who may edit it.
async fn service_context<'a>(
    catalog: &'a Catalog,
    config: &'a Config,
    visit: &'a Visit,
    organisation: Uuid,
    service: Option<&Service>,
    path: &str,
) -> Result<ServiceFormContext<'a>, Refusal> {
    let listings = catalog
        .organisation_listings(&visit.actor, organisation)
        .await;
    let listings = found(listings, path, "Deze organisatie")?;
    let mut locations: Vec<(String, String)> =
        listings.locations.iter().map(location_choice).collect();
    if let Some(service) = service {
        locations = with_service_locations(catalog, locations, service)
            .await
            .map_err(|err| Refusal::from(err.into_response()))?;
    }
    Ok(ServiceFormContext {
        catalog,
        config,
        visit,
        organisation_id: organisation,
        organisation_name: listings.name,
        service_id: service.map(|s| s.id),
        locations,
    })
}

async fn new_service(
    State(catalog): State<Catalog>,
    State(config): State<std::sync::Arc<Config>>,
    visit: Visit,
    Query(query): Query<NewQuery>,
) -> Result<Response, Refusal> {
    let raw = query.organisatie.unwrap_or_default();
    let organisation = id_of(&raw, "Deze organisatie")?;
    let path = format!("/beheer/aanbod/nieuw?organisatie={raw}");
    let context = service_context(&catalog, &config, &visit, organisation, None, &path).await?;
    let mut input = ServiceInput::from_service(&blank_service(organisation), 0);
    input.version.clear();
    let page = context.page(&input, &Errors::default(), None, None);
    Ok(context.respond(StatusCode::OK, &page))
}

async fn create_service(
    State(catalog): State<Catalog>,
    State(config): State<std::sync::Arc<Config>>,
    CsrfForm { visit, form }: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Refusal> {
    let posted = Posted(form);
    let raw = posted.one("organisatie");
    let organisation = id_of(&raw, "Deze organisatie")?;
    let path = format!("/beheer/aanbod/nieuw?organisatie={raw}");
    let context = service_context(&catalog, &config, &visit, organisation, None, &path).await?;
    let input = ServiceInput::from_posted(&posted);
    Ok(save_service(&context, &input, &blank_service(organisation), None).await)
}

async fn edit_service(
    State(catalog): State<Catalog>,
    State(config): State<std::sync::Arc<Config>>,
    visit: Visit,
    Path(id): Path<String>,
    Query(outcome): Query<Outcome>,
) -> Result<Response, Refusal> {
    let path = format!("/beheer/aanbod/{id}/bewerken");
    let service_id = id_of(&id, "Dit aanbod")?;
    let editable = catalog.service_for_editing(&visit.actor, service_id).await;
    let editable = found(editable.map(Some), &path, "Dit aanbod")?;
    let service = &editable.current.service;
    let organisation = service.organization_id;
    let context = service_context(
        &catalog,
        &config,
        &visit,
        organisation,
        Some(service),
        &path,
    )
    .await?;
    let notice = outcome.notice().or(editable
        .pending
        .map(|_| "Uw vorige wijziging wacht nog op een moderator. U ziet hier die wijziging."));
    let input = ServiceInput::from_service(service, editable.version);
    let page = context.page(&input, &Errors::default(), notice, None);
    Ok(context.respond(StatusCode::OK, &page))
}

async fn update_service(
    State(catalog): State<Catalog>,
    State(config): State<std::sync::Arc<Config>>,
    Path(id): Path<String>,
    CsrfForm { visit, form }: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Refusal> {
    let path = format!("/beheer/aanbod/{id}/bewerken");
    let service_id = id_of(&id, "Dit aanbod")?;
    // The organisation is the listing's own, never one from the form.
    let editable = catalog.service_for_editing(&visit.actor, service_id).await;
    let editable = found(editable.map(Some), &path, "Dit aanbod")?;
    let base = &editable.current.service;
    let organisation = base.organization_id;
    let context =
        service_context(&catalog, &config, &visit, organisation, Some(base), &path).await?;
    let input = ServiceInput::from_posted(&Posted(form));
    // The version the editor started from; a form without one is based on the current one.
    let version = input.version.parse().unwrap_or(editable.version);
    Ok(save_service(&context, &input, base, Some(version)).await)
}

/// Saves a posted service form: back to the form with the errors, or a redirect with what
/// became of it.
async fn save_service(
    context: &ServiceFormContext<'_>,
    input: &ServiceInput,
    base: &Service,
    version: Option<Version>,
) -> Response {
    let offered = offered_areas(context.catalog, context.config);
    let again = |errors: Errors, problem: Option<String>| {
        context.respond(
            StatusCode::UNPROCESSABLE_ENTITY,
            &context.page(input, &errors, None, problem),
        )
    };
    let proposed = match input.to_service(base, &offered) {
        Ok(proposed) => proposed,
        Err(errors) => return again(errors, None),
    };
    // The form rounds lists and rows its own way: an unchanged form is recognised here too.
    if version.is_some() && same_listing(base, &proposed) {
        return see_other(&format!(
            "/beheer/aanbod/{}/bewerken?uitkomst=ongewijzigd",
            base.id
        ));
    }
    if let Some(error) = foreign_location(&proposed, base, context) {
        return again(error, None);
    }
    match context
        .catalog
        .propose_service(&context.visit.actor, proposed.clone(), version)
        .await
    {
        Ok(proposal) => after_proposal(
            &proposal,
            "aanbod",
            proposed.id,
            context.organisation_id,
            version,
        ),
        Err(ListingChangeError::Invalid(invalid)) => {
            let mut errors = Errors::default();
            let field = form_field(&invalid);
            let message = sentence(&invalid);
            if known_field(input, &field) {
                errors.add(field, message);
                again(errors, None)
            } else {
                again(errors, Some(message))
            }
        }
        Err(ListingChangeError::Denied(denied)) => {
            refused(AccountError::Denied(denied), &context.visit_path())
        }
        Err(err) => AppError::from(err).into_response(),
    }
}

impl ServiceFormContext<'_> {
    fn visit_path(&self) -> String {
        match self.service_id {
            Some(id) => format!("/beheer/aanbod/{id}/bewerken"),
            None => format!("/beheer/aanbod/nieuw?organisatie={}", self.organisation_id),
        }
    }
}

/// A location that is neither the organisation's own nor already the service's (a forged
/// form): refused next to the field.
fn foreign_location(
    proposed: &Service,
    base: &Service,
    context: &ServiceFormContext<'_>,
) -> Option<Errors> {
    let allowed = |id: &Uuid| {
        base.location_ids.contains(id)
            || context.locations.iter().any(|(l, _)| *l == id.to_string())
    };
    if proposed.location_ids.iter().all(allowed) {
        return None;
    }
    let mut errors = Errors::default();
    errors.add(
        "locations",
        "Kies alleen locaties van uw eigen organisatie.",
    );
    Some(errors)
}

/// The form field a domain error names (`schedules[0].byday` is the row's day checkboxes).
fn form_field(invalid: &Invalid) -> String {
    match invalid.field.strip_suffix(".byday") {
        Some(row) => format!("{row}.days"),
        None => invalid.field.clone(),
    }
}

fn known_field(input: &ServiceInput, field: &str) -> bool {
    let row_count = |prefix: &str| -> Option<usize> {
        let rest = field.strip_prefix(prefix)?;
        rest.split(']').next()?.parse().ok()
    };
    if let Some(i) = row_count("schedules[") {
        return i < input.schedules.len();
    }
    if let Some(i) = row_count("contacts[") {
        return i < input.contacts.len();
    }
    matches!(
        field,
        "name"
            | "description"
            | "email"
            | "url"
            | "phone"
            | "categories"
            | "target_groups"
            | "minimum_age"
            | "maximum_age"
            | "cost.amount"
            | "cost.kind"
    )
}

/// A domain message ("mag niet leeg zijn") as a sentence next to its field.
fn sentence(invalid: &Invalid) -> String {
    let mut message = invalid.message.clone();
    if let Some(first) = message.get(..1) {
        message.replace_range(..1, &first.to_uppercase());
    }
    if !message.ends_with('.') {
        message.push('.');
    }
    message
}

// ---------------------------------------------------------------- the location form

#[derive(Default, Clone)]
struct LocationInput {
    version: String,
    name: String,
    address_1: String,
    postal_code: String,
    city: String,
    /// `ja`, `nee` or empty (not known).
    wheelchair: String,
    transportation: String,
    latitude: String,
    longitude: String,
}

impl LocationInput {
    fn from_posted(posted: &Posted) -> Self {
        LocationInput {
            version: posted.one("version"),
            name: posted.one("name"),
            address_1: posted.one("address_1"),
            postal_code: posted.one("postal_code"),
            city: posted.one("city"),
            wheelchair: posted.one("wheelchair"),
            transportation: posted.one("transportation"),
            latitude: posted.one("latitude"),
            longitude: posted.one("longitude"),
        }
    }

    fn from_location(l: &Location, version: Version) -> Self {
        let address = l.address.clone();
        LocationInput {
            version: version.to_string(),
            name: l.name.clone().unwrap_or_default(),
            address_1: address
                .as_ref()
                .map(|a| a.address_1.clone())
                .unwrap_or_default(),
            postal_code: address
                .as_ref()
                .map(|a| a.postal_code.clone())
                .unwrap_or_default(),
            city: address.map(|a| a.city).unwrap_or_default(),
            wheelchair: match l.wheelchair_accessible {
                Some(true) => "ja".into(),
                Some(false) => "nee".into(),
                None => String::new(),
            },
            transportation: l.transportation.clone().unwrap_or_default(),
            // The point is shown only when it is not the postcode's own: else a changed
            // postcode would not move the location.
            latitude: String::new(),
            longitude: String::new(),
        }
    }

    /// The location this input describes, built on `base`.
    fn to_location(
        &self,
        base: &Location,
        geo: &crate::geo::Geography,
        region: &crate::config::Region,
    ) -> Result<Location, (Errors, bool)> {
        let mut errors = Errors::default();
        let mut l = base.clone();
        l.name = optional(&self.name);
        if self.name.is_empty() {
            errors.add("name", "Vul de naam van de locatie in.");
        }
        for (field, value, what) in [
            ("address_1", &self.address_1, "straat en huisnummer"),
            ("postal_code", &self.postal_code, "de postcode"),
            ("city", &self.city, "de plaats"),
        ] {
            if value.is_empty() {
                errors.add(field, format!("Vul {what} in."));
            }
        }
        l.address = Some(Address {
            address_1: self.address_1.clone(),
            address_2: base.address.as_ref().and_then(|a| a.address_2.clone()),
            postal_code: self.postal_code.to_uppercase(),
            city: self.city.clone(),
        });
        l.wheelchair_accessible = match self.wheelchair.as_str() {
            "ja" => Some(true),
            "nee" => Some(false),
            _ => None,
        };
        l.transportation = optional(&self.transportation);
        let coordinate = |field: &str, raw: &str, range: std::ops::RangeInclusive<f64>| match raw
            .replace(',', ".")
            .trim()
        {
            "" => Ok(None),
            text => match text.parse::<f64>() {
                Ok(v) if range.contains(&v) => Ok(Some(v)),
                _ => Err((
                    field.to_string(),
                    "Vul een getal in met een punt, zoals 52.0907.".to_string(),
                )),
            },
        };
        let given = match (
            coordinate("latitude", &self.latitude, -90.0..=90.0),
            coordinate("longitude", &self.longitude, -180.0..=180.0),
        ) {
            (Ok(Some(lat)), Ok(Some(lon))) => Some((lat, lon)),
            (Ok(None), Ok(None)) => None,
            (Ok(Some(_)), Ok(None)) => {
                errors.add("longitude", "Vul ook de lengtegraad in.");
                None
            }
            (Ok(None), Ok(Some(_))) => {
                errors.add("latitude", "Vul ook de breedtegraad in.");
                None
            }
            (lat, lon) => {
                for (field, message) in [lat.err(), lon.err()].into_iter().flatten() {
                    errors.add(field, message);
                }
                None
            }
        };
        let mut unplaced = false;
        if errors.get("postal_code").is_none() && errors.get("latitude").is_none() {
            match place_location(geo, region, &self.postal_code, given) {
                Ok((lat, lon)) => {
                    l.latitude = Some(lat);
                    l.longitude = Some(lon);
                }
                Err(why) => {
                    unplaced = true;
                    let reason = match why {
                        Unplaceable::UnknownPostcode(message) => message,
                        Unplaceable::OutsideRegion => {
                            "Deze postcode ligt niet in onze regio.".into()
                        }
                    };
                    errors.add(
                        "postal_code",
                        format!(
                            "{reason} We kunnen het adres daarom niet op de kaart zetten. Klopt \
                             de postcode wel? Vul dan hieronder zelf de plek in."
                        ),
                    );
                }
            }
        }
        if errors.is_empty() {
            Ok(l)
        } else {
            Err((errors, unplaced))
        }
    }
}

#[derive(Template)]
#[template(path = "editing/location_form.html")]
struct LocationFormPage {
    title: String,
    action: String,
    organisation_id: Uuid,
    organisation_name: String,
    csrf: String,
    version: String,
    notice: Option<&'static str>,
    problem: Option<String>,
    /// "Ligt in buurt X, wijk Y".
    placed: Option<String>,
    summary: Vec<(String, String)>,
    fields: Vec<Input>,
    wheelchair: ChoiceGroup,
    transportation: Input,
    /// Open the point fields (the address could not be placed, or a point was typed).
    show_point: bool,
    point: Vec<Input>,
}

struct LocationFormContext<'a> {
    visit: &'a Visit,
    organisation_id: Uuid,
    organisation_name: String,
    location_id: Option<Uuid>,
}

impl LocationFormContext<'_> {
    fn page(
        &self,
        input: &LocationInput,
        errors: &Errors,
        notice: Option<&'static str>,
        placed: Option<String>,
        show_point: bool,
    ) -> LocationFormPage {
        LocationFormPage {
            title: match self.location_id {
                Some(_) if !input.name.is_empty() => format!("{} bewerken", input.name),
                Some(_) => "Locatie bewerken".into(),
                None => "Nieuwe locatie".into(),
            },
            action: match self.location_id {
                Some(id) => format!("/beheer/locatie/{id}/bewerken"),
                None => "/beheer/locatie/nieuw".into(),
            },
            organisation_id: self.organisation_id,
            organisation_name: self.organisation_name.clone(),
            csrf: self.visit.csrf_token(),
            version: input.version.clone(),
            notice,
            problem: None,
            placed,
            summary: errors
                .0
                .iter()
                .map(|(field, message)| (field_id(field), message.clone()))
                .collect(),
            fields: vec![
                Input::new("name", "Naam van de locatie", "text", &input.name, errors)
                    .hint("Zoals “Buurthuis De Klop”."),
                Input::new(
                    "address_1",
                    "Straat en huisnummer",
                    "text",
                    &input.address_1,
                    errors,
                )
                .autocomplete("address-line1"),
                Input::new(
                    "postal_code",
                    "Postcode",
                    "text",
                    &input.postal_code,
                    errors,
                )
                .autocomplete("postal-code")
                .hint("Zoals 3562 AB. Met de postcode zetten we de locatie op de kaart."),
                Input::new("city", "Plaats", "text", &input.city, errors)
                    .autocomplete("address-level2"),
            ],
            wheelchair: ChoiceGroup::new(
                "wheelchair",
                "Kun je er komen met een rolstoel?",
                "radio",
                errors,
            )
            .options(
                "",
                [("ja", "Ja"), ("nee", "Nee"), ("", "Weet ik niet")],
                std::slice::from_ref(&input.wheelchair),
            ),
            transportation: Input::new(
                "transportation",
                "Hoe kom je er?",
                "textarea",
                &input.transportation,
                errors,
            )
            .hint("Zoals “Bus 8, halte Zamenhofdreef. Gratis parkeren voor de deur.”"),
            show_point: show_point || !input.latitude.is_empty() || !input.longitude.is_empty(),
            point: vec![
                Input::new(
                    "latitude",
                    "Breedtegraad (latitude)",
                    "text",
                    &input.latitude,
                    errors,
                )
                .inputmode("decimal")
                .hint("Zoals 52.0907"),
                Input::new(
                    "longitude",
                    "Lengtegraad (longitude)",
                    "text",
                    &input.longitude,
                    errors,
                )
                .inputmode("decimal")
                .hint("Zoals 5.1214"),
            ],
        }
    }
}

/// "Ligt in buurt X, wijk Y, gemeente Z" for a placed location.
fn placement_sentence(geo: &crate::geo::Geography, placement: &Placement) -> Option<String> {
    let name = |code: &Option<String>| {
        code.as_deref()
            .and_then(|c| geo.get(c))
            .map(|n| n.name.clone())
    };
    let parts: Vec<String> = [
        name(&placement.buurt).map(|n| format!("buurt {n}")),
        name(&placement.wijk).map(|n| format!("wijk {n}")),
        name(&placement.gemeente).map(|n| format!("gemeente {n}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| format!("Ligt in {}.", parts.join(", ")))
}

fn blank_location(organisation: Uuid) -> Location {
    Location {
        id: Uuid::new_v4(),
        organization_id: Some(organisation),
        name: None,
        description: None,
        latitude: None,
        longitude: None,
        address: None,
        wheelchair_accessible: None,
        transportation: None,
        placement: Placement::default(),
    }
}

/// What the location form needs of the organisation, for those who may edit it.
async fn location_context<'a>(
    catalog: &Catalog,
    visit: &'a Visit,
    organisation: Uuid,
    location: Option<Uuid>,
    path: &str,
) -> Result<LocationFormContext<'a>, Refusal> {
    let listings = catalog
        .organisation_listings(&visit.actor, organisation)
        .await;
    let listings = found(listings, path, "Deze organisatie")?;
    Ok(LocationFormContext {
        visit,
        organisation_id: organisation,
        organisation_name: listings.name,
        location_id: location,
    })
}

async fn new_location(
    State(catalog): State<Catalog>,
    visit: Visit,
    Query(query): Query<NewQuery>,
) -> Result<Response, Refusal> {
    let raw = query.organisatie.unwrap_or_default();
    let organisation = id_of(&raw, "Deze organisatie")?;
    let path = format!("/beheer/locatie/nieuw?organisatie={raw}");
    let context = location_context(&catalog, &visit, organisation, None, &path).await?;
    let input = LocationInput::default();
    let page = context.page(&input, &Errors::default(), None, None, false);
    Ok(visit.respond(html(StatusCode::OK, &page)))
}

async fn create_location(
    State(catalog): State<Catalog>,
    State(config): State<std::sync::Arc<Config>>,
    CsrfForm { visit, form }: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Refusal> {
    let posted = Posted(form);
    let raw = posted.one("organisatie");
    let organisation = id_of(&raw, "Deze organisatie")?;
    let path = format!("/beheer/locatie/nieuw?organisatie={raw}");
    let context = location_context(&catalog, &visit, organisation, None, &path).await?;
    let input = LocationInput::from_posted(&posted);
    let base = blank_location(organisation);
    Ok(save_location(&catalog, &config, &context, &input, &base, None, &path).await)
}

/// The location of an edit page, for those who may edit it.
async fn editable_location(
    catalog: &Catalog,
    visit: &Visit,
    id: &str,
    path: &str,
) -> Result<Editable<Location>, Refusal> {
    let location_id = id_of(id, "Deze locatie")?;
    let editable = catalog
        .location_for_editing(&visit.actor, location_id)
        .await;
    found(editable.map(Some), path, "Deze locatie")
}

async fn edit_location(
    State(catalog): State<Catalog>,
    visit: Visit,
    Path(id): Path<String>,
    Query(outcome): Query<Outcome>,
) -> Result<Response, Refusal> {
    let path = format!("/beheer/locatie/{id}/bewerken");
    let editable = editable_location(&catalog, &visit, &id, &path).await?;
    let location = &editable.current;
    // `location_for_editing` only gives locations of an organisation.
    let organisation = location.organization_id.unwrap_or_default();
    let context =
        location_context(&catalog, &visit, organisation, Some(location.id), &path).await?;
    let input = LocationInput::from_location(location, editable.version);
    let placed = placement_sentence(&catalog.geo, &location.placement);
    let page = context.page(&input, &Errors::default(), outcome.notice(), placed, false);
    Ok(visit.respond(html(StatusCode::OK, &page)))
}

async fn update_location(
    State(catalog): State<Catalog>,
    State(config): State<std::sync::Arc<Config>>,
    Path(id): Path<String>,
    CsrfForm { visit, form }: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Refusal> {
    let path = format!("/beheer/locatie/{id}/bewerken");
    let editable = editable_location(&catalog, &visit, &id, &path).await?;
    let base = &editable.current;
    let organisation = base.organization_id.unwrap_or_default();
    let context = location_context(&catalog, &visit, organisation, Some(base.id), &path).await?;
    let input = LocationInput::from_posted(&Posted(form));
    let version = input.version.parse().unwrap_or(editable.version);
    Ok(save_location(
        &catalog,
        &config,
        &context,
        &input,
        base,
        Some(version),
        &path,
    )
    .await)
}

async fn save_location(
    catalog: &Catalog,
    config: &Config,
    context: &LocationFormContext<'_>,
    input: &LocationInput,
    base: &Location,
    version: Option<Version>,
    path: &str,
) -> Response {
    let again = |errors: Errors, show_point: bool| {
        context.visit.respond(html(
            StatusCode::UNPROCESSABLE_ENTITY,
            &context.page(input, &errors, None, None, show_point),
        ))
    };
    let proposed = match input.to_location(base, &catalog.geo, &config.region) {
        Ok(proposed) => proposed,
        Err((errors, unplaced)) => return again(errors, unplaced),
    };
    match catalog
        .propose_location(
            &context.visit.actor,
            context.organisation_id,
            proposed.clone(),
            version,
        )
        .await
    {
        Ok(proposal) => after_proposal(
            &proposal,
            "locatie",
            proposed.id,
            context.organisation_id,
            version,
        ),
        Err(ListingChangeError::Invalid(invalid)) => {
            let mut errors = Errors::default();
            let field = invalid
                .field
                .strip_prefix("address.")
                .unwrap_or(&invalid.field)
                .to_string();
            errors.add(field, sentence(&invalid));
            again(errors, false)
        }
        Err(ListingChangeError::Denied(denied)) => refused(AccountError::Denied(denied), path),
        Err(err) => AppError::from(err).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_ids_are_plain() {
        assert_eq!(
            field_id("schedules[0].opens_at"),
            "veld-schedules-0-opens_at"
        );
        assert_eq!(field_id("cost.amount"), "veld-cost-amount");
    }

    #[test]
    fn a_first_tuesday_row_round_trips() {
        let row = ScheduleInput {
            days: vec!["TU".into()],
            week: "1".into(),
            opens_at: "10:00".into(),
            closes_at: "12:00".into(),
            holidays: true,
        };
        let mut input = ServiceInput::from_service(&blank_service(Uuid::nil()), 0);
        input.name = "Koffie".into();
        input.schedules = vec![row];
        let service = input
            .to_service(&blank_service(Uuid::nil()), &[])
            .ok()
            .unwrap();
        let schedule = &service.schedules[0];
        assert_eq!(schedule.byday.as_deref(), Some("1TU"));
        assert_eq!(schedule.freq.as_deref(), Some("MONTHLY"));
        assert!(schedule.closed_on_holidays);
        let back = schedule_input(schedule);
        assert_eq!(
            (back.week.as_str(), back.days),
            ("1", vec!["TU".to_string()])
        );
    }

    #[test]
    fn unreadable_fields_all_come_back_at_once() {
        let mut input = ServiceInput::from_service(&blank_service(Uuid::nil()), 0);
        input.cost_amount = "twee euro".into();
        input.minimum_age = "oud".into();
        input.schedules = vec![ScheduleInput {
            opens_at: "10:00".into(),
            ..Default::default()
        }];
        let errors = input
            .to_service(&blank_service(Uuid::nil()), &[])
            .err()
            .unwrap();
        for field in ["cost.amount", "minimum_age", "schedules[0].days"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }
}
