//! Referring a resident, and the closed loop after it (issue 14): the use cases behind the
//! referral form, the receiving organisation's inbox, the referrer's "Mijn verwijzingen",
//! the resident's recept and status page, the intake points per area, the audit log and the
//! purge.
//!
//! Privacy is enforced here, not promised by the pages:
//! - nothing is stored without the consent step ([`ReferralInput::toestemming`]);
//! - the personal fields are sealed with a data key of their own before they reach the store
//!   (`crate::privacy`); lists show only the anonymous facts (code, dates, categories);
//! - every opening of personal data goes through [`Referrals::open`] (or the resident's
//!   [`Referrals::resident_view`]), which asks the policy and writes the audit log first;
//! - personal data is erased [`ReferralSettings::retention_days`] after a referral closes,
//!   and at once when consent is withdrawn; the anonymous facts stay countable;
//! - mails carry a link, never a name; log lines carry ids, never a field.
//!
//! Ids and codes are not personal: a referral's id appears in URLs, its code on the recept.

use std::sync::Arc;

use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::{Action, Actor, Denied, authorize};
use crate::domain::Vocabulary;
use crate::domain::holidays::add_working_days;
use crate::domain::referral::{ReferralStatus, StatusReason, TransitionError};
use crate::geo::Geography;
use crate::mail::{Mail, Mailer};
use crate::privacy::{DataKey, MasterKey, PrivacyError, WrappedKey};
use crate::store::referrals::{
    AuditRow, IntakeRow, NewAudit, NewReferral, ReceiverRow, ReferralEventRow, ReferralRow,
    SealedFields, StatusChange,
};
use crate::store::{Store, StoreError};

/// The version of the consent text the resident agreed to; stored with each referral. Change
/// it whenever [`consent_text`] changes meaning.
pub const CONSENT_VERSION: &str = "2026-12-v1";
/// Longest name or initials, note and preferred moments.
pub const MAX_NAME: usize = 80;
pub const MAX_NOTE: usize = 500;
pub const MAX_MOMENTS: usize = 120;
/// At most this many reasons (category chips).
pub const MAX_CATEGORIES: usize = 5;
/// How many referrals a list shows at most.
const LIST_LIMIT: i64 = 500;
/// Working days after the reminder to the receiver before the referrer hears that their
/// referral is still unanswered.
const REFERRER_REMINDER_AFTER: u32 = 3;
/// Public response figures of a service appear from this many answered referrals on.
pub const RESPONSE_FIGURES_FROM: usize = crate::domain::suppression::THRESHOLD as usize;

/// Operator settings of referrals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferralSettings {
    /// Days after a referral closes before its personal data is erased.
    pub retention_days: u32,
    /// Working days a receiver has to answer before the reminders start.
    pub answer_within_working_days: u32,
}

impl Default for ReferralSettings {
    fn default() -> Self {
        Self {
            retention_days: 90,
            answer_within_working_days: 10,
        }
    }
}

/// What the resident is told before agreeing, in plain Dutch (B1).
pub fn consent_text(receiver: &str, retention_days: u32) -> String {
    format!(
        "Waarvoor: zodat {receiver} contact met u opneemt over deze verwijzing. \
         Wie ziet het: alleen de verwijzer en {receiver}. \
         Hoe lang: tot {retention_days} dagen nadat de verwijzing is afgerond. \
         U kunt uw toestemming altijd intrekken; dan wissen wij uw gegevens meteen."
    )
}

/// Who refers, as the form asks it. The route (via care or via welfare) follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferrerRole {
    Huisarts,
    Praktijkondersteuner,
    Fysiotherapeut,
    Wijkverpleegkundige,
    Buurtteam,
    Welzijnscoach,
    SociaalMakelaar,
    AndersZorg,
    AndersWelzijn,
}

impl ReferrerRole {
    pub const ALL: [ReferrerRole; 9] = [
        ReferrerRole::Huisarts,
        ReferrerRole::Praktijkondersteuner,
        ReferrerRole::Fysiotherapeut,
        ReferrerRole::Wijkverpleegkundige,
        ReferrerRole::Buurtteam,
        ReferrerRole::Welzijnscoach,
        ReferrerRole::SociaalMakelaar,
        ReferrerRole::AndersZorg,
        ReferrerRole::AndersWelzijn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReferrerRole::Huisarts => "huisarts",
            ReferrerRole::Praktijkondersteuner => "poh",
            ReferrerRole::Fysiotherapeut => "fysiotherapeut",
            ReferrerRole::Wijkverpleegkundige => "wijkverpleegkundige",
            ReferrerRole::Buurtteam => "buurtteam",
            ReferrerRole::Welzijnscoach => "welzijnscoach",
            ReferrerRole::SociaalMakelaar => "sociaal-makelaar",
            ReferrerRole::AndersZorg => "anders-zorg",
            ReferrerRole::AndersWelzijn => "anders-welzijn",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReferrerRole::Huisarts => "Huisarts",
            ReferrerRole::Praktijkondersteuner => "Praktijkondersteuner (POH)",
            ReferrerRole::Fysiotherapeut => "Fysiotherapeut",
            ReferrerRole::Wijkverpleegkundige => "Wijkverpleegkundige",
            ReferrerRole::Buurtteam => "Buurtteam",
            ReferrerRole::Welzijnscoach => "Welzijnscoach",
            ReferrerRole::SociaalMakelaar => "Sociaal makelaar",
            ReferrerRole::AndersZorg => "Andere zorgverlener",
            ReferrerRole::AndersWelzijn => "Andere welzijnswerker",
        }
    }

    pub fn parse(code: &str) -> Option<ReferrerRole> {
        Self::ALL.into_iter().find(|r| r.code() == code.trim())
    }

    pub fn route(self) -> Route {
        match self {
            ReferrerRole::Huisarts
            | ReferrerRole::Praktijkondersteuner
            | ReferrerRole::Fysiotherapeut
            | ReferrerRole::Wijkverpleegkundige
            | ReferrerRole::AndersZorg => Route::Care,
            ReferrerRole::Buurtteam
            | ReferrerRole::Welzijnscoach
            | ReferrerRole::SociaalMakelaar
            | ReferrerRole::AndersWelzijn => Route::Welfare,
        }
    }
}

/// How a resident came: on their own, via welfare, via care (for the reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Route {
    Myself,
    Welfare,
    Care,
}

impl Route {
    pub const ALL: [Route; 3] = [Route::Myself, Route::Welfare, Route::Care];

    pub fn code(self) -> &'static str {
        match self {
            Route::Myself => "zelf",
            Route::Welfare => "welzijn",
            Route::Care => "zorg",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Route::Myself => "Zelf aangemeld",
            Route::Welfare => "Via welzijn of buurtteam",
            Route::Care => "Via de zorg (huisarts, POH …)",
        }
    }

    pub fn parse(code: &str) -> Option<Route> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// How the resident likes to be contacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Phone,
    Text,
    Email,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Phone, Channel::Text, Channel::Email];

    pub fn code(self) -> &'static str {
        match self {
            Channel::Phone => "telefoon",
            Channel::Text => "sms",
            Channel::Email => "email",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Phone => "Bellen",
            Channel::Text => "Sms of WhatsApp",
            Channel::Email => "E-mail",
        }
    }

    pub fn parse(code: &str) -> Option<Channel> {
        Self::ALL.into_iter().find(|c| c.code() == code.trim())
    }
}

