//! The words of a classification: every reason sentence and every JSON field, for a catalog chip
//! under a bundled pack and for items under small synthetic packs that use what the bundled packs
//! do not (an `eccn` condition at the classification stage, `le` and `eq`, several duty bands).
//! The expected sentences are written out by hand from the figures; a compliance officer reads
//! them, so a change to one must be a decision.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::json;
use std::collections::BTreeMap;
use tollgate_core::catalog::{ChipSpecs, ItemKind, Precision};
use tollgate_core::classify::{classify, control_rank, Classification};
use tollgate_core::{Pack, Regulation};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn reg() -> &'static Regulation {
    static R: std::sync::OnceLock<Regulation> = std::sync::OnceLock::new();
    R.get_or_init(|| Regulation::bundled().expect("bundled data loads"))
}

/// (rule, message) of each reason, in order.
fn said(c: &Classification) -> Vec<(String, String)> {
    c.reasons
        .iter()
        .map(|r| (r.rule.clone(), r.message.clone()))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn logic(tops_int8: &str, die: Option<&str>, dram: &str, available: &str) -> ChipSpecs {
    let mut t = BTreeMap::new();
    t.insert(Precision::Int8, dec(tops_int8));
    ChipSpecs {
        name: "synthetic".into(),
        vendor: "test".into(),
        kind: ItemKind::Logic,
        dense_tops: t,
        die_area_mm2: die.map(dec),
        dram_gb: None,
        dram_bandwidth_gbs: Some(dec(dram)),
        interconnect_gbs: Some(dec("900")),
        memory_bandwidth_gbs: None,
        package_area_mm2: None,
        datacenter: true,
        us_available_from: Some(d(available)),
    }
}

const BAND1: &str = "Section 232 band 1 (H200 class)";
const BAND2: &str = "Section 232 band 2 (MI325X class)";

#[test]
fn h200_in_2026_every_reason_in_words() {
    // 1,979 dense FP8 TOPS x 8 = 15,832 (INT8 and FP16 tie; the lower bit length is reported);
    // 15,832 / 814 mm2 = 19.4496 -> 19.45.
    let c = reg().classify_chip("H200", d("2026-02-01"), false).unwrap();
    assert_eq!(
        said(&c),
        pairs(&[
            ("3a090-tn-tpp", "TPP is 15,832 = 1,979 dense TOPS at fp8 x 8 bits, the highest over the precisions given"),
            ("3a090-tn-pd", "performance density is 19.45 = TPP / 814 mm2 applicable die area"),
            ("3a090-a1", "meets 3A090.a.1: TPP of 4,800 or more"),
            ("748-supp2-dd1-performance", "is an AI commodity: advanced computing commodity with TPP below 21,000 and total DRAM bandwidth below 6,500 GB/s, commercially available in the US on 2026-01-15"),
            ("s232-band1", "inside Section 232 band 1 (H200 class): TPP above 14,000 and below 17,500, and total DRAM bandwidth above 4,500 and below 5,000 GB/s; 25 % duty on import"),
        ])
    );
    assert!(
        !c.is_informed,
        "only the H20 and MI308X were named in letters"
    );
    assert!(!c.system);
}

#[test]
fn classification_json_has_every_field() {
    let c = reg().classify_chip("H200", d("2026-02-01"), true).unwrap();
    let j = c.to_json();
    let mut without_reasons = j.clone();
    without_reasons.as_object_mut().unwrap().remove("reasons");
    assert_eq!(
        without_reasons,
        json!({
            "chip": "nvidia-h200-sxm",
            "as_of": "2026-02-01",
            "regulation": "2026-01-15",
            "tpp": 15832,
            "performance_density": 19.45,
            "dram_bandwidth_gbs": 4800,
            "eccn": "4A090.a",
            "ai_commodity_2026": true,
            "paragraph": "3A090.a.1",
            "controlled": true,
            "tpp_exact": "15832",
            "tpp_precision": "fp8",
            "interconnect_gbs": 900,
            "datacenter": true,
            "system": true,
            "is_informed": false,
            "section_232_band": {"id": "band1", "label": BAND1, "rate_pct": "25"},
        })
    );
    assert_eq!(
        j["reasons"][3],
        json!({"rule": "4a090-a", "citation": "15 CFR Part 774, Supp. No. 1, ECCN 4A090.a",
               "message": "as a computer, electronic assembly or component containing an IC that meets 3A090.a, it is 4A090.a"})
    );
    assert_eq!(j["reasons"].as_array().unwrap().len(), c.reasons.len());

    // Figures that are not whole numbers, and figures that are unknown.
    let h20 = reg().classify_chip("H20", d("2026-02-01"), false).unwrap();
    let j = h20.to_json();
    assert_eq!(j["performance_density"], json!(2.91));
    assert_eq!(j["is_informed"], json!(true));
    assert_eq!(j["paragraph"], json!(null));
    assert_eq!(j["section_232_band"], json!(null));
    let hbm = hbm_stack();
    let c = classify(
        pack("2026-01-15"),
        &hbm,
        "hbm",
        None,
        d("2026-02-01"),
        false,
    );
    let j = c.to_json();
    assert_eq!(
        (
            &j["tpp"],
            &j["tpp_exact"],
            &j["tpp_precision"],
            &j["performance_density"]
        ),
        (&json!(null), &json!(null), &json!(null), &json!(null))
    );
}

#[test]
fn figures_json_and_rounding() {
    use tollgate_core::classify::dec_json;
    assert_eq!(dec_json(dec("4800.000")), json!(4800));
    assert_eq!(dec_json(dec("19.4496")), json!(19.4496));
    assert_eq!(dec_json(dec("-2")), json!(-2.0));
    // Performance density with two decimals, half away from zero; TPP rounded down.
    let mut c = reg().classify_chip("H200", d("2026-02-01"), false).unwrap();
    c.metrics.performance_density = Some(dec("3.125"));
    c.metrics.tpp = Some(dec("4799.99"));
    assert_eq!(c.performance_density_2dp(), Some(dec("3.13")));
    assert_eq!(c.tpp_int(), Some(4799));
}

fn hbm_stack() -> ChipSpecs {
    ChipSpecs {
        name: "HBM3E stack".into(),
        vendor: "x".into(),
        kind: ItemKind::Hbm,
        dense_tops: BTreeMap::new(),
        die_area_mm2: None,
        dram_gb: None,
        dram_bandwidth_gbs: None,
        interconnect_gbs: None,
        memory_bandwidth_gbs: Some(dec("1200")),
        package_area_mm2: Some(dec("110")),
        datacenter: true,
        us_available_from: None,
    }
}

fn pack(id: &str) -> &'static Pack {
    reg().packs.get(id).unwrap()
}

