//! Entity List and Military End-User List hits carry the entry's licence requirement, review
//! policy and footnotes into the decision (issue 10). The expected sentences are written out in
//! full: a reworded reason must fail here.

use serde_json::Value;
use tollgate_core::order::Role;
use tollgate_core::{NaiveDate, Order, PartyHit, Regulation, Screening};

const HUAWEI: &str = "Huawei Technologies Co., Ltd.";
const SMIC: &str = "Semiconductor Manufacturing International Corporation";
const ALL_ITEMS: &str = "For all items subject to the EAR.";
/// SMIC's entry (85 FR 83420): a denial clause whose scope is prose, and case-by-case for the rest.
const SMIC_POLICY: &str = "Presumption of denial for items uniquely required to produce semiconductors at advanced technology nodes 10 nanometers and below, including extreme ultraviolet technology; case-by-case review for all other items.";

fn reg() -> &'static Regulation {
    static R: std::sync::OnceLock<Regulation> = std::sync::OnceLock::new();
    R.get_or_init(|| Regulation::bundled().expect("bundled data"))
}

fn order_text(chips: &[&str], country: &str, name: &str) -> String {
    let items: Vec<String> = chips
        .iter()
        .map(|c| {
            format!(
                r#"{{"chip":"{c}","quantity":1000,"unit_price":{{"amount":"31000.00","currency":"USD"}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"id":"PO-EL","date":"2026-02-01","exporter":"nvidia","transaction":"export","ship_from":"US",
        "items":[{}],
        "parties":{{"purchaser":{{"name":"{name}","country":"{country}"}},
          "ultimate_consignee":{{"name":"{name}","country":"{country}"}},
          "end_user":{{"name":"{name}","country":"{country}","headquarters":"{country}","parent_headquarters":"{country}"}},
          "intermediate_consignees":[]}},
        "end_use":{{"description":"commercial cloud inference","military":false}},
        "certifications":{{"us_commercially_available":true,"us_supply_sufficient":true,"no_foundry_diversion":true,
          "kyc_remote_access_safeguards":true,"third_party_testing":true,"us_units_shipped":250000}}}}"#,
        items.join(",")
    )
}

fn decide_on(chips: &[&str], country: &str, name: &str, as_of: &str, hits: Vec<PartyHit>) -> Value {
    let r = reg();
    let o = Order::from_json(&order_text(chips, country, name), &r.catalog, &r.countries)
        .expect("valid order");
    let s = Screening {
        screened: true,
        hits,
        list_versions: Default::default(),
        warnings: Vec::new(),
    };
    let d = r
        .decide(&o, Some(as_of.parse::<NaiveDate>().unwrap()), &s)
        .expect("decides")
        .to_json();
    for reason in d["reasons"].as_array().unwrap() {
        assert!(
            reason["rule"].as_str().is_some_and(|x| !x.is_empty())
                && reason["citation"].as_str().is_some_and(|x| !x.is_empty()),
            "every reason keeps a rule id and a citation: {reason}"
        );
    }
    d
}

fn decide(chip: &str, country: &str, name: &str, hits: Vec<PartyHit>) -> Value {
    decide_on(&[chip], country, name, "2026-02-01", hits)
}

fn el(name: &str) -> PartyHit {
    PartyHit::new(Role::EndUser, "Entity List", "el-1", name, 1.0)
}

/// The one reason citing `rule`, with its citation.
fn reason(d: &Value, rule: &str) -> (String, String) {
    let found: Vec<&Value> = d["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"] == rule)
        .collect();
    assert_eq!(found.len(), 1, "one reason for {rule}: {d:#}");
    (
        found[0]["citation"].as_str().unwrap().to_string(),
        found[0]["message"].as_str().unwrap().to_string(),
    )
}

const EL_CITATION: &str = "15 CFR 744.11; 15 CFR Part 744, Supp. No. 4";

