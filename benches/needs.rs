//! "Wat heeft elke wijk nodig" (issue 14, part 5): the report of gemeente Utrecht with 1,000
//! and 10,000 generated referrals (inserted through the store, spread over its wijken, 1–3
//! reasons each) on SQLite with the Utrecht demo data. Prints the median and slowest of 20
//! runs of `Needs::report` (the two queries, aggregation, suppression, gap rule) per size.
//!
//! ```sh
//! cargo bench --bench needs
//! WIJKWIJZER_BENCH_REFERRALS=1000,10000,100000 cargo bench --bench needs
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use uuid::Uuid;

use wijkwijzer::auth::{Actor, Role, UserActor};
use wijkwijzer::config::Config;
use wijkwijzer::geo::{Level, XorShift64};
use wijkwijzer::needs::{Needs, NeedsQuery};
use wijkwijzer::store::referrals::{NewReferral, SealedFields};

const RUNS: usize = 20;

fn main() {
    let sizes: Vec<usize> = std::env::var("WIJKWIJZER_BENCH_REFERRALS")
        .unwrap_or_else(|_| "1000,10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for n in sizes {
            run(n).await;
        }
    });
}

async fn run(n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(dir.path().to_path_buf(), None);
    config.demo_data = Some(true);
    let catalog = wijkwijzer::app::prepare(&config).await.unwrap();
    let wijken: Vec<String> = catalog
        .geo
        .children("GM0344")
        .into_iter()
        .filter(|w| w.level == Level::Wijk)
        .map(|w| w.code.clone())
        .collect();
    let categories: Vec<String> = catalog
        .vocabulary
        .terms()
        .iter()
        .filter(|t| t.taxonomy_code == wijkwijzer::domain::vocabulary::CATEGORY_TAXONOMY)
        .map(|t| t.code.clone())
        .collect();
    let routes = [
        ("zelf", "inwoner"),
        ("welzijn", "buurtteam"),
        ("zorg", "huisarts"),
    ];
    let mut rng = XorShift64::new(42);
    let start = Instant::now();
    let now = time::OffsetDateTime::now_utc();
    for i in 0..n {
        let chosen: Vec<String> = (0..1 + rng.below(3))
            .map(|_| categories[rng.below(categories.len())].clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let (route, role) = routes[rng.below(routes.len())];
        let wijk = &wijken[rng.below(wijken.len())];
        let code = format!("B{i:09}");
        catalog
            .store
            .insert_referral(&NewReferral {
                id: Uuid::new_v4(),
                code: &code,
                service_id: Uuid::new_v4(),
                organization_id: Uuid::new_v4(),
                route,
                via_intake: false,
                referrer_id: None,
                referrer_role: role,
                referrer_organisation: "",
                wijk_code: Some(wijk),
                preferred_channel: "telefoon",
                categories: &chosen,
                consent_version: "bench",
                at: now - time::Duration::minutes(rng.below(500_000) as i64),
                sealed: SealedFields::default(),
                duplicate_tag: Uuid::new_v4().as_bytes().to_vec(),
            })
            .await
            .unwrap();
    }
    eprintln!("{n} referrals inserted in {:.1?}", start.elapsed());
    let needs = Needs::new(
        catalog.store.clone(),
        catalog.geo.clone(),
        Arc::clone(&catalog.vocabulary),
        catalog.freshness,
        config.region.gemeenten.clone(),
    );
    let admin = Actor::User(UserActor {
        id: Uuid::new_v4(),
        email: "bench@example.org".into(),
        name: "Bench".into(),
        roles: vec![Role::Administrator],
    });
    let query = NeedsQuery {
        gemeente: "GM0344".into(),
        ..Default::default()
    };
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        let report = needs
            .report(&admin, &query, wijkwijzer::domain::freshness::today())
            .await
            .unwrap();
        times.push(t.elapsed());
        std::hint::black_box(report);
    }
    times.sort();
    println!(
        "needs report, {n} referrals, {} wijken: median {:.1?}, slowest {:.1?}",
        wijken.len(),
        times[RUNS / 2],
        times[RUNS - 1]
    );
    catalog.store.close().await;
}
