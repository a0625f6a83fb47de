//! Keeping listings up to date through the API with an organisation's token (issue 13, part
//! 2), over real HTTP on SQLite and PostgreSQL: an HSDS service document in, the same
//! validation, moderation tiers and versions as the edit forms, problem documents out.

mod common;

use std::sync::OnceLock;

use common::TestServer;
use reqwest::StatusCode;
use serde_json::{Value, json};
use wijkwijzer::auth::secrets::token_hash;
use wijkwijzer::catalog::Catalog;

tokio::task_local! {
    static APP: String;
}

const TOKEN_A: &str = "wkw_test_token_of_organisation_a";
const TOKEN_B: &str = "wkw_test_token_of_organisation_b";

/// Tokens for the first two demo organisations with services.
fn setup(catalog: Catalog) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
    Box::pin(async move {
        let store = &catalog.store;
        let organizations = store.organization_ids().await.unwrap();
        let services = store
            .service_ids_of_organizations(&organizations)
            .await
            .unwrap();
        let mut with_services = organizations
            .iter()
            .filter(|o| services.get(o).is_some_and(|s| !s.is_empty()));
        for token in [TOKEN_A, TOKEN_B] {
            let organization = *with_services.next().unwrap();
            store
                .create_api_token(organization, "test", &token_hash(token), None)
                .await
                .unwrap();
        }
    })
}

fn sqlite_server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| common::spawn_server(None, setup))
}

fn postgres_server() -> Option<&'static TestServer> {
    static SERVER: OnceLock<Option<TestServer>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            let url = common::pg_database("wijkwijzer_api_write_suite")?;
            Some(common::spawn_server(Some(url), setup))
        })
        .as_ref()
}

fn base() -> String {
    APP.get()
}

