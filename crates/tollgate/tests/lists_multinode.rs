//! Two `tollgate serve` nodes on one PostgreSQL database, each with a list directory of its
//! own, agree on the list version: `lists update --db` on one directory publishes it, both
//! nodes screen with the same bytes within seconds, and a node that cannot load the version the
//! database names says so in `/ready`. Needs `TOLLGATE_TEST_PG_URL`; without it the test
//! prints SKIPPED and passes.

mod http_client;

use http_client::*;
use serde_json::{json, Value};
use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

const NEW_PARTY: &str = "Zephyrline Quantum Lattice Computing Co., Ltd.";

fn csl_with_new_party() -> Vec<u8> {
    let gz =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/lists/csl.csv.gz"))
            .unwrap();
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut out)
        .unwrap();
    out.extend_from_slice(format!(
        "tg-mn-1,Entity List (EL) - Bureau of Industry and Security,,,,\"{NEW_PARTY}\",,\"8 Lattice Road, Hefei, CN\",91 FR 12345,2026-07-14,,,For all items subject to the EAR.,Presumption of denial.,,,,,,,,,,,,,,,\n"
    ).as_bytes());
    out
}

fn finds_new_party(node: &str, token: &str) -> bool {
    let r = request(
        node,
        "POST",
        "/v1/screen",
        Some(token),
        Some(&json!({"name": NEW_PARTY, "country": "CN"})),
        None,
    )
    .expect("screen");
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["hits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["entity_name"] == NEW_PARTY)
}

fn ready_lists(node: &str) -> Value {
    let r = request(node, "GET", "/ready", None, None, None).expect("ready");
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["lists"].clone()
}

fn csl_sha(lists: &Value) -> Option<String> {
    lists["lists"]
        .as_array()?
        .iter()
        .find(|l| l["file"] == "csl.csv")
        .and_then(|l| l["sha256"].as_str().map(str::to_string))
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(40);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn two_nodes_on_one_postgresql_agree_on_the_list_version() {
    let Some(pg) = PgDb::fresh("list versions on two nodes") else {
        return;
    };
    let db = pg.url.clone();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let reg = token(&db, "regulator", None);
    // Each node's list directory is ./lists in its own working directory.
    let n1 = serve(a.path(), &db);
    let n2 = serve(b.path(), &db);
    let nodes = [n1.base.clone(), n2.base.clone()];
    for n in &nodes {
        assert!(!finds_new_party(n, &reg));
        assert!(
            ready_lists(n)["sync"]["in_sync"].as_bool().unwrap(),
            "{}",
            ready_lists(n)
        );
    }

    // A CSL update into node 1's directory, published to the database.
    let src = a.path().join("consolidated.csv");
    std::fs::write(&src, csl_with_new_party()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(["lists", "update", "--source", "csl", "--db", &db])
        .current_dir(a.path())
        .env_remove("TOLLGATE_LISTS_DIR")
        .env_remove("TOLLGATE_DB")
        .env("TOLLGATE_LIST_URL_CSL", format!("file://{}", src.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // Both nodes screen with it, node 2 from the bytes in the database.
    let started = Instant::now();
    wait_for("both nodes on the new CSL", || {
        nodes.iter().all(|n| finds_new_party(n, &reg))
    });
    eprintln!(
        "both nodes screened with the published version {:.1} s after the update",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(
        std::fs::read(a.path().join("lists/csl.csv")).unwrap(),
        std::fs::read(b.path().join("lists/csl.csv")).unwrap()
    );
    wait_for("both nodes in sync", || {
        nodes
            .iter()
            .all(|n| ready_lists(n)["sync"]["in_sync"] == true)
    });
    let (r1, r2) = (ready_lists(&nodes[0]), ready_lists(&nodes[1]));
    assert!(csl_sha(&r1).is_some());
    assert_eq!(csl_sha(&r1), csl_sha(&r2));

    // The database names a version whose files it does not hold: neither node can load it,
    // both keep screening with the version they have and say in /ready that they lag.
    pg.rt.block_on(async {
        let pool = sqlx::AnyPool::connect(&db).await.unwrap();
        let state: String = sqlx::query_scalar("SELECT state FROM list_versions WHERE source = 'csl'")
            .fetch_one(&pool)
            .await
            .unwrap();
        let mut st: Value = serde_json::from_str(&state).unwrap();
        st["files"][0]["sha256"] = json!("0".repeat(64));
        sqlx::query("UPDATE list_versions SET version = $1, state = $2, updated_by = 'test' WHERE source = 'csl'")
            .bind("0".repeat(64))
            .bind(st.to_string())
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    wait_for("the nodes to report the lag", || {
        nodes
            .iter()
            .all(|n| ready_lists(n)["sync"]["in_sync"] == false)
    });
    let sync = &ready_lists(&nodes[1])["sync"];
    let lag = sync["lagging"][0].as_str().unwrap();
    assert!(lag.starts_with("csl: this node screens with"), "{sync}");
    assert!(
        sync["error"]
            .as_str()
            .unwrap()
            .contains("not in the database"),
        "{sync}"
    );
    for n in &nodes {
        assert!(
            finds_new_party(n, &reg),
            "still screening with the version it has"
        );
    }
    drop((n1, n2));
}
