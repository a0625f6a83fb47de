//! The life of a referral (issue 14): the statuses of the HL7 Gravity SDOH referral (FHIR
//! `Task.status`) and the only transitions allowed between them, so that what we record can be
//! exchanged later without translation. Plain types: the use cases decide who may move a
//! referral, this module only what a move may be.
//!
//! ```text
//! requested ──► accepted ──► in-progress ◄──► on-hold
//!     │            │              │              │
//!     ├► rejected  ├──────────────┴──────────────┴──► completed | failed | cancelled
//!     └► cancelled └► on-hold
//! ```

use std::fmt;
use std::str::FromStr;

/// Where a referral stands (FHIR `Task.status` codes; `draft` and `entered-in-error` are not
/// used: nothing is stored before consent, and a mistaken referral is cancelled as a
/// duplicate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReferralStatus {
    Requested,
    Accepted,
    Rejected,
    Cancelled,
    InProgress,
    OnHold,
    Completed,
    Failed,
}

/// The inbox tabs of the receiving organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InboxBucket {
    /// Not answered yet.
    New,
    /// Accepted or being worked on.
    InProgress,
    /// On hold (a waiting list).
    Waiting,
    Closed,
}

impl ReferralStatus {
    pub const ALL: [ReferralStatus; 8] = [
        ReferralStatus::Requested,
        ReferralStatus::Accepted,
        ReferralStatus::Rejected,
        ReferralStatus::Cancelled,
        ReferralStatus::InProgress,
        ReferralStatus::OnHold,
        ReferralStatus::Completed,
        ReferralStatus::Failed,
    ];

    /// The FHIR code, also the stored form.
    pub fn code(self) -> &'static str {
        match self {
            ReferralStatus::Requested => "requested",
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::Rejected => "rejected",
            ReferralStatus::Cancelled => "cancelled",
            ReferralStatus::InProgress => "in-progress",
            ReferralStatus::OnHold => "on-hold",
            ReferralStatus::Completed => "completed",
            ReferralStatus::Failed => "failed",
        }
    }

    /// For people, in Dutch (B1).
    pub fn label(self) -> &'static str {
        match self {
            ReferralStatus::Requested => "Verstuurd",
            ReferralStatus::Accepted => "Aangenomen",
            ReferralStatus::Rejected => "Afgewezen",
            ReferralStatus::Cancelled => "Geannuleerd",
            ReferralStatus::InProgress => "Bezig",
            ReferralStatus::OnHold => "Wacht",
            ReferralStatus::Completed => "Afgerond",
            ReferralStatus::Failed => "Niet gelukt",
        }
    }

    /// Whether the referral is over: nothing can follow.
    pub fn is_closed(self) -> bool {
        self.next().is_empty()
    }

    pub fn bucket(self) -> InboxBucket {
        match self {
            ReferralStatus::Requested => InboxBucket::New,
            ReferralStatus::Accepted | ReferralStatus::InProgress => InboxBucket::InProgress,
            ReferralStatus::OnHold => InboxBucket::Waiting,
            ReferralStatus::Rejected
            | ReferralStatus::Cancelled
            | ReferralStatus::Completed
            | ReferralStatus::Failed => InboxBucket::Closed,
        }
    }

    /// The statuses a referral in this one may move to (the Gravity SDOH graph).
    pub fn next(self) -> &'static [ReferralStatus] {
        use ReferralStatus::*;
        match self {
            Requested => &[Accepted, Rejected, Cancelled],
            Accepted => &[InProgress, OnHold, Cancelled, Completed, Failed],
            InProgress => &[OnHold, Completed, Failed, Cancelled],
            OnHold => &[InProgress, Completed, Failed, Cancelled],
            Rejected | Cancelled | Completed | Failed => &[],
        }
    }

    /// Whether moving here needs a reason (FHIR `statusReason`).
    pub fn needs_reason(self) -> bool {
        !self.reasons().is_empty()
    }

    /// The reasons that may be given for moving here (empty: none is asked).
    pub fn reasons(self) -> &'static [StatusReason] {
        use StatusReason::*;
        match self {
            ReferralStatus::Rejected => &[
                NoCapacity,
                NotEligible,
                OutsideArea,
                ReferredElsewhere,
                Other,
            ],
            ReferralStatus::Cancelled => &[
                NoLongerInterested,
                Duplicate,
                ReferredElsewhere,
                ConsentWithdrawn,
                Other,
            ],
            ReferralStatus::OnHold => &[WaitingList, ResidentUnavailable, Other],
            ReferralStatus::Failed => &[CouldNotContact, DidNotAttend, Other],
            _ => &[],
        }
    }

    /// Checks a move from this status to `to` with `reason`: it must be an edge of the graph,
    /// and carry a reason exactly when `to` asks for one, of the kinds `to` allows.
    pub fn transition(
        self,
        to: ReferralStatus,
        reason: Option<StatusReason>,
    ) -> Result<ReferralStatus, TransitionError> {
        if !self.next().contains(&to) {
            return Err(TransitionError::NotAllowed { from: self, to });
        }
        match (to.needs_reason(), reason) {
            (true, None) => Err(TransitionError::ReasonRequired(to)),
            (true, Some(r)) if !to.reasons().contains(&r) => {
                Err(TransitionError::ReasonDoesNotFit { to, reason: r })
            }
            (false, Some(r)) => Err(TransitionError::ReasonDoesNotFit { to, reason: r }),
            _ => Ok(to),
        }
    }
}

