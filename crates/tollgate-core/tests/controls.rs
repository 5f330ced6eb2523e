//! The words of the controls of December 2026, written out in full: ownership findings (listed,
//! deemed listed through a majority-owned holding, below the threshold, unknown), the warnings,
//! an inline item on the exporter's certification, an item without figures.

use serde_json::{json, Value};
use tollgate_core::{NaiveDate, Order, PartyHit, Regulation, Screening};

fn reg() -> &'static Regulation {
    static R: std::sync::OnceLock<Regulation> = std::sync::OnceLock::new();
    R.get_or_init(|| Regulation::bundled().expect("bundled data loads"))
}

fn certs() -> Value {
    json!({"us_commercially_available": true, "us_supply_sufficient": true,
           "no_foundry_diversion": true, "kyc_remote_access_safeguards": true,
           "third_party_testing": true, "no_part744_end_use": true, "us_units_shipped": 250000})
}

fn order(date: &str, item: Value, uc: Value, eu: Value, certs: Value) -> Value {
    json!({"id": "PO-C", "date": date, "exporter": "nvidia", "items": [item],
           "parties": {"ultimate_consignee": uc, "end_user": eu}, "certifications": certs})
}

/// Decides with hits given as (party path, list, id, name).
fn decide(o: &Value, hits: &[(&str, &str, &str, &str)]) -> Value {
    let r = reg();
    let o = Order::from_value(o, &r.catalog, &r.countries).expect("valid order");
    let roles = o.parties.all_with_owners();
    let hits = hits
        .iter()
        .map(|(path, list, id, name)| {
            let role = roles
                .iter()
                .find(|(r, _)| r.label() == *path)
                .map(|(r, _)| *r)
                .unwrap_or_else(|| panic!("no party {path}"));
            PartyHit::new(role, *list, *id, *name, 0.95)
        })
        .collect();
    let s = Screening {
        screened: true,
        hits,
        ..Default::default()
    };
    let as_of: NaiveDate = o.date;
    r.decide(&o, Some(as_of), &s).expect("decides").to_json()
}

fn said<'a>(d: &'a Value, rule: &str) -> Vec<&'a str> {
    d["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"] == rule)
        .map(|r| r["message"].as_str().unwrap())
        .collect()
}

