//! The small condition language regulation packs use in `when = [...]`.
//!
//! Packs name facts; this module compiles them into typed conditions once, at load time, so that
//! evaluation is a few field reads and comparisons (the decision engine runs it a million times a
//! second). Which facts a section may use is checked at load: classification sections see only the
//! item's own figures, decision sections see the order too.

use crate::country::{CountrySet, Iso2};
use crate::error::DataError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumFact {
    Tpp,
    PerformanceDensity,
    DramBandwidthGbs,
    InterconnectGbs,
    MemoryBandwidthDensity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoolFact {
    Hbm,
    Datacenter,
    Controlled,
    AiCommodity,
    S232Band,
    IsInformed,
    MilitaryEndUse,
    CertificationsComplete,
    WithinVolumeCap,
    /// The Part 744 certification of the 2026 conditions (unknown when the order does not give it).
    NoPart744EndUse,
    MilitaryIntelligenceEndUse,
    SupercomputerEndUse,
    AdvancedNodeIcEndUse,
    NuclearEndUse,
    MissileEndUse,
    ChemicalBiologicalEndUse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrFact {
    Eccn,
    Transaction,
    ReviewPolicyRule,
    /// The ultimate consignee's and end user's addresses (for regions such as Crimea that have
    /// no country code of their own).
    DestinationAddress,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountryFact {
    Destination,
    EndUserCountry,
    PartyHeadquarters,
    ShipFrom,
}

/// When a fact becomes known: a section may only use facts of its own stage or earlier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// The item's own figures.
    Item,
    /// After classification (ECCN, AI commodity, duty band).
    Classified,
    /// With the order (parties, destination, certifications).
    Order,
    /// After the review policy is chosen.
    Policy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fact {
    Num(NumFact),
    Bool(BoolFact),
    Str(StrFact),
    Country(CountryFact),
}

const FACTS: &[(&str, Fact, Stage)] = &[
    ("tpp", Fact::Num(NumFact::Tpp), Stage::Item),
    (
        "performance_density",
        Fact::Num(NumFact::PerformanceDensity),
        Stage::Item,
    ),
    (
        "dram_bandwidth_gbs",
        Fact::Num(NumFact::DramBandwidthGbs),
        Stage::Item,
    ),
    (
        "interconnect_gbs",
        Fact::Num(NumFact::InterconnectGbs),
        Stage::Item,
    ),
    (
        "memory_bandwidth_density",
        Fact::Num(NumFact::MemoryBandwidthDensity),
        Stage::Item,
    ),
    ("hbm", Fact::Bool(BoolFact::Hbm), Stage::Item),
    ("datacenter", Fact::Bool(BoolFact::Datacenter), Stage::Item),
    (
        "controlled",
        Fact::Bool(BoolFact::Controlled),
        Stage::Classified,
    ),
    ("eccn", Fact::Str(StrFact::Eccn), Stage::Classified),
    (
        "ai_commodity",
        Fact::Bool(BoolFact::AiCommodity),
        Stage::Classified,
    ),
    (
        "s232_band",
        Fact::Bool(BoolFact::S232Band),
        Stage::Classified,
    ),
    (
        "is_informed",
        Fact::Bool(BoolFact::IsInformed),
        Stage::Classified,
    ),
    (
        "military_end_use",
        Fact::Bool(BoolFact::MilitaryEndUse),
        Stage::Order,
    ),
    (
        "certifications_complete",
        Fact::Bool(BoolFact::CertificationsComplete),
        Stage::Order,
    ),
    (
        "within_volume_cap",
        Fact::Bool(BoolFact::WithinVolumeCap),
        Stage::Order,
    ),
    ("transaction", Fact::Str(StrFact::Transaction), Stage::Order),
    (
        "destination_address",
        Fact::Str(StrFact::DestinationAddress),
        Stage::Order,
    ),
    (
        "no_part744_end_use",
        Fact::Bool(BoolFact::NoPart744EndUse),
        Stage::Order,
    ),
    (
        "military_intelligence_end_use",
        Fact::Bool(BoolFact::MilitaryIntelligenceEndUse),
        Stage::Order,
    ),
    (
        "supercomputer_end_use",
        Fact::Bool(BoolFact::SupercomputerEndUse),
        Stage::Order,
    ),
    (
        "advanced_node_ic_end_use",
        Fact::Bool(BoolFact::AdvancedNodeIcEndUse),
        Stage::Order,
    ),
    (
        "nuclear_end_use",
        Fact::Bool(BoolFact::NuclearEndUse),
        Stage::Order,
    ),
    (
        "missile_end_use",
        Fact::Bool(BoolFact::MissileEndUse),
        Stage::Order,
    ),
    (
        "chemical_biological_end_use",
        Fact::Bool(BoolFact::ChemicalBiologicalEndUse),
        Stage::Order,
    ),
    (
        "destination",
        Fact::Country(CountryFact::Destination),
        Stage::Order,
    ),
    (
        "end_user_country",
        Fact::Country(CountryFact::EndUserCountry),
        Stage::Order,
    ),
    (
        "party_headquarters",
        Fact::Country(CountryFact::PartyHeadquarters),
        Stage::Order,
    ),
    (
        "ship_from",
        Fact::Country(CountryFact::ShipFrom),
        Stage::Order,
    ),
    (
        "review_policy_rule",
        Fact::Str(StrFact::ReviewPolicyRule),
        Stage::Policy,
    ),
];

fn fact_name(f: Fact) -> &'static str {
    FACTS
        .iter()
        .find(|(_, x, _)| *x == f)
        .map(|(n, _, _)| *n)
        .unwrap_or("?")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
}

impl CmpOp {
    /// Whether `a <op> b` holds.
    pub fn holds(&self, a: Decimal, b: Decimal) -> bool {
        match self {
            CmpOp::Ge => a >= b,
            CmpOp::Gt => a > b,
            CmpOp::Le => a <= b,
            CmpOp::Lt => a < b,
            CmpOp::Eq => a == b,
        }
    }
    pub fn symbol(&self) -> &'static str {
        match self {
            CmpOp::Ge => ">=",
            CmpOp::Gt => ">",
            CmpOp::Le => "<=",
            CmpOp::Lt => "<",
            CmpOp::Eq => "=",
        }
    }
}

/// A compiled condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Cmp {
        fact: NumFact,
        op: CmpOp,
        value: Decimal,
    },
    Bool {
        fact: BoolFact,
        value: bool,
    },
    /// Holds unless the fact is known to be `value` (an unknown fact passes).
    BoolNot {
        fact: BoolFact,
        value: bool,
    },
    /// The text fact contains one of the phrases (case-insensitive).
    Contains {
        fact: StrFact,
        phrases: Vec<String>,
    },
    /// None of the fact's countries is in the set.
    NotInSet {
        fact: CountryFact,
        set: usize,
        set_name: String,
    },
    Str {
        fact: StrFact,
        values: Vec<String>,
    },
    InSet {
        fact: CountryFact,
        set: usize,
        set_name: String,
    },
    InList {
        fact: CountryFact,
        set: CountrySet,
        codes: Vec<String>,
    },
    Any(Vec<Condition>),
}