/// The organisation a token acts for.
async fn organisation_of(token: &str) -> String {
    let me: Value = common::http()
        .get(format!("{}/api/v1/me", base()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    me["organization"]["id"].as_str().unwrap().to_string()
}

/// One service of the organisation, as the HSDS API serves it (the shape a system sends back).
async fn a_service_of(organization: &str) -> Value {
    let page = common::get_json(&format!(
        "{}/hsds/services?per_page=1&organization_id={organization}",
        base()
    ))
    .await;
    page["contents"][0].clone()
}

struct Answer {
    status: StatusCode,
    etag: Option<String>,
    body: Value,
}

async fn send(
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    if_match: Option<&str>,
    body: &Value,
) -> Answer {
    let mut request = common::http()
        .request(method, format!("{}{path}", base()))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(version) = if_match {
        request = request.header("if-match", version);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let etag = response
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_string());
    let body = response.json().await.unwrap_or(Value::Null);
    Answer { status, etag, body }
}

async fn put(token: Option<&str>, if_match: Option<&str>, service: &Value) -> Answer {
    let id = service["id"].as_str().unwrap();
    send(
        reqwest::Method::PUT,
        &format!("/api/v1/services/{id}"),
        token,
        if_match,
        service,
    )
    .await
}

/// A change of a low-risk field by an untrusted organisation waits for a moderator and is not
/// public meanwhile; sending the same document again is "unchanged"; an older version is a
/// conflict.
async fn a_token_updates_its_own_service() {
    let organization = organisation_of(TOKEN_A).await;
    let service = a_service_of(&organization).await;
    let id = service["id"].as_str().unwrap().to_string();

    // The document as served, sent back: nothing changes.
    let same = put(Some(TOKEN_A), None, &service).await;
    assert_eq!(same.status, StatusCode::OK, "{}", same.body);
    assert_eq!(same.body["outcome"], "unchanged", "{}", same.body);
    let version = same.etag.expect("an ETag with the version");

    let mut changed = service.clone();
    changed["description"] = json!("Nieuwe beschrijving via de koppeling van de organisatie.");
    let pending = put(Some(TOKEN_A), Some(&version), &changed).await;
    assert_eq!(pending.status, StatusCode::ACCEPTED, "{}", pending.body);
    assert_eq!(pending.body["outcome"], "pending");
    assert!(pending.body["request"].is_string());
    let public = common::get_json(&format!("{}/hsds/services/{id}", base())).await;
    assert_ne!(
        public["description"], changed["description"],
        "a pending change is not public"
    );

    // Based on a version that is not the current one: a conflict, never an overwrite.
    let stale = format!(
        "\"{}\"",
        version.trim_matches('"').parse::<i64>().unwrap() - 1
    );
    let conflict = put(Some(TOKEN_A), Some(&stale), &changed).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT, "{}", conflict.body);
    assert_eq!(conflict.body["status"], 409);
}

/// Wrong input gets a problem document with the right status and names the field.
async fn bad_documents_get_problem_documents() {
    let organization = organisation_of(TOKEN_A).await;
    let service = a_service_of(&organization).await;

    let mut nameless = service.clone();
    nameless["name"] = json!("");
    let invalid = put(Some(TOKEN_A), None, &nameless).await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST, "{}", invalid.body);
    assert!(
        invalid.body["parameter"]
            .as_str()
            .unwrap_or("")
            .contains("name"),
        "{}",
        invalid.body
    );

    let no_token = put(None, None, &service).await;
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
    assert_eq!(no_token.body["status"], 401);
    let wrong_token = put(Some("wkw_not_a_token"), None, &service).await;
    assert_eq!(wrong_token.status, StatusCode::UNAUTHORIZED);

    // Another organisation's service: by URL, and by naming that organisation in a new one.
    let of_b = put(Some(TOKEN_B), None, &service).await;
    assert_eq!(of_b.status, StatusCode::FORBIDDEN, "{}", of_b.body);
    let mut foreign = service.clone();
    foreign
        .as_object_mut()
        .unwrap()
        .remove("id")
        .expect("an id");
    let posted = send(
        reqwest::Method::POST,
        "/api/v1/services",
        Some(TOKEN_B),
        None,
        &foreign,
    )
    .await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN, "{}", posted.body);

    let mut unknown = service.clone();
    unknown["id"] = json!(uuid::Uuid::new_v4().to_string());
    let missing = put(Some(TOKEN_A), None, &unknown).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);

    let id = service["id"].as_str().unwrap();
    let as_text = common::http()
        .put(format!("{}/api/v1/services/{id}", base()))
        .bearer_auth(TOKEN_A)
        .header("content-type", "text/plain")
        .body(service.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(as_text.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        as_text.headers()["content-type"],
        "application/problem+json"
    );
    let broken = common::http()
        .put(format!("{}/api/v1/services/{id}", base()))
        .bearer_auth(TOKEN_A)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);

    let mut moved = service.clone();
    moved["id"] = json!(uuid::Uuid::new_v4().to_string());
    let mismatch = send(
        reqwest::Method::PUT,
        &format!("/api/v1/services/{id}"),
        Some(TOKEN_A),
        None,
        &moved,
    )
    .await;
    assert_eq!(mismatch.status, StatusCode::BAD_REQUEST);
    assert_eq!(mismatch.body["parameter"], "/id");
}

/// A new service from a token waits for a moderator and is nowhere public until then.
async fn a_new_service_waits_for_a_moderator() {
    let organization = organisation_of(TOKEN_A).await;
    let mut service = a_service_of(&organization).await;
    let object = service.as_object_mut().unwrap();
    object.remove("id");
    object.remove("metadata");
    object.remove("service_at_locations");
    object.remove("schedules");
    object.remove("contacts");
    object.remove("service_areas");
    object.remove("phones");
    service["name"] = json!("Repaircafé via de koppeling");
    let posted = send(
        reqwest::Method::POST,
        "/api/v1/services",
        Some(TOKEN_A),
        None,
        &service,
    )
    .await;
    assert_eq!(posted.status, StatusCode::ACCEPTED, "{}", posted.body);
    assert_eq!(posted.body["outcome"], "pending");
    let id = posted.body["id"].as_str().unwrap();
    let public = common::http()
        .get(format!("{}/hsds/services/{id}", base()))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), StatusCode::NOT_FOUND);
}

common::tests_on_both_servers!(
    a_token_updates_its_own_service,
    bad_documents_get_problem_documents,
    a_new_service_waits_for_a_moderator,
);
