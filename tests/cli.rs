//! The `wijkwijzer` binary as an operator uses it: subcommands, configuration by flags and
//! environment, readiness, and a graceful stop on SIGTERM.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_wijkwijzer");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn migrate_reindex_and_openapi_commands() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let migrate = Command::new(BIN)
        .args(["--data-dir", data, "migrate"])
        .output()
        .unwrap();
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    assert!(dir.path().join("wijkwijzer.db").exists());

    let load = Command::new(BIN)
        .args(["load-demo"])
        .env("WIJKWIJZER_DATA_DIR", data)
        .output()
        .unwrap();
    assert!(
        load.status.success(),
        "{}",
        String::from_utf8_lossy(&load.stderr)
    );

    let reindex = Command::new(BIN)
        .args(["--data-dir", data, "reindex"])
        .output()
        .unwrap();
    assert!(
        reindex.status.success(),
        "{}",
        String::from_utf8_lossy(&reindex.stderr)
    );
    let out = String::from_utf8_lossy(&reindex.stdout);
    let n: usize = out
        .trim()
        .strip_prefix("reindexed ")
        .and_then(|s| s.strip_suffix(" services"))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("unexpected output {out:?}"));
    assert!(n >= 300, "{n}");

    let openapi = Command::new(BIN).args(["openapi"]).output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&openapi.stdout).unwrap();
    assert!(doc["paths"]["/api/v1/search"].is_object());

    let bad = Command::new(BIN)
        .args(["--listen", "not-an-address"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--listen"));
}

#[tokio::test]
async fn serve_answers_then_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new(BIN)
        .args(["serve", "--log-format", "json"])
        .env("WIJKWIJZER_LISTEN", format!("127.0.0.1:{port}"))
        .env("WIJKWIJZER_DATA_DIR", dir.path())
        .env("WIJKWIJZER_DEMO_DATA", "false")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let health = loop {
        match client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
        {
            Ok(r) => break r,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Err(e) => panic!("service did not come up: {e}"),
        }
    };
    assert_eq!(health.status(), 200);
    let body: serde_json::Value = health.json().await.unwrap();
    assert_eq!(
        body["indexed_services"], 0,
        "demo data disabled by environment"
    );

    // The first administrator is made while the service runs (it holds the index's lock).
    let admin = Command::new(BIN)
        .args(["admin", "create", "beheer@example.org"])
        .env("WIJKWIJZER_DATA_DIR", dir.path())
        .env("WIJKWIJZER_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .output()
        .unwrap();
    assert!(
        admin.status.success(),
        "admin create beside a running service: {}",
        String::from_utf8_lossy(&admin.stderr)
    );
    let link = String::from_utf8_lossy(&admin.stdout);
    assert!(
        link.contains(&format!("http://127.0.0.1:{port}/")),
        "prints the link: {link}"
    );

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "did not stop within 20 s of SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "clean exit after SIGTERM: {exit:?}");
    let mut logs = String::new();
    use std::io::Read;
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("a JSON log line: {l}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "shutting down")
    );
    assert!(lines.iter().any(|l| l["fields"]["message"] == "stopped"));
}

#[test]
fn import_and_export_commands_report_and_exit_as_a_script_expects() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/hsds/examples");
    let run = |args: &[&str]| {
        Command::new(BIN)
            .args(["--data-dir", data])
            .args(args)
            .env_remove("RUST_BACKTRACE")
            .env_remove("RUST_LIB_BACKTRACE")
            .output()
            .unwrap()
    };

    let ok = run(&["import", &format!("{examples}/service_full.json")]);
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        stdout.contains("services: 1 created, 0 updated, 0 unchanged, 0 rejected"),
        "{stdout}"
    );
    assert!(
        String::from_utf8_lossy(&ok.stderr).contains("imported "),
        "progress on stderr"
    );

    let again = run(&["import", &format!("{examples}/service_full.json")]);
    assert!(
        String::from_utf8_lossy(&again.stdout)
            .contains("services: 0 created, 0 updated, 1 unchanged")
    );

    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "[{\"id\": ").unwrap();
    let bad = run(&["import", "--strict", broken.to_str().unwrap()]);
    assert!(!bad.status.success());
    let out = String::from_utf8_lossy(&bad.stdout);
    assert!(
        out.contains("broken.json") && out.contains("not valid JSON"),
        "{out}"
    );

    for (format, path) in [
        ("json", "out.json"),
        ("ndjson", "out.ndjson"),
        ("csv", "out-csv"),
    ] {
        let target = dir.path().join(path);
        let export = run(&["export", "--format", format, target.to_str().unwrap()]);
        assert!(
            export.status.success(),
            "{}",
            String::from_utf8_lossy(&export.stderr)
        );
        assert!(String::from_utf8_lossy(&export.stdout).contains("exported 1 organizations"));
        assert!(target.exists(), "{format}");
    }
    assert!(dir.path().join("out-csv/services.csv").exists());
    let unknown = run(&["export", "--format", "xml", "x"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown format"));
}

/// A command that needs the search index while a running service holds it says so plainly.
#[test]
fn a_command_beside_a_running_service_says_the_index_is_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    // Holds the index writer, as `serve` does.
    let (_held, _) = wijkwijzer::search::SearchIndex::open_or_create(&dir.path().join("index"))
        .expect("index opens");
    let out = Command::new(BIN)
        .args(["--data-dir", data, "--demo-data", "false", "reindex"])
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("in gebruik door een ander wijkwijzer-proces"),
        "{stderr}"
    );
    assert!(!stderr.contains("LockBusy"), "{stderr}");
}
