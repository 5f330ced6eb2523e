//! The acceptance orders of issue 4, checked against the rule text (not the engine's own output).

use tollgate_core::order::Role;
use tollgate_core::{NaiveDate, Order, PartyHit, Regulation, Screening};

fn reg() -> Regulation {
    Regulation::bundled().expect("bundled data loads")
}

fn order(chip: &str, end_user_country: &str, hq: &str) -> String {
    format!(
        r#"{{"id":"PO-1","date":"2026-02-01","exporter":"nvidia","transaction":"export","ship_from":"US",
        "items":[{{"chip":"{chip}","quantity":1000,"unit_price":{{"amount":"31000.00","currency":"USD"}}}}],
        "parties":{{"purchaser":{{"name":"Example Cloud Co., Ltd.","country":"{end_user_country}"}},
          "ultimate_consignee":{{"name":"Example Cloud Co., Ltd.","country":"{end_user_country}"}},
          "end_user":{{"name":"Example Cloud Co., Ltd.","country":"{end_user_country}","headquarters":"{hq}","parent_headquarters":"{hq}"}},
          "intermediate_consignees":[]}},
        "end_use":{{"description":"commercial cloud inference","military":false}},
        "certifications":{{"us_commercially_available":true,"us_supply_sufficient":true,"no_foundry_diversion":true,
          "kyc_remote_access_safeguards":true,"third_party_testing":true,"us_units_shipped":250000}}}}"#
    )
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn decide(r: &Regulation, text: &str, as_of: &str, s: &Screening) -> serde_json::Value {
    let o = Order::from_json(text, &r.catalog, &r.countries).expect("valid order");
    r.decide(&o, Some(date(as_of)), s)
        .expect("decides")
        .to_json()
}

#[test]
fn h200_to_approved_chinese_cloud_is_case_by_case_in_2026_and_denied_in_2025() {
    let r = reg();
    let s = Screening {
        screened: true,
        ..Default::default()
    };
    let d = decide(&r, &order("nvidia-h200-sxm", "CN", "CN"), "2026-02-01", &s);
    assert_eq!(d["verdict"], "license_required", "{d:#}");
    assert_eq!(d["review_policy"], "case_by_case");
    assert_eq!(
        d["obligations"],
        serde_json::json!([
            "third_party_test_each_shipment",
            "section_232_duty_25pct",
            "china_volume_cap_50pct"
        ])
    );
    assert!(d["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["citation"].as_str().is_some_and(|c| !c.is_empty())));
    let d = decide(&r, &order("nvidia-h200-sxm", "CN", "CN"), "2025-06-01", &s);
    assert_eq!(d["verdict"], "license_required");
    assert_eq!(d["review_policy"], "presumption_of_denial");
}

#[test]
fn b200_is_denied_on_both_dates() {
    let r = reg();
    let s = Screening::default();
    for day in ["2025-06-01", "2026-02-01"] {
        let d = decide(&r, &order("nvidia-b200", "CN", "CN"), day, &s);
        assert_eq!(d["verdict"], "license_required", "{day}");
        assert_eq!(d["review_policy"], "presumption_of_denial", "{day}");
    }
}

#[test]
fn german_end_user_needs_no_licence() {
    let r = reg();
    let d = decide(
        &r,
        &order("nvidia-h200-sxm", "DE", "DE"),
        "2026-02-01",
        &Screening::default(),
    );
    assert_eq!(d["verdict"], "no_license_required", "{d:#}");
    assert_eq!(d["review_policy"], serde_json::Value::Null);
}

#[test]
fn sdn_party_is_prohibited() {
    let r = reg();
    let s = Screening {
        screened: true,
        hits: vec![PartyHit {
            role: Role::EndUser,
            list: "SDN".into(),
            match_id: "306".into(),
            match_name: "BANCO NACIONAL DE CUBA".into(),
            score: 1.0,
        }],
        list_versions: vec![],
    };
    let d = decide(&r, &order("nvidia-h200-sxm", "CN", "CN"), "2026-02-01", &s);
    assert_eq!(d["verdict"], "prohibited");
    assert_eq!(d["obligations"], serde_json::json!([]));
    assert_eq!(d["screening"][2]["match_list"], "SDN");
}
