//! Golden scenarios: each file in tests/scenarios/ is an order, the rule sentence it comes from,
//! the screening hits to assume and the expected verdict, review policy, obligations and key
//! reasons. The expectations are read from the rule text, not from the engine.

use serde_json::Value;
use std::path::Path;
use tollgate_core::order::Role;
use tollgate_core::{NaiveDate, Order, PartyHit, Regulation, Screening};

/// The role a scenario names by its JSON path in the order (`end_user`,
/// `intermediate_consignees[0]`, `end_user.owners[0].owners[1]`).
fn role(order: &Order, s: &str) -> Role {
    order
        .parties
        .all_with_owners()
        .into_iter()
        .map(|(r, _)| r)
        .find(|r| r.label() == s)
        .unwrap_or_else(|| panic!("no party {s} in the order"))
}

fn check(reg: &Regulation, path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let s: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    for key in ["name", "rule_text", "citation", "as_of", "order", "expect"] {
        if s.get(key).is_none() {
            return Err(format!("scenario lacks '{key}'"));
        }
    }
    let mut order = Order::from_value(&s["order"], &reg.catalog, &reg.countries)
        .map_err(|e| format!("order invalid: {e}"))?;
    // The exporter's cap ledger, as a caller with a records database supplies it.
    if let Some(l) = s["ledger"].as_array() {
        order.certifications.ledger = Some(
            l.iter()
                .map(|c| tollgate_core::order::LedgerCounts {
                    chip: c["chip"].as_str().unwrap_or("").to_string(),
                    us_units: c["us_units"].as_u64().unwrap_or(0),
                    china_macau_units: c["china_macau_units"].as_u64().unwrap_or(0),
                })
                .collect(),
        );
    }
    let hits = s["screening_hits"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|h| {
                    let mut hit = PartyHit::new(
                        role(&order, h["party"].as_str().unwrap_or("")),
                        h["list"].as_str().unwrap_or(""),
                        h["match_id"].as_str().unwrap_or(""),
                        h["match_name"].as_str().unwrap_or(""),
                        h["score"].as_f64().unwrap_or(0.0),
                    );
                    // The entry's own columns, as the screening engine reports them.
                    hit.license_requirement = h["license_requirement"].as_str().map(str::to_string);
                    hit.license_policy = h["license_policy"].as_str().map(str::to_string);
                    hit.footnotes = h["footnotes"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|f| f.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    hit
                })
                .collect()
        })
        .unwrap_or_default();
    let screening = Screening {
        screened: true,
        hits,
        list_versions: Default::default(),
        warnings: Vec::new(),
    };
    let as_of = NaiveDate::parse_from_str(s["as_of"].as_str().unwrap_or(""), "%Y-%m-%d")
        .map_err(|e| e.to_string())?;
    let e = &s["expect"];
    // A scenario may expect the order to be refused, naming the field.
    if let Some(want) = e.get("error_field") {
        return match reg.decide(&order, Some(as_of), &screening) {
            Err(err) if want.as_str() == Some(err.field.as_str()) => Ok(()),
            Err(err) => Err(format!("refused with {err}, expected field {want}")),
            Ok(d) => Err(format!("decided, expected a refusal: {}", d.to_json())),
        };
    }
    let d = reg
        .decide(&order, Some(as_of), &screening)
        .map_err(|e| e.to_string())?
        .to_json();
    let mut problems = Vec::new();
    // Warning codes, exactly (an empty list: none), and words the warnings must say.
    if let Some(w) = e.get("warnings") {
        let codes: Vec<Value> = d["warnings"]
            .as_array()
            .map(|a| a.iter().map(|x| x["code"].clone()).collect())
            .unwrap_or_default();
        if &Value::Array(codes.clone()) != w {
            problems.push(format!("warning codes {codes:?} != expected {w}"));
        }
    }
    let warned: Vec<&str> = d["warnings"]
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["message"].as_str()).collect())
        .unwrap_or_default();
    for w in e["warning_words_include"].as_array().into_iter().flatten() {
        let w = w.as_str().unwrap_or("");
        if !warned.iter().any(|m| m.contains(w)) {
            problems.push(format!("no warning says \"{w}\""));
        }
    }
    if d["verdict"] != e["verdict"] {
        problems.push(format!(
            "verdict {} != expected {}",
            d["verdict"], e["verdict"]
        ));
    }
    if d["review_policy"] != e["review_policy"] {
        problems.push(format!(
            "review_policy {} != expected {}",
            d["review_policy"], e["review_policy"]
        ));
    }
    if let Some(o) = e.get("obligations") {
        if &d["obligations"] != o {
            problems.push(format!("obligations {} != expected {o}", d["obligations"]));
        }
    }
    if let Some(x) = e.get("licence_exception") {
        if &d["licence_exception"]["name"] != x {
            problems.push(format!(
                "exception {} != expected {x}",
                d["licence_exception"]
            ));
        }
    }
    if let Some(x) = e.get("eccn") {
        if &d["items"][0]["eccn"] != x {
            problems.push(format!("eccn {} != expected {x}", d["items"][0]["eccn"]));
        }
    }
    let rules: Vec<&str> = d["reasons"]
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["rule"].as_str()).collect())
        .unwrap_or_default();
    for r in e["reasons_include"].as_array().into_iter().flatten() {
        let r = r.as_str().unwrap_or("");
        if !rules.contains(&r) {
            problems.push(format!("no reason cites rule {r}"));
        }
    }
    // Words a reason must say (each a substring of one reason's message), so that a scenario
    // checks the sentence and not only the rule id.
    let messages: Vec<&str> = d["reasons"]
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["message"].as_str()).collect())
        .unwrap_or_default();
    for w in e["reason_words_include"].as_array().into_iter().flatten() {
        let w = w.as_str().unwrap_or("");
        if !messages.iter().any(|m| m.contains(w)) {
            problems.push(format!("no reason says \"{w}\""));
        }
    }
    for w in e["reason_words_exclude"].as_array().into_iter().flatten() {
        let w = w.as_str().unwrap_or("");
        if messages.iter().any(|m| m.contains(w)) {
            problems.push(format!("a reason says \"{w}\""));
        }
    }
    for r in d["reasons"].as_array().into_iter().flatten() {
        if r["citation"].as_str().is_none_or(|c| c.trim().is_empty()) {
            problems.push(format!("reason without citation: {r}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\n  decision: {}",
            problems.join("\n  "),
            serde_json::to_string(&d).unwrap_or_default()
        ))
    }
}

#[test]
fn golden_scenarios() {
    let reg = Regulation::bundled().expect("bundled data");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenario dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 40, "only {} scenarios", files.len());
    let mut failed = Vec::new();
    let mut packs = std::collections::BTreeSet::new();
    for f in &files {
        if let Ok(t) = std::fs::read_to_string(f) {
            if let Ok(v) = serde_json::from_str::<Value>(&t) {
                if let Some(d) = v["as_of"]
                    .as_str()
                    .and_then(|d| d.parse::<NaiveDate>().ok())
                {
                    if let Ok(p) = reg.packs.in_force(d) {
                        packs.insert(p.id.clone());
                    }
                }
            }
        }
        if let Err(e) = check(&reg, f) {
            failed.push(format!("{}: {e}", f.display()));
        }
    }
    println!("{} scenarios, packs covered: {:?}", files.len(), packs);
    assert!(
        failed.is_empty(),
        "{} failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
    let all: std::collections::BTreeSet<_> = reg.packs.all().iter().map(|p| p.id.clone()).collect();
    assert_eq!(packs, all, "every pack has a scenario");
}
