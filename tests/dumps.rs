//! The HSDS ndjson dumps and the paging of the HSDS lists, over real HTTP on the demo data
//! (432 services, 106 organisations: more than two chunks of each), on SQLite and PostgreSQL:
//! a dump holds every item its pages hold, once, in the same order, across the chunks it is
//! streamed in; filters apply to dumps as to pages; the pages of `/service_at_locations` add
//! up to the whole list; and clients that leave or read slowly do not hurt the server.

mod common;

use std::collections::HashSet;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;

use common::{TestServer, http};
use wijkwijzer::api::dump::{ORGANIZATIONS_PER_CHUNK, SERVICES_PER_CHUNK};
use wijkwijzer::config::{Config, Limits};

tokio::task_local! {
    static APP: String;
}

/// The demo data, without the per-client rate limit on dumps: these tests make many.
fn demo_without_rate_limits(database_url: Option<String>, request_timeout: Duration) -> TestServer {
    common::spawn_configured(
        move |dir| {
            let mut config = Config::for_tests(dir.to_path_buf(), database_url);
            config.demo_data = Some(true);
            config.limits.rate_limit_dumps = 0;
            config.limits.request_timeout = request_timeout;
            config
        },
        |_| Box::pin(async {}),
    )
}

fn sqlite_server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| demo_without_rate_limits(None, Limits::DEFAULT.request_timeout))
}

fn postgres_server() -> Option<&'static TestServer> {
    static SERVER: OnceLock<Option<TestServer>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            let url = common::pg_database("wijkwijzer_dumps_suite")?;
            Some(demo_without_rate_limits(
                Some(url),
                Limits::DEFAULT.request_timeout,
            ))
        })
        .as_ref()
}

fn url(path: &str) -> String {
    format!("{}{path}", APP.with(|b| b.clone()))
}

async fn json(path: &str) -> Value {
    let response = http().get(url(path)).send().await.expect("request");
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.expect("json")
}

/// A whole dump, one document per line.
async fn ndjson(path: &str) -> Vec<Value> {
    let response = http().get(url(path)).send().await.expect("request");
    assert_eq!(response.status(), 200, "{path}");
    assert_eq!(
        response.headers()["content-type"],
        "application/x-ndjson",
        "{path}"
    );
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "*",
        "{path}"
    );
    let text = response.text().await.expect("a complete body");
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "{path}: last line whole"
    );
    text.lines()
        .map(|line| serde_json::from_str(line).expect("one JSON document per line"))
        .collect()
}

/// Every page of a list, in order: the total every page states, and all their items.
async fn all_pages(path: &str, per_page: usize) -> (usize, Vec<Value>) {
    let join = if path.contains('?') { '&' } else { '?' };
    let first = json(&format!("{path}{join}per_page={per_page}")).await;
    let total = first["total_items"].as_u64().unwrap() as usize;
    let pages = first["total_pages"].as_u64().unwrap() as usize;
    assert_eq!(pages, total.div_ceil(per_page).max(1), "{path}");
    let mut items = Vec::new();
    for page in 1..=pages {
        let body = json(&format!("{path}{join}per_page={per_page}&page={page}")).await;
        assert_eq!(body["total_items"], total, "{path} page {page}");
        let contents = body["contents"].as_array().unwrap();
        let expected = per_page.min(total - (page - 1) * per_page);
        assert_eq!(contents.len(), expected, "{path} page {page}");
        items.extend(contents.iter().cloned());
    }
    // A page past the last: empty, the same total.
    let past = json(&format!(
        "{path}{join}per_page={per_page}&page={}",
        pages + 1
    ))
    .await;
    assert_eq!(past["total_items"], total, "{path}");
    assert_eq!(past["contents"].as_array().unwrap().len(), 0, "{path}");
    (total, items)
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|item| item["id"].as_str().expect("an id").to_string())
        .collect()
}

fn assert_unique(ids: &[String], what: &str) {
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{what}: an item twice");
}

