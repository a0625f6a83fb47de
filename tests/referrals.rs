//! Referrals over real HTTP, on SQLite and PostgreSQL (issue 14): a professional refers from a
//! service page, the receiving organisation works its inbox (accept, match to an activity,
//! complete; reject with a reason; an illegal move refused), the referrer sees every status
//! with its date; a resident refers themselves and follows it with code + contact; the Welzijn
//! op Recept intake is chosen by postcode (two areas, two intakes); nobody else reads the
//! personal data — not another organisation, another professional, a moderator, an
//! administrator, a visitor or a wrong resident code, by URL or by guessing ids.

mod common;

use reqwest::StatusCode;
use uuid::Uuid;

use common::people::*;

const XSS: &str = "<script>alert(1)</script>";

/// A demo service that takes referrals, with its organisation, and a new editor of that
/// organisation (so that the inbox is worked). `search` picks which one.
async fn receiver(search: &str) -> (String, String, String) {
    find_receiver(search, "", "").await
}

/// [`receiver`], of another organisation than `not_org`.
async fn receiver_not_of(search: &str, not_org: &str) -> (String, String, String) {
    find_receiver(search, "", not_org).await
}

/// [`receiver`], whose name holds `name_has`.
async fn find_receiver(search: &str, name_has: &str, not_org: &str) -> (String, String, String) {
    let body = api(&format!(
        "/api/v1/search?q={}&per_page=20",
        search.replace(' ', "+")
    ))
    .await;
    let hits = body["results"]
        .as_array()
        .or_else(|| body["items"].as_array())
        .unwrap_or_else(|| panic!("search results: {body}"))
        .clone();
    for hit in hits {
        let id = hit["id"].as_str().unwrap().to_string();
        if !hit["name"].as_str().unwrap_or("").contains(name_has) {
            continue;
        }
        let service = api(&format!("/hsds/services/{id}")).await;
        let org = service["organization"]["id"]
            .as_str()
            .or_else(|| service["organization_id"].as_str())
            .map(str::to_string);
        let Some(org) = org else { continue };
        if org == not_org {
            continue;
        }
        let page = browser_at("10.9.9.9").get(&format!("/aanbod/{id}")).await;
        if page.body.contains("Professionals kunnen hier") {
            let editor = person("ontvanger", &[("role", "editor"), ("organization", &org)]).await;
            return (id, org, editor);
        }
    }
    panic!("no service for {search:?} takes referrals");
}

/// A professional, signed in.
async fn professional(prefix: &str) -> (String, Browser) {
    let email = person(prefix, &[("role", "professional")]).await;
    let browser = signed_in(&email).await;
    (email, browser)
}

fn unique_name() -> String {
    format!("Zyx {}", &Uuid::new_v4().simple().to_string()[..8])
}

/// A phone number no other test uses.
fn unique_phone() -> String {
    let n = Uuid::new_v4().as_u128() % 100_000_000;
    format!("06{n:08}")
}

/// Sends a referral from `browser` to `service`; returns the response.
async fn refer(browser: &mut Browser, service: &str, name: &str, phone: &str) -> Page {
    let form = format!("/aanbod/{service}/verwijzen");
    browser
        .submit(
            &form,
            &form,
            &[
                ("naam", name),
                ("kanaal", "telefoon"),
                ("contact", phone),
                ("momenten", "dinsdagochtend"),
                ("redenen", "eenzaamheid"),
                ("redenen", "bewegen"),
                ("toelichting", "Wil graag meer onder de mensen komen."),
                ("postcode", "3562 AB"),
                ("rol", "huisarts"),
                ("organisatie", "Huisartsenpraktijk Test"),
                ("toestemming", "ja"),
            ],
        )
        .await
}

/// The referral id a "sent" redirect points at.
fn sent_id(page: &Page) -> String {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let location = page.location();
    let id = location
        .strip_prefix("/mijn-verwijzingen/")
        .and_then(|rest| rest.split('?').next())
        .unwrap_or_else(|| panic!("redirect to the referral: {location}"));
    id.to_string()
}

async fn set_status(browser: &mut Browser, id: &str, from: &str, form: &[(&str, &str)]) -> Page {
    let page = format!("/beheer/verwijzingen/{id}");
    let mut all = vec![("van", from), ("kant", "ontvanger")];
    all.extend_from_slice(form);
    browser
        .submit(&page, &format!("/verwijzingen/{id}/status"), &all)
        .await
}

