//! Who is asking, and what they may do: roles, the [`Actor`] behind a request, and the ONE
//! authorisation policy ([`authorize`]). Plain types, no HTTP or SQL.
//!
//! The use cases (`crate::accounts`, and the editing, moderation and referral use cases that
//! follow) call [`authorize`] before they read or change anything that is not public; the
//! handlers only turn a request into an [`Actor`] and never look at roles themselves. To add
//! something that needs permission: add an [`Action`] variant (with the facts the decision
//! needs, e.g. the organisation's gemeenten), add its arm to [`authorize`] — the `match` has
//! no catch-all, so the compiler points at the one place to decide — and add a line to the
//! matrix test at the bottom of this file.

pub mod secrets;

use std::collections::BTreeSet;
use std::fmt;

use uuid::Uuid;

/// What a person has been granted. One person can hold several.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// A care or welfare professional: may refer people (issue 13, part "verwijzen").
    Professional,
    /// Keeps one organisation's listings (one grant per organisation).
    OrganisationEditor { organization: Uuid },
    /// Keeps the map clean for one gemeente, or for the whole instance.
    Moderator { scope: ModerationScope },
    /// Runs the instance: manages people and roles, may do everything.
    Administrator,
}

/// Where a moderator moderates.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ModerationScope {
    /// Every gemeente of the instance.
    Instance,
    /// One gemeente, by CBS code (GM0344).
    Gemeente(String),
}

impl ModerationScope {
    /// Whether this scope covers an area made of these gemeenten (an organisation's, from its
    /// locations). An organisation without any located place is only the instance's.
    fn covers(&self, gemeenten: &BTreeSet<String>) -> bool {
        match self {
            ModerationScope::Instance => true,
            ModerationScope::Gemeente(code) => gemeenten.contains(code),
        }
    }
}

/// The role kind as stored (`role_grant.role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleKind {
    Professional,
    Editor,
    Moderator,
    Administrator,
}

impl RoleKind {
    pub const ALL: [RoleKind; 4] = [
        RoleKind::Professional,
        RoleKind::Editor,
        RoleKind::Moderator,
        RoleKind::Administrator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Professional => "professional",
            RoleKind::Editor => "editor",
            RoleKind::Moderator => "moderator",
            RoleKind::Administrator => "administrator",
        }
    }

    pub fn parse(s: &str) -> Option<RoleKind> {
        RoleKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// For people, in Dutch.
    pub fn label(self) -> &'static str {
        match self {
            RoleKind::Professional => "Professional",
            RoleKind::Editor => "Redacteur van een organisatie",
            RoleKind::Moderator => "Moderator",
            RoleKind::Administrator => "Beheerder",
        }
    }
}

impl Role {
    pub fn kind(&self) -> RoleKind {
        match self {
            Role::Professional => RoleKind::Professional,
            Role::OrganisationEditor { .. } => RoleKind::Editor,
            Role::Moderator { .. } => RoleKind::Moderator,
            Role::Administrator => RoleKind::Administrator,
        }
    }

    /// The stored form: (role, organization_id, gemeente_code).
    pub fn to_columns(&self) -> (&'static str, Option<Uuid>, Option<String>) {
        match self {
            Role::Professional => ("professional", None, None),
            Role::OrganisationEditor { organization } => ("editor", Some(*organization), None),
            Role::Moderator { scope } => (
                "moderator",
                None,
                match scope {
                    ModerationScope::Instance => None,
                    ModerationScope::Gemeente(code) => Some(code.clone()),
                },
            ),
            Role::Administrator => ("administrator", None, None),
        }
    }

    /// From the stored form; `None` for a combination that makes no sense (an editor without
    /// an organisation), which the caller reports as corrupt data.
    pub fn from_columns(
        role: &str,
        organization: Option<Uuid>,
        gemeente: Option<String>,
    ) -> Option<Role> {
        Some(match (RoleKind::parse(role)?, organization) {
            (RoleKind::Professional, None) => Role::Professional,
            (RoleKind::Editor, Some(organization)) => Role::OrganisationEditor { organization },
            (RoleKind::Moderator, None) => Role::Moderator {
                scope: gemeente.map_or(ModerationScope::Instance, ModerationScope::Gemeente),
            },
            (RoleKind::Administrator, None) => Role::Administrator,
            _ => return None,
        })
    }
}

/// A signed-in person as the policy sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserActor {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
}