/// The referral form as posted (professional and self-referral alike; a self-referral has no
/// `rol` or `organisatie`). Its `Debug` leaves out what the resident gave (see below).
#[derive(Clone, Default, Deserialize)]
pub struct ReferralInput {
    /// Name or initials of the resident.
    #[serde(default)]
    pub naam: String,
    /// One phone number or e-mail address.
    #[serde(default)]
    pub contact: String,
    /// telefoon | sms | email
    #[serde(default)]
    pub kanaal: String,
    /// When the resident can best be reached ("dinsdagochtend").
    #[serde(default)]
    pub momenten: String,
    /// The reasons, as category codes (chips).
    #[serde(default)]
    pub redenen: Vec<String>,
    #[serde(default)]
    pub toelichting: String,
    /// The resident's postcode: only its wijk is kept.
    #[serde(default)]
    pub postcode: String,
    /// The consent checkbox: without it nothing is stored.
    #[serde(default)]
    pub toestemming: Option<String>,
    /// The referrer's role code ([`ReferrerRole`]).
    #[serde(default)]
    pub rol: String,
    /// The referrer's organisation (practice, team).
    #[serde(default)]
    pub organisatie: String,
    /// Sent anyway, after the duplicate warning.
    #[serde(default)]
    pub toch_versturen: Option<String>,
    /// The form was the Welzijn op Recept intake for `postcode` (checked again on sending).
    #[serde(default)]
    pub intake: Option<String>,
}

impl std::fmt::Debug for ReferralInput {
    // A form ends up in a log line or a panic message by a `{:?}` far from here: never the
    // resident's name, contact, moments, note or postcode.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReferralInput")
            .field("kanaal", &self.kanaal)
            .field("redenen", &self.redenen)
            .field("toestemming", &self.toestemming.is_some())
            .field("rol", &self.rol)
            .field("toch_versturen", &self.toch_versturen.is_some())
            .finish_non_exhaustive()
    }
}

/// A status change as posted from the inbox. Its `Debug` leaves out the note.
#[derive(Clone, Default, Deserialize)]
pub struct TransitionInput {
    /// The status the referral had when the page was shown (stale pages are refused).
    #[serde(default)]
    pub van: String,
    #[serde(default)]
    pub naar: String,
    #[serde(default)]
    pub reden: String,
    /// A short note for the referrer (sealed like the personal fields).
    #[serde(default)]
    pub notitie: String,
    /// The activity the resident was matched to (a service id).
    #[serde(default)]
    pub activiteit: String,
}

impl std::fmt::Debug for TransitionInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransitionInput")
            .field("van", &self.van)
            .field("naar", &self.naar)
            .field("reden", &self.reden)
            .field("activiteit", &self.activiteit)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReferralError {
    #[error(transparent)]
    Denied(#[from] Denied),
    /// Input that does not fit: `field` names the form field, `message` is for people.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// Several fields do not fit (a form shows each message by its field).
    #[error("{}", .0.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join(" "))]
    Fields(Vec<FieldError>),
    /// The consent step was not taken: nothing was stored.
    #[error("zonder toestemming van de inwoner slaan we niets op")]
    NoConsent,
    /// An open referral for the same resident to the same receiver exists; send again with
    /// `toch_versturen` to go on.
    #[error("er staat al een open verwijzing voor deze inwoner bij deze ontvanger")]
    PossibleDuplicate,
    /// This service does not take referrals (or nobody works its inbox).
    #[error("{0} neemt geen verwijzingen aan")]
    NotAccepting(String),
    /// No such referral, or not one this person may see (the same answer: ids are not to be
    /// probed).
    #[error("deze verwijzing bestaat niet of is niet voor u")]
    NotFound,
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// Someone changed the referral since the page was shown.
    #[error("iemand anders heeft deze verwijzing net bijgewerkt")]
    Conflict,
    /// The personal data was erased (retention period or consent withdrawn).
    #[error("de persoonsgegevens van deze verwijzing zijn gewist")]
    Erased,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for ReferralError {
    fn from(err: StoreError) -> Self {
        Self::Internal(err.into())
    }
}

impl From<PrivacyError> for ReferralError {
    fn from(err: PrivacyError) -> Self {
        // Not the resident's or the professional's problem, and no detail to an attacker.
        Self::Internal(anyhow::anyhow!("opening personal data failed: {err}"))
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> ReferralError {
    ReferralError::Invalid {
        field,
        message: message.into(),
    }
}

/// The personal data of a referral, opened.
#[derive(Clone, PartialEq, Eq)]
pub struct Personal {
    pub name: String,
    pub contact: String,
    pub moments: String,
    pub note: String,
}

impl std::fmt::Debug for Personal {
    // A Debug print ends up in logs and panics: never the values.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Personal { .. }")
    }
}

/// One step of a referral, for its timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub status: ReferralStatus,
    pub reason: Option<StatusReason>,
    pub matched_service_id: Option<Uuid>,
    pub matched_service_name: Option<String>,
    /// Opened only for people who may read personal data; `None` otherwise or when erased.
    pub note: Option<String>,
    pub by_role: String,
    pub at: OffsetDateTime,
}

/// A referral with its anonymous facts and timeline.
#[derive(Debug, Clone)]
pub struct Summary {
    pub row: ReferralRow,
    pub status: ReferralStatus,
    pub reason: Option<StatusReason>,
    pub route: Route,
}

/// A referral opened by someone who may read it.
#[derive(Debug, Clone)]
pub struct Detail {
    pub summary: Summary,
    /// `None` once erased.
    pub personal: Option<Personal>,
    pub steps: Vec<Step>,
    /// Whether the reader is the receiving organisation (may change the status).
    pub is_receiver: bool,
    /// Whether the reader is the referrer (may cancel while open).
    pub is_referrer: bool,
}

/// The inbox of one organisation, in the four tabs.
#[derive(Debug, Clone, Default)]
pub struct Inbox {
    pub new: Vec<Summary>,
    pub in_progress: Vec<Summary>,
    pub waiting: Vec<Summary>,
    pub closed: Vec<Summary>,
}

/// Where the Welzijn op Recept intake of a postcode is.
#[derive(Debug, Clone)]
pub enum IntakeChoice {
    /// The intake point configured for the resident's wijk (or else gemeente).
    Found {
        area_code: String,
        area_name: String,
        wijk_code: Option<String>,
        receiver: ReceiverRow,
    },
    /// None serves the area: the nearest one, when there is any.
    NoneForArea {
        area_name: Option<String>,
        nearest: Option<(ReceiverRow, f64)>,
    },
}

/// A sent referral: its id and the code the resident keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub id: Uuid,
    pub code: String,
}

/// What the resident sees with their code.
#[derive(Debug, Clone)]
pub struct ResidentView {
    pub summary: Summary,
    pub steps: Vec<Step>,
}

/// "Reageert meestal binnen N dagen · N% geaccepteerd".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseFigures {
    pub median_days: u32,
    pub accepted_percent: u32,
    pub answered: usize,
}

/// The referral use cases; cheap to clone.
#[derive(Clone)]
pub struct Referrals {
    store: Store,
    geo: Arc<Geography>,
    vocabulary: Arc<Vocabulary>,
    mailer: Arc<Mailer>,
    public_url: String,
    master: Arc<MasterKey>,
    settings: ReferralSettings,
}

/// The personal fields, by the names they are sealed under.
const FIELD_NAME: &str = "name";
const FIELD_CONTACT: &str = "contact";
const FIELD_MOMENTS: &str = "moments";
const FIELD_NOTE: &str = "note";

