//! Tests for the search module, on in-RAM or temp-dir indexes.

use std::collections::HashMap;

use uuid::Uuid;

use super::analysis::Analysis;
use super::collector::haversine_m;
use super::query::fuzzy_distance;
use super::vocabulary::{LIFE_QUESTIONS_TXT, SYNONYMS_TXT, Vocabulary};
use super::*;

// ---------------------------------------------------------------------------------------------
// Fixtures

fn svc(name: &str) -> SearchDocument {
    SearchDocument {
        service_id: Uuid::new_v4(),
        name: name.to_string(),
        alternate_name: None,
        organization_name: "Stichting Proef".to_string(),
        description: "Een activiteit in de wijk.".to_string(),
        category_codes: Vec::new(),
        category_labels: Vec::new(),
        target_group_codes: Vec::new(),
        target_group_labels: Vec::new(),
        language_codes: Vec::new(),
        language_labels: Vec::new(),
        area_codes: Vec::new(),
        facet_wijken: Vec::new(),
        served_area_codes: Vec::new(),
        area_anchor: None,
        points: Vec::new(),
        location_count: 0,
        access_route: "open".to_string(),
        cost: "free".to_string(),
        welzijn_op_recept: false,
        accepts_referrals: false,
        days: Vec::new(),
        minimum_age: None,
        maximum_age: None,
        organization_id: Uuid::nil(),
        taxonomy_term_ids: Vec::new(),
        last_modified: 0,
        version: 0,
        sessions: Vec::new(),
        summary: name.as_bytes().to_vec(),
        assured_date: None,
        temporarily_closed: false,
        withdrawn: false,
    }
}

