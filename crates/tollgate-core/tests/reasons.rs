//! The words of a decision: the reason sentences a compliance officer reads and the record keeps,
//! written out in full and checked word for word (the volume-cap arithmetic, the missing
//! certifications once per order, the destinations and names, the screening record whether
//! unscreened, clean, hit or barring an exception), and a synthetic pack that decides on numbers
//! (`gt`, `le`, `eq`, `ge`, `lt` on TPP, DRAM and interconnect bandwidth, performance density),
//! which the bundled packs do not.

use serde_json::{json, Value};
use tollgate_core::order::Role;
use tollgate_core::{NaiveDate, Order, PartyHit, Regulation, Screening, Sources};

fn bundled() -> &'static Regulation {
    static R: std::sync::OnceLock<Regulation> = std::sync::OnceLock::new();
    R.get_or_init(|| Regulation::bundled().expect("bundled data loads"))
}

const BUYER: &str = "Buyer Trading Ltd.";
const CONSIGNEE: &str = "Consignee Logistics Ltd.";
const USER: &str = "User Cloud Co., Ltd.";

fn all_certs() -> Value {
    json!({"us_commercially_available": true, "us_supply_sufficient": true, "no_foundry_diversion": true,
           "kyc_remote_access_safeguards": true, "third_party_testing": true})
}

/// An order from the US with three distinct parties; `items` are (chip, quantity).
fn order(date: &str, items: &[(&str, u64)], consignee: &str, user: &str, certs: Value) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|(c, q)| json!({"chip": c, "quantity": q}))
        .collect();
    json!({
        "id": "PO-R", "date": date, "exporter": "nvidia", "transaction": "export", "ship_from": "US",
        "items": items,
        "parties": {
            "purchaser": {"name": BUYER, "country": user},
            "ultimate_consignee": {"name": CONSIGNEE, "country": consignee},
            "end_user": {"name": USER, "country": user, "headquarters": user},
            "intermediate_consignees": []
        },
        "end_use": {"description": "cloud inference", "military": false},
        "certifications": certs
    })
}

fn screened() -> Screening {
    Screening {
        screened: true,
        ..Default::default()
    }
}

fn decide(r: &Regulation, o: &Value, s: &Screening) -> Value {
    let o = Order::from_value(o, &r.catalog, &r.countries).expect("valid order");
    let d = r.decide(&o, None, s).expect("decides").to_json();
    for reason in d["reasons"].as_array().unwrap() {
        assert!(
            reason["citation"].as_str().is_some_and(|c| !c.is_empty()),
            "{reason}"
        );
    }
    d
}

/// Every message of a reason citing `rule`, in order.
fn said(d: &Value, rule: &str) -> Vec<String> {
    d["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"] == rule)
        .map(|r| r["message"].as_str().unwrap().to_string())
        .collect()
}

fn messages(d: &Value) -> Vec<String> {
    d["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"].as_str().unwrap().to_string())
        .collect()
}

const CERTS_RULE: &str = "748-supp2-dd1-certifications";
const CAP_RULE: &str = "748-supp2-dd1-iii-volume-cap";
const CBC: &str = "742.6-b10-2026-case-by-case";

#[test]
fn missing_certifications_are_named_once_per_order() {
    let certs = json!({"us_commercially_available": true, "no_foundry_diversion": true,
                       "third_party_testing": true, "us_units_shipped": 250000});
    let o = order(
        "2026-02-01",
        &[
            ("nvidia-h200-sxm", 1000),
            ("amd-mi325x", 200),
            ("nvidia-h200-sxm", 500),
        ],
        "CN",
        "CN",
        certs,
    );
    let d = decide(bundled(), &o, &screened());
    assert_eq!(d["verdict"], "license_required");
    assert_eq!(d["review_policy"], "presumption_of_denial");
    assert_eq!(
        said(&d, CERTS_RULE),
        vec!["certifications not given: us_supply_sufficient, kyc_remote_access_safeguards"]
    );
    // Each item says why its case-by-case path does not apply (once, though two requirements
    // apply to it).
    assert_eq!(
        said(&d, CBC),
        vec![
            "nvidia-h200-sxm: the case-by-case path does not apply: certifications_complete is false, the rule needs true",
            "amd-mi325x: the case-by-case path does not apply: certifications_complete is false, the rule needs true",
            "nvidia-h200-sxm: the case-by-case path does not apply: certifications_complete is false, the rule needs true",
        ]
    );
    assert!(
        said(&d, CAP_RULE).is_empty(),
        "the first unmet condition is reported"
    );

    // Every (dd) certification but the US units.
    let o = order(
        "2026-02-01",
        &[("nvidia-h200-sxm", 1000)],
        "CN",
        "CN",
        all_certs(),
    );
    let d = decide(bundled(), &o, &screened());
    assert_eq!(
        said(&d, CERTS_RULE),
        vec!["certifications not given: us_units_shipped"]
    );
}