/// The dump of `list` (with `options`) holds exactly its pages' items, in their order.
async fn dump_equals_pages(list: &str, options: &str, per_page: usize) -> usize {
    let sep = if options.is_empty() { "" } else { "&" };
    let dump = ndjson(&format!("{list}?format=ndjson{sep}{options}")).await;
    let paged_path = if options.is_empty() {
        list.to_string()
    } else {
        format!("{list}?{options}")
    };
    let (total, paged) = all_pages(&paged_path, per_page).await;
    let what = format!("{list}?{options}");
    assert_eq!(dump.len(), total, "{what}: dump vs total_items");
    assert_unique(&ids(&dump), &what);
    assert_eq!(ids(&dump), ids(&paged), "{what}: same items, same order");
    assert_eq!(dump, paged, "{what}: the same documents");
    total
}

async fn every_item_once_across_chunks() {
    for shape in ["", "minimal=true", "full=true"] {
        let total = dump_equals_pages("/hsds/services", shape, 100).await;
        assert!(
            total > 2 * SERVICES_PER_CHUNK,
            "{total} services do not span three chunks"
        );
    }
    for shape in ["", "full=true"] {
        let total = dump_equals_pages("/hsds/organizations", shape, 100).await;
        assert!(
            total > 2 * ORGANIZATIONS_PER_CHUNK,
            "{total} organisations do not span three chunks"
        );
    }
    dump_equals_pages("/hsds/taxonomies", "", 100).await;
    let terms = dump_equals_pages("/hsds/taxonomy_terms", "", 100).await;
    assert!(terms > 20);
    // An odd page size cuts differently through the same list.
    dump_equals_pages("/hsds/services", "", 37).await;
}

