//! The account use cases: signing in and out, password resets, invitations, role grants and
//! organisations' API tokens. Every one that needs permission asks [`crate::auth::authorize`]
//! first; the web and API handlers only supply the [`Actor`].

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::secrets::{self, PasswordCost};
use crate::auth::{Action, Actor, Denied, OrgRef, Role, TokenActor, UserActor, authorize};
use crate::config::{AccountSettings, Config};
use crate::mail::{Mail, Mailer};
use crate::store::{ApiTokenRow, LinkPurpose, Store, StoreError, UserRow};

/// A session ends this long after sign-in, however active.
pub const SESSION_LIFETIME: time::Duration = time::Duration::days(14);
/// A session unused this long has ended (a forgotten sign-in on a shared computer).
pub const SESSION_IDLE: time::Duration = time::Duration::hours(12);
/// How long a password-reset link works.
pub const RESET_LINK_LIFETIME: time::Duration = time::Duration::hours(1);
/// How long an invitation link works (also the first administrator's).
pub const INVITATION_LIFETIME: time::Duration = time::Duration::days(7);
/// Shortest password accepted (NIST SP 800-63B asks for at least 8; length beats rules).
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted: hashing has a cost per byte.
pub const MAX_PASSWORD_CHARS: usize = 200;

/// What went wrong, in terms a page or the API can answer.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Denied(#[from] Denied),
    /// Input that does not fit: `field` names the form field, `message` is for people.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The e-mail address and password do not match an account (which of the two is wrong
    /// is not said: that would tell whether the address has an account).
    #[error("wrong e-mail address or password")]
    WrongCredentials,
    /// Too many failed sign-ins; try again after this long.
    #[error("too many failed sign-ins")]
    Throttled { retry_after: Duration },
    /// A reset or invitation link that is unknown, used or expired.
    #[error("link no longer valid")]
    LinkInvalid,
    #[error("{0} does not exist")]
    NotFound(&'static str),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for AccountError {
    fn from(err: StoreError) -> Self {
        Self::Internal(err.into())
    }
}

pub type AccountResult<T> = Result<T, AccountError>;

fn invalid(field: &'static str, message: impl Into<String>) -> AccountError {
    AccountError::Invalid {
        field,
        message: message.into(),
    }
}

/// Normalises an e-mail address: trimmed and lower-cased, the form accounts are stored in.
pub fn normalise_email(input: &str) -> AccountResult<String> {
    let email = input.trim().to_lowercase();
    let well_formed = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(email.split_once('@'), Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !domain.contains('@')
                && !domain.starts_with('.') && !domain.ends_with('.'));
    if email.is_empty() {
        return Err(invalid("email", "Vul uw e-mailadres in."));
    }
    if !well_formed {
        return Err(invalid(
            "email",
            "Dit is geen e-mailadres. Een e-mailadres ziet eruit als naam@voorbeeld.nl.",
        ));
    }
    Ok(email)
}

fn check_password(password: &str) -> AccountResult<()> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(invalid(
            "password",
            format!("Kies een wachtwoord van minstens {MIN_PASSWORD_CHARS} tekens."),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(invalid(
            "password",
            format!("Kies een wachtwoord van hoogstens {MAX_PASSWORD_CHARS} tekens."),
        ));
    }
    Ok(())
}

fn check_name(input: &str) -> AccountResult<String> {
    let name = input.trim();
    if name.is_empty() {
        return Err(invalid("name", "Vul uw naam in."));
    }
    if name.chars().count() > 100 {
        return Err(invalid(
            "name",
            "Gebruik hoogstens 100 tekens voor uw naam.",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid("name", "Uw naam bevat tekens die niet kunnen."));
    }
    Ok(name.to_string())
}

/// A new session: the cookie value (shown to the browser once, stored only hashed).
#[derive(Debug)]
pub struct NewSession {
    pub cookie_value: String,
    pub user: Uuid,
}

/// What happened to an invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invited {
    /// A new account; the invitation mail with its link went out.
    NewAccount,
    /// The person has an account; the role was added and a mail says so.
    RoleAdded,
    /// The person already had this role.
    AlreadyHadRole,
}