fn cap_certs(us: u64, shipped: u64) -> Value {
    let mut c = all_certs();
    c["us_units_shipped"] = json!(us);
    c["china_macau_units_shipped"] = json!(shipped);
    c
}

#[test]
fn the_volume_cap_sentence_gives_its_arithmetic() {
    // H200: 1,000 + 500 in this order + 100 shipped = 1,600 > 0.5 x 2,500 = 1,250.
    // MI325X: 200 + 100 = 300, within its own cap.
    let o = order(
        "2026-02-01",
        &[
            ("nvidia-h200-sxm", 1000),
            ("amd-mi325x", 200),
            ("nvidia-h200-sxm", 500),
        ],
        "CN",
        "CN",
        cap_certs(2500, 100),
    );
    let d = decide(bundled(), &o, &screened());
    let cap: std::collections::BTreeSet<String> = said(&d, CAP_RULE).into_iter().collect();
    assert_eq!(
        cap.into_iter().collect::<Vec<_>>(),
        vec!["nvidia-h200-sxm: 1,600 units to China and Macau (100 already shipped + 1,500 in this order) exceed the cap of 1,250 (0.5 x 2,500 US units) (counts as the order certifies them; no records database was given, or it holds no count for this item)"]
    );
    assert_eq!(
        said(&d, CBC),
        vec![
            "nvidia-h200-sxm: the case-by-case path does not apply: within_volume_cap is false, the rule needs true",
            "amd-mi325x: the 742.6-a6-destination requirement is reviewed under case_by_case: AI commodity exported from the US to an end user located in China or Macau with every (dd) certification: reviewed case by case",
            "amd-mi325x: the 742.6-a6-iii-A-headquarters requirement is reviewed under case_by_case: AI commodity exported from the US to an end user located in China or Macau with every (dd) certification: reviewed case by case",
            "nvidia-h200-sxm: the case-by-case path does not apply: within_volume_cap is false, the rule needs true",
        ]
    );
    assert!(said(&d, CERTS_RULE).is_empty());
    assert_eq!(d["items"][0]["review_policy"], "presumption_of_denial");
    assert_eq!(d["items"][1]["review_policy"], "case_by_case");
    // The order is reviewed under presumption of denial, so the case-by-case path's obligations
    // (which the MI325X alone would carry) are not the order's.
    assert_eq!(d["review_policy"], "presumption_of_denial");
    assert_eq!(d["obligations"], json!([]));
}

