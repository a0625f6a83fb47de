//! The account pages: signing in and out, forgotten passwords, invitations, one's own account,
//! inviting people (`/beheer/gebruikers`) and an organisation's API tokens
//! (`/beheer/organisatie/{id}/sleutels`). Every form is read through [`CsrfForm`]; every
//! decision about who may do what is made by the use cases (`crate::accounts`), which these
//! handlers only call with the [`Visit`]'s actor.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use crate::accounts::{AccountError, Accounts, Invited};
use crate::auth::{Actor, Denied, ModerationScope, Role, RoleKind};
use crate::error::AppError;
use crate::web::session::{CsrfForm, Visit};

/// One input of a form, already worded, with what was typed and its message.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub input_type: &'static str,
    pub autocomplete: &'static str,
    pub hint: Option<&'static str>,
    pub value: String,
    pub error: Option<String>,
    pub required: bool,
}

impl Field {
    pub(crate) fn new(name: &'static str, label: &'static str, input_type: &'static str) -> Self {
        Field {
            name,
            label,
            input_type,
            autocomplete: "off",
            hint: None,
            value: String::new(),
            error: None,
            required: true,
        }
    }

    pub(crate) fn optional(mut self) -> Self {
        self.required = false;
        self
    }

    pub(crate) fn autocomplete(mut self, value: &'static str) -> Self {
        self.autocomplete = value;
        self
    }

    pub(crate) fn hint(mut self, hint: &'static str) -> Self {
        self.hint = Some(hint);
        self
    }

    /// Keeps what was typed (never for passwords: they are not sent back to the browser).
    pub(crate) fn value(mut self, value: &str) -> Self {
        if self.input_type != "password" {
            self.value = value.to_string();
        }
        self
    }
}

/// A page with one form: sign in, forgotten password, new password, invitation.
#[derive(Template)]
#[template(path = "account/form.html")]
pub(crate) struct FormPage {
    pub(crate) title: &'static str,
    pub(crate) intro: Vec<String>,
    /// A message above the form (success, or why the form could not be used).
    pub(crate) notice: Option<String>,
    /// The problem with the whole form (wrong password, blocked), shown as an alert.
    pub(crate) problem: Option<String>,
    pub(crate) action: String,
    pub(crate) fields: Vec<Field>,
    pub(crate) submit: &'static str,
    pub(crate) links: Vec<(&'static str, String)>,
    pub(crate) csrf: String,
    /// False when the link behind the page is no longer valid: no form then.
    pub(crate) show_form: bool,
}

impl FormPage {
    pub(crate) fn new(
        title: &'static str,
        action: impl Into<String>,
        submit: &'static str,
    ) -> Self {
        FormPage {
            title,
            intro: Vec::new(),
            notice: None,
            problem: None,
            action: action.into(),
            fields: Vec::new(),
            submit,
            links: Vec::new(),
            csrf: String::new(),
            show_form: true,
        }
    }

    /// Puts a use case's complaint next to its field, or above the form.
    pub(crate) fn complain(&mut self, message: String, field: Option<&str>) {
        match field.and_then(|name| self.fields.iter_mut().find(|f| f.name == name)) {
            Some(f) => f.error = Some(message),
            None => self.problem = Some(message),
        }
    }

    fn error_summary(&self) -> Vec<(&'static str, &str)> {
        self.fields
            .iter()
            .filter_map(|f| f.error.as_deref().map(|e| (f.name, e)))
            .collect()
    }
}

/// Renders an askama page (with the status), or the generic error page when rendering fails.
pub(crate) fn html(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => (status, axum::response::Html(body)).into_response(),
        Err(err) => AppError::Internal(err.into()).into_response(),
    }
}

