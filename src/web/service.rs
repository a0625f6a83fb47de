//! The service page: what, for whom, when, where, cost, how to get in touch, access route,
//! last verified.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::session::{CsrfForm, Visit};
use super::views::{cost_summary, format_date, top_category_names};
use crate::auth::{Actor, Denied};
use crate::catalog::{Catalog, ListingChangeError};
use crate::domain::vocabulary::TARGET_GROUP_TAXONOMY;
use crate::error::AppError;

pub struct PlaceView {
    pub name: String,
    pub address: Vec<String>,
    pub area: Option<(String, String)>,
    pub wheelchair: Option<bool>,
    pub transportation: Option<String>,
}

pub struct ContactView {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "service.html")]
pub struct ServicePage {
    pub name: String,
    pub organization: String,
    pub organization_website: Option<String>,
    pub description: String,
    pub categories: Vec<String>,
    pub target_groups: Vec<String>,
    pub age: Option<String>,
    pub eligibility: Option<String>,
    pub when: Vec<String>,
    pub places: Vec<PlaceView>,
    pub areas: Vec<(String, String)>,
    pub cost: String,
    pub access: String,
    pub needs_referral: bool,
    pub accepts_referrals: bool,
    /// Referrals through Wijkwijzer reach someone (the service takes them and its
    /// organisation has people to work the inbox): show the forms.
    pub takes_referrals: bool,
    /// "Reageert meestal binnen 3 dagen · 90% geaccepteerd", once there are enough answers.
    pub response_figures: Option<String>,
    pub welzijn_op_recept: bool,
    pub formality: String,
    pub initiative: Option<String>,
    pub setting: String,
    pub group_format: String,
    pub waiting_time: Option<String>,
    pub languages: Vec<String>,
    pub url: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub contacts: Vec<ContactView>,
    pub assured: Option<String>,
    pub stale: bool,
    /// `Some(reason)` when temporarily closed (the reason may be empty).
    pub closed: Option<String>,
    pub calendar: super::agenda::ServiceCalendar,
    /// The hidden form token for "Klopt nog", when the visitor may confirm this listing (an
    /// editor of its organisation, a moderator of its gemeente, an administrator).
    pub confirm_csrf: Option<String>,
    /// Just confirmed ("?bevestigd=1" after the form).
    pub confirmed: bool,
    /// "Klopt er iets niet?", for everyone.
    pub report_form: super::reports::ReportFormView,
    pub id: Uuid,
}

#[derive(serde::Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    bevestigd: Option<String>,
}

