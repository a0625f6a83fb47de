//! The OpenAPI document is the truth about the API: a snapshot catches every change to it (review
//! the diff, then `UPDATE_SNAPSHOTS=1 cargo test --test openapi` to accept it), and the running
//! server is held to what it says — every documented parameter is accepted, bad input gets a
//! documented status with a problem document naming the parameter, and text that is not text
//! is refused by the API and the pages alike.

mod common;

use std::collections::BTreeMap;

use serde_json::Value;

use common::{demo_server, http};

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/openapi.json");

async fn get(path: &str) -> reqwest::Response {
    let server = demo_server();
    http()
        .get(format!("{}{path}", server.base))
        .send()
        .await
        .expect("request")
}

async fn document() -> Value {
    let response = get("/openapi.json").await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("JSON")
}

#[tokio::test]
async fn the_openapi_document_matches_the_snapshot() {
    let served = serde_json::to_string_pretty(&document().await).unwrap() + "\n";
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(std::path::Path::new(SNAPSHOT).parent().unwrap()).unwrap();
        std::fs::write(SNAPSHOT, &served).expect("write snapshot");
        return;
    }
    let committed = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    if served != committed {
        let first_difference = served
            .lines()
            .zip(committed.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| format!("line {}:\n  served:    {a}\n  committed: {b}", i + 1))
            .unwrap_or_else(|| "one is a prefix of the other".into());
        panic!(
            "/openapi.json differs from tests/snapshots/openapi.json ({first_difference}).\n\
             If the change is intended, run `UPDATE_SNAPSHOTS=1 cargo test --test openapi` \
             and commit the file."
        );
    }
    // The command prints the same document.
    let printed: Value = serde_json::from_str(&wijkwijzer::api::openapi_json().unwrap()).unwrap();
    assert_eq!(printed, serde_json::from_str::<Value>(&served).unwrap());
}

/// Every GET operation: (path, operation).
fn operations(doc: &Value) -> Vec<(String, Value)> {
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(path, item)| Some((path.clone(), item.get("get")?.clone())))
        .collect()
}

/// A valid value for a documented query parameter: its example, else the first of its enum,
/// else the type's smallest allowed value; ids come from the demo data.
fn valid_value(param: &Value, ids: &BTreeMap<&str, String>) -> Vec<String> {
    let name = param["name"].as_str().unwrap();
    if let Some(id) = ids.get(name) {
        return vec![id.clone()];
    }
    let schema = &param["schema"];
    let scalar = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if let Some(example) = param.get("example").or_else(|| schema.get("example")) {
        return match example {
            Value::Array(items) => items.iter().map(scalar).collect(),
            other => vec![scalar(other)],
        };
    }
    let schema = schema.get("items").unwrap_or(schema);
    let resolved = schema
        .get("oneOf")
        .and_then(|alternatives| alternatives.as_array())
        .and_then(|alternatives| alternatives.iter().find(|s| s["type"] != "null"))
        .unwrap_or(schema);
    if let Some(values) = resolved.get("enum").and_then(|e| e.as_array()) {
        return vec![scalar(&values[0])];
    }
    let types = resolved["type"].to_string();
    if types.contains("boolean") {
        vec!["true".into()]
    } else if types.contains("integer") || types.contains("number") {
        vec![
            resolved
                .get("minimum")
                .map(scalar)
                .unwrap_or_else(|| "1".into()),
        ]
    } else {
        panic!("no valid value known for parameter {name}: document an example");
    }
}

async fn demo_ids() -> BTreeMap<&'static str, String> {
    let terms: Value = get("/hsds/taxonomy_terms?per_page=1")
        .await
        .json()
        .await
        .unwrap();
    let term = &terms["contents"][0];
    let orgs: Value = get("/hsds/organizations?per_page=1")
        .await
        .json()
        .await
        .unwrap();
    let mut ids = BTreeMap::new();
    ids.insert("taxonomy_term_id", term["id"].as_str().unwrap().to_string());
    ids.insert("parent_id", term["id"].as_str().unwrap().to_string());
    ids.insert(
        "taxonomy_id",
        term["taxonomy_id"].as_str().unwrap().to_string(),
    );
    ids.insert(
        "organization_id",
        orgs["contents"][0]["id"].as_str().unwrap().to_string(),
    );
    ids
}

