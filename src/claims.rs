//! Sign-up and claiming (issue 13, part 2): an organisation that is not on the map asks to be
//! listed, and someone asks to become the editor of an organisation that is ("Is dit uw
//! organisatie?"). Both are public forms, rate-limited per client address; both end in the
//! moderators' queue, where a moderator of the request's gemeente (or of the whole instance,
//! or an administrator) approves — the organisation is made through [`Catalog`] and the
//! contact gets the editor role by the invitation of [`Accounts`] — or rejects with a reason
//! the contact is mailed.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::time::Duration;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::accounts::{AccountError, Accounts, Invited, normalise_email};
use crate::auth::{Action, Actor, Denied, Role, authorize};
use crate::catalog::Catalog;
use crate::domain::{Organization, ServiceRecord};
use crate::mail::Mail;
use crate::store::{Decision, RequestDetails, RequestKind, RequestRow, StoreError};

/// Requests one client address may send per [`FORM_WINDOW`]: enough for a person who signs
/// up a few organisations, too few to flood the moderators.
pub const FORM_POSTS_PER_WINDOW: i64 = 5;
pub const FORM_WINDOW: Duration = Duration::from_secs(3600);

const MAX_NAME: usize = 150;
const MAX_TEXT: usize = 2000;
const MAX_LINE: usize = 200;
const MAX_REASON: usize = 1000;

/// What went wrong with a request or a decision.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// Fields that do not fit, each with a message for people: all of them at once, so that
    /// the form shows every problem next to its field.
    #[error("the form has mistakes")]
    Invalid(Vec<(&'static str, String)>),
    /// Decided already (by someone else), or never existed.
    #[error("request not open")]
    NotOpen,
    #[error(transparent)]
    Account(#[from] AccountError),
}

impl From<StoreError> for RequestError {
    fn from(err: StoreError) -> Self {
        Self::Account(err.into())
    }
}

impl From<Denied> for RequestError {
    fn from(err: Denied) -> Self {
        Self::Account(err.into())
    }
}

pub type RequestResult<T> = Result<T, RequestError>;

/// The sign-up form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SignUpInput {
    pub naam: String,
    pub beschrijving: String,
    pub kvk: String,
    pub website: String,
    pub postcode: String,
    pub plaats: String,
    pub contactpersoon: String,
    pub email: String,
    pub toestemming: String,
}

/// The claim form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ClaimInput {
    pub contactpersoon: String,
    pub email: String,
    pub functie: String,
    pub bericht: String,
    pub toestemming: String,
}

/// A request in the moderators' queue, with the name of the organisation a claim is for.
#[derive(Debug, Clone)]
pub struct Queued {
    pub request: RequestRow,
    /// A claim's organisation as it is listed now.
    pub claimed: Option<String>,
}

/// What an approval did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approved {
    /// The organisation the contact now edits (made now for a sign-up).
    pub organization: Uuid,
    pub invited: Invited,
}

/// Collects the problems of a form, field by field.
#[derive(Default)]
struct Problems(Vec<(&'static str, String)>);

impl Problems {
    fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    /// The trimmed text; a problem when it is required and empty, too long, or has control
    /// characters (line breaks only where `multiline`).
    fn text(
        &mut self,
        field: &'static str,
        value: &str,
        required: Option<&str>,
        max: usize,
        multiline: bool,
    ) -> Option<String> {
        let value = value.trim();
        if value.is_empty() {
            if let Some(message) = required {
                self.add(field, message);
            }
            return None;
        }
        if value.chars().count() > max {
            self.add(field, format!("Gebruik hoogstens {max} tekens."));
            return None;
        }
        if value
            .chars()
            .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
        {
            self.add(field, "Hier staan tekens in die niet kunnen.");
            return None;
        }
        Some(value.to_string())
    }

    fn email(&mut self, value: &str) -> Option<String> {
        match normalise_email(value) {
            Ok(email) => Some(email),
            Err(AccountError::Invalid { message, .. }) => {
                self.add("email", message);
                None
            }
            Err(_) => None,
        }
    }

    /// The contact's name and e-mail address (empty when there is a problem with them).
    fn contact(&mut self, name: &str, email: &str) -> (String, String) {
        let name = self.text(
            "contactpersoon",
            name,
            Some("Vul uw naam in."),
            MAX_NAME,
            false,
        );
        (
            name.unwrap_or_default(),
            self.email(email).unwrap_or_default(),
        )
    }

    fn consent(&mut self, value: &str) {
        if value != "ja" {
            self.add(
                "toestemming",
                "Vink aan dat wij uw naam en e-mailadres hiervoor mogen gebruiken.",
            );
        }
    }

    fn done(self) -> RequestResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(RequestError::Invalid(self.0))
        }
    }
}