#[test]
fn an_entry_with_a_csl_review_policy_is_reviewed_under_it_and_wins_over_the_2026_case_by_case_path()
{
    // Without the listing the order takes the 2026 case-by-case path with its obligations.
    let d = decide("nvidia-h200-sxm", "CN", HUAWEI, vec![]);
    assert_eq!(d["review_policy"], "case_by_case");
    let d = decide(
        "nvidia-h200-sxm",
        "CN",
        HUAWEI,
        vec![el(HUAWEI)
            .with_license_requirement(ALL_ITEMS)
            .with_license_policy("Presumption of denial.")],
    );
    assert_eq!(d["verdict"], "license_required");
    assert_eq!(d["review_policy"], "presumption_of_denial");
    assert_eq!(d["items"][0]["verdict"], "license_required");
    assert_eq!(d["items"][0]["review_policy"], "presumption_of_denial");
    assert_eq!(d["obligations"], serde_json::json!([]));
    let (cite, msg) = reason(&d, "744.11-entity-list");
    assert_eq!(cite, EL_CITATION);
    assert_eq!(
        msg,
        "end_user 'Huawei Technologies Co., Ltd.' matches 'Huawei Technologies Co., Ltd.' on the \
         Entity List (id el-1, score 1.000): licence required, presumption_of_denial: the party is \
         on the Entity List: a licence is required for the items its entry's licence requirement \
         names, reviewed under the entry's review policy, or with a presumption of denial where \
         the entry states none; the entry's licence requirement: \"For all items subject to the \
         EAR.\"; review policy: presumption of denial, as the entry states: \"Presumption of \
         denial.\""
    );
}

#[test]
fn an_entry_without_a_review_policy_takes_the_packs_and_says_so() {
    let d = decide(
        "nvidia-h200-sxm",
        "CN",
        HUAWEI,
        vec![el(HUAWEI).with_license_requirement(ALL_ITEMS)],
    );
    assert_eq!(d["verdict"], "license_required");
    assert_eq!(d["review_policy"], "presumption_of_denial");
    assert_eq!(d["obligations"], serde_json::json!([]));
    let (cite, msg) = reason(&d, "744.11-entity-list");
    assert_eq!(cite, EL_CITATION);
    assert_eq!(
        msg,
        "end_user 'Huawei Technologies Co., Ltd.' matches 'Huawei Technologies Co., Ltd.' on the \
         Entity List (id el-1, score 1.000): licence required, presumption_of_denial: the party is \
         on the Entity List: a licence is required for the items its entry's licence requirement \
         names, reviewed under the entry's review policy, or with a presumption of denial where \
         the entry states none; the entry's licence requirement: \"For all items subject to the \
         EAR.\"; the list entry states no review policy; presumption of denial assumed (the eCFR \
         extract carries the licence requirement only)"
    );
}

#[test]
fn an_entry_without_a_licence_requirement_or_policy_says_both_are_assumed() {
    let d = decide("nvidia-h200-sxm", "CN", HUAWEI, vec![el(HUAWEI)]);
    assert_eq!(d["review_policy"], "presumption_of_denial");
    let (_, msg) = reason(&d, "744.11-entity-list");
    assert!(
        msg.ends_with(
            " where the entry states none; the entry states no licence requirement, so every item \
             subject to the EAR is taken to need one; the list entry states no review policy; \
             presumption of denial assumed (the eCFR extract carries the licence requirement only)"
        ),
        "{msg}"
    );
}

#[test]
fn footnote_markers_are_named_with_their_foreign_direct_product_rules() {
    let d = decide(
        "nvidia-h200-sxm",
        "CN",
        HUAWEI,
        vec![el(HUAWEI)
            .with_license_requirement(ALL_ITEMS)
            .with_footnotes(["1", "4", "5"])],
    );
    assert_eq!(d["verdict"], "license_required");
    assert_eq!(d["review_policy"], "presumption_of_denial");
    let (cite, msg) = reason(&d, "744.11-entity-list");
    assert_eq!(cite, EL_CITATION);
    assert_eq!(
        msg,
        "end_user 'Huawei Technologies Co., Ltd.' matches 'Huawei Technologies Co., Ltd.' on the \
         Entity List (id el-1, score 1.000): licence required, presumption_of_denial: the party is \
         on the Entity List: a licence is required for the items its entry's licence requirement \
         names, reviewed under the entry's review policy, or with a presumption of denial where \
         the entry states none; the entry's licence requirement: \"For all items subject to the \
         EAR.\"; footnote 1: Entity List foreign direct product rule: foreign-produced direct \
         products of specified US technology or software are subject to the EAR when this entity \
         is a party or the item is for a part, component or equipment it produces, purchases or \
         orders (15 CFR 734.9(e)(1); 15 CFR 744.11(a)(2)); footnote 4: Entity List foreign direct \
         product rule: foreign-produced direct products of specified US technology or software \
         are subject to the EAR when this entity is a party or the item is for its development or \
         production of a part, component or equipment (15 CFR 734.9(e)(2); 15 CFR 744.11(a)(2)); \
         footnote 5: Entity List foreign direct product rule for semiconductor manufacturing \
         items: foreign-produced items of the specified Category 3 ECCNs made with US technology \
         or software are subject to the EAR when this entity is a party (15 CFR 734.9(e)(3); 15 \
         CFR 744.11(a)(2)); the list entry states no review policy; presumption of denial assumed \
         (the eCFR extract carries the licence requirement only)"
    );
}