/// The account use cases; cheap to clone.
#[derive(Clone)]
pub struct Accounts {
    store: Store,
    mailer: Arc<Mailer>,
    settings: AccountSettings,
    public_url: String,
}

impl Accounts {
    pub fn new(store: Store, config: &Config) -> anyhow::Result<Self> {
        let mailer = Mailer::new(
            config.smtp_url.as_deref(),
            &config.mail_from,
            &config.data_dir,
        )?;
        Ok(Self {
            store,
            mailer: Arc::new(mailer),
            settings: config.accounts.clone(),
            public_url: config.public_base(),
        })
    }

    /// The mailer, shared with the other use cases that send mail.
    pub fn mailer(&self) -> &Arc<Mailer> {
        &self.mailer
    }

    fn cost(&self) -> PasswordCost {
        self.settings.password_cost
    }

    fn link(&self, path: &str, token: &str) -> String {
        format!("{}{path}{token}", self.public_url)
    }

    /// The actor of a session cookie; a visitor when it is unknown, expired or idle too long.
    pub async fn actor_for_session(&self, cookie_value: &str) -> AccountResult<Actor> {
        let hash = secrets::token_hash(cookie_value);
        let idle_since = OffsetDateTime::now_utc() - SESSION_IDLE;
        let Some(user) = self.store.session_user(&hash, idle_since).await? else {
            return Ok(Actor::Visitor);
        };
        self.actor_for_user(user).await
    }

    async fn actor_for_user(&self, id: Uuid) -> AccountResult<Actor> {
        let Some(user) = self.store.user_by_id(id).await? else {
            return Ok(Actor::Visitor);
        };
        Ok(Actor::User(UserActor {
            id,
            email: user.email,
            name: user.name,
            roles: self.store.roles_of(id).await?,
        }))
    }

    /// The actor of an API token (`Authorization: Bearer …`); `None` when it is unknown or
    /// revoked.
    pub async fn actor_for_api_token(&self, token: &str) -> AccountResult<Option<Actor>> {
        let hash = secrets::token_hash(token.trim());
        Ok(self
            .store
            .api_token_by_hash(&hash)
            .await?
            .map(|(token_id, organization)| {
                Actor::ApiToken(TokenActor {
                    token_id,
                    organization,
                })
            }))
    }

    /// Signs in: throttled per account and per client address (see
    /// [`crate::config::LoginThrottle`]), with the same answer and about the same time for an
    /// unknown address as for a wrong password. A new session id every time.
    pub async fn login(
        &self,
        email_input: &str,
        password: &str,
        client: IpAddr,
    ) -> AccountResult<NewSession> {
        let email = normalise_email(email_input)?;
        let throttle = &self.settings.throttle;
        let now = OffsetDateTime::now_utc();
        let window = time::Duration::try_from(throttle.window).unwrap_or(time::Duration::HOUR);
        let account_key = format!("account:{email}");
        let address_key = format!("address:{}", crate::limits::client_key(client));
        let mut delay = Duration::ZERO;
        for (key, block_after) in [
            (&account_key, throttle.block_account_after),
            (&address_key, throttle.block_address_after),
        ] {
            let (failures, latest) = self.store.login_failures(key, now - window).await?;
            let failures = u32::try_from(failures).unwrap_or(u32::MAX);
            if failures >= block_after {
                let until = latest.unwrap_or(now) + window;
                let retry_after = Duration::try_from(until - now).unwrap_or(Duration::from_secs(1));
                return Err(AccountError::Throttled {
                    retry_after: retry_after.max(Duration::from_secs(1)),
                });
            }
            if failures >= throttle.slow_after {
                let extra = failures - throttle.slow_after + 1;
                delay = delay.max((throttle.delay_step * extra).min(throttle.max_delay));
            }
        }
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let user = self.store.user_by_email(&email).await?;
        let matches = match user.as_ref().and_then(|u| u.password_hash.as_deref()) {
            Some(stored) => {
                let (password, stored) = (password.to_string(), stored.to_string());
                tokio::task::spawn_blocking(move || secrets::verify_password(&password, &stored))
                    .await
                    .map_err(anyhow::Error::from)?
            }
            None => {
                let (password, cost) = (password.to_string(), self.cost());
                tokio::task::spawn_blocking(move || secrets::verify_nothing(&password, cost))
                    .await
                    .map_err(anyhow::Error::from)?;
                false
            }
        };
        // A switched-off account answers like a wrong password: nothing to tell a stranger.
        let disabled = match &user {
            Some(user) if matches => self.store.user_disabled(user.id).await?,
            _ => false,
        };
        let Some(user) = user.filter(|_| matches && !disabled) else {
            self.store
                .record_login_failure(&[&account_key, &address_key])
                .await?;
            return Err(AccountError::WrongCredentials);
        };
        self.store
            .clear_login_failures(&account_key, now - window)
            .await?;
        self.new_session(user.id).await
    }

