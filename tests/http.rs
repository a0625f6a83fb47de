//! End-to-end over real HTTP: the app with its demo data on a random port.

mod common;

use serde_json::Value;

use common::http;

tokio::task_local! {
    /// The base URL and database backend of the app the current test talks to.
    static APP: (String, &'static str);
}

async fn get(path: &str) -> reqwest::Response {
    let base = APP.with(|(base, _)| base.clone());
    http()
        .get(format!("{base}{path}"))
        .send()
        .await
        .expect("request")
}

async fn api(query: &str) -> Value {
    let response = get(&format!("/api/v1/search?{query}")).await;
    assert_eq!(response.status(), 200, "{query}");
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "*",
        "public read access"
    );
    response.json().await.expect("json")
}

fn names(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

/// True when the result has a location in `code` or a service area overlapping it.
fn lies_in_or_serves(result: &Value, code: &str, wijken_of_overvecht: &[&str]) -> bool {
    let located = result["locations"].as_array().unwrap().iter().any(|l| {
        let n = &l["neighbourhoods"];
        [&n["gemeente"], &n["wijk"], &n["buurt"]]
            .iter()
            .any(|c| c.as_str() == Some(code))
    });
    let serves = result["service_areas"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .any(|a| a == code || a == "GM0344" || wijken_of_overvecht.contains(&a));
    located || serves
}

async fn eenzaam_in_overvecht_nearest_first_from_3562() {
    let body = api("q=eenzaam&area=WK034403&postcode=3562&sort=distance&per_page=100").await;
    let total = body["total"].as_u64().unwrap();
    assert!(
        total >= 8,
        "demo data has at least 8 such services, got {total}"
    );
    let results = body["results"].as_array().unwrap();
    assert_eq!(results.len() as u64, total);
    for r in results {
        assert!(
            lies_in_or_serves(r, "WK034403", &["BU03440321", "BU03440311"])
                || r["service_areas"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a.as_str().is_some_and(|a| a.starts_with("BU034403"))),
            "{} neither lies in nor serves Overvecht",
            r["name"]
        );
    }
    // Services that work in the resident's own wijk count as on the doorstep, with or without
    // an address there ("werkt in uw wijk"); then the others, nearest first.
    let serving = results
        .iter()
        .take_while(|r| r["serves_your_area"] == true)
        .count();
    assert!(
        serving >= 3,
        "at least three services work in Overvecht itself"
    );
    assert!(
        results[serving..]
            .iter()
            .all(|r| r["serves_your_area"] == false),
        "the services for the wijk come first"
    );
    let first_names: Vec<&str> = results[..serving]
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    for name in [
        "Huisbezoek 75-plus Overvecht",
        "Maatjesproject Overvecht",
        "Telefooncirkel Overvecht",
    ] {
        assert!(first_names.contains(&name), "{name} in {first_names:?}");
    }
    let distances: Vec<f64> = results[serving..]
        .iter()
        .filter_map(|r| r["distance_m"].as_f64())
        .collect();
    assert!(distances.len() >= 3);
    assert!(
        distances.windows(2).all(|w| w[0] <= w[1]),
        "nearest first: {distances:?}"
    );
    assert_eq!(body["understood_categories"][0], "eenzaamheid");
}

/// "eenzaam" from 3562 by best match: a postcode changes the order (relevance blended with
/// distance), so the top of the list is near the resident or works in their wijk, not De Bilt,
/// Nieuwegein, Soest or Veenendaal.
async fn best_match_with_a_postcode_puts_what_is_near_first() {
    let plain = api("q=eenzaam&per_page=10").await;
    let near = api("q=eenzaam&postcode=3562&per_page=10").await;
    let names = |body: &Value| -> Vec<String> {
        body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_ne!(names(&plain), names(&near), "a postcode changes the order");
    for r in near["results"].as_array().unwrap().iter().take(5) {
        let close =
            r["serves_your_area"] == true || r["distance_m"].as_f64().is_some_and(|d| d < 3_000.0);
        assert!(
            close,
            "{} is neither near 3562 nor working there",
            r["name"]
        );
    }
}

/// What residents type, on the demo data: slips, compounds typed apart, a life question with
/// other words, a language; when all words together find nothing, some are left out and the
/// API says which; when nothing matches, a better spelling from the directory's own words.
async fn residents_are_understood_as_they_type() {
    let total = |body: &Value| body["total"].as_u64().unwrap();
    for (typed, at_least) in [
        ("eenzaamhied", 5),
        ("mantelzorgr", 3),
        ("schuldhlup", 1),
        ("schuldhulp verlening", 1),
        ("taal cafe", 1),
        ("buurt huis", 1),
        ("ik voel mij zo alleen de laatste tijd", 5),
        ("ik kan mijn rekeningen niet betalen", 3),
        ("arabisch", 20),
    ] {
        let body = api(&format!("q={}", typed.replace(' ', "+"))).await;
        assert!(
            total(&body) >= at_least,
            "{typed}: {} results, expected at least {at_least}",
            total(&body)
        );
    }
    let body = api("q=eenzaamhied").await;
    assert_eq!(body["understood"]["corrections"][0]["found"], "eenzaamheid");
    let body = api("q=ik+voel+mij+zo+alleen").await;
    assert_eq!(body["understood_categories"][0], "eenzaamheid");
    // Language as a filter, and its facet.
    let arabic = api("language=ar&per_page=100").await;
    assert!(total(&arabic) >= 20);
    assert!(
        arabic["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| { r["languages"].as_array().unwrap().iter().any(|l| l == "ar") })
    );
    let by_name = api("language=Arabisch&per_page=100").await;
    assert_eq!(total(&by_name), total(&arabic));
    // Relaxed: the left-out word is named.
    let relaxed = api("q=wandelen+xyzzyq").await;
    assert!(total(&relaxed) >= 1);
    assert_eq!(relaxed["understood"]["words_left_out"][0], "xyzzyq");
    // Nothing at all: "Bedoelde u …?" from the index's own words.
    // (Words of four letters get no typo tolerance, so "tall" finds nothing.)
    let nothing = api("q=tall").await;
    assert_eq!(total(&nothing), 0);
    assert_eq!(nothing["understood"]["did_you_mean"], "taal", "{nothing}");
}

async fn the_service_area_rule_finds_area_only_services() {
    let body = api("area=WK034403&per_page=100").await;
    let area_only: Vec<&Value> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["locations"].as_array().unwrap().is_empty())
        .collect();
    assert!(
        area_only.len() >= 2,
        "services serving Overvecht without a location"
    );
    // The same services are found in one of Overvecht's buurten, and not in another wijk
    // unless they serve it too.
    let buurt = api("area=BU03440321&per_page=100").await;
    let buurt_ids: Vec<&str> = buurt["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for r in &area_only {
        assert!(
            buurt_ids.contains(&r["id"].as_str().unwrap()),
            "{} serves all of Overvecht",
            r["name"]
        );
    }
    let west = api("area=WK034401&per_page=100").await;
    for r in west["results"].as_array().unwrap() {
        assert!(
            lies_in_or_serves(r, "WK034401", &[]),
            "{} is not in West",
            r["name"]
        );
    }
}

async fn words_are_understood_in_dutch() {
    // Accent folding: "cafe" finds "Taalcafé".
    assert!(
        names(&api("q=taalcafe%20kanaleneiland").await)
            .iter()
            .any(|n| n.contains("Taalcafé Kanaleneiland"))
    );
    // Synonyms: "schulden" finds a service that only says "geldzorgen".
    assert!(
        names(&api("q=schulden&area=WK034403&per_page=100").await)
            .iter()
            .any(|n| n.contains("Geldzorgen"))
    );
    // A typo in a longer word.
    let typo = api("q=kanaleneilandd").await;
    assert!(typo["total"].as_u64().unwrap() > 0);
    // Life question: words that appear in no text still find the theme.
    let alone = api("q=ik%20voel%20me%20alleen&per_page=100").await;
    assert!(alone["total"].as_u64().unwrap() >= 10);
    assert!(alone["results"].as_array().unwrap().iter().all(|r| {
        r["categories"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c.as_str().unwrap().starts_with("eenzaamheid"))
            || r["description"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("alleen")
    }));
}

async fn every_filter_narrows_and_facets_match_the_results() {
    let all = api("per_page=1").await;
    let total = all["total"].as_u64().unwrap();
    assert!(total >= 300);
    // Facet counts add up, and following a facet gives exactly its count.
    let sum: u64 = all["facets"]["access_routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["count"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, total);
    let category = &all["facets"]["categories"][0];
    let code = category["code"].as_str().unwrap();
    let filtered = api(&format!("category={code}&per_page=1")).await;
    assert_eq!(filtered["total"], category["count"]);
    let wijk = &all["facets"]["wijken"][0];
    let filtered = api(&format!(
        "area={}&per_page=1",
        wijk["code"].as_str().unwrap()
    ))
    .await;
    assert_eq!(filtered["total"], wijk["count"]);

    let check = |query: &'static str, pred: fn(&Value) -> bool| async move {
        let body = api(&format!("{query}&per_page=100")).await;
        let n = body["total"].as_u64().unwrap();
        assert!(n > 0 && n < total, "{query} narrows: {n} of {total}");
        for r in body["results"].as_array().unwrap() {
            assert!(pred(r), "{query}: {}", r["name"]);
        }
    };
    check("free=ja", |r| r["cost"] == "free").await;
    check("access=open", |r| r["access_route"] == "open").await;
    check("access=referral", |r| r["access_route"] != "open").await;
    check("wor=true", |r| r["welzijn_op_recept"] == true).await;
    check("target_group=mantelzorgers", |r| {
        r["target_groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "mantelzorgers")
    })
    .await;
    check("category=geld", |r| {
        r["categories"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c.as_str().unwrap().starts_with("geld"))
    })
    .await;
    let monday = api("day=maandag&wor=true&free=true&q=wandelgroep&per_page=100").await;
    assert!(
        monday["total"].as_u64().unwrap() >= 1,
        "a free WoR walking group on Mondays"
    );
    let old = names(&api("q=huisbezoek&age=80&per_page=100").await);
    assert!(
        old.iter().any(|n| n.starts_with("Huisbezoek 75-plus")),
        "a 75+ service for an 80-year-old: {old:?}"
    );
    let young = names(&api("q=huisbezoek&age=30&per_page=100").await);
    assert!(
        !young.iter().any(|n| n.starts_with("Huisbezoek 75-plus")),
        "not for a 30-year-old: {young:?}"
    );
    // Radius: everything within 1 km of 3562.
    let near = api("postcode=3562&radius_km=1&per_page=100").await;
    assert!(near["total"].as_u64().unwrap() > 0);
    for r in near["results"].as_array().unwrap() {
        match r["distance_m"].as_f64() {
            Some(d) => assert!(
                d <= 1000.0 || !r["service_areas"].as_array().unwrap().is_empty(),
                "{}: {d} m",
                r["name"]
            ),
            None => assert!(!r["service_areas"].as_array().unwrap().is_empty()),
        }
    }
}

async fn paging_walks_the_results_once() {
    let first = api("category=ontmoeting&per_page=10&page=1&sort=name").await;
    let total = first["total"].as_u64().unwrap() as usize;
    let pages = first["total_pages"].as_u64().unwrap() as usize;
    assert_eq!(pages, total.div_ceil(10));
    let mut seen = std::collections::HashSet::new();
    for page in 1..=pages {
        let body = api(&format!(
            "category=ontmoeting&per_page=10&page={page}&sort=name"
        ))
        .await;
        for r in body["results"].as_array().unwrap() {
            assert!(
                seen.insert(r["id"].as_str().unwrap().to_string()),
                "no duplicates across pages"
            );
        }
    }
    assert_eq!(seen.len(), total);
    let beyond = api(&format!(
        "category=ontmoeting&per_page=10&page={}",
        pages + 1
    ))
    .await;
    assert_eq!(beyond["results"].as_array().unwrap().len(), 0);
    assert_eq!(beyond["total"].as_u64().unwrap() as usize, total);
}

async fn pages_render_for_people() {
    let home = get("/").await;
    assert_eq!(home.status(), 200);
    let html = home.text().await.unwrap();
    assert!(html.contains("<html lang=\"nl\" class=\"utrecht-theme\">"));
    assert!(
        html.contains("name=\"q\"")
            && html.contains("name=\"postcode\"")
            && html.contains("WK034403")
    );

    let results = get("/zoeken?q=eenzaam&area=WK034403").await;
    assert_eq!(results.status(), 200);
    let html = results.text().await.unwrap();
    assert!(html.contains("resultaten in Overvecht"), "heading");
    assert!(
        html.contains("Eenzaamheid &#38; sociaal netwerk"),
        "recognised theme and facets"
    );
    assert!(
        html.contains("Verwijder filter: Wijk: Overvecht"),
        "removable filter"
    );
    let href_start = html.find("href=\"/aanbod/").expect("a result link") + 6;
    let href = &html[href_start..href_start + html[href_start..].find('"').unwrap()];

    let service = get(href).await;
    assert_eq!(service.status(), 200);
    let html = service.text().await.unwrap();
    for heading in [
        "Wat is het?",
        "Voor wie?",
        "Hoe komt u erbij?",
        "Wanneer?",
        "Waar?",
        "Wat kost het?",
        "Contact",
    ] {
        assert!(html.contains(heading), "service page shows {heading}");
    }
    assert!(html.contains("gecontroleerd"), "last verified");

    let wijk = get("/wijk/WK034403").await;
    assert_eq!(wijk.status(), 200);
    let html = wijk.text().await.unwrap();
    assert!(html.contains("<h1 class=\"utrecht-heading-1\">Overvecht"));
    assert!(html.contains("Buurten") && html.contains("/wijk/BU03440321"));
    assert!(html.contains("Eenzaamheid &#38; sociaal netwerk"));
    assert!(html.contains("<svg"), "an outline map");

    let none = get("/zoeken?q=xylofoonorkestrepetitie").await;
    assert_eq!(none.status(), 200);
    let html = none.text().await.unwrap();
    assert!(html.contains("Niets gevonden") && html.contains("Probeer het breder"));
    assert!(html.contains("Zonder “Zoekwoorden: xylofoonorkestrepetitie”"));

    assert_eq!(get("/wijken").await.status(), 200);
    let css = get("/static/style.css").await;
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    // The NL Design System CSS the pages link to is served from the binary.
    for link in [
        "/static/vendor/utrecht-component-library.css",
        "/static/vendor/utrecht-design-tokens.css",
        "/static/vendor/voorbeeld-design-tokens.css",
    ] {
        let css = get(link).await;
        assert_eq!(css.status(), 200, "{link}");
        assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    }
    assert_eq!(get("/static/vendor/nothing.css").await.status(), 404);
}

async fn what_users_type_is_escaped() {
    let html = get("/zoeken?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>alert(1)</script>"));
    // askama escapes with numeric character references.
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
}

async fn bad_input_gets_a_clear_4xx() {
    // Over the 200 characters a search may have, under the 8 KiB a request target may have
    // (longer gets a 414: tests/resilience.rs).
    let long = "a".repeat(2_000);
    let cases: Vec<(String, &str)> = vec![
        ("area=WK999999".into(), "area"),
        ("area=nonsense".into(), "area"),
        ("postcode=12".into(), "postcode"),
        ("postcode=ABCD".into(), "postcode"),
        (format!("q={long}"), "q"),
        ("page=-1".into(), "page"),
        ("page=0".into(), "page"),
        ("page=99999999999999999999".into(), "page"),
        ("page=100000".into(), "page"),
        ("per_page=0".into(), "per_page"),
        ("per_page=1000".into(), "per_page"),
        ("day=blursday".into(), "day"),
        ("age=-3".into(), "age"),
        ("age=121".into(), "age"),
        ("category=bestaat-niet".into(), "category"),
        ("radius_km=5".into(), "radius_km"),
        ("postcode=3562&radius_km=-2".into(), "radius_km"),
        ("sort=distance".into(), "sort"),
        ("lat=95&lon=5".into(), "lat"),
    ];
    for (query, param) in &cases {
        let response = get(&format!("/api/v1/search?{query}")).await;
        assert_eq!(response.status(), 400, "{param}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], 400);
        assert_eq!(body["parameter"], *param, "{query:.60}");
        assert!(!body["title"].as_str().unwrap().is_empty());
        assert!(!body["detail"].as_str().unwrap().is_empty());
        assert!(
            body["detail"].as_str().unwrap().len() < 300,
            "the detail does not echo huge input"
        );

        // The page answers 400 too, but with the search form as typed and the message in it,
        // never a bare error page.
        let page = get(&format!("/zoeken?{query}")).await;
        assert_eq!(page.status(), 400, "{param}");
        let html = page.text().await.unwrap();
        assert!(
            html.contains("Er klopt iets niet") && html.contains("action=\"/zoeken\""),
            "{param}: the form comes back with the message"
        );
        assert!(!html.contains("Terug naar de startpagina"), "{param}");
    }
    let missing = get("/aanbod/00000000-0000-0000-0000-000000000000").await;
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("Niet gevonden"));
    assert_eq!(get("/aanbod/not-a-uuid").await.status(), 404);
    assert_eq!(get("/wijk/WK999999").await.status(), 400);
    let api_missing = get("/api/v1/nothing").await;
    assert_eq!(api_missing.status(), 404);
    assert_eq!(
        api_missing.headers()["content-type"],
        "application/problem+json"
    );
}

/// The `href`s of the "remove this filter" chips on a results page.
fn chip_links(html: &str) -> Vec<(String, String)> {
    html.split("<a href=\"")
        .skip(1)
        .filter_map(|rest| {
            let (href, after) = rest.split_once('"')?;
            let label = after
                .strip_prefix(" aria-label=\"Verwijder filter: ")?
                .split('"')
                .next()?;
            Some((label.to_string(), href.replace("&#38;", "&")))
        })
        .collect()
}

async fn every_chip_can_be_removed_without_an_error() {
    let many = "/zoeken?q=eenzaam&area=WK034403&postcode=3562&radius_km=5&sort=distance\
        &category=eenzaamheid&target_group=mantelzorgers&free=ja&access=open&wor=false\
        &day=di&day=Donderdag&dagdeel=ochtend&dagdeel=middag&age=70&page=2";
    let response = get(many).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    let chips = chip_links(&html);
    assert!(chips.len() >= 11, "a chip per filter: {chips:?}");
    for (label, href) in &chips {
        let response = get(href).await;
        assert_eq!(response.status(), 200, "removing {label}: {href}");
        let after = response.text().await.unwrap();
        assert!(!after.contains("Er klopt iets niet"), "removing {label}");
        assert!(
            !after.contains(&format!("Verwijder filter: {label}\"")),
            "{label} is gone after removing it"
        );
        assert!(!href.contains("page="), "a changed search starts at page 1");
    }
    let (_, without_postcode) = chips
        .iter()
        .find(|(label, _)| label.starts_with("Vanaf postcode"))
        .expect("a postcode chip");
    assert!(
        !without_postcode.contains("radius_km") && !without_postcode.contains("sort=distance"),
        "the radius and the distance sort go with the postcode: {without_postcode}"
    );
    let (_, without_tuesday) = chips
        .iter()
        .find(|(label, _)| label == "Op dinsdag")
        .expect("a chip per day");
    assert!(
        without_tuesday.contains("day=Donderdag") && !without_tuesday.contains("day=di"),
        "{without_tuesday}"
    );
    // The form keeps the filters it has no field for when the words change.
    for hidden in [
        r#"<input type="hidden" name="category" value="eenzaamheid">"#,
        r#"<input type="hidden" name="target_group" value="mantelzorgers">"#,
        r#"<input type="hidden" name="free" value="ja">"#,
        r#"<input type="hidden" name="age" value="70">"#,
    ] {
        assert!(html.contains(hidden), "{hidden}");
    }
    assert!(
        html.contains(r#"id="dag-2" name="day" value="dinsdag" checked"#),
        "the day boxes are ticked"
    );
    assert!(html.contains(r#"id="dagdeel-ochtend" name="dagdeel" value="ochtend" checked"#));
}

async fn a_mistyped_postcode_keeps_what_was_typed() {
    let response = get("/zoeken?q=ik+voel+me+alleen&postcode=35AB&day=dinsdag&area=WK034403").await;
    assert_eq!(response.status(), 400);
    let html = response.text().await.unwrap();
    assert!(
        html.contains(r#"value="ik voel me alleen""#),
        "the words stay"
    );
    assert!(
        html.contains(r#"value="35AB""#),
        "the postcode stays as typed"
    );
    assert!(
        html.contains(r#"value="WK034403" selected"#),
        "the wijk stays"
    );
    assert!(html.contains(r#"value="dinsdag" checked"#), "the day stays");
    let field = html.find(r#"id="postcode""#).expect("the postcode field");
    let message = html
        .find(r#"id="fout-postcode""#)
        .expect("a message for the postcode");
    assert!(
        message < field && field - message < 600,
        "the message stands right by the field"
    );
    assert!(html.contains(r#"aria-invalid="true" aria-describedby="fout-postcode""#));
    assert!(
        html.contains("href=\"#postcode\""),
        "the summary links to the field"
    );
}

async fn numbered_pages_and_a_page_beyond_the_last() {
    let first = api("category=ontmoeting&per_page=20").await;
    let pages = first["total_pages"].as_u64().unwrap();
    assert!(pages >= 3, "enough results for several pages");
    let html = get("/zoeken?category=ontmoeting&page=2")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"aria-current="page" aria-label="Pagina 2, huidige pagina">2</a>"#));
    assert!(html.contains(">1</a>") && html.contains(&format!(">{pages}</a>")));
    assert!(
        html.contains("resultaat 21–40 van"),
        "the range of this page"
    );
    assert!(html.contains(r#"rel="prev""#) && html.contains(r#"rel="next""#));

    let beyond = get(&format!("/zoeken?category=ontmoeting&page={}", pages + 5)).await;
    assert_eq!(beyond.status(), 200, "a friendly page, not an error");
    let html = beyond.text().await.unwrap();
    assert!(html.contains("Deze pagina is leeg"));
    assert!(html.contains(&format!("Naar de laatste pagina ({pages})")));
    assert!(
        html.contains(&format!("page={pages}\"")),
        "links to the last page"
    );
    assert!(!html.contains(" van {pages}") && !html.contains("Pagina 8 van"));
}

async fn no_results_point_to_the_buurtteam_with_its_phone() {
    let html = get("/zoeken?q=xylofoonorkestrepetitie&area=WK034403")
        .await
        .text()
        .await
        .unwrap();
    let intake = &html[html
        .find("Bel voor persoonlijk advies")
        .expect("an intake box")..];
    assert!(intake.contains("Voor Overvecht helpt"), "{intake:.400}");
    assert!(intake.contains("Buurtteam Overvecht"), "{intake:.600}");
    assert!(
        intake.contains("href=\"tel:"),
        "with a phone number: {intake:.600}"
    );
    // From a postcode alone: the postcode's wijk.
    let html = get("/zoeken?q=xylofoonorkestrepetitie&postcode=3562")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Voor Overvecht helpt"));
}

async fn day_names_in_every_spelling() {
    let mut totals = Vec::new();
    for tuesday in ["dinsdag", "di", "TU", "tuesday", "2", "Dinsdag"] {
        let body = api(&format!("day={tuesday}&per_page=1")).await;
        totals.push(body["total"].as_u64().unwrap());
        let page = get(&format!("/zoeken?day={tuesday}")).await;
        assert_eq!(page.status(), 200, "{tuesday}");
        assert!(
            page.text()
                .await
                .unwrap()
                .contains("Verwijder filter: Op dinsdag"),
            "{tuesday}"
        );
    }
    let all = api("per_page=1").await["total"].as_u64().unwrap();
    assert!(
        totals[0] > 0 && totals[0] < all,
        "tuesday narrows: {totals:?}"
    );
    assert!(totals.iter().all(|t| *t == totals[0]), "{totals:?}");
    let two_days = api("day=di&day=do&per_page=1").await["total"]
        .as_u64()
        .unwrap();
    assert!(two_days >= totals[0], "several days: any of them");
    let morning = api("day=di&dagdeel=ochtend&per_page=100").await;
    let n = morning["total"].as_u64().unwrap();
    assert!(n > 0 && n < totals[0], "a morning narrows tuesday: {n}");
    let evening = api("day=di&dagdeel=avond&per_page=1").await["total"]
        .as_u64()
        .unwrap();
    assert_ne!(n, evening, "morning and evening differ");
}

/// What the search understood is said on the page: typo corrections, left-out words,
/// "Bedoelde u …?", languages and "werkt in uw wijk" on the cards, a phone number per card.
async fn the_page_says_how_the_words_were_understood() {
    let html = get("/zoeken?q=eenzaamhied").await.text().await.unwrap();
    assert!(html.contains("We zochten ook naar: <strong>eenzaamheid</strong>"));
    let html = get("/zoeken?q=wandelen+xyzzyq").await.text().await.unwrap();
    assert!(
        html.contains("We zochten met “wandelen” en lieten “xyzzyq” weg."),
        "the relaxation note"
    );
    let html = get("/zoeken?q=tall&area=WK034403")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Bedoelde u <a class=\"utrecht-link utrecht-link--html-a\" href=\"/zoeken?area=WK034403&#38;q=taal\">taal</a>?"),
        "a link to the corrected search, keeping the filters"
    );
    let html = get("/zoeken?q=arabisch").await.text().await.unwrap();
    assert!(
        html.contains("<dt>Talen</dt><dd>Arabisch"),
        "languages on the cards"
    );
    assert!(
        html.contains("<h3 class=\"utrecht-heading-4\">Taal</h3>"),
        "a language facet"
    );
    let html = get("/zoeken?q=eenzaam&postcode=3562")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Werkt in uw wijk"));
    assert!(html.contains("<dt>Telefoon</dt><dd><a class=\"utrecht-link utrecht-link--html-a utrecht-link--telephone\" href=\"tel:0"));
    let chips = chip_links(
        &get("/zoeken?q=hulp&language=Arabisch&language=ti")
            .await
            .text()
            .await
            .unwrap(),
    );
    let (_, without_arabic) = chips
        .iter()
        .find(|(label, _)| label == "In het Arabisch")
        .expect("a language chip");
    assert!(!without_arabic.contains("Arabisch") && without_arabic.contains("language=ti"));
}

async fn openapi_and_health() {
    let doc: Value = get("/openapi.json").await.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let search = &doc["paths"]["/api/v1/search"]["get"];
    let params: Vec<&str> = search["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in [
        "q",
        "area",
        "postcode",
        "radius_km",
        "category",
        "free",
        "day",
        "age",
        "page",
        "per_page",
    ] {
        assert!(params.contains(&p), "{p} documented");
    }
    assert!(search["responses"]["400"].is_object());

    let health: Value = get("/healthz").await.json().await.unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["database"], APP.with(|(_, backend)| *backend));
    assert!(health["indexed_services"].as_u64().unwrap() >= 300);
    // Reconciliation finds nothing to repair unless a write bypassed the change log.
    assert_eq!(health["indexer"]["repaired"], 0, "{health}");
    assert!(
        health["indexer"]["last_reconciliation"]["elapsed_ms"].is_u64(),
        "{health}"
    );
}

/// Every test above runs against the app on SQLite and, when configured, on PostgreSQL.
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                let base = crate::common::demo_server().base.clone();
                super::APP.scope((base, "sqlite"), super::$name()).await;
            })+
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                let Some(server) = crate::common::pg_demo_server() else { return };
                super::APP.scope((server.base.clone(), "postgres"), super::$name()).await;
            })+
        }
    };
}

on_both_backends!(
    eenzaam_in_overvecht_nearest_first_from_3562,
    best_match_with_a_postcode_puts_what_is_near_first,
    residents_are_understood_as_they_type,
    the_service_area_rule_finds_area_only_services,
    words_are_understood_in_dutch,
    every_filter_narrows_and_facets_match_the_results,
    paging_walks_the_results_once,
    pages_render_for_people,
    what_users_type_is_escaped,
    bad_input_gets_a_clear_4xx,
    every_chip_can_be_removed_without_an_error,
    a_mistyped_postcode_keeps_what_was_typed,
    numbered_pages_and_a_page_beyond_the_last,
    no_results_point_to_the_buurtteam_with_its_phone,
    day_names_in_every_spelling,
    the_page_says_how_the_words_were_understood,
    openapi_and_health,
);
