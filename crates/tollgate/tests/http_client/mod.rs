//! A tiny blocking HTTP/1.1 client for tests against a real `tollgate serve` (one connection per
//! request, `Connection: close`), plus starting a server process and reading its start-up lines.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Resp {
    pub status: u16,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// `base` is `http://HOST:PORT`.
pub fn request(
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&serde_json::Value>,
    key: Option<&str>,
) -> std::io::Result<Resp> {
    let host = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(host)?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        payload.len()
    );
    if body.is_some() {
        req.push_str("Content-Type: application/json\r\n");
    }
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if let Some(k) = key {
        req.push_str(&format!("Idempotency-Key: {k}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(&payload);
    s.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_string()
    };
    Ok(Resp { status, body })
}

fn dechunk(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || after.len() < n {
            break;
        }
        out.push_str(&after[..n]);
        rest = after[n..].trim_start_matches("\r\n");
    }
    out
}

/// POST that must succeed; returns the JSON.
pub fn ok(base: &str, path: &str, token: &str, body: serde_json::Value) -> serde_json::Value {
    let r = request(base, "POST", path, Some(token), Some(&body), None).expect("request");
    assert!(
        (200..300).contains(&r.status),
        "POST {path}: {} {}",
        r.status,
        r.body
    );
    r.json()
}

pub struct Kill(pub Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct Node {
    pub proc: Kill,
    pub base: String,
    /// The one-time login URL, when this start created the bootstrap token.
    pub login: Option<String>,
}

/// Starts `tollgate serve` on a free loopback port against `db`, in `dir`.
pub fn serve(dir: &std::path::Path, db: &str) -> Node {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(["serve", "--addr", "127.0.0.1:0", "--db", db])
        .current_dir(dir)
        .env_remove("TOLLGATE_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start tollgate serve");
    let out = child.stdout.take().expect("stdout");
    let mut login = None;
    let mut base = String::new();
    for line in BufReader::new(out).lines() {
        let line = line.expect("server output");
        if let Some(u) = line.strip_prefix("Dashboard login: ") {
            login = Some(u.to_string());
        }
        if let Some(u) = line.strip_prefix("Serving on ") {
            base = u.to_string();
            break;
        }
    }
    assert!(!base.is_empty(), "tollgate serve printed no address");
    Node {
        proc: Kill(child),
        base,
        login,
    }
}

/// `tollgate token create ...` against `db`; returns the secret.
pub fn token(db: &str, role: &str, exporter: Option<&str>) -> String {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tollgate"));
    c.args(["token", "create", "--role", role, "--db", db])
        .env_remove("TOLLGATE_DB");
    if let Some(e) = exporter {
        c.args(["--exporter", e]);
    }
    let out = c.output().expect("tollgate token create");
    assert!(
        out.status.success(),
        "token create: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A test report with an id of its own: the store refuses a report reused beyond its
/// `units_tested` across shipments, so each call is a different report (a body built once and
/// sent twice still carries the same one).
pub fn h200_report(units: i64) -> serde_json::Value {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let id = format!(
        "EL-T-{}",
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    serde_json::json!({"lab": "Example Labs, Austin TX", "report_id": id, "date": "2026-02-10",
        "chip": "nvidia-h200-sxm", "units_tested": units,
        "measured": {"tpp": 15790, "dram_bandwidth_gbs": 4790}})
}

pub fn export(licence: &str, units: i64, value: &str) -> serde_json::Value {
    serde_json::json!({"shipments": [{"licence": licence, "quantity": units, "value": value,
        "date": "2026-02-15", "test_report": h200_report(units)}]})
}

/// A new, empty PostgreSQL database for one test (at `TOLLGATE_TEST_PG_URL`'s server), dropped
/// with it, and a runtime for direct queries.
pub struct PgDb {
    pub url: String,
    pub rt: tokio::runtime::Runtime,
    base: String,
    name: String,
}

impl PgDb {
    /// `None`, after printing SKIPPED for `what`, without `TOLLGATE_TEST_PG_URL`.
    pub fn fresh(what: &str) -> Option<PgDb> {
        let Ok(base) = std::env::var("TOLLGATE_TEST_PG_URL") else {
            eprintln!("SKIPPED ({what}): TOLLGATE_TEST_PG_URL is not set");
            return None;
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let (url, name) = fresh_database(&base, &rt);
        Some(PgDb {
            url,
            rt,
            base,
            name,
        })
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        drop_database(&self.base, &self.name, &self.rt);
    }
}

fn fresh_database(base: &str, rt: &tokio::runtime::Runtime) -> (String, String) {
    sqlx::any::install_default_drivers();
    let name = format!(
        "tollgate_e2e_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros()
    );
    rt.block_on(async {
        let admin = sqlx::AnyPool::connect(base)
            .await
            .expect("connect to PostgreSQL");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .expect("create database");
        admin.close().await;
    });
    let (head, query) = base.split_once('?').unwrap_or((base, ""));
    let scheme_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    let root = match head.rfind('/') {
        Some(cut) if cut >= scheme_end => &head[..cut],
        _ => head,
    };
    let url = if query.is_empty() {
        format!("{root}/{name}")
    } else {
        format!("{root}/{name}?{query}")
    };
    (url, name)
}

fn drop_database(base: &str, name: &str, rt: &tokio::runtime::Runtime) {
    rt.block_on(async {
        if let Ok(admin) = sqlx::AnyPool::connect(base).await {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&admin)
                .await;
            admin.close().await;
        }
    });
}
