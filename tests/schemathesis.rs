//! Contract fuzzing: schemathesis (PyPI) generates requests from `/openapi.json` — valid ones,
//! and invalid ones — against the real server with the demo data, and runs all its checks (no
//! 5xx, documented statuses, content types, headers and bodies, invalid data rejected, valid
//! data accepted). A fixed seed and example budget keep it reproducible and within CI time.
//!
//! It runs when schemathesis is installed: `WIJKWIJZER_SCHEMATHESIS` names the `st`
//! executable, else `st` on `PATH`. Without it the test says plainly that it was skipped, or
//! fails when `WIJKWIJZER_REQUIRE_SCHEMATHESIS=1` (as in `.ci/run`, which installs it).

mod common;

use std::process::Command;

use common::skip_or_fail;
use wijkwijzer::config::Config;

/// The version `.ci/run` installs; another one may generate other cases for the same seed.
const PINNED: &str = "4.32.5";
const SEED: &str = "20261202";
/// Examples per operation and phase: about 90 s on two cores.
const MAX_EXAMPLES: &str = "60";

fn executable() -> Option<String> {
    let candidate = std::env::var("WIJKWIJZER_SCHEMATHESIS").unwrap_or_else(|_| "st".into());
    let version = Command::new(&candidate).arg("--version").output().ok()?;
    version.status.success().then_some(candidate)
}

#[test]
fn schemathesis_finds_nothing() {
    let Some(st) = executable() else {
        skip_or_fail(
            "WIJKWIJZER_REQUIRE_SCHEMATHESIS",
            "schemathesis_finds_nothing",
            "schemathesis is not installed (pip install schemathesis==4.32.5; set \
             WIJKWIJZER_SCHEMATHESIS to its `st`)",
        );
        return;
    };
    let version = Command::new(&st).arg("--version").output().unwrap();
    let version = String::from_utf8_lossy(&version.stdout).to_string();
    assert!(
        version.contains(PINNED),
        "schemathesis {PINNED} is pinned, found: {version}"
    );
    // Its own server with the demo data and no rate limits: schemathesis sends thousands of
    // requests from one address, and 429s would hide what it is testing.
    let server = common::spawn_configured(
        |dir| {
            let mut config = Config::for_tests(dir.to_path_buf(), None);
            config.demo_data = Some(true);
            config.limits.rate_limit_search = 0;
            config.limits.rate_limit_dumps = 0;
            config
        },
        |_| Box::pin(async {}),
    );
    let report = tempfile::tempdir().unwrap();
    let output = Command::new(&st)
        .arg("--config-file")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/.ci/schemathesis.toml"
        ))
        .args([
            "run",
            &format!("{}/openapi.json", server.base),
            "--checks",
            "all",
            "--seed",
            SEED,
            "--max-examples",
            MAX_EXAMPLES,
            "--workers",
            "2",
            "--request-timeout",
            "20",
            "--suppress-health-check",
            "too_slow",
            "--report",
            "junit",
            "--report-dir",
        ])
        .arg(report.path())
        .env("NO_COLOR", "1")
        .current_dir(report.path())
        .output()
        .expect("schemathesis runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Printed either way: the summary is what a reader of the CI log wants to see.
    println!("{stdout}\n{stderr}");
    assert!(
        output.status.success(),
        "schemathesis found problems (seed {SEED}):\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("passed") || stdout.contains("Passed"),
        "schemathesis ran no test:\n{stdout}"
    );
}
