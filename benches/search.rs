//! Search on a realistic 100,000-service index, in process (no database, no HTTP).
//!
//! The corpus is what `wijkwijzer generate --services 100000 --seed 42` writes, built without a
//! database: the same templates (the shipped demo services), the same random choices (same
//! generator `geo::XorShift64`, same seed, same order of draws as `demo::synthetic`), the same points (`Geography::random_point_in`)
//! and the same neighbourhood assignment (`Geography::locate`), turned into index documents by
//! the indexer's own `build_document`. It is indexed the way `Indexer::rebuild` does it: batches
//! of 1,000 into `begin_rebuild`, then `finish` (commit and merge into one segment).
//!
//! The build is timed once and printed (it is not a criterion iteration), followed by a quick
//! median/p99 table of every query; then criterion measures the same queries.
//!
//! ```sh
//! cargo bench --bench search
//! WIJKWIJZER_BENCH_SERVICES=10000 cargo bench --bench search   # a smaller corpus
//! ```
//!
//! Requests are parsed from query strings by `wijkwijzer::query::parse`, exactly like the
//! `/api/v1/search` handler does, so the figures compare directly with `scripts/load.sh`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use uuid::Uuid;

use wijkwijzer::demo::DemoFile;
use wijkwijzer::domain::vocabulary::namespace;
use wijkwijzer::domain::{Location, Organization, Placement, ServiceArea, ServiceRecord};
use wijkwijzer::domain::{Service, Vocabulary};
use wijkwijzer::geo::{Geography, Level, XorShift64};
use wijkwijzer::indexer::build_document;
use wijkwijzer::search::{SearchDocument, SearchIndex, SearchRequest};

const DEFAULT_SERVICES: usize = 100_000;
const SEED: u64 = 42;
/// As in `demo::synthetic`.
const SERVICES_PER_ORGANIZATION: usize = 5;
/// As in `indexer` (services per batch during a rebuild).
const BATCH: usize = 1_000;

/// Words + neighbourhood (+ facet filters); facet counts are computed for every search.
const WORDS_AREA: &[(&str, &str)] = &[
    ("eenzaam_WK034403", "q=eenzaam&area=WK034403"),
    ("schulden_GM0344", "q=schulden&area=GM0344"),
    (
        "ik_voel_me_alleen_WK034408",
        "q=ik+voel+me+alleen&area=WK034408",
    ),
    (
        "wandelen_GM0344_bewegen_free",
        "q=wandelen&area=GM0344&category=bewegen&free=ja",
    ),
];

/// Words + distance: postcode point, radius, nearest first.
const WORDS_DISTANCE: &[(&str, &str)] = &[
    (
        "wandelen_3562_2km",
        "q=wandelen&postcode=3562&radius_km=2&sort=distance",
    ),
    (
        "koffie_3511_2km",
        "q=koffie&postcode=3511&radius_km=2&sort=distance",
    ),
    (
        "schuldhulp_3431_5km",
        "q=schuldhulp&postcode=3431&radius_km=5&sort=distance",
    ),
];

/// Words as residents type them: slips, compounds apart, life-question variants, a postcode
/// that blends distance into the order, and words that together find nothing (relaxation).
const FORGIVING: &[(&str, &str)] = &[
    ("typo_eenzaamhied", "q=eenzaamhied"),
    (
        "split_compound_schuldhulp_verlening",
        "q=schuldhulp+verlening",
    ),
    (
        "life_question_variant_3562",
        "q=ik+voel+mij+zo+alleen&postcode=3562",
    ),
    ("blend_eenzaam_3562", "q=eenzaam&postcode=3562"),
    ("relaxed_koffie_zwemmen_xyzzy", "q=koffie+zwemmen+xyzzy"),
];

/// No text: filters only, sorted by name.
const NO_TEXT: &[(&str, &str)] = &[
    ("category_geld_name", "category=geld&sort=name"),
    (
        "category_eenzaamheid_WK034403_name",
        "category=eenzaamheid&area=WK034403&sort=name",
    ),
];

/// The random choices for one service, drawn sequentially (cheap); points are placed later,
/// in parallel (point-in-polygon sampling is the expensive part).
struct Plan {
    organization: usize,
    template: usize,
    wijk: usize,
    point_seed: Option<u64>,
    wheelchair: bool,
}

struct Corpus {
    docs: Vec<SearchDocument>,
    located: usize,
}

