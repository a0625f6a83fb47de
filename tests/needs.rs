//! "Wat heeft elke wijk nodig" (issue 14, part 5) on SQLite and PostgreSQL: referrals made
//! through the real use case show up in the report per wijk and category with small-count
//! suppression (including the complementary cells) on the page and in the CSV; the gap view
//! finds a planted gap; the map has one path per wijk and a legend; no resident's name, contact
//! or note appears anywhere; only moderators and administrators get in.

mod common;

use std::sync::Arc;

use reqwest::StatusCode;
use uuid::Uuid;

use common::people::*;
use wijkwijzer::auth::{Actor, Role, UserActor};
use wijkwijzer::domain::Vocabulary;
use wijkwijzer::domain::freshness::{Freshness, today};
use wijkwijzer::domain::suppression::Shown;
use wijkwijzer::geo::Geography;
use wijkwijzer::needs::{Needs, NeedsQuery, NeedsReport};
use wijkwijzer::referrals::{ReferralInput, Referrals, TransitionInput};
use wijkwijzer::store::Store;

const PAGE: &str = "/beheer/wijkcijfers";

/// The use cases on the test server's own database (a second connection to it).
struct Here {
    store: Store,
    geo: Arc<Geography>,
    referrals: Referrals,
    needs: Needs,
}

async fn here() -> Here {
    let info = info();
    let store = Store::connect(info.database_url.as_deref(), &info.data_dir)
        .await
        .expect("the server's database");
    let config = configure(&info.data_dir, info.database_url.clone());
    let geo = Arc::new(Geography::load_embedded().unwrap());
    let vocabulary = Arc::new(Vocabulary::embedded().unwrap());
    let mailer = Arc::new(
        wijkwijzer::mail::Mailer::new(None, "Wijkwijzer <w@example.org>", &info.data_dir).unwrap(),
    );
    let referrals = Referrals::new(
        store.clone(),
        geo.clone(),
        vocabulary.clone(),
        mailer,
        base(),
        Arc::new(config.master_key(store.backend()).unwrap()),
        config.referral_settings(),
    );
    let needs = Needs::new(
        store.clone(),
        geo.clone(),
        vocabulary,
        Freshness::new(config.stale_after_days),
        config.region.gemeenten.clone(),
    );
    Here {
        store,
        geo,
        referrals,
        needs,
    }
}

fn actor(id: Uuid, roles: Vec<Role>) -> Actor {
    Actor::User(UserActor {
        id,
        email: "test@example.org".into(),
        name: "Test".into(),
        roles,
    })
}

/// One PC4 per wijk whose centre lies in it, over 3000–4299 (the province of Utrecht).
fn postcodes(geo: &Geography) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    for pc in 3000..4300 {
        let pc = pc.to_string();
        if let Ok(m) = geo.postcode(&pc)
            && let Some(wijk) = m.placement.wijk
        {
            out.entry(wijk).or_insert(pc);
        }
    }
    out
}

/// A demo service that takes referrals, its organisation and a new editor of it.
async fn receiver() -> (Uuid, Uuid, String) {
    let body = api("/api/v1/search?q=welzijn+op+recept&per_page=20").await;
    let hits = body["results"]
        .as_array()
        .or_else(|| body["items"].as_array())
        .unwrap_or_else(|| panic!("search results: {body}"))
        .clone();
    for hit in hits {
        let id = hit["id"].as_str().unwrap().to_string();
        let service = api(&format!("/hsds/services/{id}")).await;
        let Some(org) = service["organization"]["id"]
            .as_str()
            .or_else(|| service["organization_id"].as_str())
            .map(str::to_string)
        else {
            continue;
        };
        let page = browser_at("10.9.9.9").get(&format!("/aanbod/{id}")).await;
        if page.body.contains("Professionals kunnen hier") {
            let editor = person("ontvanger", &[("role", "editor"), ("organization", &org)]).await;
            return (id.parse().unwrap(), org.parse().unwrap(), editor);
        }
    }
    panic!("no demo service takes referrals");
}