#[test]
fn a_footnote_the_pack_does_not_describe_is_named_as_such() {
    // Footnote 5 dates from December 2024: the pack in force in mid-2024 does not know it.
    let hit = el(HUAWEI)
        .with_license_requirement(ALL_ITEMS)
        .with_license_policy("Presumption of denial.")
        .with_footnotes(["5"]);
    let d = decide_on(
        &["nvidia-h200-sxm"],
        "CN",
        HUAWEI,
        "2024-06-01",
        vec![hit.clone()],
    );
    assert_eq!(d["regulation"], "2024-04-04");
    let (_, msg) = reason(&d, "744.11-entity-list");
    assert!(
        msg.ends_with(
            "; the entry's licence requirement: \"For all items subject to the EAR.\"; footnote 5: \
             not described in regulation pack 2024-04-04; review policy: presumption of denial, as \
             the entry states: \"Presumption of denial.\""
        ),
        "{msg}"
    );
    let d = decide_on(&["nvidia-h200-sxm"], "CN", HUAWEI, "2024-12-20", vec![hit]);
    assert_eq!(d["regulation"], "2024-12-02");
    let (_, msg) = reason(&d, "744.11-entity-list");
    assert!(msg.contains("; footnote 5: Entity List foreign direct product rule for semiconductor manufacturing items: "), "{msg}");
}

#[test]
fn a_mixed_policy_whose_clauses_cannot_be_told_apart_takes_the_most_restrictive() {
    let d = decide(
        "nvidia-h200-sxm",
        "CN",
        SMIC,
        vec![el(SMIC)
            .with_license_requirement(ALL_ITEMS)
            .with_license_policy(SMIC_POLICY)],
    );
    assert_eq!(d["verdict"], "license_required");
    assert_eq!(d["review_policy"], "presumption_of_denial");
    let (_, msg) = reason(&d, "744.11-entity-list");
    assert!(
        msg.ends_with(
            "; the entry's licence requirement: \"For all items subject to the EAR.\"; review \
             policy: presumption of denial, the most restrictive the entry states (which clause \
             covers the items cannot be told): \"Presumption of denial for items uniquely required \
             to produce semiconductors at advanced technology nodes 10 nanometers and below, \
             including extreme ultraviolet technology; case-by-case review for all other items.\""
        ),
        "{msg}"
    );
}

#[test]
fn a_clause_naming_the_items_eccn_sets_its_policy() {
    let text = "Case-by-case review for ECCNs 3A090 and 4A090; policy of denial for all other items subject to the EAR.";
    let hit = || {
        el("Listed Rechenzentrum GmbH")
            .with_license_requirement(ALL_ITEMS)
            .with_license_policy(text)
    };
    // Germany: no licence for the H200 itself, so the entry alone decides.
    let d = decide(
        "nvidia-h200-sxm",
        "DE",
        "Listed Rechenzentrum GmbH",
        vec![hit()],
    );
    assert_eq!(d["verdict"], "license_required");
    assert_eq!(d["review_policy"], "case_by_case");
    assert_eq!(d["items"][0]["verdict"], "license_required");
    let (_, msg) = reason(&d, "744.11-entity-list");
    assert!(
        msg.contains(
            ": licence required, case_by_case: the party is on the Entity List: "
        ) && msg.ends_with(
            "; review policy: case-by-case review, from the clause of the entry's policy naming \
             3A090.a items: \"Case-by-case review for ECCNs 3A090 and 4A090; policy of denial for \
             all other items subject to the EAR.\""
        ),
        "{msg}"
    );
    // An item outside 3A090/4A090 takes the most restrictive, and so does an order holding one.
    for chips in [&["nvidia-l20"][..], &["nvidia-h200-sxm", "nvidia-l20"][..]] {
        let d = decide_on(
            chips,
            "DE",
            "Listed Rechenzentrum GmbH",
            "2026-02-01",
            vec![hit()],
        );
        assert_eq!(d["review_policy"], "policy_of_denial", "{chips:?}");
        let (_, msg) = reason(&d, "744.11-entity-list");
        assert!(
            msg.contains(": licence required, policy_of_denial: ")
                && msg.ends_with(
                    "; review policy: policy of denial, the most restrictive the entry states \
                     (which clause covers the items cannot be told): \"Case-by-case review for \
                     ECCNs 3A090 and 4A090; policy of denial for all other items subject to the \
                     EAR.\""
                ),
            "{msg}"
        );
    }
}

