//! "Klopt er iets niet?" (issue 13, part 7): anyone reports a mistake in a listing; the
//! organisation's editors get a mail with a link (nothing else: the report may hold a
//! stranger's contact), and the report waits in the list of those who may handle it (its
//! editors, moderators of its gemeente, instance moderators, administrators: the policy's
//! [`Action::HandleReport`]) until one of them closes it with an outcome. Closing erases the
//! reporter's name and contact: after that nobody needs them.

use std::collections::BTreeMap;
use std::sync::Arc;

use uuid::Uuid;

use crate::auth::{Action, Actor, Denied, OrgRef, authorize};
use crate::mail::{Mail, Mailer};
use crate::store::{NewReport, ReportRow, Store, StoreError};

/// Longest explanation a reporter or a handler may write.
pub const MAX_DETAILS: usize = 1000;
/// Longest name of a reporter.
const MAX_NAME: usize = 100;
/// How many open reports the list shows at most (a queue longer than this is a problem the
/// moderators see anyway), and how many recently closed ones.
const OPEN_SHOWN: i64 = 500;
const CLOSED_SHOWN: i64 = 20;

/// What is wrong, as the reporter chooses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Times,
    Address,
    Contact,
    Gone,
    Other,
}

impl ReportKind {
    pub const ALL: [ReportKind; 5] = [
        ReportKind::Times,
        ReportKind::Address,
        ReportKind::Contact,
        ReportKind::Gone,
        ReportKind::Other,
    ];

    /// The stored and posted code.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Times => "tijden",
            ReportKind::Address => "adres",
            ReportKind::Contact => "contact",
            ReportKind::Gone => "bestaat-niet-meer",
            ReportKind::Other => "anders",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReportKind::Times => "De tijden kloppen niet",
            ReportKind::Address => "Het adres klopt niet",
            ReportKind::Contact => "Telefoon, e-mail of website klopt niet",
            ReportKind::Gone => "Dit bestaat niet meer",
            ReportKind::Other => "Iets anders",
        }
    }

    pub fn parse(code: &str) -> Option<ReportKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == code.trim())
    }
}

/// How a report was handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportOutcome {
    Changed,
    AlreadyRight,
    Forwarded,
    Other,
}

impl ReportOutcome {
    pub const ALL: [ReportOutcome; 4] = [
        ReportOutcome::Changed,
        ReportOutcome::AlreadyRight,
        ReportOutcome::Forwarded,
        ReportOutcome::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportOutcome::Changed => "aangepast",
            ReportOutcome::AlreadyRight => "klopte-al",
            ReportOutcome::Forwarded => "doorgestuurd",
            ReportOutcome::Other => "anders",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReportOutcome::Changed => "Aangepast",
            ReportOutcome::AlreadyRight => "Klopte al",
            ReportOutcome::Forwarded => "Doorgestuurd",
            ReportOutcome::Other => "Anders",
        }
    }

    pub fn parse(code: &str) -> Option<ReportOutcome> {
        Self::ALL.into_iter().find(|o| o.as_str() == code.trim())
    }
}