pub(crate) fn see_other(to: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(to) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// Where to go after signing in: only a path on this site (no `//host`, no scheme), so that a
/// link cannot send people elsewhere.
fn safe_return(target: Option<&str>) -> String {
    match target {
        Some(t)
            if t.starts_with('/')
                && !t.starts_with("//")
                && !t.contains('\\')
                && !t.chars().any(char::is_control) =>
        {
            t.to_string()
        }
        _ => "/account".into(),
    }
}

/// The answer to a use case's refusal: the sign-in page for visitors, 403 for the others. For
/// every page behind a sign-in (editing and moderation pages use it too).
pub(crate) fn refused(err: AccountError, path: &str) -> Response {
    match err {
        AccountError::Denied(Denied::NotSignedIn) => {
            let target = form_urlencoded::Serializer::new(String::new())
                .append_pair("terug", path)
                .finish();
            see_other(&format!("/inloggen?{target}"))
        }
        AccountError::Denied(Denied::Forbidden) => AppError::Forbidden {
            detail: "U heeft geen toegang tot deze pagina. Denkt u dat dit niet klopt? Vraag \
                     het de beheerder van Wijkwijzer."
                .into(),
        }
        .into_response(),
        AccountError::NotFound(what) => AppError::not_found(what).into_response(),
        AccountError::LinkInvalid => AppError::not_found("Deze link").into_response(),
        AccountError::Invalid { message, .. } => AppError::BadRequest {
            param: None,
            detail: message,
        }
        .into_response(),
        AccountError::WrongCredentials | AccountError::Throttled { .. } => {
            AppError::Internal(anyhow::anyhow!("unexpected {err:?}")).into_response()
        }
        AccountError::Internal(err) => AppError::Internal(err).into_response(),
    }
}

// ---------------------------------------------------------------- sign in and out

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    terug: Option<String>,
    klaar: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    terug: Option<String>,
}

fn login_page(visit: &Visit, email: &str, terug: &str) -> FormPage {
    let mut page = FormPage::new("Inloggen", "/inloggen", "Inloggen");
    page.intro.push(
        "Voor organisaties, professionals en moderatoren. Om te zoeken hoeft u niet in te loggen."
            .into(),
    );
    page.fields = vec![
        Field::new("email", "E-mailadres", "email")
            .autocomplete("username")
            .value(email),
        Field::new("password", "Wachtwoord", "password").autocomplete("current-password"),
        Field::new("terug", "", "hidden").value(terug),
    ];
    page.links = vec![("Wachtwoord vergeten?", "/wachtwoord-vergeten".into())];
    page.csrf = visit.csrf_token();
    page
}

pub async fn login(visit: Visit, Query(query): Query<LoginQuery>) -> Response {
    let terug = safe_return(query.terug.as_deref());
    if visit.actor != Actor::Visitor {
        return see_other(&terug);
    }
    let mut page = login_page(&visit, "", &terug);
    if query.klaar.is_some() {
        page.notice = Some("Uw wachtwoord is opgeslagen. U kunt nu inloggen.".into());
    }
    visit.respond(html(StatusCode::OK, &page))
}

pub async fn login_post(
    State(accounts): State<Accounts>,
    CsrfForm { visit, form }: CsrfForm<LoginForm>,
) -> Response {
    let terug = safe_return(form.terug.as_deref());
    match accounts
        .login(&form.email, &form.password, visit.client)
        .await
    {
        Ok(session) => {
            let mut response = see_other(&terug);
            response.headers_mut().append(
                SET_COOKIE,
                visit.cookies.session_cookie(session.cookie_value),
            );
            response
        }
        Err(err) => {
            let mut page = login_page(&visit, &form.email, &terug);
            let status = match err {
                AccountError::Invalid { field, message } => {
                    page.complain(message, Some(field));
                    StatusCode::BAD_REQUEST
                }
                AccountError::WrongCredentials => {
                    page.problem = Some(
                        "Het e-mailadres of het wachtwoord klopt niet. Probeer het opnieuw, of \
                         vraag een nieuw wachtwoord aan."
                            .into(),
                    );
                    StatusCode::BAD_REQUEST
                }
                AccountError::Throttled { retry_after } => {
                    let minutes = retry_after.as_secs().div_ceil(60).max(1);
                    page.problem = Some(format!(
                        "Er is te vaak een verkeerd wachtwoord ingevuld. Inloggen kan over \
                         {minutes} {} weer. Wachtwoord vergeten? Vraag dan een nieuw wachtwoord aan.",
                        if minutes == 1 { "minuut" } else { "minuten" }
                    ));
                    let mut response = visit.respond(html(StatusCode::TOO_MANY_REQUESTS, &page));
                    response.headers_mut().insert(
                        axum::http::header::RETRY_AFTER,
                        retry_after.as_secs().max(1).into(),
                    );
                    return response;
                }
                other => return refused(other, "/inloggen"),
            };
            visit.respond(html(status, &page))
        }
    }
}

#[derive(Deserialize)]
pub struct EmptyForm {}

pub async fn logout(
    State(accounts): State<Accounts>,
    CsrfForm { visit, .. }: CsrfForm<EmptyForm>,
) -> Response {
    if let Some(session) = visit.session()
        && let Err(err) = accounts.logout(session).await
    {
        return refused(err, "/uitloggen");
    }
    let mut response = see_other("/");
    response
        .headers_mut()
        .append(SET_COOKIE, visit.cookies.session_removal());
    response
}

