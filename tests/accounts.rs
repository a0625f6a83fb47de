//! Accounts over real HTTP, on SQLite and PostgreSQL: signing in and out, session cookies,
//! throttling, password resets, invitations, `admin create`, CSRF on every form, the
//! authorisation matrix (every role × every state-changing route, API tokens included) and
//! escaping of what people type. Mails are read from the server's mail folder (no SMTP).

mod common;

use std::time::{Duration, Instant};

use common::people::*;
use reqwest::StatusCode;

// ------------------------------------------------------------------------------------ tests

/// An editor sees "Klopt nog" on their own organisation's listings only; one click sets the
/// date it was last checked to today, and the page says so.
async fn an_editor_confirms_a_listing_is_still_correct_in_one_click() {
    let (org_a, org_b) = organisations().await;
    let editor = person("klopt-nog", &[("role", "editor"), ("organization", &org_a)]).await;
    let (own, other) = (service_of(&org_a).await, service_of(&org_b).await);
    let mut browser = signed_in(&editor).await;
    assert!(
        !browser
            .get(&format!("/aanbod/{other}"))
            .await
            .body
            .contains("Klopt nog"),
        "no button on another organisation's listing"
    );
    assert!(
        !common::http()
            .get(format!("{}/aanbod/{own}", base()))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("Klopt nog"),
        "no button for visitors"
    );
    let page = browser.get(&format!("/aanbod/{own}")).await;
    assert!(page.body.contains("Klopt nog"), "{}", page.body);
    let csrf = page.csrf();
    let done = browser
        .post(&format!("/aanbod/{own}/klopt-nog"), &[("csrf", &csrf)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), format!("/aanbod/{own}?bevestigd=1"));
    let after = browser.get(&done.location()).await;
    assert!(
        after
            .body
            .contains("De datum van de laatste controle is nu vandaag")
    );
    assert!(!after.body.contains("Mogelijk verouderd"), "{}", after.body);
    let hsds = api(&format!("/hsds/services/{own}")).await;
    let today = time::OffsetDateTime::now_utc().date().to_string();
    assert_eq!(hsds["assured_date"], today.as_str(), "{hsds}");
}

async fn login_sets_a_safe_session_cookie_and_logout_ends_it() {
    let (email, password) = admin().await;
    let (_, address) = unique("x");
    let mut browser = browser_at(&address);
    // Signing in with another case of the address works: addresses are case-insensitive.
    let page = browser.login(&email.to_uppercase(), &password).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), "/account");
    let cookie = page
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("wijkwijzer_sessie="))
        .expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain http test server: {cookie}"
    );
    let session = browser.session().unwrap();
    assert!(session.len() >= 43, "256 bits");

    let me = browser.get("/account").await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(me.body.contains(&email), "{}", me.body);
    assert!(me.body.contains("beheerder"));

    let csrf = me.csrf();
    let out = browser.post("/uitloggen", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(browser.session().is_none(), "cookie removed");
    // The old cookie is dead on the server too.
    browser
        .cookies
        .insert("wijkwijzer_sessie".into(), session.clone());
    let again = browser.get("/account").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert!(again.location().starts_with("/inloggen"));
}

async fn every_login_makes_a_new_session_id() {
    let (email, password) = admin().await;
    let (_, address) = unique("x");
    let mut browser = browser_at(&address);
    // A session id planted before signing in (fixation) is not taken over.
    browser
        .cookies
        .insert("wijkwijzer_sessie".into(), "geplant".into());
    browser.login(&email, &password).await;
    let first = browser.session().unwrap();
    assert_ne!(first, "geplant");
    let mut other = browser_at(&address);
    other.login(&email, &password).await;
    let second = other.session().unwrap();
    assert_ne!(first, second);
    // Both live side by side.
    assert_eq!(browser.get("/account").await.status, StatusCode::OK);
    assert_eq!(other.get("/account").await.status, StatusCode::OK);
}

async fn logout_everywhere_ends_every_session() {
    let email = person("overal", &[("role", "professional")]).await;
    let mut phone = signed_in(&email).await;
    let mut laptop = signed_in(&email).await;
    let page = laptop.get("/account").await;
    let done = laptop
        .post("/account/overal-uitloggen", &[("csrf", &page.csrf())])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    for browser in [&mut phone, &mut laptop] {
        let page = browser.get("/account").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert!(page.location().starts_with("/inloggen"));
    }
    // Signing in again works.
    signed_in(&email).await;
}

