//! The OpenAPI document served at `/openapi.json`: valid OpenAPI 3.1 (checked by a real validator
//! when one is installed: `.ci/run` installs `openapi-spec-validator` and names it in
//! `TOLLGATE_OPENAPI_VALIDATOR`), every parameter where it really is, every response described,
//! 401 declared on every authenticated route, typed bodies, and real requests and responses (the
//! repository's example files, decisions, hits, records) that match the schemas declared for
//! them.

use axum::http::StatusCode;
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use utoipa::OpenApi;

mod common;

/// The environment variable naming the validator binary (`openapi-spec-validator`).
const VALIDATOR_ENV: &str = "TOLLGATE_OPENAPI_VALIDATOR";

fn doc() -> Value {
    serde_json::to_value(tollgate_server::ApiDoc::openapi()).expect("document as JSON")
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example(name: &str) -> String {
    let p = repo_root().join("examples").join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Written straight to the process's stderr, so that it shows in the test run's output even
/// when the test passes (the test harness captures only `print!`/`eprint!`).
fn notice(msg: &str) {
    let _ = writeln!(std::io::stderr(), "{msg}");
}

/// The validator binary, or `None` (and a notice saying the check is skipped).
fn validator(what: &str) -> Option<PathBuf> {
    match std::env::var_os(VALIDATOR_ENV).filter(|v| !v.is_empty()) {
        Some(v) => Some(PathBuf::from(v)),
        None => {
            notice(&format!(
                "SKIPPED {what}: {VALIDATOR_ENV} is not set (.ci/run installs openapi-spec-validator \
                 and sets it; or: python3 -m venv v && v/bin/pip install openapi-spec-validator && \
                 {VALIDATOR_ENV}=v/bin/openapi-spec-validator)"
            ));
            None
        }
    }
}

fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if ["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                out.push((path.clone(), method.clone(), op));
            }
        }
    }
    out
}

#[test]
fn the_document_passes_a_real_openapi_3_1_validator() {
    let Some(bin) = validator("the OpenAPI validator check") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("openapi.json");
    std::fs::write(
        &file,
        serde_json::to_string_pretty(&doc()).expect("serialise"),
    )
    .expect("write the document");
    let out = Command::new(&bin)
        .args(["--schema", "3.1", "--validation-errors", "all"])
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", bin.display()));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.contains("OK"),
        "{} rejects /openapi.json:\n{text}",
        bin.display()
    );
    notice(&format!("openapi-spec-validator: {}", text.trim()));
}

#[test]
fn parameters_are_where_they_are_sent() {
    let doc = doc();
    for (path, method, op) in operations(&doc) {
        let template: Vec<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        for p in &params {
            let (name, inn) = (p["name"].as_str().unwrap(), p["in"].as_str().unwrap());
            match inn {
                "path" => {
                    assert!(
                        template.contains(&name),
                        "{method} {path}: `{name}` is declared in: path but is not in the path"
                    );
                    assert_eq!(p["required"], true, "{method} {path}: path `{name}`");
                }
                "query" | "header" => {}
                other => panic!("{method} {path}: `{name}` in: {other}"),
            }
            assert!(
                p.get("schema").is_some(),
                "{method} {path}: `{name}` has no schema"
            );
        }
        for t in template {
            assert!(
                params.iter().any(|p| p["name"] == t && p["in"] == "path"),
                "{method} {path}: path parameter `{t}` is not declared"
            );
        }
    }
    // The query parameters of these routes were once declared as path parameters.
    for (path, method, names) in [
        ("/v1/cap", "get", &["exporter", "chip", "as_of"][..]),
        ("/v1/check", "post", &["as_of", "record"][..]),
        ("/v1/check/batch", "post", &["as_of"][..]),
        ("/v1/decisions", "get", &["limit"][..]),
        ("/v1/duty/statement", "get", &["exporter", "quarter"][..]),
    ] {
        let params = doc["paths"][path][method]["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{method} {path} has parameters"));
        for n in names {
            let p = params
                .iter()
                .find(|p| p["name"] == *n)
                .unwrap_or_else(|| panic!("{method} {path}: no parameter `{n}`"));
            assert_eq!(p["in"], "query", "{method} {path}: `{n}`");
        }
    }
}