/// The report of a gemeente, as an administrator sees it.
async fn report(here: &Here, gemeente: &str) -> NeedsReport {
    here.needs
        .report(
            &actor(Uuid::new_v4(), vec![Role::Administrator]),
            &NeedsQuery {
                gemeente: gemeente.into(),
                ..Default::default()
            },
            today(),
        )
        .await
        .unwrap()
}

/// The personal data of one planted referral, to look for afterwards.
struct Planted {
    name: String,
    contact: String,
    note: String,
}

fn input(postcode: &str, reasons: &[&str], planted: &mut Vec<Planted>) -> ReferralInput {
    let tag = Uuid::new_v4().simple().to_string();
    let p = Planted {
        name: format!("Qxw {}", &tag[..8]),
        contact: format!("06{:08}", Uuid::new_v4().as_u128() % 100_000_000),
        note: format!("Notitie {}", &tag[8..16]),
    };
    let input = ReferralInput {
        naam: p.name.clone(),
        contact: p.contact.clone(),
        kanaal: "telefoon".into(),
        momenten: "dinsdagochtend".into(),
        redenen: reasons.iter().map(|r| r.to_string()).collect(),
        toelichting: p.note.clone(),
        postcode: postcode.into(),
        toestemming: Some("ja".into()),
        rol: "huisarts".into(),
        organisatie: "Huisartsenpraktijk Test".into(),
        ..ReferralInput::default()
    };
    planted.push(p);
    input
}

fn csv_rows(body: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn cell<'a>(rows: &'a [Vec<String>], row: &str, column: &str) -> &'a str {
    let c = rows[0]
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("column {column} in {:?}", rows[0]));
    let r = rows
        .iter()
        .find(|r| r[0] == row)
        .unwrap_or_else(|| panic!("row {row} in {rows:?}"));
    &r[c]
}