fn query_string(pairs: &[(String, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

fn query_params(op: &Value) -> Vec<Value> {
    op["parameters"]
        .as_array()
        .map(|ps| ps.iter().filter(|p| p["in"] == "query").cloned().collect())
        .unwrap_or_default()
}

/// What a parameter needs beside it to be valid on its own.
fn companions(name: &str) -> &'static [(&'static str, &'static str)] {
    match name {
        "radius_km" | "proximity" => &[("postcode", "3562")],
        "lat" => &[("lon", "5.12")],
        "lon" => &[("lat", "52.1")],
        _ => &[],
    }
}

#[tokio::test]
async fn every_documented_parameter_is_accepted() {
    let doc = document().await;
    let ids = demo_ids().await;
    let mut checked = 0;
    for (path, op) in operations(&doc) {
        // Operations behind a token answer 401 without one (tests/accounts.rs tries them).
        if path.contains('{') || op.get("security").is_some() {
            continue;
        }
        let params = query_params(&op);
        let mut all = Vec::new();
        for param in &params {
            let name = param["name"].as_str().unwrap().to_string();
            let values = valid_value(param, &ids);
            let mut alone: Vec<(String, String)> =
                values.iter().map(|v| (name.clone(), v.clone())).collect();
            alone.extend(
                companions(&name)
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string())),
            );
            let url = format!("{path}?{}", query_string(&alone));
            let response = get(&url).await;
            assert_eq!(
                response.status(),
                200,
                "{url}: {}",
                response.text().await.unwrap_or_default()
            );
            checked += 1;
            if name != "lat" && name != "lon" {
                all.extend(values.into_iter().map(|v| (name.clone(), v)));
            }
        }
        // All of them together are accepted too (the result may well be empty).
        let url = format!("{path}?{}", query_string(&all));
        let response = get(&url).await;
        assert_eq!(
            response.status(),
            200,
            "{url}: {}",
            response.text().await.unwrap_or_default()
        );
    }
    assert!(checked > 40, "only {checked} parameters were documented");
}

