//! A small, dependency-free mutation fuzzer: a deterministic random source, byte and JSON
//! mutators seeded with real files, and a runner that turns a panic (in any thread), a broken
//! property or a hang into a failure that names the seed and case and keeps the input.
//!
//! Why not libFuzzer or AFL: both need every crate instrumented, i.e. the whole dependency tree
//! (tantivy, sqlx, axum, …) built a second time, which the shared 2-core machines and CI cannot
//! afford; `cargo fuzz` also wants nightly for its default sanitizer. See FUZZING.md.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

/// SplitMix64: tiny, fast and good enough to drive mutations; the same seed gives the same cases.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    /// The generator for one case: each case can be replayed on its own.
    pub fn for_case(seed: u64, case: usize) -> Self {
        let mut base = Self(seed ^ (case as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        base.next_u64();
        base
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: usize, den: usize) -> bool {
        self.below(den) < num
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------------------
// Running cases

/// Panics seen anywhere in the process (a reader thread or a tokio task included), counted by a
/// panic hook: the importer turns a panicking task into an error value, which must not hide it.
static PANICS: AtomicUsize = AtomicUsize::new(0);
static HOOK: Once = Once::new();

fn count_panics() {
    HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            default(info);
        }));
    });
}

/// What a case is made of, as files: kept when the case fails, for the regression test.
pub trait Case {
    fn files(&self) -> Vec<(String, Vec<u8>)>;
}

impl Case for String {
    fn files(&self) -> Vec<(String, Vec<u8>)> {
        vec![("input.txt".into(), self.as_bytes().to_vec())]
    }
}

/// A named input: the file name says what it is (`feed.ndjson`, `buurten.geojson`).
pub struct File {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Case for File {
    fn files(&self) -> Vec<(String, Vec<u8>)> {
        vec![(self.name.clone(), self.bytes.clone())]
    }
}

/// Several files (a CSV datapackage).
pub struct Files(pub Vec<(String, Vec<u8>)>);

impl Case for Files {
    fn files(&self) -> Vec<(String, Vec<u8>)> {
        self.0.clone()
    }
}

/// One target's run: how many cases from which seed, read from the environment.
///
/// * `WIJKWIJZER_FUZZ_CASES` — cases per target (default: the target's short CI budget);
/// * `WIJKWIJZER_FUZZ_SEED` — the seed (default fixed, so CI runs the same cases every time);
/// * `WIJKWIJZER_FUZZ_CASE` — run only this case (to replay a finding);
/// * `WIJKWIJZER_FUZZ_KEEP_GOING=1` — count findings and go on (long runs) instead of failing
///   at the first;
/// * `WIJKWIJZER_FUZZ_HANG_SECS` — a case running longer than this is a hang (default 60: the
///   tests are built without optimisation and the machine is shared).
pub struct Fuzz {
    name: &'static str,
    cases: usize,
    seed: u64,
    only: Option<usize>,
    keep_going: bool,
    hang: Duration,
}

fn env_number(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    let value = value.trim();
    let parsed = match value.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => value.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name}={value:?} is not a number")))
}

/// The seed CI uses (any fixed number would do).
pub const DEFAULT_SEED: u64 = 0x5EED_2026_1202;

impl Fuzz {
    pub fn new(name: &'static str, default_cases: usize) -> Self {
        count_panics();
        Self {
            name,
            cases: env_number("WIJKWIJZER_FUZZ_CASES").map_or(default_cases, |n| n as usize),
            seed: env_number("WIJKWIJZER_FUZZ_SEED").unwrap_or(DEFAULT_SEED),
            only: env_number("WIJKWIJZER_FUZZ_CASE").map(|n| n as usize),
            keep_going: std::env::var("WIJKWIJZER_FUZZ_KEEP_GOING").is_ok_and(|v| v == "1"),
            hang: Duration::from_secs(env_number("WIJKWIJZER_FUZZ_HANG_SECS").unwrap_or(60)),
        }
    }

