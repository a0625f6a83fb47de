//! The search parameters (`query::parse`, `parse_forgiving`) and the words of a search.
//!
//! Properties: no panic; a strict parse fails only with a 400 that names a parameter; the
//! forgiving parse (the pages) gives a search, unless a parameter is not text (bytes that are
//! not UTF-8, control characters: a 400 naming it, like the API); what it keeps (`query_for_page`) parses
//! strictly to the same search; and that search runs on the demo directory without error,
//! whatever the words.

use wijkwijzer::catalog::Catalog;
use wijkwijzer::domain::Vocabulary;
use wijkwijzer::error::AppError;
use wijkwijzer::geo::Geography;
use wijkwijzer::query::{ParsedSearch, parse, parse_forgiving};
use wijkwijzer::search::SearchRequest;

use crate::engine::{Fuzz, INTERESTING_STRINGS, Rng, mutate_bytes, random_char};

const KEYS: &[&str] = &[
    "q",
    "area",
    "postcode",
    "lat",
    "lon",
    "radius_km",
    "category",
    "target_group",
    "free",
    "access",
    "wor",
    "day",
    "dagdeel",
    "language",
    "age",
    "sort",
    "page",
    "per_page",
];

/// Real searches (README, the demo's life questions) to mutate.
const SEEDS: &[&str] = &[
    "q=eenzaam&area=WK034403&postcode=3562",
    "q=ik+voel+me+alleen",
    "q=schulden&free=ja&access=open",
    "q=eenzaam&area=wk034403&postcode=3562+AB&radius_km=2&page=3&per_page=10",
    "q=eenzaam&category=geld&category=eenzaamheid&free=ja&page=2",
    "day=di&day=2&day=donderdag&dagdeel=ochtend",
    "lat=52.1&lon=5.1&radius_km=2&sort=name",
    "q=taal+cafe&language=Arabisch&age=67&wor=1",
    "q=rood+staan&target_group=ouderen&sort=relevance",
    "postcode=3562&radius_km=100&sort=distance&dagdeel=avond&dagdeel=ochtend",
    "q=%22koffie%22+AND+(buurt*)+-huis~2+^3&area=GM0344",
    "q=schuldhulpverlening%20Overvecht&area=BU03440321",
];

fn value_for(rng: &mut Rng, key: &str) -> String {
    let specific: &[&str] = match key {
        "q" => &[
            "eenzaam",
            "ik voel me alleen",
            "alleen voel ik mij zo",
            "rood staan",
            "taal cafe",
            "taalcafé",
            "schuldhulp",
            "zorgen",
            "de het een",
            "\"koffie\" AND (buurt*) OR -huis~2 ^3 title:x",
            "a",
            "ö",
        ],
        "area" => &[
            "WK034403",
            "wk034403",
            "GM0344",
            "BU03440321",
            "WK9999",
            "XX",
            "BU",
            "GM",
        ],
        "postcode" => &[
            "3562", "3562 AB", "3562AB", "1011", "0000", "35620", "3562 ab",
        ],
        "lat" => &[
            "52.1", "90", "90.1", "-90", "NaN", "inf", "1e309", "-0", "52,1",
        ],
        "lon" => &["5.1", "180", "-180.5", "nan", "-inf", "5e-324", ".5"],
        "radius_km" => &[
            "2",
            "0",
            "0.1",
            "100",
            "100.0000001",
            "1e-300",
            "NaN",
            "inf",
        ],
        "category" => &[
            "eenzaamheid",
            "geld",
            "eenzaamheid/maatjes",
            "onbekend",
            "/",
        ],
        "target_group" => &["ouderen", "jongeren", "iedereen", "?"],
        "free" | "wor" => &["ja", "nee", "1", "0", "true", "on", "misschien", ""],
        "access" => &["open", "referral", "verwijzing", "soms"],
        "day" => &[
            "di", "TU", "tuesday", "2", "0", "8", "255", "256", "zo.", "maandag",
        ],
        "dagdeel" => &["ochtend", "morgen", "AVOND", "evening", "nacht"],
        "language" => &["ar", "Arabisch", "nl", "zz", "tigrinya", "Turks"],
        "age" => &["0", "120", "121", "255", "256", "-1", "67.5"],
        "sort" => &["relevance", "distance", "name", "random"],
        "page" => &["1", "0", "500", "501", "18446744073709551616", "-1"],
        "per_page" => &["1", "100", "101", "0", "20"],
        _ => &[],
    };
    match rng.below(6) {
        0..=2 if !specific.is_empty() => rng.pick(specific).to_string(),
        3 => rng.pick(INTERESTING_STRINGS).to_string(),
        4 => {
            let unit = rng
                .pick(&["a", "é", "🙂", " ", "woord ", "\u{0}"])
                .to_string();
            unit.repeat(1 + rng.below(300))
        }
        _ => (0..rng.below(16)).map(|_| random_char(rng)).collect(),
    }
}