#[tokio::test]
async fn bad_input_gets_a_documented_status_and_a_problem_naming_the_parameter() {
    let doc = document().await;
    let mut seen_statuses = std::collections::BTreeSet::new();
    for (path, op) in operations(&doc) {
        let documented: Vec<String> = op["responses"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        let concrete = path.replace("{id}", "00000000-0000-0000-0000-000000000000");
        let mut probes: Vec<(String, Option<String>)> = Vec::new();
        for param in query_params(&op) {
            let name = param["name"].as_str().unwrap().to_string();
            for bad in ["%FF%FE", "a%00b", "%1B%5B31m", "%C2%85"] {
                probes.push((format!("{concrete}?{name}={bad}"), Some(name.clone())));
            }
            let schema = param["schema"].to_string();
            if !schema.contains("\"string\"") || schema.contains("enum") {
                probes.push((format!("{concrete}?{name}=niet-goed"), Some(name.clone())));
            }
        }
        if path.contains("{id}") {
            probes.push((path.replace("{id}", "niet-een-uuid"), Some("id".into())));
            probes.push((path.replace("{id}", "%FF"), Some("id".into())));
            probes.push((concrete.clone(), None));
        }
        for (url, param) in probes {
            let response = get(&url).await;
            let status = response.status().as_u16().to_string();
            assert!(
                documented.contains(&status),
                "{url}: {status} is not documented ({documented:?})"
            );
            seen_statuses.insert(status.clone());
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json",
                "{url}"
            );
            let problem: Value = response.json().await.unwrap();
            assert_eq!(problem["status"].to_string(), status, "{url}");
            assert!(problem["title"].is_string() && problem["detail"].is_string());
            if let Some(param) = param {
                assert_eq!(status, "400", "{url}");
                assert_eq!(problem["parameter"], param.as_str(), "{url}");
            }
        }
        // Another method: 405 with Allow, as documented.
        let response = http()
            .delete(format!("{}{concrete}", demo_server().base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "{path}");
        assert!(documented.iter().any(|s| s == "405"), "{path}");
        assert!(
            response.headers()["allow"]
                .to_str()
                .unwrap()
                .contains("GET"),
            "{path}"
        );
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    assert!(seen_statuses.contains("400") && seen_statuses.contains("404"));
}

#[tokio::test]
async fn every_operation_documents_its_bodies_and_the_common_statuses() {
    let doc = document().await;
    let components = &doc["components"];
    assert_eq!(
        components["schemas"]["Problem"]["type"], "object",
        "the Problem schema"
    );
    for (path, op) in operations(&doc) {
        let responses = op["responses"].as_object().unwrap();
        for status in ["405", "413", "414", "431", "500", "503"] {
            assert!(responses.contains_key(status), "{path}: {status}");
        }
        if !query_params(&op).is_empty() {
            assert!(responses.contains_key("429"), "{path}: 429 (rate limit)");
        }
        if !query_params(&op).is_empty() || path.contains('{') {
            assert!(responses.contains_key("400"), "{path}: 400");
        }
        if path.contains('{') {
            assert!(responses.contains_key("404"), "{path}: 404");
        }
        let ok = &responses["200"];
        assert!(
            ok["content"]["application/json"]["schema"].is_object(),
            "{path}: the 200 body has a schema"
        );
        for (status, response) in responses {
            if status == "200" {
                continue;
            }
            let response = match response.get("$ref").and_then(|r| r.as_str()) {
                Some(r) => &components["responses"][r.rsplit('/').next().unwrap()],
                None => response,
            };
            assert_eq!(
                response["content"]["application/problem+json"]["schema"]["$ref"],
                "#/components/schemas/Problem",
                "{path} {status}"
            );
        }
    }
}

#[tokio::test]
async fn the_documented_limits_are_the_ones_the_code_checks() {
    let doc = document().await;
    let search = &doc["paths"]["/api/v1/search"]["get"];
    let param = |name: &str| {
        query_params(search)
            .into_iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} documented"))
    };
    use wijkwijzer::query::{MAX_AGE, MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_CHARS, MAX_RADIUS_KM};
    let limit = |name: &str, key: &str| param(name)["schema"][key].as_f64();
    assert_eq!(limit("page", "maximum"), Some(MAX_PAGE as f64));
    assert_eq!(limit("page", "minimum"), Some(1.0));
    assert_eq!(limit("per_page", "maximum"), Some(MAX_PER_PAGE as f64));
    assert_eq!(limit("q", "maxLength"), Some(MAX_QUERY_CHARS as f64));
    assert_eq!(limit("radius_km", "maximum"), Some(MAX_RADIUS_KM));
    assert_eq!(limit("age", "maximum"), Some(f64::from(MAX_AGE)));
    // page=0 is refused, as documented (pages count from 1); the last page is accepted.
    let response = get("/api/v1/search?page=0").await;
    assert_eq!(response.status(), 400);
    assert_eq!(get("/api/v1/search?page=500").await.status(), 200);
    assert_eq!(get("/api/v1/search?page=501").await.status(), 400);
    assert_eq!(get("/hsds/services?page=0").await.status(), 400);
}

#[tokio::test]
async fn text_that_is_not_text_is_refused_by_the_api_and_the_pages() {
    for query in [
        "q=%FF%FE", "q=caf%E9", "q=a%00b", "q=%07", "area=%00", "q%FF=1",
    ] {
        let response = get(&format!("/api/v1/search?{query}")).await;
        assert_eq!(response.status(), 400, "{query}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert!(problem["parameter"].is_string(), "{query}");

        let page = get(&format!("/zoeken?{query}")).await;
        assert_eq!(page.status(), 400, "{query}");
        let html = page.text().await.unwrap();
        assert!(
            html.contains("Ongeldige invoer"),
            "{query}: a friendly page"
        );
        assert!(
            !html.contains('\u{0}') && !html.contains('\u{7}'),
            "{query}"
        );
        assert!(!html.contains('\u{fffd}'), "{query}");
    }
    for path in [
        "/hsds/services?search=%FF",
        "/hsds/organizations?search=a%00",
    ] {
        let response = get(path).await;
        assert_eq!(response.status(), 400, "{path}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["parameter"], "search", "{path}");
    }
    // A tab is a space; UTF-8 that is text passes.
    assert_eq!(get("/api/v1/search?q=koffie%09drinken").await.status(), 200);
    assert_eq!(get("/api/v1/search?q=caf%C3%A9").await.status(), 200);
}

#[tokio::test]
async fn organizations_are_searched_by_name_as_documented() {
    let none: Value = get("/hsds/organizations?search=zzzzzz")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none["total_items"], 0);
    assert_eq!(none["contents"].as_array().unwrap().len(), 0);
    let all: Value = get("/hsds/organizations?per_page=100")
        .await
        .json()
        .await
        .unwrap();
    let name = all["contents"][0]["name"].as_str().unwrap().to_string();
    let word: String = name.split_whitespace().next().unwrap().to_uppercase();
    let found: Value = get(&format!(
        "/hsds/organizations?search={}",
        form_urlencoded::byte_serialize(word.as_bytes()).collect::<String>()
    ))
    .await
    .json()
    .await
    .unwrap();
    let total = found["total_items"].as_u64().unwrap();
    assert!(total >= 1, "{word}");
    assert!(
        total < all["total_items"].as_u64().unwrap(),
        "{word} narrows"
    );
    for org in found["contents"].as_array().unwrap() {
        assert!(
            org["name"].as_str().unwrap().to_uppercase().contains(&word),
            "{org}"
        );
    }
}