#[test]
fn an_hbm_stack_has_no_tpp_or_density_sentences() {
    let c = classify(
        pack("2026-01-15"),
        &hbm_stack(),
        "hbm",
        None,
        d("2026-02-01"),
        false,
    );
    assert_eq!(
        said(&c),
        pairs(&[
            ("3a090-c-hbm", "meets 3A090.c: high-bandwidth memory with a memory bandwidth density above 2 GB/s/mm2"),
            ("748-supp2-dd1-performance", "is not an AI commodity: hbm is true, the rule needs false"),
            ("s232-band1", &format!("outside {BAND1} and {BAND2}: no Section 232 duty")),
        ])
    );
    // 1,200 GB/s over 110 mm2.
    assert_eq!(
        c.metrics.memory_bandwidth_density.map(|v| v.round_dp(4)),
        Some(dec("10.9091"))
    );
    assert!(c.metrics.hbm);
}

#[test]
fn a_logic_chip_without_figures_says_what_is_unknown() {
    let mut s = logic("1", Some("100"), "100", "2024-01-01");
    s.dense_tops.clear();
    let c = classify(pack("2026-01-15"), &s, "x", None, d("2026-02-01"), false);
    assert_eq!(
        said(&c),
        pairs(&[
            ("3a090-tn-tpp", "no dense TOPS figure is known, so TPP cannot be computed"),
            ("3a090-tn-pd", "die area is not published, so performance density is unknown; only the TPP tests can be applied"),
            ("3a090-c-hbm", "its compute figures are not published, so no advanced-computing paragraph can be tested: unclassified"),
            ("748-supp2-dd1-performance", "is not an AI commodity: controlled is false, the rule needs true"),
            ("s232-band1", &format!("outside {BAND1} and {BAND2}: no Section 232 duty")),
        ])
    );
    assert_eq!(c.eccn, "unclassified");
    assert!(!c.metrics.hbm);
    // A zero area gives no density rather than a division by zero.
    let mut z = logic("1000", Some("0"), "100", "2024-01-01");
    z.package_area_mm2 = Some(Decimal::ZERO);
    z.memory_bandwidth_gbs = Some(dec("100"));
    let c = classify(pack("2026-01-15"), &z, "z", None, d("2026-02-01"), false);
    assert_eq!(c.metrics.performance_density, None);
    assert_eq!(c.metrics.memory_bandwidth_density, None);
    assert_eq!(c.metrics.tpp, Some(dec("8000")));
}