/// A raw query string: well-formed pairs, glued by hand with stray separators and escapes,
/// or a mutated real search.
fn generate(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 | 1 => {
            let mut s = form_urlencoded::Serializer::new(String::new());
            for _ in 0..rng.below(10) {
                let key = if rng.chance(1, 10) {
                    rng.pick(INTERESTING_STRINGS).to_string()
                } else {
                    rng.pick(KEYS).to_string()
                };
                let value = value_for(rng, &key);
                s.append_pair(&key, &value);
            }
            s.finish()
        }
        2 => {
            let mut raw = String::new();
            for _ in 0..rng.below(8) {
                let key = *rng.pick(KEYS);
                raw.push_str(key);
                raw.push_str(*rng.pick(&["=", "==", "", "=%"]));
                raw.push_str(&value_for(rng, key));
                raw.push_str(*rng.pick(&["&", "&&", ";", "&=", "%26", "#", "+"]));
                if rng.chance(1, 4) {
                    // Escapes that decode to bytes that are not UTF-8, or a NUL.
                    raw.push_str(*rng.pick(&["%FF", "%C3", "%00", "%E2%80", "%ZZ", "%", "%2"]));
                }
            }
            raw
        }
        _ => {
            let seed = rng.pick(SEEDS).as_bytes();
            let other = rng.pick(SEEDS).as_bytes();
            let mut bytes = seed.to_vec();
            let dictionary: Vec<&[u8]> = KEYS
                .iter()
                .map(|k| k.as_bytes())
                .chain([
                    b"=".as_slice(),
                    b"&",
                    b"%FF",
                    b"%00",
                    b"+",
                    b"%20",
                    b"%C3%A9",
                ])
                .collect();
            mutate_bytes(rng, &mut bytes, &dictionary, other, 4096);
            // Axum hands the query string over as text: a lossy view of the bytes.
            String::from_utf8_lossy(&bytes).into_owned()
        }
    }
}

/// The search a page would run, for comparing two parses.
fn essence(p: &ParsedSearch) -> String {
    format!(
        "{:?} | text={:?} area={:?} origin={:?} radius={:?} days={:?} dagdelen={:?} page={} \
         per_page={} pairs={:?}",
        p.request,
        p.text,
        p.area.as_ref().map(|a| (&a.code, &a.name, a.level)),
        p.origin.as_ref().map(|o| (
            &o.label,
            o.point.latitude,
            o.point.longitude,
            &o.covering_codes
        )),
        p.radius_km,
        p.days,
        p.dagdelen,
        p.page,
        p.per_page,
        p.pairs,
    )
}

