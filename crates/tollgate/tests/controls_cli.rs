//! End-to-end tests of the controls of December 2026 through the real binary and the bundled
//! lists: the Affiliates rule (owners screened, ownership path in the reason), its suspension in
//! `regs diff`, Russia, the MI308X, strict owners and the `warnings` field.

use std::io::Write;
use std::process::Command;

fn tollgate(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(args)
        .output()
        .expect("run tollgate");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn order_file(v: &serde_json::Value) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    f.write_all(v.to_string().as_bytes()).expect("write order");
    f
}

fn check(v: &serde_json::Value) -> (i32, serde_json::Value, String) {
    let f = order_file(v);
    let path = f.path().to_string_lossy().into_owned();
    let (code, out, err) = tollgate(&["check", &path, "--json"]);
    (code, serde_json::from_str(&out).unwrap_or_default(), err)
}

/// An H200 to an end user in Malaysia owned 60 % by Huawei (Entity List).
fn huawei_owned(date: &str) -> serde_json::Value {
    serde_json::json!({
        "id": "PO-AFF", "date": date, "exporter": "nvidia",
        "items": [{"chip": "nvidia-h200-sxm", "quantity": 100}],
        "parties": {
            "ultimate_consignee": {"name": "Penang Compute Sdn. Bhd.", "country": "MY"},
            "end_user": {"name": "Penang Compute Sdn. Bhd.", "country": "MY",
                         "owners": [{"name": "Huawei Technologies Co., Ltd.", "country": "CN", "percent": "60"}]}
        }
    })
}

fn reason<'a>(d: &'a serde_json::Value, rule: &str) -> Option<&'a str> {
    d["reasons"]
        .as_array()?
        .iter()
        .find(|r| r["rule"] == rule)
        .and_then(|r| r["message"].as_str())
}