#[test]
fn the_volume_cap_may_be_reached_but_not_passed_and_counts_only_its_chip() {
    let policy = |items: &[(&str, u64)], us: u64, shipped: u64| {
        let o = order("2026-02-01", items, "CN", "CN", cap_certs(us, shipped));
        decide(bundled(), &o, &screened())
    };
    // 1,150 + 100 = 1,250 = 0.5 x 2,500: case by case, with the path's obligations.
    let d = policy(&[("nvidia-h200-sxm", 1150)], 2500, 100);
    assert_eq!(d["review_policy"], "case_by_case", "{d:#}");
    assert_eq!(
        d["obligations"],
        json!([
            "third_party_test_each_shipment",
            "section_232_duty_25pct",
            "china_volume_cap_50pct"
        ])
    );
    assert_eq!(
        said(&d, "748-supp2-dd3-testing"),
        vec!["obligation third_party_test_each_shipment: every shipment is tested before export by a qualified, independent third-party laboratory in the US, which certifies the measured TPP, DRAM bandwidth and interconnect to BIS"]
    );
    // One more: over.
    let d = policy(&[("nvidia-h200-sxm", 1151)], 2500, 100);
    assert_eq!(d["review_policy"], "presumption_of_denial");
    assert_eq!(
        said(&d, CAP_RULE),
        vec!["nvidia-h200-sxm: 1,251 units to China and Macau (100 already shipped + 1,151 in this order) exceed the cap of 1,250 (0.5 x 2,500 US units) (counts as the order certifies them; no records database was given, or it holds no count for this item)"]
    );
    // Another chip's units count toward its own cap, not the H200's.
    let d = policy(&[("nvidia-h200-sxm", 1150), ("amd-mi325x", 500)], 2500, 100);
    assert_eq!(d["review_policy"], "case_by_case");
    // Large figures get thousands separators.
    let d = policy(&[("nvidia-h200-sxm", 1_000_000)], 1_500_000, 2_000_000);
    assert_eq!(
        said(&d, CAP_RULE),
        vec!["nvidia-h200-sxm: 3,000,000 units to China and Macau (2,000,000 already shipped + 1,000,000 in this order) exceed the cap of 750,000 (0.5 x 1,500,000 US units) (counts as the order certifies them; no records database was given, or it holds no count for this item)"]
    );
}

#[test]
fn destinations_items_and_parties_are_named() {
    // Consigned to Hong Kong (which counts as China) for an end user in Macau.
    let o = order(
        "2026-02-01",
        &[("nvidia-h200-sxm", 10)],
        "HK",
        "MO",
        all_certs(),
    );
    let d = decide(bundled(), &o, &screened());
    assert_eq!(
        said(&d, "742.6-a6-destination"),
        vec!["nvidia-h200-sxm (3A090.a) to CN/MO for end user User Cloud Co., Ltd. (MO): licence required: 3A090/4A090 items need a licence to destinations in Country Groups D:1, D:4 or D:5 not also in A:5 or A:6, and to Macau"]
    );
    assert!(said(&d, "742.6-b10-d5-datacenter-a").contains(
        &"nvidia-h200-sxm: the 742.6-a6-destination requirement is reviewed under presumption_of_denial: items designed or marketed for datacenters that meet 3A090.a (or 4A090.a) going to D:5, Macau or a D:5/Macau-headquartered entity: presumption of denial".to_string()
    ));

    // No requirement: a controlled item to Germany, an uncontrolled one too.
    let o = order(
        "2026-02-01",
        &[("nvidia-h200-sxm", 10), ("nvidia-l20", 10)],
        "DE",
        "DE",
        all_certs(),
    );
    let d = decide(bundled(), &o, &screened());
    assert_eq!(d["verdict"], "no_license_required");
    assert_eq!(
        said(&d, "742.6-a6-destination"),
        vec![
            "nvidia-h200-sxm: no licence required: destination DE is outside every licence requirement of this pack for a 3A090.a item",
            "nvidia-l20: no licence required: the item is not 3A090/4A090 and no destination- or end-use-based requirement applies",
        ]
    );
}

fn hit(role: Role, list: &str, id: &str, score: f64) -> PartyHit {
    PartyHit::new(role, list, id, "LISTED NAME", score)
}