impl Referrals {
    pub fn new(
        store: Store,
        geo: Arc<Geography>,
        vocabulary: Arc<Vocabulary>,
        mailer: Arc<Mailer>,
        public_url: String,
        master: Arc<MasterKey>,
        settings: ReferralSettings,
    ) -> Self {
        Self {
            store,
            geo,
            vocabulary,
            mailer,
            public_url,
            master,
            settings,
        }
    }

    pub fn settings(&self) -> ReferralSettings {
        self.settings
    }

    /// The service as a receiver of referrals (for the form's heading), or `None`.
    pub async fn receiver(&self, service: Uuid) -> Result<Option<ReceiverRow>, ReferralError> {
        Ok(self.store.referral_receiver(service).await?)
    }

    /// Whether a service takes referrals: it says so, and someone works its inbox.
    pub fn accepts(receiver: &ReceiverRow) -> bool {
        receiver.accepts_referrals && receiver.has_editors
    }

    /// The Welzijn op Recept intake for a postcode: the intake point of its wijk, else of its
    /// gemeente; when neither has one, the nearest intake point.
    pub async fn intake_for_postcode(&self, postcode: &str) -> Result<IntakeChoice, ReferralError> {
        let found = self
            .geo
            .postcode(postcode)
            .map_err(|err| invalid("postcode", err.to_string()))?;
        let intakes = self.store.referral_intakes().await?;
        let wijk = found.placement.wijk.clone();
        for area in [wijk.clone(), found.placement.gemeente.clone()]
            .into_iter()
            .flatten()
        {
            if let Some(intake) = intakes
                .iter()
                .find(|i| i.area_code == area && Self::accepts(&i.receiver))
            {
                return Ok(IntakeChoice::Found {
                    area_name: self.area_name(&area),
                    area_code: area,
                    wijk_code: wijk,
                    receiver: intake.receiver.clone(),
                });
            }
        }
        let nearest = intakes
            .into_iter()
            .filter(|i| Self::accepts(&i.receiver))
            .filter_map(|i| {
                let (lat, lon) = (i.receiver.latitude?, i.receiver.longitude?);
                let km = crate::geo::distance_km(found.latitude, found.longitude, lat, lon);
                Some((i.receiver, km))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1));
        Ok(IntakeChoice::NoneForArea {
            area_name: wijk
                .or(found.placement.gemeente)
                .map(|code| self.area_name(&code)),
            nearest,
        })
    }

    fn area_name(&self, code: &str) -> String {
        self.geo
            .get(code)
            .map_or_else(|| code.to_string(), |n| n.name.clone())
    }

    /// Every intake point (for moderators).
    pub async fn intakes(&self, actor: &Actor) -> Result<Vec<IntakeRow>, ReferralError> {
        authorize(actor, &Action::OpenModerationQueue)?;
        Ok(self.store.referral_intakes().await?)
    }

    /// Makes `service` the Welzijn op Recept intake of `area` (a wijk or gemeente code).
    pub async fn set_intake(
        &self,
        actor: &Actor,
        area: &str,
        service: Uuid,
    ) -> Result<(), ReferralError> {
        let area = self
            .geo
            .parse_code(area)
            .map_err(|_| invalid("gebied", "Kies een wijk of gemeente."))?;
        if area.level == crate::geo::Level::Buurt {
            return Err(invalid("gebied", "Kies een wijk of gemeente, geen buurt."));
        }
        let gemeente = area
            .code
            .get(2..6)
            .map(|digits| format!("GM{digits}"))
            .unwrap_or_default();
        authorize(actor, &Action::ConfigureIntake { gemeente })?;
        let receiver = self
            .store
            .referral_receiver(service)
            .await?
            .ok_or_else(|| invalid("aanbod", "Dit aanbod bestaat niet."))?;
        if !receiver.accepts_referrals {
            return Err(invalid(
                "aanbod",
                "Dit aanbod neemt geen verwijzingen aan; zet dat eerst aan.",
            ));
        }
        let code = area.code.clone();
        self.store
            .set_referral_intake(&code, service, actor.id())
            .await?;
        Ok(())
    }

    pub async fn remove_intake(&self, actor: &Actor, area: &str) -> Result<bool, ReferralError> {
        let gemeente = area
            .get(2..6)
            .map(|digits| format!("GM{digits}"))
            .unwrap_or_default();
        authorize(actor, &Action::ConfigureIntake { gemeente })?;
        Ok(self.store.remove_referral_intake(area).await?)
    }

    /// Whether `actor` may refer at all (for the pages that lead to a form).
    pub fn may_refer(&self, actor: &Actor) -> Result<(), ReferralError> {
        authorize(actor, &Action::Refer)?;
        Ok(())
    }

    /// The receiver a professional is about to refer to (for the form): refused for people who
    /// may not refer, `NotAccepting` for a service that takes no referrals.
    pub async fn form_for(
        &self,
        actor: &Actor,
        service: Uuid,
    ) -> Result<ReceiverRow, ReferralError> {
        authorize(actor, &Action::Refer)?;
        self.accepting_receiver(service).await
    }

    /// The role and organisation `actor` gave on their last referral, to fill in the next form
    /// (a GP refers as the same GP of the same practice; two fields fewer on a phone).
    pub async fn last_referrer_details(
        &self,
        actor: &Actor,
    ) -> Result<Option<(String, String)>, ReferralError> {
        authorize(actor, &Action::Refer)?;
        let Some(user) = actor.user() else {
            return Ok(None);
        };
        Ok(self
            .store
            .referrals_sent(user.id, 1)
            .await?
            .into_iter()
            .next()
            .map(|row| (row.referrer_role, row.referrer_organisation)))
    }

    /// The receiver a resident signs up with (no account needed).
    pub async fn accepting_receiver(&self, service: Uuid) -> Result<ReceiverRow, ReferralError> {
        let receiver = self
            .store
            .referral_receiver(service)
            .await?
            .ok_or(ReferralError::NotFound)?;
        if !Self::accepts(&receiver) {
            return Err(ReferralError::NotAccepting(receiver.service_name));
        }
        Ok(receiver)
    }

    /// A professional refers a resident to `service`. `as_intake`: the form was the Welzijn op
    /// Recept intake for the resident's postcode; recorded only when that is still so.
    pub async fn refer(
        &self,
        actor: &Actor,
        service: Uuid,
        input: &ReferralInput,
        as_intake: bool,
    ) -> Result<Sent, ReferralError> {
        authorize(actor, &Action::Refer)?;
        let mut errors = Vec::new();
        let role = keep(
            &mut errors,
            ReferrerRole::parse(&input.rol)
                .ok_or_else(|| invalid("rol", "Kies in welke rol u verwijst.")),
        );
        let organisation = keep(
            &mut errors,
            check_short("organisatie", &input.organisatie, MAX_NAME).and_then(|o| {
                if o.is_empty() {
                    Err(invalid("organisatie", "Vul uw praktijk of organisatie in."))
                } else {
                    Ok(o)
                }
            }),
        );
        if let Err(more) = self.check(input) {
            errors.extend(more);
        }
        if !errors.is_empty() && !consent_given(input) {
            errors.push(("toestemming", NO_CONSENT.into()));
        }
        let (Some(role), Some(organisation)) = (role, organisation) else {
            return Err(ReferralError::Fields(errors));
        };
        if !errors.is_empty() {
            return Err(ReferralError::Fields(errors));
        }
        let via_intake = as_intake
            && matches!(
                self.intake_for_postcode(&input.postcode).await,
                Ok(IntakeChoice::Found { receiver, .. }) if receiver.service_id == service
            );
        self.create(
            service,
            input,
            Referrer {
                id: actor.id(),
                role: role.code(),
                organisation: &organisation,
                route: role.route(),
            },
            via_intake,
        )
        .await
    }