/// A KvK number: 8 digits (spaces and dots as people write them are forgiven).
fn kvk_number(input: &str) -> Result<Option<String>, &'static str> {
    let digits: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .collect();
    if digits.is_empty() {
        return Ok(None);
    }
    if digits.len() == 8 && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(Some(digits))
    } else {
        Err("Een KvK-nummer heeft 8 cijfers, zoals 12345678. Weet u het niet? Laat het leeg.")
    }
}

/// A website as people type it: `www.voorbeeld.nl` gets `https://` in front.
fn website(input: &str) -> Result<Option<String>, &'static str> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    let url = if input.starts_with("https://") || input.starts_with("http://") {
        input.to_string()
    } else {
        format!("https://{input}")
    };
    let host = url.split("://").nth(1).unwrap_or("");
    let host = host.split(['/', '?', '#']).next().unwrap_or("");
    if url.len() > 500
        || !host.contains('.')
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err("Dit is geen webadres. Een webadres ziet eruit als www.voorbeeld.nl.");
    }
    Ok(Some(url))
}

/// The sign-up and claim use cases; cheap to make from the application state.
#[derive(Clone)]
pub struct Requests {
    catalog: Catalog,
    accounts: Accounts,
}

impl Requests {
    pub fn new(catalog: &Catalog, accounts: &Accounts) -> Self {
        Self {
            catalog: catalog.clone(),
            accounts: accounts.clone(),
        }
    }

    /// Counts a request from `client`; `Throttled` past [`FORM_POSTS_PER_WINDOW`]. Kept in
    /// the database (like login throttling), so instances sharing one count together.
    async fn count_post(&self, client: IpAddr) -> RequestResult<()> {
        let window = time::Duration::try_from(FORM_WINDOW).unwrap_or(time::Duration::HOUR);
        let key = format!("aanvraag:{}", crate::limits::client_key(client));
        let posts = self
            .catalog
            .store
            .count_form_post(&key, OffsetDateTime::now_utc() - window)
            .await?;
        if posts > FORM_POSTS_PER_WINDOW {
            return Err(AccountError::Throttled {
                retry_after: FORM_WINDOW,
            }
            .into());
        }
        Ok(())
    }

    /// An organisation asks to be listed. Returns the request's id.
    pub async fn sign_up(&self, input: &SignUpInput, client: IpAddr) -> RequestResult<Uuid> {
        let mut problems = Problems::default();
        let name = problems.text(
            "naam",
            &input.naam,
            Some("Vul de naam van de organisatie in."),
            MAX_NAME,
            false,
        );
        let description = problems.text(
            "beschrijving",
            &input.beschrijving,
            Some("Vertel in een paar zinnen wat de organisatie doet."),
            MAX_TEXT,
            true,
        );
        let kvk = kvk_number(&input.kvk).unwrap_or_else(|message| {
            problems.add("kvk", message);
            None
        });
        let site = website(&input.website).unwrap_or_else(|message| {
            problems.add("website", message);
            None
        });
        let place = problems.text("plaats", &input.plaats, None, MAX_LINE, false);
        let mut gemeente = None;
        let postcode = match input.postcode.trim() {
            "" => {
                if place.is_none() {
                    problems.add(
                        "postcode",
                        "Vul de postcode of de plaats in, zodat de moderator van uw gemeente \
                         de aanmelding ziet.",
                    );
                }
                None
            }
            typed => match self.catalog.geo.postcode(typed) {
                Ok(found) => {
                    gemeente = found.placement.gemeente;
                    Some(typed.to_uppercase())
                }
                Err(err) => {
                    problems.add("postcode", err.to_string());
                    None
                }
            },
        };
        let (contact, email) = problems.contact(&input.contactpersoon, &input.email);
        problems.consent(&input.toestemming);
        problems.done()?;
        self.count_post(client).await?;
        // Without a postcode, a place that is a gemeente's name still finds its moderators.
        if gemeente.is_none()
            && let Some(place) = &place
        {
            gemeente = self
                .catalog
                .geo
                .gemeenten()
                .into_iter()
                .find(|g| g.name.eq_ignore_ascii_case(place.trim()))
                .map(|g| g.code.clone());
        }
        let details = RequestDetails {
            organization_name: name.unwrap_or_default(),
            description: description.unwrap_or_default(),
            kvk_number: kvk,
            website: site,
            postcode,
            place,
            contact_name: contact,
            contact_email: email,
            contact_function: None,
            message: None,
        };
        Ok(self
            .catalog
            .store
            .create_request(
                RequestKind::SignUp,
                None,
                None,
                gemeente.as_deref(),
                &details,
            )
            .await?)
    }