    async fn new_session(&self, user: Uuid) -> AccountResult<NewSession> {
        let cookie_value = secrets::random_token();
        self.store
            .create_session(
                &secrets::token_hash(&cookie_value),
                user,
                OffsetDateTime::now_utc() + SESSION_LIFETIME,
            )
            .await?;
        Ok(NewSession { cookie_value, user })
    }

    /// Ends this session.
    pub async fn logout(&self, cookie_value: &str) -> AccountResult<()> {
        self.store
            .delete_session(&secrets::token_hash(cookie_value))
            .await?;
        Ok(())
    }

    /// Ends every session of the signed-in person, this one included.
    pub async fn logout_everywhere(&self, actor: &Actor) -> AccountResult<u64> {
        authorize(actor, &Action::ManageOwnSessions)?;
        let user = actor.user().ok_or(Denied::Forbidden)?;
        Ok(self.store.delete_sessions_of(user.id).await?)
    }

    /// Sends a reset link when the address has an account; says nothing either way.
    pub async fn request_password_reset(&self, email_input: &str) -> AccountResult<()> {
        let email = normalise_email(email_input)?;
        let Some(user) = self.store.user_by_email(&email).await? else {
            tracing::info!("password reset asked for an address without an account");
            return Ok(());
        };
        if self.store.user_disabled(user.id).await? {
            tracing::info!("password reset asked for a switched-off account");
            return Ok(());
        }
        self.store
            .expire_links_of(user.id, LinkPurpose::PasswordReset)
            .await?;
        let token = secrets::random_token();
        self.store
            .create_link(
                &secrets::token_hash(&token),
                user.id,
                LinkPurpose::PasswordReset,
                OffsetDateTime::now_utc() + RESET_LINK_LIFETIME,
            )
            .await?;
        let link = self.link("/wachtwoord-herstellen/", &token);
        self.mailer
            .send(Mail {
                to: user.email,
                subject: "Nieuw wachtwoord voor Wijkwijzer".into(),
                body: format!(
                    "Hallo,\n\nU vroeg om een nieuw wachtwoord voor Wijkwijzer. Kies een nieuw \
                     wachtwoord via deze link:\n\n{link}\n\nDe link werkt één keer en een uur \
                     lang. Vroeg u niet om een nieuw wachtwoord? Dan kunt u deze mail negeren; \
                     uw wachtwoord blijft hetzelfde.\n\nWijkwijzer\n"
                ),
            })
            .await?;
        Ok(())
    }

