//! The invariants' arithmetic at its edges, with the refusal each edge gives: a licence exhausted
//! in one of its two limits, a draw exactly to a limit and one past it, the volume cap at its
//! floor, every test-report check on the day and unit it flips, every comparison operator a pack
//! may use in the AI-commodity criteria, and the duty arithmetic.

// The refusals are compared whole, as `check_test_report` returns them.
#![allow(clippy::result_large_err)]

use chrono::NaiveDate;
use rust_decimal::Decimal;
use tollgate_core::{Pack, Regulation};
use tollgate_store::rules::{cap_allowed, check_test_report, duty_accrual, CapLedger, Drawdown};
use tollgate_store::{Measured, Refusal, TestReport};

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn licence(drawn_units: i64, drawn_value: &str) -> Drawdown {
    Drawdown {
        units_limit: 100,
        value_limit: dec("1000.00"),
        drawn_units,
        drawn_value: dec(drawn_value),
    }
}

fn exhausted(drawn_units: i64, drawn_value: &str) -> Refusal {
    Refusal::LicenceExhausted {
        licence: "L-1".into(),
        units_drawn: drawn_units,
        units_limit: 100,
        value_drawn: dec(drawn_value),
        value_limit: dec("1000.00"),
    }
}

#[test]
fn a_licence_exhausted_in_either_limit_refuses_every_draw() {
    // Units used up, value left: exhausted (not "units would be overdrawn").
    assert_eq!(
        licence(100, "10").draw("L-1", 1, dec("1")),
        Err(exhausted(100, "10"))
    );
    // Value used up, units left.
    assert_eq!(
        licence(10, "1000.00").draw("L-1", 1, dec("1")),
        Err(exhausted(10, "1000.00"))
    );
    // Both.
    assert_eq!(
        licence(100, "1000").draw("L-1", 0, Decimal::ZERO),
        Err(exhausted(100, "1000"))
    );
    // One unit and one cent left in each: not exhausted.
    assert!(licence(99, "999.99").draw("L-1", 1, dec("0.01")).is_ok());
}

#[test]
fn a_draw_may_reach_each_limit_exactly_but_not_pass_it() {
    let next = licence(40, "400").draw("L-1", 60, dec("600.00")).unwrap();
    assert_eq!(
        next,
        Drawdown {
            units_limit: 100,
            value_limit: dec("1000.00"),
            drawn_units: 100,
            drawn_value: dec("1000.00"),
        }
    );
    let next = licence(40, "400").draw("L-1", 10, dec("5.50")).unwrap();
    assert_eq!((next.drawn_units, next.drawn_value), (50, dec("405.50")));
    assert_eq!(
        licence(40, "400").draw("L-1", 61, dec("1")),
        Err(Refusal::DrawdownUnits {
            licence: "L-1".into(),
            drawn: 40,
            requested: 61,
            limit: 100,
        })
    );
    assert_eq!(
        licence(40, "400").draw("L-1", 1, dec("600.01")),
        Err(Refusal::DrawdownValue {
            licence: "L-1".into(),
            drawn: dec("400"),
            requested: dec("600.01"),
            limit: dec("1000.00"),
        })
    );
    // Overflow is a refusal, not a panic.
    assert!(matches!(
        licence(40, "400").draw("L-1", i64::MAX, dec("1")),
        Err(Refusal::DrawdownUnits { .. })
    ));
}

#[test]
fn the_volume_cap_is_the_floor_of_the_ratio_and_may_be_reached() {
    assert_eq!(cap_allowed(7, dec("0.5")), 3);
    assert_eq!(cap_allowed(1000, dec("0.25")), 250);
    assert_eq!(cap_allowed(-5, dec("0.5")), 0);
    assert_eq!(cap_allowed(10, dec("-1")), 0);
    let l = CapLedger {
        us_units: 1000,
        china_macau_units: 400,
    };
    assert_eq!(
        l.ship_china_macau("cap", "nvidia", "h200", 100, dec("0.5")),
        Ok(CapLedger {
            us_units: 1000,
            china_macau_units: 500
        })
    );
    assert_eq!(
        l.ship_china_macau("cap", "nvidia", "h200", 101, dec("0.5")),
        Err(Refusal::VolumeCap {
            rule: "cap".into(),
            exporter: "nvidia".into(),
            chip: "h200".into(),
            us_units: 1000,
            shipped: 400,
            requested: 101,
            allowed: 500,
            ratio: dec("0.5"),
        })
    );
}

fn reg() -> &'static Regulation {
    static R: std::sync::OnceLock<Regulation> = std::sync::OnceLock::new();
    R.get_or_init(|| Regulation::bundled().expect("bundled data loads"))
}