async fn figures_suppression_gap_map_and_csv() {
    let here = here().await;
    let postcodes = postcodes(&here.geo);

    // A gemeente of the region with three wijken that have a postcode, one of them (G) with a
    // category nothing in or for it offers: the gap to plant.
    let mut found = None;
    for gemeente in here.needs.gemeenten() {
        let before = report(&here, &gemeente.code).await;
        let with_postcode: Vec<(usize, String)> = before
            .wijken
            .iter()
            .enumerate()
            .filter_map(|(i, w)| postcodes.get(&w.code).map(|p| (i, p.clone())))
            .collect();
        if with_postcode.len() < 3 {
            continue;
        }
        let gap = with_postcode.iter().find_map(|(i, pc)| {
            before.offerings[*i]
                .iter()
                .position(|&n| n == 0)
                .map(|c| (*i, pc.clone(), c))
        });
        if let Some(gap) = gap {
            found = Some((gemeente.code, before, with_postcode, gap));
            break;
        }
    }
    let (gm, before, with_postcode, (g, pc_g, cg)) =
        found.expect("a wijk and category without offerings in the demo data");
    let others: Vec<&(usize, String)> = with_postcode.iter().filter(|(i, _)| *i != g).collect();
    let (_, pc_h) = others[0].clone();
    let (s, pc_s) = others[1].clone();
    let c2 = (0..before.categories.len()).find(|&c| c != cg).unwrap();
    let code = |c: usize| before.categories[c].code.clone();
    let (code_g, code_2) = (code(cg), code(c2));

    let (service, org, editor) = receiver().await;
    let professional = person("huisarts", &[("role", "professional")]).await;
    let user = here
        .store
        .user_by_email(&professional)
        .await
        .unwrap()
        .unwrap();
    let gp = actor(user.id, vec![Role::Professional]);
    let editor_id = here.store.user_by_email(&editor).await.unwrap().unwrap().id;
    let receiving = actor(
        editor_id,
        vec![Role::OrganisationEditor { organization: org }],
    );

    // Planted: G = 6 × cg (5 of them also c2); H = 6 × c2 (5 also cg, 2 of them
    // self-referrals); S = 2 × cg. Three of G's are accepted.
    let mut planted = Vec::new();
    let mut in_g = Vec::new();
    for i in 0..6 {
        let reasons: Vec<&str> = if i < 5 {
            vec![&code_g, &code_2]
        } else {
            vec![&code_g]
        };
        let sent = here
            .referrals
            .refer(&gp, service, &input(&pc_g, &reasons, &mut planted), false)
            .await
            .unwrap();
        in_g.push(sent.id);
    }
    for i in 0..6 {
        let reasons: Vec<&str> = if i < 5 {
            vec![&code_g, &code_2]
        } else {
            vec![&code_2]
        };
        let input = input(&pc_h, &reasons, &mut planted);
        if i < 2 {
            here.referrals.refer_self(service, &input).await.unwrap();
        } else {
            here.referrals
                .refer(&gp, service, &input, false)
                .await
                .unwrap();
        }
    }
    for _ in 0..2 {
        here.referrals
            .refer(&gp, service, &input(&pc_s, &[&code_g], &mut planted), false)
            .await
            .unwrap();
    }
    for id in &in_g[..3] {
        here.referrals
            .transition(
                &receiving,
                *id,
                &TransitionInput {
                    van: "requested".into(),
                    naar: "accepted".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }

    // The figures equal what was made, suppressed.
    let after = report(&here, &gm).await;
    assert_eq!(
        after.reasons.cells[g][cg],
        Shown::Count(6),
        "{:?}",
        after.reasons
    );
    assert_eq!(after.reasons.cells[s][cg], Shown::Small);
    assert_eq!(after.accepted[g], "50%", "3 of 6 accepted");
    assert_eq!(after.completed[g], "0%");
    assert_eq!(
        after.response[g], "te weinig",
        "3 answers are too few for a median"
    );
    assert_eq!(after.accepted[s], "te weinig");
    // The small cell's partners: its column (cg) hides a count of 5 or more, so 2 cannot be
    // worked out from the column total.
    let column_hides_a_big_one = (0..after.wijken.len())
        .map(|w| after.reasons.cells[w][cg])
        .chain([after.reasons.column_totals[cg]])
        .any(|shown| shown == Shown::Complementary);
    assert!(column_hides_a_big_one, "{:?}", after.reasons);
    // Routes: H had 2 self-referrals, G none.
    assert_eq!(
        after.routes.row_totals[s],
        Shown::Small,
        "2 referrals in S are hidden"
    );
    // The planted gap.
    let gap = after
        .gaps
        .iter()
        .find(|gap| (gap.wijk, gap.category) == (g, cg))
        .unwrap_or_else(|| panic!("the planted gap in {:?}", after.gaps));
    assert_eq!((gap.referrals, gap.offerings), (6, 0));
    assert!(after.gaps.iter().all(|gap| gap.wijk != s), "S is too small");

    // The page, as an administrator.
    let (admin_email, _) = admin().await;
    let mut browser = signed_in(&admin_email).await;
    let page = browser.get(&format!("{PAGE}?gemeente={gm}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let (wijk_g, wijk_s) = (&after.wijken[g].name, &after.wijken[s].name);
    assert!(page.body.contains(wijk_g.as_str()));
    assert!(page.body.contains("&#60;5") || page.body.contains("&lt;5"));
    assert!(page.body.contains("<caption"), "tables have captions");
    assert!(page.body.contains("scope=\"row\"") && page.body.contains("scope=\"col\""));
    // The map: one path per wijk, shaded, with a legend and a text alternative.
    let map_start = page
        .body
        .find("aria-labelledby=\"kaart-titel")
        .expect("the map");
    let map_end = map_start + page.body[map_start..].find("</svg>").unwrap();
    let map = &page.body[map_start..map_end];
    assert_eq!(
        map.matches("class=\"wijkwijzer-kind\"").count(),
        after.wijken.len(),
        "one path per wijk"
    );
    assert!(map.contains("<title") && map.contains("<desc"));
    assert!(map.contains("url(#verborgen)"), "hidden wijken are hatched");
    assert!(page.body.contains("50 of meer") && page.body.contains("verborgen"));
    // A hidden wijk never carries its count in the map.
    let s_code = &after.wijken[s].code;
    let s_path = &map[map.find(&format!("data-code=\"{s_code}\"")).unwrap()..];
    let s_path = &s_path[..s_path.find("</path>").unwrap()];
    assert!(s_path.contains("verborgen") && !s_path.contains("2 verwijzingen"));

    // The CSV of the reasons: the same suppression.
    let csv = browser
        .get(&format!(
            "/beheer/wijkcijfers.csv?tabel=redenen&gemeente={gm}"
        ))
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert!(
        csv.headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let rows = csv_rows(&csv.body);
    let (name_g, name_2) = (&after.categories[cg].name, &after.categories[c2].name);
    assert_eq!(cell(&rows, wijk_g, name_g), "6");
    assert_eq!(cell(&rows, wijk_s, name_g), "<5");
    let column = rows[0].iter().position(|h| h == name_g).unwrap();
    assert!(
        rows.iter().any(|r| r[column] == "•"),
        "the complementary cell is hidden in the CSV too: {rows:?}"
    );
    let _ = name_2;
    let gaps = browser
        .get(&format!(
            "/beheer/wijkcijfers.csv?tabel=witte-vlekken&gemeente={gm}"
        ))
        .await;
    let rows = csv_rows(&gaps.body);
    assert!(
        rows.iter()
            .any(|r| r[0] == *wijk_g && r[1] == *name_g && r[2] == "6" && r[3] == "0"),
        "{rows:?}"
    );

    // Nobody's personal data, anywhere.
    let mut everything = page.body.clone();
    for table in ["wijken", "witte-vlekken", "redenen", "routes", "aanbod"] {
        let csv = browser
            .get(&format!(
                "/beheer/wijkcijfers.csv?tabel={table}&gemeente={gm}"
            ))
            .await;
        assert_eq!(csv.status, StatusCode::OK, "{table}");
        everything.push_str(&csv.body);
    }
    for p in &planted {
        for secret in [&p.name, &p.contact, &p.note] {
            assert!(!everything.contains(secret.as_str()), "{secret} shown");
        }
    }

    // Bad parameters: clear messages.
    let bad = browser.get(&format!("{PAGE}?van=31-12-2026")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("jaar-maand-dag"), "{}", bad.body);
    let reversed = browser
        .get(&format!("{PAGE}?van=2026-02-01&tot=2026-01-01"))
        .await;
    assert_eq!(reversed.status, StatusCode::BAD_REQUEST);
    assert!(reversed.body.contains("einddatum"));
    let table = browser.get("/beheer/wijkcijfers.csv?tabel=niets").await;
    assert_eq!(table.status, StatusCode::BAD_REQUEST);
    // A period before today holds none of them.
    let old = here
        .needs
        .report(
            &actor(Uuid::new_v4(), vec![Role::Administrator]),
            &NeedsQuery {
                gemeente: gm.clone(),
                van: "2020-01-01".into(),
                tot: "2020-12-31".into(),
            },
            today(),
        )
        .await
        .unwrap();
    assert_eq!(old.reasons.cells[g][cg], Shown::Small, "0 in 2020");
}

async fn only_moderators_and_administrators_get_in() {
    // A visitor is sent to sign in, and comes back here.
    let mut visitor = browser_at("10.8.8.8");
    for path in [PAGE, "/beheer/wijkcijfers.csv?tabel=redenen"] {
        let page = visitor.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert!(page.location().starts_with("/inloggen?terug="), "{path}");
    }
    let (org, _) = organisations().await;
    let editor = person("cijfers-red", &[("role", "editor"), ("organization", &org)]).await;
    let professional = person("cijfers-prof", &[("role", "professional")]).await;
    for email in [editor, professional] {
        let mut browser = signed_in(&email).await;
        for path in [PAGE, "/beheer/wijkcijfers.csv?tabel=redenen"] {
            let page = browser.get(path).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{email} {path}");
        }
    }
    let moderator = person("cijfers-mod", &[("role", "moderator")]).await;
    let mut browser = signed_in(&moderator).await;
    let page = browser.get(PAGE).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Witte vlekken"));
    // Linked from the account page.
    let account = browser.get("/account").await;
    assert!(account.body.contains("href=\"/beheer/wijkcijfers\""));
}

common::tests_on_both_servers!(
    figures_suppression_gap_map_and_csv,
    only_moderators_and_administrators_get_in,
);
