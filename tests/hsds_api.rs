//! The HSDS 3.0 read API over real HTTP, on the demo data plus the specification's own examples
//! (imported at start): every endpoint's responses validate against the HSDS schemas, filters
//! behave like the Open Referral UK validator's level 2 checks, bad parameters are 400s.

mod common;

use std::sync::OnceLock;

use jsonschema::Validator;
use serde_json::Value;

use common::{TestServer, http};
use wijkwijzer::hsds::import::{Options, import_path};
use wijkwijzer::hsds::schemas::validator;

const EXAMPLE_SERVICE: &str = "ac148810-d857-441c-9679-408f346de14b";
const EXAMPLE_ORGANIZATION: &str = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610";

tokio::task_local! {
    static APP: String;
}

fn import_examples(
    catalog: wijkwijzer::catalog::Catalog,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
    Box::pin(async move {
        for file in ["organization_full.json", "service_full.json"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("assets/hsds/examples")
                .join(file);
            let report = import_path(&catalog, &path, &Options::default())
                .await
                .expect("import runs");
            assert!(report.problems.is_empty(), "{file}: {report}");
        }
        // A feed from another system: own taxonomy, GeoJSON service areas (tests/fixtures).
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/foreign-feed.json");
        let report = import_path(&catalog, &path, &Options::default())
            .await
            .expect("import runs");
        assert!(report.problems.is_empty(), "fixture: {report}");
    })
}

fn sqlite_server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| common::spawn_server(None, import_examples))
}

fn postgres_server() -> Option<&'static TestServer> {
    static SERVER: OnceLock<Option<TestServer>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            let url = common::pg_database("wijkwijzer_hsds_suite")?;
            Some(common::spawn_server(Some(url), import_examples))
        })
        .as_ref()
}

async fn get(path: &str) -> reqwest::Response {
    let base = APP.with(|b| b.clone());
    http()
        .get(format!("{base}{path}"))
        .send()
        .await
        .expect("request")
}

async fn json(path: &str) -> Value {
    let response = get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "*",
        "{path}"
    );
    response.json().await.expect("json")
}

fn compiled(name: &str) -> Validator {
    let path = format!(
        "{}/assets/hsds/compiled/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid(validator: &Validator, value: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:?}");
}

/// The HSDS `Page`: every field present with the right type and consistent values.
fn assert_page(page: &Value, what: &str) {
    for key in ["total_items", "total_pages", "page_number", "size"] {
        assert!(page[key].is_u64(), "{what}: {key}");
    }
    for key in ["first_page", "last_page", "empty"] {
        assert!(page[key].is_boolean(), "{what}: {key}");
    }
    let contents = page["contents"].as_array().expect("contents");
    assert_eq!(
        page["size"].as_u64().unwrap() as usize,
        contents.len(),
        "{what}"
    );
    assert_eq!(page["empty"], contents.is_empty(), "{what}");
    assert_eq!(page["first_page"], page["page_number"] == 1, "{what}");
}

/// First, middle and last page of a list, each item checked against `item_schema`.
async fn check_pages(path: &str, item_schema: &Validator) -> Vec<Value> {
    let first = json(&format!("{path}?per_page=7")).await;
    assert_page(&first, path);
    let pages = first["total_pages"].as_u64().unwrap();
    let mut seen = Vec::new();
    for page in [1, pages.div_ceil(2), pages] {
        let body = json(&format!("{path}?per_page=7&page={page}")).await;
        assert_page(&body, path);
        assert_eq!(body["last_page"], page == pages, "{path} page {page}");
        for item in body["contents"].as_array().unwrap() {
            assert_valid(item_schema, item, &format!("{path} page {page}"));
            seen.push(item.clone());
        }
    }
    seen
}