#[test]
fn policy_of_denial_and_unrecognised_texts() {
    let d = decide(
        "nvidia-h200-sxm",
        "CN",
        HUAWEI,
        vec![el(HUAWEI)
            .with_license_requirement(ALL_ITEMS)
            .with_license_policy("Policy of denial.")],
    );
    assert_eq!(d["review_policy"], "policy_of_denial");
    let (_, msg) = reason(&d, "744.11-entity-list");
    assert!(
        msg.contains(": licence required, policy_of_denial: ")
            && msg.ends_with(
                "; review policy: policy of denial, as the entry states: \"Policy of denial.\""
            ),
        "{msg}"
    );
    let d = decide(
        "nvidia-h200-sxm",
        "CN",
        HUAWEI,
        vec![el(HUAWEI)
            .with_license_requirement(ALL_ITEMS)
            .with_license_policy("See § 744.2(d) of the EAR.")],
    );
    assert_eq!(d["review_policy"], "presumption_of_denial");
    let (_, msg) = reason(&d, "744.11-entity-list");
    assert!(
        msg.ends_with(
            "; the entry's review policy \"See § 744.2(d) of the EAR.\" names none of the EAR's \
             review policies; presumption of denial assumed"
        ),
        "{msg}"
    );
}

#[test]
fn a_military_end_user_list_entry_is_read_the_same_way() {
    let hit = PartyHit::new(
        Role::EndUser,
        "Military End User List",
        "meu-1",
        HUAWEI,
        0.97,
    )
    .with_license_requirement(
        "For all items subject to the EAR listed in Supplement No. 2 to part 744.",
    )
    .with_license_policy("Presumption of denial.");
    let d = decide("nvidia-h200-sxm", "CN", HUAWEI, vec![hit]);
    assert_eq!(d["verdict"], "license_required");
    assert_eq!(d["review_policy"], "presumption_of_denial");
    let (cite, msg) = reason(&d, "744.21-meu-list");
    assert_eq!(cite, "15 CFR 744.21; 15 CFR Part 744, Supp. No. 7");
    assert_eq!(
        msg,
        "end_user 'Huawei Technologies Co., Ltd.' matches 'Huawei Technologies Co., Ltd.' on the \
         Military End User List (id meu-1, score 0.970): licence required, presumption_of_denial: \
         the party is on the Military End-User List: a licence is required, reviewed under the \
         entry's review policy where it states one, else with a presumption of denial (744.21(e)); \
         the entry's licence requirement: \"For all items subject to the EAR listed in Supplement \
         No. 2 to part 744.\"; review policy: presumption of denial, as the entry states: \
         \"Presumption of denial.\""
    );
}

/// An Entity-Listed party in China whose entry states a denial policy, a mixed one or none is
/// never reviewed case by case, whatever the chip or date (the 2026 path included).
#[test]
fn a_listed_chinese_party_is_never_case_by_case() {
    let r = reg();
    let chips: Vec<String> = r
        .catalog
        .chips()
        .iter()
        .filter(|c| !c.specs.dense_tops.is_empty())
        .map(|c| c.id.clone())
        .collect();
    let policies = [
        None,
        Some("Presumption of denial."),
        Some(SMIC_POLICY),
        Some("Policy of denial."),
    ];
    for chip in &chips {
        for as_of in ["2026-01-15", "2026-02-01", "2026-06-30"] {
            for p in policies {
                let mut hit = el(HUAWEI).with_license_requirement(ALL_ITEMS);
                hit.license_policy = p.map(str::to_string);
                let d = decide_on(&[chip.as_str()], "CN", HUAWEI, as_of, vec![hit]);
                assert_eq!(d["verdict"], "license_required", "{chip} {as_of} {p:?}");
                assert!(
                    d["review_policy"] == "presumption_of_denial"
                        || d["review_policy"] == "policy_of_denial",
                    "{chip} {as_of} {p:?}: {}",
                    d["review_policy"]
                );
                assert_eq!(
                    d["obligations"],
                    serde_json::json!([]),
                    "{chip} {as_of} {p:?}"
                );
                for it in d["items"].as_array().unwrap() {
                    assert_ne!(it["review_policy"], "case_by_case", "{chip} {as_of} {p:?}");
                }
            }
        }
    }
}