pub async fn page(
    State(catalog): State<Catalog>,
    State(referrals): State<crate::referrals::Referrals>,
    Path(id): Path<String>,
    visit: Visit,
    Query(query): Query<PageQuery>,
    headers: axum::http::HeaderMap,
) -> Result<Response, AppError> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::not_found("Dit aanbod"))?;
    let record = catalog
        .service(id)
        .await?
        .ok_or_else(|| AppError::not_found("Dit aanbod"))?;
    let s = &record.service;
    if s.status.is_withdrawn() {
        return Err(AppError::NoLongerOffered {
            name: s.name.clone(),
        });
    }
    let geo = &catalog.geo;
    let area_link = |code: &str| {
        geo.get(code)
            .map(|n| (n.name.clone(), format!("/wijk/{}", n.code)))
    };
    let places = record
        .locations
        .iter()
        .map(|l| PlaceView {
            name: l.name.clone().unwrap_or_else(|| "Locatie".into()),
            address: l
                .address
                .as_ref()
                .map(|a| vec![a.address_1.clone(), format!("{} {}", a.postal_code, a.city)])
                .unwrap_or_default(),
            area: l
                .placement
                .buurt
                .as_deref()
                .or(l.placement.wijk.as_deref())
                .and_then(area_link),
            wheelchair: l.wheelchair_accessible,
            transportation: l.transportation.clone(),
        })
        .collect();
    let age = match (s.minimum_age, s.maximum_age) {
        (Some(min), Some(max)) => Some(format!("Van {min} tot en met {max} jaar")),
        (Some(min), None) => Some(format!("Vanaf {min} jaar")),
        (None, Some(max)) => Some(format!("Tot en met {max} jaar")),
        (None, None) => None,
    };
    let calendar = super::agenda::service_calendar(&catalog, &record, &headers).await?;
    // Visitors never may; for a signed-in person the one policy decides.
    let confirm_csrf = match visit.actor {
        Actor::Visitor => None,
        _ => catalog
            .may_edit_organisation(&visit.actor, s.organization_id)
            .await?
            .ok()
            .map(|()| visit.csrf_token()),
    };
    // The report form's token; for a visitor it needs the form cookie `respond` sets.
    let report_form = super::reports::ReportFormView::new(
        id,
        visit.csrf_token(),
        &crate::reports::ReportInput::default(),
    );
    let takes_referrals = s.accepts_referrals
        && referrals
            .receiver(id)
            .await
            .map_err(|err| AppError::Internal(err.into()))?
            .is_some_and(|r| crate::referrals::Referrals::accepts(&r));
    let response_figures = if takes_referrals {
        referrals
            .response_figures(id)
            .await
            .map_err(|err| AppError::Internal(err.into()))?
            .map(|f| {
                let days = if f.median_days == 1 {
                    "1 dag".to_string()
                } else {
                    format!("{} dagen", f.median_days)
                };
                format!(
                    "Reageert meestal binnen {days} · {}% geaccepteerd",
                    f.accepted_percent
                )
            })
    } else {
        None
    };
    Ok(visit.respond(ServicePage {
        takes_referrals,
        response_figures,
        report_form,
        calendar,
        confirmed: confirm_csrf.is_some() && query.bevestigd.is_some(),
        id,
        confirm_csrf,
        name: s.name.clone(),
        organization: record.organization.name.clone(),
        organization_website: record.organization.website.clone(),
        description: s.description.clone(),
        categories: top_category_names(&record.service.categories, &catalog.vocabulary),
        target_groups: s
            .target_groups
            .iter()
            .filter_map(|c| {
                catalog
                    .vocabulary
                    .term(TARGET_GROUP_TAXONOMY, c)
                    .map(|t| t.name.clone())
            })
            .collect(),
        age,
        eligibility: s.eligibility.clone(),
        when: s
            .schedules
            .iter()
            .map(|sc| sc.summary())
            .filter(|t| !t.is_empty())
            .collect(),
        places,
        areas: s
            .service_areas
            .iter()
            .filter_map(|a| a.code.as_deref().and_then(area_link))
            .collect(),
        cost: cost_summary(&record.service.cost),
        access: s.access_route.label().to_string(),
        needs_referral: s.access_route != crate::domain::AccessRoute::Open,
        accepts_referrals: s.accepts_referrals,
        welzijn_op_recept: s.welzijn_op_recept,
        formality: s.formality.label().to_string(),
        initiative: s.initiative.map(|i| i.label().to_string()),
        setting: s.setting.label().to_string(),
        group_format: s.group_format.label().to_string(),
        waiting_time: s.waiting_time.clone(),
        languages: s
            .languages
            .iter()
            .map(|c| crate::domain::language_label(c))
            .collect(),
        url: s.url.clone(),
        email: s.email.clone(),
        phone: s.phone.clone(),
        contacts: s
            .contacts
            .iter()
            .map(|c| ContactView {
                name: [c.name.clone(), c.title.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", "),
                email: c.email.clone(),
                phone: c.phone.clone(),
            })
            .collect(),
        assured: s.assured_date.map(format_date),
        // Small groups change often: a listing not checked within the stale period gets a
        // warning (judged today, so it turns stale without a write).
        stale: catalog.is_stale(s.assured_date),
        closed: (s.status == crate::domain::ServiceStatus::TemporarilyClosed)
            .then(|| s.status_reason.clone().unwrap_or_default()),
    }))
}

/// "Klopt nog": an editor (or moderator, administrator) confirms that the listing is still
/// right; sets the date it was last checked, without moderation (issue 13, part 6). The form
/// is on the service page; the answer goes back there.
pub async fn confirm_still_correct(
    State(catalog): State<Catalog>,
    Path(id): Path<String>,
    CsrfForm { visit, .. }: CsrfForm<std::collections::HashMap<String, String>>,
) -> Result<Response, AppError> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::not_found("Dit aanbod"))?;
    let today = time::OffsetDateTime::now_utc().date();
    match catalog.confirm_still_correct(&visit.actor, id, today).await {
        Ok(()) => Ok(Redirect::to(&format!("/aanbod/{id}?bevestigd=1")).into_response()),
        Err(ListingChangeError::Denied(Denied::NotSignedIn)) => {
            let back = form_urlencoded::Serializer::new(String::new())
                .append_pair("terug", &format!("/aanbod/{id}"))
                .finish();
            Ok(Redirect::to(&format!("/inloggen?{back}")).into_response())
        }
        Err(err) => Err(err.into()),
    }
}