    /// Generates and executes the cases. `execute` returns `Err` when a property does not hold;
    /// a panic is caught and reported the same way. Fails the test naming the seed, the case
    /// and the folder where the input was kept (with keep-going: after the last case, having
    /// listed them all). Returns how many cases ran.
    pub fn run<C: Case>(
        &self,
        mut generate: impl FnMut(&mut Rng) -> C,
        mut execute: impl FnMut(&C) -> Result<(), String>,
    ) -> usize {
        let started = Instant::now();
        let watchdog = Watchdog::start(self.name, self.hang);
        let mut findings: Vec<String> = Vec::new();
        let mut cases = 0;
        let range = match self.only {
            Some(case) => case..case + 1,
            None => 0..self.cases,
        };
        for case in range {
            let mut rng = Rng::for_case(self.seed, case);
            let input = generate(&mut rng);
            watchdog.begin(case, input.files());
            let panics_before = PANICS.load(Ordering::SeqCst);
            let result = panic::catch_unwind(AssertUnwindSafe(|| execute(&input)));
            watchdog.end();
            cases += 1;
            let failure = match result {
                Ok(Ok(())) if PANICS.load(Ordering::SeqCst) == panics_before => None,
                Ok(Ok(())) => Some("a panic in another thread (see the output above)".into()),
                Ok(Err(property)) => Some(property),
                Err(panic) => Some(format!("panic: {}", panic_message(&*panic))),
            };
            let Some(failure) = failure else { continue };
            let kept = keep(self.name, self.seed, case, &input.files());
            let report = format!(
                "fuzz target {}: case {case} of seed {:#x} failed: {failure}\n  input kept in {}\n  \
                 replay: WIJKWIJZER_FUZZ_SEED={:#x} WIJKWIJZER_FUZZ_CASE={case} cargo test --test fuzz {}",
                self.name,
                self.seed,
                kept.display(),
                self.seed,
                self.name
            );
            if !self.keep_going {
                panic!("{report}");
            }
            eprintln!("{report}");
            findings.push(failure);
        }
        eprintln!(
            "fuzz target {}: {cases} cases, seed {:#x}, {} findings, {:.1} s",
            self.name,
            self.seed,
            findings.len(),
            started.elapsed().as_secs_f64()
        );
        assert!(
            findings.is_empty(),
            "fuzz target {}: {} findings (listed above)",
            self.name,
            findings.len()
        );
        cases
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(no message)".into())
}

/// Writes a failing case's files to `target/tmp/fuzz-findings/<target>-<seed>-<case>/`.
fn keep(name: &str, seed: u64, case: usize, files: &[(String, Vec<u8>)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("fuzz-findings")
        .join(format!("{name}-{seed:x}-{case}"));
    let _ = std::fs::create_dir_all(&dir);
    for (file, bytes) in files {
        let _ = std::fs::write(dir.join(file), bytes);
    }
    dir
}

/// Ends the process when one case runs longer than the hang limit, after keeping its input:
/// a hang cannot be caught like a panic.
struct Watchdog {
    state: Arc<WatchState>,
}

struct WatchState {
    /// Milliseconds since `epoch` when the running case began; 0 when none runs.
    began: AtomicU64,
    case: AtomicUsize,
    files: Mutex<Vec<(String, Vec<u8>)>>,
    epoch: Instant,
    done: AtomicBool,
}

impl Watchdog {
    fn start(name: &'static str, hang: Duration) -> Self {
        let state = Arc::new(WatchState {
            began: AtomicU64::new(0),
            case: AtomicUsize::new(0),
            files: Mutex::new(Vec::new()),
            epoch: Instant::now(),
            done: AtomicBool::new(false),
        });
        let watched = state.clone();
        std::thread::spawn(move || {
            while !watched.done.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(250));
                let began = watched.began.load(Ordering::SeqCst);
                let now = watched.epoch.elapsed().as_millis() as u64;
                if began != 0 && now.saturating_sub(began) > hang.as_millis() as u64 {
                    let case = watched.case.load(Ordering::SeqCst);
                    let files = watched.files.lock().map(|f| f.clone()).unwrap_or_default();
                    let kept = keep(name, 0, case, &files);
                    eprintln!(
                        "fuzz target {name}: case {case} still runs after {} s: a hang; input \
                         kept in {}",
                        hang.as_secs(),
                        kept.display()
                    );
                    std::process::exit(70);
                }
            }
        });
        Self { state }
    }