fn report(date: &str, units: i64, tpp: &str, bw: &str) -> TestReport {
    TestReport {
        lab: "lab".into(),
        report_id: "R-1".into(),
        date: d(date),
        chip: "H200".into(),
        units_tested: units,
        measured: Measured {
            tpp: dec(tpp),
            dram_bandwidth_gbs: dec(bw),
        },
    }
}

fn check(p: &Pack, r: &TestReport, chip: Option<&str>) -> Result<(), Refusal> {
    check_test_report(p, Some(r), chip, "nvidia-h200-sxm", 10, d("2026-02-01"))
}

#[test]
fn each_test_report_check_flips_where_it_should() {
    let p = reg().packs.get("2026-01-15").unwrap();
    let h200 = Some("nvidia-h200-sxm");
    let ok = report("2026-02-01", 10, "15832", "4800");
    assert_eq!(check(p, &ok, h200), Ok(()));
    assert_eq!(
        check_test_report(p, None, h200, "nvidia-h200-sxm", 10, d("2026-02-01")),
        Err(Refusal::TestReportMissing)
    );
    assert_eq!(
        check(p, &report("2026-02-02", 10, "15832", "4800"), h200),
        Err(Refusal::TestReportAfterShipment {
            report_id: "R-1".into(),
            report_date: "2026-02-02".into(),
            date: "2026-02-01".into(),
        })
    );
    assert_eq!(
        check(p, &report("2026-01-31", 10, "15832", "4800"), h200),
        Ok(())
    );
    assert_eq!(
        check(p, &ok, Some("nvidia-h100-sxm")),
        Err(Refusal::TestReportOtherChip {
            report_id: "R-1".into(),
            report_chip: "H200".into(),
            licence_chip: "nvidia-h200-sxm".into(),
        })
    );
    assert!(matches!(
        check(p, &ok, None),
        Err(Refusal::TestReportOtherChip { .. })
    ));
    assert_eq!(
        check(p, &report("2026-02-01", 9, "15832", "4800"), h200),
        Err(Refusal::TestReportTooFewUnits {
            report_id: "R-1".into(),
            units_tested: 9,
            quantity: 10,
        })
    );
    assert_eq!(
        check(p, &report("2026-02-01", 11, "15832", "4800"), h200),
        Ok(())
    );
    // The 2026 criteria: TPP < 21,000 and DRAM bandwidth < 6,500, both measured.
    let beyond = |metric: &str, measured: &str, op: &str, limit: &str| {
        Err(Refusal::TestReportBeyondCriteria {
            report_id: "R-1".into(),
            metric: metric.into(),
            measured: dec(measured),
            op: op.into(),
            limit: dec(limit),
            criterion: "748-supp2-dd1-performance".into(),
        })
    };
    assert_eq!(
        check(p, &report("2026-02-01", 10, "21000", "4800"), h200),
        beyond("tpp", "21000", "<", "21000")
    );
    assert_eq!(
        check(p, &report("2026-02-01", 10, "20999", "6500"), h200),
        beyond("dram_bandwidth_gbs", "6500", "<", "6500")
    );
    assert_eq!(
        check(p, &report("2026-02-01", 10, "20999", "6499"), h200),
        Ok(())
    );
    // No AI-commodity rule in force: nothing can be shipped under it.
    let old = reg().packs.get("2025-05-13").unwrap();
    assert_eq!(
        check(old, &ok, h200),
        Err(Refusal::NoRuleInForce {
            date: "2026-02-01".into(),
            pack: "2025-05-13".into(),
        })
    );
}

/// A pack whose AI-commodity criteria use every comparison operator.
fn criteria_pack(op: &str) -> Pack {
    let text = format!(
        r#"
[pack]
id = "2030-01-01"
effective = "2030-01-01"
title = "t"
federal_register = "f"
source = "s"
summary = "s"

[tpp]
rule = "tpp"
citation = "c"
message = "m"

[ai_commodity]
rule = "ai-{op}"
citation = "c"
message = "m"
when = [{{ fact = "controlled", is = true }}, {{ fact = "tpp", {op} = 1000 }}, {{ fact = "interconnect_gbs", lt = 1 }}]
us_available_by = "2030-01-01"
"#
    );
    Pack::from_toml("packs/2030-01-01.toml", &text).expect("criteria pack validates")
}