/// The properties for one raw query string (also used by the regression tests).
pub fn check(
    raw: &str,
    geo: &Geography,
    vocabulary: &Vocabulary,
    catalog: Option<&Catalog>,
) -> Result<(), String> {
    match parse(raw, geo, vocabulary) {
        Ok(_) | Err(AppError::BadRequest { param: Some(_), .. }) => {}
        Err(other) => {
            return Err(format!(
                "parse gave {other:?}, not a 400 naming a parameter"
            ));
        }
    }
    let (parsed, _errors) = match parse_forgiving(raw, geo, vocabulary) {
        Ok(forgiven) => forgiven,
        // Text that is not text is refused as a whole, on the pages too (issue 12).
        Err(AppError::BadRequest {
            param: Some(_),
            detail,
        }) if detail.contains("stuurteken") || detail.contains("UTF-8") => return Ok(()),
        Err(e) => return Err(format!("the forgiving parse (the pages) failed: {e:?}")),
    };
    // What the page links to (the next page, a removed filter) must parse to the same search.
    let again = parsed.query_for_page(parsed.page);
    let reparsed = parse(&again, geo, vocabulary)
        .map_err(|e| format!("what the parse kept, {again:?}, does not parse again: {e:?}"))?;
    if essence(&reparsed) != essence(&parsed) {
        return Err(format!(
            "re-parsing {again:?} gives another search:\n  first: {}\n  again: {}",
            essence(&parsed),
            essence(&reparsed)
        ));
    }
    for dropped in [
        parsed.query_without_origin(),
        parsed.query_without(&[("q", None)]),
    ] {
        parse(&dropped, geo, vocabulary)
            .map_err(|e| format!("the link without a filter, {dropped:?}, fails: {e:?}"))?;
    }
    if let Some(catalog) = catalog {
        crate::runtime()
            .block_on(catalog.search(&parsed))
            .map_err(|e| format!("the search failed: {e:#}"))?;
    }
    Ok(())
}

/// Words past what a query string may carry (500 characters are looked at, 48 words):
/// straight to the index.
fn check_words(text: &str, catalog: &Catalog) -> Result<(), String> {
    let request = SearchRequest {
        text: Some(text.to_string()),
        ..SearchRequest::default()
    };
    crate::runtime()
        .block_on(catalog.search_request(request))
        .map(|_| ())
        .map_err(|e| format!("searching the words {text:?} failed: {e:#}"))
}

fn words(rng: &mut Rng) -> String {
    const WORDS: &[&str] = &[
        "ik",
        "voel",
        "me",
        "alleen",
        "eenzaam",
        "rood",
        "staan",
        "schulden",
        "taal",
        "cafe",
        "taalcafé",
        "koffie",
        "ochtend",
        "de",
        "het",
        "een",
        "schuldhulpverlening",
        "zorgen",
        "morgen",
        "AND",
        "OR",
        "NOT",
        "-",
        "*",
        "\"",
        ":",
        "^2",
        "~",
        "(",
        ")",
        "[",
        "]",
        "\\",
        "'s-Hertogenbosch",
        "co-ouder",
        "e-mail",
        "ü",
        "İstanbul",
        "ﬁets",
    ];
    let most = if rng.chance(1, 5) { 120 } else { 8 };
    let n = rng.below(most);
    let mut text = String::new();
    for _ in 0..n {
        match rng.below(5) {
            0 => text.push_str(*rng.pick(INTERESTING_STRINGS)),
            1 => (0..1 + rng.below(30)).for_each(|_| text.push(random_char(rng))),
            _ => text.push_str(*rng.pick(WORDS)),
        }
        text.push_str(*rng.pick(&[" ", "", "-", "  ", "\n", ",", "/"]));
    }
    if rng.chance(1, 20) {
        text.push_str(&"lang".repeat(1 + rng.below(2000)));
    }
    text
}

fn reference() -> (Geography, Vocabulary) {
    (
        Geography::load_embedded().expect("embedded geography"),
        Vocabulary::embedded().expect("embedded vocabulary"),
    )
}

#[test]
fn fuzz_search_parameters() {
    let (geo, vocabulary) = reference();
    let dir = tempfile::tempdir().unwrap();
    let catalog = crate::catalog(dir.path(), true);
    let cases = Fuzz::new("fuzz_search_parameters", 400).run(generate, |raw: &String| {
        check(raw, &geo, &vocabulary, Some(&catalog))
    });
    assert!(cases > 0, "no case ran");
}

#[test]
fn fuzz_search_words() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = crate::catalog(dir.path(), true);
    let cases =
        Fuzz::new("fuzz_search_words", 300).run(words, |text: &String| check_words(text, &catalog));
    assert!(cases > 0, "no case ran");
}