fn warnings(d: &Value) -> Vec<(String, String)> {
    d["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["code"].as_str().unwrap().to_string(),
                w["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const AFF_CITE: &str = "15 CFR 744.11(a)(1) and 744.21 as amended by 90 FR 47201 (FR Doc 2025-19001); 15 CFR Part 732, Supp. No. 3, Red Flag 29";
const AFF_MSG: &str = "a foreign entity owned 50 % or more, directly or indirectly, individually or in the aggregate, by parties on the Entity List, the Military End-User List or the SDN programmes of 744.8(a)(1) takes their licence requirement and the most restrictive review policy among them";

fn party(name: &str, country: &str) -> Value {
    json!({"name": name, "country": country})
}

#[test]
fn a_party_owned_through_a_majority_owned_holding_names_the_whole_path() {
    let mut eu = party("Penang Compute", "MY");
    eu["owners"] = json!([
        {"name": "Holding A", "country": "HK", "percent": "30",
         "owners": [{"name": "Huawei", "country": "CN", "percent": "50"},
                    {"name": "Fund Z", "country": "SG", "percent": "50"}]},
        {"name": "SMIC", "country": "CN", "percent": "20.5"},
        {"name": "Holding B", "country": "HK", "percent": "40",
         "owners": [{"name": "Huawei", "country": "CN", "percent": "49.9"}]}
    ]);
    let o = order(
        "2026-11-20",
        json!({"chip": "nvidia-h200-sxm", "quantity": 10}),
        party("Penang Compute", "MY"),
        eu,
        certs(),
    );
    let d = decide(
        &o,
        &[
            (
                "end_user.owners[0].owners[0]",
                "Entity List",
                "el-1",
                "HUAWEI",
            ),
            ("end_user.owners[1]", "Entity List", "el-2", "SMIC"),
            (
                "end_user.owners[2].owners[0]",
                "Entity List",
                "el-1",
                "HUAWEI",
            ),
        ],
    );
    assert_eq!(d["verdict"], "license_required");
    assert_eq!(d["review_policy"], "presumption_of_denial");
    let r: Vec<&Value> = d["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"] == "744.11-a1-affiliates")
        .collect();
    assert_eq!(r.len(), 1, "{d:#}");
    assert_eq!(r[0]["citation"], AFF_CITE);
    // Holding B is only 49.9 % Huawei-owned: it does not count, so 30 + 20.5 = 50.5 %.
    assert_eq!(
        r[0]["message"],
        format!(
            "end_user 'Penang Compute' is 50.5 % owned, directly or indirectly, by parties on the Entity List, Military End User List, SDN: \
             'Holding A' (end_user.owners[0], 30 %), itself 50 % owned by listed parties: 'Huawei' (end_user.owners[0].owners[0], 50 %) on the Entity List as 'HUAWEI' (id el-1); \
             'SMIC' (end_user.owners[1], 20.5 %) on the Entity List as 'SMIC' (id el-2); \
             at or above 50 % it takes their restrictions: licence required, presumption_of_denial: {AFF_MSG}"
        )
    );
    // Huawei's 49.9 % of Holding B does not count toward the share, but is not passed over.
    let flags: Vec<(String, String)> = warnings(&d)
        .into_iter()
        .filter(|(c, _)| c != "contested_rule")
        .collect();
    assert_eq!(
        flags,
        vec![(
            "affiliate_red_flag".to_string(),
            "owner 'Huawei' (end_user.owners[2].owners[0], 49.9 %) matches 'HUAWEI' on the Entity List (id el-1, score 0.950): a restricted party in the ownership chain is a red flag to resolve before export (15 CFR Part 732, Supp. No. 3)".to_string()
        )]
    );
}

#[test]
fn below_the_threshold_and_unknown_ownership_are_red_flags_in_words() {
    let mut eu = party("Penang Compute", "MY");
    eu["owners"] = json!([{"name": "Huawei", "country": "CN", "percent": "29.99"},
                          {"name": "SMIC", "country": "CN", "percent": "20"}]);
    let mut uc = party("Penang Logistics", "MY");
    uc["owners"] = json!([{"name": "Blocked Co", "country": "RU", "percent": "10"}]);
    let o = order(
        "2026-11-20",
        json!({"chip": "nvidia-h200-sxm", "quantity": 10}),
        uc,
        eu,
        certs(),
    );
    let d = decide(
        &o,
        &[
            ("ultimate_consignee.owners[0]", "SDN", "sdn-1", "BLOCKED CO"),
            ("end_user.owners[0]", "Entity List", "el-1", "HUAWEI"),
            ("end_user.owners[1]", "Unverified List", "uvl-1", "SMIC"),
        ],
    );
    assert_eq!(d["verdict"], "no_license_required");
    assert!(said(&d, "744.11-a1-affiliates").is_empty());
    // Each party's own listed owners, on the rule's lists only (the UVL hit is a warning of its
    // own); 10 % SDN ownership blocks nothing under OFAC's rule either.
    let w = warnings(&d);
    assert_eq!(
        w[0],
        (
            "affiliate_red_flag".to_string(),
            format!(
                "ultimate_consignee 'Penang Logistics': owner 'Blocked Co' (ultimate_consignee.owners[0], 10 %) matches 'BLOCKED CO' on the SDN (id sdn-1); \
                 listed parties hold 10 % of it, directly or through entities they own 50 % or more of; \
                 below the Affiliates rule's 50 %, but Red Flag 29 requires looking into the ownership before export (744.11-a1-affiliates; {AFF_CITE})"
            )
        )
    );
    assert_eq!(
        w[1],
        (
            "affiliate_red_flag".to_string(),
            format!(
                "end_user 'Penang Compute': owner 'Huawei' (end_user.owners[0], 29.99 %) matches 'HUAWEI' on the Entity List (id el-1); \
                 listed parties hold 29.99 % of it, directly or through entities they own 50 % or more of; \
                 below the Affiliates rule's 50 %, but Red Flag 29 requires looking into the ownership before export (744.11-a1-affiliates; {AFF_CITE})"
            )
        )
    );
    assert_eq!(
        w[2].1,
        "owner 'SMIC' (end_user.owners[1], 20 %) matches 'SMIC' on the Unverified List (id uvl-1, score 0.950): a restricted party in the ownership chain is a red flag to resolve before export (15 CFR Part 732, Supp. No. 3)"
    );
    // Two listed owners of one party below the threshold are named one after the other.
    let mut eu = party("Penang Compute", "MY");
    eu["owners"] = json!([{"name": "Huawei", "country": "CN", "percent": "29.99"},
                          {"name": "SMIC", "country": "CN", "percent": "20"}]);
    let o = order(
        "2026-11-20",
        json!({"chip": "nvidia-h200-sxm", "quantity": 10}),
        party("Penang Compute", "MY"),
        eu,
        certs(),
    );
    let d = decide(
        &o,
        &[
            ("end_user.owners[0]", "Entity List", "el-1", "HUAWEI"),
            ("end_user.owners[1]", "Entity List", "el-2", "SMIC"),
        ],
    );
    assert_eq!(d["verdict"], "no_license_required", "49.99 % is below 50 %");
    assert!(warnings(&d)[0].1.starts_with(
        "end_user 'Penang Compute': owner 'Huawei' (end_user.owners[0], 29.99 %) matches 'HUAWEI' on the Entity List (id el-1); \
         owner 'SMIC' (end_user.owners[1], 20 %) matches 'SMIC' on the Entity List (id el-2); listed parties hold 49.99 % of it"
    ), "{d:#}");
    // Two different entities in China without owners: one warning each; the same entity in two
    // roles: one.
    let o = order(
        "2026-11-20",
        json!({"chip": "nvidia-h200-sxm", "quantity": 10}),
        party("Consignee Logistics", "CN"),
        party("User Cloud", "CN"),
        certs(),
    );
    let flags: Vec<String> = warnings(&decide(&o, &[]))
        .into_iter()
        .filter(|(c, _)| c == "affiliate_red_flag")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(
        flags,
        vec![
            format!("ultimate_consignee 'Consignee Logistics' (CN) states no owners: 744.11-a1-affiliates applies to entities 50 % or more owned by listed parties, so its ownership must be known before export; give `owners` (744.11-a1-affiliates; {AFF_CITE})"),
            format!("end_user 'User Cloud' (CN) states no owners: 744.11-a1-affiliates applies to entities 50 % or more owned by listed parties, so its ownership must be known before export; give `owners` (744.11-a1-affiliates; {AFF_CITE})"),
        ]
    );
    let o = order(
        "2026-11-20",
        json!({"chip": "nvidia-h200-sxm", "quantity": 10}),
        party("User Cloud", "CN"),
        party("User Cloud", "CN"),
        certs(),
    );
    let n = warnings(&decide(&o, &[]))
        .iter()
        .filter(|(c, _)| c == "affiliate_red_flag")
        .count();
    assert_eq!(n, 1);
    // Hong Kong counts as China.
    let o = order(
        "2026-11-20",
        json!({"chip": "nvidia-h200-sxm", "quantity": 10}),
        party("HK Cloud", "HK"),
        party("HK Cloud", "HK"),
        certs(),
    );
    assert!(warnings(&decide(&o, &[]))
        .iter()
        .any(|(c, m)| c == "affiliate_red_flag"
            && m.starts_with("ultimate_consignee 'HK Cloud' (HK) states no owners")));
    // During the suspension no ownership is asked for.
    let o = order(
        "2026-06-01",
        json!({"chip": "nvidia-h200-sxm", "quantity": 10}),
        party("User Cloud", "CN"),
        party("User Cloud", "CN"),
        certs(),
    );
    assert!(warnings(&decide(&o, &[]))
        .iter()
        .all(|(c, _)| c != "affiliate_red_flag"));
}

#[test]
fn an_owner_on_a_list_no_ownership_rule_covers_is_named_in_a_warning() {
    let mut eu = party("Frankfurt GmbH", "DE");
    eu["owners"] = json!([{"name": "Some Fund", "country": "KY", "percent": "10"}]);
    let o = order(
        "2026-02-01",
        json!({"chip": "nvidia-h200-sxm", "quantity": 10}),
        party("Frankfurt GmbH", "DE"),
        eu,
        certs(),
    );
    let d = decide(
        &o,
        &[(
            "end_user.owners[0]",
            "Nonproliferation Sanctions",
            "isn-1",
            "SOME FUND",
        )],
    );
    assert_eq!(d["verdict"], "no_license_required");
    assert_eq!(
        warnings(&d),
        vec![(
            "affiliate_red_flag".to_string(),
            "owner 'Some Fund' (end_user.owners[0], 10 %) matches 'SOME FUND' on the Nonproliferation Sanctions (id isn-1, score 0.950): a restricted party in the ownership chain is a red flag to resolve before export (15 CFR Part 732, Supp. No. 3)".to_string()
        )]
    );
}

#[test]
fn an_inline_item_is_an_ai_commodity_on_the_certification_only_when_its_figures_qualify() {
    let a = json!({"specs": {"name": "Acme A1", "vendor": "Acme", "dense_tops": {"fp8": 1500},
        "die_area_mm2": 800, "dram_bandwidth_gbs": 3000, "interconnect_gbs": 400, "datacenter": true},
        "quantity": 10});
    let cn = || party("User Cloud", "CN");
    let d = decide(&order("2026-02-01", a.clone(), cn(), cn(), certs()), &[]);
    let ai = said(&d, "748-supp2-dd1-performance");
    assert_eq!(
        ai,
        vec!["Acme A1: is an AI commodity on the exporter's certification of US commercial availability (the specs give no US availability date): advanced computing commodity with TPP below 21,000 and total DRAM bandwidth below 6,500 GB/s, commercially available in the US on 2026-01-15"]
    );
    // Only that sentence changes: the TPP sentence is the classifier's own.
    assert_eq!(
        said(&d, "3a090-tn-tpp"),
        vec!["Acme A1: TPP is 12,000 = 1,500 dense TOPS at fp8 x 8 bits, the highest over the precisions given"]
    );
    assert_eq!(d["review_policy"], "case_by_case");
    // Figures above the 2026 criteria: the certification does not make it an AI commodity.
    let mut big = a.clone();
    big["specs"]["dense_tops"] = json!({"fp8": 3000});
    let d = decide(&order("2026-02-01", big, cn(), cn(), certs()), &[]);
    assert_eq!(
        said(&d, "748-supp2-dd1-performance"),
        vec!["Acme A1: is not an AI commodity: tpp < 21000 does not hold (tpp is 24000)"]
    );
    // A stated availability date after 2026-01-15 governs, whatever the certification says.
    let mut late = a;
    late["specs"]["us_available_from"] = "2026-03-01".into();
    let d = decide(&order("2026-02-01", late, cn(), cn(), certs()), &[]);
    assert_eq!(
        said(&d, "748-supp2-dd1-performance"),
        vec!["Acme A1: is not an AI commodity: not shown to be commercially available in the US on 2026-01-15"]
    );
}

#[test]
fn an_item_without_figures_is_decided_by_the_letter_and_says_so() {
    let cn = || party("User Cloud", "CN");
    let d = decide(
        &order(
            "2026-02-01",
            json!({"chip": "amd-mi308x", "quantity": 10}),
            cn(),
            cn(),
            certs(),
        ),
        &[],
    );
    assert_eq!(d["items"][0]["eccn"], "unclassified");
    assert_eq!(d["items"][0]["tpp"], Value::Null);
    assert_eq!(
        warnings(&d),
        vec![(
            "unclassified_item".to_string(),
            "amd-mi308x: its compute figures are not published, so its ECCN is unknown; it is decided here only by rules that need no ECCN, and other requirements may apply to it".to_string()
        )]
    );
    assert_eq!(
        said(&d, "744.23-is-informed-letters"),
        vec!["amd-mi308x: named in an is-informed letter: the US government informed NVIDIA (H20) and AMD (MI308X) that these chips, and chips reaching their memory or interconnect bandwidth, need a licence to China (including Hong Kong), Macau, D:5 and D:5/Macau-headquartered entities, for the indefinite future"]
    );
}

#[test]
fn the_pack_warnings_are_written_with_their_rule_and_citation() {
    let cn = || party("User Cloud", "CN");
    let mut c = certs();
    c.as_object_mut().unwrap().remove("no_part744_end_use");
    let d = decide(
        &order(
            "2026-02-01",
            json!({"chip": "nvidia-h200-sxm", "quantity": 10}),
            cn(),
            cn(),
            c,
        ),
        &[],
    );
    assert_eq!(
        warnings(&d),
        vec![(
            "incomplete_certifications".to_string(),
            "the order does not certify that the export is not prohibited by the Part 744 end-use and end-user controls (no_part744_end_use), a condition of case-by-case review; the verdict assumes it (748-supp2-dd-part744-certification; 15 CFR Part 748, Supp. No. 2, para. (dd); 91 FR 1684 (FR Doc 2026-00789))".to_string()
        )]
    );
    assert_eq!(d["review_policy"], "case_by_case");
}

#[test]
fn the_screening_record_shows_the_hit_whose_list_weighs_most() {
    let mut eu = party("Penang Compute", "MY");
    eu["owners"] = json!([{"name": "Huawei", "country": "CN", "percent": "60"}]);
    let o = order(
        "2026-06-01",
        json!({"chip": "nvidia-h200-sxm", "quantity": 10}),
        party("Penang Compute", "MY"),
        eu,
        certs(),
    );
    // The NS-CMIC hit scores higher, but the Entity List entry is the one with a licence
    // requirement.
    let r = reg();
    let o = Order::from_value(&o, &r.catalog, &r.countries).expect("valid order");
    let owner = o.parties.all_with_owners()[2].0;
    let mut cmic = PartyHit::new(
        owner,
        "Non-SDN Chinese Military-Industrial Complex Companies List",
        "cmic-1",
        "HUAWEI",
        1.0,
    );
    cmic.score = 1.0;
    let s = Screening {
        screened: true,
        hits: vec![
            cmic,
            PartyHit::new(owner, "Entity List", "el-1", "HUAWEI", 0.9),
        ],
        ..Default::default()
    };
    let d = r.decide(&o, None, &s).expect("decides").to_json();
    let row = d["screening"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["party"] == "end_user.owners[0]")
        .expect("the owner is in the screening record");
    assert_eq!(row["match_list"], "Entity List");
    assert_eq!(row["match_id"], "el-1");
    // Between hits of equal weight the closer one is shown.
    let s = Screening {
        screened: true,
        hits: vec![
            PartyHit::new(owner, "Entity List", "el-1", "HUAWEI", 0.9),
            PartyHit::new(owner, "Military End User List", "meu-1", "HUAWEI", 0.95),
        ],
        ..Default::default()
    };
    let d = r.decide(&o, None, &s).expect("decides").to_json();
    assert_eq!(d["screening"][2]["match_id"], "meu-1");
}

#[test]
fn a_holding_owned_by_two_listed_parties_names_both() {
    let mut eu = party("Penang Compute", "MY");
    eu["owners"] = json!([{"name": "Holding A", "country": "HK", "percent": "100",
        "owners": [{"name": "Huawei", "country": "CN", "percent": "30"},
                   {"name": "SMIC", "country": "CN", "percent": "30"}]}]);
    let o = order(
        "2026-11-20",
        json!({"chip": "nvidia-h200-sxm", "quantity": 10}),
        party("Penang Compute", "MY"),
        eu,
        certs(),
    );
    let d = decide(
        &o,
        &[
            (
                "end_user.owners[0].owners[0]",
                "Entity List",
                "el-1",
                "HUAWEI",
            ),
            (
                "end_user.owners[0].owners[1]",
                "Entity List",
                "el-2",
                "SMIC",
            ),
        ],
    );
    assert!(
        said(&d, "744.11-a1-affiliates")[0].contains(
            "'Holding A' (end_user.owners[0], 100 %), itself 60 % owned by listed parties: \
             'Huawei' (end_user.owners[0].owners[0], 30 %) on the Entity List as 'HUAWEI' (id el-1); \
             'SMIC' (end_user.owners[0].owners[1], 30 %) on the Entity List as 'SMIC' (id el-2); at or above"
        ),
        "{d:#}"
    );
}

#[test]
fn listed_owners_bar_a_licence_exception_and_the_reason_says_whose() {
    let item = json!({"specs": {"name": "Acme B1", "vendor": "Acme", "dense_tops": {"fp16": 187.5},
        "die_area_mm2": 1000, "dram_bandwidth_gbs": 1600, "datacenter": true,
        "us_available_from": "2024-01-01"}, "quantity": 10});
    let mut eu = party("Riyadh Compute", "SA");
    eu["owners"] = json!([{"name": "Huawei", "country": "CN", "percent": "60"}]);
    let o = order(
        "2026-11-20",
        item.clone(),
        party("Riyadh Compute", "SA"),
        eu,
        certs(),
    );
    let d = decide(
        &o,
        &[("end_user.owners[0]", "Entity List", "el-1", "HUAWEI")],
    );
    assert_eq!(d["verdict"], "license_required", "{d:#}");
    let barred: Vec<&str> = said(&d, "744.11-a1-affiliates")
        .into_iter()
        .filter(|m| m.starts_with("Acme B1: "))
        .collect();
    assert_eq!(
        barred,
        vec!["Acme B1: a licence exception would otherwise be available, but end_user 'Riyadh Compute' is 60 % owned by listed parties and takes their licence requirement, which bars its use"]
    );
    // Without the listed owner, ACA applies.
    let o = order(
        "2026-11-20",
        item,
        party("Riyadh Compute", "SA"),
        party("Riyadh Compute", "SA"),
        certs(),
    );
    assert_eq!(decide(&o, &[])["verdict"], "license_exception");
}