/// An organisation's API token as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenActor {
    pub token_id: Uuid,
    pub organization: Uuid,
}

/// Who is behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// Not signed in: may read what is public, nothing else.
    Visitor,
    User(UserActor),
    /// `Authorization: Bearer …` on the API: acts for one organisation only.
    ApiToken(TokenActor),
    /// The application itself with the operator's authority: the demo loader and the
    /// commands run on the server. Never made from a request.
    System,
}

impl Actor {
    pub fn user(&self) -> Option<&UserActor> {
        match self {
            Actor::User(user) => Some(user),
            _ => None,
        }
    }

    /// The id a change is recorded under: the person's, or the API token's.
    pub fn id(&self) -> Option<Uuid> {
        match self {
            Actor::User(user) => Some(user.id),
            Actor::ApiToken(token) => Some(token.token_id),
            Actor::Visitor | Actor::System => None,
        }
    }

    /// In which capacity this actor changes `org`'s listings, as the history and the HSDS
    /// `metadata.updated_by` show it: a role, never a name.
    pub fn role_towards(&self, org: &OrgRef) -> &'static str {
        match self {
            Actor::Visitor => "bezoeker",
            Actor::System => "systeem",
            Actor::ApiToken(_) => "api-sleutel",
            Actor::User(_) if self.is_admin() => "beheerder",
            Actor::User(_) if self.moderates(&org.gemeenten) => "moderator",
            Actor::User(_) if self.edits(org.id) => "redacteur",
            Actor::User(_) => "gebruiker",
        }
    }

    fn roles(&self) -> &[Role] {
        match self {
            Actor::User(user) => &user.roles,
            _ => &[],
        }
    }

    fn is_admin(&self) -> bool {
        self.roles().contains(&Role::Administrator)
    }

    fn edits(&self, organization: Uuid) -> bool {
        self.roles().iter().any(
            |r| matches!(r, Role::OrganisationEditor { organization: o } if *o == organization),
        )
    }

    fn moderates(&self, gemeenten: &BTreeSet<String>) -> bool {
        self.roles()
            .iter()
            .any(|r| matches!(r, Role::Moderator { scope } if scope.covers(gemeenten)))
    }

    fn is_moderator(&self) -> bool {
        self.roles()
            .iter()
            .any(|r| matches!(r, Role::Moderator { .. }))
    }
}

/// An organisation with the facts a decision about it needs, loaded by the use case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRef {
    pub id: Uuid,
    /// The gemeenten of its locations (CBS codes), for moderators of one gemeente.
    pub gemeenten: BTreeSet<String>,
}

/// Everything that needs permission. Public reading needs none and is not here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// See who one is and one's roles (a person, or an API token: its organisation).
    ViewOwnAccount,
    /// Sign out everywhere (a person's sessions).
    ManageOwnSessions,
    /// Open the page for inviting people (administrators and moderators).
    OpenUserAdmin,
    /// See every account and its roles.
    ListUsers,
    /// Give someone a role (by invitation, or to an existing account). An editor role needs
    /// `organization` to say where the organisation is.
    GrantRole {
        role: Role,
        organization: Option<OrgRef>,
    },
    /// Create, list and revoke an organisation's API tokens.
    ManageTokens(OrgRef),
    /// Change an organisation's listings (through forms or its API token).
    EditOrganisation(OrgRef),
    /// Read an organisation's own, not yet public data (drafts, pending requests).
    ReadOrganisationPrivate(OrgRef),
    /// Work a moderation queue for an area (one gemeente's code, or `None`: the instance).
    ModerateArea(Option<String>),
    /// Refer someone to a service (professionals).
    Refer,
    /// Read a referral's personal data: only its referrer and the receiving organisation's
    /// editors. Not moderators, not administrators, not API tokens: privacy by design.
    ReadReferral {
        receiver: Uuid,
        referrer: Option<Uuid>,
    },
    /// Work the inbox of the receiving organisation: answer referrals, record progress.
    WorkReferral { receiver: Uuid },
    /// See who read personal data of the referrals an organisation received (its editors,
    /// and administrators: the log holds no personal data).
    ReadReferralAudit { receiver: Uuid },
    /// Choose the Welzijn op Recept intake point of an area in this gemeente (CBS code).
    ConfigureIntake { gemeente: String },
    /// See the figures per wijk: aggregates only, for moderators and administrators.
    ViewNeedsReport,
    /// Decide on an organisation's change requests, publish its changes at once and mark it
    /// trusted (moderators of its area, administrators).
    ModerateOrganisation(OrgRef),
    /// Open the moderation queue (which requests it shows is decided per organisation by
    /// [`Action::ModerateOrganisation`]).
    OpenModerationQueue,
    /// Withdraw a change request: only the one who proposed it (a person or an API token, by
    /// id), or an administrator.
    WithdrawChangeRequest { proposed_by: Uuid },
    /// Open the list of reports ("Klopt er iets niet?"): people who handle reports about
    /// some organisation (its editors, moderators, administrators). Which reports the list
    /// shows is decided per report by [`Action::HandleReport`].
    OpenReportQueue,
    /// Read a report about one of this organisation's listings (with the reporter's contact)
    /// and close it with an outcome.
    HandleReport(OrgRef),
    /// Open the queue of sign-up and claim requests (administrators and moderators; which
    /// requests they see is [`Action::DecideRequest`] per request).
    OpenRequestQueue,
    /// See and decide one sign-up or claim request, made in these gemeenten (a sign-up: where
    /// its postcode lies; a claim: the claimed organisation's). Empty: nowhere known, so only
    /// for the whole instance's moderators.
    DecideRequest { gemeenten: BTreeSet<String> },
    /// Take a role away from someone.
    RevokeRole,
    /// Switch an account off (it cannot sign in any more).
    DisableAccount,
}