    /// Whether a reset link can still be used (for showing its form).
    pub async fn reset_link_is_valid(&self, token: &str) -> AccountResult<bool> {
        Ok(self
            .store
            .peek_link(&secrets::token_hash(token), LinkPurpose::PasswordReset)
            .await?
            .is_some())
    }

    /// Sets a new password through a reset link (once), and ends every session of the account.
    pub async fn reset_password(&self, token: &str, password: &str) -> AccountResult<()> {
        check_password(password)?;
        let hash = self.hash(password).await?;
        let user = self
            .store
            .use_link(&secrets::token_hash(token), LinkPurpose::PasswordReset)
            .await?
            .ok_or(AccountError::LinkInvalid)?;
        self.store.set_credentials(user, None, &hash).await?;
        self.store.delete_sessions_of(user).await?;
        Ok(())
    }

    /// The account an invitation link is for, while it can be used.
    pub async fn invitation(&self, token: &str) -> AccountResult<UserRow> {
        let user = self
            .store
            .peek_link(&secrets::token_hash(token), LinkPurpose::Invitation)
            .await?
            .ok_or(AccountError::LinkInvalid)?;
        self.store
            .user_by_id(user)
            .await?
            .ok_or(AccountError::LinkInvalid)
    }

    /// Accepts an invitation: sets name and password (once).
    pub async fn accept_invitation(
        &self,
        token: &str,
        name: &str,
        password: &str,
    ) -> AccountResult<()> {
        let name = check_name(name)?;
        check_password(password)?;
        let hash = self.hash(password).await?;
        let user = self
            .store
            .use_link(&secrets::token_hash(token), LinkPurpose::Invitation)
            .await?
            .ok_or(AccountError::LinkInvalid)?;
        self.store.set_credentials(user, Some(&name), &hash).await?;
        self.store.delete_sessions_of(user).await?;
        Ok(())
    }

    async fn hash(&self, password: &str) -> AccountResult<String> {
        let (password, cost) = (password.to_string(), self.cost());
        Ok(
            tokio::task::spawn_blocking(move || secrets::hash_password(&password, cost))
                .await
                .map_err(anyhow::Error::from)??,
        )
    }

    /// The facts the policy needs about an organisation; `NotFound` when it does not exist.
    pub async fn organisation(&self, id: Uuid) -> AccountResult<(OrgRef, String)> {
        let name = self
            .store
            .organization_name(id)
            .await?
            .ok_or(AccountError::NotFound("Deze organisatie"))?;
        let gemeenten = self.store.organization_gemeenten(id).await?;
        Ok((OrgRef { id, gemeenten }, name))
    }

    /// Invites `email` with `role`: a new account gets an invitation link by mail; an
    /// existing one gets the role at once (and a mail saying so).
    pub async fn invite(
        &self,
        actor: &Actor,
        email_input: &str,
        role: Role,
    ) -> AccountResult<Invited> {
        authorize(actor, &Action::OpenUserAdmin)?;
        let organization = match &role {
            Role::OrganisationEditor { organization } => Some(
                self.organisation(*organization)
                    .await
                    .map_err(|e| match e {
                        AccountError::NotFound(_) => {
                            invalid("organization", "Deze organisatie bestaat niet.")
                        }
                        other => other,
                    })?
                    .0,
            ),
            _ => None,
        };
        authorize(
            actor,
            &Action::GrantRole {
                role: role.clone(),
                organization,
            },
        )?;
        let email = normalise_email(email_input)?;
        self.send_invitation(&email, role, actor.user().map(|u| u.id))
            .await
    }