    fn begin(&self, case: usize, files: Vec<(String, Vec<u8>)>) {
        self.state.case.store(case, Ordering::SeqCst);
        if let Ok(mut kept) = self.state.files.lock() {
            *kept = files;
        }
        let now = self.state.epoch.elapsed().as_millis() as u64;
        self.state.began.store(now.max(1), Ordering::SeqCst);
    }

    fn end(&self) {
        self.state.began.store(0, Ordering::SeqCst);
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.state.done.store(true, Ordering::SeqCst);
    }
}

// ---------------------------------------------------------------------------------------------
// Byte mutations

/// Bytes that parsers treat specially.
const INTERESTING_BYTES: &[u8] = &[
    0, 1, 0x7f, 0x80, 0xff, 0xc3, 0xef, 0xbb, 0xbf, b'\n', b'\r', b'\t', b' ', b'"', b'\'', b'\\',
    b',', b';', b':', b'{', b'}', b'[', b']', b'=', b'&', b'%', b'+', b'-', b'.', b'0', b'9', b'e',
];

/// Applies 1–8 stacked mutations (AFL's "havoc" in small): bit flips, interesting bytes,
/// insertions and deletions, repeated chunks, dictionary tokens and splices with `other`.
/// The result is at most `max_len` bytes.
pub fn mutate_bytes(
    rng: &mut Rng,
    data: &mut Vec<u8>,
    dictionary: &[&[u8]],
    other: &[u8],
    max_len: usize,
) {
    let rounds = 1 + rng.below(8);
    for _ in 0..rounds {
        let len = data.len();
        match rng.below(11) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = *rng.pick(INTERESTING_BYTES);
            }
            2 => {
                let at = rng.below(len + 1);
                let n = 1 + rng.below(8);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
                data.splice(at..at, bytes);
            }
            3 if len > 0 => {
                let from = rng.below(len);
                let to = (from + 1 + rng.below(32)).min(len);
                data.drain(from..to);
            }
            4 if len > 0 => {
                // A chunk copied elsewhere: duplicated records, keys, cells.
                let from = rng.below(len);
                let to = (from + 1 + rng.below(256)).min(len);
                let chunk = data[from..to].to_vec();
                let at = rng.below(len + 1);
                data.splice(at..at, chunk);
            }
            5 | 6 if !dictionary.is_empty() => {
                let token = *rng.pick(dictionary);
                let at = rng.below(len + 1);
                if rng.chance(1, 2) {
                    data.splice(at..at, token.iter().copied());
                } else {
                    let end = (at + token.len()).min(len);
                    data.splice(at..end, token.iter().copied());
                }
            }
            7 if !other.is_empty() && len > 0 => {
                let cut = rng.below(len);
                let from = rng.below(other.len());
                data.truncate(cut);
                data.extend_from_slice(&other[from..]);
            }
            8 if len > 0 => {
                data.truncate(rng.below(len));
            }
            9 if len > 0 => {
                // Deep nesting and long runs: "[[[[", "\"\"\"\"".
                let from = rng.below(len);
                let to = (from + 1 + rng.below(4)).min(len);
                let chunk = data[from..to].to_vec();
                let times = 1 + rng.below(200);
                let at = rng.below(len + 1);
                data.splice(at..at, chunk.repeat(times));
            }
            _ if len > 1 => {
                let a = rng.below(len);
                let b = rng.below(len);
                data.swap(a, b);
            }
            _ => data.push(rng.next_u64() as u8),
        }
    }
    data.truncate(max_len);
}