    /// A resident refers themselves to `service` (no account needed).
    pub async fn refer_self(
        &self,
        service: Uuid,
        input: &ReferralInput,
    ) -> Result<Sent, ReferralError> {
        self.create(
            service,
            input,
            Referrer {
                id: None,
                role: "inwoner",
                organisation: "",
                route: Route::Myself,
            },
            false,
        )
        .await
    }

    async fn create(
        &self,
        service: Uuid,
        input: &ReferralInput,
        referrer: Referrer<'_>,
        via_intake: bool,
    ) -> Result<Sent, ReferralError> {
        let receiver = self.accepting_receiver(service).await?;
        let checked = self.check(input).map_err(|mut errors| {
            if !consent_given(input) {
                errors.push(("toestemming", NO_CONSENT.into()));
            }
            ReferralError::Fields(errors)
        })?;
        // Consent last among the checks, first among the effects: nothing below runs without.
        if !consent_given(input) {
            return Err(ReferralError::NoConsent);
        }
        let duplicate_tag = self.master.tag(
            "duplicate",
            &format!("{}|{}", initials(&checked.name), checked.contact_key),
        );
        if input.toch_versturen.is_none()
            && self
                .store
                .open_referral_with_tag(service, &duplicate_tag)
                .await?
        {
            return Err(ReferralError::PossibleDuplicate);
        }
        let id = Uuid::new_v4();
        let code = self.new_code().await?;
        let rid = id.to_string();
        let (key, wrapped) = self.master.new_data_key(&rid)?;
        let seal_opt = |field: &str, value: &str| -> Result<Option<Vec<u8>>, PrivacyError> {
            if value.is_empty() {
                Ok(None)
            } else {
                key.seal(&rid, field, value).map(Some)
            }
        };
        let sealed = SealedFields {
            master_key_id: Some(wrapped.master_key_id.clone()),
            wrapped_key: Some(wrapped.sealed.clone()),
            name: Some(key.seal(&rid, FIELD_NAME, &checked.name)?),
            contact: Some(key.seal(&rid, FIELD_CONTACT, &checked.contact)?),
            moments: seal_opt(FIELD_MOMENTS, &checked.moments)?,
            note: seal_opt(FIELD_NOTE, &checked.note)?,
        };
        self.store
            .insert_referral(&NewReferral {
                id,
                code: &code,
                service_id: service,
                organization_id: receiver.organization_id,
                route: referrer.route.code(),
                via_intake,
                referrer_id: referrer.id,
                referrer_role: referrer.role,
                referrer_organisation: referrer.organisation,
                wijk_code: checked.wijk.as_deref(),
                preferred_channel: checked.channel.code(),
                categories: &checked.categories,
                consent_version: CONSENT_VERSION,
                at: OffsetDateTime::now_utc(),
                sealed,
                duplicate_tag,
            })
            .await?;
        tracing::info!(referral = %id, service = %service, route = referrer.route.code(), "referral sent");
        self.tell_editors(
            receiver.organization_id,
            "Nieuwe verwijzing in Wijkwijzer",
            &format!(
                "Er is een nieuwe verwijzing voor “{}”. Bekijk hem in uw verwijzingen \
                 (u logt eerst in):",
                receiver.service_name
            ),
            &format!("/beheer/verwijzingen/{id}"),
        )
        .await;
        Ok(Sent { id, code })
    }