    /// Gives `email` (normalised) `role`, by an invitation link for a new account, without
    /// asking the policy: for use cases that decided already (a moderator approving a sign-up
    /// for an organisation that has no place yet, which [`Action::GrantRole`] would not
    /// place in the moderator's area).
    pub(crate) async fn send_invitation(
        &self,
        email: &str,
        role: Role,
        granted_by: Option<Uuid>,
    ) -> AccountResult<Invited> {
        let email = email.to_string();
        let role_text = self.describe_role(&role).await?;
        if let Some(user) = self.store.user_by_email(&email).await? {
            if !self.store.grant_role(user.id, &role, granted_by).await? {
                return Ok(Invited::AlreadyHadRole);
            }
            self.mailer
                .send(Mail {
                    to: user.email,
                    subject: "U heeft een nieuwe rol in Wijkwijzer".into(),
                    body: format!(
                        "Hallo,\n\nU bent in Wijkwijzer nu ook: {role_text}.\n\nLog in via {}/inloggen.\n\nWijkwijzer\n",
                        self.public_url
                    ),
                })
                .await?;
            return Ok(Invited::RoleAdded);
        }
        let user = self.store.create_user(&email, "", None).await?;
        self.store.grant_role(user, &role, granted_by).await?;
        let link = self.invitation_link(user).await?;
        self.mailer
            .send(Mail {
                to: email,
                subject: "Uitnodiging voor Wijkwijzer".into(),
                body: format!(
                    "Hallo,\n\nU bent uitgenodigd voor Wijkwijzer als: {role_text}.\n\nKies uw \
                     naam en wachtwoord via deze link:\n\n{link}\n\nDe link werkt één keer en \
                     7 dagen lang.\n\nWijkwijzer\n"
                ),
            })
            .await?;
        Ok(Invited::NewAccount)
    }

    async fn invitation_link(&self, user: Uuid) -> AccountResult<String> {
        self.store
            .expire_links_of(user, LinkPurpose::Invitation)
            .await?;
        let token = secrets::random_token();
        self.store
            .create_link(
                &secrets::token_hash(&token),
                user,
                LinkPurpose::Invitation,
                OffsetDateTime::now_utc() + INVITATION_LIFETIME,
            )
            .await?;
        Ok(self.link("/uitnodiging/", &token))
    }

    /// `wijkwijzer admin create EMAIL`: makes an administrator (or gives an existing account
    /// the role) and returns a single-use link to set name and password. Run by the operator
    /// on the server, so no [`Actor`]: shell access is the permission.
    pub async fn create_administrator(&self, email_input: &str) -> AccountResult<String> {
        let email = normalise_email(email_input)?;
        let user = match self.store.user_by_email(&email).await? {
            Some(user) => user.id,
            None => self.store.create_user(&email, "", None).await?,
        };
        self.store
            .grant_role(user, &Role::Administrator, None)
            .await?;
        self.invitation_link(user).await
    }

    /// A role in words, with the organisation's name or the gemeente.
    pub async fn describe_role(&self, role: &Role) -> AccountResult<String> {
        Ok(match role {
            Role::OrganisationEditor { organization } => {
                let name = self
                    .store
                    .organization_name(*organization)
                    .await?
                    .unwrap_or_else(|| "een organisatie die niet meer bestaat".into());
                format!("redacteur van {name}")
            }
            Role::Moderator { scope } => match scope {
                crate::auth::ModerationScope::Instance => "moderator voor de hele regio".into(),
                crate::auth::ModerationScope::Gemeente(code) => format!("moderator voor {code}"),
            },
            Role::Professional => "professional".into(),
            Role::Administrator => "beheerder".into(),
        })
    }

    /// Every account with its roles and whether it was switched off (administrators).
    pub async fn users(&self, actor: &Actor) -> AccountResult<Vec<(UserRow, Vec<Role>, bool)>> {
        authorize(actor, &Action::ListUsers)?;
        let mut out = Vec::new();
        for (user, roles) in self.store.users_with_roles().await? {
            let disabled = self.store.user_disabled(user.id).await?;
            out.push((user, roles, disabled));
        }
        Ok(out)
    }