#[test]
fn a_footnote_described_twice_or_without_a_citation_is_refused_naming_the_key() {
    let good = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/packs/2025-05-13.toml"
    ))
    .unwrap();
    let bad = good.replacen("marker = \"4\"", "marker = \"1\"", 1);
    let e = tollgate_core::Pack::from_toml("data/packs/2025-05-13.toml", &bad).unwrap_err();
    assert_eq!(e.key, "screening_effect[2].footnote[2].marker");
    assert_eq!(e.problem, "footnote '1' is described twice");
    let bad = good.replacen(
        "citation = \"15 CFR 734.9(g); 15 CFR 744.21\"",
        "citation = \" \"",
        1,
    );
    let e = tollgate_core::Pack::from_toml("data/packs/2025-05-13.toml", &bad).unwrap_err();
    assert_eq!(e.key, "screening_effect[2].footnote[1]");
    assert_eq!(e.problem, "a footnote needs a citation and a message");
    let bad = good.replacen("marker = \"5\"", "marker = \"\"", 1);
    let e = tollgate_core::Pack::from_toml("data/packs/2025-05-13.toml", &bad).unwrap_err();
    assert_eq!(e.key, "screening_effect[2].footnote[3].marker");
}

/// Between the packs of mid-2024 and 2026 the Entity List effect changed: footnote 5 came in
/// December 2024, and `regs diff` shows it.
#[test]
fn regs_diff_shows_footnote_5_arriving() {
    let r = reg();
    let diff = r
        .packs
        .diff("2024-06-01".parse().unwrap(), "2025-01-01".parse().unwrap())
        .unwrap();
    let e = diff
        .entries
        .iter()
        .find(|e| e.kind == "screening_effect" && e.id == "Entity List")
        .expect("the Entity List effect changed");
    assert_eq!(
        e.before.as_ref().unwrap()["footnote"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(e.after.as_ref().unwrap()["footnote"][3]["marker"], "5");
}

/// When the items' readings are equally strict, the first item's reading is the one named.
#[test]
fn equally_strict_readings_name_the_first_items() {
    let text =
        "Policy of denial for ECCNs 3A090 and 4A090; presumption of denial for all other items.";
    let hit = el("Listed Rechenzentrum GmbH")
        .with_license_requirement(ALL_ITEMS)
        .with_license_policy(text);
    let d = decide_on(
        &["nvidia-h200-sxm", "nvidia-l20"],
        "DE",
        "Listed Rechenzentrum GmbH",
        "2026-02-01",
        vec![hit.clone()],
    );
    assert_eq!(d["review_policy"], "policy_of_denial");
    assert_eq!(d["items"][1]["review_policy"], "policy_of_denial");
    let (_, msg) = reason(&d, "744.11-entity-list");
    assert!(
        msg.ends_with(
            "; review policy: policy of denial, from the clause of the entry's policy naming \
             3A090.a items: \"Policy of denial for ECCNs 3A090 and 4A090; presumption of denial \
             for all other items.\""
        ),
        "{msg}"
    );
    let d = decide_on(
        &["nvidia-l20", "nvidia-h200-sxm"],
        "DE",
        "Listed Rechenzentrum GmbH",
        "2026-02-01",
        vec![hit],
    );
    let (_, msg) = reason(&d, "744.11-entity-list");
    assert!(
        msg.ends_with(
            "; review policy: policy of denial, the most restrictive the entry states (which \
             clause covers the items cannot be told): \"Policy of denial for ECCNs 3A090 and \
             4A090; presumption of denial for all other items.\""
        ),
        "{msg}"
    );
}