// ---------------------------------------------------------------------------------------------
// JSON mutations

/// Strings that have broken parsers and checkers before, or sit on a boundary of ours.
pub const INTERESTING_STRINGS: &[&str] = &[
    "",
    " ",
    "\t\n",
    "\u{0}",
    "a\u{0}b",
    "\u{feff}",
    "\u{202e}",
    "\u{fffd}",
    "ä",
    "e\u{301}",
    "𝄞",
    "İ",
    "ß",
    "ﬁ",
    "🙂🙂🙂",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "\\",
    "\"",
    "null",
    "true",
    "NaN",
    "Infinity",
    "-0",
    "1e309",
    "-1",
    "0",
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "0000000-0000-0000-0000-0000000000000",
    "{00000000-0000-0000-0000-000000000000}",
    "urn:uuid:00000000-0000-0000-0000-000000000000",
    "00:00",
    "24:00",
    "23:59:60",
    "99:99",
    "-01:00",
    "12",
    "12:",
    ":30",
    "1:2:3:4",
    "2024-02-30",
    "0000-00-00",
    "9999-12-31",
    "2024-13-01T25:61:61Z",
    "+275760-09-13",
    "P1D",
    "FREQ=WEEKLY;BYDAY=MO,TU",
    "MO",
    "SU",
    "maandag",
    "GM0344",
    "WK034403",
    "BU03440321",
    "BU08551090",
    "WK085510",
    "BU",
    "BU0344",
    "GM",
    "BUÄÖÜ12345",
    "3562",
    "3562 AB",
    "1011AB",
    "nl",
    "ar",
    "zz",
    "http://",
    "https://example.org/%",
    "mailto:",
    "free",
    "price",
    "open",
    "referral",
    "wijkwijzer-categorie",
    "eenzaamheid",
    "eenzaamheid/maatjes",
    // GeoJSON geometries as text (HSDS service area extents): whole, huge, and broken.
    r#"{"type":"Polygon","coordinates":[[[5.0,52.0],[5.2,52.0],[5.2,52.2],[5.0,52.0]]]}"#,
    r#"{"type":"Polygon","coordinates":[[[1e308,1e308],[-1e308,1e308],[0,-1e308],[1e308,1e308]]]}"#,
    r#"{"type":"Polygon","coordinates":[[[5.0,52.0],[5.1]]]}"#,
    r#"{"type":"Point","coordinates":[]}"#,
    r#"{"type":"MultiPolygon","coordinates":[[]]}"#,
    r#"{"type":"GeometryCollection","geometries":[]}"#,
    "geojson",
    "topojson",
];

const INTERESTING_NUMBERS: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    2.0,
    7.0,
    8.0,
    24.0,
    59.0,
    60.0,
    120.0,
    121.0,
    255.0,
    256.0,
    65536.0,
    2147483648.0,
    -2147483649.0,
    9007199254740993.0,
    1e308,
    -1e308,
    1e-320,
    52.09,
    5.12,
    51.56,
    90.0,
    90.000001,
    -90.0,
    180.0,
    180.5,
    -181.0,
    3.0,
    8.0,
    50.0,
    54.0,
];

/// What a JSON mutator may draw from: the keys and strings of the seed corpus.
pub struct JsonDictionary {
    pub keys: Vec<String>,
    pub strings: Vec<String>,
}

