//! Classification of one item under one regulation pack: TPP, performance density, ECCN, the 2026
//! AI-commodity test and the Section 232 duty band, each step with its reason.

use crate::catalog::{ChipSpecs, ItemKind, Precision};
use crate::condition::{all_hold, first_unmet, BoolFact, CountryFact, Facts, NumFact, StrFact};
use crate::country::Iso2;
use crate::pack::{DutyBand, Pack, RuleText};
use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

/// One step of a decision: the rule, its citation and a sentence a compliance officer would sign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Reason {
    pub rule: String,
    pub citation: String,
    pub message: String,
}

impl Reason {
    pub fn new(rule: &str, citation: &str, message: impl Into<String>) -> Self {
        Self {
            rule: rule.to_string(),
            citation: citation.to_string(),
            message: message.into(),
        }
    }
    fn from_text(t: &RuleText, message: impl Into<String>) -> Self {
        Self::new(&t.rule, &t.citation, message)
    }
}

/// The figures computed from the specs, independent of any pack.
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    /// Exact TPP (dense TOPS x bit length, the maximum over precisions); None when no TOPS figure.
    pub tpp: Option<Decimal>,
    /// The precision that sets TPP.
    pub tpp_precision: Option<Precision>,
    pub performance_density: Option<Decimal>,
    pub dram_bandwidth_gbs: Option<Decimal>,
    pub interconnect_gbs: Option<Decimal>,
    pub memory_bandwidth_density: Option<Decimal>,
    pub hbm: bool,
    pub datacenter: bool,
}

impl Metrics {
    pub fn of(specs: &ChipSpecs) -> Self {
        let best = specs
            .dense_tops
            .iter()
            .map(|(p, t)| (*p, *t * Decimal::from(p.bit_length())))
            // On a tie, report the lower bit length: the vendor's headline figure (FP8 1,979 rather than BF16 989.5; FP8 before INT8).
            .max_by(|a, b| {
                a.1.cmp(&b.1)
                    .then(b.0.bit_length().cmp(&a.0.bit_length()))
                    .then(b.0.cmp(&a.0))
            });
        let tpp = best.map(|b| b.1);
        // `checked_div` gives None for a zero area (no density rather than a division by zero).
        let performance_density = match (tpp, specs.die_area_mm2) {
            (Some(t), Some(a)) => t.checked_div(a),
            _ => None,
        };
        let memory_bandwidth_density = match (specs.memory_bandwidth_gbs, specs.package_area_mm2) {
            (Some(b), Some(a)) => b.checked_div(a),
            _ => None,
        };
        Self {
            tpp,
            tpp_precision: best.map(|b| b.0),
            performance_density,
            dram_bandwidth_gbs: specs.dram_bandwidth_gbs,
            interconnect_gbs: specs.interconnect_gbs,
            memory_bandwidth_density,
            hbm: specs.kind == ItemKind::Hbm,
            datacenter: specs.datacenter,
        }
    }
}

/// The result of classifying an item.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    pub chip: String,
    pub as_of: NaiveDate,
    pub regulation: String,
    pub metrics: Metrics,
    /// "3A090.a", "4A090.b", ... or "not_3A090".
    pub eccn: String,
    pub paragraph: Option<String>,
    pub controlled: bool,
    pub system: bool,
    pub ai_commodity_2026: bool,
    pub is_informed: bool,
    pub duty_band: Option<DutyBandRef>,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DutyBandRef {
    pub id: String,
    pub label: String,
    pub rate_pct: Decimal,
}

impl Classification {
    /// TPP as INTERFACES.md prints it: an integer, rounded down.
    pub fn tpp_int(&self) -> Option<u64> {
        self.metrics.tpp.and_then(|t| t.floor().to_u64())
    }

    /// Performance density with at most two decimals.
    pub fn performance_density_2dp(&self) -> Option<Decimal> {
        self.metrics.performance_density.map(|p| {
            p.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
                .normalize()
        })
    }