impl fmt::Display for ReferralStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for ReferralStatus {
    type Err = UnknownCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ReferralStatus::ALL
            .into_iter()
            .find(|status| status.code() == s)
            .ok_or_else(|| UnknownCode(s.to_string()))
    }
}

/// Why a referral was rejected, cancelled, put on hold or failed (the outcome reasons real
/// closed-loop systems use; `ReferredElsewhere` fits both a rejection and a cancellation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StatusReason {
    NoCapacity,
    NotEligible,
    OutsideArea,
    ReferredElsewhere,
    NoLongerInterested,
    Duplicate,
    ConsentWithdrawn,
    WaitingList,
    ResidentUnavailable,
    CouldNotContact,
    DidNotAttend,
    Other,
}

impl StatusReason {
    pub const ALL: [StatusReason; 12] = [
        StatusReason::NoCapacity,
        StatusReason::NotEligible,
        StatusReason::OutsideArea,
        StatusReason::ReferredElsewhere,
        StatusReason::NoLongerInterested,
        StatusReason::Duplicate,
        StatusReason::ConsentWithdrawn,
        StatusReason::WaitingList,
        StatusReason::ResidentUnavailable,
        StatusReason::CouldNotContact,
        StatusReason::DidNotAttend,
        StatusReason::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            StatusReason::NoCapacity => "no-capacity",
            StatusReason::NotEligible => "not-eligible",
            StatusReason::OutsideArea => "outside-area",
            StatusReason::ReferredElsewhere => "referred-elsewhere",
            StatusReason::NoLongerInterested => "no-longer-interested",
            StatusReason::Duplicate => "duplicate",
            StatusReason::ConsentWithdrawn => "consent-withdrawn",
            StatusReason::WaitingList => "waiting-list",
            StatusReason::ResidentUnavailable => "resident-unavailable",
            StatusReason::CouldNotContact => "could-not-contact",
            StatusReason::DidNotAttend => "did-not-attend",
            StatusReason::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StatusReason::NoCapacity => "Geen plek",
            StatusReason::NotEligible => "Past niet bij wat wij bieden",
            StatusReason::OutsideArea => "Woont buiten ons werkgebied",
            StatusReason::ReferredElsewhere => "Doorverwezen naar een ander",
            StatusReason::NoLongerInterested => "Wil niet meer",
            StatusReason::Duplicate => "Dubbel verstuurd",
            StatusReason::ConsentWithdrawn => "Toestemming ingetrokken",
            StatusReason::WaitingList => "Wachtlijst",
            StatusReason::ResidentUnavailable => "Inwoner even niet bereikbaar",
            StatusReason::CouldNotContact => "Geen contact gekregen",
            StatusReason::DidNotAttend => "Niet gekomen",
            StatusReason::Other => "Anders",
        }
    }
}