impl JsonDictionary {
    pub fn from_corpus(corpus: &[Value]) -> Self {
        let mut keys = std::collections::BTreeSet::new();
        let mut strings = std::collections::BTreeSet::new();
        fn walk(
            v: &Value,
            keys: &mut std::collections::BTreeSet<String>,
            strings: &mut std::collections::BTreeSet<String>,
        ) {
            match v {
                Value::Object(m) => {
                    for (k, v) in m {
                        keys.insert(k.clone());
                        walk(v, keys, strings);
                    }
                }
                Value::Array(l) => l.iter().for_each(|v| walk(v, keys, strings)),
                Value::String(s) if s.len() < 200 && strings.len() < 5000 => {
                    strings.insert(s.clone());
                }
                _ => {}
            }
        }
        for v in corpus {
            walk(v, &mut keys, &mut strings);
        }
        Self {
            keys: keys.into_iter().collect(),
            strings: strings.into_iter().collect(),
        }
    }
}

/// JSON-pointer paths of every node of `value` (the root is "").
fn paths(value: &Value, here: &mut String, out: &mut Vec<String>) {
    out.push(here.clone());
    let len = here.len();
    match value {
        Value::Object(m) => {
            for (k, v) in m {
                here.push('/');
                here.push_str(&k.replace('~', "~0").replace('/', "~1"));
                paths(v, here, out);
                here.truncate(len);
            }
        }
        Value::Array(l) => {
            for (i, v) in l.iter().enumerate() {
                here.push('/');
                here.push_str(&i.to_string());
                paths(v, here, out);
                here.truncate(len);
            }
        }
        _ => {}
    }
}

pub fn random_scalar(rng: &mut Rng, dict: &JsonDictionary) -> Value {
    match rng.below(10) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(1, 2)),
        2 => serde_json::json!(*rng.pick(INTERESTING_NUMBERS)),
        3 => Value::from(rng.next_u64() as i64),
        4 => Value::from(rng.next_u64()),
        5 | 6 => Value::String(rng.pick(INTERESTING_STRINGS).to_string()),
        7 if !dict.strings.is_empty() => Value::String(rng.pick(&dict.strings).clone()),
        8 => {
            // A long string, past field and line limits.
            let unit = *rng.pick(&["a", "é", "🙂", " ", "a b ", "\u{0}"]);
            Value::String(unit.repeat(1 + rng.below(20_000)))
        }
        _ => {
            let n = rng.below(12);
            Value::String((0..n).map(|_| random_char(rng)).collect())
        }
    }
}

pub fn random_char(rng: &mut Rng) -> char {
    match rng.below(4) {
        0 => (b' ' + rng.below(95) as u8) as char,
        1 => char::from_u32(rng.below(0x300) as u32).unwrap_or('x'),
        2 => *rng.pick(&[
            'é', 'ë', 'ß', 'İ', '\u{0}', '\u{202e}', '\u{feff}', '𝄞', '🙂', '\n',
        ]),
        _ => char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{fffd}'),
    }
}

fn random_value(rng: &mut Rng, dict: &JsonDictionary, depth: usize) -> Value {
    if depth == 0 || rng.chance(2, 3) {
        return random_scalar(rng, dict);
    }
    if rng.chance(1, 2) {
        let n = rng.below(4);
        Value::Array((0..n).map(|_| random_value(rng, dict, depth - 1)).collect())
    } else {
        let mut m = Map::new();
        for _ in 0..rng.below(4) {
            let key = if dict.keys.is_empty() {
                "id".to_string()
            } else {
                rng.pick(&dict.keys).clone()
            };
            m.insert(key, random_value(rng, dict, depth - 1));
        }
        Value::Object(m)
    }
}

