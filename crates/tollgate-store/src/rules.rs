//! The arithmetic of the invariants, pure and separately testable: licence drawdown, the
//! China+Macau volume cap, the test-report checks and the duty accrual. The numbers (criteria,
//! ratio, duty rate) always come from the regulation pack in force; nothing is hard-coded here.

use crate::error::Refusal;
use crate::model::{DutyAccrual, TestReport};
use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use tollgate_core::condition::{Condition, NumFact};
use tollgate_core::Pack;

/// Largest quantity a single record may carry (units); keeps all sums far from i64 overflow.
pub const MAX_UNITS: i64 = 1_000_000_000_000;
/// Largest amount a single record may carry (USD).
pub const MAX_USD: i64 = 1_000_000_000_000_000;

/// A licence's limits and what has been drawn on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drawdown {
    pub units_limit: i64,
    pub value_limit: Decimal,
    pub drawn_units: i64,
    pub drawn_value: Decimal,
}

impl Drawdown {
    /// Draws `units` and `value` if the licence allows it; otherwise says which limit refuses.
    pub fn draw(&self, licence: &str, units: i64, value: Decimal) -> Result<Drawdown, Refusal> {
        if self.drawn_units >= self.units_limit || self.drawn_value >= self.value_limit {
            return Err(Refusal::LicenceExhausted {
                licence: licence.to_string(),
                units_drawn: self.drawn_units,
                units_limit: self.units_limit,
                value_drawn: self.drawn_value,
                value_limit: self.value_limit,
            });
        }
        let new_units = self.drawn_units.checked_add(units);
        if new_units.is_none_or(|n| n > self.units_limit) {
            return Err(Refusal::DrawdownUnits {
                licence: licence.to_string(),
                drawn: self.drawn_units,
                requested: units,
                limit: self.units_limit,
            });
        }
        let new_value = self.drawn_value.checked_add(value);
        if new_value.is_none_or(|v| v > self.value_limit) {
            return Err(Refusal::DrawdownValue {
                licence: licence.to_string(),
                drawn: self.drawn_value,
                requested: value,
                limit: self.value_limit,
            });
        }
        Ok(Drawdown {
            drawn_units: new_units.unwrap_or(self.drawn_units),
            drawn_value: new_value.unwrap_or(self.drawn_value),
            ..*self
        })
    }
}

/// The most China+Macau units allowed against `us_units` of US end-use units: floor(us × ratio).
pub fn cap_allowed(us_units: i64, ratio: Decimal) -> i64 {
    (Decimal::from(us_units.max(0)) * ratio.max(Decimal::ZERO))
        .floor()
        .to_i64()
        .unwrap_or(i64::MAX)
}

/// The cumulative cap ledger of one exporter and chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapLedger {
    pub us_units: i64,
    pub china_macau_units: i64,
}

impl CapLedger {
    /// Adds `units` to China+Macau if the cumulative total stays within `ratio` of US units.
    pub fn ship_china_macau(
        &self,
        rule: &str,
        exporter: &str,
        chip: &str,
        units: i64,
        ratio: Decimal,
    ) -> Result<CapLedger, Refusal> {
        let allowed = cap_allowed(self.us_units, ratio);
        match self.china_macau_units.checked_add(units) {
            Some(n) if n <= allowed => Ok(CapLedger {
                china_macau_units: n,
                ..*self
            }),
            _ => Err(Refusal::VolumeCap {
                rule: rule.to_string(),
                exporter: exporter.to_string(),
                chip: chip.to_string(),
                us_units: self.us_units,
                shipped: self.china_macau_units,
                requested: units,
                allowed,
                ratio,
            }),
        }
    }
}

