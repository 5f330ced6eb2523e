//! `tollgate lists update`, `status` and `rollback` against a local HTTP server (never the
//! internet): a CSL that adds a new Entity List party is taken and screened, a 304 leaves
//! everything as is, a truncated or failed download is refused (exit 3) and the previous
//! version still screens, a rollback restores it.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

/// One fixture: status, body, ETag.
#[derive(Clone)]
struct Resp {
    status: u16,
    body: Vec<u8>,
    etag: Option<String>,
}

/// Each request's path and If-None-Match header.
type RequestLog = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A tiny HTTP/1.1 server on 127.0.0.1: serves the fixtures by path, answers 304 to a matching
/// If-None-Match, and records each request's path and conditional header.
struct Fixtures {
    addr: String,
    routes: Arc<Mutex<HashMap<String, Resp>>>,
    log: RequestLog,
}

impl Fixtures {
    fn start() -> Fixtures {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = format!("http://{}", listener.local_addr().unwrap());
        let routes: Arc<Mutex<HashMap<String, Resp>>> = Default::default();
        let log: RequestLog = Default::default();
        let (r, l) = (routes.clone(), log.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (r, l) = (r.clone(), l.clone());
                std::thread::spawn(move || {
                    let mut rd = BufReader::new(stream.try_clone().unwrap());
                    let mut line = String::new();
                    if rd.read_line(&mut line).is_err() {
                        return;
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                    let mut inm = None;
                    loop {
                        let mut h = String::new();
                        if rd.read_line(&mut h).is_err() || h.trim().is_empty() {
                            break;
                        }
                        if let Some((k, v)) = h.split_once(':') {
                            if k.eq_ignore_ascii_case("if-none-match") {
                                inm = Some(v.trim().to_string());
                            }
                        }
                    }
                    l.lock().unwrap().push((path.clone(), inm.clone()));
                    let resp = r.lock().unwrap().get(&path).cloned();
                    let out = match resp {
                        None => b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec(),
                        Some(x) if x.etag.is_some() && x.etag == inm && x.status == 200 => format!(
                            "HTTP/1.1 304 Not Modified\r\netag: {}\r\nconnection: close\r\n\r\n",
                            x.etag.unwrap()
                        )
                        .into_bytes(),
                        Some(x) => {
                            let mut o = format!(
                                "HTTP/1.1 {} X\r\ncontent-length: {}\r\n{}connection: close\r\n\r\n",
                                x.status,
                                x.body.len(),
                                x.etag.map(|e| format!("etag: {e}\r\n")).unwrap_or_default()
                            )
                            .into_bytes();
                            o.extend_from_slice(&x.body);
                            o
                        }
                    };
                    let _ = stream.write_all(&out);
                    let _ = stream.flush();
                });
            }
        });
        Fixtures { addr, routes, log }
    }

    fn serve(&self, path: &str, status: u16, body: Vec<u8>, etag: Option<&str>) {
        self.routes.lock().unwrap().insert(
            path.to_string(),
            Resp {
                status,
                body,
                etag: etag.map(str::to_string),
            },
        );
    }

    fn requests(&self) -> Vec<(String, Option<String>)> {
        self.log.lock().unwrap().clone()
    }
}