// ---------------------------------------------------------------- passwords

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

fn forgot_page(visit: &Visit, email: &str) -> FormPage {
    let mut page = FormPage::new(
        "Wachtwoord vergeten",
        "/wachtwoord-vergeten",
        "Stuur mij een link",
    );
    page.intro.push(
        "Vul het e-mailadres van uw account in. U krijgt een mail met een link om een nieuw \
         wachtwoord te kiezen."
            .into(),
    );
    page.fields = vec![
        Field::new("email", "E-mailadres", "email")
            .autocomplete("email")
            .value(email),
    ];
    page.csrf = visit.csrf_token();
    page
}

pub async fn forgot(visit: Visit) -> Response {
    let page = forgot_page(&visit, "");
    visit.respond(html(StatusCode::OK, &page))
}

pub async fn forgot_post(
    State(accounts): State<Accounts>,
    CsrfForm { visit, form }: CsrfForm<EmailForm>,
) -> Response {
    match accounts.request_password_reset(&form.email).await {
        Ok(()) => {
            let mut page = forgot_page(&visit, "");
            page.show_form = false;
            // The same words whether or not the address has an account.
            page.notice = Some(
                "Als dit e-mailadres bij een account hoort, krijgt u binnen een paar minuten een \
                 mail met een link. De link werkt één keer en een uur lang. Geen mail gekregen? \
                 Kijk ook bij ongewenste mail."
                    .into(),
            );
            visit.respond(html(StatusCode::OK, &page))
        }
        Err(AccountError::Invalid { field, message }) => {
            let mut page = forgot_page(&visit, &form.email);
            page.complain(message, Some(field));
            visit.respond(html(StatusCode::BAD_REQUEST, &page))
        }
        Err(other) => refused(other, "/wachtwoord-vergeten"),
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

fn link_gone(page: &mut FormPage) {
    page.show_form = false;
    page.notice = Some(
        "Deze link werkt niet meer: hij is al gebruikt of verlopen. Vraag een nieuwe link aan."
            .into(),
    );
    page.links = vec![("Nieuwe link aanvragen", "/wachtwoord-vergeten".into())];
}

fn reset_page(visit: &Visit, token: &str) -> FormPage {
    let mut page = FormPage::new(
        "Nieuw wachtwoord kiezen",
        format!("/wachtwoord-herstellen/{token}"),
        "Wachtwoord opslaan",
    );
    page.intro.push(format!(
        "Kies een wachtwoord van minstens {} tekens. Een zin van een paar woorden is sterk en \
         makkelijk te onthouden.",
        crate::accounts::MIN_PASSWORD_CHARS
    ));
    page.fields =
        vec![Field::new("password", "Nieuw wachtwoord", "password").autocomplete("new-password")];
    page.csrf = visit.csrf_token();
    page
}

pub async fn reset(
    State(accounts): State<Accounts>,
    visit: Visit,
    Path(token): Path<String>,
) -> Response {
    let mut page = reset_page(&visit, &token);
    let status = match accounts.reset_link_is_valid(&token).await {
        Ok(true) => StatusCode::OK,
        Ok(false) => {
            link_gone(&mut page);
            StatusCode::NOT_FOUND
        }
        Err(err) => return refused(err, "/wachtwoord-herstellen"),
    };
    visit.respond(html(status, &page))
}

pub async fn reset_post(
    State(accounts): State<Accounts>,
    Path(token): Path<String>,
    CsrfForm { visit, form }: CsrfForm<PasswordForm>,
) -> Response {
    match accounts.reset_password(&token, &form.password).await {
        Ok(()) => see_other("/inloggen?klaar=1"),
        Err(AccountError::Invalid { field, message }) => {
            let mut page = reset_page(&visit, &token);
            page.complain(message, Some(field));
            visit.respond(html(StatusCode::BAD_REQUEST, &page))
        }
        Err(AccountError::LinkInvalid) => {
            let mut page = reset_page(&visit, &token);
            link_gone(&mut page);
            visit.respond(html(StatusCode::NOT_FOUND, &page))
        }
        Err(other) => refused(other, "/wachtwoord-herstellen"),
    }
}

// ---------------------------------------------------------------- invitations

#[derive(Deserialize)]
pub struct InvitationForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

fn invitation_page(visit: &Visit, token: &str, email: &str, name: &str) -> FormPage {
    let mut page = FormPage::new(
        "Welkom bij Wijkwijzer",
        format!("/uitnodiging/{token}"),
        "Account klaarmaken",
    );
    if !email.is_empty() {
        page.intro.push(format!(
            "U bent uitgenodigd met het e-mailadres {email}. Kies uw naam en een wachtwoord."
        ));
    }
    page.fields = vec![
        Field::new("name", "Uw naam", "text")
            .autocomplete("name")
            .hint("Zo ziet de moderator wie een wijziging deed.")
            .value(name),
        Field::new("password", "Wachtwoord", "password")
            .autocomplete("new-password")
            .hint("Minstens 10 tekens. Een zin van een paar woorden is sterk."),
    ];
    page.csrf = visit.csrf_token();
    page
}

pub async fn invitation(
    State(accounts): State<Accounts>,
    visit: Visit,
    Path(token): Path<String>,
) -> Response {
    match accounts.invitation(&token).await {
        Ok(user) => {
            let page = invitation_page(&visit, &token, &user.email, &user.name);
            visit.respond(html(StatusCode::OK, &page))
        }
        Err(AccountError::LinkInvalid) => {
            let mut page = invitation_page(&visit, &token, "", "");
            link_gone(&mut page);
            page.notice = Some(
                "Deze uitnodiging werkt niet meer: hij is al gebruikt of verlopen. Vraag wie u \
                 uitnodigde om een nieuwe uitnodiging."
                    .into(),
            );
            page.links.clear();
            visit.respond(html(StatusCode::NOT_FOUND, &page))
        }
        Err(other) => refused(other, "/uitnodiging"),
    }
}

pub async fn invitation_post(
    State(accounts): State<Accounts>,
    Path(token): Path<String>,
    CsrfForm { visit, form }: CsrfForm<InvitationForm>,
) -> Response {
    match accounts
        .accept_invitation(&token, &form.name, &form.password)
        .await
    {
        Ok(()) => see_other("/inloggen?klaar=1"),
        Err(AccountError::Invalid { field, message }) => {
            let email = accounts
                .invitation(&token)
                .await
                .map(|u| u.email)
                .unwrap_or_default();
            let mut page = invitation_page(&visit, &token, &email, &form.name);
            page.complain(message, Some(field));
            visit.respond(html(StatusCode::BAD_REQUEST, &page))
        }
        Err(AccountError::LinkInvalid) => {
            let mut page = invitation_page(&visit, &token, "", "");
            link_gone(&mut page);
            visit.respond(html(StatusCode::NOT_FOUND, &page))
        }
        Err(other) => refused(other, "/uitnodiging"),
    }
}

// ---------------------------------------------------------------- my account

/// One role as a line on a page, with links where there is something to manage.
pub struct RoleLine {
    pub text: String,
    pub links: Vec<(String, String)>,
}

async fn role_lines(accounts: &Accounts, roles: &[Role]) -> Result<Vec<RoleLine>, AccountError> {
    let mut lines = Vec::with_capacity(roles.len());
    for role in roles {
        let text = accounts.describe_role(role).await?;
        let links = match role {
            Role::OrganisationEditor { organization } => vec![
                (
                    format!("/beheer/organisatie/{organization}"),
                    "Aanbod en locaties bijwerken".to_string(),
                ),
                (
                    format!("/beheer/organisatie/{organization}/verwijzingen"),
                    "Verwijzingen".to_string(),
                ),
                (
                    format!("/beheer/organisatie/{organization}/sleutels"),
                    "API-sleutels".to_string(),
                ),
            ],
            Role::Administrator | Role::Moderator { .. } => vec![
                ("/beheer/gebruikers".into(), "Mensen uitnodigen".into()),
                (
                    "/beheer/aanmeldingen".into(),
                    "Aanmeldingen en claims".into(),
                ),
                (
                    "/beheer/intake".into(),
                    "Intakepunten Welzijn op Recept".into(),
                ),
                (
                    "/beheer/wijkcijfers".into(),
                    "Wijkcijfers en witte vlekken".into(),
                ),
            ],
            Role::Professional => vec![
                ("/mijn-verwijzingen".into(), "Mijn verwijzingen".into()),
                (
                    "/verwijzen".into(),
                    "Verwijzen naar Welzijn op Recept".into(),
                ),
            ],
        };
        lines.push(RoleLine { text, links });
    }
    Ok(lines)
}

#[derive(Template)]
#[template(path = "account/me.html")]
struct MePage {
    name: String,
    email: String,
    roles: Vec<RoleLine>,
    notice: Option<String>,
    csrf: String,
}

#[derive(Deserialize, Default)]
pub struct MeQuery {
    klaar: Option<String>,
}

pub async fn me(
    State(accounts): State<Accounts>,
    visit: Visit,
    Query(query): Query<MeQuery>,
) -> Response {
    if let Err(err) = accounts.whoami(&visit.actor) {
        return refused(err, "/account");
    }
    let Some(user) = visit.actor.user() else {
        return refused(Denied::Forbidden.into(), "/account");
    };
    let roles = match role_lines(&accounts, &user.roles).await {
        Ok(roles) => roles,
        Err(err) => return refused(err, "/account"),
    };
    let page = MePage {
        name: user.name.clone(),
        email: user.email.clone(),
        roles,
        notice: query
            .klaar
            .map(|_| "U bent op al uw andere apparaten uitgelogd.".to_string()),
        csrf: visit.csrf_token(),
    };
    visit.respond(html(StatusCode::OK, &page))
}

pub async fn logout_everywhere(
    State(accounts): State<Accounts>,
    CsrfForm { visit, .. }: CsrfForm<EmptyForm>,
) -> Response {
    match accounts.logout_everywhere(&visit.actor).await {
        Ok(_) => {
            let mut response = see_other("/inloggen");
            response
                .headers_mut()
                .append(SET_COOKIE, visit.cookies.session_removal());
            response
        }
        Err(err) => refused(err, "/account"),
    }
}

// ---------------------------------------------------------------- inviting people

#[derive(Template)]
#[template(path = "account/users.html")]
struct UsersPage {
    notice: Option<String>,
    problem: Option<String>,
    email: Field,
    /// (value, label, selected)
    role_options: Vec<(&'static str, &'static str, bool)>,
    role_error: Option<String>,
    organization: Field,
    /// Organisations whose name matched what was typed, when more than one did: (id, name).
    organization_choices: Vec<(String, String)>,
    gemeente: Field,
    /// Everyone with their roles, for administrators; empty for moderators.
    users: Vec<UserLine>,
    csrf: String,
}

/// An account on the administrators' list, with what the revoke forms send back.
pub struct UserLine {
    pub id: String,
    pub name: String,
    pub email: String,
    pub disabled: bool,
    pub roles: Vec<RoleGrantLine>,
}

pub struct RoleGrantLine {
    pub text: String,
    pub kind: &'static str,
    pub organization: String,
    pub gemeente: String,
}

#[derive(Deserialize, Default)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    organization: String,
    #[serde(default)]
    gemeente: String,
}

async fn user_lines(accounts: &Accounts, visit: &Visit) -> Result<Vec<UserLine>, AccountError> {
    let users = match accounts.users(&visit.actor).await {
        Ok(users) => users,
        // Moderators invite, but do not see everyone.
        Err(AccountError::Denied(Denied::Forbidden)) => return Ok(Vec::new()),
        Err(err) => return Err(err),
    };
    let mut out = Vec::with_capacity(users.len());
    for (user, roles, disabled) in users {
        let mut lines = Vec::with_capacity(roles.len());
        for role in &roles {
            let (kind, organization, gemeente) = role.to_columns();
            lines.push(RoleGrantLine {
                text: accounts.describe_role(role).await?,
                kind,
                organization: organization.map(|o| o.to_string()).unwrap_or_default(),
                gemeente: gemeente.unwrap_or_default(),
            });
        }
        out.push(UserLine {
            id: user.id.to_string(),
            name: user.name,
            email: user.email,
            disabled,
            roles: lines,
        });
    }
    Ok(out)
}

async fn users_page(
    accounts: &Accounts,
    visit: &Visit,
    form: &InviteForm,
) -> Result<UsersPage, AccountError> {
    accounts.may_open_user_admin(&visit.actor)?;
    Ok(UsersPage {
        notice: None,
        problem: None,
        email: Field::new("email", "E-mailadres", "email")
            .autocomplete("off")
            .value(&form.email),
        role_options: RoleKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label(), form.role.trim() == k.as_str()))
            .collect(),
        role_error: None,
        organization: Field::new(
            "organization",
            "Organisatie (alleen voor redacteuren)",
            "text",
        )
        .hint("Typ de naam van de organisatie, of een deel ervan.")
        .optional()
        .value(&form.organization),
        organization_choices: Vec::new(),
        gemeente: Field::new("gemeente", "Gemeente (alleen voor moderatoren)", "text")
            .hint("De CBS-code, zoals GM0344. Leeg: de hele regio.")
            .optional()
            .value(&form.gemeente),
        users: user_lines(accounts, visit).await?,
        csrf: visit.csrf_token(),
    })
}