    /// Checks every field and reports all problems at once (a form shows each by its field).
    fn check(&self, input: &ReferralInput) -> Result<Checked, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = keep(&mut errors, check_name(&input.naam));
        let channel = keep(
            &mut errors,
            Channel::parse(&input.kanaal)
                .ok_or_else(|| invalid("kanaal", "Kies hoe de inwoner contact wil.")),
        );
        let contact = match channel {
            Some(channel) => keep(&mut errors, check_contact(&input.contact, channel)),
            // Without a channel the contact is still checked on its own.
            None => keep(
                &mut errors,
                check_contact(&input.contact, Channel::Phone)
                    .or_else(|_| check_contact(&input.contact, Channel::Email)),
            ),
        };
        let moments = keep(
            &mut errors,
            check_short("momenten", &input.momenten, MAX_MOMENTS),
        );
        let note = keep(&mut errors, check_note(&input.toelichting));
        let categories = keep(&mut errors, self.check_categories(&input.redenen));
        let wijk = keep(&mut errors, self.resident_wijk(&input.postcode));
        match (name, channel, contact, moments, note, categories, wijk) {
            (
                Some(name),
                Some(channel),
                Some((contact, contact_key)),
                Some(moments),
                Some(note),
                Some(categories),
                Some(wijk),
            ) if errors.is_empty() => Ok(Checked {
                name,
                contact,
                contact_key,
                channel,
                moments,
                note,
                categories,
                wijk,
            }),
            _ => Err(errors),
        }
    }

    fn check_categories(&self, codes: &[String]) -> Result<Vec<String>, ReferralError> {
        let mut categories: Vec<String> = Vec::new();
        for code in codes {
            let code = code.trim();
            if code.is_empty() {
                continue;
            }
            if self.vocabulary.category(code).is_none() {
                return Err(invalid("redenen", "Kies de redenen uit de lijst."));
            }
            if !categories.iter().any(|c| c == code) {
                categories.push(code.to_string());
            }
        }
        if categories.is_empty() {
            return Err(invalid("redenen", "Kies ten minste één reden."));
        }
        if categories.len() > MAX_CATEGORIES {
            return Err(invalid(
                "redenen",
                format!("Kies hoogstens {MAX_CATEGORIES} redenen."),
            ));
        }
        Ok(categories)
    }

    /// The wijk of the resident's postcode (optional): only the wijk is kept.
    fn resident_wijk(&self, postcode: &str) -> Result<Option<String>, ReferralError> {
        if postcode.trim().is_empty() {
            return Ok(None);
        }
        let found = self
            .geo
            .postcode(postcode)
            .map_err(|err| invalid("postcode", err.to_string()))?;
        Ok(found.placement.wijk)
    }

    /// A fresh reference code: nine letters and digits people do not confuse (no 0/O, 1/I/L).
    async fn new_code(&self) -> Result<String, ReferralError> {
        const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
        for _ in 0..10 {
            let mut bytes = [0u8; 9];
            getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("random code: {e}"))?;
            let chars: String = bytes
                .iter()
                .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
                .collect();
            let code = format!("{}-{}-{}", &chars[0..3], &chars[3..6], &chars[6..9]);
            if !self.store.referral_code_taken(&code).await? {
                return Ok(code);
            }
        }
        Err(anyhow::anyhow!("no free referral code after ten draws").into())
    }

    /// The referrals `actor` sent, newest first (anonymous facts only: no personal data is
    /// opened for a list).
    pub async fn sent_by(&self, actor: &Actor) -> Result<Vec<(Summary, Vec<Step>)>, ReferralError> {
        authorize(actor, &Action::Refer)?;
        let Some(user) = actor.user() else {
            return Ok(Vec::new());
        };
        let rows = self.store.referrals_sent(user.id, LIST_LIMIT).await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        // One query for all timelines: a list of 500 is not 500 queries.
        let mut events: std::collections::HashMap<Uuid, Vec<ReferralEventRow>> =
            std::collections::HashMap::new();
        for (id, event) in self.store.referral_events_of(&ids).await? {
            events.entry(id).or_default().push(event);
        }
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let rid = row.id.to_string();
            let steps = events
                .remove(&row.id)
                .unwrap_or_default()
                .into_iter()
                .map(|event| step(event, None, &rid))
                .collect::<Result<Vec<_>, _>>()?;
            out.push((summary(row)?, steps));
        }
        Ok(out)
    }

    /// The inbox of `organization`, in its four tabs.
    pub async fn inbox(&self, actor: &Actor, organization: Uuid) -> Result<Inbox, ReferralError> {
        authorize(
            actor,
            &Action::WorkReferral {
                receiver: organization,
            },
        )?;
        let mut inbox = Inbox::default();
        for row in self
            .store
            .referrals_received(organization, LIST_LIMIT)
            .await?
        {
            let summary = summary(row)?;
            match summary.status.bucket() {
                crate::domain::referral::InboxBucket::New => inbox.new.push(summary),
                crate::domain::referral::InboxBucket::InProgress => inbox.in_progress.push(summary),
                crate::domain::referral::InboxBucket::Waiting => inbox.waiting.push(summary),
                crate::domain::referral::InboxBucket::Closed => inbox.closed.push(summary),
            }
        }
        // Oldest first where work waits.
        inbox.new.reverse();
        Ok(inbox)
    }

    /// The anonymous facts of a referral for someone who may read it, without opening its
    /// personal data (and without an audit line): status pages, the recept's heading.
    async fn load_for(&self, actor: &Actor, id: Uuid) -> Result<(Summary, Access), ReferralError> {
        if matches!(actor, Actor::Visitor) {
            return Err(Denied::NotSignedIn.into());
        }
        let row = self
            .store
            .referral(id)
            .await?
            .ok_or(ReferralError::NotFound)?;
        let access = Access {
            is_receiver: authorize(
                actor,
                &Action::WorkReferral {
                    receiver: row.organization_id,
                },
            )
            .is_ok(),
            is_referrer: row.referrer_id.is_some() && actor.id() == row.referrer_id,
        };
        // Another organisation, another professional, a moderator, an administrator: the
        // same "not found" as for an id that does not exist.
        authorize(
            actor,
            &Action::ReadReferral {
                receiver: row.organization_id,
                referrer: row.referrer_id,
            },
        )
        .map_err(|_| ReferralError::NotFound)?;
        Ok((summary(row)?, access))
    }

    /// Opens a referral with its personal data for `actor` (the referrer or the receiving
    /// organisation), writing the read to the audit log first, with `purpose`.
    pub async fn open(
        &self,
        actor: &Actor,
        id: Uuid,
        purpose: &str,
    ) -> Result<Detail, ReferralError> {
        let (summary, access) = self.load_for(actor, id).await?;
        let role = if access.is_receiver {
            "ontvanger"
        } else {
            "verwijzer"
        };
        let opened = self
            .open_personal(&summary.row, actor.id(), role, purpose)
            .await?;
        let steps = self.steps(id, opened.as_ref().map(|(key, _)| key)).await?;
        Ok(Detail {
            summary,
            personal: opened.map(|(_, personal)| personal),
            steps,
            is_receiver: access.is_receiver,
            is_referrer: access.is_referrer,
        })
    }

    /// Writes the audit line, then unwraps the key and opens the fields; `None` when erased.
    async fn open_personal(
        &self,
        row: &ReferralRow,
        actor_id: Option<Uuid>,
        actor_role: &str,
        purpose: &str,
    ) -> Result<Option<(DataKey, Personal)>, ReferralError> {
        let sealed = self.store.referral_sealed(row.id).await?;
        let (Some(master_key_id), Some(wrapped)) = (sealed.master_key_id, sealed.wrapped_key)
        else {
            return Ok(None);
        };
        // The audit line before the data: a read that is not logged does not happen.
        self.store
            .append_referral_audit(&NewAudit {
                referral_id: row.id,
                organization_id: row.organization_id,
                actor_id,
                actor_role,
                purpose,
                at: OffsetDateTime::now_utc(),
            })
            .await?;
        let rid = row.id.to_string();
        let key = self.master.unwrap_key(
            &rid,
            &WrappedKey {
                master_key_id,
                sealed: wrapped,
            },
        )?;
        let open = |field: &str, value: Option<Vec<u8>>| -> Result<String, PrivacyError> {
            value.map_or(Ok(String::new()), |v| key.open(&rid, field, &v))
        };
        let personal = Personal {
            name: open(FIELD_NAME, sealed.name)?,
            contact: open(FIELD_CONTACT, sealed.contact)?,
            moments: open(FIELD_MOMENTS, sealed.moments)?,
            note: open(FIELD_NOTE, sealed.note)?,
        };
        Ok(Some((key, personal)))
    }

    async fn steps(&self, id: Uuid, key: Option<&DataKey>) -> Result<Vec<Step>, ReferralError> {
        let rid = id.to_string();
        let mut out = Vec::new();
        for event in self.store.referral_events(id).await? {
            out.push(step(event, key, &rid)?);
        }
        Ok(out)
    }

    /// Moves a referral along the graph (the receiving organisation; the referrer may only
    /// cancel). Matching to an activity is a step of its own: `activiteit` without `naar`, or
    /// with `naar` = in-progress.
    pub async fn transition(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &TransitionInput,
    ) -> Result<ReferralStatus, ReferralError> {
        let (summary, access) = self.load_for(actor, id).await?;
        let from: ReferralStatus = input
            .van
            .parse()
            .map_err(|_| invalid("naar", "Laad de pagina opnieuw en probeer het nog eens."))?;
        if from != summary.status {
            return Err(ReferralError::Conflict);
        }
        let matched = match input.activiteit.trim() {
            "" => None,
            value => {
                let service = Uuid::parse_str(value)
                    .map_err(|_| invalid("activiteit", "Kies een activiteit uit de gids."))?;
                let found = self
                    .store
                    .referral_receiver(service)
                    .await?
                    .ok_or_else(|| invalid("activiteit", "Kies een activiteit uit de gids."))?;
                Some(found)
            }
        };
        let to = match (input.naar.trim(), &matched) {
            ("", Some(_)) if from == ReferralStatus::Accepted => ReferralStatus::InProgress,
            ("", Some(_)) => from,
            ("", None) => return Err(invalid("naar", "Kies een nieuwe status.")),
            (code, _) => code
                .parse()
                .map_err(|_| invalid("naar", "Kies een nieuwe status."))?,
        };
        let reason = match input.reden.trim() {
            "" => None,
            code => Some(
                code.parse::<StatusReason>()
                    .map_err(|_| invalid("reden", "Kies een reden uit de lijst."))?,
            ),
        };
        if to != from {
            // The referrer may withdraw their own referral; everything else is the receiver's.
            let permitted = access.is_receiver
                || (access.is_referrer && to == ReferralStatus::Cancelled && !from.is_closed());
            if !permitted {
                return Err(Denied::Forbidden.into());
            }
            from.transition(to, reason).map_err(|err| match err {
                TransitionError::ReasonRequired(_) | TransitionError::ReasonDoesNotFit { .. } => {
                    invalid("reden", err.to_string())
                }
                other => ReferralError::Transition(other),
            })?;
        } else {
            // Only a match keeps the status; the receiver records it while the referral runs.
            if !access.is_receiver {
                return Err(Denied::Forbidden.into());
            }
            if matched.is_none() || from.is_closed() || from == ReferralStatus::Requested {
                return Err(invalid("naar", "Kies een nieuwe status."));
            }
        }
        let note = input.notitie.trim();
        if note.chars().count() > MAX_NOTE {
            return Err(invalid(
                "notitie",
                format!("Gebruik hoogstens {MAX_NOTE} tekens."),
            ));
        }
        let sealed_note = if note.is_empty() {
            None
        } else {
            let sealed = self.store.referral_sealed(id).await?;
            let (Some(master_key_id), Some(wrapped)) = (sealed.master_key_id, sealed.wrapped_key)
            else {
                return Err(ReferralError::Erased);
            };
            let rid = id.to_string();
            let key = self.master.unwrap_key(
                &rid,
                &WrappedKey {
                    master_key_id,
                    sealed: wrapped,
                },
            )?;
            Some(key.seal(&rid, FIELD_NOTE, note)?)
        };
        let role = if access.is_receiver {
            "ontvanger"
        } else {
            "verwijzer"
        };
        let applied = self
            .store
            .change_referral_status(&StatusChange {
                referral: id,
                from: from.code(),
                to: to.code(),
                reason: reason.map(StatusReason::code),
                matched_service_id: matched.as_ref().map(|m| m.service_id),
                sealed_note,
                by_user: actor.id(),
                by_role: role,
                at: OffsetDateTime::now_utc(),
                first_response: access.is_receiver && from == ReferralStatus::Requested,
                closes: to.is_closed() && !from.is_closed(),
            })
            .await?;
        if !applied {
            return Err(ReferralError::Conflict);
        }
        tracing::info!(referral = %id, from = from.code(), to = to.code(), "referral status changed");
        if access.is_receiver {
            if let Some(referrer) = summary.row.referrer_id {
                self.tell_user(
                    referrer,
                    "Nieuws over uw verwijzing in Wijkwijzer",
                    &format!(
                        "Uw verwijzing {} heeft een nieuwe status: {}. Bekijk hem hier \
                         (u logt eerst in):",
                        summary.row.code,
                        to.label()
                    ),
                    &format!("/mijn-verwijzingen/{id}"),
                )
                .await;
            }
            if let Some(activity) = &matched
                && activity.organization_id != summary.row.organization_id
            {
                // The activity's own organisation hears that someone may come; no person.
                self.tell_editors(
                    activity.organization_id,
                    "Iemand is naar uw activiteit verwezen",
                    &format!(
                        "Via Wijkwijzer is iemand gekoppeld aan “{}”. De welzijnscoach neemt \
                         zo nodig contact met u op. Uw aanbod:",
                        activity.service_name
                    ),
                    &format!("/aanbod/{}", activity.service_id),
                )
                .await;
            }
        } else {
            self.tell_editors(
                summary.row.organization_id,
                "Een verwijzing is ingetrokken",
                &format!(
                    "De verwijzer heeft verwijzing {} ingetrokken. Bekijk hem hier \
                     (u logt eerst in):",
                    summary.row.code
                ),
                &format!("/beheer/verwijzingen/{id}"),
            )
            .await;
        }
        Ok(to)
    }

    /// The resident's own view with the code and the contact they gave (phone number or
    /// e-mail address) as a second factor. Anything wrong gives the same `NotFound`.
    pub async fn resident_view(
        &self,
        code: &str,
        second_factor: &str,
    ) -> Result<ResidentView, ReferralError> {
        let code = normalise_code(code).ok_or(ReferralError::NotFound)?;
        let row = self
            .store
            .referral_by_code(&code)
            .await?
            .ok_or(ReferralError::NotFound)?;
        let sealed = self.store.referral_sealed(row.id).await?;
        let (Some(master_key_id), Some(wrapped), Some(contact)) =
            (sealed.master_key_id, sealed.wrapped_key, sealed.contact)
        else {
            // Erased: nothing can prove the second factor any more.
            return Err(ReferralError::NotFound);
        };
        let rid = row.id.to_string();
        let key = self.master.unwrap_key(
            &rid,
            &WrappedKey {
                master_key_id,
                sealed: wrapped,
            },
        )?;
        let stored = key.open(&rid, FIELD_CONTACT, &contact)?;
        // Compared as keyed tags: equal length, no early exit on the first differing digit.
        let given = contact_key(second_factor);
        if given.is_empty()
            || self.master.tag("factor", &given) != self.master.tag("factor", &contact_key(&stored))
        {
            return Err(ReferralError::NotFound);
        }
        self.store
            .append_referral_audit(&NewAudit {
                referral_id: row.id,
                organization_id: row.organization_id,
                actor_id: None,
                actor_role: "inwoner",
                purpose: "eigen verwijzing bekijken",
                at: OffsetDateTime::now_utc(),
            })
            .await?;
        let steps = self.steps(row.id, None).await?;
        Ok(ResidentView {
            summary: summary(row)?,
            steps,
        })
    }

    /// The resident withdraws consent (with code and second factor): the personal data is
    /// erased at once and an open referral is cancelled.
    pub async fn withdraw_consent_as_resident(
        &self,
        code: &str,
        second_factor: &str,
    ) -> Result<(), ReferralError> {
        let view = self.resident_view(code, second_factor).await?;
        self.withdraw(&view.summary, None, "inwoner").await
    }

    /// The referrer or receiver records that the resident withdrew consent.
    pub async fn withdraw_consent(&self, actor: &Actor, id: Uuid) -> Result<(), ReferralError> {
        let (summary, access) = self.load_for(actor, id).await?;
        let role = if access.is_receiver {
            "ontvanger"
        } else {
            "verwijzer"
        };
        self.withdraw(&summary, actor.id(), role).await
    }

    async fn withdraw(
        &self,
        summary: &Summary,
        by: Option<Uuid>,
        role: &str,
    ) -> Result<(), ReferralError> {
        let now = OffsetDateTime::now_utc();
        // Cancel while open. Someone may move it at the same moment (the change applies only
        // to the status it was read in): read it again and retry, so that a withdrawal never
        // leaves an open referral behind.
        let mut status = summary.status;
        for _ in 0..5 {
            if status.is_closed() {
                break;
            }
            let applied = self
                .store
                .change_referral_status(&StatusChange {
                    referral: summary.row.id,
                    from: status.code(),
                    to: ReferralStatus::Cancelled.code(),
                    reason: Some(StatusReason::ConsentWithdrawn.code()),
                    matched_service_id: None,
                    sealed_note: None,
                    by_user: by,
                    by_role: role,
                    at: now,
                    first_response: false,
                    closes: true,
                })
                .await?;
            if applied {
                break;
            }
            let Some(row) = self.store.referral(summary.row.id).await? else {
                break;
            };
            status = self::summary(row)?.status;
        }
        self.store.purge_referral(summary.row.id, now, true).await?;
        self.store.scrub_erased().await?;
        tracing::info!(referral = %summary.row.id, "consent withdrawn: personal data erased");
        Ok(())
    }

    /// Erases the personal data of referrals closed more than the retention period ago.
    /// Returns how many were erased.
    pub async fn purge_expired(&self, now: OffsetDateTime) -> Result<usize, ReferralError> {
        let cutoff = now - time::Duration::days(i64::from(self.settings.retention_days));
        let mut erased = 0;
        for id in self.store.referrals_to_purge(cutoff).await? {
            if self.store.purge_referral(id, now, false).await? {
                erased += 1;
            }
        }
        if erased > 0 {
            self.store.scrub_erased().await?;
            tracing::info!(erased, "personal data of closed referrals erased");
        }
        Ok(erased)
    }

    /// Reminds receivers of referrals unanswered for the configured working days, and then
    /// (a few working days later) their referrers. Each reminder goes once, whatever the
    /// number of instances. Returns (receivers reminded, referrers reminded).
    pub async fn send_reminders(
        &self,
        now: OffsetDateTime,
    ) -> Result<(usize, usize), ReferralError> {
        let today = now.date();
        let due = |from: OffsetDateTime, days: u32| add_working_days(from.date(), days) <= today;
        let mut counts = (0, 0);
        // Anything created in the last `answer_within` calendar days cannot be due yet.
        let before =
            now - time::Duration::days(i64::from(self.settings.answer_within_working_days.max(1)));
        for row in self.store.unanswered_referrals(before).await? {
            let days = self.settings.answer_within_working_days;
            if row.receiver_reminded_at.is_none()
                && due(row.created_at, days)
                && self.store.claim_receiver_reminder(row.id, now).await?
            {
                self.tell_editors(
                    row.organization_id,
                    "Een verwijzing wacht op antwoord",
                    &format!(
                        "Verwijzing {} wacht al {days} werkdagen op een antwoord. \
                         Neem hem aan of wijs hem af (u logt eerst in):",
                        row.code
                    ),
                    &format!("/beheer/verwijzingen/{}", row.id),
                )
                .await;
                counts.0 += 1;
            } else if let (Some(reminded), Some(referrer)) =
                (row.receiver_reminded_at, row.referrer_id)
                && row.referrer_reminded_at.is_none()
                && due(reminded, REFERRER_REMINDER_AFTER)
                && self.store.claim_referrer_reminder(row.id, now).await?
            {
                self.tell_user(
                    referrer,
                    "Uw verwijzing heeft nog geen antwoord",
                    &format!(
                        "Uw verwijzing {} heeft nog geen antwoord van de ontvanger. \
                         Misschien wilt u bellen of iemand anders kiezen:",
                        row.code
                    ),
                    &format!("/mijn-verwijzingen/{}", row.id),
                )
                .await;
                counts.1 += 1;
            }
        }
        Ok(counts)
    }

    /// Who read personal data of the referrals `organization` received (its editors and
    /// administrators may look).
    pub async fn audit_log(
        &self,
        actor: &Actor,
        organization: Uuid,
        referral: Option<Uuid>,
    ) -> Result<Vec<AuditRow>, ReferralError> {
        authorize(
            actor,
            &Action::ReadReferralAudit {
                receiver: organization,
            },
        )?;
        Ok(self
            .store
            .referral_audit(organization, referral, LIST_LIMIT)
            .await?)
    }

    /// "Reageert meestal binnen N dagen · N% geaccepteerd" for a public service page; `None`
    /// below [`RESPONSE_FIGURES_FROM`] answered referrals (small numbers tell about people).
    pub async fn response_figures(
        &self,
        service: Uuid,
    ) -> Result<Option<ResponseFigures>, ReferralError> {
        let facts = self.store.referral_response_facts(service).await?;
        if facts.len() < RESPONSE_FIGURES_FROM {
            return Ok(None);
        }
        let mut days: Vec<i64> = facts
            .iter()
            .map(|f| (f.first_response_at - f.created_at).whole_days().max(0))
            .collect();
        days.sort_unstable();
        let median = days[days.len() / 2];
        let accepted = facts.iter().filter(|f| f.accepted).count();
        Ok(Some(ResponseFigures {
            median_days: u32::try_from(median.max(1)).unwrap_or(u32::MAX),
            accepted_percent: u32::try_from((accepted * 100 + facts.len() / 2) / facts.len())
                .unwrap_or(100),
            answered: facts.len(),
        }))
    }

    /// A mail to each editor of an organisation: a sentence and a link, never personal data.
    /// A mail that cannot go out is logged (by id), not the user's problem.
    async fn tell_editors(&self, organization: Uuid, subject: &str, text: &str, path: &str) {
        let emails = match self.store.editor_emails(organization).await {
            Ok(emails) => emails,
            Err(err) => {
                tracing::warn!(%organization, error = %err, "could not find editors to mail");
                return;
            }
        };
        for to in emails {
            self.send(to, subject, text, path).await;
        }
    }

    async fn tell_user(&self, user: Uuid, subject: &str, text: &str, path: &str) {
        match self.store.account_email(user).await {
            Ok(Some(to)) => self.send(to, subject, text, path).await,
            Ok(None) => {}
            Err(err) => tracing::warn!(%user, error = %err, "could not find an address to mail"),
        }
    }

    async fn send(&self, to: String, subject: &str, text: &str, path: &str) {
        let mail = Mail {
            to,
            subject: subject.to_string(),
            body: format!(
                "Hallo,\n\n{text}\n\n{}{path}\n\nWijkwijzer\n",
                self.public_url
            ),
        };
        if let Err(err) = self.mailer.send(mail).await {
            tracing::warn!(error = %err, "could not send a referral mail");
        }
    }
}