fn tollgate(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tollgate"));
    c.args(args)
        .env_remove("TOLLGATE_LISTS")
        .env_remove("TOLLGATE_MAX_LIST_AGE_DAYS")
        .env("TOLLGATE_LISTS_DIR", dir);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().expect("run tollgate");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The bundled CSL (2022), uncompressed.
fn bundled_csl() -> Vec<u8> {
    let gz =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/lists/csl.csv.gz"))
            .unwrap();
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// A CSL row of the Entity List in the official column order.
fn entity_list_row(id: &str, name: &str, address: &str) -> String {
    // _id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,
    // start_date,end_date,standard_order,license_requirement,license_policy, then 15 more.
    format!(
        "{id},Entity List (EL) - Bureau of Industry and Security,,,,\"{name}\",,\"{address}\",91 FR 12345,2026-07-14,,,For all items subject to the EAR.,Presumption of denial.,,,,,,,,,,,,,,,\n"
    )
}

const NEW_PARTY: &str = "Zephyrline Quantum Lattice Computing Co., Ltd.";
const LATER_PARTY: &str = "Borealis Tensor Foundry Limited";

fn screen(dir: &Path, name: &str) -> serde_json::Value {
    let (code, out, err) = tollgate(dir, &[], &["screen", name, "--country", "CN", "--json"]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("screen JSON")
}

fn has_hit(v: &serde_json::Value, name: &str) -> bool {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["entity_name"] == name && h["list"] == "Entity List")
}

fn sha(dir: &Path, file: &str) -> String {
    let st: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(".state/csl.json")).unwrap())
            .unwrap();
    st["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == file)
        .unwrap()["sha256"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_csl_update_is_taken_screened_kept_on_304_and_a_truncated_one_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("lists");
    let http = Fixtures::start();
    let url = format!("{}/consolidated.csv", http.addr);
    let env = [("TOLLGATE_LIST_URL_CSL", url.as_str())];

    let mut v1 = bundled_csl();
    v1.extend_from_slice(
        entity_list_row("tg-test-1", NEW_PARTY, "8 Lattice Road, Hefei, Anhui, CN").as_bytes(),
    );
    http.serve("/consolidated.csv", 200, v1.clone(), Some("\"v1\""));

    // Before: the bundled lists do not know the party.
    assert!(!has_hit(&screen(&dir, NEW_PARTY), NEW_PARTY));

    let (code, out, err) = tollgate(&dir, &env, &["lists", "update", "--source", "csl"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("csl.csv in use: 14161 rows"), "{out}");
    let first_sha = sha(&dir, "csl.csv");

    // After: `screen` finds it on the updated CSL, and the CSL replaced the bundled files it
    // covers (the Entity List extract among them).
    let v = screen(&dir, NEW_PARTY);
    assert!(has_hit(&v, NEW_PARTY), "{v:#}");
    let hit = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["entity_name"] == NEW_PARTY)
        .unwrap();
    assert_eq!(hit["list_file"], "csl.csv");
    assert_eq!(hit["license_policy"], "Presumption of denial.");
    let files: Vec<&str> = v["lists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["file"].as_str().unwrap())
        .collect();
    assert!(files.contains(&"csl.csv"), "{files:?}");
    for gone in [
        "entity_list.json",
        "csl.csv.gz",
        "meu.json",
        "dpl.json",
        "nscmic.json",
    ] {
        assert!(!files.contains(&gone), "{gone} still loaded: {files:?}");
    }
    for kept in ["UN_consolidated.xml", "1260h.json", "mieu.csv"] {
        assert!(files.contains(&kept), "{kept} not loaded: {files:?}");
    }
    // The bundled UN list is months old: the result says the lists are stale, naming it, not
    // the CSL fetched today.
    let w = &v["warnings"][0];
    assert_eq!(w["code"], "stale_lists", "{v:#}");
    let msg = w["message"].as_str().unwrap();
    assert!(msg.contains("UN_consolidated.xml"), "{msg}");
    assert!(!msg.contains("csl.csv"), "{msg}");

    // `lists status --json`: the CSL fetched today, age 0; the UN list stale.
    let (code, out, err) = tollgate(&dir, &[], &["lists", "status", "--json"]);
    assert_eq!(code, 0, "{err}");
    let st: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(st["max_age_days"], 7);
    assert_eq!(st["stale"], true);
    let csl = st["lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["file"] == "csl.csv")
        .expect("csl.csv in status");
    assert_eq!(csl["source"], "csl");
    assert_eq!(csl["age_days"], 0);
    assert_eq!(csl["rows"], 14161);
    assert_eq!(csl["sha256"], first_sha.as_str());
    assert!(csl["fetched_at"].as_str().unwrap().ends_with('Z'));
    for key in [
        "source",
        "file",
        "as_of",
        "fetched_at",
        "age_days",
        "rows",
        "sha256",
    ] {
        assert!(csl.get(key).is_some(), "{key}");
    }
    let un = st["lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["file"] == "UN_consolidated.xml")
        .unwrap();
    assert_eq!(un["as_of"], "2026-02-27");
    assert_eq!(un["stale"], true);
    // With a maximum age longer than the UN list's, nothing is stale.
    let (_, out, _) = tollgate(
        &dir,
        &[("TOLLGATE_MAX_LIST_AGE_DAYS", "100000")],
        &["lists", "status", "--json"],
    );
    let st: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(st["stale"], false);
    assert_eq!(st["max_age_days"], 100000);

    // 304 Not Modified: the conditional request carries the ETag, and nothing changes.
    let before = std::fs::read(dir.join("csl.csv")).unwrap();
    let (code, out, err) = tollgate(&dir, &env, &["lists", "update", "--source", "csl"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("csl: not modified"), "{out}");
    assert_eq!(
        http.requests().last().unwrap().1.as_deref(),
        Some("\"v1\""),
        "If-None-Match"
    );
    assert_eq!(std::fs::read(dir.join("csl.csv")).unwrap(), before);
    assert_eq!(sha(&dir, "csl.csv"), first_sha);
    assert!(!dir.join(".previous/csl").read_dir().unwrap().any(|e| e
        .unwrap()
        .path()
        .join("state.json")
        .exists()));

    // A truncated file is refused with exit 3; the previous version stays and still screens.
    let truncated: Vec<u8> = v1
        .split_inclusive(|b| *b == b'\n')
        .take(2000)
        .flatten()
        .copied()
        .collect();
    http.serve("/consolidated.csv", 200, truncated, Some("\"v2\""));
    let (code, out, err) = tollgate(&dir, &env, &["lists", "update", "--source", "csl"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        err.contains("rows against 14161 in the version it would replace"),
        "{err}"
    );
    assert!(err.contains("the version in use stays"), "{err}");
    assert_eq!(sha(&dir, "csl.csv"), first_sha);
    assert!(has_hit(&screen(&dir, NEW_PARTY), NEW_PARTY));

    // A file cut in the middle of a row does not parse: refused too.
    let mut cut = v1.clone();
    cut.extend_from_slice(
        b"tg-test-cut,Entity List (EL) - Bureau of Industry and Security,,,,\"Half Writ",
    );
    http.serve("/consolidated.csv", 200, cut, Some("\"v2b\""));
    let (code, _, err) = tollgate(&dir, &env, &["lists", "update", "--source", "csl"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("does not parse"), "{err}");
    assert_eq!(sha(&dir, "csl.csv"), first_sha);

    // A failing publisher (after the retries) is refused too.
    http.serve("/consolidated.csv", 503, b"busy".to_vec(), None);
    let (code, _, err) = tollgate(&dir, &env, &["lists", "update", "--source", "csl"]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("download failed") && err.contains("503"),
        "{err}"
    );
    assert_eq!(sha(&dir, "csl.csv"), first_sha);

    // A newer full file is taken; rollback puts the one it replaced back.
    let mut v3 = v1.clone();
    v3.extend_from_slice(
        entity_list_row(
            "tg-test-2",
            LATER_PARTY,
            "1 Foundry Street, Wuxi, Jiangsu, CN",
        )
        .as_bytes(),
    );
    http.serve("/consolidated.csv", 200, v3, Some("\"v3\""));
    let (code, out, err) = tollgate(&dir, &env, &["lists", "update", "--source", "csl"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(has_hit(&screen(&dir, LATER_PARTY), LATER_PARTY));
    let (code, out, err) = tollgate(&dir, &[], &["lists", "rollback", "--source", "csl"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("rolled back to csl.csv"), "{out}");
    assert_eq!(sha(&dir, "csl.csv"), first_sha);
    let v = screen(&dir, LATER_PARTY);
    assert!(!has_hit(&v, LATER_PARTY));
    assert!(has_hit(&screen(&dir, NEW_PARTY), NEW_PARTY));
    // The rolled-back version is not taken again unless forced.
    let (code, _, err) = tollgate(&dir, &env, &["lists", "update", "--source", "csl"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("rolled back before"), "{err}");
    // Rolling back past the first update gives the bundled lists again.
    let (code, out, err) = tollgate(&dir, &[], &["lists", "rollback", "--source", "csl"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("bundled"), "{out}");
    assert!(!has_hit(&screen(&dir, NEW_PARTY), NEW_PARTY));
    let (code, _, err) = tollgate(&dir, &[], &["lists", "rollback", "--source", "csl"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("no previous version"), "{err}");
    // Every update, refusal and rollback is in the directory's history.
    let history = std::fs::read_to_string(dir.join(".state/history.jsonl")).unwrap();
    assert!(history.lines().count() >= 7, "{history}");
    assert!(history.contains("\"action\":\"refused\""));
}

#[test]
fn decisions_carry_the_stale_lists_warning_and_check_uses_the_list_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("lists");
    let order = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/order.json");
    let order = order.to_str().unwrap();
    // The bundled snapshot is older than 7 days: the decision says so.
    let (code, out, err) = tollgate(&dir, &[], &["check", order, "--json"]);
    assert!(code == 0 || code == 3, "{err}");
    let d: serde_json::Value = serde_json::from_str(&out).unwrap();
    let w: Vec<&serde_json::Value> = d["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == "stale_lists")
        .collect();
    assert_eq!(w.len(), 1, "{d:#}");
    assert!(w[0]["message"]
        .as_str()
        .unwrap()
        .contains("the bundled snapshot"));
    // A maximum age that covers the snapshot: no warning.
    let (_, out, _) = tollgate(
        &dir,
        &[("TOLLGATE_MAX_LIST_AGE_DAYS", "100000")],
        &["check", order, "--json"],
    );
    let d: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(!d["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["code"] == "stale_lists"));
    // A bad source name is invalid input.
    let (code, _, err) = tollgate(&dir, &[], &["lists", "update", "--source", "nope"]);
    assert_eq!(code, 2, "{err}");
}