pub async fn users(State(accounts): State<Accounts>, visit: Visit) -> Response {
    match users_page(&accounts, &visit, &InviteForm::default()).await {
        Ok(page) => visit.respond(html(StatusCode::OK, &page)),
        Err(err) => refused(err, "/beheer/gebruikers"),
    }
}

/// Organisations offered when a typed name matches several.
const ORGANISATION_CHOICES: i64 = 20;

/// Why the form could not name one role: the field and message, and for an organisation
/// name that matches several, the organisations to choose from.
struct RoleProblem {
    field: &'static str,
    message: String,
    choices: Vec<(Uuid, String)>,
}

impl RoleProblem {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        RoleProblem {
            field,
            message: message.into(),
            choices: Vec::new(),
        }
    }
}

/// The organisation the form means: an id (from the choice list), else the one organisation
/// whose name is or contains what was typed.
async fn organisation_from_form(
    accounts: &Accounts,
    actor: &Actor,
    typed: &str,
) -> Result<Result<Uuid, RoleProblem>, AccountError> {
    let typed = typed.trim();
    if let Ok(id) = Uuid::parse_str(typed) {
        return Ok(Ok(id));
    }
    if typed.is_empty() {
        return Ok(Err(RoleProblem::new(
            "organization",
            "Vul de naam van de organisatie in.",
        )));
    }
    let found = accounts
        .organisations_named(actor, typed, ORGANISATION_CHOICES)
        .await?;
    let exact: Vec<_> = found
        .iter()
        .filter(|(_, name)| name.to_lowercase() == typed.to_lowercase())
        .collect();
    Ok(match (found.as_slice(), exact.as_slice()) {
        ([], _) => Err(RoleProblem::new(
            "organization",
            "Geen organisatie gevonden met deze naam. Kijk of de naam klopt.",
        )),
        ([(id, _)], _) | (_, [(id, _)]) => Ok(*id),
        _ => Err(RoleProblem {
            choices: found,
            ..RoleProblem::new(
                "organization",
                "Meer organisaties passen bij deze naam. Kies de juiste.",
            )
        }),
    })
}