/// Why an action was refused. Handlers turn [`Denied::NotSignedIn`] into the sign-in page (or a
/// 401 on the API) and [`Denied::Forbidden`] into a 403.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("sign in first")]
    NotSignedIn,
    #[error("not allowed")]
    Forbidden,
}

impl fmt::Display for RoleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The policy: whether `actor` may do `action`. The only place where roles are read.
pub fn authorize(actor: &Actor, action: &Action) -> Result<(), Denied> {
    match actor {
        Actor::Visitor => return Err(Denied::NotSignedIn),
        Actor::System => return Ok(()),
        Actor::User(_) | Actor::ApiToken(_) => {}
    }
    let allowed = match action {
        Action::ViewOwnAccount => true,
        Action::ManageOwnSessions => actor.user().is_some(),
        Action::OpenUserAdmin => actor.is_admin() || actor.is_moderator(),
        Action::ListUsers => actor.is_admin(),
        Action::GrantRole { role, organization } => {
            actor.is_admin()
                || match role {
                    // Moderators bring in professionals, and editors for organisations in
                    // their area; only administrators make moderators and administrators.
                    Role::Professional => actor.is_moderator(),
                    Role::OrganisationEditor { organization: id } => organization
                        .as_ref()
                        .is_some_and(|org| org.id == *id && actor.moderates(&org.gemeenten)),
                    Role::Moderator { .. } | Role::Administrator => false,
                }
        }
        // Tokens are the organisation's own keys: its editors and administrators hold them; a
        // token cannot mint or see other tokens.
        Action::ManageTokens(org) => {
            actor.is_admin() || (actor.user().is_some() && actor.edits(org.id))
        }
        Action::EditOrganisation(org) | Action::ReadOrganisationPrivate(org) => {
            actor.is_admin()
                || actor.edits(org.id)
                || actor.moderates(&org.gemeenten)
                || matches!(actor, Actor::ApiToken(t) if t.organization == org.id)
        }
        Action::ModerateArea(area) => {
            actor.is_admin()
                || actor.roles().iter().any(|r| match (r, area) {
                    (
                        Role::Moderator {
                            scope: ModerationScope::Instance,
                        },
                        _,
                    ) => true,
                    (
                        Role::Moderator {
                            scope: ModerationScope::Gemeente(own),
                        },
                        Some(code),
                    ) => own == code,
                    _ => false,
                })
        }
        Action::Refer => actor.is_admin() || actor.roles().contains(&Role::Professional),
        Action::ReadReferral { receiver, referrer } => {
            actor.user().is_some()
                && (actor.edits(*receiver) || (referrer.is_some() && actor.id() == *referrer))
        }
        Action::WorkReferral { receiver } => actor.user().is_some() && actor.edits(*receiver),
        Action::ReadReferralAudit { receiver } => {
            actor.user().is_some() && (actor.is_admin() || actor.edits(*receiver))
        }
        Action::ConfigureIntake { gemeente } => {
            actor.is_admin() || actor.moderates(&BTreeSet::from([gemeente.clone()]))
        }
        Action::ViewNeedsReport => actor.is_admin() || actor.is_moderator(),
        Action::ModerateOrganisation(org) => actor.is_admin() || actor.moderates(&org.gemeenten),
        Action::OpenModerationQueue => actor.is_admin() || actor.is_moderator(),
        Action::WithdrawChangeRequest { proposed_by } => {
            actor.is_admin() || actor.id() == Some(*proposed_by)
        }
        // People, not API tokens: a report can carry a reporter's contact, which no system
        // needs.
        Action::OpenReportQueue => {
            actor.is_admin()
                || actor.is_moderator()
                || actor
                    .roles()
                    .iter()
                    .any(|r| matches!(r, Role::OrganisationEditor { .. }))
        }
        Action::HandleReport(org) => {
            actor.is_admin() || actor.edits(org.id) || actor.moderates(&org.gemeenten)
        }
        Action::OpenRequestQueue => actor.is_admin() || actor.is_moderator(),
        Action::DecideRequest { gemeenten } => actor.is_admin() || actor.moderates(gemeenten),
        // Only administrators make moderators and administrators, so only they may undo
        // roles and accounts: a moderator could otherwise remove an administrator.
        Action::RevokeRole | Action::DisableAccount => actor.is_admin(),
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(id: u128, gemeenten: &[&str]) -> OrgRef {
        OrgRef {
            id: Uuid::from_u128(id),
            gemeenten: gemeenten.iter().map(|g| g.to_string()).collect(),
        }
    }

    fn user(roles: Vec<Role>) -> Actor {
        Actor::User(UserActor {
            id: Uuid::from_u128(99),
            email: "a@example.org".into(),
            name: "A".into(),
            roles,
        })
    }

    const A: u128 = 1;
    const B: u128 = 2;

    /// Every actor against every action, as a table: a change to the policy shows up here.
    #[test]
    fn the_policy_matrix() {
        let org_a = org(A, &["GM0344"]);
        let org_b = org(B, &["GM0307"]);
        let actors: Vec<(&str, Actor)> = vec![
            ("visitor", Actor::Visitor),
            ("no roles", user(vec![])),
            ("professional", user(vec![Role::Professional])),
            (
                "editor A",
                user(vec![Role::OrganisationEditor {
                    organization: Uuid::from_u128(A),
                }]),
            ),
            (
                "moderator Utrecht",
                user(vec![Role::Moderator {
                    scope: ModerationScope::Gemeente("GM0344".into()),
                }]),
            ),
            (
                "moderator instance",
                user(vec![Role::Moderator {
                    scope: ModerationScope::Instance,
                }]),
            ),
            ("admin", user(vec![Role::Administrator])),
            (
                "token A",
                Actor::ApiToken(TokenActor {
                    token_id: Uuid::from_u128(7),
                    organization: Uuid::from_u128(A),
                }),
            ),
        ];
        let editor_of_a = Role::OrganisationEditor {
            organization: Uuid::from_u128(A),
        };
        let actions: Vec<(&str, Action)> = vec![
            ("own account", Action::ViewOwnAccount),
            ("own sessions", Action::ManageOwnSessions),
            ("user admin", Action::OpenUserAdmin),
            ("list users", Action::ListUsers),
            (
                "grant professional",
                Action::GrantRole {
                    role: Role::Professional,
                    organization: None,
                },
            ),
            (
                "grant editor A",
                Action::GrantRole {
                    role: editor_of_a.clone(),
                    organization: Some(org_a.clone()),
                },
            ),
            (
                // The role names A but the facts are B's: refused, even for a moderator of B's area.
                "grant editor A with B's facts",
                Action::GrantRole {
                    role: editor_of_a.clone(),
                    organization: Some(org_b.clone()),
                },
            ),
            (
                "grant moderator",
                Action::GrantRole {
                    role: Role::Moderator {
                        scope: ModerationScope::Instance,
                    },
                    organization: None,
                },
            ),
            ("tokens A", Action::ManageTokens(org_a.clone())),
            ("tokens B", Action::ManageTokens(org_b.clone())),
            ("edit A", Action::EditOrganisation(org_a.clone())),
            ("edit B", Action::EditOrganisation(org_b.clone())),
            ("drafts B", Action::ReadOrganisationPrivate(org_b.clone())),
            (
                "moderate Utrecht",
                Action::ModerateArea(Some("GM0344".into())),
            ),
            ("moderate instance", Action::ModerateArea(None)),
            ("refer", Action::Refer),
            ("moderate A", Action::ModerateOrganisation(org_a.clone())),
            ("moderate B", Action::ModerateOrganisation(org_b.clone())),
            ("queue", Action::OpenModerationQueue),
            (
                "withdraw own request",
                Action::WithdrawChangeRequest {
                    proposed_by: Uuid::from_u128(99),
                },
            ),
            (
                "withdraw another's request",
                Action::WithdrawChangeRequest {
                    proposed_by: Uuid::from_u128(98),
                },
            ),
            ("report queue", Action::OpenReportQueue),
            ("report A", Action::HandleReport(org_a.clone())),
            ("report B", Action::HandleReport(org_b.clone())),
            ("request queue", Action::OpenRequestQueue),
            (
                "decide Utrecht request",
                Action::DecideRequest {
                    gemeenten: org_a.gemeenten.clone(),
                },
            ),
            (
                "decide unplaced request",
                Action::DecideRequest {
                    gemeenten: BTreeSet::new(),
                },
            ),
            ("revoke role", Action::RevokeRole),
            ("disable account", Action::DisableAccount),
            (
                // Every user in this table has id 99: the referrer of this one.
                "read own referral to A",
                Action::ReadReferral {
                    receiver: Uuid::from_u128(A),
                    referrer: Some(Uuid::from_u128(99)),
                },
            ),
            (
                "read another's referral to B",
                Action::ReadReferral {
                    receiver: Uuid::from_u128(B),
                    referrer: Some(Uuid::from_u128(98)),
                },
            ),
            (
                "work referral to A",
                Action::WorkReferral {
                    receiver: Uuid::from_u128(A),
                },
            ),
            (
                "work referral to B",
                Action::WorkReferral {
                    receiver: Uuid::from_u128(B),
                },
            ),
            (
                "audit of A",
                Action::ReadReferralAudit {
                    receiver: Uuid::from_u128(A),
                },
            ),
            (
                "intake in Utrecht",
                Action::ConfigureIntake {
                    gemeente: "GM0344".into(),
                },
            ),
            ("needs report", Action::ViewNeedsReport),
        ];
        // Rows: actors in the order above; "S" = sign in first, "-" = forbidden, "Y" = allowed.
        let expected: [(&str, &str); 8] = [
            ("visitor", "SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS"),
            ("no roles", "YY-----------------Y---------Y------"),
            ("professional", "YY-------------Y---Y---------Y------"),
            ("editor A", "YY------Y-Y--------Y-YY------Y-Y-Y--"),
            ("moderator Utrecht", "YYY-YY----Y--Y--Y-YY-YY-YY---Y----YY"),
            ("moderator instance", "YYY-YY----YYYYY-YYYY-YYYYYY--Y----YY"),
            ("admin", "YYYYYYYYYYYYYYYYYYYYYYYYYYYYYY---YYY"),
            ("token A", "Y---------Y-------------------------"),
        ];
        let mut failures = Vec::new();
        for ((name, actor), (row_name, row)) in actors.iter().zip(expected) {
            assert_eq!(*name, row_name);
            for ((action_name, action), want) in actions.iter().zip(row.chars()) {
                let got = match authorize(actor, action) {
                    Ok(()) => 'Y',
                    Err(Denied::NotSignedIn) => 'S',
                    Err(Denied::Forbidden) => '-',
                };
                if got != want {
                    failures.push(format!("{name} × {action_name}: want {want}, got {got}"));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn roles_round_trip_through_their_columns() {
        for role in [
            Role::Professional,
            Role::OrganisationEditor {
                organization: Uuid::from_u128(5),
            },
            Role::Moderator {
                scope: ModerationScope::Instance,
            },
            Role::Moderator {
                scope: ModerationScope::Gemeente("GM0344".into()),
            },
            Role::Administrator,
        ] {
            let (kind, org, gemeente) = role.to_columns();
            assert_eq!(Role::from_columns(kind, org, gemeente), Some(role));
        }
        assert_eq!(Role::from_columns("editor", None, None), None);
        assert_eq!(Role::from_columns("emperor", None, None), None);
    }
}