#[test]
fn every_comparison_operator_of_the_criteria_is_checked_on_the_report() {
    // (operator, symbol, passes at 999, at 1000, at 1001). Facts a report does not measure
    // (interconnect) and non-numeric conditions are not checked on it.
    for (op, symbol, want) in [
        ("lt", "<", [true, false, false]),
        ("le", "<=", [true, true, false]),
        ("gt", ">", [false, false, true]),
        ("ge", ">=", [false, true, true]),
        ("eq", "=", [false, true, false]),
    ] {
        let p = criteria_pack(op);
        for (tpp, w) in ["999", "1000", "1001"].into_iter().zip(want) {
            let r = report("2026-02-01", 10, tpp, "100");
            let got = check(&p, &r, Some("nvidia-h200-sxm"));
            if w {
                assert_eq!(got, Ok(()), "tpp {tpp} {op}");
            } else {
                assert_eq!(
                    got,
                    Err(Refusal::TestReportBeyondCriteria {
                        report_id: "R-1".into(),
                        metric: "tpp".into(),
                        measured: dec(tpp),
                        op: symbol.into(),
                        limit: dec("1000"),
                        criterion: format!("ai-{op}"),
                    }),
                    "tpp {tpp} {op}"
                );
            }
        }
    }
}

#[test]
fn duty_is_the_band_rate_of_the_customs_value() {
    let p = reg().packs.get("2026-01-15").unwrap();
    let band = reg()
        .classify_chip("H200", d("2026-02-01"), false)
        .unwrap()
        .duty_band
        .unwrap();
    let a = duty_accrual(p, "nvidia-h200-sxm", Some(&band), dec("31000.00"));
    assert_eq!(a.band.as_deref(), Some("band1"));
    assert_eq!(a.rate_pct, dec("25"));
    assert_eq!(a.amount_usd, dec("7750"));
    assert_eq!(
        a.reason,
        "Section 232 band 1 (H200 class): 25 % of customs value 31000.00 (pack 2026-01-15)"
    );
    let mut odd = band.clone();
    odd.rate_pct = dec("12.5");
    assert_eq!(
        duty_accrual(p, "x", Some(&odd), dec("3")).amount_usd,
        dec("0.375")
    );
    let none = duty_accrual(p, "nvidia-h100-sxm", None, dec("31000.00"));
    assert_eq!(none.band, None);
    assert_eq!(
        (none.rate_pct, none.amount_usd),
        (Decimal::ZERO, Decimal::ZERO)
    );
    assert!(none
        .reason
        .starts_with("nvidia-h100-sxm is outside every Section 232 duty band of pack 2026-01-15: Section 232 band 1 (H200 class) (TPP above 14,000"));
    let old = reg().packs.get("2025-05-13").unwrap();
    assert_eq!(
        duty_accrual(old, "x", None, dec("1")).reason,
        "no Section 232 duty band in pack 2025-05-13: no duty accrues"
    );
}

// ---- issue 12: rules an exporter could game ---------------------------------------------------

use tollgate_store::rules::{
    check_customs_value, check_domestic_date, check_report_plausible, check_report_same, ReportUse,
    DOMESTIC_FUTURE_TOLERANCE_DAYS, MIN_CUSTOMS_PCT, REPORT_TOLERANCE_PCT,
};

#[test]
fn a_report_measures_within_ten_percent_of_the_catalog_either_way() {
    assert_eq!(REPORT_TOLERANCE_PCT, 10);
    let plausible = |tpp: &str, bw: &str| {
        check_report_plausible(
            &report("2026-02-01", 10, tpp, bw),
            "nvidia-h200-sxm",
            Some(dec("15000")),
            Some(dec("4000")),
        )
    };
    let implausible = |metric: &str, measured: &str, catalog: &str| {
        Err(Refusal::TestReportImplausible {
            report_id: "R-1".into(),
            metric: metric.into(),
            measured: dec(measured),
            catalog: dec(catalog),
            chip: "nvidia-h200-sxm".into(),
            tolerance_pct: dec("10"),
        })
    };
    // Exactly 10 % off either way: accepted; a hundredth beyond: refused.
    assert_eq!(plausible("16500", "4400"), Ok(()));
    assert_eq!(plausible("13500", "3600"), Ok(()));
    assert_eq!(
        plausible("16500.01", "4000"),
        implausible("tpp", "16500.01", "15000")
    );
    assert_eq!(
        plausible("13499.99", "4000"),
        implausible("tpp", "13499.99", "15000")
    );
    assert_eq!(
        plausible("15000", "4400.01"),
        implausible("dram_bandwidth_gbs", "4400.01", "4000")
    );
    assert_eq!(
        plausible("15000", "3599.99"),
        implausible("dram_bandwidth_gbs", "3599.99", "4000")
    );
    // TPP 1 for an H200.
    assert_eq!(plausible("1", "4000"), implausible("tpp", "1", "15000"));
    // A figure the catalog lacks is not compared.
    assert_eq!(
        check_report_plausible(&report("2026-02-01", 10, "1", "1"), "x", None, None),
        Ok(())
    );
}