/// The role the form asks for, or why it cannot be one.
async fn role_from_form(
    accounts: &Accounts,
    actor: &Actor,
    form: &InviteForm,
) -> Result<Result<Role, RoleProblem>, AccountError> {
    Ok(match RoleKind::parse(form.role.trim()) {
        Some(RoleKind::Professional) => Ok(Role::Professional),
        Some(RoleKind::Administrator) => Ok(Role::Administrator),
        Some(RoleKind::Editor) => organisation_from_form(accounts, actor, &form.organization)
            .await?
            .map(|organization| Role::OrganisationEditor { organization }),
        Some(RoleKind::Moderator) => {
            let code = form.gemeente.trim();
            if code.is_empty() {
                return Ok(Ok(Role::Moderator {
                    scope: ModerationScope::Instance,
                }));
            }
            match crate::geo::normalise_code(code) {
                Ok(code) if code.starts_with("GM") => Ok(Role::Moderator {
                    scope: ModerationScope::Gemeente(code),
                }),
                _ => Err(RoleProblem::new(
                    "gemeente",
                    "Vul een gemeentecode in, zoals GM0344, of laat het veld leeg.",
                )),
            }
        }
        None => Err(RoleProblem::new("role", "Kies een rol.")),
    })
}

fn put(page: &mut UsersPage, field: &str, message: String) {
    match field {
        "email" => page.email.error = Some(message),
        "organization" => page.organization.error = Some(message),
        "gemeente" => page.gemeente.error = Some(message),
        "role" => page.role_error = Some(message),
        _ => page.problem = Some(message),
    }
}

