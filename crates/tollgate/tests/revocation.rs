//! A token revoked by the CLI while servers run is refused by every server well before the
//! cache's time-to-live would drop it: on SQLite (one node, the CLI writing the same file) and,
//! with `TOLLGATE_TEST_PG_URL`, on two nodes sharing one PostgreSQL database.

mod http_client;

use http_client::*;
use std::process::Command;
use std::time::{Duration, Instant};

/// Far under the server's token time-to-live (30 s): reaching 401 within it shows the
/// revocation watch, not the expiry, dropped the cached token.
const WITHIN: Duration = Duration::from_secs(10);

fn token_id(db: &str, role: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(["token", "list", "--json", "--db", db])
        .env_remove("TOLLGATE_DB")
        .output()
        .expect("tollgate token list");
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("token list JSON");
    let ids: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .filter(|t| t["role"] == role)
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 1, "one {role} token: {list}");
    ids[0].to_string()
}

fn status(base: &str, token: &str) -> u16 {
    request(base, "GET", "/v1/licences", Some(token), None, None)
        .expect("request")
        .status
}

/// Uses the token on every node (so each caches it), revokes it with the CLI, and waits for
/// every node to refuse it.
fn revoke_and_expect_refusal(db: &str, nodes: &[&Node]) {
    let auditor = token(db, "auditor", None);
    for n in nodes {
        assert_eq!(
            status(&n.base, &auditor),
            200,
            "{} before revocation",
            n.base
        );
        assert_eq!(status(&n.base, &auditor), 200, "{} cached", n.base);
    }
    let id = token_id(db, "auditor");
    let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(["token", "revoke", &id, "--db", db])
        .env_remove("TOLLGATE_DB")
        .output()
        .expect("tollgate token revoke");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let start = Instant::now();
    for n in nodes {
        loop {
            match status(&n.base, &auditor) {
                401 => break,
                200 if start.elapsed() < WITHIN => std::thread::sleep(Duration::from_millis(100)),
                s => panic!(
                    "{}: status {s} {:?} after revoking {id}",
                    n.base,
                    start.elapsed()
                ),
            }
        }
    }
    // Other tokens are unaffected.
    let reg = token(db, "regulator", None);
    for n in nodes {
        assert_eq!(status(&n.base, &reg), 200);
    }
}

#[test]
fn a_token_revoked_by_the_cli_is_refused_by_a_running_sqlite_server() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    // A token before start: no bootstrap token, so the test's tokens are the only ones.
    token(&db, "exporter", Some("acme"));
    let node = serve(dir.path(), &db);
    revoke_and_expect_refusal(&db, &[&node]);
}

#[test]
fn a_token_revoked_by_the_cli_is_refused_by_both_postgresql_nodes() {
    let Some(pg) = PgDb::fresh("revocation on PostgreSQL") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    token(&pg.url, "exporter", Some("acme"));
    let (n1, n2) = (serve(dir.path(), &pg.url), serve(dir.path(), &pg.url));
    revoke_and_expect_refusal(&pg.url, &[&n1, &n2]);
}