async fn wrong_passwords_are_slowed_then_blocked_per_account() {
    let email = person("geblokkeerd", &[("role", "professional")]).await;
    let (_, address) = unique("x");
    let mut browser = browser_at(&address);
    let mut took = Vec::new();
    for _ in 0..4 {
        let started = Instant::now();
        let page = browser.login(&email, "verkeerd wachtwoord").await;
        took.push(started.elapsed());
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
        assert!(page.body.contains("klopt niet"), "{}", page.body);
        // What was typed stays, the password does not.
        assert!(page.body.contains(&email));
        assert!(!page.body.contains("verkeerd wachtwoord"));
    }
    // Failures 1 and 2 are quick; from the third on each waits (400 ms, then 800 ms).
    assert!(took[0] < Duration::from_millis(350), "{took:?}");
    assert!(took[2] >= Duration::from_millis(400), "{took:?}");
    assert!(took[3] >= Duration::from_millis(800), "{took:?}");
    // Blocked now, even with the right password, and from another address too.
    let mut elsewhere = browser_at(&unique("y").1);
    for browser in [&mut browser, &mut elsewhere] {
        let page = browser.login(&email, PASSWORD).await;
        assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.body);
        assert!(page.body.contains("te vaak een verkeerd wachtwoord"));
        assert!(page.headers.get("retry-after").is_some());
        assert!(browser.session().is_none());
    }
}