#[test]
fn note_2_exclusion_and_the_is_informed_letter_in_words() {
    // Not for datacenters, TPP 4,000 and PD 2 (3A090.b.1 would hold): excluded by Note 2.
    let mut s = logic("500", Some("2000"), "1000", "2024-01-01");
    s.datacenter = false;
    let c = classify(pack("2026-01-15"), &s, "x", None, d("2026-02-01"), false);
    assert_eq!(c.eccn, "not_3A090");
    assert!(!c.controlled);
    assert_eq!(
        said(&c)[2],
        (
            "3a090-note2".to_string(),
            "would meet 3A090.b.1 but is excluded: not designed or marketed for use in datacenters and TPP below 4,800".to_string()
        )
    );
    let h20 = reg().classify_chip("H20", d("2026-02-01"), false).unwrap();
    assert!(said(&h20).contains(&(
        "744.23-is-informed-letters".to_string(),
        "named in an is-informed letter: the US government informed NVIDIA (H20) and AMD (MI308X) that these chips, and chips reaching their memory or interconnect bandwidth, need a licence to China (including Hong Kong), Macau, D:5 and D:5/Macau-headquartered entities, for the indefinite future".to_string()
    )));
    // The same figures under another id, or inline, are covered by the bandwidth test when the
    // vendor is one the letters went to (the H20's 4,000 GB/s memory); another vendor's are not.
    let h20_specs = &reg().catalog.resolve("H20").unwrap().specs;
    for id in [None, Some("nvidia-h100-sxm")] {
        let c = classify(
            pack("2026-01-15"),
            h20_specs,
            "x",
            id,
            d("2026-02-01"),
            false,
        );
        assert!(c.is_informed, "{id:?}");
        assert!(said(&c).iter().any(|(r, m)| r == "744.23-is-informed-letters"
            && m.starts_with("reaches the bandwidth of a chip named in an is-informed letter (the letters' own thresholds are not public; the H20's published figures are used: DRAM bandwidth of 4,000 GB/s or more, or interconnect of 900 GB/s or more, for chips not already 3A090)")));
    }
    let mut other = h20_specs.clone();
    other.vendor = "Other Semiconductor Co.".into();
    assert!(
        !classify(
            pack("2026-01-15"),
            &other,
            "x",
            None,
            d("2026-02-01"),
            false
        )
        .is_informed
    );
    // Below both figures: not covered.
    let mut slow = h20_specs.clone();
    slow.dram_bandwidth_gbs = Some(dec("3999"));
    slow.interconnect_gbs = Some(dec("899"));
    assert!(!classify(pack("2026-01-15"), &slow, "x", None, d("2026-02-01"), false).is_informed);
    // Before the letters (April 2025) nothing is.
    assert!(
        !classify(
            pack("2025-01-13"),
            h20_specs,
            "x",
            None,
            d("2025-02-01"),
            false
        )
        .is_informed
    );
}

#[test]
fn control_rank_orders_the_paragraphs() {
    assert_eq!(control_rank("3A090.a"), 2);
    assert_eq!(control_rank("4A090.a"), 2);
    assert_eq!(control_rank("3A090.b"), 1);
    assert_eq!(control_rank("4A090.b"), 1);
    assert_eq!(control_rank("3A090.c"), 0);
    assert_eq!(control_rank("not_3A090"), 0);
}

/// A pack that uses what the bundled ones do not: an `eccn` condition at the classification
/// stage (the AI-commodity test), `le` and `eq`, no performance-density note, two duty bands.
const SYNTHETIC: &str = r#"
[pack]
id = "2030-01-01"
effective = "2030-01-01"
title = "synthetic"
federal_register = "none"
source = "tests"
summary = "a pack for tests"

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

[[eccn]]
paragraph = "3A090.b"
eccn = "3A090.b"
rule = "para-b"
citation = "para b"
message = "TPP of 2,400 or more"
when = [{ fact = "tpp", ge = 2400 }]

[[system_eccn]]
from = "3A090.b"
eccn = "4A090.b"
rule = "sys-b"
citation = "4A090.b"
message = "a computer with a 3A090.b IC"

[ai_commodity]
rule = "ai"
citation = "ai rule"
message = "3A090.b items with TPP of at most 3,000"
when = [{ fact = "eccn", in = ["3A090.b"] }, { fact = "tpp", le = 3000 }]
us_available_by = "2030-01-01"

[[duty_band]]
id = "exact"
label = "band E"
rule = "band-e"
citation = "band e"
message = "TPP of exactly 2,400"
rate_pct = "10"
when = [{ fact = "tpp", eq = 2400 }]

[[duty_band]]
id = "high"
label = "band H"
rule = "band-h"
citation = "band h"
message = "TPP above 4,800"
rate_pct = "12.5"
when = [{ fact = "tpp", gt = 4800 }]
"#;