struct Referrer<'a> {
    id: Option<Uuid>,
    role: &'a str,
    organisation: &'a str,
    route: Route,
}

struct Access {
    is_receiver: bool,
    is_referrer: bool,
}

struct Checked {
    name: String,
    contact: String,
    /// The contact reduced to what identifies it (digits of a phone number, a lower-case
    /// address), for the duplicate tag and the resident's second factor.
    contact_key: String,
    channel: Channel,
    moments: String,
    note: String,
    categories: Vec<String>,
    wijk: Option<String>,
}

fn summary(row: ReferralRow) -> Result<Summary, ReferralError> {
    let corrupt = |what: &str| ReferralError::Internal(anyhow::anyhow!("stored {what} unknown"));
    Ok(Summary {
        status: row.status.parse().map_err(|_| corrupt("status"))?,
        reason: row
            .status_reason
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|_| corrupt("reason"))?,
        route: Route::parse(&row.route).ok_or_else(|| corrupt("route"))?,
        row,
    })
}

fn step(event: ReferralEventRow, key: Option<&DataKey>, rid: &str) -> Result<Step, ReferralError> {
    let note = match (key, &event.sealed_note) {
        (Some(key), Some(sealed)) => Some(key.open(rid, FIELD_NOTE, sealed)?),
        _ => None,
    };
    Ok(Step {
        status: event
            .status
            .parse()
            .map_err(|_| anyhow::anyhow!("stored status unknown"))?,
        reason: event
            .reason
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|_| anyhow::anyhow!("stored reason unknown"))?,
        matched_service_id: event.matched_service_id,
        matched_service_name: event.matched_service_name,
        note,
        by_role: event.by_role,
        at: event.at,
    })
}