/// Where facts come from: an item being classified, or an order item being decided.
pub trait Facts {
    fn num(&self, f: NumFact) -> Option<Decimal>;
    fn boolean(&self, f: BoolFact) -> Option<bool>;
    fn string(&self, f: StrFact) -> Option<&str>;
    /// All values of a country fact (several for party headquarters).
    fn countries(&self, f: CountryFact) -> &[Iso2];
}

impl Condition {
    /// Whether the condition holds. A fact that is unknown makes a comparison false.
    pub fn holds<F: Facts + ?Sized>(&self, facts: &F, sets: &[CountrySet]) -> bool {
        match self {
            Condition::Cmp { fact, op, value } => {
                facts.num(*fact).is_some_and(|v| op.holds(v, *value))
            }
            Condition::Bool { fact, value } => facts.boolean(*fact) == Some(*value),
            Condition::BoolNot { fact, value } => facts.boolean(*fact) != Some(*value),
            // Text facts come lower case (the decision engine folds addresses once per order),
            // and phrases are folded at load.
            Condition::Contains { fact, phrases } => facts
                .string(*fact)
                .is_some_and(|s| phrases.iter().any(|p| s.contains(p.as_str()))),
            Condition::NotInSet { fact, set, .. } => sets
                .get(*set)
                .is_some_and(|s| !facts.countries(*fact).iter().any(|c| s.contains(*c))),
            Condition::Str { fact, values } => facts
                .string(*fact)
                .is_some_and(|s| values.iter().any(|v| v == s)),
            Condition::InSet { fact, set, .. } => sets
                .get(*set)
                .is_some_and(|s| facts.countries(*fact).iter().any(|c| s.contains(*c))),
            Condition::InList { fact, set, .. } => {
                facts.countries(*fact).iter().any(|c| set.contains(*c))
            }
            Condition::Any(cs) => cs.iter().any(|c| c.holds(facts, sets)),
        }
    }