    /// The JSON object of INTERFACES.md section 1, plus additive fields.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "chip": self.chip,
            "as_of": self.as_of.to_string(),
            "regulation": self.regulation,
            "tpp": self.tpp_int(),
            "performance_density": self.performance_density_2dp().map(dec_json),
            "dram_bandwidth_gbs": self.metrics.dram_bandwidth_gbs.map(dec_json),
            "eccn": self.eccn,
            "ai_commodity_2026": self.ai_commodity_2026,
            "paragraph": self.paragraph,
            "controlled": self.controlled,
            "tpp_exact": self.metrics.tpp.map(|t| t.normalize().to_string()),
            "tpp_precision": self.metrics.tpp_precision.map(|p| p.name()),
            "interconnect_gbs": self.metrics.interconnect_gbs.map(dec_json),
            "datacenter": self.metrics.datacenter,
            "system": self.system,
            "is_informed": self.is_informed,
            "section_232_band": self.duty_band.as_ref().map(|b| serde_json::json!({"id": b.id, "label": b.label, "rate_pct": b.rate_pct.to_string()})),
            "reasons": self.reasons,
        })
    }
}

/// A decimal as a JSON number: an integer when whole, else a float (display figures only, never money).
pub fn dec_json(d: Decimal) -> serde_json::Value {
    let d = d.normalize();
    if d.fract().is_zero() {
        if let Some(u) = d.to_u64() {
            return serde_json::Value::from(u);
        }
    }
    d.to_f64()
        .and_then(serde_json::Number::from_f64)
        .map(serde_json::Value::Number)
        .unwrap_or(serde_json::Value::Null)
}

/// The ECCN field of an item whose compute figures are unknown.
pub const UNCLASSIFIED: &str = "unclassified";

/// Facts of an item before any order is known.
pub(crate) struct ItemFacts<'a> {
    pub m: &'a Metrics,
    pub controlled: bool,
    pub eccn: &'a str,
}

impl Facts for ItemFacts<'_> {
    fn num(&self, f: NumFact) -> Option<Decimal> {
        match f {
            NumFact::Tpp => self.m.tpp,
            NumFact::PerformanceDensity => self.m.performance_density,
            NumFact::DramBandwidthGbs => self.m.dram_bandwidth_gbs,
            NumFact::InterconnectGbs => self.m.interconnect_gbs,
            NumFact::MemoryBandwidthDensity => self.m.memory_bandwidth_density,
        }
    }
    fn boolean(&self, f: BoolFact) -> Option<bool> {
        match f {
            BoolFact::Hbm => Some(self.m.hbm),
            BoolFact::Datacenter => Some(self.m.datacenter),
            BoolFact::Controlled => Some(self.controlled),
            _ => None,
        }
    }
    fn string(&self, f: StrFact) -> Option<&str> {
        match f {
            StrFact::Eccn => Some(self.eccn),
            _ => None,
        }
    }
    // Country facts are order facts: a pack may not use them at classification (refused at
    // load), so nothing calls this and its mutant (another empty slice) cannot be noticed.
    #[mutants::skip]
    fn countries(&self, _: CountryFact) -> &[Iso2] {
        &[]
    }
}

fn fmt_dec(d: Decimal) -> String {
    let d = d.normalize();
    let s = d.to_string();
    // Thousands separators on the integer part, as regulators write figures.
    let (int, frac) = s
        .split_once('.')
        .map(|(a, b)| (a.to_string(), Some(b.to_string())))
        .unwrap_or((s.clone(), None));
    let neg = int.starts_with('-');
    let digits: Vec<char> = int.trim_start_matches('-').chars().collect();
    let mut out = String::new();
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(*c);
    }
    format!(
        "{}{}{}",
        if neg { "-" } else { "" },
        out,
        frac.map(|f| format!(".{f}")).unwrap_or_default()
    )
}

/// Classifies an item under `pack`. `chip` is the catalog id (or the inline name); `chip_id` the
/// catalog id used for is-informed letters; `system` asks for the 4A090 classification of a
/// computer containing the item.
pub fn classify(
    pack: &Pack,
    specs: &ChipSpecs,
    chip: &str,
    chip_id: Option<&str>,
    as_of: NaiveDate,
    system: bool,
) -> Classification {
    classify_with(pack, specs, chip, chip_id, as_of, system, true)
}

/// Reasons are written when asked for, or only when asked for.
struct Sink {
    on: bool,
    v: Vec<Reason>,
}

impl Sink {
    // Writing the sentences when they are not asked for changes only the cost (a decision
    // rewrites an inline item's sentences when its reasons are read), so no test can see it.
    #[mutants::skip]
    fn push(&mut self, r: impl FnOnce() -> Reason) {
        if self.on {
            self.v.push(r());
        }
    }
}