    async fn service(&self, id: Uuid) -> RequestResult<ServiceRecord> {
        Ok(self
            .catalog
            .service(id)
            .await
            .map_err(AccountError::Internal)?
            .ok_or(AccountError::NotFound("Dit aanbod"))?)
    }

    /// The service and organisation names for the claim form of a service's page.
    pub async fn claimable(&self, service: Uuid) -> RequestResult<(String, String)> {
        let record = self.service(service).await?;
        Ok((record.service.name, record.organization.name))
    }

    /// Someone asks to become the editor of the organisation behind `service`.
    pub async fn claim(
        &self,
        service: Uuid,
        input: &ClaimInput,
        client: IpAddr,
    ) -> RequestResult<Uuid> {
        let record = self.service(service).await?;
        let mut problems = Problems::default();
        let (contact, email) = problems.contact(&input.contactpersoon, &input.email);
        let function = problems.text(
            "functie",
            &input.functie,
            Some("Vul uw functie in, zodat de moderator weet waarom u dit aanbod beheert."),
            MAX_LINE,
            false,
        );
        let message = problems.text("bericht", &input.bericht, None, MAX_TEXT, true);
        problems.consent(&input.toestemming);
        problems.done()?;
        self.count_post(client).await?;
        let details = RequestDetails {
            organization_name: record.organization.name.clone(),
            contact_name: contact,
            contact_email: email,
            contact_function: function,
            message,
            ..RequestDetails::default()
        };
        Ok(self
            .catalog
            .store
            .create_request(
                RequestKind::Claim,
                Some(record.service.organization_id),
                Some(service),
                None,
                &details,
            )
            .await?)
    }

    /// The gemeenten a request belongs to, for [`Action::DecideRequest`].
    async fn gemeenten_of(&self, request: &RequestRow) -> RequestResult<BTreeSet<String>> {
        Ok(match (request.kind, request.organization) {
            (RequestKind::Claim, Some(org)) => {
                self.catalog.store.organization_gemeenten(org).await?
            }
            _ => request.gemeente.iter().cloned().collect(),
        })
    }

    /// The open requests `actor` may decide, oldest first.
    pub async fn queue(&self, actor: &Actor) -> RequestResult<Vec<Queued>> {
        authorize(actor, &Action::OpenRequestQueue)?;
        let mut out = Vec::new();
        for request in self.catalog.store.open_requests().await? {
            let gemeenten = self.gemeenten_of(&request).await?;
            if authorize(actor, &Action::DecideRequest { gemeenten }).is_err() {
                continue;
            }
            let claimed = match (request.kind, request.organization) {
                (RequestKind::Claim, Some(org)) => {
                    self.catalog.store.organization_name(org).await?
                }
                _ => None,
            };
            out.push(Queued { request, claimed });
        }
        Ok(out)
    }