/// Checks a test report against the shipment: present, dated on or before it, covering at least
/// its units, naming the licence's chip (`report_chip_id`: the report's chip resolved through the
/// catalog, `None` when it resolves to nothing), and measuring within the pack's AI-commodity
/// criteria.
pub fn check_test_report(
    pack: &Pack,
    report: Option<&TestReport>,
    report_chip_id: Option<&str>,
    licence_chip: &str,
    quantity_units: i64,
    date: NaiveDate,
) -> Result<(), Refusal> {
    let Some(r) = report else {
        return Err(Refusal::TestReportMissing);
    };
    if r.date > date {
        return Err(Refusal::TestReportAfterShipment {
            report_id: r.report_id.clone(),
            report_date: r.date.to_string(),
            date: date.to_string(),
        });
    }
    if report_chip_id != Some(licence_chip) {
        return Err(Refusal::TestReportOtherChip {
            report_id: r.report_id.clone(),
            report_chip: r.chip.clone(),
            licence_chip: licence_chip.to_string(),
        });
    }
    if r.units_tested < quantity_units {
        return Err(Refusal::TestReportTooFewUnits {
            report_id: r.report_id.clone(),
            units_tested: r.units_tested,
            quantity: quantity_units,
        });
    }
    let Some(ai) = &pack.ai_commodity else {
        return Err(Refusal::NoRuleInForce {
            date: date.to_string(),
            pack: pack.id.clone(),
        });
    };
    for c in &ai.rule.when {
        if let Condition::Cmp { fact, op, value } = c {
            let (metric, measured) = match fact {
                NumFact::Tpp => ("tpp", r.measured.tpp),
                NumFact::DramBandwidthGbs => ("dram_bandwidth_gbs", r.measured.dram_bandwidth_gbs),
                _ => continue,
            };
            if !op.holds(measured, *value) {
                return Err(Refusal::TestReportBeyondCriteria {
                    report_id: r.report_id.clone(),
                    metric: metric.to_string(),
                    measured,
                    op: op.symbol().to_string(),
                    limit: *value,
                    criterion: ai.rule.id.clone(),
                });
            }
        }
    }
    Ok(())
}

/// How far (in %, either way) a test report's measured TPP and DRAM bandwidth may lie from the
/// catalog's figures for the chip. A store constant, not a pack parameter: the packs are
/// validated strictly by tollgate-core (unknown keys are refused) and say nothing about
/// measurement tolerance; ±10 % covers the spread of vendor figures between SKUs and firmware
/// and still refuses a report that measures another product (or TPP 1 for an H200).
pub const REPORT_TOLERANCE_PCT: i64 = 10;

/// A customs value below this share (in %) of the declared value (or zero) on a chip in a
/// Section 232 duty band needs a stated reason: the duty is a share of the customs value.
pub const MIN_CUSTOMS_PCT: i64 = 10;

/// How many days after today a US end-use shipment may be dated (time zones, a shipment
/// recorded the evening before it leaves); later dates are refused.
pub const DOMESTIC_FUTURE_TOLERANCE_DAYS: i64 = 1;

/// Checks a report's measurements against the catalog figures of the chip it names: each
/// figure the catalog has must be within [`REPORT_TOLERANCE_PCT`] of it.
pub fn check_report_plausible(
    r: &TestReport,
    chip: &str,
    catalog_tpp: Option<Decimal>,
    catalog_dram_bandwidth_gbs: Option<Decimal>,
) -> Result<(), Refusal> {
    let tol = Decimal::from(REPORT_TOLERANCE_PCT);
    for (metric, measured, catalog) in [
        ("tpp", r.measured.tpp, catalog_tpp),
        (
            "dram_bandwidth_gbs",
            r.measured.dram_bandwidth_gbs,
            catalog_dram_bandwidth_gbs,
        ),
    ] {
        let Some(catalog) = catalog else { continue };
        // |measured - catalog| <= tol % of catalog, in exact decimals.
        if (measured - catalog).abs() * Decimal::ONE_HUNDRED > catalog.abs() * tol {
            return Err(Refusal::TestReportImplausible {
                report_id: r.report_id.clone(),
                metric: metric.to_string(),
                measured,
                catalog,
                chip: chip.to_string(),
                tolerance_pct: tol,
            });
        }
    }
    Ok(())
}