pub async fn invite(
    State(accounts): State<Accounts>,
    CsrfForm { visit, form }: CsrfForm<InviteForm>,
) -> Response {
    let mut page = match users_page(&accounts, &visit, &form).await {
        Ok(page) => page,
        Err(err) => return refused(err, "/beheer/gebruikers"),
    };
    let role = match role_from_form(&accounts, &visit.actor, &form).await {
        Ok(Ok(role)) => role,
        Ok(Err(problem)) => {
            put(&mut page, problem.field, problem.message);
            page.organization_choices = problem
                .choices
                .into_iter()
                .map(|(id, name)| (id.to_string(), name))
                .collect();
            return visit.respond(html(StatusCode::BAD_REQUEST, &page));
        }
        Err(err) => return refused(err, "/beheer/gebruikers"),
    };
    match accounts.invite(&visit.actor, &form.email, role).await {
        Ok(outcome) => {
            let email = form.email.trim().to_lowercase();
            let mut page = match users_page(&accounts, &visit, &InviteForm::default()).await {
                Ok(page) => page,
                Err(err) => return refused(err, "/beheer/gebruikers"),
            };
            page.notice = Some(match outcome {
                Invited::NewAccount => {
                    format!("{email} krijgt een mail met een uitnodiging. De link werkt 7 dagen.")
                }
                Invited::RoleAdded => {
                    format!("{email} had al een account en heeft de rol er nu bij.")
                }
                Invited::AlreadyHadRole => format!("{email} had deze rol al."),
            });
            visit.respond(html(StatusCode::OK, &page))
        }
        Err(AccountError::Invalid { field, message }) => {
            put(&mut page, field, message);
            visit.respond(html(StatusCode::BAD_REQUEST, &page))
        }
        Err(AccountError::Denied(Denied::Forbidden)) => {
            page.problem = Some(
                "Deze rol kunt u niet geven. Moderatoren nodigen professionals uit, en \
                 redacteuren voor organisaties in hun gemeente."
                    .into(),
            );
            visit.respond(html(StatusCode::FORBIDDEN, &page))
        }
        Err(other) => refused(other, "/beheer/gebruikers"),
    }
}