fn build_corpus(geo: &Geography, vocabulary: &Vocabulary, count: usize) -> Corpus {
    let demo = DemoFile::embedded().expect("embedded demo data");
    let wijken: Vec<&str> = geo
        .all()
        .filter(|n| n.level == Level::Wijk)
        .map(|n| n.code.as_str())
        .collect();
    let ns = namespace();
    let key =
        |kind: &str, i: usize| Uuid::new_v5(&ns, format!("synthetic:{SEED}:{kind}:{i}").as_bytes());

    // The draws, in the order `demo::synthetic::generate` makes them.
    let mut rng = XorShift64::new(SEED);
    let mut organizations: Vec<Organization> = Vec::new();
    let mut plans = Vec::with_capacity(count);
    for i in 0..count {
        if i % SERVICES_PER_ORGANIZATION == 0 {
            let template = &demo.organizations[rng.below(demo.organizations.len())];
            organizations.push(Organization {
                id: key("organization", i),
                name: format!("{} {}", template.name, i / SERVICES_PER_ORGANIZATION + 1),
                ..template.clone()
            });
        }
        let template = rng.below(demo.services.len());
        let wijk = rng.below(wijken.len());
        let located = !demo.services[template].location_ids.is_empty();
        let point_seed = located.then(|| rng.next_u64());
        let wheelchair = located && rng.below(3) > 0;
        plans.push(Plan {
            organization: organizations.len() - 1,
            template,
            wijk,
            point_seed,
            wheelchair,
        });
    }

    let record = |i: usize, plan: &Plan| -> ServiceRecord {
        let organization = organizations[plan.organization].clone();
        let template: &Service = &demo.services[plan.template];
        let wijk = wijken[plan.wijk];
        let mut service = template.clone();
        service.id = key("service", i);
        service.organization_id = organization.id;
        for s in &mut service.schedules {
            s.id = None;
        }
        for c in &mut service.contacts {
            c.id = None;
        }
        let mut locations = Vec::new();
        match plan.point_seed {
            None => {
                service.location_ids.clear();
                service.service_areas = vec![ServiceArea {
                    code: Some(wijk.to_string()),
                    ..Default::default()
                }];
            }
            Some(seed) => {
                let (latitude, longitude) = geo
                    .random_point_in(wijk, seed)
                    .unwrap_or_else(|| panic!("no point found in {wijk}"));
                let placed = geo.locate(latitude, longitude);
                let location = Location {
                    id: key("location", i),
                    organization_id: Some(organization.id),
                    name: Some(format!("Locatie {}", i + 1)),
                    description: None,
                    latitude: Some(latitude),
                    longitude: Some(longitude),
                    address: None,
                    wheelchair_accessible: Some(plan.wheelchair),
                    transportation: None,
                    placement: Placement {
                        gemeente: placed.gemeente,
                        wijk: placed.wijk,
                        buurt: placed.buurt,
                    },
                };
                service.location_ids = vec![location.id];
                service.service_areas.clear();
                locations.push(location);
            }
        }
        // As the store returns them.
        service.categories.sort();
        service.target_groups.sort();
        service.languages.sort();
        ServiceRecord {
            service,
            organization,
            locations,
            last_modified: time::OffsetDateTime::UNIX_EPOCH,
        }
    };

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = count.div_ceil(threads).max(1);
    let docs: Vec<SearchDocument> = std::thread::scope(|scope| {
        let workers: Vec<_> = plans
            .chunks(chunk)
            .enumerate()
            .map(|(c, plans)| {
                let record = &record;
                scope.spawn(move || {
                    plans
                        .iter()
                        .enumerate()
                        .map(|(j, plan)| {
                            build_document(&record(c * chunk + j, plan), geo, vocabulary)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("corpus worker panicked"))
            .collect()
    });
    let located = plans.iter().filter(|p| p.point_seed.is_some()).count();
    Corpus { docs, located }
}

fn build_index(docs: &[SearchDocument]) -> (tempfile::TempDir, SearchIndex) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (index, _) = SearchIndex::open_or_create(dir.path()).expect("open index");
    let mut rebuild = index.begin_rebuild().expect("begin rebuild");
    for batch in docs.chunks(BATCH) {
        rebuild.add_batch(batch.to_vec()).expect("add batch");
    }
    rebuild.finish(1).expect("finish rebuild");
    (dir, index)
}

/// Each batch committed by its own short-lived `SearchIndex`, as separate `import` processes do.
fn feed_like_imports(docs: &[SearchDocument]) -> (tempfile::TempDir, SearchIndex) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (i, batch) in docs.chunks(BATCH).enumerate() {
        let (index, _) = SearchIndex::open_or_create(dir.path()).expect("open index");
        index
            .apply(batch.to_vec(), &[], i as i64 + 1)
            .expect("apply batch");
    }
    let (index, _) = SearchIndex::open_or_create(dir.path()).expect("reopen index");
    (dir, index)
}

fn latency_table(
    index: &SearchIndex,
    groups: &[(&str, &[(&str, &str)])],
    geo: &Geography,
    vocabulary: &Vocabulary,
) {
    const RUNS: usize = 300;
    println!(
        "{:<60} {:>7} {:>9} {:>9} {:>9}",
        format!("query ({RUNS} runs after 30 warm-up)"),
        "total",
        "p50 ms",
        "p99 ms",
        "max ms"
    );
    let mut all = Vec::new();
    for (group, cases) in groups {
        for (name, query) in cases.iter() {
            let request = parse(query, geo, vocabulary);
            let mut total = 0;
            for _ in 0..30 {
                total = index.search(&request).expect("search").total;
            }
            let mut samples: Vec<Duration> = (0..RUNS)
                .map(|_| {
                    let t = Instant::now();
                    black_box(index.search(black_box(&request)).expect("search"));
                    t.elapsed()
                })
                .collect();
            all.extend(samples.iter().copied());
            samples.sort();
            println!(
                "{:<60} {:>7} {:>9.3} {:>9.3} {:>9.3}",
                format!("{group}/{name}"),
                total,
                ms(percentile(&samples, 0.50)),
                ms(percentile(&samples, 0.99)),
                ms(*samples.last().expect("samples")),
            );
        }
    }
    let sum: Duration = all.iter().sum();
    println!(
        "{:<60} {:>7} {:>9.3} (mean of all queries)",
        "all",
        "",
        ms(sum / all.len().max(1) as u32)
    );
    println!();
}

fn parse(query: &str, geo: &Geography, vocabulary: &Vocabulary) -> SearchRequest {
    match wijkwijzer::query::parse(query, geo, vocabulary) {
        Ok(parsed) => parsed.request,
        Err(error) => panic!("bad benchmark query {query}: {error}"),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn benches(c: &mut Criterion) {
    let count = std::env::var("WIJKWIJZER_BENCH_SERVICES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_SERVICES);
    let geo = Geography::load_embedded().expect("geography");
    let vocabulary = Vocabulary::embedded().expect("vocabulary");

    let started = Instant::now();
    let corpus = build_corpus(&geo, &vocabulary, count);
    let corpus_time = started.elapsed();
    let started = Instant::now();
    let (_dir, index) = build_index(&corpus.docs);
    let build_time = started.elapsed();
    assert_eq!(index.doc_count(), count as u64, "every service indexed");
    println!();
    println!(
        "corpus: {count} services ({} with a location, {} with a service area only), \
         documents built in {:.2} s",
        corpus.located,
        count - corpus.located,
        corpus_time.as_secs_f64()
    );
    println!(
        "index build (begin_rebuild, {} batches of {BATCH}, finish incl. merge): {:.2} s",
        count.div_ceil(BATCH),
        build_time.as_secs_f64()
    );
    drop(corpus);

    let groups: [(&str, &[(&str, &str)]); 4] = [
        ("words_area_facets", WORDS_AREA),
        ("words_distance", WORDS_DISTANCE),
        ("no_text_category_name_sort", NO_TEXT),
        ("forgiving", FORGIVING),
    ];

    // A plain latency table first: criterion reports means and medians but no tail.
    println!();
    println!("index built by a rebuild (one segment):");
    latency_table(&index, &groups, &geo, &vocabulary);

    // The same documents fed the way a hundred `import` runs feed them: each run commits its
    // batch and ends (merges still running are lost). Then what the service does when idle.
    if std::env::var("WIJKWIJZER_BENCH_FEED").is_ok_and(|v| v == "imports") {
        let started = Instant::now();
        let (_fed_dir, fed) = feed_like_imports(&build_corpus(&geo, &vocabulary, count).docs);
        println!(
            "fed in {} imports of {BATCH}: {:.2} s, {} segments",
            count.div_ceil(BATCH),
            started.elapsed().as_secs_f64(),
            fed.segment_count()
        );
        latency_table(&fed, &groups, &geo, &vocabulary);
        let started = Instant::now();
        let merged = fed.compact_if_fragmented().expect("compact");
        println!(
            "after compact_if_fragmented (merged: {merged}, {:.2} s): {} segments",
            started.elapsed().as_secs_f64(),
            fed.segment_count()
        );
        latency_table(&fed, &groups, &geo, &vocabulary);
    }

    for (group, cases) in groups {
        let mut g = c.benchmark_group(group);
        for (name, query) in cases {
            let request = parse(query, &geo, &vocabulary);
            g.bench_function(*name, |b| {
                b.iter(|| index.search(black_box(&request)).expect("search"))
            });
        }
        g.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = search;
    config = config();
    targets = benches
}
criterion_main!(search);