    /// An open request `actor` may decide: `NotFound` for one they may not see, so that its
    /// existence is not told.
    async fn decidable(&self, actor: &Actor, id: Uuid) -> RequestResult<RequestRow> {
        authorize(actor, &Action::OpenRequestQueue)?;
        let request = self
            .catalog
            .store
            .open_request(id)
            .await?
            .ok_or(RequestError::NotOpen)?;
        let gemeenten = self.gemeenten_of(&request).await?;
        authorize(actor, &Action::DecideRequest { gemeenten })?;
        Ok(request)
    }

    /// Approves a request: a sign-up's organisation is listed, and the contact becomes its
    /// editor (a new account gets a single-use invitation link by mail).
    pub async fn approve(&self, actor: &Actor, id: Uuid) -> RequestResult<Approved> {
        let request = self.decidable(actor, id).await?;
        let decided_by = actor.user().map(|u| u.id);
        // Closed first, so that two moderators approving at once cannot list it twice.
        if !self
            .catalog
            .store
            .decide_request(id, Decision::Approved, None, decided_by)
            .await?
        {
            return Err(RequestError::NotOpen);
        }
        let organization = match (request.kind, request.organization) {
            (RequestKind::Claim, Some(org)) => org,
            _ => {
                let details = &request.details;
                let org = Organization {
                    id: Uuid::new_v4(),
                    name: details.organization_name.clone(),
                    alternate_name: None,
                    description: details.description.clone(),
                    email: None,
                    website: details.website.clone(),
                    provider_type: None,
                    phone: None,
                };
                self.catalog
                    .save_organization(&org)
                    .await
                    .map_err(AccountError::Internal)?;
                self.catalog
                    .store
                    .link_request_organisation(id, org.id)
                    .await?;
                org.id
            }
        };
        let invited = self
            .accounts
            .send_invitation(
                &request.details.contact_email,
                Role::OrganisationEditor { organization },
                decided_by,
            )
            .await?;
        Ok(Approved {
            organization,
            invited,
        })
    }

    /// Rejects a request with a reason, which the contact is mailed.
    pub async fn reject(&self, actor: &Actor, id: Uuid, reason: &str) -> RequestResult<()> {
        let request = self.decidable(actor, id).await?;
        let mut problems = Problems::default();
        let reason = problems.text(
            "reden",
            reason,
            Some("Schrijf waarom, zodat de aanvrager het begrijpt."),
            MAX_REASON,
            true,
        );
        problems.done()?;
        let reason = reason.unwrap_or_default();
        if !self
            .catalog
            .store
            .decide_request(
                id,
                Decision::Rejected,
                Some(&reason),
                actor.user().map(|u| u.id),
            )
            .await?
        {
            return Err(RequestError::NotOpen);
        }
        let what = match request.kind {
            RequestKind::SignUp => "uw aanmelding van",
            RequestKind::Claim => "uw vraag om het aanbod te beheren van",
        };
        self.accounts
            .mailer()
            .send(Mail {
                to: request.details.contact_email,
                subject: "Uw aanvraag bij Wijkwijzer".into(),
                body: format!(
                    "Hallo,\n\nDe moderator heeft {what} {} niet goedgekeurd.\n\nDe reden:\n\
                     {reason}\n\nHeeft u vragen? Antwoord dan op deze mail.\n\nWijkwijzer\n",
                    request.details.organization_name
                ),
            })
            .await
            .map_err(AccountError::Internal)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kvk_numbers_have_eight_digits() {
        assert_eq!(kvk_number(""), Ok(None));
        assert_eq!(kvk_number("1234 5678"), Ok(Some("12345678".into())));
        assert_eq!(kvk_number("12.34.56.78"), Ok(Some("12345678".into())));
        assert!(kvk_number("1234567").is_err());
        assert!(kvk_number("123456789").is_err());
        assert!(kvk_number("1234567a").is_err());
    }

    #[test]
    fn websites_get_a_scheme_and_need_a_domain() {
        assert_eq!(
            website("www.buurt.nl"),
            Ok(Some("https://www.buurt.nl".into()))
        );
        assert_eq!(
            website("http://buurt.nl/over"),
            Ok(Some("http://buurt.nl/over".into()))
        );
        assert_eq!(website(" "), Ok(None));
        assert!(website("buurt").is_err());
        assert!(website("www.buurt .nl").is_err());
    }
}