/// What the form says when the consent box was not ticked.
pub const NO_CONSENT: &str =
    "Zonder toestemming kunnen we de verwijzing niet versturen. Er is niets opgeslagen.";

/// Whether the consent box was ticked.
fn consent_given(input: &ReferralInput) -> bool {
    input
        .toestemming
        .as_deref()
        .is_some_and(|v| !v.trim().is_empty())
}

/// A field and what is wrong with it, in words for people.
pub type FieldError = (&'static str, String);

/// The value of `result`, or `None` with its field error added to `errors`.
fn keep<T>(errors: &mut Vec<FieldError>, result: Result<T, ReferralError>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(ReferralError::Invalid { field, message }) => {
            errors.push((field, message));
            None
        }
        Err(other) => {
            errors.push(("", other.to_string()));
            None
        }
    }
}

fn check_name(input: &str) -> Result<String, ReferralError> {
    let name = input.trim().to_string();
    if name.is_empty() {
        return Err(invalid(
            "naam",
            "Vul de naam of de voorletters van de inwoner in.",
        ));
    }
    if name.chars().count() > MAX_NAME {
        return Err(invalid(
            "naam",
            format!("Gebruik hoogstens {MAX_NAME} tekens."),
        ));
    }
    check_plain("naam", &name)?;
    Ok(name)
}