#[test]
fn the_screening_record_says_what_was_screened() {
    let o = order("2026-02-01", &[("nvidia-l20", 10)], "DE", "DE", all_certs());
    // Not screened: nothing claims that no party matches.
    let d = decide(bundled(), &o, &Screening::default());
    assert!(
        !messages(&d).iter().any(|m| m.contains("no party matches")),
        "{d:#}"
    );
    assert_eq!(d["screening"], json!([]));

    // Screened and clean, with and without the list versions.
    let mut s = screened();
    let d = decide(bundled(), &o, &s);
    assert_eq!(
        said(&d, "ofac-sdn"),
        vec!["no party matches a restricted-party list (3 parties screened)"]
    );
    s.list_versions = vec![
        "SDN 2026-01-30 sha256:ab".to_string(),
        "CSL 2026-01-29 sha256:cd".to_string(),
    ]
    .into();
    let d = decide(bundled(), &o, &s);
    assert_eq!(
        said(&d, "ofac-sdn"),
        vec!["no party matches a restricted-party list (3 parties screened against SDN 2026-01-30 sha256:ab, CSL 2026-01-29 sha256:cd)"]
    );
    assert_eq!(
        d["screening"][2],
        json!({"party": "end_user", "match_id": null, "match_list": null, "score": null})
    );

    // A hit on a list with no specific effect: the pack's "any other list" rule, naming the
    // party that matched; the best-scoring match per party in the JSON, rounded to 3 places.
    s.hits = vec![
        hit(Role::Purchaser, "Nonproliferation Sanctions", "isn-1", 0.91),
        hit(
            Role::Purchaser,
            "Nonproliferation Sanctions",
            "isn-2",
            0.87654,
        ),
    ];
    let d = decide(bundled(), &o, &s);
    assert!(!messages(&d).iter().any(|m| m.contains("no party matches")));
    assert_eq!(
        said(&d, "732-supp3-red-flags"),
        vec![
            "purchaser 'Buyer Trading Ltd.' matches 'LISTED NAME' on the Nonproliferation Sanctions (id isn-1, score 0.910): red flag: the party matches an entry on a restricted-party list that carries no specific EAR licence requirement: a red flag the exporter must resolve before export",
            "purchaser 'Buyer Trading Ltd.' matches 'LISTED NAME' on the Nonproliferation Sanctions (id isn-2, score 0.877): red flag: the party matches an entry on a restricted-party list that carries no specific EAR licence requirement: a red flag the exporter must resolve before export",
        ]
    );
    assert_eq!(
        d["screening"],
        json!([
            {"party": "purchaser", "match_id": "isn-1", "match_list": "Nonproliferation Sanctions", "score": 0.91, "match_name": "LISTED NAME"},
            {"party": "ultimate_consignee", "match_id": null, "match_list": null, "score": null},
            {"party": "end_user", "match_id": null, "match_list": null, "score": null},
        ])
    );
    s.hits = vec![hit(Role::UltimateConsignee, "SDN", "306", 0.87654)];
    let d = decide(bundled(), &o, &s);
    assert_eq!(d["verdict"], "prohibited");
    assert_eq!(d["screening"][1]["score"], json!(0.877));
    assert_eq!(
        said(&d, "ofac-sdn"),
        vec!["ultimate_consignee 'Consignee Logistics Ltd.' matches 'LISTED NAME' on the SDN (id 306, score 0.877): prohibited: the party is an OFAC Specially Designated National: no US person may deal with it"]
    );
}

/// Scenario 38's 3A090.b item: TPP 187.5 x 16 = 3,000, PD 3.0.
fn b_item_order(country: &str) -> Value {
    let mut o = order("2026-02-01", &[], country, country, all_certs());
    o["items"] = json!([{"quantity": 1000, "specs": {"name": "Acme B1", "vendor": "Acme",
        "dense_tops": {"fp16": 187.5}, "die_area_mm2": 1000, "dram_bandwidth_gbs": 1600,
        "datacenter": true, "us_available_from": "2024-01-01"}}]);
    o
}