/// Applies 1–6 structural mutations to `value`: replaces, deletes, duplicates, adds or nests
/// nodes, or grafts a node of `other` in. The result is still JSON, so the checks behind the
/// parser get exercised too.
pub fn mutate_json(rng: &mut Rng, value: &mut Value, dict: &JsonDictionary, other: &Value) {
    let rounds = 1 + rng.below(6);
    for _ in 0..rounds {
        let mut all = Vec::new();
        paths(value, &mut String::new(), &mut all);
        let path = rng.pick(&all).clone();
        let op = rng.below(9);
        // Grafts from the other document are picked before borrowing this one.
        let graft = if op == 7 {
            let mut theirs = Vec::new();
            paths(other, &mut String::new(), &mut theirs);
            other.pointer(rng.pick(&theirs).as_str()).cloned()
        } else {
            None
        };
        let fresh = random_value(rng, dict, 3);
        let Some(node) = value.pointer_mut(&path) else {
            continue;
        };
        match op {
            0 | 1 => *node = fresh,
            2 => match node {
                Value::Object(m) if !m.is_empty() => {
                    let key = m
                        .keys()
                        .nth(rng.below(m.len()))
                        .cloned()
                        .unwrap_or_default();
                    m.remove(&key);
                }
                Value::Array(l) if !l.is_empty() => {
                    l.remove(rng.below(l.len()));
                }
                _ => *node = Value::Null,
            },
            3 => match node {
                // The same record twice (duplicate ids), or a list grown long.
                Value::Array(l) if !l.is_empty() => {
                    let item = l[rng.below(l.len())].clone();
                    let times = if rng.chance(1, 8) {
                        1 + rng.below(300)
                    } else {
                        1
                    };
                    for _ in 0..times {
                        l.insert(rng.below(l.len() + 1), item.clone());
                    }
                }
                Value::Object(m) if !m.is_empty() => {
                    let key = m
                        .keys()
                        .nth(rng.below(m.len()))
                        .cloned()
                        .unwrap_or_default();
                    let copy = m[&key].clone();
                    let other_key = if dict.keys.is_empty() {
                        key
                    } else {
                        rng.pick(&dict.keys).clone()
                    };
                    m.insert(other_key, copy);
                }
                _ => {}
            },
            4 => match node {
                Value::Object(m) => {
                    let key = if dict.keys.is_empty() || rng.chance(1, 8) {
                        (0..rng.below(6)).map(|_| random_char(rng)).collect()
                    } else {
                        rng.pick(&dict.keys).clone()
                    };
                    m.insert(key, fresh);
                }
                Value::Array(l) => l.insert(rng.below(l.len() + 1), fresh),
                _ => *node = fresh,
            },
            5 => {
                // Wrap: a value where a list or object of it is expected, and the reverse.
                let inner = node.take();
                *node = if rng.chance(1, 2) {
                    Value::Array(vec![inner])
                } else {
                    let mut m = Map::new();
                    m.insert("contents".into(), inner);
                    if rng.chance(1, 2) {
                        m.insert("total_items".into(), Value::from(1));
                    }
                    Value::Object(m)
                };
            }
            6 => {
                let inner = node.take();
                *node = match inner {
                    Value::Array(mut l) if !l.is_empty() => l.swap_remove(0),
                    Value::Object(m) if !m.is_empty() => {
                        m.into_iter().next().map(|(_, v)| v).unwrap_or_default()
                    }
                    Value::Number(n) => Value::String(n.to_string()),
                    Value::String(s) => s
                        .trim()
                        .parse::<f64>()
                        .ok()
                        .map(|f| serde_json::json!(f))
                        .unwrap_or(Value::String(s)),
                    other => other,
                };
            }
            7 => {
                if let Some(graft) = graft {
                    *node = graft;
                }
            }
            _ => {
                // Numbers nudged across boundaries.
                if let Some(f) = node.as_f64() {
                    let delta = *rng.pick(&[1.0, -1.0, 0.5, 1e-9, 1000.0, -1e6]);
                    *node = serde_json::json!(f + delta);
                } else {
                    *node = fresh;
                }
            }
        }
    }
}

/// Reads a file of the repository.
pub fn repo_file(path: &str) -> Vec<u8> {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("seed {}: {e}", full.display()))
}

/// A case with a switch (strict import, import after reading): kept as a file `flag`.
impl<C: Case> Case for (C, bool) {
    fn files(&self) -> Vec<(String, Vec<u8>)> {
        let mut files = self.0.files();
        files.push(("flag".into(), self.1.to_string().into_bytes()));
        files
    }
}