/// A one-line field of at most `max` characters (may be empty).
fn check_short(field: &'static str, input: &str, max: usize) -> Result<String, ReferralError> {
    let value = input.trim().to_string();
    if value.chars().count() > max {
        return Err(invalid(field, format!("Gebruik hoogstens {max} tekens.")));
    }
    check_plain(field, &value)?;
    Ok(value)
}

fn check_note(input: &str) -> Result<String, ReferralError> {
    let note = input.trim().replace("\r\n", "\n");
    if note.chars().count() > MAX_NOTE {
        return Err(invalid(
            "toelichting",
            format!("Gebruik hoogstens {MAX_NOTE} tekens."),
        ));
    }
    if note
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(invalid(
            "toelichting",
            "De tekst bevat tekens die niet kunnen.",
        ));
    }
    Ok(note)
}

/// No control characters in a one-line field.
fn check_plain(field: &'static str, value: &str) -> Result<(), ReferralError> {
    if value.chars().any(char::is_control) {
        return Err(invalid(field, "De tekst bevat tekens die niet kunnen."));
    }
    Ok(())
}

/// A phone number (for bellen/sms) or an e-mail address (for e-mail), checked; returns the
/// contact as typed (trimmed) and its key.
fn check_contact(input: &str, channel: Channel) -> Result<(String, String), ReferralError> {
    let contact = input.trim();
    if contact.is_empty() {
        return Err(invalid(
            "contact",
            "Vul een telefoonnummer of e-mailadres in.",
        ));
    }
    if contact.contains('@') {
        if channel != Channel::Email {
            return Err(invalid(
                "contact",
                "Voor bellen of sms is een telefoonnummer nodig.",
            ));
        }
        let email = crate::accounts::normalise_email(contact).map_err(|_| {
            invalid(
                "contact",
                "Vul een geldig e-mailadres in (naam@voorbeeld.nl).",
            )
        })?;
        return Ok((email.clone(), email));
    }
    if channel == Channel::Email {
        return Err(invalid("contact", "Voor e-mail is een e-mailadres nodig."));
    }
    let digits = contact.chars().filter(char::is_ascii_digit).count();
    let phone_like = contact
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if !phone_like || !(8..=15).contains(&digits) {
        return Err(invalid(
            "contact",
            "Vul een geldig telefoonnummer in (bijvoorbeeld 06 12345678).",
        ));
    }
    Ok((contact.to_string(), contact_key(contact)))
}

/// What identifies a contact: a lower-case e-mail address, or the digits of a phone number
/// with +31 / 0031 written as 0.
pub fn contact_key(input: &str) -> String {
    let input = input.trim();
    if input.contains('@') {
        return input.to_lowercase();
    }
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    if let Some(rest) = digits.strip_prefix("0031") {
        format!("0{rest}")
    } else if input.starts_with('+') {
        match digits.strip_prefix("31") {
            Some(rest) => format!("0{rest}"),
            None => digits,
        }
    } else {
        digits
    }
}

/// Initials, lower case: "J. de Vries", "J.d.V." and "jan de vries" all give "jdv".
pub fn initials(name: &str) -> String {
    name.split(|c: char| c.is_whitespace() || c == '.' || c == '-')
        .filter_map(|part| part.chars().find(|c| c.is_alphabetic()))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A code as typed ("k7m 4qx p2a", "K7M-4QX-P2A") in its stored form, or `None`.
pub fn normalise_code(input: &str) -> Option<String> {
    let chars: String = input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (chars.len() == 9).then(|| format!("{}-{}-{}", &chars[0..3], &chars[3..6], &chars[6..9]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_ignore_how_the_name_is_written() {
        assert_eq!(initials("J. de Vries"), "jdv");
        assert_eq!(initials("J.d.V."), "jdv");
        assert_eq!(initials("jan de vries"), "jdv");
        assert_eq!(initials("Anne-Marie Öztürk"), "amö");
    }

    #[test]
    fn contact_keys_ignore_formatting_and_country_code() {
        assert_eq!(contact_key("06-12 34 56 78"), "0612345678");
        assert_eq!(contact_key("+31 6 12345678"), "0612345678");
        assert_eq!(contact_key("0031612345678"), "0612345678");
        assert_eq!(contact_key(" Jan@Example.org "), "jan@example.org");
    }

    #[test]
    fn contacts_must_fit_the_channel() {
        assert!(check_contact("06 12345678", Channel::Phone).is_ok());
        assert!(check_contact("jan@example.org", Channel::Email).is_ok());
        assert!(check_contact("jan@example.org", Channel::Phone).is_err());
        assert!(check_contact("06 12345678", Channel::Email).is_err());
        assert!(check_contact("bel maar", Channel::Phone).is_err());
        assert!(check_contact("", Channel::Phone).is_err());
    }

    #[test]
    fn codes_are_read_as_people_type_them() {
        assert_eq!(
            normalise_code("k7m 4qx p2a").as_deref(),
            Some("K7M-4QX-P2A")
        );
        assert_eq!(
            normalise_code("K7M-4QX-P2A").as_deref(),
            Some("K7M-4QX-P2A")
        );
        assert_eq!(normalise_code("K7M-4QX"), None);
        assert_eq!(normalise_code("' or 1=1 --"), None);
    }

    #[test]
    fn roles_give_the_route() {
        assert_eq!(ReferrerRole::Huisarts.route(), Route::Care);
        assert_eq!(ReferrerRole::Buurtteam.route(), Route::Welfare);
        for role in ReferrerRole::ALL {
            assert_eq!(ReferrerRole::parse(role.code()), Some(role));
        }
    }

    #[test]
    fn personal_data_never_prints() {
        let personal = Personal {
            name: "Jan de Vries".into(),
            contact: "0612345678".into(),
            moments: String::new(),
            note: String::new(),
        };
        let printed = format!("{personal:?}");
        assert!(!printed.contains("Jan") && !printed.contains("0612"));
    }

    #[test]
    fn posted_forms_never_print_what_the_resident_gave() {
        let input = ReferralInput {
            naam: "Jan de Vries".into(),
            contact: "0612345678".into(),
            kanaal: "telefoon".into(),
            momenten: "dinsdagochtend".into(),
            toelichting: "eenzaam sinds verhuizing".into(),
            postcode: "3562 AB".into(),
            rol: "huisarts".into(),
            organisatie: "Praktijk Noord".into(),
            ..Default::default()
        };
        let printed = format!("{input:?}");
        for personal in ["Jan", "0612", "dinsdag", "eenzaam", "3562"] {
            assert!(!printed.contains(personal), "{personal} in {printed}");
        }
        assert!(printed.contains("huisarts"), "{printed}");
        let step = TransitionInput {
            van: "accepted".into(),
            naar: "in-progress".into(),
            notitie: "belde terug, gaat graag wandelen".into(),
            ..Default::default()
        };
        let printed = format!("{step:?}");
        assert!(!printed.contains("wandelen") && printed.contains("in-progress"));
    }
}