#[derive(Deserialize)]
pub struct RevokeRoleForm {
    #[serde(default)]
    user: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    organization: String,
    #[serde(default)]
    gemeente: String,
}

/// The users page again with a notice, after a change to someone's account.
async fn users_page_saying(
    accounts: &Accounts,
    visit: &Visit,
    status: StatusCode,
    notice: &str,
) -> Response {
    match users_page(accounts, visit, &InviteForm::default()).await {
        Ok(mut page) => {
            page.notice = Some(notice.to_string());
            visit.respond(html(status, &page))
        }
        Err(err) => refused(err, "/beheer/gebruikers"),
    }
}

pub async fn revoke_role(
    State(accounts): State<Accounts>,
    CsrfForm { visit, form }: CsrfForm<RevokeRoleForm>,
) -> Response {
    let organization = match form.organization.trim() {
        "" => None,
        id => Uuid::parse_str(id).ok(),
    };
    let gemeente = Some(form.gemeente.trim().to_string()).filter(|g| !g.is_empty());
    let (Ok(user), Some(role)) = (
        Uuid::parse_str(form.user.trim()),
        Role::from_columns(form.role.trim(), organization, gemeente),
    ) else {
        return AppError::bad_param("role", "Kies een rol om in te trekken.").into_response();
    };
    match accounts.revoke_role(&visit.actor, user, &role).await {
        Ok(true) => {
            users_page_saying(&accounts, &visit, StatusCode::OK, "De rol is ingetrokken.").await
        }
        Ok(false) => {
            users_page_saying(
                &accounts,
                &visit,
                StatusCode::NOT_FOUND,
                "Deze persoon had deze rol niet (meer).",
            )
            .await
        }
        Err(err) => refused(err, "/beheer/gebruikers"),
    }
}

#[derive(Deserialize)]
pub struct DisableForm {
    #[serde(default)]
    user: String,
}

pub async fn disable_account(
    State(accounts): State<Accounts>,
    CsrfForm { visit, form }: CsrfForm<DisableForm>,
) -> Response {
    let Ok(user) = Uuid::parse_str(form.user.trim()) else {
        return AppError::not_found("Dit account").into_response();
    };
    match accounts.disable_account(&visit.actor, user).await {
        Ok(()) => users_page_saying(
            &accounts,
            &visit,
            StatusCode::OK,
            "Het account staat uit. Deze persoon is overal uitgelogd en kan niet meer inloggen.",
        )
        .await,
        Err(AccountError::Invalid { message, .. }) => {
            users_page_saying(&accounts, &visit, StatusCode::BAD_REQUEST, &message).await
        }
        Err(err) => refused(err, "/beheer/gebruikers"),
    }
}

// ---------------------------------------------------------------- API tokens

pub struct TokenLine {
    pub id: String,
    pub label: String,
    pub created: String,
    pub last_used: String,
    pub revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "account/tokens.html")]