#[test]
fn every_response_is_described_and_authenticated_routes_declare_401() {
    let doc = doc();
    let mut secured = 0;
    for (path, method, op) in operations(&doc) {
        let responses = op["responses"].as_object().expect("responses");
        for (status, r) in responses {
            let d = r["description"].as_str().unwrap_or("");
            assert!(
                !d.trim().is_empty(),
                "{method} {path} {status}: no description"
            );
            if status.starts_with('4') || status.starts_with('5') {
                assert!(
                    r["content"]["application/problem+json"]["schema"]["$ref"]
                        == "#/components/schemas/Problem",
                    "{method} {path} {status}: errors are application/problem+json Problems: {r}"
                );
            }
        }
        let needs_token = op["security"].as_array().is_some_and(|s| !s.is_empty());
        assert_eq!(
            needs_token,
            path.starts_with("/v1/"),
            "{method} {path}: every /v1 route and only those need a token"
        );
        if needs_token {
            secured += 1;
            assert!(
                responses.contains_key("401"),
                "{method} {path}: needs a token but declares no 401"
            );
        }
        assert!(
            op["summary"].as_str().is_some_and(|s| !s.is_empty())
                || op["description"].as_str().is_some_and(|s| !s.is_empty()),
            "{method} {path}: the operation says nothing about itself"
        );
    }
    assert!(secured >= 25, "{secured} secured operations");
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

#[test]
fn bodies_are_typed_and_every_document_named_exists() {
    let doc = doc();
    let schemas = &doc["components"]["schemas"];
    for name in [
        "OrderBody",
        "PartyBody",
        "OwnerBody",
        "CertificationsBody",
        "EndUseBody",
        "DecisionBody",
        "DecisionItemBody",
        "ScreeningLineBody",
        "WarningBody",
        "HitsBody",
        "HitBody",
        "ListsBody",
        "SpecsBody",
        "TestReportBody",
    ] {
        let props = schemas[name]["properties"].as_object();
        assert!(
            props.is_some_and(|p| !p.is_empty()),
            "{name} is not a typed object: {}",
            schemas[name]
        );
    }
    // The 2026-12 additions are in the schemas.
    let order = &schemas["PartyBody"]["properties"];
    assert_eq!(
        order["owners"]["items"]["$ref"],
        "#/components/schemas/OwnerBody"
    );
    for k in ["name", "country", "percent", "owners"] {
        assert!(
            schemas["OwnerBody"]["properties"].get(k).is_some(),
            "owner {k}"
        );
    }
    for k in ["china_macau_units_shipped", "no_part744_end_use"] {
        assert!(schemas["CertificationsBody"]["properties"].get(k).is_some());
    }
    assert!(schemas["DecisionBody"]["properties"]["warnings"].is_object());
    // Orders are strict: every object of an order refuses unknown keys.
    for name in [
        "OrderBody",
        "OrderItemBody",
        "MoneyBody",
        "SpecsBody",
        "PartiesBody",
        "PartyBody",
        "OwnerBody",
        "EndUseBody",
        "CertificationsBody",
    ] {
        assert_eq!(
            schemas[name]["additionalProperties"], false,
            "{name} must refuse unknown keys"
        );
    }
    // Request and response bodies of the decide and screen routes name these schemas.
    let body = |path: &str, status: &str| {
        doc["paths"][path]["post"]["responses"][status]["content"]["application/json"]["schema"]
            .clone()
    };
    assert_eq!(
        doc["paths"]["/v1/check"]["post"]["requestBody"]["content"]["application/json"]["schema"]
            ["$ref"],
        "#/components/schemas/OrderBody"
    );
    assert_eq!(
        body("/v1/check", "200")["$ref"],
        "#/components/schemas/DecisionBody"
    );
    assert_eq!(
        body("/v1/screen", "200")["$ref"],
        "#/components/schemas/HitsBody"
    );
    assert_eq!(
        body("/v1/check/batch", "200")["items"]["$ref"],
        "#/components/schemas/CheckBatchResult"
    );

    // No schema is a bare object, anywhere in the document.
    fn bare_objects(v: &Value, at: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if m.get("type") == Some(&json!("object"))
                    && !m.contains_key("properties")
                    && !m.contains_key("additionalProperties")
                    && !m.contains_key("allOf")
                    && !at.contains("/regs")
                {
                    out.push(at.to_string());
                }
                for (k, x) in m {
                    bare_objects(x, &format!("{at}/{k}"), out);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    bare_objects(x, &format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut bare = Vec::new();
    bare_objects(&doc, "", &mut bare);
    assert!(
        bare.is_empty(),
        "bare {{\"type\":\"object\"}} schemas: {bare:?}"
    );

    // Every document the text names is in the repository.
    let text = doc.to_string();
    assert!(
        !text.contains("INTERFACES"),
        "the document names INTERFACES.md, which users do not have"
    );
    let mut named = 0;
    for (i, _) in text.match_indices("docs/") {
        let rel: String = text[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || "/._-".contains(*c))
            .collect();
        let rel = rel.trim_end_matches('.');
        let there = if rel.ends_with('/') {
            repo_root().join(rel).is_dir()
        } else {
            rel.ends_with(".md") && repo_root().join(rel).is_file()
        };
        assert!(
            there,
            "the document names {rel}, which is not in the repository"
        );
        named += 1;
    }
    assert!(named > 0, "the document points users to docs/");
}

// ---- real bodies against their schemas ------------------------------------------------------

/// Resolves a local `$ref`.
fn resolve<'a>(doc: &'a Value, s: &'a Value) -> &'a Value {
    match s.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("unsupported $ref {r}"));
            let t = &doc["components"]["schemas"][name];
            assert!(!t.is_null(), "$ref {r} names no schema");
            resolve(doc, t)
        }
        None => s,
    }
}

/// Every property an object schema declares, through `allOf` and `$ref`.
fn declared(
    doc: &Value,
    s: &Value,
    props: &mut serde_json::Map<String, Value>,
    req: &mut Vec<String>,
) {
    let s = resolve(doc, s);
    if let Some(p) = s["properties"].as_object() {
        for (k, v) in p {
            props.insert(k.clone(), v.clone());
        }
    }
    if let Some(r) = s["required"].as_array() {
        req.extend(r.iter().filter_map(|x| x.as_str().map(str::to_string)));
    }
    for sub in s["allOf"].as_array().into_iter().flatten() {
        declared(doc, sub, props, req);
    }
}

fn kind_matches(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => false,
    }
}