#[test]
fn an_end_user_owned_60_percent_by_huawei_needs_a_licence_once_the_affiliates_rule_is_back() {
    let (code, d, err) = check(&huawei_owned("2026-11-20"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(d["regulation"], "2026-11-10");
    assert_eq!(d["verdict"], "license_required", "{d:#}");
    assert_eq!(d["review_policy"], "presumption_of_denial");
    let msg = reason(&d, "744.11-a1-affiliates").expect("the Affiliates rule is a reason");
    assert!(
        msg.starts_with(
            "end_user 'Penang Compute Sdn. Bhd.' is 60 % owned, directly or indirectly, by parties on the Entity List, Military End User List, SDN: 'Huawei Technologies Co., Ltd.' (end_user.owners[0], 60 %) on the Entity List as 'Huawei Technologies Co., Ltd.' (id "
        ),
        "{msg}"
    );
    assert!(
        msg.contains(
            "at or above 50 % it takes their restrictions: licence required, presumption_of_denial"
        ),
        "{msg}"
    );
    // The owner is screened and listed by its path.
    assert!(d["screening"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["party"] == "end_user.owners[0]" && s["match_id"].is_string()));
}

#[test]
fn the_same_order_during_the_suspension_is_no_licence_with_a_red_flag() {
    let (code, d, err) = check(&huawei_owned("2026-06-01"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(d["verdict"], "no_license_required", "{d:#}");
    let w = d["warnings"].as_array().expect("warnings is a list");
    let flag = w
        .iter()
        .find(|w| w["code"] == "affiliate_red_flag")
        .and_then(|w| w["message"].as_str())
        .expect("an affiliate_red_flag warning");
    assert!(
        flag.starts_with("end_user 'Penang Compute Sdn. Bhd.': owner 'Huawei Technologies Co., Ltd.' (end_user.owners[0], 60 %) matches 'Huawei Technologies Co., Ltd.' on the Entity List"),
        "{flag}"
    );
    assert!(flag.contains("the Affiliates rule is suspended from 2025-11-10 through 2026-11-09"));
}

#[test]
fn regs_diff_shows_the_affiliates_rule_suspended_and_coming_back() {
    let (code, out, err) = tollgate(&["regs", "diff", "2026-11-09", "2026-11-10"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("+ ownership_rule       744.11-a1-affiliates "),
        "{out}"
    );
    assert!(out.contains("- ownership_rule       744.11-a1-affiliates-suspended"));
    let (code, out, _) = tollgate(&["regs", "diff", "2025-11-09", "2025-11-10"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("- ownership_rule       744.11-a1-affiliates "),
        "{out}"
    );
    assert!(out.contains("+ dormant_rule         744.11-a1-affiliates-suspension"));
}

#[test]
fn an_h20_to_russia_and_an_mi308x_to_china_need_licences() {
    let mut o = huawei_owned("2026-02-01");
    o["items"][0]["chip"] = "nvidia-h20".into();
    for p in ["ultimate_consignee", "end_user"] {
        o["parties"][p] = serde_json::json!({"name": "Example Moscow LLC", "country": "RU"});
    }
    let (code, d, err) = check(&o);
    assert_eq!(code, 0, "{err}");
    assert_eq!(d["verdict"], "license_required");
    assert_eq!(d["review_policy"], "policy_of_denial");
    assert!(reason(&d, "746.8-a-russia-belarus").is_some(), "{d:#}");

    o["items"][0]["chip"] = "amd-mi308x".into();
    for p in ["ultimate_consignee", "end_user"] {
        o["parties"][p] = serde_json::json!({"name": "Example Cloud Co., Ltd.", "country": "CN"});
    }
    let (code, d, err) = check(&o);
    assert_eq!(code, 0, "{err}");
    assert_eq!(d["verdict"], "license_required");
    assert_eq!(d["items"][0]["eccn"], "unclassified");
    assert!(reason(&d, "744.23-is-informed").is_some(), "{d:#}");
    // Outside the letters' destinations the MI308X cannot be decided without figures.
    for p in ["ultimate_consignee", "end_user"] {
        o["parties"][p] = serde_json::json!({"name": "Example GmbH", "country": "DE"});
    }
    let f = order_file(&o);
    let (code, _, err) = tollgate(&["check", &f.path().to_string_lossy()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("items[0].chip"), "{err}");
}

#[test]
fn owners_are_strict_and_every_decision_has_warnings() {
    let mut o = huawei_owned("2026-02-01");
    o["parties"]["end_user"]["owners"][0]["percent"] = "120".into();
    let f = order_file(&o);
    let (code, _, err) = tollgate(&["check", &f.path().to_string_lossy()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("parties.end_user.owners[0].percent") && err.contains("(0, 100]"),
        "{err}"
    );
    o["parties"]["end_user"]["owners"][0]["percent"] = "60".into();
    o["parties"]["end_user"]["owners"][0]["share"] = "60".into();
    let f = order_file(&o);
    let (code, _, err) = tollgate(&["check", &f.path().to_string_lossy()]);
    assert_eq!(code, 2);
    assert!(err.contains("parties.end_user.owners[0].share"), "{err}");
    let mut plain = huawei_owned("2026-02-01");
    plain["parties"]["end_user"]
        .as_object_mut()
        .unwrap()
        .remove("owners");
    plain["parties"]["end_user"]["country"] = "DE".into();
    plain["parties"]["ultimate_consignee"]["country"] = "DE".into();
    let (code, d, _) = check(&plain);
    assert_eq!(code, 0);
    // The bundled lists are older than a week: that is the only warning.
    let codes: Vec<&str> = d["warnings"]
        .as_array()
        .expect("warnings is a list")
        .iter()
        .filter_map(|w| w["code"].as_str())
        .collect();
    assert!(codes.iter().all(|c| *c == "stale_lists"), "{codes:?}");
}

#[test]
fn with_a_records_database_the_cap_counts_come_from_the_exporters_ledger() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    let (code, _, err) = tollgate(&[
        "ship",
        "domestic",
        "--db",
        &db,
        "--exporter",
        "nvidia",
        "--chip",
        "nvidia-h200-sxm",
        "--quantity",
        "1000",
        "--date",
        "2026-02-01",
    ]);
    assert_eq!(code, 0, "{err}");
    let o = serde_json::json!({
        "id": "PO-CAP", "date": "2026-02-01", "exporter": "nvidia",
        "items": [{"chip": "nvidia-h200-sxm", "quantity": 600}],
        "parties": {
            "ultimate_consignee": {"name": "Example Cloud Co., Ltd.", "country": "CN"},
            "end_user": {"name": "Example Cloud Co., Ltd.", "country": "CN"}
        },
        "certifications": {
            "us_commercially_available": true, "us_supply_sufficient": true,
            "no_foundry_diversion": true, "kyc_remote_access_safeguards": true,
            "third_party_testing": true, "no_part744_end_use": true,
            "us_units_shipped": 250000
        }
    });
    let f = order_file(&o);
    let path = f.path().to_string_lossy().into_owned();
    // Without a database the order's certified 250,000 US units govern: within the cap.
    let (code, out, err) = tollgate(&["check", &path, "--json", "--no-screen"]);
    assert_eq!(code, 0, "{err}");
    let d: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["review_policy"], "case_by_case", "{d:#}");
    // With it, the ledger's 1,000 US units allow 500: 600 exceed the cap.
    let (code, out, err) = tollgate(&["check", &path, "--json", "--no-screen", "--db", &db]);
    assert_eq!(code, 0, "{err}");
    let d: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["review_policy"], "presumption_of_denial", "{d:#}");
    assert!(
        reason(&d, "748-supp2-dd1-iii-volume-cap").is_some_and(|m| m
            == "nvidia-h200-sxm: 600 units to China and Macau (0 already shipped + 600 in this order) exceed the cap of 500 (0.5 x 1,000 US units) (counts from the exporter's ledger)"),
        "{d:#}"
    );
}

#[test]
fn a_date_after_today_names_the_pack_used_and_says_later_rules_are_not_known() {
    let (code, _, err) = tollgate(&["classify", "H200", "--as-of", "2099-01-01"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("note: 2099-01-01 is after today (")
            && err.contains("decided under regulation pack 2026-11-10 (in force from 2026-11-10), the latest this version of tollgate knows"),
        "{err}"
    );
    let (_, _, err) = tollgate(&["classify", "H200", "--as-of", "2026-02-01"]);
    assert!(!err.contains("note:"), "{err}");
}