struct TokensPage {
    organization_id: String,
    organization: String,
    /// A token just made: shown this once.
    new_token: Option<String>,
    notice: Option<String>,
    label: Field,
    tokens: Vec<TokenLine>,
    csrf: String,
}

fn day(t: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!("[day]-[month]-[year] [hour]:[minute]");
    t.format(&format).unwrap_or_default()
}

async fn tokens_page(
    accounts: &Accounts,
    visit: &Visit,
    organization: Uuid,
) -> Result<TokensPage, AccountError> {
    let (name, tokens) = accounts.api_tokens(&visit.actor, organization).await?;
    Ok(TokensPage {
        organization_id: organization.to_string(),
        organization: name,
        new_token: None,
        notice: None,
        label: Field::new("label", "Naam van de nieuwe sleutel", "text")
            .hint("Bijvoorbeeld het systeem dat hem gebruikt: “website” of “roosterkoppeling”."),
        tokens: tokens
            .into_iter()
            .map(|t| TokenLine {
                id: t.id.to_string(),
                label: t.label,
                created: day(t.created_at),
                last_used: t.last_used_at.map_or("nog nooit".into(), day),
                revoked: t.revoked_at.map(day),
            })
            .collect(),
        csrf: visit.csrf_token(),
    })
}

/// The organisation id in the path; a malformed one is a page that does not exist.
fn organisation_id(raw: &str) -> Option<Uuid> {
    Uuid::parse_str(raw).ok()
}

fn no_such_organisation() -> Response {
    AppError::not_found("Deze organisatie").into_response()
}

pub async fn tokens(
    State(accounts): State<Accounts>,
    visit: Visit,
    Path(id): Path<String>,
) -> Response {
    let path = format!("/beheer/organisatie/{id}/sleutels");
    let Some(organization) = organisation_id(&id) else {
        return no_such_organisation();
    };
    match tokens_page(&accounts, &visit, organization).await {
        Ok(page) => visit.respond(html(StatusCode::OK, &page)),
        Err(err) => refused(err, &path),
    }
}

#[derive(Deserialize)]
pub struct NewTokenForm {
    #[serde(default)]
    label: String,
}

pub async fn create_token(
    State(accounts): State<Accounts>,
    Path(id): Path<String>,
    CsrfForm { visit, form }: CsrfForm<NewTokenForm>,
) -> Response {
    let path = format!("/beheer/organisatie/{id}/sleutels");
    let Some(organization) = organisation_id(&id) else {
        return no_such_organisation();
    };
    let created = accounts
        .create_api_token(&visit.actor, organization, &form.label)
        .await;
    let mut page = match tokens_page(&accounts, &visit, organization).await {
        Ok(page) => page,
        Err(err) => return refused(err, &path),
    };
    match created {
        Ok(token) => {
            page.new_token = Some(token);
            let mut response = visit.respond(html(StatusCode::OK, &page));
            // The token is on this page only: no copy in any cache.
            response.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                HeaderValue::from_static("no-store"),
            );
            response
        }
        Err(AccountError::Invalid { message, .. }) => {
            page.label = page.label.value(&form.label);
            page.label.error = Some(message);
            visit.respond(html(StatusCode::BAD_REQUEST, &page))
        }
        Err(other) => refused(other, &path),
    }
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    sleutel: String,
}

pub async fn revoke_token(
    State(accounts): State<Accounts>,
    Path(id): Path<String>,
    CsrfForm { visit, form }: CsrfForm<RevokeForm>,
) -> Response {
    let path = format!("/beheer/organisatie/{id}/sleutels");
    let Some(organization) = organisation_id(&id) else {
        return no_such_organisation();
    };
    let Ok(token) = Uuid::parse_str(form.sleutel.trim()) else {
        return AppError::bad_param("sleutel", "Kies een sleutel om in te trekken.")
            .into_response();
    };
    let revoked = match accounts
        .revoke_api_token(&visit.actor, organization, token)
        .await
    {
        Ok(revoked) => revoked,
        Err(err) => return refused(err, &path),
    };
    let mut page = match tokens_page(&accounts, &visit, organization).await {
        Ok(page) => page,
        Err(err) => return refused(err, &path),
    };
    if revoked {
        page.notice = Some("De sleutel is ingetrokken. Hij werkt niet meer.".into());
        visit.respond(html(StatusCode::OK, &page))
    } else {
        page.notice = Some("Deze organisatie heeft geen werkende sleutel met dit nummer.".into());
        visit.respond(html(StatusCode::NOT_FOUND, &page))
    }
}
