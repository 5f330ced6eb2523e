//! `tollgate check` of H200 orders to Entity-Listed Chinese parties on 2026-02-01, screened
//! against the bundled 2026 lists by the real binary: a licence is required under the entry's
//! presumption of denial, never the 2026 case-by-case path (issue 10).

use serde_json::{json, Value};
use std::process::Command;

const HUAWEI_FOOTNOTE: &str = "; footnote 1: Entity List foreign direct product rule: foreign-produced direct products of specified US technology or software are subject to the EAR when this entity is a party";
const SMIC_FOOTNOTE: &str =
    "; footnote 5: Entity List foreign direct product rule for semiconductor manufacturing items: ";

fn order(name: &str) -> Value {
    json!({
        "id": "PO-2026-EL", "date": "2026-02-01", "exporter": "nvidia",
        "transaction": "export", "ship_from": "US",
        "items": [{"chip": "nvidia-h200-sxm", "quantity": 1000,
                   "unit_price": {"amount": "31000.00", "currency": "USD"}}],
        "parties": {
            "purchaser": {"name": name, "country": "CN"},
            "ultimate_consignee": {"name": name, "country": "CN"},
            "end_user": {"name": name, "country": "CN",
                         "headquarters": "CN", "parent_headquarters": "CN"},
            "intermediate_consignees": []
        },
        "end_use": {"description": "commercial cloud inference", "military": false},
        "certifications": {
            "us_commercially_available": true, "us_supply_sufficient": true,
            "no_foundry_diversion": true, "kyc_remote_access_safeguards": true,
            "third_party_testing": true, "us_units_shipped": 250000
        }
    })
}

fn check(v: &Value) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("order.json");
    std::fs::write(&f, v.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(["check", f.to_str().unwrap(), "--json"])
        .current_dir(dir.path())
        .env_remove("TOLLGATE_DB")
        .env_remove("TOLLGATE_DATA")
        .output()
        .expect("run tollgate");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("decision JSON")
}

/// What an H200 order to an Entity-Listed party in China decides on 2026-02-01, with the reason
/// of the listing in words (crates/tollgate-server/tests/entity_list.rs checks the same over HTTP).
/// `footnote` is the start of the words the entry's footnote marker brings (the bundled eCFR
/// extract gives Huawei footnote 1, SMIC footnote 5); the extract has no review policy column, so
/// the reason says the pack's presumption of denial is assumed.
fn assert_listed_and_denied(d: &Value, name: &str, footnote: &str) {
    assert_eq!(d["regulation"], "2026-01-15", "{d:#}");
    assert_eq!(d["verdict"], "license_required", "{d:#}");
    assert_eq!(d["review_policy"], "presumption_of_denial", "{d:#}");
    assert_eq!(d["items"][0]["review_policy"], "presumption_of_denial");
    assert_eq!(
        d["obligations"],
        json!([]),
        "no 2026 case-by-case obligations"
    );
    // The end user's best match may be on another list too (e.g. OFAC's NS-CMIC): the Entity
    // List hit is read from the reasons.
    assert_eq!(d["screening"][2]["party"], "end_user");
    assert!(d["screening"][2]["match_id"].is_string(), "{d:#}");
    let el: Vec<&Value> = d["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"] == "744.11-entity-list")
        .collect();
    assert!(!el.is_empty(), "{d:#}");
    let end_user = el
        .iter()
        .map(|r| r["message"].as_str().unwrap())
        .find(|m| m.starts_with(&format!("end_user '{name}' matches '")))
        .unwrap_or_else(|| panic!("no Entity List reason for the end user: {d:#}"));
    assert_eq!(
        el[0]["citation"],
        "15 CFR 744.11; 15 CFR Part 744, Supp. No. 4"
    );
    assert!(
        end_user.contains("' on the Entity List (id ")
            && end_user.contains(
                "): licence required, presumption_of_denial: the party is on the Entity List: a \
                 licence is required for the items its entry's licence requirement names, reviewed \
                 under the entry's review policy, or with a presumption of denial where the entry \
                 states none; the entry's licence requirement: \"For all items subject to the EAR"
            )
            && end_user.contains(footnote)
            && end_user.ends_with(
                "; the list entry states no review policy; presumption of denial assumed (the eCFR \
                 extract carries the licence requirement only)"
            ),
        "{end_user}"
    );
    assert!(
        !d["reasons"].as_array().unwrap().iter().any(|r| r["message"]
            .as_str()
            .unwrap()
            .contains("licence required, case_by_case")),
        "{d:#}"
    );
}

#[test]
fn h200_to_huawei_in_2026_needs_a_licence_under_the_entity_list() {
    let name = "Huawei Technologies Co., Ltd.";
    let d = check(&order(name));
    assert_listed_and_denied(&d, name, HUAWEI_FOOTNOTE);
}

#[test]
fn h200_to_smic_in_2026_needs_a_licence_under_the_entity_list() {
    let name = "Semiconductor Manufacturing International Corporation";
    let d = check(&order(name));
    assert_listed_and_denied(&d, name, SMIC_FOOTNOTE);
}