fn synthetic() -> Pack {
    Pack::from_toml("packs/2030-01-01.toml", SYNTHETIC).expect("the synthetic pack validates")
}

fn at(p: &Pack, tpp: &str, available: &str, system: bool) -> Classification {
    // int8 dense TOPS = TPP / 8.
    let tops = (dec(tpp) / Decimal::from(8)).to_string();
    classify(
        p,
        &logic(&tops, None, "1000", available),
        "synthetic",
        None,
        d("2030-06-01"),
        system,
    )
}

#[test]
fn an_eccn_condition_at_classification_decides_the_ai_commodity_test() {
    let p = synthetic();
    let c = at(&p, "2400", "2029-01-01", false);
    assert_eq!((c.eccn.as_str(), c.ai_commodity_2026), ("3A090.b", true));
    assert_eq!(
        said(&c),
        pairs(&[
            ("tpp", "TPP is 2,400 = 300 dense TOPS at int8 x 8 bits, the highest over the precisions given"),
            ("para-b", "meets 3A090.b: TPP of 2,400 or more"),
            ("ai", "is an AI commodity: 3A090.b items with TPP of at most 3,000"),
            ("band-e", "inside band E: TPP of exactly 2,400; 10 % duty on import"),
        ])
    );
    assert_eq!(c.duty_band.as_ref().map(|b| b.rate_pct), Some(dec("10")));

    // le: 3,000 holds, 3,008 does not.
    assert!(at(&p, "3000", "2029-01-01", false).ai_commodity_2026);
    let c = at(&p, "3008", "2029-01-01", false);
    assert!(!c.ai_commodity_2026);
    assert_eq!(
        said(&c)[2].1,
        "is not an AI commodity: tpp <= 3000 does not hold (tpp is 3008)"
    );
    assert_eq!(
        said(&c)[3],
        (
            "band-e".to_string(),
            "outside band E and band H: no Section 232 duty".to_string()
        )
    );

    // A 3A090.a item fails the eccn condition, and says so.
    let c = at(&p, "4808", "2029-01-01", false);
    assert_eq!(c.eccn, "3A090.a");
    assert!(!c.ai_commodity_2026);
    assert_eq!(
        said(&c)[2].1,
        "is not an AI commodity: eccn is 3A090.a, the rule needs 3A090.b"
    );
    assert_eq!(
        said(&c)[3].1,
        "inside band H: TPP above 4,800; 12.5 % duty on import"
    );

    // Not controlled: no paragraph, cited to the first one.
    let c = at(&p, "2392", "2029-01-01", true);
    assert_eq!(c.eccn, "not_3A090");
    assert_eq!(
        said(&c)[1],
        (
            "para-a".to_string(),
            "meets none of the advanced-computing paragraphs (3A090.a, 3A090.b): not 3A090"
                .to_string()
        )
    );
    assert_eq!(
        said(&c)[2].1,
        "is not an AI commodity: eccn is not_3A090, the rule needs 3A090.b"
    );
}

#[test]
fn the_ai_commodity_test_needs_us_availability_by_its_date() {
    let p = synthetic();
    // Available on the date itself: yes; a day later: no, and the sentence says why.
    assert!(at(&p, "2400", "2030-01-01", false).ai_commodity_2026);
    let c = at(&p, "2400", "2030-01-02", false);
    assert!(!c.ai_commodity_2026);
    assert_eq!(
        said(&c)[2].1,
        "is not an AI commodity: not shown to be commercially available in the US on 2030-01-01"
    );
    // Failing both: the performance test is the one reported.
    let c = at(&p, "3008", "2030-01-02", false);
    assert!(!c.ai_commodity_2026);
    assert_eq!(
        said(&c)[2].1,
        "is not an AI commodity: tpp <= 3000 does not hold (tpp is 3008)"
    );
    // Unknown availability is not availability.
    let mut s = logic("300", None, "1000", "2029-01-01");
    s.us_available_from = None;
    let c = classify(&p, &s, "x", None, d("2030-06-01"), false);
    assert!(!c.ai_commodity_2026);
}

#[test]
fn a_system_takes_the_4a090_paragraph_its_pack_maps() {
    let p = synthetic();
    let c = at(&p, "2400", "2029-01-01", true);
    assert_eq!(c.eccn, "4A090.b");
    assert!(c.system);
    assert_eq!(
        said(&c)[2],
        (
            "sys-b".to_string(),
            "as a computer with a 3A090.b IC, it is 4A090.b".to_string()
        )
    );
    // The AI-commodity test reads the ECCN after the system mapping.
    assert!(!c.ai_commodity_2026);
    // No mapping for 3A090.a in this pack: the IC's own ECCN stays.
    assert_eq!(at(&p, "4808", "2029-01-01", true).eccn, "3A090.a");
}