fn with(mut doc: SearchDocument, change: impl FnOnce(&mut SearchDocument)) -> SearchDocument {
    change(&mut doc);
    doc
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

fn point(latitude: f64, longitude: f64) -> GeoPoint {
    GeoPoint {
        latitude,
        longitude,
    }
}

struct Fixture {
    index: SearchIndex,
    names: HashMap<Uuid, String>,
}

impl Fixture {
    /// Each inner Vec is applied as its own commit (= its own segment), so cross-segment
    /// merging is exercised.
    fn with_batches(batches: Vec<Vec<SearchDocument>>) -> Fixture {
        let index = SearchIndex::in_ram().expect("in-RAM index");
        let mut names = HashMap::new();
        for (i, batch) in batches.into_iter().enumerate() {
            for doc in &batch {
                names.insert(doc.service_id, doc.name.clone());
            }
            index.apply(batch, &[], i as i64 + 1).expect("apply");
        }
        Fixture { index, names }
    }

    fn new(docs: Vec<SearchDocument>) -> Fixture {
        Self::with_batches(vec![docs])
    }

    fn run(&self, request: &SearchRequest) -> SearchResults {
        self.index.search(request).expect("search")
    }

    fn names(&self, results: &SearchResults) -> Vec<String> {
        results
            .hits
            .iter()
            .map(|h| self.names.get(&h.service_id).cloned().unwrap_or_default())
            .collect()
    }

    fn text(&self, text: &str) -> Vec<String> {
        self.names(&self.run(&text_request(text)))
    }

    fn sorted_text(&self, text: &str) -> Vec<String> {
        let mut names = self.text(text);
        names.sort();
        names
    }
}

fn text_request(text: &str) -> SearchRequest {
    SearchRequest {
        text: Some(text.to_string()),
        limit: 100,
        ..SearchRequest::default()
    }
}

fn count(facets: &[FacetCount], code: &str) -> u64 {
    facets
        .iter()
        .find(|f| f.code == code)
        .map_or(0, |f| f.count)
}

// ---------------------------------------------------------------------------------------------
// Analysis

#[test]
fn analysis_folds_accents_removes_stop_words_and_stems_dutch() {
    let mut analysis = Analysis::new().expect("analysis");
    let term = |analysis: &mut Analysis, word: &str| analysis.words(word, 5)[0].term.clone();
    assert_eq!(term(&mut analysis, "Café"), term(&mut analysis, "cafe"));
    assert_eq!(term(&mut analysis, "cliënt"), term(&mut analysis, "client"));
    assert_eq!(
        term(&mut analysis, "wandelingen"),
        term(&mut analysis, "wandeling")
    );
    assert_eq!(
        term(&mut analysis, "ouderen"),
        term(&mut analysis, "oudere")
    );
    assert_ne!(
        term(&mut analysis, "ouderen"),
        term(&mut analysis, "jongeren")
    );
    assert_eq!(term(&mut analysis, "de"), None, "'de' is a Dutch stop word");
    assert_eq!(term(&mut analysis, "ik"), None, "'ik' is a Dutch stop word");
    let words = analysis.words(r#"a"(b:c*)"#, 10);
    assert_eq!(
        words.iter().map(|w| w.folded.as_str()).collect::<Vec<_>>(),
        ["a", "b", "c"],
        "syntax characters are separators"
    );
}

#[test]
fn search_folds_accents_and_stems() {
    let f = Fixture::new(vec![
        with(svc("Taalcafé De Boog"), |d| {
            d.description = "Samen Nederlands spreken.".into()
        }),
        with(svc("Onafhankelijk advies"), |d| {
            d.description = "Hulp voor iedere cliënt bij een keukentafelgesprek.".into()
        }),
        with(svc("Wandelingen in het park"), |_| {}),
        with(svc("Koor voor oudere buurtbewoners"), |_| {}),
    ]);
    assert_eq!(f.text("taalcafe"), ["Taalcafé De Boog"]);
    assert_eq!(f.text("client"), ["Onafhankelijk advies"]);
    assert_eq!(f.text("wandeling"), ["Wandelingen in het park"]);
    assert_eq!(f.text("ouderen"), ["Koor voor oudere buurtbewoners"]);
}

// ---------------------------------------------------------------------------------------------
// Fuzzy

#[test]
fn fuzzy_distance_depends_on_word_length() {
    assert_eq!(fuzzy_distance(4), 0);
    assert_eq!(fuzzy_distance(5), 1);
    assert_eq!(fuzzy_distance(8), 1);
    assert_eq!(fuzzy_distance(9), 2);
}

#[test]
fn typos_in_longer_words_are_tolerated_but_rank_below_exact_matches() {
    let f = Fixture::new(vec![
        svc("Wandelgroep Lunetten"),
        svc("Koekcafe"),
        svc("Kookcafe"),
        svc("Taal"),
    ]);
    // 10 characters: distance 2 allowed.
    assert_eq!(f.text("wandelgrop"), ["Wandelgroep Lunetten"]);
    let results = f.run(&text_request("kookcafe"));
    assert_eq!(f.names(&results), ["Kookcafe", "Koekcafe"]);
    assert!(results.hits[0].score > results.hits[1].score);
    assert_eq!(results.interpreted.fuzzy_terms, ["kookcafe"]);
    // Words of 4 characters get no typo tolerance.
    assert!(f.text("tall").is_empty());
}

#[test]
fn common_words_are_not_fuzzy_expanded() {
    let mut docs: Vec<SearchDocument> =
        (0..5).map(|i| svc(&format!("Buurtmaaltijd {i}"))).collect();
    docs.push(svc("Buurtmaaltijk"));
    let f = Fixture::new(docs);
    let results = f.run(&text_request("buurtmaaltijd"));
    assert_eq!(results.total, 5, "frequent word: exact matches only");
    assert!(results.interpreted.fuzzy_terms.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Relevance

#[test]
fn name_outranks_labels_outranks_organisation_outranks_description() {
    let f = Fixture::new(vec![
        with(svc("Kookles Oost"), |d| {
            d.description = "Een zwemles in de wijk.".into()
        }),
        with(svc("Kookles Zuid"), |d| {
            d.organization_name = "Stichting Zwemles".into()
        }),
        with(svc("Kookles West"), |d| {
            d.category_labels = strings(&["Zwemles"])
        }),
        with(svc("Zwemles Noord"), |d| {
            d.category_labels = strings(&["Sport"])
        }),
    ]);
    assert_eq!(
        f.text("zwemles"),
        [
            "Zwemles Noord",
            "Kookles West",
            "Kookles Zuid",
            "Kookles Oost"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Interpretation: life questions, synonyms, concepts

fn social_fixture() -> Fixture {
    Fixture::new(vec![
        with(svc("Maatjesproject Overvecht"), |d| {
            d.description = "Een vrijwilliger komt wekelijks op bezoek voor een praatje.".into();
            d.category_codes = strings(&["eenzaamheid", "eenzaamheid/maatjes"]);
            d.category_labels = strings(&["Eenzaamheid & sociaal netwerk", "Maatjes"]);
            d.target_group_codes = strings(&["ouderen-65"]);
            d.target_group_labels = strings(&["Ouderen (65+)"]);
        }),
        with(svc("Huisbezoek 75+"), |d| {
            d.description = "Wij komen langs om kennis te maken.".into();
            d.category_codes = strings(&["eenzaamheid", "eenzaamheid/huisbezoek-75"]);
            d.category_labels = strings(&["Eenzaamheid & sociaal netwerk", "Huisbezoek 75+"]);
        }),
        with(svc("Ouderenkoor Zuilen"), |d| {
            d.description = "Zingen met ouderen uit de buurt.".into();
            d.category_codes = strings(&["ontmoeting"]);
            d.category_labels = strings(&["Ontmoeting & meedoen"]);
        }),
        with(svc("Budgetspreekuur"), |d| {
            d.description = "Heeft u geldzorgen? Kom langs.".into();
            d.category_codes = strings(&["geld"]);
            d.category_labels = strings(&["Geld & bestaanszekerheid"]);
        }),
        with(svc("Kookclub"), |d| {
            d.description = "Ik voel me soms alleen, zei een deelnemer; nu koken we samen.".into();
            d.category_codes = strings(&["ontmoeting"]);
            d.category_labels = strings(&["Ontmoeting & meedoen"]);
        }),
        with(svc("Taalcafé Kanaleneiland"), |d| {
            d.description = "Oefen je Nederlands met buurtgenoten.".into();
            d.category_codes = strings(&["taal-digitaal", "taal-digitaal/taalcafe"]);
            d.category_labels = strings(&["Taal & digitale vaardigheden", "Taalcafé"]);
        }),
        with(svc("Steunpunt Mantelzorg"), |d| {
            d.description = "Ondersteuning voor mantelzorgers.".into();
            d.category_codes = strings(&["mantelzorg"]);
        }),
        with(svc("Buurtkamer"), |d| {
            d.description = "Wij zorgen voor koffie en een goed gesprek.".into();
        }),
    ])
}

#[test]
fn life_question_finds_category_even_without_its_words() {
    let f = social_fixture();
    let results = f.run(&text_request("ik voel me alleen"));
    let names = f.names(&results);
    // Both eenzaamheid services (their texts never say "alleen"), category matches first,
    // then the service that merely contains the words.
    assert_eq!(names.len(), 3, "{names:?}");
    assert_eq!(names[2], "Kookclub");
    assert!(names[..2].contains(&"Maatjesproject Overvecht".to_string()));
    assert!(names[..2].contains(&"Huisbezoek 75+".to_string()));
    assert_eq!(results.interpreted.suggested_categories(), ["eenzaamheid"]);
    assert_eq!(
        results.interpreted.life_questions[0].matched,
        "ik voel me alleen"
    );
}

#[test]
fn life_question_is_found_anywhere_in_the_query() {
    let f = social_fixture();
    let results = f.run(&text_request("Hallo, ik heb schulden!"));
    // "hallo" is a filler word (index/fillers.txt): skipped, and said so.
    assert_eq!(f.names(&results), ["Budgetspreekuur"]);
    assert_eq!(results.interpreted.ignored, ["hallo"]);
    assert!(results.interpreted.relaxed.is_none());
    // A word that is no filler and occurs nowhere is left out by relaxation, and said so.
    let results = f.run(&text_request("Goeiedag, ik heb schulden!"));
    assert_eq!(f.names(&results), ["Budgetspreekuur"]);
    let relaxed = results.interpreted.relaxed.as_ref().expect("relaxed");
    assert_eq!(relaxed.dropped, ["goeiedag"]);
    assert_eq!(relaxed.used, ["ik heb schulden"]);
    assert_eq!(results.interpreted.suggested_categories(), ["geld"]);
    assert_eq!(f.text("ik heb schulden"), ["Budgetspreekuur"]);
}

#[test]
fn synonyms_map_resident_words_to_professional_words() {
    let f = social_fixture();
    // "schuld" is not a life question; its synonym group contains "geldzorgen".
    let results = f.run(&text_request("schuld"));
    assert_eq!(f.names(&results), ["Budgetspreekuur"]);
    assert!(
        results.interpreted.synonyms[0]
            .alternatives
            .contains(&"geldzorgen".to_string())
    );
    // Multi-word synonym entry.
    assert_eq!(f.text("nederlands oefenen"), ["Taalcafé Kanaleneiland"]);
}

#[test]
fn one_way_synonyms_do_not_expand_backwards() {
    let f = social_fixture();
    // "zorgen voor" => mantelzorg: finds the carers' service (and the literal words).
    assert_eq!(
        f.sorted_text("zorgen voor"),
        ["Buurtkamer", "Steunpunt Mantelzorg"]
    );
    // but "mantelzorg" must not find everything that says "zorgen".
    assert_eq!(f.text("mantelzorg"), ["Steunpunt Mantelzorg"]);
}

#[test]
fn concepts_are_combined_with_and() {
    let f = social_fixture();
    assert_eq!(f.text("eenzaam ouderen"), ["Maatjesproject Overvecht"]);
    assert_eq!(
        f.sorted_text("ouderen"),
        ["Maatjesproject Overvecht", "Ouderenkoor Zuilen"]
    );
}

// ---------------------------------------------------------------------------------------------
// Filters

fn filter_fixture() -> Fixture {
    Fixture::with_batches(vec![
        vec![
            with(svc("Alpha"), |d| {
                d.category_codes = strings(&["bewegen", "bewegen/wandelgroep"]);
                d.target_group_codes = strings(&["ouderen-65"]);
                d.area_codes = strings(&["GM0344", "WK034401", "BU03440101"]);
                d.facet_wijken = strings(&["WK034401"]);
                d.access_route = "open".into();
                d.cost = "free".into();
                d.welzijn_op_recept = true;
                d.days = vec![1, 3];
                d.minimum_age = Some(55);
            }),
            with(svc("Bravo"), |d| {
                d.category_codes = strings(&["bewegen", "bewegen/valpreventie"]);
                d.target_group_codes = strings(&["ouderen-75"]);
                d.area_codes = strings(&["GM0344", "WK034402"]);
                d.facet_wijken = strings(&["WK034402"]);
                d.access_route = "huisarts".into();
                d.cost = "contribution".into();
                d.days = vec![2];
                d.minimum_age = Some(75);
            }),
        ],
        vec![
            with(svc("Charlie"), |d| {
                d.category_codes = strings(&["jeugd-gezin", "jeugd-gezin/jongerenwerk"]);
                d.target_group_codes = strings(&["jongeren"]);
                d.area_codes = strings(&["GM0344", "WK034401"]);
                d.facet_wijken = strings(&["WK034401"]);
                d.access_route = "buurtteam".into();
                d.cost = "free".into();
                d.days = vec![3, 5];
                d.minimum_age = Some(12);
                d.maximum_age = Some(18);
            }),
            with(svc("Delta"), |d| {
                d.category_codes = strings(&["geld", "geld/schuldhulp"]);
                d.area_codes = strings(&["GM0356"]);
                d.access_route = "wmo".into();
                d.cost = "price".into();
                d.welzijn_op_recept = true;
            }),
        ],
    ])
}

fn filter_names(f: &Fixture, request: SearchRequest) -> Vec<String> {
    let mut names = f.names(&f.run(&SearchRequest {
        sort: SortOrder::Name,
        limit: 100,
        ..request
    }));
    names.sort();
    names
}

#[test]
fn every_filter_restricts_the_results() {
    let f = filter_fixture();
    let r = SearchRequest::default;
    assert_eq!(
        filter_names(&f, r()),
        ["Alpha", "Bravo", "Charlie", "Delta"]
    );
    assert_eq!(
        filter_names(
            &f,
            SearchRequest {
                area_code: Some("WK034401".into()),
                ..r()
            }
        ),
        ["Alpha", "Charlie"]
    );
    // A parent code matches services in its sub-terms; several codes are OR-ed.
    assert_eq!(
        filter_names(
            &f,
            SearchRequest {
                categories: strings(&["bewegen"]),
                ..r()
            }
        ),
        ["Alpha", "Bravo"]
    );
    assert_eq!(
        filter_names(
            &f,
            SearchRequest {
                categories: strings(&["bewegen/valpreventie", "geld"]),
                ..r()
            }
        ),
        ["Bravo", "Delta"]
    );
    assert_eq!(
        filter_names(
            &f,
            SearchRequest {
                target_groups: strings(&["ouderen-75", "jongeren"]),
                ..r()
            }
        ),
        ["Bravo", "Charlie"]
    );
    assert_eq!(
        filter_names(
            &f,
            SearchRequest {
                free_only: true,
                ..r()
            }
        ),
        ["Alpha", "Charlie"]
    );
    assert_eq!(
        filter_names(
            &f,
            SearchRequest {
                access: Some(AccessFilter::OpenToAll),
                ..r()
            }
        ),
        ["Alpha"]
    );
    assert_eq!(
        filter_names(
            &f,
            SearchRequest {
                access: Some(AccessFilter::NeedsReferral),
                ..r()
            }
        ),
        ["Bravo", "Charlie", "Delta"]
    );
    assert_eq!(
        filter_names(
            &f,
            SearchRequest {
                welzijn_op_recept: Some(true),
                ..r()
            }
        ),
        ["Alpha", "Delta"]
    );
    assert_eq!(
        filter_names(
            &f,
            SearchRequest {
                welzijn_op_recept: Some(false),
                ..r()
            }
        ),
        ["Bravo", "Charlie"]
    );
    assert_eq!(
        filter_names(
            &f,
            SearchRequest {
                days: vec![3],
                ..r()
            }
        ),
        ["Alpha", "Charlie"]
    );
    // Age: missing bounds are unbounded (Delta has none).
    assert_eq!(
        filter_names(
            &f,
            SearchRequest {
                age: Some(15),
                ..r()
            }
        ),
        ["Charlie", "Delta"]
    );
    assert_eq!(
        filter_names(
            &f,
            SearchRequest {
                age: Some(80),
                ..r()
            }
        ),
        ["Alpha", "Bravo", "Delta"]
    );
    assert_eq!(
        filter_names(
            &f,
            SearchRequest {
                age: Some(60),
                ..r()
            }
        ),
        ["Alpha", "Delta"]
    );
    // Combined.
    assert_eq!(
        filter_names(
            &f,
            SearchRequest {
                area_code: Some("GM0344".into()),
                free_only: true,
                days: vec![1],
                ..r()
            }
        ),
        ["Alpha"]
    );
}

#[test]
fn invalid_requests_are_rejected() {
    let f = filter_fixture();
    for request in [
        SearchRequest {
            days: vec![0],
            ..SearchRequest::default()
        },
        SearchRequest {
            days: vec![8],
            ..SearchRequest::default()
        },
        SearchRequest {
            sort: SortOrder::Distance,
            ..SearchRequest::default()
        },
        SearchRequest {
            near: Some(Near {
                point: point(f64::NAN, 5.0),
                radius_m: None,
                covering_codes: Vec::new(),
            }),
            ..SearchRequest::default()
        },
        SearchRequest {
            near: Some(Near {
                point: point(52.0, 5.0),
                radius_m: Some(-1.0),
                covering_codes: Vec::new(),
            }),
            ..SearchRequest::default()
        },
    ] {
        assert!(
            matches!(
                f.index.search(&request),
                Err(SearchError::InvalidRequest(_))
            ),
            "{request:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Distance

fn distance_fixture() -> Fixture {
    Fixture::with_batches(vec![
        vec![
            with(svc("P1 1,1 km"), |d| d.points = vec![point(52.01, 5.0)]),
            with(svc("P2 1,4 km"), |d| d.points = vec![point(52.0, 5.02)]),
        ],
        vec![
            // Nearest of two points counts: 0.56 km.
            with(svc("P3 twee locaties"), |d| {
                d.points = vec![point(52.1, 5.0), point(52.005, 5.0)]
            }),
            with(svc("Zonder locatie, werkt in de wijk"), |d| {
                d.served_area_codes = strings(&["WK034401"])
            }),
            with(svc("Anders zonder locatie"), |_| {}),
            with(svc("Ver weg 11 km"), |d| d.points = vec![point(52.1, 5.0)]),
        ],
    ])
}

fn near(radius_m: Option<f64>) -> Near {
    Near {
        point: point(52.0, 5.0),
        radius_m,
        covering_codes: strings(&["BU03440101", "WK034401", "GM0344"]),
    }
}

#[test]
fn haversine_matches_known_distances() {
    // One hundredth of a degree of latitude is ~1112 m.
    let d = haversine_m(&point(52.0, 5.0), &point(52.01, 5.0));
    assert!((d - 1112.0).abs() < 2.0, "{d}");
    // Utrecht Centraal → Domtoren is about 1.0 km.
    let d = haversine_m(&point(52.0894, 5.1101), &point(52.0907, 5.1214));
    assert!((700.0..900.0).contains(&d), "{d}");
}

#[test]
fn distance_sort_is_ascending_with_unlocated_services_last_by_name() {
    let f = distance_fixture();
    let results = f.run(&SearchRequest {
        near: Some(near(None)),
        sort: SortOrder::Distance,
        ..SearchRequest::default()
    });
    // A service that works in the origin's wijk counts as on the doorstep, though it has no
    // location; one without a location that does not serve the area comes last.
    assert_eq!(
        f.names(&results),
        [
            "Zonder locatie, werkt in de wijk",
            "P3 twee locaties",
            "P1 1,1 km",
            "P2 1,4 km",
            "Ver weg 11 km",
            "Anders zonder locatie",
        ]
    );
    let distances: Vec<Option<f64>> = results.hits.iter().map(|h| h.distance_m).collect();
    assert!(
        (distances[1].unwrap_or(0.0) - 556.0).abs() < 3.0,
        "{distances:?}"
    );
    assert!(
        (distances[2].unwrap_or(0.0) - 1112.0).abs() < 3.0,
        "{distances:?}"
    );
    assert_eq!(distances[0], None);
    assert_eq!(distances[5], None);
    assert!(results.hits[0].serves_area);
    assert!(!results.hits[1].serves_area);
}

#[test]
fn radius_keeps_nearby_services_and_services_that_serve_the_area() {
    let f = distance_fixture();
    let results = f.run(&SearchRequest {
        near: Some(near(Some(1200.0))),
        sort: SortOrder::Distance,
        ..SearchRequest::default()
    });
    assert_eq!(
        f.names(&results),
        [
            "Zonder locatie, werkt in de wijk",
            "P3 twee locaties",
            "P1 1,1 km",
        ]
    );
    assert_eq!(results.total, 3);
    assert_eq!(
        results.facets.costs,
        [FacetCount {
            code: "free".into(),
            count: 3
        }]
    );
    // Relevance order still reports distances.
    let results = f.run(&SearchRequest {
        near: Some(near(Some(1200.0))),
        sort: SortOrder::Name,
        ..SearchRequest::default()
    });
    assert_eq!(results.total, 3);
    assert!(results.hits.iter().any(|h| h.distance_m.is_some()));
}

/// One point is read from the single-valued `sole_point` column, several (or one that packs
/// to a marker value, as latitude 0°, longitude 0° does) from the multi-valued `points`.
#[test]
fn sole_point_markers_leave_no_point_behind() {
    use super::schema::{NO_POINT, SEVERAL_POINTS, pack_point, sole_point};
    let utrecht = pack_point(&point(52.09, 5.12)).expect("valid");
    let null_island = pack_point(&point(0.0, 0.0)).expect("valid");
    assert_eq!(null_island, NO_POINT);
    assert_eq!(sole_point(&[]), NO_POINT);
    assert_eq!(sole_point(&[utrecht]), utrecht);
    assert_eq!(sole_point(&[utrecht, utrecht]), SEVERAL_POINTS);
    assert_eq!(sole_point(&[null_island]), SEVERAL_POINTS);

    let f = Fixture::with_batches(vec![vec![
        with(svc("Op nul graden"), |d| d.points = vec![point(0.0, 0.0)]),
        with(svc("Dichtbij nul"), |d| d.points = vec![point(0.001, 0.0)]),
        with(svc("Utrecht"), |d| d.points = vec![point(52.09, 5.12)]),
    ]]);
    let results = f.run(&SearchRequest {
        near: Some(Near {
            point: point(0.0, 0.0),
            radius_m: Some(500.0),
            covering_codes: Vec::new(),
        }),
        sort: SortOrder::Distance,
        ..SearchRequest::default()
    });
    assert_eq!(f.names(&results), ["Op nul graden", "Dichtbij nul"]);
    assert_eq!(results.hits[0].distance_m, Some(0.0));
}

/// The coarse radius filter (spatial-key cells, see `spatial.rs`) may only narrow what the
/// collector then tests exactly: over several segments, an update that moves services and a
/// delete, and again after merging the segments, a radius search finds exactly the services a
/// brute-force distance check finds.
#[test]
fn coarse_radius_filter_loses_nothing_across_segments_and_updates() {
    let mut seed: u64 = 7;
    let mut random = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut random_point = move || point(51.95 + 0.25 * random(), 4.95 + 0.5 * random());
    let amsterdam = point(52.37, 4.90);
    let mut current: HashMap<Uuid, SearchDocument> = HashMap::new();
    let mut created: Vec<Uuid> = Vec::new();
    let mut batches = Vec::new();
    for b in 0..4 {
        let mut batch = Vec::new();
        for i in 0..60 {
            let doc = with(svc(&format!("S{b}-{i}")), |d| match i % 6 {
                // Several points, the first (which gives the spatial key) far away.
                0 => d.points = vec![amsterdam, random_point()],
                // No point; serves a wijk, but is ordered far away.
                1 => {
                    d.served_area_codes = strings(&["WK034401"]);
                    d.area_anchor = Some(point(51.5, 6.0));
                }
                2 => {}
                // Outside the spatial key's box (clamped onto its edge), 3 km from the origin.
                3 if b == 0 => d.points = vec![point(51.0, 3.15)],
                _ => d.points = vec![random_point()],
            });
            current.insert(doc.service_id, doc.clone());
            created.push(doc.service_id);
            batch.push(doc);
        }
        batches.push(batch);
    }
    let f = Fixture::with_batches(batches);
    // Move ten services and delete five (chosen by creation order), in a commit of its own.
    let chosen: Vec<Uuid> = created.iter().step_by(7).copied().collect();
    let mut moved = Vec::new();
    for id in &chosen[..10] {
        let mut doc = current[id].clone();
        doc.points = vec![random_point()];
        current.insert(*id, doc.clone());
        moved.push(doc);
    }
    let deleted: Vec<Uuid> = chosen[10..15].to_vec();
    for id in &deleted {
        current.remove(id);
    }
    f.index.apply(moved, &deleted, 10).expect("apply");

    let check = |f: &Fixture| {
        let searcher = f.index.inner.reader.searcher();
        for segment in searcher.segment_readers() {
            let column = segment
                .fast_fields()
                .u64(super::schema::names::SPATIAL_KEY)
                .expect("spatial_key column");
            let keys: Vec<Option<u64>> = (0..segment.max_doc()).map(|d| column.first(d)).collect();
            assert!(keys.iter().all(Option::is_some), "every document has a key");
            assert!(
                keys.windows(2).all(|w| w[0] <= w[1]),
                "segment sorted by key"
            );
        }
        let mut checked = 0;
        for (origin, covering) in [
            (point(52.0894, 5.1101), Vec::new()),
            (point(52.0, 5.0), strings(&["WK034401"])),
            (point(52.156, 5.387), Vec::new()),
            (point(51.02, 3.16), Vec::new()),
        ] {
            for radius in [500.0, 1_500.0, 4_000.0] {
                let mut expected: Vec<Uuid> = current
                    .values()
                    .filter(|d| {
                        d.points.iter().any(|p| haversine_m(&origin, p) <= radius)
                            || d.served_area_codes.iter().any(|c| covering.contains(c))
                    })
                    .map(|d| d.service_id)
                    .collect();
                expected.sort();
                let results = f.run(&SearchRequest {
                    near: Some(Near {
                        point: origin,
                        radius_m: Some(radius),
                        covering_codes: covering.clone(),
                    }),
                    sort: SortOrder::Distance,
                    limit: 100,
                    ..SearchRequest::default()
                });
                assert!(expected.len() < 100, "the page must hold every match");
                let mut found: Vec<Uuid> = results.hits.iter().map(|h| h.service_id).collect();
                found.sort();
                assert_eq!(found, expected, "origin {origin:?}, radius {radius}");
                assert_eq!(results.total, expected.len());
                checked += expected.len();
            }
        }
        // Only worth something if the searches found services, including ones that the
        // coarse filter has to let through for their second point, their area or the clamp.
        assert!(checked > 60, "{checked}");
    };
    assert!(f.index.inner.reader.searcher().segment_readers().len() > 1);
    check(&f);

    // Merged segments must stay sorted (tantivy merges sorted segments by the key).
    {
        let mut state = f.index.inner.lock_writer().expect("writer");
        super::merge_all_segments(&mut state.writer).expect("merge");
    }
    f.index.inner.reader.reload().expect("reload");
    assert_eq!(f.index.inner.reader.searcher().segment_readers().len(), 1);
    check(&f);
}

/// The radius is checked with a bounding box before the exact distance; points just inside
/// the circle in every direction must survive it and points just outside must not.
#[test]
fn radius_edge_is_exact_in_every_direction() {
    use std::f64::consts::FRAC_1_SQRT_2;
    let origin = point(52.09, 5.12);
    // Metres per degree here: 111,195 north-south, ~68,340 east-west.
    let offsets: [(f64, f64); 6] = [
        (1.0, 0.0),
        (-1.0, 0.0),
        (0.0, 1.0),
        (0.0, -1.0),
        (FRAC_1_SQRT_2, FRAC_1_SQRT_2),
        (-FRAC_1_SQRT_2, -FRAC_1_SQRT_2),
    ];
    let mut docs = Vec::new();
    let mut expected_inside = Vec::new();
    for (i, (north, east)) in offsets.iter().enumerate() {
        for (label, metres) in [("binnen", 995.0), ("buiten", 1005.0)] {
            let p = point(
                origin.latitude + north * metres / 111_195.0,
                origin.longitude + east * metres / 68_340.0,
            );
            let exact = haversine_m(&origin, &p);
            let name = format!("{label} {i} {exact:.0}");
            if exact <= 1000.0 {
                expected_inside.push(name.clone());
            }
            docs.push(with(svc(&name), |d| d.points = vec![p]));
        }
    }
    assert_eq!(expected_inside.len(), offsets.len(), "{expected_inside:?}");
    let f = Fixture::with_batches(vec![docs]);
    let results = f.run(&SearchRequest {
        near: Some(Near {
            point: origin,
            radius_m: Some(1000.0),
            covering_codes: Vec::new(),
        }),
        sort: SortOrder::Name,
        limit: 100,
        ..SearchRequest::default()
    });
    let mut got = f.names(&results);
    got.sort();
    expected_inside.sort();
    assert_eq!(got, expected_inside);
}

// ---------------------------------------------------------------------------------------------
// Sorting, facets, paging, snippets

#[test]
fn name_sort_is_case_and_accent_insensitive_across_segments() {
    let f = Fixture::with_batches(vec![
        vec![
            svc("banaan"),
            svc("Éénhoorn"),
            svc("Buurtteam Utrecht Zuid"),
        ],
        vec![svc("Citroen"), svc("appel"), svc("Buurtteam Utrecht Oost")],
        vec![svc("Druif"), svc("Buurtteam Utrecht Noord")],
    ]);
    let results = f.run(&SearchRequest {
        sort: SortOrder::Name,
        ..SearchRequest::default()
    });
    // The "Buurtteam Utrecht …" names tie on their first 16 bytes, in three segments.
    assert_eq!(
        f.names(&results),
        [
            "appel",
            "banaan",
            "Buurtteam Utrecht Noord",
            "Buurtteam Utrecht Oost",
            "Buurtteam Utrecht Zuid",
            "Citroen",
            "Druif",
            "Éénhoorn"
        ]
    );
    // Paging through the same order.
    let page = f.run(&SearchRequest {
        sort: SortOrder::Name,
        offset: 1,
        limit: 2,
        ..SearchRequest::default()
    });
    assert_eq!(f.names(&page), ["banaan", "Buurtteam Utrecht Noord"]);
    assert_eq!(page.total, 8);
}

#[test]
fn equal_names_are_ordered_by_service_id_whatever_the_arrival_or_segments() {
    let here = point(52.0907, 5.1214);
    // Fixed ids in an order unlike the order of arrival; a name longer than the 16-byte
    // prefix keys, so ties across segments always go through the full-key comparison.
    let twins: Vec<SearchDocument> = [5u128, 2, 6, 1, 4, 3]
        .into_iter()
        .map(|n| {
            with(svc("Koffieochtend Overvecht"), |d| {
                d.service_id = Uuid::from_u128(n << 64 | 0xabc);
                d.description = "Koffie drinken met buren.".into();
                d.points = vec![here];
            })
        })
        .collect();
    let mut by_id: Vec<Uuid> = twins.iter().map(|d| d.service_id).collect();
    by_id.sort();

    let reversed: Vec<SearchDocument> = twins.iter().rev().cloned().collect();
    let layouts = [
        vec![twins.clone()],
        vec![reversed.clone()],
        vec![twins[3..].to_vec(), twins[..3].to_vec()],
        reversed.iter().map(|d| vec![d.clone()]).collect(),
    ];
    let requests = [
        ("relevance", text_request("koffie")),
        (
            "name",
            SearchRequest {
                sort: SortOrder::Name,
                ..SearchRequest::default()
            },
        ),
        (
            "distance",
            SearchRequest {
                near: Some(Near {
                    point: point(52.1, 5.1),
                    radius_m: None,
                    covering_codes: Vec::new(),
                }),
                sort: SortOrder::Distance,
                ..SearchRequest::default()
            },
        ),
    ];
    for (i, batches) in layouts.into_iter().enumerate() {
        let f = Fixture::with_batches(batches);
        for (label, request) in &requests {
            let ids: Vec<Uuid> = f.run(request).hits.iter().map(|h| h.service_id).collect();
            assert_eq!(ids, by_id, "layout {i}, sorted by {label}");
            let page = f.run(&SearchRequest {
                offset: 2,
                limit: 2,
                ..request.clone()
            });
            let ids: Vec<Uuid> = page.hits.iter().map(|h| h.service_id).collect();
            assert_eq!(ids, by_id[2..4], "layout {i}, page 2 by {label}");
        }
    }
}

#[test]
fn facets_count_the_whole_filtered_set() {
    let f = filter_fixture();
    let results = f.run(&SearchRequest {
        area_code: Some("GM0344".into()),
        limit: 1,
        ..SearchRequest::default()
    });
    assert_eq!(results.total, 3);
    assert_eq!(results.hits.len(), 1);
    let facets = &results.facets;
    assert_eq!(count(&facets.categories, "bewegen"), 2);
    assert_eq!(count(&facets.categories, "bewegen/wandelgroep"), 1);
    assert_eq!(
        count(&facets.categories, "geld"),
        0,
        "Delta is outside GM0344"
    );
    assert_eq!(
        facets.categories[0],
        FacetCount {
            code: "bewegen".into(),
            count: 2
        }
    );
    assert_eq!(count(&facets.wijken, "WK034401"), 2);
    assert_eq!(count(&facets.target_groups, "jongeren"), 1);
    let access_total: u64 = facets.access_routes.iter().map(|f| f.count).sum();
    let cost_total: u64 = facets.costs.iter().map(|f| f.count).sum();
    assert_eq!(access_total, results.total as u64);
    assert_eq!(cost_total, results.total as u64);
    // Sorted by count desc, then code.
    assert_eq!(
        facets.costs,
        [
            FacetCount {
                code: "free".into(),
                count: 2
            },
            FacetCount {
                code: "contribution".into(),
                count: 1
            },
        ]
    );
    assert_eq!(
        facets
            .access_routes
            .iter()
            .map(|f| f.code.as_str())
            .collect::<Vec<_>>(),
        ["buurtteam", "huisarts", "open"]
    );
}

/// Complete listings (HSDS ndjson) need every match, beyond the depth a page can reach.
#[test]
fn matching_ids_lists_every_match_in_order_beyond_the_page_depth() {
    let count = MAX_OFFSET + 50;
    let docs: Vec<SearchDocument> = (0..count).map(|i| svc(&format!("dienst {i:05}"))).collect();
    let expected: Vec<Uuid> = docs.iter().map(|d| d.service_id).collect();
    let f = Fixture::with_batches(vec![docs]);
    let request = SearchRequest {
        sort: SortOrder::Name,
        ..SearchRequest::default()
    };
    let ids = f.index.matching_ids(&request).unwrap();
    assert_eq!(ids.len(), count);
    assert_eq!(ids, expected, "all of them, by name");
    // A filter applies as in a search.
    let none = f
        .index
        .matching_ids(&SearchRequest {
            text: Some("geen-treffer-hier".into()),
            ..SearchRequest::default()
        })
        .unwrap();
    assert!(none.is_empty());
}

/// Deep HSDS pages read only their own ids: any page equals the slice of the full listing,
/// in several segments, beyond the depth `search` serves, and past the end.
#[test]
fn page_ids_is_the_slice_of_the_full_listing_at_any_depth() {
    let count = MAX_OFFSET + 30;
    let docs: Vec<SearchDocument> = (0..count).map(|i| svc(&format!("dienst {i:05}"))).collect();
    let (first, rest) = docs.split_at(count / 2);
    let f = Fixture::with_batches(vec![rest.to_vec(), first.to_vec()]);
    let request = SearchRequest {
        sort: SortOrder::Name,
        ..SearchRequest::default()
    };
    let all = f.index.matching_ids(&request).unwrap();
    assert_eq!(all.len(), count);
    for (offset, limit) in [
        (0, 20),
        (MAX_OFFSET - 5, 20),
        (MAX_OFFSET + 10, 100),
        (count, 10),
    ] {
        let (total, page) = f.index.page_ids(&request, offset, limit).unwrap();
        assert_eq!(total, count);
        let end = (offset + limit).min(count);
        assert_eq!(page, all[offset.min(count)..end], "offset {offset}");
    }
}

/// HSDS `/service_at_locations`: a service stands for one pair per location; pages of pairs
/// cut through services, skip services without locations, and add up to the total, with and
/// without a radius (then only locations within it count).
#[test]
fn pair_pages_add_up_to_every_pair_in_order() {
    let here = point(52.0, 5.0);
    let docs = [
        with(svc("A drie"), |d| {
            d.location_count = 3;
            d.points = vec![point(52.001, 5.0), point(52.2, 5.0), point(52.002, 5.0)];
        }),
        with(svc("B geen"), |_| {}),
        with(svc("C een"), |d| {
            d.location_count = 1;
            d.points = vec![point(52.0005, 5.0)];
        }),
        // Two locations, one of them without coordinates.
        with(svc("D twee"), |d| {
            d.location_count = 2;
            d.points = vec![point(52.3, 5.0)];
        }),
        with(svc("E vijf"), |d| {
            d.location_count = 5;
            d.points = (0..5)
                .map(|i| point(52.0 + 0.001 * f64::from(i), 5.0))
                .collect();
        }),
    ];
    let ids: HashMap<String, Uuid> = docs
        .iter()
        .map(|d| (d.name.clone(), d.service_id))
        .collect();
    let f = Fixture::with_batches(vec![docs[..2].to_vec(), docs[2..].to_vec()]);
    let expand = |counts: &[(&str, usize)]| -> Vec<(Uuid, usize)> {
        counts
            .iter()
            .flat_map(|(name, n)| (0..*n).map(|i| (ids[*name], i)))
            .collect()
    };
    let by_name = SearchRequest {
        sort: SortOrder::Name,
        ..SearchRequest::default()
    };
    let within_1km = SearchRequest {
        near: Some(Near {
            point: here,
            radius_m: Some(1_000.0),
            covering_codes: Vec::new(),
        }),
        ..by_name.clone()
    };
    let cases = [
        (
            &by_name,
            expand(&[("A drie", 3), ("C een", 1), ("D twee", 2), ("E vijf", 5)]),
        ),
        (
            &within_1km,
            expand(&[("A drie", 2), ("C een", 1), ("E vijf", 5)]),
        ),
    ];
    for (request, expected) in cases {
        for per_page in [1, 2, 3, 4, 100] {
            let mut pairs = Vec::new();
            for page in 0..=expected.len().div_ceil(per_page) {
                let found = f
                    .index
                    .pair_page(request, page * per_page, per_page)
                    .unwrap();
                assert_eq!(found.total, expected.len());
                // What the caller does: expand the named services, skip, take a page.
                let expanded: Vec<(Uuid, usize)> = found
                    .services
                    .iter()
                    .flat_map(|s| expected.iter().filter(move |(id, _)| id == s).copied())
                    .collect();
                pairs.extend(expanded.into_iter().skip(found.skip).take(per_page));
            }
            assert_eq!(pairs, expected, "per_page {per_page}");
        }
    }
}

#[test]
fn within_radius_agrees_with_the_collector_at_the_edge() {
    let here = point(52.0, 5.0);
    // One hundredth of a degree of latitude is ~1112 m.
    assert!(within_radius(here, point(52.01, 5.0), 1_113.0));
    assert!(!within_radius(here, point(52.01, 5.0), 1_111.0));
    assert!(!within_radius(here, point(52.0, 6.0), 1_000.0));
}

#[test]
fn paging_clamps_limit_and_handles_offsets_past_the_end() {
    let docs: Vec<SearchDocument> = (0..120).map(|i| svc(&format!("Dienst {i:03}"))).collect();
    let f = Fixture::new(docs);
    let big = f.run(&SearchRequest {
        limit: 500,
        ..SearchRequest::default()
    });
    assert_eq!(big.total, 120);
    assert_eq!(big.hits.len(), MAX_LIMIT);
    let past = f.run(&SearchRequest {
        offset: 500,
        limit: 10,
        ..SearchRequest::default()
    });
    assert_eq!(past.total, 120);
    assert!(past.hits.is_empty());
    let deep = f.run(&SearchRequest {
        offset: MAX_OFFSET + 1,
        ..SearchRequest::default()
    });
    assert_eq!(deep.total, 120);
    assert!(deep.hits.is_empty());
    let counts_only = f.run(&SearchRequest {
        limit: 0,
        ..SearchRequest::default()
    });
    assert_eq!(counts_only.total, 120);
    assert!(counts_only.hits.is_empty());
    assert_eq!(count(&counts_only.facets.costs, "free"), 120);
    let last = f.run(&SearchRequest {
        sort: SortOrder::Name,
        offset: 115,
        limit: 10,
        ..SearchRequest::default()
    });
    assert_eq!(
        f.names(&last).first().map(String::as_str),
        Some("Dienst 115")
    );
    assert_eq!(last.hits.len(), 5);
}

#[test]
fn snippets_highlight_matches_as_plain_text() {
    let long = format!(
        "{} Bij ons kunt u <b>wandelen</b> met buren. {}",
        "Inleiding over de buurt en de mensen die er wonen. ".repeat(6),
        "Daarna drinken we samen koffie in het buurthuis. ".repeat(6)
    );
    let f = Fixture::new(vec![with(svc("Groep"), |d| d.description = long.clone())]);
    let results = f.run(&text_request("wandelen"));
    let snippet = &results.hits[0].snippet;
    let highlighted: Vec<&str> = snippet
        .iter()
        .filter(|p| p.highlighted)
        .map(|p| p.text.as_str())
        .collect();
    assert_eq!(highlighted, ["wandelen"]);
    let text: String = snippet.iter().map(|p| p.text.as_str()).collect();
    assert!(
        text.contains("<b>"),
        "plain text, not escaped or HTML-marked: {text}"
    );
    assert!(text.chars().count() <= SNIPPET_CHARS + 10, "{}", text.len());
    assert!(text.starts_with('…') && text.ends_with('…'));

    // Without text: the beginning, unhighlighted, cut at a word.
    let results = f.run(&SearchRequest::default());
    let snippet = &results.hits[0].snippet;
    assert_eq!(snippet.len(), 1);
    assert!(!snippet[0].highlighted);
    assert!(snippet[0].text.starts_with("Inleiding over de buurt"));
    assert!(snippet[0].text.ends_with('…'));
    assert!(snippet[0].text.chars().count() <= SNIPPET_CHARS + 1);
}

/// The memoised snippet analyzer must place highlights exactly where the index analyzer put
/// the terms: same text, offsets and positions for every token, on first sight of a word (memo
/// miss) and on the second (memo hit). Run over every description and name of the demo data.
#[test]
fn snippet_analyzer_tokens_equal_the_index_analyzer() {
    use tantivy::tokenizer::TextAnalyzer;
    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        out
    }
    let demo = crate::demo::DemoFile::embedded().expect("demo data");
    let mut texts: Vec<String> = demo
        .services
        .iter()
        .flat_map(|s| [s.description.clone(), s.name.clone()])
        .collect();
    texts.push("Café, cliënten en geëmigreerde ouderen: gelopen, wandelingen, bomen!".to_string());
    let mut index = super::analysis::dutch_analyzer().expect("index analyzer");
    let mut snippet = super::analysis::snippet_analyzer().expect("snippet analyzer");
    let mut compared = 0;
    for round in ["memo misses", "memo hits"] {
        for text in &texts {
            let expected = tokens(&mut index, text);
            assert_eq!(tokens(&mut snippet, text), expected, "{round}: {text}");
            compared += expected.len();
        }
    }
    assert!(compared > 10_000, "only {compared} tokens compared");
}

// ---------------------------------------------------------------------------------------------
// Robustness

#[test]
fn hostile_queries_do_not_fail() {
    let f = social_fixture();
    let all = f.run(&SearchRequest::default()).total;
    let long = "eenzaam ".repeat(1250);
    assert_eq!(long.len(), 10_000);
    let results = f.run(&text_request(&long));
    assert!(results.interpreted.truncated);
    assert_eq!(results.total, 2, "repeated concept still means eenzaam");

    for text in [
        "de het een",
        "?!...,;",
        r#""(:*"#,
        r#"title:"x" AND (y OR z*)"#,
        "  ",
    ] {
        let results = f.index.search(&text_request(text));
        assert!(results.is_ok(), "{text}: {results:?}");
    }
    let stop_only = f.run(&text_request("de het een"));
    assert!(stop_only.interpreted.no_searchable_words);
    assert_eq!(stop_only.total, all);

    let many =
        "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november";
    let results = f.run(&text_request(many));
    assert!(results.interpreted.truncated);
    assert_eq!(results.interpreted.terms.len(), query::MAX_CONCEPTS);
    assert_eq!(results.total, 0);
}

// ---------------------------------------------------------------------------------------------
// Index lifecycle

#[test]
fn apply_upserts_deletes_and_moves_the_cursor() {
    let index = SearchIndex::in_ram().expect("index");
    assert_eq!(index.cursor(), None);
    let a = svc("Zangkoor");
    let b = svc("Schaakclub");
    index
        .apply(vec![a.clone(), b.clone()], &[], 10)
        .expect("apply");
    assert_eq!(index.cursor(), Some(10));
    assert_eq!(index.doc_count(), 2);
    let found = index.search(&text_request("zangkoor")).expect("search");
    assert_eq!(found.hits[0].service_id, a.service_id);

    // Upsert replaces (no duplicate), even when the batch repeats an id.
    let renamed = with(a.clone(), |d| d.name = "Zanggroep".into());
    let renamed_again = with(a.clone(), |d| d.name = "Popkoor".into());
    index
        .apply(vec![renamed, renamed_again], &[], 11)
        .expect("apply");
    assert_eq!(index.doc_count(), 2);
    assert_eq!(
        index
            .search(&text_request("zangkoor"))
            .expect("search")
            .total,
        0
    );
    assert_eq!(
        index
            .search(&text_request("zanggroep"))
            .expect("search")
            .total,
        0
    );
    assert_eq!(
        index
            .search(&text_request("popkoor"))
            .expect("search")
            .total,
        1
    );

    index.apply(Vec::new(), &[b.service_id], 12).expect("apply");
    assert_eq!(index.doc_count(), 1);
    assert_eq!(
        index
            .search(&text_request("schaakclub"))
            .expect("search")
            .total,
        0
    );
    assert_eq!(index.cursor(), Some(12));
}

#[test]
fn rebuild_swaps_contents_atomically_and_can_be_aborted() {
    let index = SearchIndex::in_ram().expect("index");
    index.apply(vec![svc("Oud aanbod")], &[], 1).expect("apply");

    let mut rebuild = index.begin_rebuild().expect("begin");
    rebuild.add_batch(vec![svc("Nieuw een")]).expect("batch");
    rebuild.add_batch(vec![svc("Nieuw twee")]).expect("batch");
    // Searches still see the old contents; incremental updates are refused.
    assert_eq!(index.doc_count(), 1);
    assert!(matches!(
        index.apply(vec![svc("Tussendoor")], &[], 2),
        Err(SearchError::RebuildInProgress)
    ));
    assert!(matches!(
        index.begin_rebuild(),
        Err(SearchError::RebuildInProgress)
    ));
    rebuild.finish(50).expect("finish");
    assert_eq!(index.doc_count(), 2);
    assert_eq!(index.cursor(), Some(50));
    assert_eq!(index.search(&text_request("oud")).expect("search").total, 0);

    let mut aborted = index.begin_rebuild().expect("begin");
    aborted.add_batch(vec![svc("Wordt niets")]).expect("batch");
    aborted.abort();
    assert_eq!(index.doc_count(), 2);
    index
        .apply(vec![svc("Daarna")], &[], 51)
        .expect("apply works again");
    assert_eq!(index.doc_count(), 3);

    index
        .rebuild(vec![vec![svc("Enige")]], 60)
        .expect("rebuild");
    assert_eq!(index.doc_count(), 1);
    assert_eq!(index.cursor(), Some(60));
}

#[test]
fn open_or_create_reports_fresh_current_and_incompatible() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("zoekindex");
    {
        let (index, state) = SearchIndex::open_or_create(&path).expect("create");
        assert_eq!(state, IndexState::Fresh);
        index
            .apply(vec![svc("Blijft bewaard")], &[], 42)
            .expect("apply");
    }
    {
        let (index, state) = SearchIndex::open_or_create(&path).expect("reopen");
        assert_eq!(state, IndexState::Current { cursor: 42 });
        assert_eq!(index.cursor(), Some(42));
        assert_eq!(
            index
                .search(&text_request("bewaard"))
                .expect("search")
                .total,
            1
        );
    }
    {
        // Simulate an index written by another schema version.
        let index = tantivy::Index::open_in_dir(&path).expect("open");
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).expect("writer");
        let mut prepared = writer.prepare_commit().expect("prepare");
        prepared.set_payload(r#"{"schema_version":999,"cursor":7}"#);
        prepared.commit().expect("commit");
    }
    let (index, state) = SearchIndex::open_or_create(&path).expect("recreate");
    assert_eq!(state, IndexState::Incompatible);
    assert_eq!(index.doc_count(), 0);
    assert_eq!(index.cursor(), None);
    drop(index);

    // Same schema and version, but created without our settings (unsorted, so the radius
    // filter's binary search would be wrong): rebuilt too.
    let other = dir.path().join("andere-instellingen");
    std::fs::create_dir_all(&other).expect("dir");
    {
        let (schema, _) = super::schema::build_schema();
        let index = tantivy::Index::create_in_dir(&other, schema).expect("create");
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).expect("writer");
        let mut prepared = writer.prepare_commit().expect("prepare");
        prepared.set_payload(&format!(
            r#"{{"schema_version":{},"cursor":7}}"#,
            super::schema::SCHEMA_VERSION
        ));
        prepared.commit().expect("commit");
    }
    let (_, state) = SearchIndex::open_or_create(&other).expect("recreate");
    assert_eq!(state, IndexState::Incompatible);
}

#[test]
fn search_index_is_send_sync_and_clone() {
    fn assert_traits<T: Send + Sync + Clone + 'static>() {}
    fn assert_send<T: Send>() {}
    assert_traits::<SearchIndex>();
    assert_send::<Rebuild>();
}

// ---------------------------------------------------------------------------------------------
// Vocabulary files

fn taxonomy_codes(taxonomy: &str) -> Vec<(String, bool)> {
    let json: serde_json::Value =
        serde_json::from_str(include_str!("../../assets/taxonomies.json")).expect("taxonomies");
    json["taxonomies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["code"] == taxonomy)
        .flat_map(|t| t["terms"].as_array().cloned().unwrap_or_default())
        .filter_map(|term| {
            let code = term["code"].as_str()?.to_string();
            Some((code, term.get("parent").is_none()))
        })
        .collect()
}

#[test]
fn vocabulary_files_parse_and_cover_every_top_level_category() {
    let analysis = Analysis::new().expect("analysis");
    let vocabulary = Vocabulary::embedded(&analysis).expect("vocabulary parses");
    assert!(vocabulary.synonym_rules.len() >= 25);
    let codes = taxonomy_codes("wijkwijzer-categorie");
    assert_eq!(codes.iter().filter(|(_, top)| *top).count(), 14);
    for life_question in &vocabulary.life_questions {
        for code in &life_question.category_codes {
            assert!(
                codes.iter().any(|(c, _)| c == code),
                "unknown category code {code} for {:?}",
                life_question.phrase
            );
        }
    }
    for (code, _) in codes.iter().filter(|(_, top)| *top) {
        let covered = vocabulary.life_questions.iter().any(|l| {
            l.category_codes
                .iter()
                .any(|c| c == code || c.starts_with(&format!("{code}/")))
        });
        assert!(covered, "no life question for top-level category {code}");
    }
}

#[test]
fn malformed_vocabulary_is_reported_with_its_line() {
    let analysis = Analysis::new().expect("analysis");
    let error = Vocabulary::parse(
        "# ok\nschuld = geldzorgen\nalleen_een_woord\n",
        "",
        &analysis,
    )
    .expect_err("one-word group is rejected");
    assert!(
        matches!(
            error,
            SearchError::Vocabulary {
                file: "synonyms.txt",
                line: 3,
                ..
            }
        ),
        "{error:?}"
    );
    let error = Vocabulary::parse("", "geen dubbele punt hier\n", &analysis)
        .expect_err("missing colon is rejected");
    assert!(matches!(error, SearchError::Vocabulary { line: 1, .. }));
    assert!(!SYNONYMS_TXT.is_empty() && !LIFE_QUESTIONS_TXT.is_empty());
}

#[test]
fn hsds_filters_organisation_terms_modified_ages_and_opening_times() {
    let org = Uuid::new_v4();
    let morning = with(svc("Ochtendkoffie"), |d| {
        d.organization_id = org;
        d.taxonomy_term_ids = vec!["term-a".into()];
        d.last_modified = 1_000;
        d.minimum_age = Some(18);
        d.sessions = vec![Session {
            day: 2,
            opens: 9 * 60,
            closes: 11 * 60,
        }];
    });
    let evening = with(svc("Avondwandeling"), |d| {
        d.taxonomy_term_ids = vec!["term-b".into()];
        d.last_modified = 2_000;
        d.maximum_age = Some(12);
        d.sessions = vec![Session {
            day: 4,
            opens: 19 * 60,
            closes: 21 * 60,
        }];
    });
    let fixture = Fixture::new(vec![morning, evening]);
    let names = |request: SearchRequest| -> Vec<String> {
        let mut names = fixture.names(&fixture.run(&request));
        names.sort();
        names
    };
    let only = |name: &str| vec![name.to_string()];
    assert_eq!(
        names(SearchRequest {
            organization_id: Some(org),
            ..Default::default()
        }),
        only("Ochtendkoffie")
    );
    assert_eq!(
        names(SearchRequest {
            taxonomy_term_ids: Some(vec!["term-b".into(), "term-x".into()]),
            ..Default::default()
        }),
        only("Avondwandeling")
    );
    assert!(
        names(SearchRequest {
            taxonomy_term_ids: Some(Vec::new()),
            ..Default::default()
        })
        .is_empty()
    );
    assert_eq!(
        names(SearchRequest {
            modified_after: Some(1_500),
            ..Default::default()
        }),
        only("Avondwandeling")
    );
    // Ages 30–40 overlap "18 and older" only; 5–20 overlaps both.
    assert_eq!(
        names(SearchRequest {
            ages: Some((30, 40)),
            ..Default::default()
        }),
        only("Ochtendkoffie")
    );
    assert_eq!(
        names(SearchRequest {
            ages: Some((5, 20)),
            ..Default::default()
        })
        .len(),
        2
    );
    // Open between 10:30 and 12:00 on any day: only the morning; on Thursday: nothing.
    let window = |day: Option<u8>, from, to| SearchRequest {
        open_window: Some(OpenWindow {
            days: day.into_iter().collect(),
            from,
            to,
        }),
        ..Default::default()
    };
    assert_eq!(
        names(window(None, 10 * 60 + 30, 12 * 60)),
        only("Ochtendkoffie")
    );
    assert!(names(window(Some(4), 10 * 60 + 30, 12 * 60)).is_empty());
    assert_eq!(
        names(window(Some(4), 20 * 60, 24 * 60)),
        only("Avondwandeling")
    );
    // Closing time is exclusive: open 9–11 does not match a window starting at 11:00.
    assert!(names(window(Some(2), 11 * 60, 12 * 60)).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Queries as people type them: slips, compounds, life-question variants, relaxation, languages

fn forgiving_fixture() -> Fixture {
    Fixture::new(vec![
        with(svc("Eenzaamheid te lijf"), |d| {
            d.description = "Samen tegen eenzaamheid in de wijk.".into();
            d.category_codes = strings(&["eenzaamheid"]);
        }),
        with(svc("Steunpunt voor de mantelzorger"), |d| {
            d.description = "Advies en een luisterend oor.".into();
            d.category_codes = strings(&["mantelzorg"]);
        }),
        with(svc("Schuldhulpverlening Noord"), |d| {
            d.description = "Hulp bij geldzaken en betalingsachterstanden.".into();
            d.category_codes = strings(&["geld"]);
        }),
        with(svc("Taalcafé De Boog"), |d| {
            d.description = "Nederlands oefenen bij een kop koffie.".into();
        }),
        with(svc("Bibliotheek Oost"), |d| {
            d.description = "Elke week een taal café voor nieuwkomers.".into();
        }),
        with(svc("Buurthuis De Schakel"), |d| {
            d.description = "Een huis voor ontmoeten, eten en meedoen.".into();
        }),
        with(svc("Vrouwengroep Al Amal"), |d| {
            d.description = "Ontmoeting voor vrouwen.".into();
            d.language_codes = strings(&["ar", "nl"]);
            d.language_labels = strings(&["Arabisch", "Nederlands"]);
        }),
        with(svc("Spreekuur voor expats"), |d| {
            d.description = "Vragen over zorg in Nederland.".into();
            d.language_codes = strings(&["en"]);
            d.language_labels = strings(&["Engels"]);
        }),
    ])
}

#[test]
fn a_swap_of_two_letters_is_one_slip_on_the_word_as_typed() {
    let f = forgiving_fixture();
    // Two letters swapped: one edit (a stem of "eenzaamhied" would not come near the index's).
    let results = f.run(&text_request("eenzaamhied"));
    assert_eq!(f.names(&results), ["Eenzaamheid te lijf"]);
    assert_eq!(
        results.interpreted.corrections,
        [Correction {
            typed: "eenzaamhied".into(),
            found: "eenzaamheid".into()
        }]
    );
    // A letter missing, and a swap in the middle of a compound.
    assert_eq!(f.text("mantelzorgr"), ["Steunpunt voor de mantelzorger"]);
    assert_eq!(f.text("schuldhlupverlening"), ["Schuldhulpverlening Noord"]);
}

#[test]
fn compounds_are_found_typed_together_or_apart() {
    let f = forgiving_fixture();
    // Typed apart, written together in the directory.
    assert_eq!(
        f.text("schuldhulp verlening"),
        ["Schuldhulpverlening Noord"]
    );
    assert_eq!(f.text("buurt huis"), ["Buurthuis De Schakel"]);
    // Both ways at once: "taal cafe" finds the compound and the two words.
    assert_eq!(
        f.sorted_text("taal cafe"),
        ["Bibliotheek Oost", "Taalcafé De Boog"]
    );
    // Typed together, written apart.
    assert_eq!(
        f.sorted_text("taalcafe"),
        ["Bibliotheek Oost", "Taalcafé De Boog"]
    );
    // A part finds the whole.
    assert_eq!(f.text("schuldhulp"), ["Schuldhulpverlening Noord"]);
    assert_eq!(f.text("buurt"), ["Buurthuis De Schakel"]);
}

#[test]
fn life_questions_are_recognised_in_their_variants() {
    let f = social_fixture();
    for typed in [
        "ik voel mij alleen",
        "ik voel mij zo alleen",
        "alleen voel ik me",
        "Ik voel me eigenlijk heel erg alleen",
    ] {
        let results = f.run(&text_request(typed));
        assert_eq!(
            results.interpreted.suggested_categories(),
            ["eenzaamheid"],
            "{typed}"
        );
        let names = f.names(&results);
        assert!(
            names.contains(&"Maatjesproject Overvecht".to_string()),
            "{typed}: {names:?}"
        );
    }
    // Extra words after the question: "de laatste tijd" says nothing about what is sought.
    let results = f.run(&text_request("ik voel mij zo alleen de laatste tijd"));
    assert_eq!(results.interpreted.suggested_categories(), ["eenzaamheid"]);
    assert_eq!(results.interpreted.ignored, ["de laatste tijd"]);
    assert!(results.total >= 2, "{:?}", f.names(&results));
    // Other extra words that find nothing together with the question are left out.
    let results = f.run(&text_request("ik voel mij zo alleen sinds de verhuizing"));
    assert_eq!(results.interpreted.suggested_categories(), ["eenzaamheid"]);
    assert!(results.total >= 2, "{:?}", f.names(&results));
    let relaxed = results.interpreted.relaxed.as_ref().expect("relaxed");
    assert_eq!(relaxed.dropped, ["sinds", "verhuizing"]);
    // Another life question with another article: "de" for "mijn".
    let results = f.run(&text_request("ik kan de rekeningen niet betalen"));
    assert_eq!(results.interpreted.suggested_categories(), ["geld"]);
    assert_eq!(f.names(&results), ["Budgetspreekuur"]);
    // The words must all be there: "ik voel me goed" is no life question.
    let results = f.run(&text_request("ik voel me goed"));
    assert!(results.interpreted.life_questions.is_empty());
}

#[test]
fn when_all_words_find_nothing_the_least_important_are_left_out() {
    let f = Fixture::new(vec![
        with(svc("Wandelen in het park"), |d| {
            d.description = "Samen met koffie na afloop.".into()
        }),
        with(svc("Koffieochtend"), |d| {
            d.description = "Koffie en thee.".into()
        }),
        with(svc("Zwemmen"), |d| {
            d.description = "Zwemmen voor ouderen.".into()
        }),
        with(svc("Rolstoeldansen"), |d| {
            d.description = "Dansen op muziek.".into()
        }),
    ]);
    // No service has all three words. "koffie" is the most common word, so it goes first;
    // "wandelen" and "zwemmen" still find nothing together and are as common, so the later
    // word goes.
    let results = f.run(&text_request("wandelen zwemmen koffie"));
    let relaxed = results.interpreted.relaxed.as_ref().expect("relaxed");
    assert_eq!(relaxed.used, ["wandelen"]);
    assert_eq!(relaxed.dropped, ["zwemmen", "koffie"]);
    assert_eq!(f.names(&results), ["Wandelen in het park"]);
    // A word that matches nothing is dropped first, and the others are all kept.
    let results = f.run(&text_request("koffie wandelen xyzzyq"));
    assert_eq!(f.names(&results), ["Wandelen in het park"]);
    let relaxed = results.interpreted.relaxed.as_ref().expect("relaxed");
    assert_eq!(relaxed.used, ["koffie", "wandelen"]);
    assert_eq!(relaxed.dropped, ["xyzzyq"]);
    // Nothing matches at all: no results, and no relaxation to report.
    let results = f.run(&text_request("xyzzyq qwxzzy"));
    assert_eq!(results.total, 0);
    assert!(results.interpreted.relaxed.is_none());
}

#[test]
fn results_that_match_more_of_the_words_rank_first() {
    // "muis kat hond" together: nothing. "hond" is the most common, so it goes; "muis" and
    // "kat" still find nothing together, so the later goes: "muis" is kept. Of the two services
    // with "muis", the one that also has "hond" ranks first, although its text is longer.
    let f = Fixture::new(vec![
        with(svc("Dierenclub"), |d| {
            d.description = "Hond en muis en nog veel meer dieren.".into()
        }),
        with(svc("Knaagdieren"), |d| {
            d.description = "Alles over de muis.".into()
        }),
        with(svc("Hondenuitlaat"), |d| {
            d.description = "Met de hond en de kat.".into()
        }),
        with(svc("Kattenoppas"), |d| {
            d.description = "Voor kat en hond.".into()
        }),
    ]);
    let results = f.run(&text_request("muis kat hond"));
    let relaxed = results.interpreted.relaxed.as_ref().expect("relaxed");
    assert_eq!(relaxed.used, ["muis"]);
    assert_eq!(relaxed.dropped, ["kat", "hond"]);
    assert_eq!(f.names(&results), ["Dierenclub", "Knaagdieren"]);
}

#[test]
fn when_nothing_matches_did_you_mean_offers_the_index_words() {
    let f = forgiving_fixture();
    // Four letters get no typo tolerance, so nothing matches; the suggestion finds something.
    let results = f.run(&text_request("tall cafe"));
    assert_eq!(
        f.names(&results),
        ["Bibliotheek Oost"],
        "'cafe' alone still matches"
    );
    assert_eq!(
        results.interpreted.relaxed.as_ref().unwrap().dropped,
        ["tall"]
    );
    let results = f.run(&text_request("tall"));
    assert_eq!(results.total, 0);
    assert_eq!(results.interpreted.did_you_mean.as_deref(), Some("taal"));
    // Nothing close: no suggestion.
    let results = f.run(&text_request("qqqqzzzz"));
    assert_eq!(results.interpreted.did_you_mean, None);
}

#[test]
fn languages_are_searchable_words_filters_and_facets() {
    let f = forgiving_fixture();
    assert_eq!(f.text("arabisch"), ["Vrouwengroep Al Amal"]);
    assert_eq!(f.text("Engels"), ["Spreekuur voor expats"]);
    let results = f.run(&SearchRequest {
        languages: strings(&["ar", "en"]),
        limit: 100,
        ..SearchRequest::default()
    });
    let mut names = f.names(&results);
    names.sort();
    assert_eq!(names, ["Spreekuur voor expats", "Vrouwengroep Al Amal"]);
    assert_eq!(count(&results.facets.languages, "ar"), 1);
    assert_eq!(count(&results.facets.languages, "nl"), 1);
    assert_eq!(count(&results.facets.languages, "en"), 1);
}

#[test]
fn several_days_mean_any_of_them() {
    let f = Fixture::new(vec![
        with(svc("Maandag"), |d| d.days = vec![1]),
        with(svc("Dinsdag"), |d| d.days = vec![2]),
        with(svc("Woensdag"), |d| d.days = vec![3]),
    ]);
    let results = f.run(&SearchRequest {
        days: vec![1, 3],
        sort: SortOrder::Name,
        ..SearchRequest::default()
    });
    assert_eq!(f.names(&results), ["Maandag", "Woensdag"]);
}

// ---------------------------------------------------------------------------------------------
// A postcode changes the order: relevance blended with distance; "werkt in uw wijk"

fn blend_fixture() -> Fixture {
    let origin = point(52.1100, 5.1100);
    let metres_north = |m: f64| point(origin.latitude + m / 111_195.0, origin.longitude);
    Fixture::new(vec![
        // The best text match (the word twice in its name), 11 km away.
        with(svc("Eenzaamheid eenzaamheid"), |d| {
            d.points = vec![metres_north(11_000.0)];
        }),
        // A weaker text match, 300 m away.
        with(svc("Koffie tegen eenzaamheid"), |d| {
            d.points = vec![metres_north(300.0)];
        }),
        // Serves the origin's wijk, with no location at all.
        with(svc("Huisbezoek tegen eenzaamheid"), |d| {
            d.served_area_codes = strings(&["WK034403"]);
        }),
        // Serves only the whole gemeente, office 8 km away.
        with(svc("Telefooncirkel tegen eenzaamheid"), |d| {
            d.served_area_codes = strings(&["GM0344"]);
            d.points = vec![metres_north(8_000.0)];
        }),
        // 2 km away.
        with(svc("Wandelen tegen eenzaamheid"), |d| {
            d.points = vec![metres_north(2_000.0)];
        }),
    ])
}

fn near_origin(radius_m: Option<f64>) -> Near {
    Near {
        point: point(52.1100, 5.1100),
        radius_m,
        covering_codes: strings(&["GM0344", "WK034403", "BU03440300"]),
    }
}

#[test]
fn a_postcode_blends_relevance_with_distance() {
    let f = blend_fixture();
    let plain = f.run(&text_request("eenzaamheid"));
    assert_eq!(f.names(&plain)[0], "Eenzaamheid eenzaamheid");
    let near = f.run(&SearchRequest {
        near: Some(near_origin(None)),
        ..text_request("eenzaamheid")
    });
    let names = f.names(&near);
    // The local ones now come first; the best text match 11 km away drops.
    assert_ne!(names[0], "Eenzaamheid eenzaamheid", "{names:?}");
    let position = |name: &str| names.iter().position(|n| n == name).unwrap();
    assert!(position("Huisbezoek tegen eenzaamheid") < position("Wandelen tegen eenzaamheid"));
    assert!(position("Koffie tegen eenzaamheid") < position("Eenzaamheid eenzaamheid"));
    // The flags say why.
    let hit = |name: &str| &near.hits[position(name)];
    assert!(hit("Huisbezoek tegen eenzaamheid").serves_local);
    assert!(hit("Telefooncirkel tegen eenzaamheid").serves_area);
    assert!(!hit("Telefooncirkel tegen eenzaamheid").serves_local);
    assert!(!hit("Koffie tegen eenzaamheid").serves_area);
}

#[test]
fn nearest_first_puts_services_for_the_own_wijk_with_the_local_ones() {
    let f = blend_fixture();
    let results = f.run(&SearchRequest {
        near: Some(near_origin(None)),
        sort: SortOrder::Distance,
        ..text_request("eenzaamheid")
    });
    assert_eq!(
        f.names(&results),
        [
            // Serves the wijk: counts as on the doorstep.
            "Huisbezoek tegen eenzaamheid",
            "Koffie tegen eenzaamheid",
            "Wandelen tegen eenzaamheid",
            // Serves the gemeente: at most 3 km, although its office is 8 km away.
            "Telefooncirkel tegen eenzaamheid",
            "Eenzaamheid eenzaamheid",
        ]
    );
    // Its real distance is still the one shown.
    let telefoon = &results.hits[3];
    assert!(telefoon.distance_m.unwrap() > 7_900.0);
    // Within 1 km: the local ones and the services for the wijk or gemeente, not the rest.
    let within = f.run(&SearchRequest {
        near: Some(near_origin(Some(1_000.0))),
        sort: SortOrder::Distance,
        ..text_request("eenzaamheid")
    });
    assert_eq!(
        f.names(&within),
        [
            "Huisbezoek tegen eenzaamheid",
            "Koffie tegen eenzaamheid",
            "Telefooncirkel tegen eenzaamheid",
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Freshness and status

/// Two documents equal but for name (same length) and freshness; the stale one sorts first by
/// name, so only the penalty can put it second.
fn freshness_fixture() -> Fixture {
    let day = |d: u8| time::Date::from_calendar_date(2026, time::Month::March, d).unwrap();
    Fixture::with_batches(vec![
        vec![with(svc("Zangkoor Aaa"), |d| d.assured_date = Some(day(1)))],
        vec![
            with(svc("Zangkoor Bbb"), |d| d.assured_date = Some(day(20))),
            with(svc("Zangkoor Ccc"), |d| d.assured_date = None),
        ],
    ])
}

#[test]
fn stale_listings_rank_lower_relative_to_the_cut_off_given_with_the_query() {
    let f = freshness_fixture();
    let at = |stale_before: Option<time::Date>| {
        f.names(&f.run(&SearchRequest {
            stale_before,
            ..text_request("zangkoor")
        }))
    };
    let day = |d: u8| time::Date::from_calendar_date(2026, time::Month::March, d).unwrap();
    // No cut-off: equal scores, by name.
    assert_eq!(at(None), ["Zangkoor Aaa", "Zangkoor Bbb", "Zangkoor Ccc"]);
    // The same index, a later "today": Aaa (and the never checked Ccc) became stale without
    // any re-indexing.
    assert_eq!(
        at(Some(day(10))),
        ["Zangkoor Bbb", "Zangkoor Aaa", "Zangkoor Ccc"]
    );
    // Checked on the cut-off day itself is not stale.
    assert_eq!(
        at(Some(day(1))),
        ["Zangkoor Aaa", "Zangkoor Bbb", "Zangkoor Ccc"]
    );
    // Later still: all stale, by name again.
    assert_eq!(
        at(Some(day(31))),
        ["Zangkoor Aaa", "Zangkoor Bbb", "Zangkoor Ccc"]
    );
    // A much better match still beats a fresh weak one: the penalty is modest.
    let f = Fixture::new(vec![
        with(svc("Zangkoor"), |d| d.assured_date = None),
        with(svc("Koor"), |d| {
            d.assured_date = Some(day(20));
            d.description = "Ook een zangkoor.".into();
        }),
    ]);
    let results = f.run(&SearchRequest {
        stale_before: Some(day(10)),
        ..text_request("zangkoor")
    });
    assert_eq!(f.names(&results), ["Zangkoor", "Koor"]);
}

#[test]
fn temporarily_closed_rank_after_open_ones_and_withdrawn_are_only_found_on_request() {
    let f = Fixture::with_batches(vec![
        vec![with(svc("Zangkoor Aaa"), |d| d.temporarily_closed = true)],
        vec![
            svc("Zangkoor Bbb"),
            with(svc("Zangkoor Ccc"), |d| d.withdrawn = true),
        ],
    ]);
    let names = |request: SearchRequest| f.names(&f.run(&request));
    assert_eq!(
        names(text_request("zangkoor")),
        ["Zangkoor Bbb", "Zangkoor Aaa"]
    );
    // Without words too (relevance without text orders by name, closed still last).
    assert_eq!(
        names(SearchRequest {
            limit: 10,
            ..SearchRequest::default()
        }),
        ["Zangkoor Bbb", "Zangkoor Aaa"]
    );
    assert_eq!(
        names(SearchRequest {
            sort: SortOrder::Name,
            ..text_request("zangkoor")
        }),
        ["Zangkoor Aaa", "Zangkoor Bbb"],
        "alphabetical is alphabetical"
    );
    assert_eq!(
        names(SearchRequest {
            hide_temporarily_closed: true,
            ..text_request("zangkoor")
        }),
        ["Zangkoor Bbb"]
    );
    let all = SearchRequest {
        include_withdrawn: true,
        ..text_request("zangkoor")
    };
    assert_eq!(
        names(all.clone()),
        ["Zangkoor Bbb", "Zangkoor Ccc", "Zangkoor Aaa"]
    );
    assert_eq!(f.index.matching_ids(&all).unwrap().len(), 3);
    assert_eq!(
        f.index
            .matching_ids(&text_request("zangkoor"))
            .unwrap()
            .len(),
        2
    );
    assert_eq!(f.run(&text_request("zangkoor")).total, 2, "the total too");
}