/// A test report as first recorded must be the report every later shipment cites under the
/// same id: the first field that differs refuses.
pub fn check_report_same(recorded: &TestReport, given: &TestReport) -> Result<(), Refusal> {
    let fields: [(&str, String, String); 6] = [
        ("lab", recorded.lab.clone(), given.lab.clone()),
        ("chip", recorded.chip.clone(), given.chip.clone()),
        ("date", recorded.date.to_string(), given.date.to_string()),
        (
            "units_tested",
            recorded.units_tested.to_string(),
            given.units_tested.to_string(),
        ),
        (
            "measured.tpp",
            recorded.measured.tpp.normalize().to_string(),
            given.measured.tpp.normalize().to_string(),
        ),
        (
            "measured.dram_bandwidth_gbs",
            recorded.measured.dram_bandwidth_gbs.normalize().to_string(),
            given.measured.dram_bandwidth_gbs.normalize().to_string(),
        ),
    ];
    for (field, a, b) in fields {
        if a != b {
            return Err(Refusal::TestReportConflict {
                report_id: given.report_id.clone(),
                field: field.to_string(),
                recorded: a,
                given: b,
            });
        }
    }
    Ok(())
}

/// The units shipped under one test report, across all shipments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportUse {
    pub units_tested: i64,
    pub units_used: i64,
}

impl ReportUse {
    /// Adds `units` if the report still covers them.
    pub fn draw(&self, report_id: &str, units: i64) -> Result<ReportUse, Refusal> {
        match self.units_used.checked_add(units) {
            Some(n) if n <= self.units_tested => Ok(ReportUse {
                units_used: n,
                ..*self
            }),
            _ => Err(Refusal::TestReportExhausted {
                report_id: report_id.to_string(),
                units_tested: self.units_tested,
                units_used: self.units_used,
                requested: units,
            }),
        }
    }
}

/// A customs value of 0, or below [`MIN_CUSTOMS_PCT`] % of the declared value, on a chip in a
/// duty band (`band`) is refused unless a reason is given.
pub fn check_customs_value(
    value_usd: Decimal,
    customs_value_usd: Decimal,
    band: Option<&str>,
    low_value_reason: Option<&str>,
) -> Result<(), Refusal> {
    let Some(band) = band else { return Ok(()) };
    if low_value_reason.is_some() {
        return Ok(());
    }
    let min_pct = Decimal::from(MIN_CUSTOMS_PCT);
    if customs_value_usd <= Decimal::ZERO
        || customs_value_usd * Decimal::ONE_HUNDRED < value_usd * min_pct
    {
        return Err(Refusal::CustomsValueTooLow {
            customs_value: customs_value_usd,
            value: value_usd,
            min_pct,
            band: band.to_string(),
        });
    }
    Ok(())
}

/// A US end-use shipment may be dated at most [`DOMESTIC_FUTURE_TOLERANCE_DAYS`] after `today`.
pub fn check_domestic_date(date: NaiveDate, today: NaiveDate) -> Result<(), Refusal> {
    let latest = today + chrono::Days::new(DOMESTIC_FUTURE_TOLERANCE_DAYS as u64);
    if date > latest {
        return Err(Refusal::DomesticFutureDate {
            date: date.to_string(),
            latest: latest.to_string(),
            tolerance_days: DOMESTIC_FUTURE_TOLERANCE_DAYS,
        });
    }
    Ok(())
}

/// The duty an export shipment accrues: the band's rate on the customs value, or none (and why).
pub fn duty_accrual(
    pack: &Pack,
    chip: &str,
    band: Option<&tollgate_core::classify::DutyBandRef>,
    customs_value_usd: Decimal,
) -> DutyAccrual {
    match band {
        Some(b) => DutyAccrual {
            band: Some(b.id.clone()),
            rate_pct: b.rate_pct,
            amount_usd: customs_value_usd * b.rate_pct / Decimal::ONE_HUNDRED,
            reason: format!(
                "{}: {} % of customs value {} (pack {})",
                b.label, b.rate_pct, customs_value_usd, pack.id
            ),
            low_value_reason: None,
        },
        None => {
            let bands: Vec<String> = pack
                .duty_bands
                .iter()
                .map(|b| format!("{} ({})", b.label, b.rule.message))
                .collect();
            let reason = if bands.is_empty() {
                format!(
                    "no Section 232 duty band in pack {}: no duty accrues",
                    pack.id
                )
            } else {
                format!(
                    "{chip} is outside every Section 232 duty band of pack {}: {}; no duty accrues",
                    pack.id,
                    bands.join("; ")
                )
            };
            DutyAccrual {
                band: None,
                rate_pct: Decimal::ZERO,
                amount_usd: Decimal::ZERO,
                reason,
                low_value_reason: None,
            }
        }
    }
}