async fn filtered_dumps_hold_what_their_pages_hold() {
    let all = json("/hsds/services?per_page=1").await["total_items"]
        .as_u64()
        .unwrap() as usize;
    for filter in [
        "search=eenzaam",
        "neighbourhood=WK034403",
        "postcode=3552&proximity=1500",
        "day=monday&start_time=09:00&end_time=12:00",
        "minimum_age=65",
        "full=true&search=schulden",
    ] {
        let total = dump_equals_pages("/hsds/services", filter, 23).await;
        assert!(total > 0 && total < all, "{filter}: {total} of {all}");
    }
    let terms = dump_equals_pages("/hsds/taxonomy_terms", "top_only=true", 7).await;
    assert!(terms > 0);
    // A bad parameter is still a problem document, not a broken stream.
    let response = http()
        .get(url("/hsds/services?format=ndjson&page=nul"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    // Filters that exclude everything: an empty dump.
    assert!(
        ndjson("/hsds/services?format=ndjson&postcode=1012")
            .await
            .is_empty()
    );
}

/// The pages of `/service_at_locations` (each service once per location) add up to the
/// whole list, which is the dump, and to what the services themselves list.
async fn service_at_location_pages_add_up() {
    let services = ndjson("/hsds/services?format=ndjson&full=true").await;
    let pairs_of_services: usize = services
        .iter()
        .map(|s| s["service_at_locations"].as_array().unwrap().len())
        .sum();
    let dump = ndjson("/hsds/service_at_locations?format=ndjson").await;
    assert_eq!(dump.len(), pairs_of_services);
    let pair_keys = |items: &[Value]| -> Vec<String> {
        items
            .iter()
            .map(|i| {
                format!(
                    "{}@{}",
                    i["service_id"].as_str().unwrap(),
                    i["location_id"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_unique(&pair_keys(&dump), "service_at_locations dump");
    for per_page in [1, 7, 100] {
        let (total, paged) = all_pages("/hsds/service_at_locations", per_page).await;
        assert_eq!(total, dump.len(), "per_page {per_page}");
        assert_eq!(pair_keys(&paged), pair_keys(&dump), "per_page {per_page}");
    }
    // The dump goes through the services a chunk at a time.
    assert!(
        services.len() > 2 * SERVICES_PER_CHUNK,
        "the dump spans several chunks"
    );

    // Filtered, and with proximity (each pair's own location within the distance).
    for filter in ["search=eenzaam", "postcode=3552&proximity=1500"] {
        let dump = ndjson(&format!(
            "/hsds/service_at_locations?format=ndjson&{filter}"
        ))
        .await;
        assert!(!dump.is_empty(), "{filter}");
        for per_page in [3, 100] {
            let (total, paged) =
                all_pages(&format!("/hsds/service_at_locations?{filter}"), per_page).await;
            assert_eq!(total, dump.len(), "{filter} per_page {per_page}");
            assert_eq!(pair_keys(&paged), pair_keys(&dump), "{filter}");
        }
    }
    let near =
        ndjson("/hsds/service_at_locations?format=ndjson&postcode=3552&proximity=1500").await;
    let near_services: HashSet<&str> = near
        .iter()
        .map(|p| p["service_id"].as_str().unwrap())
        .collect();
    let services_near = ndjson("/hsds/services?format=ndjson&postcode=3552&proximity=1500").await;
    assert_eq!(
        near_services,
        services_near
            .iter()
            .map(|s| s["id"].as_str().unwrap())
            .collect::<HashSet<_>>(),
        "every service found near has a pair near, and no other"
    );
}

/// Clients that disconnect midway, and one that reads slowly, leave the server whole: the slow
/// one gets everything, and requests after them are answered.
async fn clients_that_leave_or_dawdle_do_not_hurt_the_server() {
    let total = json("/hsds/services?per_page=1").await["total_items"]
        .as_u64()
        .unwrap() as usize;
    for _ in 0..12 {
        let mut response = http()
            .get(url("/hsds/services?format=ndjson&full=true"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let first = response
            .chunk()
            .await
            .expect("read")
            .expect("a first chunk");
        assert!(!first.is_empty());
        // Dropped here, midway: the connection closes.
    }

    let mut slow = http()
        .get(url("/hsds/services?format=ndjson&full=true"))
        .send()
        .await
        .unwrap();
    let mut body = Vec::new();
    while let Some(chunk) = slow.chunk().await.expect("the slow read completes") {
        body.extend_from_slice(&chunk);
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let lines = String::from_utf8(body).unwrap();
    let ids: Vec<String> = lines
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids.len(), total);
    assert_unique(&ids, "slow dump");

    // And the server answers as before.
    assert_eq!(
        json("/hsds/services?per_page=3").await["contents"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(ndjson("/hsds/services?format=ndjson").await.len(), total);
    let health = http().get(url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}

/// The request timeout covers the start of a response, not the streaming of a dump: a client
/// that takes longer than the timeout to read a dump still gets all of it.
#[tokio::test]
async fn a_dump_outlasts_the_request_timeout() {
    let timeout = Duration::from_secs(2);
    let server = demo_without_rate_limits(None, timeout);
    let mut response = http()
        .get(format!(
            "{}/hsds/services?format=ndjson&full=true",
            server.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut body = response
        .chunk()
        .await
        .unwrap()
        .expect("a first chunk")
        .to_vec();
    tokio::time::sleep(timeout + Duration::from_secs(1)).await;
    while let Some(chunk) = response.chunk().await.expect("not cut off") {
        body.extend_from_slice(&chunk);
    }
    let lines = String::from_utf8(body).unwrap();
    let total = http()
        .get(format!("{}/hsds/services?per_page=1", server.base))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["total_items"]
        .as_u64()
        .unwrap();
    assert_eq!(lines.lines().count() as u64, total);
    assert!(total as usize > SERVICES_PER_CHUNK);
}

common::tests_on_both_servers!(
    every_item_once_across_chunks,
    filtered_dumps_hold_what_their_pages_hold,
    service_at_location_pages_add_up,
    clients_that_leave_or_dawdle_do_not_hurt_the_server,
);