/// [`classify`], writing the reason sentences only when `reasons` is true (a decision on inline
/// specs classifies the item per order and writes its sentences only if they are read).
pub fn classify_with(
    pack: &Pack,
    specs: &ChipSpecs,
    chip: &str,
    chip_id: Option<&str>,
    as_of: NaiveDate,
    system: bool,
    reasons: bool,
) -> Classification {
    let m = Metrics::of(specs);
    let mut reasons = Sink {
        on: reasons,
        v: Vec::new(),
    };

    match (m.tpp, m.tpp_precision) {
        (Some(tpp), Some(p)) => {
            let tops = specs.dense_tops.get(&p).copied().unwrap_or_default();
            reasons.push(|| Reason::from_text(
                &pack.tpp,
                format!("TPP is {} = {} dense TOPS at {} x {} bits, the highest over the precisions given", fmt_dec(tpp.floor()), fmt_dec(tops), p.name(), p.bit_length()),
            ));
        }
        _ if m.hbm => {}
        _ => reasons.push(|| {
            Reason::from_text(
                &pack.tpp,
                "no dense TOPS figure is known, so TPP cannot be computed",
            )
        }),
    }
    if let Some(pd) = &pack.performance_density {
        match (m.performance_density, specs.die_area_mm2) {
            (Some(v), Some(a)) => reasons.push(|| Reason::from_text(
                pd,
                format!("performance density is {} = TPP / {} mm2 applicable die area", fmt_dec(v.round_dp(2)), fmt_dec(a)),
            )),
            _ if !m.hbm => reasons.push(|| Reason::from_text(pd, "die area is not published, so performance density is unknown; only the TPP tests can be applied")),
            _ => {}
        }
    }

    let facts = ItemFacts {
        m: &m,
        controlled: false,
        eccn: "",
    };
    let hit = pack
        .eccn
        .iter()
        .find(|e| all_hold(&e.rule.when, &facts, &[]));
    let excluded = hit.and_then(|_| {
        pack.eccn_exclusion
            .iter()
            .find(|x| all_hold(&x.when, &facts, &[]))
    });
    let (mut eccn, paragraph, controlled) = match (hit, excluded) {
        (Some(e), None) => {
            reasons.push(|| {
                Reason::new(
                    &e.rule.id,
                    &e.rule.citation,
                    format!("meets {}: {}", e.paragraph, e.rule.message),
                )
            });
            (e.eccn.clone(), Some(e.paragraph.clone()), true)
        }
        (Some(e), Some(x)) => {
            reasons.push(|| {
                Reason::new(
                    &x.id,
                    &x.citation,
                    format!("would meet {} but is excluded: {}", e.paragraph, x.message),
                )
            });
            ("not_3A090".to_string(), None, false)
        }
        (None, _) if m.tpp.is_none() && !m.hbm => {
            let cite = pack
                .eccn
                .first()
                .map(|e| (e.rule.id.as_str(), e.rule.citation.as_str()))
                .unwrap_or(("3a090", "15 CFR Part 774, Supp. No. 1, ECCN 3A090"));
            reasons.push(|| Reason::new(
                cite.0,
                cite.1,
                "its compute figures are not published, so no advanced-computing paragraph can be tested: unclassified",
            ));
            (UNCLASSIFIED.to_string(), None, false)
        }
        (None, _) => {
            let cite = pack
                .eccn
                .first()
                .map(|e| (e.rule.id.as_str(), e.rule.citation.as_str()))
                .unwrap_or(("3a090", "15 CFR Part 774, Supp. No. 1, ECCN 3A090"));
            let tests = pack
                .eccn
                .iter()
                .map(|e| e.paragraph.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            reasons.push(|| {
                Reason::new(
                    cite.0,
                    cite.1,
                    format!("meets none of the advanced-computing paragraphs ({tests}): not 3A090"),
                )
            });
            ("not_3A090".to_string(), None, false)
        }
    };
    if system && controlled {
        if let Some(s) = pack.system_eccn.iter().find(|s| s.from == eccn) {
            reasons.push(|| {
                Reason::new(
                    &s.rule,
                    &s.citation,
                    format!("as {}, it is {}", s.message, s.eccn),
                )
            });
            eccn = s.eccn.clone();
        }
    }

    let is_informed = match &pack.is_informed {
        Some(i) if chip_id.is_some_and(|id| i.chips.iter().any(|c| c == id)) => {
            reasons.push(|| {
                Reason::new(
                    &i.rule,
                    &i.citation,
                    format!("named in an is-informed letter: {}", i.message),
                )
            });
            true
        }
        // Chips that reach a named chip's bandwidth, of a vendor the letters went to (an item
        // whose vendor is not stated is taken to be one: the cautious reading).
        Some(i)
            if !pack.is_informed_when.is_empty()
                && (specs.vendor.trim().is_empty()
                    || i.vendors
                        .iter()
                        .any(|v| v.eq_ignore_ascii_case(specs.vendor.trim())))
                && all_hold(
                    &pack.is_informed_when,
                    &ItemFacts {
                        m: &m,
                        controlled,
                        eccn: &eccn,
                    },
                    &[],
                ) =>
        {
            reasons.push(|| {
                Reason::new(
                    &i.rule,
                    &i.citation,
                    format!(
                        "reaches the bandwidth of a chip named in an is-informed letter ({}): {}",
                        i.when_message.as_deref().unwrap_or("see the pack"),
                        i.message
                    ),
                )
            });
            true
        }
        _ => false,
    };

    let facts = ItemFacts {
        m: &m,
        controlled,
        eccn: &eccn,
    };
    let ai_commodity_2026 = match &pack.ai_commodity {
        None => false,
        Some(a) => {
            let perf = all_hold(&a.rule.when, &facts, &[]);
            let avail = specs
                .us_available_from
                .is_some_and(|d| d <= a.us_available_by);
            reasons.push(|| {
                let msg = if perf && avail {
                    format!("is an AI commodity: {}", a.rule.message)
                } else if !perf {
                    let why = first_unmet(&a.rule.when, &facts, &[])
                        .map(|c| c.describe_unmet(&facts))
                        .unwrap_or_default();
                    format!("is not an AI commodity: {why}")
                } else {
                    format!("is not an AI commodity: not shown to be commercially available in the US on {}", a.us_available_by)
                };
                Reason::new(&a.rule.id, &a.rule.citation, msg)
            });
            perf && avail
        }
    };

    let band: Option<&DutyBand> = pack
        .duty_bands
        .iter()
        .find(|b| all_hold(&b.rule.when, &facts, &[]));
    let duty_band = match band {
        Some(b) => {
            reasons.push(|| {
                Reason::new(
                    &b.rule.id,
                    &b.rule.citation,
                    format!(
                        "inside {}: {}; {} % duty on import",
                        b.label, b.rule.message, b.rate_pct
                    ),
                )
            });
            Some(DutyBandRef {
                id: b.id.clone(),
                label: b.label.clone(),
                rate_pct: b.rate_pct,
            })
        }
        None => {
            if let Some(first) = pack.duty_bands.first() {
                reasons.push(|| {
                    let labels = pack
                        .duty_bands
                        .iter()
                        .map(|b| b.label.as_str())
                        .collect::<Vec<_>>()
                        .join(" and ");
                    Reason::new(
                        &first.rule.id,
                        &first.rule.citation,
                        format!("outside {labels}: no Section 232 duty"),
                    )
                });
            }
            None
        }
    };

    Classification {
        chip: chip.to_string(),
        as_of,
        regulation: pack.id.clone(),
        metrics: m,
        eccn,
        paragraph,
        controlled,
        system,
        ai_commodity_2026,
        is_informed,
        duty_band,
        reasons: reasons.v,
    }
}

/// How restrictive an ECCN is, for the monotonicity property (higher is more controlled).
pub fn control_rank(eccn: &str) -> u8 {
    match eccn {
        "3A090.a" | "4A090.a" => 2,
        "3A090.b" | "4A090.b" => 1,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::fmt_dec;
    use rust_decimal::Decimal;

    #[test]
    fn figures_get_thousands_separators() {
        assert_eq!(fmt_dec(Decimal::from(15832)), "15,832");
        assert_eq!(fmt_dec("2614.90".parse().unwrap()), "2,614.9");
        assert_eq!(fmt_dec(Decimal::from(480)), "480");
    }
}