    /// Takes `role` away from `user` (administrators); false when they did not have it.
    pub async fn revoke_role(&self, actor: &Actor, user: Uuid, role: &Role) -> AccountResult<bool> {
        authorize(actor, &Action::RevokeRole)?;
        Ok(self.store.revoke_role(user, role).await?)
    }

    /// Switches an account off (administrators): it cannot sign in, its sessions and links
    /// end. Not one's own: the last administrator would lock everyone out.
    pub async fn disable_account(&self, actor: &Actor, user: Uuid) -> AccountResult<()> {
        authorize(actor, &Action::DisableAccount)?;
        if actor.user().is_some_and(|me| me.id == user) {
            return Err(invalid("user", "Uw eigen account kunt u niet uitzetten."));
        }
        if !self.store.disable_user(user).await? {
            return Err(AccountError::NotFound("Dit account"));
        }
        Ok(())
    }

    /// Organisations whose name contains `part`, for choosing one by name (at most `limit`).
    pub async fn organisations_named(
        &self,
        actor: &Actor,
        part: &str,
        limit: i64,
    ) -> AccountResult<Vec<(Uuid, String)>> {
        authorize(actor, &Action::OpenUserAdmin)?;
        Ok(self.store.organisations_named(part.trim(), limit).await?)
    }

    /// Opening the invitation page (administrators and moderators).
    pub fn may_open_user_admin(&self, actor: &Actor) -> AccountResult<()> {
        Ok(authorize(actor, &Action::OpenUserAdmin)?)
    }

    /// Who the actor is, for `/account` and `GET /api/v1/me`.
    pub fn whoami(&self, actor: &Actor) -> AccountResult<()> {
        Ok(authorize(actor, &Action::ViewOwnAccount)?)
    }

    /// An organisation's tokens, with its name.
    pub async fn api_tokens(
        &self,
        actor: &Actor,
        organization: Uuid,
    ) -> AccountResult<(String, Vec<ApiTokenRow>)> {
        let (org, name) = self.organisation_for(actor, organization).await?;
        authorize(actor, &Action::ManageTokens(org))?;
        Ok((name, self.store.api_tokens_of(organization).await?))
    }

    /// Makes a token for an organisation and returns it: the only time it is ever shown.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        organization: Uuid,
        label: &str,
    ) -> AccountResult<String> {
        let (org, _) = self.organisation_for(actor, organization).await?;
        authorize(actor, &Action::ManageTokens(org))?;
        let label = label.trim();
        if label.is_empty() {
            return Err(invalid(
                "label",
                "Geef de sleutel een naam, bijvoorbeeld het systeem dat hem gebruikt.",
            ));
        }
        if label.chars().count() > 100 || label.chars().any(char::is_control) {
            return Err(invalid(
                "label",
                "Gebruik hoogstens 100 gewone tekens voor de naam.",
            ));
        }
        // A recognisable prefix lets secret scanners find leaked tokens.
        let token = format!("wkw_{}", secrets::random_token());
        self.store
            .create_api_token(
                organization,
                label,
                &secrets::token_hash(&token),
                actor.user().map(|u| u.id),
            )
            .await?;
        Ok(token)
    }

    /// Revokes one of the organisation's tokens; false when it has no such live token.
    pub async fn revoke_api_token(
        &self,
        actor: &Actor,
        organization: Uuid,
        token: Uuid,
    ) -> AccountResult<bool> {
        let (org, _) = self.organisation_for(actor, organization).await?;
        authorize(actor, &Action::ManageTokens(org))?;
        Ok(self.store.revoke_api_token(organization, token).await?)
    }

    /// The organisation, checking first that someone is signed in (a visitor learns nothing,
    /// not even whether the organisation exists).
    async fn organisation_for(
        &self,
        actor: &Actor,
        organization: Uuid,
    ) -> AccountResult<(OrgRef, String)> {
        if *actor == Actor::Visitor {
            return Err(Denied::NotSignedIn.into());
        }
        self.organisation(organization).await
    }
}