impl FromStr for StatusReason {
    type Err = UnknownCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StatusReason::ALL
            .into_iter()
            .find(|reason| reason.code() == s)
            .ok_or_else(|| UnknownCode(s.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("onbekende code {0:?}")]
pub struct UnknownCode(pub String);

/// Why a status change was refused, in words for the person who tried it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("een verwijzing met status '{}' kan niet naar '{}'", from.label(), to.label())]
    NotAllowed {
        from: ReferralStatus,
        to: ReferralStatus,
    },
    #[error("geef een reden voor '{}'", .0.label())]
    ReasonRequired(ReferralStatus),
    #[error("'{}' is geen reden voor '{}'", reason.label(), to.label())]
    ReasonDoesNotFit {
        to: ReferralStatus,
        reason: StatusReason,
    },
}

#[cfg(test)]
mod tests {
    use super::ReferralStatus::*;
    use super::*;

    /// The graph of the issue, written out edge by edge, against every pair of statuses.
    #[test]
    fn exactly_the_gravity_edges_are_allowed() {
        let allowed = [
            (Requested, Accepted),
            (Requested, Rejected),
            (Requested, Cancelled),
            (Accepted, InProgress),
            (Accepted, OnHold),
            (Accepted, Cancelled),
            (Accepted, Completed),
            (Accepted, Failed),
            (InProgress, OnHold),
            (OnHold, InProgress),
            (InProgress, Completed),
            (InProgress, Failed),
            (InProgress, Cancelled),
            (OnHold, Completed),
            (OnHold, Failed),
            (OnHold, Cancelled),
        ];
        for from in ReferralStatus::ALL {
            for to in ReferralStatus::ALL {
                let reason = to.reasons().first().copied();
                let result = from.transition(to, reason);
                if allowed.contains(&(from, to)) {
                    assert_eq!(result, Ok(to), "{from} -> {to}");
                } else {
                    assert_eq!(
                        result,
                        Err(TransitionError::NotAllowed { from, to }),
                        "{from} -> {to}"
                    );
                }
            }
        }
    }

    #[test]
    fn reasons_are_required_exactly_where_fhir_requires_a_status_reason() {
        let needing: Vec<_> = ReferralStatus::ALL
            .into_iter()
            .filter(|s| s.needs_reason())
            .collect();
        assert_eq!(needing, vec![Rejected, Cancelled, OnHold, Failed]);
        assert_eq!(
            Requested.transition(Rejected, None),
            Err(TransitionError::ReasonRequired(Rejected))
        );
        assert_eq!(
            Requested.transition(Rejected, Some(StatusReason::CouldNotContact)),
            Err(TransitionError::ReasonDoesNotFit {
                to: Rejected,
                reason: StatusReason::CouldNotContact
            })
        );
        assert_eq!(
            Requested.transition(Accepted, Some(StatusReason::Other)),
            Err(TransitionError::ReasonDoesNotFit {
                to: Accepted,
                reason: StatusReason::Other
            }),
            "no reason is recorded where none is asked"
        );
        assert_eq!(
            Accepted.transition(OnHold, Some(StatusReason::WaitingList)),
            Ok(OnHold)
        );
    }

    #[test]
    fn closed_statuses_are_the_ends_of_the_graph_and_fill_the_closed_tab() {
        for status in ReferralStatus::ALL {
            assert_eq!(
                status.is_closed(),
                status.bucket() == InboxBucket::Closed,
                "{status}"
            );
        }
        assert!(Completed.is_closed() && !OnHold.is_closed());
    }

    #[test]
    fn codes_round_trip() {
        for status in ReferralStatus::ALL {
            assert_eq!(status.code().parse::<ReferralStatus>(), Ok(status));
        }
        for reason in StatusReason::ALL {
            assert_eq!(reason.code().parse::<StatusReason>(), Ok(reason));
        }
        assert!("entered-in-error".parse::<ReferralStatus>().is_err());
    }
}