async fn wrong_passwords_from_one_address_block_that_address() {
    let email = person("adres", &[("role", "professional")]).await;
    let (_, address) = unique("x");
    let mut attacker = browser_at(&address);
    // Seven different accounts (most do not exist), two tries each at most: no account
    // reaches its own limit, the address does.
    for i in 0..7 {
        let page = attacker
            .login(&format!("gok{i}@example.org"), "raden")
            .await;
        assert_eq!(
            page.status,
            StatusCode::BAD_REQUEST,
            "try {i}: {}",
            page.body
        );
    }
    let page = attacker.login(&email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.body);
    // Someone at another address signs in as usual.
    let mut other = browser_at(&unique("y").1);
    let page = other.login(&email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}

async fn a_reset_link_works_once_and_expires() {
    let email = person("herstel", &[("role", "professional")]).await;
    let (_, address) = unique("x");
    let mut browser = browser_at(&address);

    // The answer is the same for an unknown address, and no mail goes out for it.
    let (unknown, _) = unique("onbekend");
    let known_page = browser
        .submit(
            "/wachtwoord-vergeten",
            "/wachtwoord-vergeten",
            &[("email", &email)],
        )
        .await;
    let unknown_page = browser
        .submit(
            "/wachtwoord-vergeten",
            "/wachtwoord-vergeten",
            &[("email", &unknown)],
        )
        .await;
    assert_eq!(known_page.status, StatusCode::OK);
    assert_eq!(known_page.body, unknown_page.body);
    assert!(mail_to(&unknown).is_none());

    let mail = mail_to(&email).expect("reset mail");
    assert!(!mail.contains(PASSWORD), "no password in mails");
    let link = link_in(&mail, "/wachtwoord-herstellen/");
    assert_eq!(browser.get(&link).await.status, StatusCode::OK);
    // Too short: the message is next to the field, the link still works.
    let short = browser.submit(&link, &link, &[("password", "kort")]).await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(short.body.contains("fout-password"), "{}", short.body);
    let new_password = "een heel nieuw wachtwoord";
    let done = browser
        .submit(&link, &link, &[("password", new_password)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    // Once only.
    let page = browser.get(&link).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("werkt niet meer"));
    let csrf = page.csrf_or_login(&mut browser).await;
    let again = browser
        .post(
            &link,
            &[("csrf", &csrf), ("password", "nog een ander wachtwoord")],
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.body);
    // The new password works, the old one no longer.
    let mut other = browser_at(&unique("y").1);
    assert_eq!(
        other.login(&email, PASSWORD).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        other.login(&email, new_password).await.status,
        StatusCode::SEE_OTHER
    );

    // An expired link does not work: make one, then move its expiry into the past.
    browser
        .submit(
            "/wachtwoord-vergeten",
            "/wachtwoord-vergeten",
            &[("email", &email)],
        )
        .await;
    let link = link_in(&mail_to(&email).unwrap(), "/wachtwoord-herstellen/");
    expire_link(link.rsplit('/').next().unwrap()).await;
    assert_eq!(browser.get(&link).await.status, StatusCode::NOT_FOUND);
}

impl Page {
    /// The page's CSRF token; the "link gone" page has no form, so take one from the sign-in
    /// page of the same browser.
    async fn csrf_or_login(&self, browser: &mut Browser) -> String {
        match field_value(&self.body, "csrf") {
            Some(csrf) => csrf,
            None => browser.get("/inloggen").await.csrf(),
        }
    }
}

/// Moves one link's expiry into the past, straight in the database.
async fn expire_link(token: &str) {
    let hash = wijkwijzer::auth::secrets::token_hash(token);
    let info = info();
    let past = time::OffsetDateTime::now_utc() - time::Duration::hours(2);
    match info.database_url {
        Some(url) => {
            let pool = sqlx::PgPool::connect(&url).await.unwrap();
            sqlx::query("update one_time_token set expires_at = $1 where token_hash = $2")
                .bind(past)
                .bind(&hash)
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }
        None => {
            let url = format!(
                "sqlite://{}",
                info.data_dir.join("wijkwijzer.db").to_string_lossy()
            );
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            sqlx::query("update one_time_token set expires_at = $1 where token_hash = $2")
                .bind(past)
                .bind(&hash)
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }
    }
}

async fn an_invitation_sets_name_and_password_once() {
    let (org_a, _) = organisations().await;
    let (admin_email, _) = admin().await;
    let mut admin = signed_in(&admin_email).await;
    let (email, address) = unique("Redacteur");
    // An organisation that does not exist is refused next to its field, the e-mail kept.
    let bad = admin
        .submit(
            "/beheer/gebruikers",
            "/beheer/gebruikers",
            &[
                ("email", &email),
                ("role", "editor"),
                ("organization", "00000000-0000-0000-0000-000000000000"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.body.contains("fout-organization"));
    assert!(bad.body.contains(&email));
    let invited = admin
        .submit(
            "/beheer/gebruikers",
            "/beheer/gebruikers",
            &[
                ("email", &email),
                ("role", "editor"),
                ("organization", &org_a),
            ],
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let lower = email.to_lowercase();
    let link = link_in(&mail_to(&lower).expect("mail"), "/uitnodiging/");
    let mut newcomer = browser_at(&address);
    let page = newcomer.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&lower));
    // Without a name: the message is next to the field.
    let missing = newcomer
        .submit(&link, &link, &[("name", " "), ("password", PASSWORD)])
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert!(missing.body.contains("fout-name"));
    let done = newcomer
        .submit(
            &link,
            &link,
            &[("name", "Rita Redacteur"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(newcomer.get(&link).await.status, StatusCode::NOT_FOUND);
    let mut editor = signed_in(&lower).await;
    let me = editor.get("/account").await;
    assert!(me.body.contains("Rita Redacteur"));
    assert!(me.body.contains("redacteur van"));
    assert!(
        me.body
            .contains(&format!("/beheer/organisatie/{org_a}/sleutels"))
    );
}

async fn admin_create_prints_a_single_use_link() {
    let (email, address) = unique("tweede-beheerder");
    let link = create_admin_by_command(&email).await;
    assert!(link.starts_with(&base()), "{link}");
    let path = link.strip_prefix(&base()).unwrap().to_string();
    assert!(path.starts_with("/uitnodiging/"));
    let mut browser = browser_at(&address);
    let done = browser
        .submit(&path, &path, &[("name", "Tweede"), ("password", PASSWORD)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let mut admin = signed_in(&email).await;
    let users = admin.get("/beheer/gebruikers").await;
    assert_eq!(users.status, StatusCode::OK);
    assert!(users.body.contains("Alle accounts"));
    assert_eq!(browser.get(&path).await.status, StatusCode::NOT_FOUND);
}

/// Every state-changing route, as (path, fields besides csrf).
async fn state_changing_routes() -> Vec<(String, Vec<(&'static str, String)>)> {
    let (org_a, _) = organisations().await;
    vec![
        (
            "/inloggen".into(),
            vec![("email", "a@example.org".into()), ("password", "x".into())],
        ),
        ("/uitloggen".into(), vec![]),
        (
            "/wachtwoord-vergeten".into(),
            vec![("email", "a@example.org".into())],
        ),
        (
            "/wachtwoord-herstellen/onzin".into(),
            vec![("password", PASSWORD.into())],
        ),
        (
            "/uitnodiging/onzin".into(),
            vec![("name", "X".into()), ("password", PASSWORD.into())],
        ),
        ("/account/overal-uitloggen".into(), vec![]),
        (
            "/beheer/gebruikers".into(),
            vec![
                ("email", "csrf@example.org".into()),
                ("role", "professional".into()),
            ],
        ),
        (
            format!("/beheer/organisatie/{org_a}/sleutels"),
            vec![("label", "csrf".into())],
        ),
        (
            format!("/beheer/organisatie/{org_a}/sleutels/intrekken"),
            vec![("sleutel", uuid::Uuid::new_v4().to_string())],
        ),
        (
            format!("/aanbod/{}/klopt-nog", service_of(&org_a).await),
            vec![],
        ),
        // Moderation (tests/moderation.rs has these with real requests).
        (
            format!("/beheer/moderatie/{}/goedkeuren", uuid::Uuid::new_v4()),
            vec![],
        ),
        (
            format!("/beheer/moderatie/{}/afwijzen", uuid::Uuid::new_v4()),
            vec![("reden", "x".into())],
        ),
        (
            format!("/beheer/organisatie/{org_a}/vertrouwd"),
            vec![("vertrouwd", "nee".into())],
        ),
        (
            format!(
                "/beheer/mijn-wijzigingen/{}/intrekken",
                uuid::Uuid::new_v4()
            ),
            vec![],
        ),
    ]
}

async fn posts_without_a_valid_csrf_token_are_refused() {
    let (admin_email, _) = admin().await;
    let mut anonymous = browser_at(&unique("x").1);
    anonymous.get("/inloggen").await; // has a form cookie now
    let mut admin = signed_in(&admin_email).await;
    let routes = state_changing_routes().await;
    for browser in [&mut anonymous, &mut admin] {
        let good = browser.get("/inloggen").await;
        // The sign-in page redirects a signed-in admin; take the token from /account then.
        let valid = match field_value(&good.body, "csrf") {
            Some(token) => token,
            None => browser.get("/account").await.csrf(),
        };
        for (path, fields) in &routes {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let mut wrong = fields.clone();
            wrong.push(("csrf", "bm90LXRoZS10b2tlbg"));
            let mut tampered = fields.clone();
            let last = if valid.ends_with('A') { "B" } else { "A" };
            let flipped = format!("{}{last}", &valid[..valid.len() - 1]);
            tampered.push(("csrf", &flipped));
            for (what, form) in [
                ("none", &fields),
                ("wrong", &wrong),
                ("tampered", &tampered),
            ] {
                let page = browser.post(path, form).await;
                assert_eq!(
                    page.status,
                    StatusCode::FORBIDDEN,
                    "{path} with {what} token: {}",
                    page.body
                );
                assert!(page.body.contains("formulier is verlopen"), "{path}");
            }
        }
    }
    // Nothing happened: the admin is still signed in, no invitation went out.
    assert_eq!(admin.get("/account").await.status, StatusCode::OK);
    assert!(mail_to("csrf@example.org").is_none());
    // A token from another browser's session does not fit this one.
    let mut other_admin = signed_in(&admin_email).await;
    let foreign = other_admin.get("/account").await.csrf();
    let page = admin
        .post("/account/overal-uitloggen", &[("csrf", &foreign)])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(other_admin.get("/account").await.status, StatusCode::OK);
}

/// What a route answered, reduced to what the matrix compares.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Outcome {
    Ok,
    /// To the sign-in page.
    Login,
    Forbidden,
    NotFound,
}

fn outcome(page: &Page) -> Outcome {
    match page.status {
        StatusCode::OK => Outcome::Ok,
        StatusCode::SEE_OTHER if page.location().starts_with("/inloggen") => Outcome::Login,
        // Done, and on to the page that shows it (e.g. "klopt nog" back to the service).
        StatusCode::SEE_OTHER => Outcome::Ok,
        StatusCode::FORBIDDEN => Outcome::Forbidden,
        StatusCode::NOT_FOUND => Outcome::NotFound,
        other => panic!("unexpected {other}: {}", page.body),
    }
}

async fn make_token(browser: &mut Browser, org: &str, label: &str) -> (String, String) {
    let path = format!("/beheer/organisatie/{org}/sleutels");
    let page = browser.submit(&path, &path, &[("label", label)]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.headers.get("cache-control").unwrap(),
        "no-store",
        "a page with a token is not cached"
    );
    let at = page
        .body
        .find("<code class=\"token\">")
        .expect("token shown")
        + 20;
    let token = page.body[at..at + page.body[at..].find('<').unwrap()].to_string();
    // Its id, from the revoke form of the newest token (listed first).
    let id = field_value(&page.body, "sleutel").unwrap();
    // Shown once: the page again does not show it.
    assert!(!browser.get(&path).await.body.contains(&token));
    (token, id)
}

async fn me_with(
    token: Option<&str>,
) -> (StatusCode, serde_json::Value, reqwest::header::HeaderMap) {
    let mut request = common::http().get(format!("{}/api/v1/me", base()));
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, response.json().await.unwrap_or_default(), headers)
}

async fn every_role_gets_only_its_own_routes() {
    let (org_a, org_b) = organisations().await;
    let (admin_email, _) = admin().await;
    let editor_a = person(
        "redacteur-a",
        &[("role", "editor"), ("organization", &org_a)],
    )
    .await;
    let editor_b = person(
        "redacteur-b",
        &[("role", "editor"), ("organization", &org_b)],
    )
    .await;
    let professional = person("professional", &[("role", "professional")]).await;
    let moderator = person(
        "moderator",
        &[("role", "moderator"), ("gemeente", "GM0344")],
    )
    .await;

    // Tokens of B exist, so that A's attempts on them can be seen to fail.
    let mut b = signed_in(&editor_b).await;
    let (token_b, token_b_id) = make_token(&mut b, &org_b, "systeem van B").await;
    let mut a = signed_in(&editor_a).await;
    let (token_a, _) = make_token(&mut a, &org_a, "systeem van A").await;

    let tokens_a = format!("/beheer/organisatie/{org_a}/sleutels");
    let tokens_b = format!("/beheer/organisatie/{org_b}/sleutels");
    let revoke_b = format!("/beheer/organisatie/{org_b}/sleutels/intrekken");
    let confirm_a = format!("/aanbod/{}/klopt-nog", service_of(&org_a).await);
    let confirm_b = format!("/aanbod/{}/klopt-nog", service_of(&org_b).await);

    use Outcome::*;
    // (method, route, fields) × (visitor, professional, editor A, moderator, admin); `None`:
    // not tried (it would change what concurrent tests rely on: B's token, the shared
    // administrator's sessions).
    type Row = (
        &'static str,
        String,
        Vec<(&'static str, String)>,
        [Option<Outcome>; 5],
    );
    let all = |o: [Outcome; 5]| o.map(Some);
    let rows: Vec<Row> = vec![
        (
            "GET",
            "/account".into(),
            vec![],
            all([Login, Ok, Ok, Ok, Ok]),
        ),
        (
            "GET",
            "/beheer/gebruikers".into(),
            vec![],
            all([Login, Forbidden, Forbidden, Ok, Ok]),
        ),
        (
            "POST",
            "/beheer/gebruikers".into(),
            vec![
                ("email", "nieuw-prof@example.org".into()),
                ("role", "professional".into()),
            ],
            all([Login, Forbidden, Forbidden, Ok, Ok]),
        ),
        (
            // Moderators do not make administrators.
            "POST",
            "/beheer/gebruikers".into(),
            vec![
                ("email", "nieuw-admin@example.org".into()),
                ("role", "administrator".into()),
            ],
            all([Login, Forbidden, Forbidden, Forbidden, Ok]),
        ),
        (
            "GET",
            tokens_a.clone(),
            vec![],
            all([Login, Forbidden, Ok, Forbidden, Ok]),
        ),
        (
            "GET",
            tokens_b.clone(),
            vec![],
            all([Login, Forbidden, Forbidden, Forbidden, Ok]),
        ),
        (
            "POST",
            tokens_b.clone(),
            vec![("label", "indringer".into())],
            all([Login, Forbidden, Forbidden, Forbidden, Ok]),
        ),
        (
            // Revoking B's token through B's URL.
            "POST",
            revoke_b.clone(),
            vec![("sleutel", token_b_id.clone())],
            [
                Some(Login),
                Some(Forbidden),
                Some(Forbidden),
                Some(Forbidden),
                None,
            ],
        ),
        (
            // Revoking B's token through A's own URL (B's id in the form field): no such
            // token of A.
            "POST",
            format!("/beheer/organisatie/{org_a}/sleutels/intrekken"),
            vec![("sleutel", token_b_id.clone())],
            all([Login, Forbidden, NotFound, Forbidden, NotFound]),
        ),
        (
            "POST",
            "/account/overal-uitloggen".into(),
            vec![],
            [Some(Login), Some(Login), Some(Login), Some(Login), None],
        ),
        // "Klopt nog" on a listing: its organisation's editors (moderators of a gemeente
        // where it has a place: tests/freshness.rs, whose places are known).
        (
            "POST",
            confirm_a.clone(),
            vec![],
            [Some(Login), Some(Forbidden), Some(Ok), None, Some(Ok)],
        ),
        (
            "POST",
            confirm_b.clone(),
            vec![],
            [
                Some(Login),
                Some(Forbidden),
                Some(Forbidden),
                None,
                Some(Ok),
            ],
        ),
    ];
    // Moderation: the queue for moderators, one's own requests for everyone signed in, a
    // listing's history for its editors; requests by a made-up id are not found (and not
    // even looked up for those who may not moderate).
    let history_a = format!("/beheer/aanbod/{}/geschiedenis", service_of(&org_a).await);
    let history_b = format!("/beheer/aanbod/{}/geschiedenis", service_of(&org_b).await);
    let mut rows = rows;
    rows.extend([
        (
            "GET",
            "/beheer/moderatie".to_string(),
            vec![],
            all([Login, Forbidden, Forbidden, Ok, Ok]),
        ),
        (
            "POST",
            format!("/beheer/moderatie/{}/goedkeuren", uuid::Uuid::new_v4()),
            vec![],
            all([Login, Forbidden, Forbidden, NotFound, NotFound]),
        ),
        (
            "POST",
            format!("/beheer/moderatie/{}/afwijzen", uuid::Uuid::new_v4()),
            vec![("reden", "nee".into())],
            all([Login, Forbidden, Forbidden, NotFound, NotFound]),
        ),
        (
            "POST",
            format!("/beheer/organisatie/{org_b}/vertrouwd"),
            vec![("vertrouwd", "nee".into())],
            [
                Some(Login),
                Some(Forbidden),
                Some(Forbidden),
                None,
                Some(Ok),
            ],
        ),
        (
            "GET",
            "/beheer/mijn-wijzigingen".to_string(),
            vec![],
            all([Login, Ok, Ok, Ok, Ok]),
        ),
        (
            "POST",
            format!(
                "/beheer/mijn-wijzigingen/{}/intrekken",
                uuid::Uuid::new_v4()
            ),
            vec![],
            all([Login, NotFound, NotFound, NotFound, NotFound]),
        ),
        (
            "GET",
            history_a,
            vec![],
            [Some(Login), Some(Forbidden), Some(Ok), None, Some(Ok)],
        ),
        (
            "GET",
            history_b,
            vec![],
            [
                Some(Login),
                Some(Forbidden),
                Some(Forbidden),
                None,
                Some(Ok),
            ],
        ),
    ]);
    let emails = [
        None,
        Some(&professional),
        Some(&editor_a),
        Some(&moderator),
        Some(&admin_email),
    ];
    let names = ["visitor", "professional", "editor A", "moderator", "admin"];
    let mut failures = Vec::new();
    for (method, path, fields, expected) in &rows {
        for ((email, name), want) in emails.iter().zip(names).zip(expected) {
            let Some(want) = want else { continue };
            let mut browser = match email {
                Some(email) => signed_in(email).await,
                None => browser_at(&unique("v").1),
            };
            let page = if *method == "GET" {
                browser.get(path).await
            } else {
                // A valid token for this browser's state: from /account when signed in, else
                // the sign-in page's (bound to the form cookie, not a session).
                let csrf = match email {
                    Some(_) => browser.get("/account").await.csrf(),
                    None => browser.get("/inloggen").await.csrf(),
                };
                let mut form: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                form.push(("csrf", &csrf));
                let page = browser.post(path, &form).await;
                if path == "/account/overal-uitloggen" && page.status == StatusCode::SEE_OTHER {
                    // Signed out everywhere: the next page asks to sign in.
                    browser.get("/account").await
                } else {
                    page
                }
            };
            let got = outcome(&page);
            if got != *want {
                failures.push(format!(
                    "{name} {method} {path}: want {want:?}, got {got:?}"
                ));
            }
            // Never data for those without access.
            if got != Ok && got != NotFound {
                for secret in ["systeem van A", "systeem van B", "Alle accounts"] {
                    if page.body.contains(secret) {
                        failures.push(format!("{name} {method} {path}: shows {secret:?}"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // API tokens: each acts for its own organisation only.
    let (status, body, _) = me_with(Some(&token_a)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["organization"]["id"], org_a.as_str());
    assert_eq!(body["roles"][0], "organization_editor");
    let (status, body, _) = me_with(Some(&token_b)).await;
    assert_eq!(status, StatusCode::OK, "B's token still works: {body}");
    assert_eq!(body["organization"]["id"], org_b.as_str());
    // A token is no session: the pages do not accept it.
    let page = common::http()
        .get(format!("{}{tokens_a}", base()))
        .header("authorization", format!("Bearer {token_a}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    for bad in [None, Some("wkw_onzin"), Some("")] {
        let (status, body, headers) = me_with(bad).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{bad:?}");
        assert_eq!(body["status"], 401);
        assert!(headers.get("www-authenticate").is_some());
    }
    // Revoked by its own editor: the token stops working at once.
    let mut b = signed_in(&editor_b).await;
    let page = b
        .submit(&tokens_b, &revoke_b, &[("sleutel", &token_b_id)])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Ingetrokken"));
    assert_eq!(me_with(Some(&token_b)).await.0, StatusCode::UNAUTHORIZED);
}

async fn what_people_type_is_escaped_everywhere() {
    let xss = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>";
    let (org_a, _) = organisations().await;
    let (admin_email, _) = admin().await;
    let (email, address) = unique("xss");
    let mut admin = signed_in(&admin_email).await;
    admin
        .submit(
            "/beheer/gebruikers",
            "/beheer/gebruikers",
            &[
                ("email", &email),
                ("role", "editor"),
                ("organization", &org_a),
            ],
        )
        .await;
    let link = link_in(&mail_to(&email).unwrap(), "/uitnodiging/");
    let mut person = browser_at(&address);
    // Re-rendered with an error: the name is kept, escaped.
    let short = person
        .submit(&link, &link, &[("name", xss), ("password", "kort")])
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert_escaped(&short.body, "invitation form");
    assert!(
        shows_escaped(&short.body),
        "the name is kept: {}",
        short.body
    );
    person
        .submit(&link, &link, &[("name", xss), ("password", PASSWORD)])
        .await;
    let mut person = signed_in(&email).await;
    let me = person.get("/account").await;
    assert!(shows_escaped(&me.body), "{}", me.body);
    assert_escaped(&me.body, "/account");
    let users = admin.get("/beheer/gebruikers").await;
    assert!(shows_escaped(&users.body), "{}", users.body);
    assert_escaped(&users.body, "/beheer/gebruikers");
    // A token's label.
    let path = format!("/beheer/organisatie/{org_a}/sleutels");
    let made = person.submit(&path, &path, &[("label", xss)]).await;
    assert_eq!(made.status, StatusCode::OK);
    assert_escaped(&made.body, "token page");
    assert!(shows_escaped(&made.body), "{}", made.body);
    // The sign-in form keeps a typed address, escaped.
    let mut visitor = browser_at(&unique("v").1);
    let page = visitor.login(xss, "x").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert_escaped(&page.body, "sign-in form");
    assert!(
        shows_escaped(&page.body),
        "the address is kept: {}",
        page.body
    );
}

/// The payload is on the page as text (askama writes `<` as `&#60;`).
fn shows_escaped(body: &str) -> bool {
    body.contains("&#60;script&#62;") || body.contains("&lt;script&gt;")
}

fn assert_escaped(body: &str, page: &str) {
    assert!(!body.contains("<script>alert"), "{page}: {body}");
    assert!(!body.contains("<img src=x"), "{page}: {body}");
}

common::tests_on_both_servers!(
    an_editor_confirms_a_listing_is_still_correct_in_one_click,
    login_sets_a_safe_session_cookie_and_logout_ends_it,
    every_login_makes_a_new_session_id,
    logout_everywhere_ends_every_session,
    wrong_passwords_are_slowed_then_blocked_per_account,
    wrong_passwords_from_one_address_block_that_address,
    a_reset_link_works_once_and_expires,
    an_invitation_sets_name_and_password_once,
    admin_create_prints_a_single_use_link,
    posts_without_a_valid_csrf_token_are_refused,
    every_role_gets_only_its_own_routes,
    what_people_type_is_escaped_everywhere,
);

/// The command itself, as an operator runs it (SQLite in a fresh data directory).
#[test]
fn the_admin_create_command_prints_a_link_and_never_a_password() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_wijkwijzer"))
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "--demo-data",
            "false",
            "--public-url",
            "https://wijkwijzer.example.nl/",
            "admin",
            "create",
            "Eerste@Example.org",
        ])
        .env_remove("DATABASE_URL")
        .env_remove("WIJKWIJZER_PUBLIC_URL")
        .output()
        .expect("run wijkwijzer");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("eerste@example.org is beheerder"),
        "{stdout}"
    );
    assert!(
        stdout.contains("https://wijkwijzer.example.nl/uitnodiging/"),
        "{stdout}"
    );
    assert!(!stdout.to_lowercase().contains("wachtwoord:"), "{stdout}");
    // A bad address is refused with a message, not a panic.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_wijkwijzer"))
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "--demo-data",
            "false",
            "admin",
            "create",
            "geen-adres",
        ])
        .env_remove("DATABASE_URL")
        .output()
        .expect("run wijkwijzer");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("geen e-mailadres"));
}

/// The store's side on both databases: e-mail addresses are unique, ended sessions and used or
/// expired links are pruned, live ones stay.
#[tokio::test]
async fn the_store_keeps_accounts_apart_and_prunes_what_ended() {
    use wijkwijzer::store::{LinkPurpose, StoreError};
    common::on_both_backends(false, |catalog, _| async move {
        let store = &catalog.store;
        let user = store.create_user("a@example.org", "A", None).await.unwrap();
        assert!(matches!(
            store.create_user("a@example.org", "B", None).await,
            Err(StoreError::Conflict(_))
        ));
        let now = time::OffsetDateTime::now_utc();
        store
            .create_session("levend", user, now + time::Duration::hours(1))
            .await
            .unwrap();
        store
            .create_session("verlopen", user, now - time::Duration::seconds(1))
            .await
            .unwrap();
        store
            .create_link(
                "gebruikt",
                user,
                LinkPurpose::PasswordReset,
                now + time::Duration::hours(1),
            )
            .await
            .unwrap();
        store
            .create_link(
                "open",
                user,
                LinkPurpose::PasswordReset,
                now + time::Duration::hours(1),
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .use_link("gebruikt", LinkPurpose::PasswordReset)
                .await
                .unwrap(),
            Some(user)
        );
        assert_eq!(
            store
                .use_link("gebruikt", LinkPurpose::PasswordReset)
                .await
                .unwrap(),
            None,
            "once"
        );
        assert_eq!(
            store
                .use_link("open", LinkPurpose::Invitation)
                .await
                .unwrap(),
            None,
            "a reset link is no invitation"
        );
        let idle_since = now - time::Duration::hours(1);
        assert_eq!(
            store.session_user("verlopen", idle_since).await.unwrap(),
            None
        );
        assert_eq!(store.prune_accounts(now).await.unwrap(), 2);
        assert_eq!(store.session_count_of(user).await.unwrap(), 1);
        assert_eq!(
            store.session_user("levend", idle_since).await.unwrap(),
            Some(user)
        );
        assert_eq!(
            store
                .peek_link("open", LinkPurpose::PasswordReset)
                .await
                .unwrap(),
            Some(user)
        );
    })
    .await;
}

/// Behind https (`--public-url https://…`) the cookies are `Secure` and carry the `__Host-`
/// prefix, and mails link to the public address.
#[tokio::test]
async fn behind_https_cookies_are_secure_and_host_only() {
    let server = common::spawn_configured(
        |dir| {
            let mut config = configure(dir, None);
            config.demo_data = Some(false);
            config.public_url = Some("https://wijkwijzer.example.nl".into());
            config
        },
        |catalog| {
            Box::pin(async move {
                use wijkwijzer::auth::Role;
                use wijkwijzer::auth::secrets::{PasswordCost, hash_password};
                let hash = hash_password(PASSWORD, PasswordCost::TestsOnly).unwrap();
                let user = catalog
                    .store
                    .create_user("tls@example.org", "TLS", Some(&hash))
                    .await
                    .unwrap();
                catalog
                    .store
                    .grant_role(user, &Role::Administrator, None)
                    .await
                    .unwrap();
            })
        },
    );
    APP.scope(server.base.clone(), async {
        let mut browser = browser_at("10.250.0.1");
        let form = browser.get("/inloggen").await;
        let form_cookie = form.set_cookies().join("\n");
        assert!(
            form_cookie.starts_with("__Host-wijkwijzer_formulier=")
                && form_cookie.contains("Secure"),
            "{form_cookie}"
        );
        let page = browser.login("tls@example.org", PASSWORD).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        let cookie = page.set_cookies().join("\n");
        assert!(cookie.starts_with("__Host-wijkwijzer_sessie="), "{cookie}");
        for flag in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(cookie.contains(flag), "{flag}: {cookie}");
        }
        assert!(!cookie.contains("Domain"), "{cookie}");
        assert_eq!(browser.get("/account").await.status, StatusCode::OK);
    })
    .await;
}