#[test]
fn an_exception_names_itself_and_a_barred_one_cites_the_list_that_bars_it() {
    let d = decide(bundled(), &b_item_order("SA"), &screened());
    assert_eq!(d["verdict"], "license_exception");
    assert_eq!(
        d["licence_exception"],
        json!({"id": "740.8-aca", "name": "ACA",
               "citation": "15 CFR 740.8(b) (License Exception Advanced Computing Authorized)",
               "notification": null})
    );
    assert_eq!(
        said(&d, "740.8-aca"),
        vec!["Acme B1: licence exception ACA is available: 3A090.b datacenter items and non-datacenter 3A090.a items to D:1 and D:4 destinations that are not D:5 or Macau, without notification. No notification is required."]
    );
    assert_eq!(
        said(&d, "3a090-b1"),
        vec!["Acme B1: meets 3A090.b.1: TPP of 2,400 or more but below 4,800, and performance density of 1.6 or more but below 5.92"]
    );

    let d = decide(bundled(), &b_item_order("CN"), &screened());
    assert_eq!(d["licence_exception"]["name"], "NAC");
    assert_eq!(
        said(&d, "740.8-nac"),
        vec!["Acme B1: licence exception NAC is available: exports and reexports of 3A090.b datacenter items and non-datacenter 3A090.a items to D:5, Macau or D:5/Macau-headquartered entities after notifying BIS. Notification: Notify BIS at least 25 days before export (SNAP-R), with TPP, performance density and a datasheet; at most six items, one ultimate consignee and one end user, no distributors; BIS may require a licence instead."]
    );

    // A party on the Unverified List bars it; the reason cites the Unverified List's rule.
    for (list, rule) in [
        ("Unverified List", "744.15-unverified-list"),
        ("Nonproliferation Sanctions", "732-supp3-red-flags"),
    ] {
        let s = Screening {
            screened: true,
            hits: vec![hit(Role::EndUser, list, "x-1", 0.97)],
            list_versions: Default::default(),
            warnings: Vec::new(),
        };
        let d = decide(bundled(), &b_item_order("SA"), &s);
        assert_eq!(d["verdict"], "license_required", "{list}");
        assert_eq!(d["review_policy"], "presumption_of_approval", "{list}");
        assert!(d.get("licence_exception").is_none(), "{list}");
        assert_eq!(
            said(&d, rule).last().map(String::as_str),
            Some(format!("Acme B1: a licence exception would otherwise be available, but end_user 'User Cloud Co., Ltd.' on the {list} bars its use").as_str()),
            "{list}"
        );
        assert!(said(&d, "744.11-entity-list").is_empty(), "{list}");
    }
}

/// A pack that decides on numbers: licence requirements on TPP (`gt`) and DRAM bandwidth
/// (`le`), review policies on DRAM bandwidth (`eq`), interconnect (`ge`) and TPP (`lt`), an
/// obligation on performance density, a 25 % volume cap without a US-units certification, a
/// dormant rule, and no screening effects.
const NUMERIC: &str = r#"
[pack]
id = "2030-01-01"
effective = "2030-01-01"
title = "numeric"
federal_register = "none"
source = "tests"
summary = "a pack that decides on numbers"

[tpp]
rule = "tpp"
citation = "TPP note"
message = "TPP"

[[eccn]]
paragraph = "3A090.a"
eccn = "3A090.a"
rule = "para-a"
citation = "para a"
message = "TPP of 4,800 or more"
when = [{ fact = "tpp", ge = 4800 }]

[certifications]
rule = "certs"
citation = "certs cite"
message = "m"
required = ["us_commercially_available"]

[volume_cap]
rule = "cap"
citation = "cap cite"
message = "m"
ratio = "0.25"

[[licence_requirement]]
id = "fast"
citation = "req fast"
message = "chips with TPP above 10,000 need a licence"
when = [{ fact = "tpp", gt = 10000 }]

[[licence_requirement]]
id = "slow-memory"
citation = "req memory"
message = "chips with DRAM bandwidth of at most 2,100 GB/s need a licence"
when = [{ fact = "dram_bandwidth_gbs", le = 2100 }]

[[review_policy]]
id = "approve-4800"
policy = "presumption_of_approval"
applies_to = ["fast"]
citation = "policy approve"
message = "exactly 4,800 GB/s: approval"
explain_unmet = true
obligations = ["lab-test"]
when = [{ fact = "dram_bandwidth_gbs", eq = 4800 }]

[[review_policy]]
id = "deny-fast-interconnect"
policy = "presumption_of_denial"
applies_to = ["fast"]
citation = "policy deny"
message = "fast interconnect: denial"
when = [{ fact = "interconnect_gbs", ge = 900 }]

[[review_policy]]
id = "cbc-memory"
policy = "case_by_case"
applies_to = ["slow-memory"]
citation = "policy memory"
message = "slow memory below TPP 5,000 within the cap: case by case"
explain_unmet = true
when = [{ fact = "tpp", lt = 5000 }, { fact = "certifications_complete", is = true }, { fact = "within_volume_cap", is = true }]

[[review_policy]]
id = "deny-memory"
policy = "presumption_of_denial"
applies_to = ["slow-memory"]
citation = "policy memory denial"
message = "other slow memory: denial"
when = []

[[obligation]]
id = "lab-test"
rule = "lab-test-rule"
citation = "obligation cite"
message = "test in a lab"
when = [{ fact = "performance_density", ge = 19 }]