async fn every_response_validates_against_the_hsds_schemas() {
    let about = json("/hsds/").await;
    assert_eq!(about["version"], "3.0");
    assert!(about["openapi_url"].is_string() && about["profile"].is_string());

    let services = check_pages("/hsds/services", &compiled("service_list")).await;
    assert!(services.len() >= 7);
    let service_schema = validator("service").unwrap();
    for id in [services[0]["id"].as_str().unwrap(), EXAMPLE_SERVICE] {
        let one = json(&format!("/hsds/services/{id}")).await;
        assert_valid(&service_schema, &one, id);
        assert_eq!(one["id"], id);
    }
    let full = json("/hsds/services?full=true&per_page=5").await;
    for item in full["contents"].as_array().unwrap() {
        assert_valid(&service_schema, item, "full list item");
        assert!(item["service_at_locations"].is_array());
    }
    let minimal = json("/hsds/services?minimal=true&per_page=5").await;
    for item in minimal["contents"].as_array().unwrap() {
        assert!(item.get("organization").is_none(), "minimal has no nesting");
        assert!(item["name"].is_string());
    }

    let sals = check_pages(
        "/hsds/service_at_locations",
        &compiled("service_at_location_list"),
    )
    .await;
    let sal_schema = validator("service_at_location").unwrap();
    let sal_id = sals[0]["id"].as_str().unwrap();
    assert_valid(
        &sal_schema,
        &json(&format!("/hsds/service_at_locations/{sal_id}")).await,
        sal_id,
    );
    // The example's own service_at_location id is served too.
    let example_sal = json("/hsds/service_at_locations/e94c9f38-1e8f-4564-91d4-d53501ab1765").await;
    assert_valid(&sal_schema, &example_sal, "example service_at_location");
    assert_eq!(
        example_sal["location"]["id"],
        "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
    );

    let orgs = check_pages("/hsds/organizations", &compiled("organization_list")).await;
    let org_schema = validator("organization").unwrap();
    for id in [orgs[0]["id"].as_str().unwrap(), EXAMPLE_ORGANIZATION] {
        let one = json(&format!("/hsds/organizations/{id}")).await;
        assert_valid(&org_schema, &one, id);
        assert!(one["services"].is_array());
    }

    let taxonomy_schema = validator("taxonomy").unwrap();
    let term_schema = validator("taxonomy_term").unwrap();
    let taxonomies = check_pages("/hsds/taxonomies", &taxonomy_schema).await;
    assert!(taxonomies.len() >= 2, "ours and the example's");
    let terms = check_pages("/hsds/taxonomy_terms", &term_schema).await;
    let tid = terms[0]["id"].as_str().unwrap();
    assert_valid(
        &term_schema,
        &json(&format!("/hsds/taxonomy_terms/{tid}")).await,
        tid,
    );
    let xid = taxonomies[0]["id"].as_str().unwrap();
    assert_valid(
        &taxonomy_schema,
        &json(&format!("/hsds/taxonomies/{xid}")).await,
        xid,
    );
}