/// What a reporter typed, as posted.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ReportInput {
    #[serde(default)]
    pub soort: String,
    #[serde(default)]
    pub toelichting: String,
    #[serde(default)]
    pub naam: String,
    #[serde(default)]
    pub contact: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Denied(#[from] Denied),
    /// Input that does not fit: `field` names the form field, `message` is for people.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// No such listing or report.
    #[error("{0} bestaat niet")]
    NotFound(&'static str),
    /// Someone closed the report meanwhile.
    #[error("already closed")]
    AlreadyClosed,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for ReportError {
    fn from(err: StoreError) -> Self {
        Self::Internal(err.into())
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> ReportError {
    ReportError::Invalid {
        field,
        message: message.into(),
    }
}

/// The open reports an actor may handle, and the ones closed last.
pub struct Queue {
    pub open: Vec<ReportRow>,
    pub closed: Vec<ReportRow>,
}

/// Trimmed, with Windows line ends made plain; `None` when empty.
fn cleaned(input: &str) -> Option<String> {
    let text = input.trim().replace("\r\n", "\n");
    (!text.is_empty()).then_some(text)
}

fn check_details(field: &'static str, input: &str) -> Result<Option<String>, ReportError> {
    let text = cleaned(input);
    if text
        .as_ref()
        .is_some_and(|t| t.chars().count() > MAX_DETAILS)
    {
        return Err(invalid(
            field,
            format!("Gebruik hoogstens {MAX_DETAILS} tekens."),
        ));
    }
    if text
        .as_ref()
        .is_some_and(|t| t.chars().any(|c| c.is_control() && c != '\n' && c != '\t'))
    {
        return Err(invalid(field, "De tekst bevat tekens die niet kunnen."));
    }
    Ok(text)
}

/// An e-mail address or a phone number, or nothing.
fn check_contact(input: &str) -> Result<Option<String>, ReportError> {
    let Some(contact) = cleaned(input) else {
        return Ok(None);
    };
    let wrong = || {
        invalid(
            "contact",
            "Vul een e-mailadres (naam@voorbeeld.nl) of een telefoonnummer in, of laat dit leeg.",
        )
    };
    if contact.contains('@') {
        return crate::accounts::normalise_email(&contact)
            .map(Some)
            .map_err(|_| wrong());
    }
    let digits = contact.chars().filter(char::is_ascii_digit).count();
    let phone_like = contact
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if phone_like && (8..=15).contains(&digits) {
        Ok(Some(contact))
    } else {
        Err(wrong())
    }
}

fn check_name(input: &str) -> Result<Option<String>, ReportError> {
    let name = cleaned(input);
    if name
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NAME || n.chars().any(char::is_control))
    {
        return Err(invalid(
            "naam",
            format!("Gebruik hoogstens {MAX_NAME} gewone tekens voor uw naam."),
        ));
    }
    Ok(name)
}

/// The report use cases; cheap to clone.
#[derive(Clone)]
pub struct Reports {
    store: Store,
    mailer: Arc<Mailer>,
    public_url: String,
}

impl Reports {
    pub fn new(store: Store, mailer: Arc<Mailer>, public_url: String) -> Self {
        Self {
            store,
            mailer,
            public_url,
        }
    }

    /// Stores a report about a listing by anyone (no permission needed: the rate limit per
    /// client guards it, `crate::limits`) and mails the organisation's editors a link to it.
    /// A mail that cannot go out is logged, not the reporter's problem: the report is in the
    /// queue either way.
    pub async fn submit(&self, service_id: Uuid, input: &ReportInput) -> Result<Uuid, ReportError> {
        let kind = ReportKind::parse(&input.soort)
            .ok_or_else(|| invalid("soort", "Kies wat er niet klopt."))?;
        let details = check_details("toelichting", &input.toelichting)?;
        if kind == ReportKind::Other && details.is_none() {
            return Err(invalid("toelichting", "Schrijf kort wat er niet klopt."));
        }
        let name = check_name(&input.naam)?;
        let contact = check_contact(&input.contact)?;
        let id = self
            .store
            .create_report(&NewReport {
                service_id,
                kind: kind.as_str(),
                details: details.as_deref().unwrap_or(""),
                reporter_name: name.as_deref(),
                reporter_contact: contact.as_deref(),
            })
            .await?
            .ok_or(ReportError::NotFound("Dit aanbod"))?;
        if let Err(err) = self.tell_editors(id).await {
            tracing::warn!(report = %id, error = %err, "could not mail the editors about a report");
        }
        Ok(id)
    }

    /// One mail per editor, with the link and the listing's (public) name only.
    async fn tell_editors(&self, id: Uuid) -> anyhow::Result<()> {
        let Some(report) = self.store.report(id).await? else {
            return Ok(());
        };
        let link = format!("{}/beheer/meldingen/{id}", self.public_url);
        for to in self.store.editor_emails(report.organization_id).await? {
            self.mailer
                .send(Mail {
                    to,
                    subject: "Melding over uw aanbod in Wijkwijzer".into(),
                    body: format!(
                        "Hallo,\n\nIemand meldt dat er iets niet klopt aan “{}” in Wijkwijzer. \
                         Lees de melding en handel hem af via deze link (u logt eerst in):\n\n\
                         {link}\n\nWijkwijzer\n",
                        report.service_name
                    ),
                })
                .await?;
        }
        Ok(())
    }

    /// The facts the policy needs about a report's organisation.
    async fn org_ref(&self, organization: Uuid) -> Result<OrgRef, ReportError> {
        Ok(OrgRef {
            id: organization,
            gemeenten: self.store.organization_gemeenten(organization).await?,
        })
    }

    /// The reports `actor` may handle: open ones (oldest first) and the last closed ones.
    pub async fn queue(&self, actor: &Actor) -> Result<Queue, ReportError> {
        authorize(actor, &Action::OpenReportQueue)?;
        let mut allowed: BTreeMap<Uuid, bool> = BTreeMap::new();
        let mut keep = Vec::new();
        for closed in [false, true] {
            let limit = if closed { CLOSED_SHOWN } else { OPEN_SHOWN };
            let mut rows = Vec::new();
            for report in self.store.reports(closed, limit).await? {
                let org = report.organization_id;
                let may = match allowed.get(&org) {
                    Some(may) => *may,
                    None => {
                        let may = authorize(actor, &Action::HandleReport(self.org_ref(org).await?))
                            .is_ok();
                        allowed.insert(org, may);
                        may
                    }
                };
                if may {
                    rows.push(report);
                }
            }
            keep.push(rows);
        }
        let closed = keep.pop().unwrap_or_default();
        let open = keep.pop().unwrap_or_default();
        Ok(Queue { open, closed })
    }

    /// One report, for those who may handle it. A visitor learns nothing, not even whether it
    /// exists.
    pub async fn report(&self, actor: &Actor, id: Uuid) -> Result<ReportRow, ReportError> {
        if *actor == Actor::Visitor {
            return Err(Denied::NotSignedIn.into());
        }
        let report = self
            .store
            .report(id)
            .await?
            .ok_or(ReportError::NotFound("Deze melding"))?;
        authorize(
            actor,
            &Action::HandleReport(self.org_ref(report.organization_id).await?),
        )?;
        Ok(report)
    }

    /// Closes a report with an outcome and an optional note; erases the reporter's contact.
    pub async fn close(
        &self,
        actor: &Actor,
        id: Uuid,
        outcome: &str,
        note: &str,
    ) -> Result<(), ReportError> {
        let report = self.report(actor, id).await?;
        if report.closed_at.is_some() {
            return Err(ReportError::AlreadyClosed);
        }
        let outcome = ReportOutcome::parse(outcome)
            .ok_or_else(|| invalid("uitkomst", "Kies wat u met de melding heeft gedaan."))?;
        let note = check_details("notitie", note)?;
        let closed_by = actor.user().map(|u| u.id);
        if !self
            .store
            .close_report(id, closed_by, outcome.as_str(), note.as_deref())
            .await?
        {
            return Err(ReportError::AlreadyClosed);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_is_an_email_address_or_a_phone_number() {
        assert_eq!(check_contact("  ").unwrap(), None);
        assert_eq!(
            check_contact(" Piet@Example.org ").unwrap().as_deref(),
            Some("piet@example.org")
        );
        assert_eq!(
            check_contact("030 - 123 45 67").unwrap().as_deref(),
            Some("030 - 123 45 67")
        );
        assert!(check_contact("+31 6 12345678").is_ok());
        assert!(check_contact("bel me maar").is_err());
        assert!(check_contact("123").is_err());
        assert!(check_contact("a@b").is_err());
    }

    #[test]
    fn details_are_bounded_and_kinds_round_trip() {
        assert!(check_details("toelichting", &"a".repeat(MAX_DETAILS)).is_ok());
        assert!(check_details("toelichting", &"a".repeat(MAX_DETAILS + 1)).is_err());
        assert_eq!(
            check_details("toelichting", "regel\r\nregel").unwrap(),
            Some("regel\nregel".into())
        );
        assert!(check_details("toelichting", "bel\u{7}").is_err());
        for kind in ReportKind::ALL {
            assert_eq!(ReportKind::parse(kind.as_str()), Some(kind));
        }
        for outcome in ReportOutcome::ALL {
            assert_eq!(ReportOutcome::parse(outcome.as_str()), Some(outcome));
        }
    }
}