// ------------------------------------------------------------------------ the loop

async fn refer_accept_match_complete_visible_to_the_referrer_at_each_step() {
    let (service, org, editor) = receiver("welzijn op recept").await;
    let (_, mut gp) = professional("huisarts").await;
    let name = unique_name();
    let phone = unique_phone();

    // The form shows what the resident agrees to.
    let form = gp.get(&format!("/aanbod/{service}/verwijzen")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("Toestemming") && form.body.contains("Wie ziet het"));

    let id = sent_id(&refer(&mut gp, &service, &name, &phone).await);
    let page = gp
        .get(&format!("/mijn-verwijzingen/{id}?verstuurd=1"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&name) && page.body.contains("Verstuurd"));
    assert_eq!(
        page.headers.get("cache-control").unwrap(),
        "no-store",
        "pages with personal data are not cached"
    );

    // The organisation hears of it: a link, no person.
    let mail = mail_to(&editor).expect("a mail to the receiving editor");
    assert!(
        mail.contains(&format!("/beheer/verwijzingen/{id}")),
        "{mail}"
    );
    assert!(
        !mail.contains(&name) && !mail.contains(&phone[2..]),
        "{mail}"
    );

    // Its inbox lists it under "Nieuw", without personal data.
    let mut inbox = signed_in(&editor).await;
    let list = inbox
        .get(&format!("/beheer/organisatie/{org}/verwijzingen"))
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains(&format!("/beheer/verwijzingen/{id}")));
    assert!(!list.body.contains(&name), "lists show no names");

    // Accept: the referrer sees it, with a date, and gets a mail with a link.
    let done = set_status(&mut inbox, &id, "requested", &[("naar", "accepted")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let mine = gp.get("/mijn-verwijzingen").await;
    assert!(mine.body.contains("Aangenomen"), "{}", mine.body);
    let today = wijkwijzer::web::format_date(time::OffsetDateTime::now_utc().date());
    assert!(mine.body.contains(&today), "dated: {}", mine.body);

    // Match to an activity found in the directory: accepted → in progress.
    let found = inbox
        .get(&format!("/beheer/verwijzingen/{id}?zoek=wandelen"))
        .await;
    let activity = field_value(&found.body, "activiteit")
        .unwrap_or_else(|| panic!("an activity to choose: {}", found.body));
    let done = set_status(
        &mut inbox,
        &id,
        "accepted",
        &[
            ("activiteit", &activity),
            ("notitie", "Start volgende week."),
        ],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let detail = gp.get(&format!("/mijn-verwijzingen/{id}")).await;
    assert!(detail.body.contains("Bezig"), "{}", detail.body);
    assert!(detail.body.contains("gekoppeld aan"), "{}", detail.body);
    assert!(detail.body.contains(&format!("/aanbod/{activity}")));
    assert!(detail.body.contains("Start volgende week."));

    // Completed.
    let done = set_status(&mut inbox, &id, "in-progress", &[("naar", "completed")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let detail = gp.get(&format!("/mijn-verwijzingen/{id}")).await;
    assert!(detail.body.contains("Afgerond"), "{}", detail.body);
    for status in ["Verstuurd", "Aangenomen", "Bezig", "Afgerond"] {
        assert!(detail.body.contains(status), "timeline has {status}");
    }

    // Nothing follows "completed": refused, and the status stays.
    let refused = set_status(&mut inbox, &id, "completed", &[("naar", "accepted")]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    // A stale page (the status moved on meanwhile) is a conflict, not a silent overwrite.
    let stale = set_status(&mut inbox, &id, "requested", &[("naar", "accepted")]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    let detail = gp.get(&format!("/mijn-verwijzingen/{id}")).await;
    assert!(detail.body.contains("Afgerond"));
}

async fn a_rejection_needs_a_reason_and_the_referrer_sees_it() {
    let (service, _, editor) = receiver("maatje").await;
    let (_, mut gp) = professional("poh").await;
    let id = sent_id(&refer(&mut gp, &service, &unique_name(), &unique_phone()).await);
    let mut inbox = signed_in(&editor).await;

    let without = set_status(&mut inbox, &id, "requested", &[("naar", "rejected")]).await;
    assert_eq!(without.status, StatusCode::BAD_REQUEST, "{}", without.body);
    assert!(without.body.contains("reden"), "{}", without.body);

    let wrong = set_status(
        &mut inbox,
        &id,
        "requested",
        &[("naar", "rejected"), ("reden", "waiting-list")],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{}", wrong.body);

    let done = set_status(
        &mut inbox,
        &id,
        "requested",
        &[("naar", "rejected"), ("reden", "no-capacity")],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let mine = gp.get("/mijn-verwijzingen").await;
    assert!(mine.body.contains("Afgewezen") && mine.body.contains("Geen plek"));

    // The next form remembers the referrer's role and practice (two fields fewer).
    let next = gp.get(&format!("/aanbod/{service}/verwijzen")).await;
    assert!(
        next.body.contains("value=\"Huisartsenpraktijk Test\""),
        "{}",
        next.body
    );
    assert!(
        next.body
            .contains("id=\"rol-huisarts\" value=\"huisarts\" checked")
    );
}

async fn nothing_is_stored_without_consent_and_a_duplicate_is_flagged() {
    let (service, _, _) = receiver("welzijnscoach").await;
    let (_, mut gp) = professional("dubbel").await;
    let form = format!("/aanbod/{service}/verwijzen");
    let base = [
        ("naam", "J. de Vries"),
        ("kanaal", "telefoon"),
        ("redenen", "geld"),
        ("rol", "poh"),
        ("organisatie", "Praktijk"),
    ];
    let phone = unique_phone();

    // No consent: the form again, nothing sent.
    let mut fields = base.to_vec();
    fields.push(("contact", &phone));
    let page = gp.submit(&form, &form, &fields).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert!(page.body.contains("Zonder toestemming"));
    assert!(page.body.contains("J. de Vries"), "what was typed is kept");
    let mine = gp.get("/mijn-verwijzingen").await;
    assert!(mine.body.contains("nog niemand verwezen"), "{}", mine.body);

    // With consent: sent.
    fields.push(("toestemming", "ja"));
    sent_id(&gp.submit(&form, &form, &fields).await);

    // The same resident again, written differently: flagged before sending.
    let other_way = format!("+31 {}", &phone[1..]);
    let mut again = vec![
        ("naam", "J.d.V."),
        ("kanaal", "telefoon"),
        ("contact", other_way.as_str()),
        ("redenen", "geld"),
        ("rol", "poh"),
        ("organisatie", "Praktijk"),
        ("toestemming", "ja"),
    ];
    let flagged = gp.submit(&form, &form, &again).await;
    assert_eq!(flagged.status, StatusCode::CONFLICT, "{}", flagged.body);
    assert!(flagged.body.contains("Mogelijk dubbel"));
    // Sent anyway, on purpose.
    again.push(("toch_versturen", "ja"));
    sent_id(&gp.submit(&form, &form, &again).await);
}

async fn the_form_checks_its_fields_and_escapes_what_was_typed() {
    let (service, _, _) = receiver("welzijn op recept").await;
    let (_, mut gp) = professional("velden").await;
    let form = format!("/aanbod/{service}/verwijzen");
    let page = gp
        .submit(
            &form,
            &form,
            &[
                ("naam", XSS),
                ("kanaal", "email"),
                ("contact", "06 12345678"),
                ("rol", "huisarts"),
                ("organisatie", "Praktijk"),
                ("toestemming", "ja"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert!(page.body.contains("Voor e-mail is een e-mailadres nodig"));
    assert!(page.body.contains("Kies ten minste één reden"));
    assert!(!page.body.contains(XSS), "escaped");
    assert!(page.body.contains("&#60;script&#62;") || page.body.contains("&lt;script&gt;"));

    // Sent with the script as a name: escaped on every page that shows it.
    let phone = unique_phone();
    let id = sent_id(&refer(&mut gp, &service, XSS, &phone).await);
    for path in [
        format!("/mijn-verwijzingen/{id}"),
        format!("/verwijzingen/{id}/recept"),
    ] {
        let page = gp.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(!page.body.contains(XSS), "{path} escapes");
    }

    // Without the form token: refused.
    let refused = gp
        .post(&form, &[("naam", "A"), ("toestemming", "ja")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

// --------------------------------------------------------------- who may read it

async fn nobody_else_reads_a_referral_by_url_or_guessing() {
    let (service, org, editor) = receiver("welzijnscoach").await;
    let (_, mut gp) = professional("eigenaar").await;
    let name = unique_name();
    let phone = unique_phone();
    let id = sent_id(&refer(&mut gp, &service, &name, &phone).await);

    let (other_org_service, _, other_editor) = receiver_not_of("maatje", &org).await;
    assert_ne!(other_org_service, service);
    let other_pro = person("andere-pro", &[("role", "professional")]).await;
    let moderator = person("moderator", &[("role", "moderator")]).await;
    let (admin, _) = admin().await;
    let paths = [
        format!("/mijn-verwijzingen/{id}"),
        format!("/beheer/verwijzingen/{id}"),
        format!("/verwijzingen/{id}/recept"),
    ];
    for who in [&other_editor, &other_pro, &moderator, &admin] {
        let mut browser = signed_in(who).await;
        for path in &paths {
            let page = browser.get(path).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{who} {path}");
            assert!(!page.body.contains(&name), "{who} {path}");
        }
        // Nor can they move it.
        let moved = browser
            .submit(
                "/account",
                &format!("/verwijzingen/{id}/status"),
                &[
                    ("van", "requested"),
                    ("naar", "cancelled"),
                    ("reden", "duplicate"),
                ],
            )
            .await;
        assert!(
            moved.status == StatusCode::NOT_FOUND || moved.status == StatusCode::FORBIDDEN,
            "{who}: {}",
            moved.status
        );
        // The receiving organisation's inbox is not theirs.
        let inbox = browser
            .get(&format!("/beheer/organisatie/{org}/verwijzingen"))
            .await;
        assert_eq!(inbox.status, StatusCode::FORBIDDEN, "{who} inbox");
    }
    // A visitor is asked to sign in.
    let mut visitor = browser_at("10.8.8.8");
    for path in &paths {
        let page = visitor.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert!(page.location().starts_with("/inloggen"));
    }
    // Guessed ids: the same answer as for one that is not yours.
    let mut owner = gp;
    for guess in [Uuid::new_v4().to_string(), "1".into(), "../etc".into()] {
        let page = owner.get(&format!("/mijn-verwijzingen/{guess}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{guess}");
    }
    // The referrer and the receiving organisation do see it.
    assert!(
        owner
            .get(&format!("/mijn-verwijzingen/{id}"))
            .await
            .body
            .contains(&name)
    );
    let mut receiving = signed_in(&editor).await;
    assert!(
        receiving
            .get(&format!("/beheer/verwijzingen/{id}"))
            .await
            .body
            .contains(&name)
    );
    // Personal data is in no public output.
    let hsds = api(&format!("/hsds/services/{service}")).await.to_string();
    assert!(!hsds.contains(&name) && !hsds.contains(&phone));
    // Every read so far is in the organisation's log (who, role, why).
    let log = receiving
        .get(&format!("/beheer/organisatie/{org}/verwijzingen/logboek"))
        .await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    assert!(
        log.body.contains("verwijzing behandelen") && log.body.contains("terugkoppeling bekijken")
    );
    assert!(log.body.contains(&editor), "the reader by e-mail address");
    assert!(!log.body.contains(&name));
    // Another organisation's editor cannot read this log.
    let other_log = signed_in(&other_editor)
        .await
        .get(&format!("/beheer/organisatie/{org}/verwijzingen/logboek"))
        .await;
    assert_eq!(other_log.status, StatusCode::FORBIDDEN);
}

// ------------------------------------------------------------------ the resident

async fn a_resident_refers_themselves_and_follows_it_with_code_and_contact() {
    let (service, org, editor) = receiver("maatje").await;
    let (_, address) = unique("inwoner");
    let mut resident = browser_at(&address);
    let page = resident.get(&format!("/aanbod/{service}")).await;
    assert!(
        page.body.contains(&format!("/aanbod/{service}/aanmelden")),
        "{}",
        page.body
    );
    let phone = unique_phone();
    let name = unique_name();
    let form = format!("/aanbod/{service}/aanmelden");
    let sent = resident
        .submit(
            &form,
            &form,
            &[
                ("naam", &name),
                ("kanaal", "sms"),
                ("contact", &phone),
                ("redenen", "eenzaamheid"),
                ("toestemming", "ja"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let code = sent
        .body
        .split("class=\"referral-code\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the code on the page")
        .to_string();
    assert_eq!(code.len(), 11, "{code}");

    // The organisation sees it as a self-referral.
    let mut inbox = signed_in(&editor).await;
    let list = inbox
        .get(&format!("/beheer/organisatie/{org}/verwijzingen"))
        .await;
    assert!(list.body.contains(&code) && list.body.contains("Inwoner zelf"));

    // Code + wrong contact, wrong code + right contact: not found, nothing shown.
    let mut someone = browser_at(&unique("raden").1);
    for (c, contact) in [
        (code.as_str(), "0600000000"),
        ("AAA-BBB-CCC", phone.as_str()),
    ] {
        let page = someone
            .submit(
                "/mijn-verwijzing",
                "/mijn-verwijzing",
                &[("code", c), ("contact", contact)],
            )
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{c} {contact}");
        assert!(!page.body.contains(&name) && !page.body.contains("Verstuurd"));
    }
    // Code (typed loosely) + the contact in another form: the status, no account needed.
    let loose = code.replace('-', " ").to_lowercase();
    let plus31 = format!("+31{}", &phone[1..]);
    let page = resident
        .submit(
            "/mijn-verwijzing",
            "/mijn-verwijzing",
            &[("code", &loose), ("contact", &plus31)],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Verstuurd") && page.body.contains(&code));
    assert!(!page.body.contains(&name), "the status page needs no name");

    // The resident withdraws consent: erased at once, the referral stops.
    let gone = resident
        .submit(
            "/mijn-verwijzing",
            "/mijn-verwijzing/intrekken",
            &[("code", &code), ("contact", &phone)],
        )
        .await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
    assert!(gone.body.contains("ingetrokken"));
    let id = list
        .body
        .split("/beheer/verwijzingen/")
        .find_map(|rest| {
            let id = rest.split('"').next()?;
            Uuid::parse_str(id).ok()?;
            rest.contains(&code).then(|| id.to_string())
        })
        .expect("the referral's id in the inbox");
    let detail = inbox.get(&format!("/beheer/verwijzingen/{id}")).await;
    assert!(detail.body.contains("zijn gewist"), "{}", detail.body);
    assert!(detail.body.contains("Toestemming ingetrokken"));
    assert!(!detail.body.contains(&name) && !detail.body.contains(&phone));
}

// ------------------------------------------------------- Welzijn op Recept intake

async fn the_intake_is_chosen_by_postcode() {
    let moderator = person("intake-mod", &[("role", "moderator")]).await;
    let (overvecht, _, overvecht_editor) =
        find_receiver("welzijn op recept overvecht", "Overvecht", "").await;
    let (west, _, _) = find_receiver("intake welzijn op recept lombok", "Lombok", "").await;
    assert_ne!(overvecht, west);
    let mut mod_browser = signed_in(&moderator).await;
    for (area, service) in [("WK034403", &overvecht), ("WK034401", &west)] {
        let done = mod_browser
            .submit(
                "/beheer/intake",
                "/beheer/intake",
                &[("gebied", area), ("aanbod", service)],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    }
    let list = mod_browser.get("/beheer/intake").await;
    assert!(list.body.contains("WK034403") && list.body.contains("WK034401"));
    // A buurt is no intake area; an editor may not set one.
    let bad = mod_browser
        .submit(
            "/beheer/intake",
            "/beheer/intake",
            &[("gebied", "BU03440000"), ("aanbod", &overvecht)],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let refused = signed_in(&overvecht_editor)
        .await
        .get("/beheer/intake")
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let (_, mut gp) = professional("intake-gp").await;
    // Overvecht (3562) → the Overvecht intake; Lombok (3531) → West's.
    for (postcode, service) in [("3562", &overvecht), ("3531 AB", &west)] {
        let page = gp
            .submit("/verwijzen", "/verwijzen", &[("postcode", postcode)])
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body
                .contains(&format!("action=\"/aanbod/{service}/verwijzen\"")),
            "{postcode}: {}",
            page.body
        );
        assert!(page.body.contains("name=\"intake\""));
    }
    // Far away (Amsterdam): no intake there, the nearest one suggested.
    let far = gp
        .submit("/verwijzen", "/verwijzen", &[("postcode", "1012")])
        .await;
    assert_eq!(far.status, StatusCode::OK, "{}", far.body);
    assert!(far.body.contains("nog geen intakepunt"), "{}", far.body);
    assert!(far.body.contains("dichtstbijzijnde"), "{}", far.body);
    // A postcode that does not exist: a message by the field.
    let wrong = gp
        .submit("/verwijzen", "/verwijzen", &[("postcode", "0000")])
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);

    // Referring through the intake lands at the Overvecht intake's inbox.
    let page = gp
        .submit("/verwijzen", "/verwijzen", &[("postcode", "3562")])
        .await;
    let csrf = page.csrf();
    let name = unique_name();
    let phone = unique_phone();
    let sent = gp
        .post(
            &format!("/aanbod/{overvecht}/verwijzen"),
            &[
                ("csrf", &csrf),
                ("intake", "ja"),
                ("naam", &name),
                ("kanaal", "telefoon"),
                ("contact", &phone),
                ("redenen", "welzijn-op-recept"),
                ("postcode", "3562"),
                ("rol", "huisarts"),
                ("organisatie", "Praktijk Overvecht"),
                ("toestemming", "ja"),
            ],
        )
        .await;
    let id = sent_id(&sent);
    let mail = mail_to(&overvecht_editor).expect("mail to the intake");
    assert!(mail.contains(&id));
}

// ------------------------------------------------------- response figures on the page

async fn the_service_page_shows_response_figures_from_five_answers() {
    // An offer no other test in this file refers to: the figures count every referral.
    let (service, _, editor) = receiver("schuldhulp").await;
    let (_, mut gp) = professional("cijfers").await;
    let mut inbox = signed_in(&editor).await;
    let page = format!("/aanbod/{service}");
    for n in 0..5 {
        let id = sent_id(&refer(&mut gp, &service, &unique_name(), &unique_phone()).await);
        let answer: &[(&str, &str)] = if n == 0 {
            &[("naar", "rejected"), ("reden", "no-capacity")]
        } else {
            &[("naar", "accepted")]
        };
        let done = set_status(&mut inbox, &id, "requested", answer).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let shown = browser_at("10.6.6.6").get(&page).await.body;
        if n < 4 {
            // Fewer than five answers say too much about too few people: nothing shown.
            assert!(
                !shown.contains("Reageert meestal"),
                "after {} answers",
                n + 1
            );
        } else {
            // Answered the same day (counted as one day); four of five accepted.
            assert!(
                shown.contains("Reageert meestal binnen 1 dag · 80% geaccepteerd"),
                "{shown}"
            );
        }
    }
}

// ------------------------------------------------------------------ bad input

async fn bad_ids_and_unknown_services_are_friendly_pages() {
    let (_, mut gp) = professional("kapot").await;
    for path in [
        "/aanbod/niet-een-id/verwijzen".to_string(),
        format!("/aanbod/{}/verwijzen", Uuid::new_v4()),
        "/verwijzingen/xyz/recept".to_string(),
        format!("/beheer/organisatie/{}/verwijzingen", Uuid::new_v4()),
    ] {
        let page = gp.get(&path).await;
        assert!(
            page.status == StatusCode::NOT_FOUND || page.status == StatusCode::FORBIDDEN,
            "{path}: {}",
            page.status
        );
        assert!(page.body.contains("<html"), "{path}: an HTML page");
    }
    // A visitor cannot use the professionals' form.
    let page = browser_at("10.7.7.7")
        .get(&format!("/aanbod/{}/verwijzen", Uuid::new_v4()))
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
}

common::tests_on_both_servers!(
    refer_accept_match_complete_visible_to_the_referrer_at_each_step,
    a_rejection_needs_a_reason_and_the_referrer_sees_it,
    nothing_is_stored_without_consent_and_a_duplicate_is_flagged,
    the_form_checks_its_fields_and_escapes_what_was_typed,
    nobody_else_reads_a_referral_by_url_or_guessing,
    a_resident_refers_themselves_and_follows_it_with_code_and_contact,
    the_intake_is_chosen_by_postcode,
    the_service_page_shows_response_figures_from_five_answers,
    bad_ids_and_unknown_services_are_friendly_pages,
);