    /// A plain description of the condition and the actual value, for "why this rule did not apply".
    pub fn describe_unmet<F: Facts + ?Sized>(&self, facts: &F) -> String {
        match self {
            Condition::Cmp { fact, op, value } => {
                let name = fact_name(Fact::Num(*fact));
                match facts.num(*fact) {
                    Some(v) => format!(
                        "{name} {} {value} does not hold ({name} is {})",
                        op.symbol(),
                        v.normalize()
                    ),
                    None => format!(
                        "{name} {} {value} cannot be shown: {name} is unknown",
                        op.symbol()
                    ),
                }
            }
            Condition::Bool { fact, value } => {
                let name = fact_name(Fact::Bool(*fact));
                match facts.boolean(*fact) {
                    Some(v) => format!("{name} is {v}, the rule needs {value}"),
                    None => format!("{name} is unknown, the rule needs {value}"),
                }
            }
            Condition::BoolNot { fact, value } => {
                let name = fact_name(Fact::Bool(*fact));
                format!("{name} is {value}, the rule needs it not to be")
            }
            Condition::Contains { fact, phrases } => {
                let name = fact_name(Fact::Str(*fact));
                format!("{name} names none of {}", phrases.join(", "))
            }
            Condition::NotInSet { fact, set_name, .. } => {
                let name = fact_name(Fact::Country(*fact));
                format!(
                    "{name} {} is in {set_name}",
                    join_countries(facts.countries(*fact))
                )
            }
            Condition::Str { fact, values } => {
                let name = fact_name(Fact::Str(*fact));
                format!(
                    "{name} is {}, the rule needs {}",
                    facts.string(*fact).unwrap_or("unknown"),
                    values.join(" or ")
                )
            }
            Condition::InSet { fact, set_name, .. } => {
                let name = fact_name(Fact::Country(*fact));
                format!(
                    "{name} {} is not in {set_name}",
                    join_countries(facts.countries(*fact))
                )
            }
            Condition::InList { fact, codes, .. } => {
                let name = fact_name(Fact::Country(*fact));
                format!(
                    "{name} {} is not one of {}",
                    join_countries(facts.countries(*fact)),
                    codes.join(", ")
                )
            }
            Condition::Any(cs) => cs
                .iter()
                .map(|c| c.describe_unmet(facts))
                .collect::<Vec<_>>()
                .join("; and "),
        }
    }
}

fn join_countries(cs: &[Iso2]) -> String {
    if cs.is_empty() {
        "(none)".to_string()
    } else {
        cs.iter().map(|c| c.as_str()).collect::<Vec<_>>().join("/")
    }
}

/// All conditions hold.
pub fn all_hold<F: Facts + ?Sized>(conds: &[Condition], facts: &F, sets: &[CountrySet]) -> bool {
    conds.iter().all(|c| c.holds(facts, sets))
}

/// The first condition that does not hold.
pub fn first_unmet<'a, F: Facts + ?Sized>(
    conds: &'a [Condition],
    facts: &F,
    sets: &[CountrySet],
) -> Option<&'a Condition> {
    conds.iter().find(|c| !c.holds(facts, sets))
}

/// A number in a pack: an integer, a float (read back through its shortest decimal form, so 5.92
/// stays 5.92) or a string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NumLit {
    Int(i64),
    Float(f64),
    Text(String),
}

