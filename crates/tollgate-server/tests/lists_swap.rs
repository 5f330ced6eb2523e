//! New screening lists go in while the server serves: no request fails during a swap under
//! load (each finishes on the lists it started with), and a list directory updated from a
//! publisher is picked up without a restart. Prints the swap figures (never asserts timings).

use axum::body::Body;
use axum::http::Request;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tollgate_screen::load::{self, Format};
use tollgate_screen::Screener;
use tollgate_server::{router, AppState};
use tollgate_store::{Records, SqlStore, TokenRole, WriteCtx};
use tower::ServiceExt;

const NEW_PARTY: &str = "Zephyrline Quantum Lattice Computing Co., Ltd.";

/// A CSL with one Entity List party (the official header).
fn extra_csl() -> String {
    format!(
        "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids\n\
tg-swap-1,Entity List (EL) - Bureau of Industry and Security,,,,\"{NEW_PARTY}\",,\"8 Lattice Road, Hefei, CN\",91 FR 12345,2026-07-14,,,For all items subject to the EAR.,Presumption of denial.,,,,,,,,,,,,,,,\n"
    )
}

/// The bundled lists, and the bundled lists plus one new Entity List party.
fn two_screeners() -> (Arc<Screener>, Arc<Screener>) {
    let a = Screener::build(load::load_bundled().unwrap());
    let mut files = load::load_bundled().unwrap();
    files.push(load::load_bytes(Format::CslCsv, "extra.csv", extra_csl().as_bytes()).unwrap());
    (Arc::new(a), Arc::new(Screener::build(files)))
}

async fn setup() -> (AppState, axum::Router, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let reg = Arc::new(tollgate_core::Regulation::bundled().unwrap());
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = SqlStore::connect(&url, reg.clone()).await.unwrap();
    let token = store
        .create_token(&WriteCtx::new("test"), TokenRole::Regulator, None)
        .await
        .unwrap()
        .secret;
    let state = AppState::shared(reg).with_store(store);
    let app = router(state.clone());
    (state, app, token, dir)
}

