//! Classification checked against figures computed by hand from the vendors' published specs
//! (REGIME.md section 5), never against the code's own output.

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use tollgate_core::catalog::{ChipSpecs, ItemKind, Precision};
use tollgate_core::classify::{classify, control_rank};
use tollgate_core::condition::{CmpOp, Condition, NumFact};
use tollgate_core::{ClassifyError, Regulation};

fn reg() -> Regulation {
    Regulation::bundled().expect("bundled data loads")
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn h200_on_2026_02_01_is_3a090a_tpp_15832_and_an_ai_commodity() {
    // 1,979 dense FP8 TFLOPS x 8 bits = 15,832; 15,832 / 814 mm2 = 19.45; 4.8 TB/s HBM3e.
    let c = reg().classify_chip("H200", d("2026-02-01"), false).unwrap();
    assert_eq!(c.chip, "nvidia-h200-sxm");
    assert_eq!(c.regulation, "2026-01-15");
    assert_eq!(c.tpp_int(), Some(15832));
    assert_eq!(c.performance_density_2dp(), Some(dec("19.45")));
    assert_eq!(c.eccn, "3A090.a");
    assert!(c.ai_commodity_2026);
    assert_eq!(c.duty_band.as_ref().map(|b| b.id.as_str()), Some("band1"));
    assert!(c
        .reasons
        .iter()
        .all(|r| !r.rule.is_empty() && !r.citation.is_empty()));
}

#[test]
fn h200_on_2025_06_01_is_not_an_ai_commodity_because_the_rule_is_not_in_force() {
    let c = reg()
        .classify_chip("nvidia h200", d("2025-06-01"), false)
        .unwrap();
    assert_eq!(c.regulation, "2025-05-13");
    assert_eq!(c.eccn, "3A090.a");
    assert!(!c.ai_commodity_2026);
    assert!(c.duty_band.is_none(), "Section 232 duty starts 2026-01-15");
}

#[test]
fn blackwell_and_rubin_are_never_ai_commodities() {
    // B200: 4,500 x 8 = 36,000; B300: 13,500 x 4 = 54,000; Rubin: 12,500 x 8 = 100,000; all >= 21,000.
    let r = reg();
    for (chip, tpp) in [
        ("B200", 36000),
        ("B300", 54000),
        ("Rubin", 100000),
        ("GB200", 40000),
    ] {
        for date in [
            "2022-11-01",
            "2024-06-01",
            "2025-06-01",
            "2026-02-01",
            "2026-11-24",
        ] {
            let c = r.classify_chip(chip, d(date), false).unwrap();
            assert_eq!(c.tpp_int(), Some(tpp), "{chip}");
            assert!(!c.ai_commodity_2026, "{chip} on {date}");
        }
    }
}

#[test]
fn mi325x_is_an_ai_commodity_just_under_21000_and_in_band_2() {
    // 2,614.9 x 8 = 20,919.2 -> 20,919 < 21,000; 6,000 GB/s < 6,500; band 2: 20,800 < TPP < 21,100, 5,800 < BW < 6,200.
    let c = reg()
        .classify_chip("MI325X", d("2026-02-01"), false)
        .unwrap();
    assert_eq!(c.tpp_int(), Some(20919));
    assert!(c.ai_commodity_2026);
    assert_eq!(c.duty_band.as_ref().map(|b| b.id.as_str()), Some("band2"));
}

#[test]
fn h20_is_not_3a090a_but_is_informed() {
    // 296 x 8 = 2,368 < 2,400 and PD 2,368 / 814 = 2.91 < 3.2: below every 3A090 paragraph.
    let r = reg();
    let c = r.classify_chip("H20", d("2026-02-01"), false).unwrap();
    assert_eq!(c.tpp_int(), Some(2368));
    assert_eq!(c.performance_density_2dp(), Some(dec("2.91")));
    assert_ne!(c.eccn, "3A090.a");
    assert_eq!(c.eccn, "not_3A090");
    assert!(
        !c.ai_commodity_2026,
        "China-only SKU, and not an advanced computing commodity"
    );
    assert!(c.is_informed);
    assert!(
        !r.classify_chip("H20", d("2025-03-01"), false)
            .unwrap()
            .is_informed,
        "letters date from April 2025"
    );
}

#[test]
fn h100_is_outside_both_duty_bands_and_mi300x_too() {
    let r = reg();
    let h100 = r.classify_chip("H100", d("2026-02-01"), false).unwrap();
    assert!(h100.ai_commodity_2026);
    assert!(
        h100.duty_band.is_none(),
        "3,350 GB/s is below band 1's 4,500"
    );
    let mi300x = r.classify_chip("MI300X", d("2026-02-01"), false).unwrap();
    assert!(
        mi300x.duty_band.is_none(),
        "5,300 GB/s is below band 2's 5,800"
    );
    let nvl = r.classify_chip("H200 NVL", d("2026-02-01"), false).unwrap();
    assert_eq!(nvl.tpp_int(), Some(13368));
    assert!(
        nvl.duty_band.is_none(),
        "TPP 13,368 is below band 1's 14,000"
    );
}

#[test]
fn gaudi3_fails_the_tpp_criterion() {
    // BF16 1,835 x 16 = 29,360 beats FP8 1,835 x 8.
    let c = reg()
        .classify_chip("Gaudi 3", d("2026-02-01"), false)
        .unwrap();
    assert_eq!(c.tpp_int(), Some(29360));
    assert!(!c.ai_commodity_2026);
}

#[test]
fn a800_escaped_the_2022_interconnect_prong_but_not_the_2023_tests() {
    let r = reg();
    // 400 GB/s NVLink < 600: not 3A090 under the October 2022 rule.
    assert_eq!(
        r.classify_chip("A800", d("2023-01-01"), false)
            .unwrap()
            .eccn,
        "not_3A090"
    );
    // 312 x 16 = 4,992 >= 4,800: 3A090.a.1 once the interconnect prong was dropped.
    let c = r.classify_chip("A800", d("2023-12-01"), false).unwrap();
    assert_eq!(c.paragraph.as_deref(), Some("3A090.a.1"));
    // A100 (600 GB/s) was caught in 2022 already.
    assert_eq!(
        r.classify_chip("A100", d("2023-01-01"), false)
            .unwrap()
            .eccn,
        "3A090.a"
    );
}

#[test]
fn a_server_with_h200s_is_4a090a() {
    let c = reg().classify_chip("H200", d("2026-02-01"), true).unwrap();
    assert_eq!(c.eccn, "4A090.a");
}

#[test]
fn unknown_chip_lists_the_closest_ids() {
    let e = reg()
        .classify_chip("H2OO", d("2026-02-01"), false)
        .unwrap_err();
    match e {
        ClassifyError::UnknownChip { suggestions, .. } => assert!(
            suggestions.iter().any(|s| s.starts_with("nvidia-h")),
            "{suggestions:?}"
        ),
        other => panic!("{other}"),
    }
}

#[test]
fn dates_before_the_first_pack_are_refused() {
    let e = reg()
        .classify_chip("H100", d("2022-10-06"), false)
        .unwrap_err();
    assert!(matches!(e, ClassifyError::DateBeforeRegime { .. }));
}

#[test]
fn the_pack_in_force_is_the_latest_on_or_before_the_date() {
    let r = reg();
    let cases = [
        ("2022-10-07", "2022-10-07"),
        ("2023-01-16", "2022-10-07"),
        ("2023-01-17", "2023-01-17"),
        ("2023-05-19", "2023-05-19"),
        ("2023-11-16", "2023-05-19"),
        ("2023-11-17", "2023-11-17"),
        ("2024-03-15", "2024-03-15"),
        ("2024-12-01", "2024-04-04"),
        ("2024-12-02", "2024-12-02"),
        ("2024-12-31", "2024-12-31"),
        ("2025-01-13", "2025-01-13"),
        ("2025-01-15", "2025-01-13"),
        ("2025-05-12", "2025-04-09"),
        ("2025-05-13", "2025-05-13"),
        ("2025-09-02", "2025-09-02"),
        ("2025-09-29", "2025-09-29"),
        ("2025-11-09", "2025-09-29"),
        ("2025-11-10", "2025-11-10"),
        ("2026-01-14", "2025-11-10"),
        ("2026-01-15", "2026-01-15"),
        ("2026-11-09", "2026-01-15"),
        ("2026-11-10", "2026-11-10"),
        ("2030-01-01", "2026-11-10"),
    ];
    for (date, pack) in cases {
        assert_eq!(r.packs.in_force(d(date)).unwrap().id, pack, "{date}");
    }
}

#[test]
fn hbm_stacks_are_3a090c_from_december_2024() {
    let r = reg();
    // An HBM3E stack: ~1,200 GB/s over ~110 mm2 = 10.9 GB/s/mm2 > 2.
    let specs = ChipSpecs {
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
    };
    assert_eq!(
        r.classify_specs(&specs, "hbm", None, d("2025-01-01"), false)
            .unwrap()
            .eccn,
        "3A090.c"
    );
    assert_eq!(
        r.classify_specs(&specs, "hbm", None, d("2024-11-01"), false)
            .unwrap()
            .eccn,
        "not_3A090"
    );
}

/// Builds specs whose TPP and PD are exactly the given values (int8: TOPS = TPP / 8).
fn specs_with(
    tpp: Decimal,
    pd: Option<Decimal>,
    bw: Decimal,
    ic: Decimal,
    datacenter: bool,
) -> ChipSpecs {
    let mut tops = BTreeMap::new();
    tops.insert(Precision::Int8, tpp / Decimal::from(8));
    ChipSpecs {
        name: "edge".into(),
        vendor: "test".into(),
        kind: ItemKind::Logic,
        dense_tops: tops,
        die_area_mm2: pd.map(|p| tpp / p),
        dram_gb: None,
        dram_bandwidth_gbs: Some(bw),
        interconnect_gbs: Some(ic),
        memory_bandwidth_gbs: None,
        package_area_mm2: None,
        datacenter,
        us_available_from: Some(d("2024-01-01")),
    }
}

/// For every pack and every TPP threshold in its ECCN and AI-commodity rules, classifies chips
/// exactly at, one below and one above the threshold, and checks the paragraph test flips where
/// the rule's operator says it must.
#[test]
fn every_tpp_threshold_of_every_pack_flips_exactly_at_its_edge() {
    let r = reg();
    let mut checked = 0;
    for pack in r.packs.all() {
        for e in &pack.eccn {
            for cond in &e.rule.when {
                let Condition::Cmp {
                    fact: NumFact::Tpp,
                    op,
                    value,
                } = cond
                else {
                    continue;
                };
                for delta in [Decimal::ZERO, Decimal::NEGATIVE_ONE, Decimal::ONE] {
                    let tpp = *value + delta;
                    if tpp <= Decimal::ZERO {
                        continue;
                    }
                    // Interconnect prong (2022) satisfied; PD 1 so that no PD-based paragraph interferes.
                    let c = classify(
                        pack,
                        &specs_with(tpp, Some(dec("1")), dec("1000"), dec("10000"), true),
                        "edge",
                        None,
                        pack.effective,
                        false,
                    );
                    let want_tpp_ok = match op {
                        CmpOp::Ge => tpp >= *value,
                        CmpOp::Gt => tpp > *value,
                        CmpOp::Lt => tpp < *value,
                        CmpOp::Le => tpp <= *value,
                        CmpOp::Eq => tpp == *value,
                    };
                    // The TPP-only paragraphs (a.1, and the 2022 a): the paragraph holds exactly when the TPP test does.
                    if e.rule.when.len() == 2 || e.paragraph == "3A090.a" {
                        assert_eq!(
                            c.paragraph.as_deref() == Some(e.paragraph.as_str()),
                            want_tpp_ok,
                            "pack {} {} at TPP {tpp}",
                            pack.id,
                            e.paragraph
                        );
                        checked += 1;
                    }
                }
            }
        }
        if let Some(a) = &pack.ai_commodity {
            for cond in &a.rule.when {
                match cond {
                    Condition::Cmp {
                        fact: NumFact::Tpp,
                        value,
                        ..
                    } => {
                        for (delta, want) in [
                            (Decimal::ZERO, false),
                            (Decimal::NEGATIVE_ONE, true),
                            (Decimal::ONE, false),
                        ] {
                            let c = classify(
                                pack,
                                &specs_with(
                                    *value + delta,
                                    Some(dec("10")),
                                    dec("4000"),
                                    dec("900"),
                                    true,
                                ),
                                "edge",
                                None,
                                pack.effective,
                                false,
                            );
                            assert_eq!(
                                c.ai_commodity_2026,
                                want,
                                "pack {} AI commodity at TPP {}",
                                pack.id,
                                *value + delta
                            );
                            checked += 1;
                        }
                    }
                    Condition::Cmp {
                        fact: NumFact::DramBandwidthGbs,
                        value,
                        ..
                    } => {
                        for (delta, want) in [
                            (Decimal::ZERO, false),
                            (Decimal::NEGATIVE_ONE, true),
                            (Decimal::ONE, false),
                        ] {
                            let c = classify(
                                pack,
                                &specs_with(
                                    dec("15000"),
                                    Some(dec("10")),
                                    *value + delta,
                                    dec("900"),
                                    true,
                                ),
                                "edge",
                                None,
                                pack.effective,
                                false,
                            );
                            assert_eq!(
                                c.ai_commodity_2026,
                                want,
                                "pack {} AI commodity at bandwidth {}",
                                pack.id,
                                *value + delta
                            );
                            checked += 1;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    assert!(checked >= 8 * 3, "checked {checked} edges");
}

#[test]
fn performance_density_and_b_paragraph_edges_2023_onwards() {
    let r = reg();
    for pack in r
        .packs
        .all()
        .iter()
        .filter(|p| p.effective >= d("2023-11-17"))
    {
        let at = |tpp: &str, pd: &str, dc: bool| {
            classify(
                pack,
                &specs_with(dec(tpp), Some(dec(pd)), dec("1000"), dec("100"), dc),
                "e",
                None,
                pack.effective,
                false,
            )
        };
        // 3A090.a.1: TPP 4,800 exactly, one below, one above (PD low so a.2 does not interfere).
        assert_eq!(
            at("4800", "1", true).paragraph.as_deref(),
            Some("3A090.a.1"),
            "{}",
            pack.id
        );
        assert_ne!(at("4799", "1", true).eccn, "3A090.a", "{}", pack.id);
        assert_eq!(
            at("4801", "1", true).paragraph.as_deref(),
            Some("3A090.a.1")
        );
        // 3A090.a.2: TPP >= 1,600 and PD >= 5.92.
        assert_eq!(
            at("1600", "5.92", true).paragraph.as_deref(),
            Some("3A090.a.2"),
            "{}",
            pack.id
        );
        assert_eq!(at("1599", "5.92", true).eccn, "not_3A090");
        assert_eq!(
            at("1601", "5.92", true).paragraph.as_deref(),
            Some("3A090.a.2")
        );
        assert_eq!(
            at("1600", "5.91", true).paragraph.as_deref(),
            Some("3A090.b.2")
        );
        assert_eq!(
            at("1600", "5.93", true).paragraph.as_deref(),
            Some("3A090.a.2")
        );
        // 3A090.b.1: 2,400 <= TPP < 4,800 and 1.6 <= PD < 5.92.
        assert_eq!(
            at("2400", "1.6", true).paragraph.as_deref(),
            Some("3A090.b.1")
        );
        assert_eq!(at("2399", "1.6", true).eccn, "not_3A090");
        assert_eq!(
            at("2401", "1.6", true).paragraph.as_deref(),
            Some("3A090.b.1")
        );
        assert_eq!(at("2400", "1.59", true).eccn, "not_3A090");
        // 3A090.b.2: TPP >= 1,600 and 3.2 <= PD < 5.92.
        assert_eq!(
            at("1600", "3.2", true).paragraph.as_deref(),
            Some("3A090.b.2")
        );
        assert_eq!(at("1600", "3.19", true).eccn, "not_3A090");
        assert_eq!(
            at("1600", "3.21", true).paragraph.as_deref(),
            Some("3A090.b.2")
        );
        // Note 2: a non-datacenter part below TPP 4,800 is not 3A090; at 4,800 it is.
        assert_eq!(at("4799", "1.6", false).eccn, "not_3A090");
        assert_eq!(at("4800", "1.6", false).eccn, "3A090.a");
        assert_eq!(at("4801", "1.6", false).eccn, "3A090.a");
    }
}

#[test]
fn interconnect_prong_edges_in_2022() {
    let r = reg();
    let p = r.packs.get("2022-10-07").unwrap();
    let at = |tpp: &str, ic: &str| {
        classify(
            p,
            &specs_with(dec(tpp), None, dec("1000"), dec(ic), true),
            "e",
            None,
            p.effective,
            false,
        )
        .eccn
    };
    assert_eq!(at("4800", "600"), "3A090.a");
    assert_eq!(at("4800", "599"), "not_3A090");
    assert_eq!(at("4800", "601"), "3A090.a");
}

#[test]
fn section_232_band_edges_are_strict() {
    let r = reg();
    let p = r.packs.get("2026-01-15").unwrap();
    let band = |tpp: &str, bw: &str| {
        classify(
            p,
            &specs_with(dec(tpp), Some(dec("10")), dec(bw), dec("900"), true),
            "e",
            None,
            p.effective,
            false,
        )
        .duty_band
        .map(|b| b.id)
    };
    assert_eq!(band("14000", "4800"), None);
    assert_eq!(band("14001", "4800").as_deref(), Some("band1"));
    assert_eq!(band("17499", "4800").as_deref(), Some("band1"));
    assert_eq!(band("17500", "4800"), None);
    assert_eq!(band("15000", "4500"), None);
    assert_eq!(band("15000", "4501").as_deref(), Some("band1"));
    assert_eq!(band("15000", "5000"), None);
    assert_eq!(band("20800", "6000"), None);
    assert_eq!(band("20801", "6000").as_deref(), Some("band2"));
    assert_eq!(band("21099", "6199").as_deref(), Some("band2"));
    assert_eq!(band("21100", "6000"), None);
    assert_eq!(band("21000", "5800"), None);
    assert_eq!(band("21000", "6200"), None);
}

#[test]
fn a_malformed_pack_names_the_file_the_key_and_the_problem() {
    let good = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/packs/2025-05-13.toml"
    ))
    .unwrap();
    let bad = good.replace(
        "{ fact = \"tpp\", ge = 4800 }",
        "{ fact = \"tops\", ge = 4800 }",
    );
    let e = tollgate_core::Pack::from_toml("data/packs/2025-05-13.toml", &bad).unwrap_err();
    assert_eq!(e.file, "data/packs/2025-05-13.toml");
    assert_eq!(e.key, "eccn[1].when[1]");
    assert!(e.problem.contains("unknown fact 'tops'"), "{e}");
    let bad = good.replace(
        "applies_to = [\"742.6-a6-destination\"]",
        "applies_to = [\"742.6-nope\"]",
    );
    let e = tollgate_core::Pack::from_toml("data/packs/2025-05-13.toml", &bad).unwrap_err();
    assert!(e.key.starts_with("review_policy["), "{e}");
    assert!(e.problem.contains("742.6-nope"));
    let e = tollgate_core::Pack::from_toml("data/packs/2025-05-13.toml", "[pack]\nid = 3\n")
        .unwrap_err();
    assert_eq!(e.key, "line 2");
    // A pack laid over others is checked whole, after composing.
    let with = |file: &str, edit: &dyn Fn(&str) -> String| {
        let mut s = tollgate_core::Sources::bundled();
        let texts: Vec<(String, String)> = s
            .packs
            .iter()
            .map(|(n, t)| {
                (
                    n.clone(),
                    if n.ends_with(file) {
                        edit(t)
                    } else {
                        t.to_string()
                    },
                )
            })
            .collect();
        let leaked: &'static [(String, String)] = Box::leak(texts.into_boxed_slice());
        s.packs = leaked
            .iter()
            .map(|(n, t)| (n.clone(), t.as_str()))
            .collect();
        tollgate_core::Regulation::load(&s).map(|_| ()).unwrap_err()
    };
    let e = with("2026-01-15.toml", &|t| {
        t.replace("rate_pct = \"25\"", "rate_pct = \"25%\"")
    });
    assert_eq!(e.file, "data/packs/2026-01-15.toml");
    assert!(e.key.ends_with(".rate_pct"), "{e}");
    let e = with("2026-11-10.toml", &|t| {
        t.replace(
            "\"744.11-a1-affiliates-suspended\",",
            "\"744.11-a1-affiliates-suspendd\",",
        )
    });
    assert_eq!(
        (e.file.as_str(), e.key.as_str()),
        ("data/packs/2026-11-10.toml", "pack.remove"),
        "{e}"
    );
    let e = with("2025-09-29.toml", &|t| {
        t.replace("include = [\"affiliates\"]", "include = [\"afiliates\"]")
    });
    assert_eq!(e.key, "pack.include", "{e}");
}

#[test]
fn regs_diff_from_2024_to_2026_shows_the_h200_rule() {
    let r = reg();
    let diff = r.packs.diff(d("2024-06-01"), d("2026-02-01")).unwrap();
    assert_eq!(diff.from_pack, "2024-04-04");
    assert_eq!(diff.to_pack, "2026-01-15");
    let ids: Vec<_> = diff
        .entries
        .iter()
        .map(|e| (format!("{:?}", e.change), e.id.as_str()))
        .collect();
    assert!(
        ids.contains(&("Added".into(), "742.6-b10-2026-case-by-case")),
        "{ids:?}"
    );
    assert!(ids.contains(&("Added".into(), "band1")));
    assert!(ids.contains(&("Added".into(), "3A090.c")));
    // 2024-12-02, 2024-12-31, 2025-01-13, 2025-04-09, 2025-05-13, 2025-09-02, 2025-09-29,
    // 2025-11-10 and 2026-01-15.
    assert_eq!(diff.packs_between.len(), 9);
}

#[test]
fn country_groups_follow_their_dated_changes() {
    let r = reg();
    let kh = r.countries.parse("KH").unwrap();
    assert!(r
        .countries
        .groups_on(d("2025-11-06"))
        .is_in(kh, tollgate_core::country::Group::D5));
    assert!(!r
        .countries
        .groups_on(d("2025-11-07"))
        .is_in(kh, tollgate_core::country::Group::D5));
    assert!(r
        .countries
        .groups_on(d("2026-02-03"))
        .is_in(kh, tollgate_core::country::Group::D1));
    // Derived licence destinations = (D:1 u D:4 u D:5) - (A:5 u A:6) + MO: 46, as the research lists.
    let p = r.packs.in_force(d("2026-07-01")).unwrap();
    let sets = p.resolve_sets(&r.countries.groups_on(d("2026-07-01")));
    let i = p
        .sets
        .iter()
        .position(|s| s.name == "ac_license_destinations")
        .unwrap();
    let expected: Vec<String> = include_str!("../../../data/ac_license_destinations.csv")
        .lines()
        .skip(1)
        .map(|l| l[..2].to_string())
        .collect();
    let got: Vec<String> = sets[i].iter().map(|c| c.to_string()).collect();
    assert_eq!(got, expected);
    assert!(r.countries.parse("XX").is_none());
    assert_eq!(
        r.countries
            .canonical(r.countries.parse("HK").unwrap())
            .as_str(),
        "CN"
    );
}

#[test]
fn every_catalog_chip_with_figures_classifies_under_every_pack_with_cited_reasons() {
    let r = reg();
    for p in r.packs.all() {
        for chip in r.catalog.chips() {
            match r.classify_chip(&chip.id, p.effective, false) {
                Ok(c) => assert!(c
                    .reasons
                    .iter()
                    .all(|x| !x.rule.is_empty() && x.citation.len() > 5 && !x.message.is_empty())),
                Err(ClassifyError::NoComputeFigures { .. }) => {
                    assert!(chip.specs.dense_tops.is_empty())
                }
                Err(e) => panic!("{}: {e}", chip.id),
            }
        }
    }
}

proptest! {
    /// More TOPS (same die, memory and interconnect) never gives a less controlled ECCN, under any pack.
    #[test]
    fn more_tops_never_gives_a_less_controlled_eccn(
        tops in 1u32..20_000,
        extra in 0u32..20_000,
        area in 50u32..3_000,
        bw in 100u32..30_000,
        ic in 0u32..4_000,
        datacenter in any::<bool>(),
        p in 0usize..10,
    ) {
        let r = reg_cached();
        let prec = Precision::ALL[p];
        let mk = |t: u32| {
            let mut m = BTreeMap::new();
            m.insert(prec, Decimal::from(t) / Decimal::from(10));
            ChipSpecs { name: "p".into(), vendor: "p".into(), kind: ItemKind::Logic, dense_tops: m, die_area_mm2: Some(Decimal::from(area)),
                dram_gb: None, dram_bandwidth_gbs: Some(Decimal::from(bw)), interconnect_gbs: Some(Decimal::from(ic)),
                memory_bandwidth_gbs: None, package_area_mm2: None, datacenter, us_available_from: None }
        };
        for pack in r.packs.all() {
            let lo = classify(pack, &mk(tops), "p", None, pack.effective, false);
            let hi = classify(pack, &mk(tops + extra), "p", None, pack.effective, false);
            prop_assert!(control_rank(&hi.eccn) >= control_rank(&lo.eccn), "pack {}: {} -> {}", pack.id, lo.eccn, hi.eccn);
        }
    }
}

fn reg_cached() -> &'static Regulation {
    static R: std::sync::OnceLock<Regulation> = std::sync::OnceLock::new();
    R.get_or_init(reg)
}