/// Our category term ids of a full service.
fn term_ids(service: &Value) -> Vec<String> {
    service["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["taxonomy_term_id"].as_str().map(str::to_string))
        .collect()
}

fn ids(page: &Value) -> Vec<String> {
    page["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

async fn filters_behave_like_the_uk_validator_level_2() {
    let all = json("/hsds/services?full=true&per_page=100").await;
    let mut checked = 0;
    for service in all["contents"].as_array().unwrap() {
        let Some(schedule) = service["schedules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["byday"].is_string() && s["opens_at"].is_string())
        else {
            continue;
        };
        let Some(postcode) = service["service_at_locations"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|sal| sal["location"]["addresses"][0]["postal_code"].as_str())
        else {
            continue;
        };
        let Some(term) = term_ids(service).into_iter().next() else {
            continue;
        };
        let day = match &schedule["byday"].as_str().unwrap()[..2] {
            "MO" => "monday",
            "TU" => "tuesday",
            "WE" => "wednesday",
            "TH" => "thursday",
            "FR" => "friday",
            "SA" => "saturday",
            _ => "sunday",
        };
        let age = service["minimum_age"]
            .as_u64()
            .unwrap_or(30)
            .max(18)
            .min(service["maximum_age"].as_u64().unwrap_or(120));
        let name = service["name"].as_str().unwrap();
        let query = format!(
            "/hsds/services?per_page=100&taxonomy_term_id={term}&postcode={}&proximity=3000\
             &minimum_age={age}&maximum_age={age}&day={day}&start_time={}&search={}",
            postcode.replace(' ', "+"),
            &schedule["opens_at"].as_str().unwrap()[..5],
            name.replace(' ', "+").replace('&', "%26"),
        );
        let found = json(&query).await;
        assert!(
            ids(&found).contains(&service["id"].as_str().unwrap().to_string()),
            "{name} not found by its own properties: {query}"
        );
        checked += 1;
        if checked == 5 {
            break;
        }
    }
    assert_eq!(checked, 5, "five demo services were checked");

    // A combined filter is an AND: the term alone finds more than the term on one day, and
    // everything found on that day has a schedule on it.
    let service = &all["contents"][0];
    let term = &term_ids(service)[0];
    let by_term = json(&format!(
        "/hsds/services?taxonomy_term_id={term}&per_page=100"
    ))
    .await;
    let on_sunday = json(&format!(
        "/hsds/services?taxonomy_term_id={term}&day=sunday&full=true&per_page=100"
    ))
    .await;
    assert!(on_sunday["total_items"].as_u64() < by_term["total_items"].as_u64());
    for s in on_sunday["contents"].as_array().unwrap() {
        assert!(term_ids(s).contains(term));
        assert!(
            s["schedules"]
                .as_array()
                .unwrap()
                .iter()
                .any(|sch| sch["byday"].as_str().is_some_and(|d| d.contains("SU"))),
            "{} has no Sunday",
            s["name"]
        );
    }
    // Neighbourhood and organisation filters narrow too, and combine.
    let overvecht = json("/hsds/services?neighbourhood=WK034403&per_page=100").await;
    let org = overvecht["contents"][0]["organization"]["id"]
        .as_str()
        .unwrap();
    let both = json(&format!(
        "/hsds/services?neighbourhood=WK034403&organization_id={org}&per_page=100"
    ))
    .await;
    assert!(both["total_items"].as_u64().unwrap() >= 1);
    assert!(both["total_items"].as_u64() <= overvecht["total_items"].as_u64());
    for s in both["contents"].as_array().unwrap() {
        assert_eq!(s["organization"]["id"], org);
    }
    // The example's own taxonomy term and taxonomy find the example service only.
    let example_term =
        json("/hsds/services?taxonomy_term_id=3f7b145d-84af-42d7-8fae-eaca714b02b2").await;
    assert_eq!(ids(&example_term), vec![EXAMPLE_SERVICE.to_string()]);
    let example_taxonomy =
        json("/hsds/services?taxonomy_id=5c4d79d7-cc55-470e-9f1f-8cad074e4892").await;
    assert_eq!(ids(&example_taxonomy), vec![EXAMPLE_SERVICE.to_string()]);
    // modified_after: everything was written just now, nothing in the future.
    assert!(
        json("/hsds/services?modified_after=2000-01-01").await["total_items"].as_u64() > Some(300)
    );
    assert_eq!(
        json("/hsds/services?modified_after=2999-01-01T00:00:00Z").await["total_items"],
        0
    );
    // Terms: top_only and parent_id.
    let top = json("/hsds/taxonomy_terms?top_only=true&per_page=100").await;
    let parent = top["contents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "eenzaamheid")
        .expect("top-level category")["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        top["contents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t.get("parent_id").is_none())
    );
    let children = json(&format!("/hsds/taxonomy_terms?parent_id={parent}")).await;
    assert!(children["total_items"].as_u64().unwrap() >= 1);
    assert!(
        children["contents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["parent_id"] == parent.as_str())
    );
}

async fn ndjson_streams_everything_unpaginated() {
    let total = json("/hsds/services?neighbourhood=WK034403").await["total_items"]
        .as_u64()
        .unwrap();
    let response = get("/hsds/services?neighbourhood=WK034403&format=ndjson").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/x-ndjson");
    let text = response.text().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, total);
    assert!(total > 20, "more than one default page");
}

async fn bad_parameters_are_400_problems_naming_the_parameter() {
    for (query, param) in [
        ("/hsds/services?day=someday", "day"),
        ("/hsds/services?per_page=0", "per_page"),
        ("/hsds/services?per_page=1000", "per_page"),
        ("/hsds/services?page=-1", "page"),
        ("/hsds/services?modified_after=gisteren", "modified_after"),
        ("/hsds/services?neighbourhood=WK999999", "neighbourhood"),
        (
            "/hsds/services?taxonomy_term_id=niet-een-uuid",
            "taxonomy_term_id",
        ),
        (
            "/hsds/services?taxonomy_term_id=00000000-0000-0000-0000-000000000001",
            "taxonomy_term_id",
        ),
        ("/hsds/services?postcode=12", "postcode"),
        ("/hsds/services?proximity=500", "proximity"),
        ("/hsds/services?start_time=25:00", "start_time"),
        ("/hsds/services?minimum_age=abc", "minimum_age"),
        ("/hsds/service_at_locations?format=xml", "format"),
        ("/hsds/organizations?full=misschien", "full"),
    ] {
        let response = get(query).await;
        assert_eq!(response.status(), 400, "{query}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{query}"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["status"], 400, "{query}");
        assert!(
            problem["title"].is_string() && problem["detail"].is_string(),
            "{query}"
        );
        assert_eq!(problem["parameter"], param, "{query}");
    }
    for path in [
        "/hsds/services/00000000-0000-0000-0000-000000000000",
        "/hsds/organizations/00000000-0000-0000-0000-000000000000",
        "/hsds/service_at_locations/00000000-0000-0000-0000-000000000000",
        "/hsds/taxonomies/00000000-0000-0000-0000-000000000000",
        "/hsds/taxonomy_terms/00000000-0000-0000-0000-000000000000",
    ] {
        let response = get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["status"], 404, "{path}");
    }
}

async fn the_hsds_endpoints_are_in_the_openapi_document() {
    let doc = json("/openapi.json").await;
    for path in [
        "/hsds/",
        "/hsds/services",
        "/hsds/services/{id}",
        "/hsds/service_at_locations",
        "/hsds/service_at_locations/{id}",
        "/hsds/organizations",
        "/hsds/organizations/{id}",
        "/hsds/taxonomies",
        "/hsds/taxonomies/{id}",
        "/hsds/taxonomy_terms",
        "/hsds/taxonomy_terms/{id}",
    ] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} documented");
    }
    let params: Vec<&str> = doc["paths"]["/hsds/services"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in [
        "search",
        "taxonomy_term_id",
        "postcode",
        "proximity",
        "day",
        "start_time",
        "neighbourhood",
        "format",
    ] {
        assert!(params.contains(&p), "{p}");
    }
}

/// Names of the services a list finds (all pages of 100).
async fn names(path: &str) -> Vec<String> {
    let body = json(&format!("{path}&per_page=100")).await;
    assert!(body["total_pages"].as_u64() <= Some(1), "{path}");
    body["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect()
}

/// Metres between two points (haversine, as the API measures).
fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
    use geo::{Distance, Haversine};
    Haversine.distance(geo::Point::new(a.1, a.0), geo::Point::new(b.1, b.0))
}

async fn postcode_alone_and_with_proximity_follow_the_hsds_semantics() {
    // PC4 3552 (Ondiep, Noordwest): its centroid lies in buurt Ondiep.
    let centroid = (52.1061645, 5.1042101);
    let alone = names("/hsds/services?postcode=3552").await;
    // A location in the postcode's buurt, a service area covering it (GeoJSON extent of
    // Noordwest), the whole city by a code in the area's name.
    for name in [
        "Koffieochtend buurthuis Ondiep",
        "Maatjesproject Noordwest",
        "Thuisadministratie",
    ] {
        assert!(alone.iter().any(|n| n == name), "{name} missing: {alone:?}");
    }
    // Located and serving elsewhere (Overvecht, Zuidwest, two buurten of Oost).
    for name in [
        "Huisbezoek ouderen Overvecht",
        "Geldcafé Kanaleneiland",
        "Klussendienst Wittevrouwen en Oudwijk",
        "Taalcafé Oost",
    ] {
        assert!(!alone.iter().any(|n| n == name), "{name} found: {alone:?}");
    }

    // With proximity: only services with a location within the distance; areas do not count.
    let near = json("/hsds/services?postcode=3552&proximity=500&full=true&per_page=100").await;
    let near_names: Vec<&str> = near["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        near_names.contains(&"Koffieochtend buurthuis Ondiep"),
        "{near_names:?}"
    );
    for name in ["Maatjesproject Noordwest", "Thuisadministratie"] {
        assert!(
            !near_names.contains(&name),
            "{name} has no location: {near_names:?}"
        );
    }
    for service in near["contents"].as_array().unwrap() {
        let closest = service["service_at_locations"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|sal| {
                let l = &sal["location"];
                Some(metres(
                    centroid,
                    (l["latitude"].as_f64()?, l["longitude"].as_f64()?),
                ))
            })
            .fold(f64::INFINITY, f64::min);
        assert!(closest <= 500.5, "{}: {closest:.0} m", service["name"]);
    }
    // Widening the distance finds more, still each within it.
    let wider = json("/hsds/services?postcode=3552&proximity=2000&per_page=100").await;
    assert!(wider["total_items"].as_u64() > near["total_items"].as_u64());

    // Services at locations: each pair's own location within the distance.
    let pairs = json("/hsds/service_at_locations?postcode=3552&proximity=500&per_page=100").await;
    let contents = pairs["contents"].as_array().unwrap();
    assert!(!contents.is_empty());
    for pair in contents {
        let l = &pair["location"];
        let d = metres(
            centroid,
            (
                l["latitude"].as_f64().unwrap(),
                l["longitude"].as_f64().unwrap(),
            ),
        );
        assert!(d <= 500.5, "{}: {d:.0} m", pair["service"]["name"]);
    }

    // Postcode alone and a neighbourhood elsewhere: both must hold, so nothing.
    let apart = json("/hsds/services?postcode=3552&neighbourhood=WK034403").await;
    assert_eq!(apart["total_items"], 0);
    // A postcode outside our geography: an empty list, not an error.
    let far = json("/hsds/services?postcode=1012").await;
    assert_eq!(far["total_items"], 0);
}

common::tests_on_both_servers!(
    every_response_validates_against_the_hsds_schemas,
    filters_behave_like_the_uk_validator_level_2,
    ndjson_streams_everything_unpaginated,
    bad_parameters_are_400_problems_naming_the_parameter,
    the_hsds_endpoints_are_in_the_openapi_document,
    postcode_alone_and_with_proximity_follow_the_hsds_semantics,
);