impl NumLit {
    pub fn to_decimal(&self) -> Result<Decimal, String> {
        match self {
            NumLit::Int(i) => Ok(Decimal::from(*i)),
            NumLit::Float(f) => Decimal::from_str(&f.to_string()).map_err(|e| format!("{f}: {e}")),
            NumLit::Text(s) => Decimal::from_str(s.trim())
                .map_err(|e| format!("'{s}' is not a decimal number: {e}")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IsLit {
    Bool(bool),
    Text(String),
}

/// A condition as written in a pack file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ge: Option<NumLit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gt: Option<NumLit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub le: Option<NumLit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lt: Option<NumLit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eq: Option<NumLit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is: Option<IsLit>,
    #[serde(rename = "in", skip_serializing_if = "Option::is_none")]
    pub in_: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_set: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_in_set: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_not: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contains_any: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<RawCondition>>,
}

/// What the compiler needs to know about the pack around a condition.
pub struct CompileCtx<'a> {
    pub file: &'a str,
    pub max_stage: Stage,
    pub set_names: &'a [String],
}

pub fn compile_all(
    raw: &[RawCondition],
    ctx: &CompileCtx<'_>,
    key: &str,
) -> Result<Vec<Condition>, DataError> {
    raw.iter()
        .enumerate()
        .map(|(i, r)| compile(r, ctx, &format!("{key}[{i}]")))
        .collect()
}

fn compile(r: &RawCondition, ctx: &CompileCtx<'_>, key: &str) -> Result<Condition, DataError> {
    let err = |p: String| DataError::new(ctx.file, key, p);
    if let Some(any) = &r.any {
        if r.fact.is_some() {
            return Err(err(
                "a condition has either 'any' or 'fact', not both".into()
            ));
        }
        if any.is_empty() {
            return Err(err("'any' needs at least one condition".into()));
        }
        return Ok(Condition::Any(compile_all(
            any,
            ctx,
            &format!("{key}.any"),
        )?));
    }
    let name = r
        .fact
        .as_deref()
        .ok_or_else(|| err("missing 'fact' (or 'any')".into()))?;
    let (_, fact, stage) = FACTS.iter().find(|(n, _, _)| *n == name).ok_or_else(|| {
        err(format!(
            "unknown fact '{name}'; known facts: {}",
            FACTS.iter().map(|f| f.0).collect::<Vec<_>>().join(", ")
        ))
    })?;
    if *stage > ctx.max_stage {
        return Err(err(format!(
            "fact '{name}' is not known at this point ({:?} facts only)",
            ctx.max_stage
        )));
    }
    let nums = [
        (CmpOp::Ge, &r.ge),
        (CmpOp::Gt, &r.gt),
        (CmpOp::Le, &r.le),
        (CmpOp::Lt, &r.lt),
        (CmpOp::Eq, &r.eq),
    ];
    let given: Vec<_> = nums.iter().filter(|(_, v)| v.is_some()).collect();
    let others = [
        r.is.is_some(),
        r.in_.is_some(),
        r.in_set.is_some(),
        r.not_in_set.is_some(),
        r.is_not.is_some(),
        r.contains_any.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if given.len() + others != 1 {
        return Err(err(
            "a condition needs exactly one test: ge, gt, le, lt, eq, is, is_not, in, in_set, not_in_set or contains_any".into(),
        ));
    }
    match fact {
        Fact::Num(f) => {
            let (op, v) = given
                .first()
                .ok_or_else(|| err(format!("'{name}' is a number: use ge, gt, le, lt or eq")))?;
            let value = v
                .as_ref()
                .map(|v| v.to_decimal())
                .transpose()
                .map_err(err)?
                .ok_or_else(|| err("missing value".into()))?;
            Ok(Condition::Cmp {
                fact: *f,
                op: *op,
                value,
            })
        }
        Fact::Bool(f) => match (&r.is, r.is_not) {
            (Some(IsLit::Bool(b)), None) => Ok(Condition::Bool {
                fact: *f,
                value: *b,
            }),
            (None, Some(b)) => Ok(Condition::BoolNot { fact: *f, value: b }),
            _ => Err(err(format!(
                "'{name}' is a boolean: use is = true/false or is_not = true/false"
            ))),
        },
        Fact::Str(f) if r.contains_any.is_some() => {
            let phrases: Vec<String> = r
                .contains_any
                .iter()
                .flatten()
                .map(|p| p.trim().to_lowercase())
                .filter(|p| !p.is_empty())
                .collect();
            if phrases.is_empty() {
                return Err(err(format!(
                    "'{name}': contains_any needs at least one phrase"
                )));
            }
            Ok(Condition::Contains { fact: *f, phrases })
        }
        Fact::Str(f) => match (&r.is, &r.in_) {
            (Some(IsLit::Text(s)), None) => Ok(Condition::Str {
                fact: *f,
                values: vec![s.clone()],
            }),
            (None, Some(v)) if !v.is_empty() => Ok(Condition::Str {
                fact: *f,
                values: v.clone(),
            }),
            _ => Err(err(format!(
                "'{name}' is a text: use is = \"...\" or in = [...]"
            ))),
        },
        Fact::Country(f) => {
            if let Some(s) = &r.not_in_set {
                let set = ctx.set_names.iter().position(|n| n == s).ok_or_else(|| {
                    err(format!(
                        "unknown set '{s}'; sets: {}",
                        ctx.set_names.join(", ")
                    ))
                })?;
                Ok(Condition::NotInSet {
                    fact: *f,
                    set,
                    set_name: s.clone(),
                })
            } else if let Some(s) = &r.in_set {
                let set = ctx.set_names.iter().position(|n| n == s).ok_or_else(|| {
                    err(format!(
                        "unknown set '{s}'; sets: {}",
                        ctx.set_names.join(", ")
                    ))
                })?;
                Ok(Condition::InSet {
                    fact: *f,
                    set,
                    set_name: s.clone(),
                })
            } else if let Some(codes) = &r.in_ {
                if codes.is_empty() {
                    return Err(err(format!(
                        "'{name}': in = [] names no country, so the condition could never hold"
                    )));
                }
                let mut set = CountrySet::default();
                for c in codes {
                    set.insert(
                        Iso2::parse(c).ok_or_else(|| {
                            err(format!("'{c}' is not a two-letter country code"))
                        })?,
                    );
                }
                Ok(Condition::InList {
                    fact: *f,
                    set,
                    codes: codes.clone(),
                })
            } else {
                Err(err(format!(
                    "'{name}' is a country: use in_set = \"set\" or in = [\"CC\", ...]"
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct F {
        tpp: Option<Decimal>,
        dest: Vec<Iso2>,
    }
    impl Facts for F {
        fn num(&self, f: NumFact) -> Option<Decimal> {
            (f == NumFact::Tpp).then_some(self.tpp).flatten()
        }
        fn boolean(&self, _: BoolFact) -> Option<bool> {
            Some(true)
        }
        fn string(&self, _: StrFact) -> Option<&str> {
            Some("3A090.a")
        }
        fn countries(&self, _: CountryFact) -> &[Iso2] {
            &self.dest
        }
    }

    fn ctx(stage: Stage) -> CompileCtx<'static> {
        CompileCtx {
            file: "p.toml",
            max_stage: stage,
            set_names: &[],
        }
    }

    fn raw(s: &str) -> Vec<RawCondition> {
        #[derive(Deserialize)]
        struct W {
            when: Vec<RawCondition>,
        }
        toml::from_str::<W>(s).unwrap().when
    }

    struct T(Option<bool>, &'static str, Vec<Iso2>);
    impl Facts for T {
        fn num(&self, _: NumFact) -> Option<Decimal> {
            None
        }
        fn boolean(&self, _: BoolFact) -> Option<bool> {
            self.0
        }
        fn string(&self, _: StrFact) -> Option<&str> {
            Some(self.1)
        }
        fn countries(&self, _: CountryFact) -> &[Iso2] {
            &self.2
        }
    }

    #[test]
    fn is_not_passes_unknown_facts_and_contains_any_reads_folded_text_and_not_in_set_negates() {
        let names = ["tier1".to_string()];
        let cx = CompileCtx {
            file: "p.toml",
            max_stage: Stage::Policy,
            set_names: &names,
        };
        let c = compile_all(
            &raw("when = [{fact='no_part744_end_use', is_not=false}, {fact='destination_address', contains_any=['Crimea', ' Sevastopol ']}, {fact='destination', not_in_set='tier1'}]"),
            &cx,
            "w",
        )
        .unwrap();
        let de = Iso2::parse("DE").unwrap();
        let cn = Iso2::parse("CN").unwrap();
        let mut tier1 = CountrySet::default();
        tier1.insert(de);
        let sets = [tier1];
        let f = |b, a, c: Iso2| T(b, a, vec![c]);
        assert!(c[0].holds(&f(None, "", cn), &sets));
        assert!(c[0].holds(&f(Some(true), "", cn), &sets));
        assert!(!c[0].holds(&f(Some(false), "", cn), &sets));
        assert_eq!(
            c[0].describe_unmet(&f(Some(false), "", cn)),
            "no_part744_end_use is false, the rule needs it not to be"
        );
        assert!(c[1].holds(&f(None, "1 lenina st, sevastopol", cn), &sets));
        assert!(c[1].holds(&f(None, "republic of crimea", cn), &sets));
        assert!(!c[1].holds(&f(None, "Kyiv", cn), &sets));
        assert_eq!(
            c[1].describe_unmet(&f(None, "Kyiv", cn)),
            "destination_address names none of crimea, sevastopol"
        );
        assert!(c[2].holds(&f(None, "", cn), &sets));
        assert!(!c[2].holds(&f(None, "", de), &sets));
        assert_eq!(
            c[2].describe_unmet(&f(None, "", de)),
            "destination DE is in tier1"
        );
        for bad in [
            "when = [{fact='no_part744_end_use', is_not=true, is=true}]",
            "when = [{fact='destination_address', contains_any=[' ']}]",
            "when = [{fact='destination', not_in_set='nope'}]",
            "when = [{fact='tpp', is_not=true}]",
        ] {
            assert!(compile_all(&raw(bad), &cx, "w").is_err(), "{bad}");
        }
    }

    #[test]
    fn float_thresholds_keep_their_decimal_value() {
        let c = compile_all(
            &raw("when = [{fact='tpp', ge=5.92}]"),
            &ctx(Stage::Item),
            "when",
        )
        .unwrap();
        assert_eq!(
            c[0],
            Condition::Cmp {
                fact: NumFact::Tpp,
                op: CmpOp::Ge,
                value: Decimal::from_str("5.92").unwrap()
            }
        );
    }

    #[test]
    fn unknown_fact_is_named() {
        let e = compile_all(
            &raw("when = [{fact='tppp', ge=1}]"),
            &ctx(Stage::Item),
            "eccn[0].when",
        )
        .unwrap_err();
        assert_eq!(e.key, "eccn[0].when[0]");
        assert!(e.problem.contains("unknown fact 'tppp'"));
    }

    #[test]
    fn order_facts_are_refused_in_classification() {
        let e = compile_all(
            &raw("when = [{fact='destination', in=['CN']}]"),
            &ctx(Stage::Item),
            "w",
        )
        .unwrap_err();
        assert!(e.problem.contains("not known at this point"), "{e}");
    }

    #[test]
    fn two_tests_in_one_condition_are_refused() {
        let e = compile_all(
            &raw("when = [{fact='tpp', ge=1, lt=2}]"),
            &ctx(Stage::Item),
            "w",
        )
        .unwrap_err();
        assert!(e.problem.contains("exactly one test"));
    }

    #[test]
    fn unknown_tpp_makes_a_comparison_false_and_is_explained() {
        let c = compile_all(
            &raw("when = [{fact='tpp', ge=4800}]"),
            &ctx(Stage::Item),
            "w",
        )
        .unwrap();
        let f = F {
            tpp: None,
            dest: vec![],
        };
        assert!(!c[0].holds(&f, &[]));
        assert!(c[0].describe_unmet(&f).contains("unknown"));
    }

    #[test]
    fn any_and_country_lists() {
        let c = compile_all(
            &raw("when = [{any=[{fact='destination', in=['CN','MO']}, {fact='tpp', ge=1}]}]"),
            &ctx(Stage::Order),
            "w",
        )
        .unwrap();
        let f = F {
            tpp: Some(Decimal::ZERO),
            dest: vec![Iso2::parse("MO").unwrap()],
        };
        assert!(c[0].holds(&f, &[]));
        let g = F {
            tpp: Some(Decimal::ZERO),
            dest: vec![Iso2::parse("DE").unwrap()],
        };
        assert!(!c[0].holds(&g, &[]));
    }
}