[[dormant_rule]]
id = "diffusion"
citation = "dormant cite"
message = "the diffusion rule"
why_not_enforced = "rescinded"
"#;

fn numeric() -> &'static Regulation {
    static R: std::sync::OnceLock<Regulation> = std::sync::OnceLock::new();
    R.get_or_init(|| {
        let mut s = Sources::bundled();
        s.packs = vec![("data/packs/2030-01-01.toml".to_string(), NUMERIC)];
        Regulation::load(&s).expect("the numeric pack loads")
    })
}

fn numeric_order(items: &[(&str, u64)], certs: Value) -> Value {
    order("2030-02-01", items, "DE", "DE", certs)
}

#[test]
fn a_pack_can_decide_on_numbers() {
    let r = numeric();
    let certs = json!({"us_commercially_available": true});
    // H200: TPP 15,832 > 10,000; DRAM 4,800 = 4,800: approval, with the lab test (PD 19.45 >= 19).
    let d = decide(
        r,
        &numeric_order(&[("nvidia-h200-sxm", 1)], certs.clone()),
        &screened(),
    );
    assert_eq!(
        (&d["verdict"], &d["review_policy"], &d["obligations"]),
        (
            &json!("license_required"),
            &json!("presumption_of_approval"),
            &json!(["lab-test"])
        )
    );
    assert_eq!(
        said(&d, "fast"),
        vec!["nvidia-h200-sxm (3A090.a) to DE for end user User Cloud Co., Ltd. (DE): licence required: chips with TPP above 10,000 need a licence"]
    );
    assert_eq!(
        said(&d, "lab-test-rule"),
        vec!["obligation lab-test: test in a lab"]
    );
    assert_eq!(
        said(&d, "diffusion"),
        vec!["not applied: the diffusion rule (rescinded)"]
    );
    // No screening effects in the pack: the clean record is cited to Part 744.
    let clean = d["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "screening")
        .expect("clean screening reason");
    assert_eq!(clean["citation"], "15 CFR Part 744");
    assert_eq!(
        clean["message"],
        "no party matches a restricted-party list (3 parties screened)"
    );

    // H100: DRAM 3,350: the approval path says why not; interconnect 900 >= 900: denial.
    let d = decide(
        r,
        &numeric_order(&[("nvidia-h100-sxm", 1)], certs.clone()),
        &screened(),
    );
    assert_eq!(d["review_policy"], "presumption_of_denial");
    assert_eq!(d["obligations"], json!([]));
    assert_eq!(
        said(&d, "approve-4800"),
        vec!["nvidia-h100-sxm: the presumption-of-approval path does not apply: dram_bandwidth_gbs = 4800 does not hold (dram_bandwidth_gbs is 3350)"]
    );

    // A fast chip with a slow interconnect: no policy of the pack covers it.
    let mut o = numeric_order(&[], certs.clone());
    o["items"] = json!([{"quantity": 1, "specs": {"name": "Fast Narrow", "dense_tops": {"int8": 2000},
        "die_area_mm2": 800, "dram_bandwidth_gbs": 3000, "interconnect_gbs": 400, "datacenter": true}}]);
    let d = decide(r, &o, &screened());
    assert_eq!(d["review_policy"], "presumption_of_denial");
    assert_eq!(
        said(&d, "fast"),
        vec![
            "Fast Narrow (3A090.a) to DE for end user User Cloud Co., Ltd. (DE): licence required: chips with TPP above 10,000 need a licence",
            "Fast Narrow: no review policy of this pack covers the fast requirement here, so it is treated as presumption of denial",
        ]
    );
    assert_eq!(
        said(&d, "tpp"),
        vec!["Fast Narrow: TPP is 16,000 = 2,000 dense TOPS at int8 x 8 bits, the highest over the precisions given"]
    );

    // An uncontrolled chip (TPP 2,368, DRAM 4,000 GB/s): no requirement, cited to the pack's
    // first one; no dormant rule named.
    let d = decide(r, &numeric_order(&[("nvidia-h20", 1)], certs), &screened());
    assert_eq!(d["verdict"], "no_license_required");
    assert_eq!(
        said(&d, "fast"),
        vec!["nvidia-h20: no licence required: the item is not 3A090/4A090 and no destination- or end-use-based requirement applies"]
    );
    assert!(said(&d, "diffusion").is_empty());
}

#[test]
fn a_pack_volume_cap_and_certifications_in_its_own_ratio() {
    let r = numeric();
    // A100: TPP 4,992 < 5,000, DRAM 2,039 <= 2,100.
    let a100 = |q: u64, certs: Value| {
        decide(
            r,
            &numeric_order(&[("nvidia-a100-sxm", q)], certs),
            &screened(),
        )
    };
    let d = a100(
        1000,
        json!({"us_commercially_available": true, "us_units_shipped": 4000}),
    );
    assert_eq!(d["review_policy"], "case_by_case", "{d:#}");
    let d = a100(
        1001,
        json!({"us_commercially_available": true, "us_units_shipped": 4000}),
    );
    assert_eq!(d["review_policy"], "presumption_of_denial");
    assert_eq!(
        said(&d, "cbc-memory"),
        vec!["nvidia-a100-sxm: the case-by-case path does not apply: within_volume_cap is false, the rule needs true"]
    );
    assert_eq!(
        said(&d, "cap"),
        vec!["nvidia-a100-sxm: 1,001 units to China and Macau (0 already shipped + 1,001 in this order) exceed the cap of 1,000 (0.25 x 4,000 US units) (counts as the order certifies them; no records database was given, or it holds no count for this item)"]
    );
    let d = a100(1, json!({"us_commercially_available": true}));
    assert_eq!(
        said(&d, "cap"),
        vec!["the US units shipped are not stated, so the 25 % volume cap cannot be shown to hold"]
    );
    assert!(said(&d, "certs").is_empty(), "this pack needs no US units");
    let d = a100(1, json!({"us_units_shipped": 4000}));
    assert_eq!(
        said(&d, "certs"),
        vec!["certifications not given: us_commercially_available"]
    );
    assert_eq!(
        said(&d, "cbc-memory"),
        vec!["nvidia-a100-sxm: the case-by-case path does not apply: certifications_complete is false, the rule needs true"]
    );
}

#[test]
fn a_comparison_names_the_rules_only_one_date_used() {
    let r = bundled();
    let o = order(
        "2026-02-01",
        &[("nvidia-h200-sxm", 10)],
        "CN",
        "CN",
        cap_certs(250000, 0),
    );
    let o = Order::from_value(&o, &r.catalog, &r.countries).unwrap();
    let s = screened();
    let d = |day: &str| NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
    let c = r.compare(&o, d("2025-06-01"), d("2026-02-01"), &s).unwrap();
    assert!(c.only_after.contains(&CBC.to_string()));
    assert!(!c.only_after.contains(&"742.6-a6-destination".to_string()));
    assert!(!c.only_before.contains(&"742.6-a6-destination".to_string()));
    assert!(c
        .only_before
        .contains(&"742.6-b10-d5-datacenter-a".to_string()));
    let ids = c.after.rule_ids();
    let unique: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), unique.len(), "each rule once: {ids:?}");
    let j = c.to_json();
    assert_eq!(j["changed"], true);
    assert_eq!(j["before"]["review_policy"], "presumption_of_denial");
    assert_eq!(j["after"]["review_policy"], "case_by_case");
    assert_eq!(j["order"], "PO-R");
}

#[test]
fn a_blank_licence_requirement_on_an_entry_counts_as_none_stated() {
    let o = order("2026-02-01", &[("nvidia-l20", 10)], "DE", "DE", all_certs());
    let s = Screening {
        screened: true,
        hits: vec![hit(Role::EndUser, "Entity List", "el-9", 1.0).with_license_requirement("  ")],
        list_versions: Default::default(),
        warnings: Vec::new(),
    };
    let d = decide(bundled(), &o, &s);
    assert_eq!(d["verdict"], "license_required");
    let msg = &said(&d, "744.11-entity-list")[0];
    assert!(
        msg.contains("; the entry states no licence requirement, so every item subject to the EAR is taken to need one;"),
        "{msg}"
    );
    assert!(
        !msg.contains("the entry's licence requirement: \""),
        "{msg}"
    );
}