async fn post(app: &axum::Router, token: &str, uri: &str, body: &Value) -> (u16, Value) {
    let req = Request::builder()
        .method("POST")
        .uri(uri)
        .header("Authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status().as_u16();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn order(end_user: &str) -> Value {
    json!({
        "id": "PO-SWAP", "date": "2026-02-03", "exporter": "acme",
        "transaction": "export", "ship_from": "US",
        "items": [{"chip": "nvidia-h200-sxm", "quantity": 10}],
        "parties": {
            "purchaser": {"name": "Example Cloud Co., Ltd.", "country": "SG"},
            "ultimate_consignee": {"name": "Example Cloud Co., Ltd.", "country": "SG"},
            "end_user": {"name": end_user, "country": "CN"},
            "intermediate_consignees": []
        },
        "end_use": {"description": "commercial cloud inference", "military": false}
    })
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() - 1) as f64 * p).round() as usize]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_fails_while_lists_are_swapped_under_load() {
    let (a, b) = two_screeners();
    let (state, app, token, _dir) = setup().await;
    state.lists.swap(a.clone(), String::new());

    let failures = Arc::new(AtomicUsize::new(0));
    let found_new = Arc::new(AtomicUsize::new(0));
    let samples: Arc<Mutex<Vec<(Instant, f64)>>> = Default::default();
    let stop = Instant::now() + Duration::from_secs(3);
    let mut tasks = Vec::new();
    for t in 0..8 {
        let (app, token) = (app.clone(), token.clone());
        let (failures, found_new, samples) = (failures.clone(), found_new.clone(), samples.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < stop && n < 200_000 {
                n += 1;
                let started = Instant::now();
                let ok = if (n + t).is_multiple_of(4) {
                    let (status, d) = post(&app, &token, "/v1/check", &order(NEW_PARTY)).await;
                    status == 200 && d["verdict"].is_string()
                } else {
                    let name = if n.is_multiple_of(2) {
                        NEW_PARTY
                    } else {
                        "Banco Nacional de Cuba"
                    };
                    let (status, r) = post(
                        &app,
                        &token,
                        "/v1/screen",
                        &json!({"name": name, "country": "CN"}),
                    )
                    .await;
                    let hits = r["hits"].as_array().cloned().unwrap_or_default();
                    if name == NEW_PARTY && hits.iter().any(|h| h["entity_name"] == NEW_PARTY) {
                        found_new.fetch_add(1, Ordering::Relaxed);
                    }
                    // The SDN entry is on both versions: a screening that lost it would be a
                    // failure even with a 200.
                    status == 200 && (name == NEW_PARTY || hits.iter().any(|h| h["list"] == "SDN"))
                };
                if !ok && failures.fetch_add(1, Ordering::Relaxed) == 0 {
                    eprintln!("first failure at request {n} of task {t}");
                }
                samples
                    .lock()
                    .unwrap()
                    .push((started, started.elapsed().as_secs_f64() * 1e3));
            }
        }));
    }
    // Swap between the two versions every 100 ms while the load runs.
    let mut swap_times: Vec<(Instant, f64)> = Vec::new();
    let mut flip = false;
    while Instant::now() + Duration::from_millis(150) < stop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        flip = !flip;
        let next = if flip { b.clone() } else { a.clone() };
        let t = Instant::now();
        state.lists.swap(next, String::new());
        swap_times.push((t, t.elapsed().as_secs_f64() * 1e6));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let samples = samples.lock().unwrap().clone();
    assert!(swap_times.len() >= 10, "{} swaps", swap_times.len());
    assert!(samples.len() > 100, "{} requests", samples.len());
    assert_eq!(
        failures.load(Ordering::Relaxed),
        0,
        "requests failed during swaps"
    );
    assert!(
        found_new.load(Ordering::Relaxed) > 0,
        "the new list version was used"
    );

    // Figures: the swap itself, and request latency just after a swap (the new lists' party
    // cache is empty) against the rest.
    let mut swap_us: Vec<f64> = swap_times.iter().map(|s| s.1).collect();
    let window = Duration::from_millis(20);
    let (mut after, mut other): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
    for (start, ms) in &samples {
        let near = swap_times
            .iter()
            .any(|(t, _)| *start >= *t && *start < *t + window);
        if near {
            after.push(*ms);
        } else {
            other.push(*ms);
        }
    }
    eprintln!(
        "swap figures: {} requests, {} swaps; swap call p50 {:.1} us, max {:.1} us; request ms within 20 ms after a swap: p50 {:.2} p99 {:.2} max {:.2} ({} requests); otherwise p50 {:.2} p99 {:.2} max {:.2}",
        samples.len(),
        swap_times.len(),
        pct(&mut swap_us, 0.5),
        pct(&mut swap_us, 1.0),
        pct(&mut after, 0.5),
        pct(&mut after, 0.99),
        pct(&mut after, 1.0),
        after.len(),
        pct(&mut other, 0.5),
        pct(&mut other, 0.99),
        pct(&mut other, 1.0),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_directory_update_is_picked_up_without_a_restart() {
    use tollgate_screen::updater::{self, Remote, Source, UpdateOptions};
    use tollgate_server::lists::ListSource;
    let (state, app, token, dir) = setup().await;
    let lists = dir.path().join("lists");
    state.lists.set_source(ListSource::Current {
        dir: lists.clone(),
        max_age_days: 7,
    });
    let reload = |state: &AppState| {
        let l = state.lists.clone();
        async move {
            tokio::task::spawn_blocking(move || l.reload_if_changed())
                .await
                .unwrap()
                .unwrap()
        }
    };
    let has_new = |r: &Value| {
        r["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["entity_name"] == NEW_PARTY)
    };
    let q = json!({"name": NEW_PARTY, "country": "CN"});
    // The directory is empty: the bundled lists, which do not know the party and are stale.
    assert!(reload(&state).await);
    let (status, r) = post(&app, &token, "/v1/screen", &q).await;
    assert_eq!(status, 200);
    assert!(!has_new(&r));
    assert_eq!(r["warnings"][0]["code"], "stale_lists", "{r:#}");

    // A CSL update (from a file:// URL; the HTTP path is tested in crates/tollgate/tests):
    // one row against the bundled CSL's 14,160 needs --force.
    let src = dir.path().join("consolidated.csv");
    std::fs::write(&src, extra_csl()).unwrap();
    let remote = [Remote {
        format: Format::CslCsv,
        url: format!("file://{}", src.display()),
    }];
    // The updater blocks (its HTTP client runs a runtime of its own): off the async threads.
    let update = |opts: UpdateOptions| {
        let (lists, remote) = (lists.clone(), remote.clone());
        async move {
            tokio::task::spawn_blocking(move || {
                updater::update_from(&lists, Source::Csl, &remote, opts)
            })
            .await
            .unwrap()
        }
    };
    let refused = update(UpdateOptions::default()).await;
    assert!(
        matches!(&refused, Err(updater::UpdateError::Refused(m)) if m.contains("rows against 14160")),
        "{refused:?}"
    );
    assert!(!reload(&state).await, "nothing changed");
    let opts = UpdateOptions {
        force: true,
        ..Default::default()
    };
    update(opts).await.unwrap();
    assert!(reload(&state).await);
    assert!(!reload(&state).await, "the same state is not read twice");
    let (status, r) = post(&app, &token, "/v1/screen", &q).await;
    assert_eq!(status, 200);
    assert!(has_new(&r), "{r:#}");

    // /ready shows each list's age; the CSL fetched now is 0 days old.
    let resp = app
        .clone()
        .oneshot(Request::get("/ready").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let ready: Value = serde_json::from_slice(
        &axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap(),
    )
    .unwrap();
    let l = &ready["lists"];
    let csl = l["lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["file"] == "csl.csv")
        .expect("csl.csv in /ready");
    assert_eq!(csl["age_days"], 0);
    assert_eq!(csl["stale"], false);
    assert_eq!(l["max_age_days"], 7);
    assert_eq!(l["stale"], true, "the bundled UN list is old");
    assert!(l["swaps"].as_u64().unwrap() >= 2);

    // A rollback is picked up the same way.
    updater::rollback(&lists, Source::Csl).unwrap();
    assert!(reload(&state).await);
    let (_, r) = post(&app, &token, "/v1/screen", &q).await;
    assert!(!has_new(&r));
}