/// A strict reading of the subset of JSON Schema the document uses: types, enums, required
/// properties, items, oneOf/allOf and `$ref`; a key the schema does not declare is an error too
/// (so a field added to a body without its schema is caught).
fn check(doc: &Value, s: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
    let s = resolve(doc, s);
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = s[key].as_array() {
            let ok = alts.iter().any(|a| {
                let mut e = Vec::new();
                check(doc, a, v, at, &mut e);
                e.is_empty()
            });
            if !ok {
                errs.push(format!(
                    "{at}: {v} matches none of {key} {}",
                    Value::Array(alts.clone())
                ));
            }
            return;
        }
    }
    match &s["type"] {
        Value::String(t) if !kind_matches(t, v) => {
            errs.push(format!("{at}: {v} is not {t}"));
            return;
        }
        Value::Array(ts) if !ts.iter().any(|t| kind_matches(t.as_str().unwrap_or(""), v)) => {
            errs.push(format!("{at}: {v} is none of {}", Value::Array(ts.clone())));
            return;
        }
        _ => {}
    }
    if let Some(e) = s["enum"].as_array() {
        if !e.contains(v) {
            errs.push(format!(
                "{at}: {v} is not one of {}",
                Value::Array(e.clone())
            ));
        }
    }
    match v {
        Value::Object(m) => {
            let (mut props, mut req) = (serde_json::Map::new(), Vec::new());
            declared(doc, s, &mut props, &mut req);
            let map_of = s.get("additionalProperties").filter(|a| a.is_object());
            for r in &req {
                if !m.contains_key(r) {
                    errs.push(format!("{at}: required `{r}` is missing"));
                }
            }
            for (k, x) in m {
                let here = format!("{at}.{k}");
                match (props.get(k), map_of) {
                    (Some(ps), _) => check(doc, ps, x, &here, errs),
                    (None, Some(ms)) => check(doc, ms, x, &here, errs),
                    (None, None) if s.get("type").is_some() || !props.is_empty() => {
                        errs.push(format!("{here}: not declared in the schema"))
                    }
                    (None, None) => {}
                }
            }
        }
        Value::Array(a) => {
            if let Some(items) = s.get("items") {
                for (i, x) in a.iter().enumerate() {
                    check(doc, items, x, &format!("{at}[{i}]"), errs);
                }
            }
        }
        _ => {}
    }
}

/// One body and the schema the document declares for it.
struct Case {
    label: String,
    schema: Value,
    instance: Value,
}

