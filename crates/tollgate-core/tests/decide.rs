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
        hits: vec![PartyHit::new(
            Role::EndUser,
            "SDN",
            "306",
            "BANCO NACIONAL DE CUBA",
            1.0,
        )],
        list_versions: Default::default(),
        warnings: Vec::new(),
    };
    let d = decide(&r, &order("nvidia-h200-sxm", "CN", "CN"), "2026-02-01", &s);
    assert_eq!(d["verdict"], "prohibited");
    assert_eq!(d["obligations"], serde_json::json!([]));
    assert_eq!(d["screening"][2]["match_list"], "SDN");
}

#[test]
fn compare_names_the_rules_that_made_the_difference() {
    let r = reg();
    let o = Order::from_json(
        &order("nvidia-h200-sxm", "CN", "CN"),
        &r.catalog,
        &r.countries,
    )
    .expect("valid order");
    let s = Screening::default();
    let c = r
        .compare(&o, date("2024-06-01"), date("2026-02-01"), &s)
        .expect("decides");
    assert!(c
        .only_before
        .iter()
        .any(|x| x == "742.6-b10-d5-datacenter-a"));
    assert!(c
        .only_after
        .iter()
        .any(|x| x == "742.6-b10-2026-case-by-case"));
    assert_eq!(c.to_json()["changed"], true);
}

#[test]
fn a_date_before_every_pack_names_the_field() {
    let r = reg();
    let text = order("nvidia-h200-sxm", "CN", "CN").replace("2026-02-01", "2021-06-01");
    let o = Order::from_json(&text, &r.catalog, &r.countries).expect("valid order");
    let e = r
        .decide(&o, None, &Screening::default())
        .expect_err("no pack");
    assert_eq!(e.field, "date");
    let e = r
        .decide(&o, Some(date("2020-01-01")), &Screening::default())
        .expect_err("no pack");
    assert_eq!(e.field, "as_of");
}

#[test]
fn an_entity_list_party_needs_a_licence_even_for_an_uncontrolled_item_to_germany() {
    let r = reg();
    let s = Screening {
        screened: true,
        hits: vec![PartyHit::new(Role::EndUser, "Entity List", "el", "X", 0.9)],
        list_versions: vec!["csl.csv".to_string()].into(),
        warnings: Vec::new(),
    };
    let d = decide(&r, &order("nvidia-l20", "DE", "DE"), "2026-02-01", &s);
    assert_eq!(d["verdict"], "license_required");
    assert_eq!(d["review_policy"], "presumption_of_denial");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    const COUNTRIES: &[&str] = &[
        "CN", "MO", "HK", "DE", "IN", "SA", "KH", "RU", "IR", "SG", "MY", "US",
    ];
    const DATES: &[&str] = &[
        "2023-03-01",
        "2024-01-15",
        "2024-06-01",
        "2025-03-01",
        "2025-06-01",
        "2026-01-20",
        "2026-02-10",
    ];

    fn severity(d: &serde_json::Value) -> (u8, u8) {
        let v = match d["verdict"].as_str() {
            Some("no_license_required") => 0,
            Some("license_exception") => 1,
            Some("license_required") => 2,
            _ => 3,
        };
        let p = match d["review_policy"].as_str() {
            Some("presumption_of_approval") => 1,
            Some("case_by_case") => 2,
            Some("presumption_of_denial") => 3,
            Some("policy_of_denial") => 4,
            _ => 0,
        };
        (v, p)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Withholding certifications or adding a listed party never makes a decision less
        /// restrictive, and an SDN party always makes it prohibited.
        #[test]
        fn less_assurance_is_never_more_permissive(
            chip in 0usize..23, c in 0usize..12, day in 0usize..7, drop_cert in 0usize..6, military in any::<bool>()
        ) {
            static REG: std::sync::OnceLock<Regulation> = std::sync::OnceLock::new();
            let r = REG.get_or_init(reg);
            let chips: Vec<_> = r.catalog.chips().iter().filter(|c| !c.specs.dense_tops.is_empty()).collect();
            let chip = &chips[chip % chips.len()].id;
            let country = COUNTRIES[c];
            let mut text = order(chip, country, country).replace("2026-02-01", DATES[day]);
            if military {
                text = text.replace("\"military\":false", "\"military\":true");
            }
            let base = decide(r, &text, DATES[day], &Screening::default());
            let keys = ["us_commercially_available", "us_supply_sufficient", "no_foundry_diversion",
                        "kyc_remote_access_safeguards", "third_party_testing", "us_units_shipped"];
            let fewer = text.replace(&format!("\"{}\"", keys[drop_cert]), "\"ignored_key_for_test\"")
                .replace(",\"ignored_key_for_test\":true", "").replace(",\"ignored_key_for_test\":250000", "")
                .replace("\"ignored_key_for_test\":true,", "");
            if let Ok(o) = Order::from_json(&fewer, &r.catalog, &r.countries) {
                let d = r.decide(&o, Some(date(DATES[day])), &Screening::default()).unwrap().to_json();
                prop_assert!(severity(&d) >= severity(&base), "{fewer}\n{d}\n{base}");
            }
            for (list, floor) in [("Entity List", (2, 3)), ("SDN", (3, 0))] {
                let s = Screening { screened: true, hits: vec![PartyHit::new(Role::EndUser, list, "x", "x", 1.0)], list_versions: Default::default(), warnings: Vec::new() };
                let d = decide(r, &text, DATES[day], &s);
                prop_assert!(severity(&d) >= severity(&base).max(floor), "{list}: {d}");
            }
        }
    }
}