#[test]
fn a_report_reused_must_be_the_same_report_and_covers_its_units_once() {
    let a = report("2026-02-01", 100, "15832", "4800");
    assert_eq!(check_report_same(&a, &a), Ok(()));
    // The same figures written differently are the same report.
    assert_eq!(
        check_report_same(&a, &report("2026-02-01", 100, "15832.0", "4800.00")),
        Ok(())
    );
    let conflict = |field: &str, recorded: &str, given: &str| {
        Err(Refusal::TestReportConflict {
            report_id: "R-1".into(),
            field: field.into(),
            recorded: recorded.into(),
            given: given.into(),
        })
    };
    let mut b = a.clone();
    b.lab = "other".into();
    assert_eq!(check_report_same(&a, &b), conflict("lab", "lab", "other"));
    let mut b = a.clone();
    b.chip = "H100".into();
    assert_eq!(check_report_same(&a, &b), conflict("chip", "H200", "H100"));
    assert_eq!(
        check_report_same(&a, &report("2026-02-02", 100, "15832", "4800")),
        conflict("date", "2026-02-01", "2026-02-02")
    );
    assert_eq!(
        check_report_same(&a, &report("2026-02-01", 1000, "15832", "4800")),
        conflict("units_tested", "100", "1000")
    );
    assert_eq!(
        check_report_same(&a, &report("2026-02-01", 100, "15833", "4800")),
        conflict("measured.tpp", "15832", "15833")
    );
    assert_eq!(
        check_report_same(&a, &report("2026-02-01", 100, "15832", "4801")),
        conflict("measured.dram_bandwidth_gbs", "4800", "4801")
    );
    let u = ReportUse {
        units_tested: 100,
        units_used: 60,
    };
    assert_eq!(
        u.draw("R-1", 40),
        Ok(ReportUse {
            units_tested: 100,
            units_used: 100
        })
    );
    assert_eq!(
        u.draw("R-1", 41),
        Err(Refusal::TestReportExhausted {
            report_id: "R-1".into(),
            units_tested: 100,
            units_used: 60,
            requested: 41,
        })
    );
    assert!(matches!(
        ReportUse {
            units_tested: i64::MAX,
            units_used: i64::MAX - 1
        }
        .draw("R-1", 2),
        Err(Refusal::TestReportExhausted { .. })
    ));
}

#[test]
fn a_low_customs_value_on_a_dutiable_chip_needs_a_reason() {
    assert_eq!(MIN_CUSTOMS_PCT, 10);
    let band = Some("band1");
    let low = |customs: &str| {
        Err(Refusal::CustomsValueTooLow {
            customs_value: dec(customs),
            value: dec("1000.00"),
            min_pct: dec("10"),
            band: "band1".into(),
        })
    };
    assert_eq!(
        check_customs_value(dec("1000.00"), dec("0"), band, None),
        low("0")
    );
    assert_eq!(
        check_customs_value(dec("1000.00"), dec("99.99"), band, None),
        low("99.99")
    );
    assert_eq!(
        check_customs_value(dec("1000.00"), dec("100.00"), band, None),
        Ok(())
    );
    assert_eq!(
        check_customs_value(
            dec("1000.00"),
            dec("0"),
            band,
            Some("sample units, no charge")
        ),
        Ok(())
    );
    // Outside every duty band no duty accrues: any customs value.
    assert_eq!(
        check_customs_value(dec("1000.00"), dec("0"), None, None),
        Ok(())
    );
    // A customs value of 0 on a declared value of 0.01 is still zero.
    assert_eq!(
        check_customs_value(dec("0.01"), dec("0"), band, None),
        Err(Refusal::CustomsValueTooLow {
            customs_value: dec("0"),
            value: dec("0.01"),
            min_pct: dec("10"),
            band: "band1".into(),
        })
    );
}

#[test]
fn a_domestic_shipment_may_be_dated_at_most_a_day_ahead() {
    assert_eq!(DOMESTIC_FUTURE_TOLERANCE_DAYS, 1);
    let today = d("2026-12-01");
    assert_eq!(check_domestic_date(d("2026-12-02"), today), Ok(()));
    assert_eq!(check_domestic_date(d("2025-01-01"), today), Ok(()));
    assert_eq!(
        check_domestic_date(d("2026-12-03"), today),
        Err(Refusal::DomesticFutureDate {
            date: "2026-12-03".into(),
            latest: "2026-12-02".into(),
            tolerance_days: 1,
        })
    );
}