fn response_schema(doc: &Value, method: &str, path: &str, status: StatusCode) -> Value {
    let r = &doc["paths"][path][method]["responses"][status.as_str()];
    assert!(
        r.is_object(),
        "{method} {path} answered {status}, which the document does not declare"
    );
    let c = &r["content"];
    let media = if status.is_success() {
        "application/json"
    } else {
        "application/problem+json"
    };
    c[media]["schema"].clone()
}

#[tokio::test]
async fn real_requests_and_responses_match_their_schemas() {
    let doc = doc();
    let e = common::env().await;
    let customer = common::seed(&e, "acme", &e.acme, "L-ACME").await;
    let mut cases: Vec<Case> = Vec::new();

    // The example files users start from are valid request bodies.
    let order_schema = json!({"$ref": "#/components/schemas/OrderBody"});
    let mut orders =
        vec![serde_json::from_str::<Value>(&example("order.json")).expect("order.json")];
    for (i, line) in example("orders.jsonl").lines().enumerate() {
        let o: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("orders.jsonl:{}: {e}", i + 1));
        orders.push(o);
    }
    for (i, o) in orders.iter().enumerate() {
        let _: tollgate_server::schema::OrderBody = serde_json::from_value(o.clone())
            .unwrap_or_else(|err| panic!("example order {i} does not fit OrderBody: {err}"));
        cases.push(Case {
            label: format!("example order {i}"),
            schema: order_schema.clone(),
            instance: o.clone(),
        });
    }
    let specs: Value = serde_json::from_str(&example("acme-x1.json")).expect("acme-x1.json");
    let report: Value = serde_json::from_str(&example("report.json")).expect("report.json");
    cases.push(Case {
        label: "examples/acme-x1.json".into(),
        schema: json!({"$ref": "#/components/schemas/SpecsBody"}),
        instance: specs.clone(),
    });
    cases.push(Case {
        label: "examples/report.json".into(),
        schema: json!({"$ref": "#/components/schemas/TestReportBody"}),
        instance: report.clone(),
    });

    // Real responses, route by route: every decision of the example orders (every verdict),
    // batches with an error line, hits, lists, classifications and the records routes.
    let mut calls: Vec<(&str, String, Option<Value>, &str)> = Vec::new();
    for o in &orders {
        let mut o = o.clone();
        o["exporter"] = json!("acme");
        calls.push(("post", "/v1/check".into(), Some(o), "/v1/check"));
    }
    let mut acme_order = orders[0].clone();
    acme_order["exporter"] = json!("acme");
    calls.push((
        "post",
        "/v1/check?record=true".into(),
        Some(acme_order.clone()),
        "/v1/check",
    ));
    calls.push((
        "post",
        "/v1/check/batch?as_of=2026-02-03".into(),
        Some(json!([acme_order, {"id": "bad"}])),
        "/v1/check/batch",
    ));
    calls.push((
        "post",
        "/v1/check".into(),
        Some(json!({"id": "x", "date": "2026-02-03", "exporter": "acme", "items": [], "parties": {}})),
        "/v1/check",
    ));
    for (name, country) in [
        ("Banco Nacional de Cuba", "CU"),
        ("Huawei Technologies", "CN"),
        ("Example Cloud Co.", "CN"),
    ] {
        calls.push((
            "post",
            "/v1/screen".into(),
            Some(json!({"name": name, "country": country})),
            "/v1/screen",
        ));
    }
    calls.push((
        "post",
        "/v1/screen/batch".into(),
        Some(json!({"queries": [{"name": "Banco Nacional de Cuba"}, {"name": "Acme"}]})),
        "/v1/screen/batch",
    ));
    calls.push(("get", "/v1/lists".into(), None, "/v1/lists"));
    calls.push((
        "get",
        "/v1/classify/H200?as_of=2026-02-01".into(),
        None,
        "/v1/classify/{chip}",
    ));
    calls.push((
        "get",
        "/v1/classify/NOPE".into(),
        None,
        "/v1/classify/{chip}",
    ));
    calls.push((
        "post",
        "/v1/classify?as_of=2026-02-01".into(),
        Some(specs.clone()),
        "/v1/classify",
    ));
    calls.push(("get", "/v1/regs".into(), None, "/v1/regs"));
    calls.push(("get", "/v1/customers".into(), None, "/v1/customers"));
    calls.push((
        "get",
        format!("/v1/customers/{customer}"),
        None,
        "/v1/customers/{id}",
    ));
    calls.push(("get", "/v1/licences".into(), None, "/v1/licences"));
    calls.push((
        "get",
        "/v1/licences/L-ACME".into(),
        None,
        "/v1/licences/{number}",
    ));
    calls.push((
        "get",
        "/v1/cap?exporter=acme&chip=h200&as_of=2026-03-01".into(),
        None,
        "/v1/cap",
    ));
    calls.push(("get", "/v1/cap?exporter=acme".into(), None, "/v1/cap"));
    calls.push((
        "get",
        "/v1/duty/statement?exporter=acme&quarter=2026Q1".into(),
        None,
        "/v1/duty/statement",
    ));
    calls.push(("get", "/v1/audit/verify".into(), None, "/v1/audit/verify"));
    calls.push(("get", "/v1/decisions".into(), None, "/v1/decisions"));
    calls.push((
        "post",
        "/v1/shipments/export".into(),
        Some(common::export("L-ACME", 100_000, "1.00")),
        "/v1/shipments/export",
    ));
    let mut verdicts = Vec::new();
    for (method, uri, body, path) in calls {
        let token = if uri.starts_with("/v1/check") || uri.starts_with("/v1/shipments") {
            &e.acme
        } else {
            &e.reg
        };
        let r = e
            .call(&method.to_uppercase(), &uri, token, body.as_ref(), None)
            .await;
        assert!(
            !r.status.is_server_error(),
            "{method} {uri}: {} {}",
            r.status,
            r.text
        );
        if path == "/v1/check" && r.status == StatusCode::OK {
            verdicts.push(r.json["verdict"].as_str().unwrap_or("").to_string());
            let _: tollgate_server::schema::DecisionBody = serde_json::from_value(r.json.clone())
                .unwrap_or_else(|err| {
                    panic!(
                        "{uri}: the decision does not fit DecisionBody: {err}\n{}",
                        r.json
                    )
                });
        }
        if path == "/v1/screen" {
            assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text);
            let _: tollgate_server::schema::HitsBody = serde_json::from_value(r.json.clone())
                .unwrap_or_else(|err| panic!("{uri}: the hits do not fit HitsBody: {err}"));
        }
        if path == "/v1/check/batch" {
            assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text);
            let _: Vec<tollgate_server::schema::CheckBatchResult> =
                serde_json::from_value(r.json.clone()).unwrap_or_else(|err| panic!("{uri}: {err}"));
        }
        cases.push(Case {
            label: format!("{method} {uri} -> {}", r.status),
            schema: response_schema(&doc, method, path, r.status),
            instance: r.json,
        });
    }
    for v in [
        "no_license_required",
        "license_exception",
        "license_required",
        "prohibited",
    ] {
        assert!(
            verdicts.iter().any(|x| x == v),
            "the example orders give every verdict; {v} missing from {verdicts:?}"
        );
    }

    let mut errs = Vec::new();
    for c in &cases {
        let mut e = Vec::new();
        check(&doc, &c.schema, &c.instance, "$", &mut e);
        errs.extend(e.into_iter().map(|x| format!("{}: {x}", c.label)));
    }
    assert!(
        errs.is_empty(),
        "bodies that do not match their schemas:\n{}",
        errs.join("\n")
    );

    // The same bodies through a full JSON Schema 2020-12 validator, when one is installed.
    let Some(bin) = validator("the JSON Schema check of real bodies") else {
        return;
    };
    let python = bin.with_file_name("python");
    if !python.exists() {
        notice(&format!(
            "SKIPPED the JSON Schema check of real bodies: no python next to {}",
            bin.display()
        ));
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("cases.json");
    let cases_json: Vec<Value> = cases
        .iter()
        .map(|c| json!({"label": c.label, "schema": c.schema, "instance": c.instance}))
        .collect();
    std::fs::write(&input, json!({"doc": doc, "cases": cases_json}).to_string())
        .expect("write cases");
    let script = r#"
import json, sys
from jsonschema import Draft202012Validator
data = json.load(open(sys.argv[1]))
bad = 0
for c in data["cases"]:
    schema = dict(c["schema"]); schema["components"] = data["doc"]["components"]
    for e in Draft202012Validator(schema).iter_errors(c["instance"]):
        bad += 1
        print(c["label"], "/".join(map(str, e.absolute_path)), e.message[:300])
print(len(data["cases"]), "bodies checked,", bad, "errors")
sys.exit(1 if bad else 0)
"#;
    let out = Command::new(&python)
        .arg("-c")
        .arg(script)
        .arg(&input)
        .output()
        .expect("run python");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "JSON Schema validation of real bodies:\n{text}"
    );
    notice(&format!("jsonschema: {}", text.trim()));
}
