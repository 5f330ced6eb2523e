//! The dashboard end to end in a real browser: `tollgate serve` on the embedded default, Debian's
//! headless Chromium driven over WebDriver (chromedriver). Loads pages, submits forms, reads the
//! result and saves screenshots under target/screenshots/. In CI (CI=true) a missing browser is a
//! failure; elsewhere the test is skipped with a message.

mod http_client;

use fantoccini::{ClientBuilder, Locator};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the real server in a temp dir and returns it with its one-time login URL.
fn start_server(dir: &std::path::Path) -> (Kill, String, String) {
    // The server decides the cap on the exporter's ledger: put the sample order's exporter's US
    // end-use units on record first.
    let db = format!("sqlite://{}", dir.join("tollgate.db").display());
    let seeded = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args([
            "ship",
            "domestic",
            "--db",
            &db,
            "--exporter",
            "nvidia",
            "--chip",
            "nvidia-h200-sxm",
            "--quantity",
            "250000",
            "--date",
            "2026-01-20",
        ])
        .output()
        .expect("run tollgate ship domestic");
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .current_dir(dir)
        .env(
            "TOLLGATE_DB",
            format!("sqlite://{}", dir.join("tollgate.db").display()),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start tollgate serve");
    let out = child.stdout.take().unwrap();
    let mut login = String::new();
    let mut base = String::new();
    for line in BufReader::new(out).lines() {
        let line = line.unwrap();
        if let Some(u) = line.strip_prefix("Dashboard login: ") {
            login = u.to_string();
        }
        if let Some(u) = line.strip_prefix("Serving on ") {
            base = u.to_string();
            break;
        }
    }
    assert!(
        !login.is_empty() && !base.is_empty(),
        "server printed no login URL"
    );
    (Kill(child), login, base)
}

fn which(bin: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(bin))
            .find(|f| f.is_file())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_in_headless_chromium() {
    let (Some(chromium), Some(driver)) = (which("chromium"), which("chromedriver")) else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must have chromium and chromedriver (.ci/run installs them)"
        );
        eprintln!("skipped: chromium/chromedriver not installed");
        return;
    };
    let dir = std::env::temp_dir().join(format!("tollgate-browser-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let (_server, login, base) = start_server(&dir);

    let port = free_port();
    let _driver = Kill(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver"),
    );
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                     format!("--user-data-dir={}", dir.join("chrome").display())]
        }),
    );
    // Two rustls crypto providers are linked in (reqwest's and fantoccini's): choose one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut client = None;
    for _ in 0..50 {
        match ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    let c = client.expect("connect to chromedriver");

    // Sign in with the one-time URL: the cookie is set and the overview shows the regulator role.
    c.goto(&login).await.unwrap();
    let body = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("regulator"), "{body}");
    std::fs::write(shots.join("overview.png"), c.screenshot().await.unwrap()).unwrap();

    // Chip lookup: type a chip and a date, submit, read the classification.
    c.goto(&format!("{base}/chips")).await.unwrap();
    let q = c.find(Locator::Css("input[name=q]")).await.unwrap();
    q.send_keys("H200").await.unwrap();
    let d = c.find(Locator::Css("input[name=as_of]")).await.unwrap();
    c.execute(
        "arguments[0].value = '2026-02-01';",
        vec![serde_json::to_value(&d).unwrap()],
    )
    .await
    .unwrap();
    c.find(Locator::Css("form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let card = c
        .wait()
        .for_element(Locator::Id("classification"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        card.contains("nvidia-h200-sxm") && card.contains("3A090.a") && card.contains("15832"),
        "{card}"
    );
    assert!(card.contains("AI commodity"), "{card}");
    std::fs::write(shots.join("chips.png"), c.screenshot().await.unwrap()).unwrap();

    // Order check: the page comes with a sample H200 order to China; set the date, ask for the
    // what-if against 2024-06-01, submit, and read the verdict and the comparison.
    c.goto(&format!("{base}/check")).await.unwrap();
    for (id, v) in [("as_of", "2026-02-03"), ("compare", "2024-06-01")] {
        let el = c.find(Locator::Id(id)).await.unwrap();
        c.execute(
            "arguments[0].value = arguments[1];",
            vec![serde_json::to_value(&el).unwrap(), serde_json::json!(v)],
        )
        .await
        .unwrap();
    }
    c.find(Locator::Id("check-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let verdict = c.wait().for_element(Locator::Id("verdict")).await.unwrap();
    assert_eq!(
        verdict.attr("data-verdict").await.unwrap().as_deref(),
        Some("license_required")
    );
    assert_eq!(
        verdict.attr("data-policy").await.unwrap().as_deref(),
        Some("case_by_case")
    );
    let what_if = c
        .find(Locator::Id("compare"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(what_if.contains("presumption_of_denial"), "{what_if}");
    let reasons = c
        .find(Locator::Id("reasons"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(reasons.contains("15 CFR 742.6(a)(6)(iii)"), "{reasons}");
    std::fs::write(shots.join("check.png"), c.screenshot().await.unwrap()).unwrap();

    // Screening search with explained hits.
    c.goto(&format!("{base}/screen")).await.unwrap();
    c.find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys("Banco Nacional de Cuba")
        .await
        .unwrap();
    c.find(Locator::Id("screen-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let hits = c
        .wait()
        .for_element(Locator::Id("hits"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        hits.contains("BANCO NACIONAL DE CUBA") && hits.contains("SDN"),
        "{hits}"
    );
    std::fs::write(shots.join("screen.png"), c.screenshot().await.unwrap()).unwrap();

    // Records seeded through the API with the bootstrap regulator token and an exporter token
    // created by the CLI, then the records pages: drawdown bars, the cap gauge, the duty chart,
    // the audit status and the customers' vetting.
    let reg = login
        .split_once("token=")
        .map(|(_, t)| t.to_string())
        .expect("token in the login URL");
    let db = format!("sqlite://{}", dir.join("tollgate.db").display());
    let acme = http_client::token(&db, "exporter", Some("acme"));
    {
        let (base, reg, acme) = (base.clone(), reg.clone(), acme.clone());
        tokio::task::spawn_blocking(move || seed_records(&base, &reg, &acme))
            .await
            .unwrap();
    }
    let pages = [
        ("/licences", "licences", "L-2026-0001"),
        ("/cap", "caps", "of the 50 % cap"),
        ("/duty", "duty", "2026Q1"),
        ("/audit", "audit-status", "intact"),
        ("/customers", "customers", "approved"),
    ];
    for (path, id, want) in pages {
        c.goto(&format!("{base}{path}")).await.unwrap();
        let text = c
            .wait()
            .for_element(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("{path}: #{id}: {e}"))
            .html(false)
            .await
            .unwrap();
        assert!(text.contains(want), "{path}: {text}");
        let name = format!("{}.png", path.trim_start_matches('/'));
        std::fs::write(shots.join(name), c.screenshot().await.unwrap()).unwrap();
    }
    c.goto(&format!("{base}/licences")).await.unwrap();
    c.wait().for_element(Locator::Id("licences")).await.unwrap();
    let svgs = c.find_all(Locator::Css("#licences svg")).await.unwrap();
    assert_eq!(svgs.len(), 2, "a units bar and a value bar");

    c.close().await.unwrap();
    std::fs::remove_dir_all(&dir).ok();
}

/// An approved customer in China, a licence, US end-use units, an export shipment (with its
/// test report inline) and a duty payment, through the HTTP API.
fn seed_records(base: &str, reg: &str, acme: &str) {
    use serde_json::json;
    let c = http_client::ok(
        base,
        "/v1/customers",
        reg,
        json!({"name": "Shenzhen Compute Ltd", "country": "CN", "exporter": "acme"}),
    );
    let id = c["id"].as_str().expect("customer id").to_string();
    http_client::ok(
        base,
        &format!("/v1/customers/{id}/approve"),
        reg,
        json!({"kyc_until": "2026-12-31"}),
    );
    http_client::ok(
        base,
        "/v1/licences",
        reg,
        json!({"number": "L-2026-0001", "exporter": "acme", "customer": id, "chip": "h200",
               "quantity": 1000, "value": "31000000.00", "valid_until": "2026-12-31"}),
    );
    http_client::ok(
        base,
        "/v1/shipments/domestic",
        acme,
        json!({"chip": "h200", "quantity": 1000, "date": "2026-01-20"}),
    );
    http_client::ok(
        base,
        "/v1/shipments/export",
        acme,
        http_client::export("L-2026-0001", 400, "12400000.00"),
    );
    http_client::ok(
        base,
        "/v1/duty/payments",
        acme,
        json!({"amount": "1000000.00", "reference": "WIRE-1", "date": "2026-02-20"}),
    );
}
