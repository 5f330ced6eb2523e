//! Regulation packs: each dated version of the rules is a TOML file in `data/packs/`, loaded and
//! validated here. Selecting the pack in force on a date is [`PackSet::in_force`].

use crate::catalog::toml_error;
use crate::condition::{compile_all, CompileCtx, Condition, RawCondition, Stage};
use crate::country::{CountrySet, Group, GroupTable, Iso2};
use crate::error::{ClassifyError, DataError};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The licence review policies of INTERFACES.md, least to most restrictive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewPolicy {
    PresumptionOfApproval,
    CaseByCase,
    PresumptionOfDenial,
    PolicyOfDenial,
}

impl ReviewPolicy {
    pub fn as_str(&self) -> &'static str {
        match self {
            ReviewPolicy::PresumptionOfApproval => "presumption_of_approval",
            ReviewPolicy::CaseByCase => "case_by_case",
            ReviewPolicy::PresumptionOfDenial => "presumption_of_denial",
            ReviewPolicy::PolicyOfDenial => "policy_of_denial",
        }
    }

    /// The policy in words, as reasons write it ("presumption of denial").
    pub fn words(&self) -> &'static str {
        match self {
            ReviewPolicy::PresumptionOfApproval => "presumption of approval",
            ReviewPolicy::CaseByCase => "case-by-case review",
            ReviewPolicy::PresumptionOfDenial => "presumption of denial",
            ReviewPolicy::PolicyOfDenial => "policy of denial",
        }
    }
}

/// What a screening hit on a list does to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScreeningEffectKind {
    RedFlag,
    LicenseRequired,
    Prohibited,
}

// ---- the file format -------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPack {
    pub pack: PackMeta,
    pub tpp: RuleText,
    pub performance_density: Option<RuleText>,
    #[serde(default)]
    pub eccn: Vec<RawEccn>,
    #[serde(default)]
    pub eccn_exclusion: Vec<RawRule>,
    #[serde(default)]
    pub system_eccn: Vec<RawSystemEccn>,
    pub ai_commodity: Option<RawAiCommodity>,
    pub is_informed: Option<RawIsInformed>,
    #[serde(default)]
    pub duty_band: Vec<RawDutyBand>,
    #[serde(default)]
    pub sets: BTreeMap<String, RawSet>,
    pub certifications: Option<RawCertifications>,
    pub volume_cap: Option<RawVolumeCap>,
    #[serde(default)]
    pub licence_requirement: Vec<RawRequirement>,
    #[serde(default)]
    pub review_policy: Vec<RawPolicy>,
    #[serde(default)]
    pub licence_exception: Vec<RawException>,
    #[serde(default)]
    pub obligation: Vec<RawObligation>,
    #[serde(default)]
    pub screening_effect: Vec<RawScreeningEffect>,
    #[serde(default)]
    pub dormant_rule: Vec<RawDormant>,
    #[serde(default)]
    pub warning: Vec<RawWarning>,
    #[serde(default)]
    pub ownership_rule: Vec<RawOwnershipRule>,
}

/// A warning a decision carries when its conditions hold for an item: a rule whose legal status
/// is disputed, a certification the order leaves out. It never changes the verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWarning {
    pub id: String,
    pub code: String,
    pub citation: String,
    pub message: String,
    pub when: Vec<RawCondition>,
}

/// A rule that reaches a party through its owners (the Affiliates rule of 744.11(a)(1), OFAC's
/// 50 percent rule): a party owned `threshold_pct` or more, directly or indirectly, individually
/// or in the aggregate, by parties on `lists` takes `effect`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOwnershipRule {
    pub id: String,
    pub citation: String,
    pub message: String,
    pub lists: Vec<String>,
    pub threshold_pct: String,
    /// `license_required` (the owners' requirement and most restrictive review policy),
    /// `prohibited`, or `red_flag` (warnings only: a rule suspended, a know-your-customer flag).
    pub effect: ScreeningEffectKind,
    /// For `license_required`: the policy when an owner's entry states none.
    pub policy: Option<ReviewPolicy>,
    /// Per list, the policy that list's owners carry when their entry states none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub list_policy: BTreeMap<String, ReviewPolicy>,
    /// A listed owner below the threshold is an `affiliate_red_flag` warning.
    #[serde(default)]
    pub red_flag_below: bool,
    /// Parties located in this set (of the pack's sets) that state no owners get an
    /// `affiliate_red_flag` warning: their ownership is unknown.
    pub unknown_ownership_set: Option<String>,
    /// Text of the warnings this rule raises (after the owner facts).
    pub red_flag_message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackMeta {
    pub id: String,
    pub effective: String,
    pub title: String,
    pub federal_register: String,
    pub source: String,
    pub summary: String,
    #[serde(default)]
    pub changes: Vec<String>,
    /// The pack this one is laid over (`compose.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Control files laid over it (`data/packs/controls/<name>.toml`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// Rules and sets of the extended pack that are no longer in force.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleText {
    pub rule: String,
    pub citation: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEccn {
    pub paragraph: String,
    pub eccn: String,
    pub rule: String,
    pub citation: String,
    pub message: String,
    pub when: Vec<RawCondition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub rule: String,
    pub citation: String,
    pub message: String,
    pub when: Vec<RawCondition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSystemEccn {
    pub from: String,
    pub eccn: String,
    pub rule: String,
    pub citation: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAiCommodity {
    pub rule: String,
    pub citation: String,
    pub message: String,
    pub when: Vec<RawCondition>,
    pub us_available_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIsInformed {
    pub rule: String,
    pub citation: String,
    pub message: String,
    /// Catalog ids named in the letters.
    pub chips: Vec<String>,
    /// Chips of these vendors (or inline items) that meet `when` are covered too ("chips that
    /// reach the H20's memory or interconnect bandwidth").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vendors: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub when: Vec<RawCondition>,
    /// Why the `when` figures are what they are (the letters are not public).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when_message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDutyBand {
    pub id: String,
    pub label: String,
    pub rule: String,
    pub citation: String,
    pub message: String,
    pub rate_pct: String,
    pub when: Vec<RawCondition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSet {
    pub citation: String,
    #[serde(default)]
    pub groups_any: Vec<String>,
    #[serde(default)]
    pub groups_none: Vec<String>,
    #[serde(default)]
    pub countries: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCertifications {
    pub rule: String,
    pub citation: String,
    pub message: String,
    pub required: Vec<String>,
    #[serde(default)]
    pub require_us_units_shipped: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVolumeCap {
    pub rule: String,
    pub citation: String,
    pub message: String,
    pub ratio: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRequirement {
    pub id: String,
    pub citation: String,
    pub message: String,
    pub when: Vec<RawCondition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub id: String,
    pub policy: ReviewPolicy,
    pub applies_to: Vec<String>,
    pub citation: String,
    pub message: String,
    #[serde(default)]
    pub explain_unmet: bool,
    #[serde(default)]
    pub obligations: Vec<String>,
    pub when: Vec<RawCondition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawException {
    pub id: String,
    pub name: String,
    pub citation: String,
    pub message: String,
    pub notification: Option<String>,
    pub applies_to: Vec<String>,
    pub when: Vec<RawCondition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawObligation {
    pub id: String,
    pub rule: String,
    pub citation: String,
    pub message: String,
    #[serde(default)]
    pub when: Vec<RawCondition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScreeningEffect {
    pub list: String,
    pub rule: String,
    pub citation: String,
    pub effect: ScreeningEffectKind,
    /// For `license_required`: the review policy when the list entry states none (an entry that
    /// states one is reviewed under it, see `entry_policy.rs`).
    pub policy: Option<ReviewPolicy>,
    pub message: String,
    /// What the list's footnote markers mean (Entity List footnotes 1, 3, 4, 5: foreign direct
    /// product rules), named in the reason of a hit on an entry that carries them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub footnote: Vec<RawFootnote>,
}

/// One footnote of a list (e.g. Entity List footnote 4), as a hit's reason names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFootnote {
    pub marker: String,
    pub citation: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDormant {
    pub id: String,
    pub citation: String,
    pub message: String,
    pub why_not_enforced: String,
}

// ---- the compiled pack -----------------------------------------------------------------------

/// A rule with its conditions compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub id: String,
    pub citation: String,
    pub message: String,
    pub when: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EccnRule {
    pub paragraph: String,
    pub eccn: String,
    pub rule: Rule,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AiCommodityRule {
    pub rule: Rule,
    pub us_available_by: NaiveDate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DutyBand {
    pub id: String,
    pub label: String,
    pub rate_pct: Decimal,
    pub rule: Rule,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SetDef {
    pub name: String,
    pub citation: String,
    pub groups_any: Vec<Group>,
    pub groups_none: Vec<Group>,
    pub countries: Vec<Iso2>,
}

impl SetDef {
    /// The members on a date, given the group table in force then.
    pub fn resolve(&self, groups: &GroupTable) -> CountrySet {
        let mut s = CountrySet::default();
        for g in &self.groups_any {
            for c in groups.members_of(*g).iter() {
                if !self.groups_none.iter().any(|n| groups.is_in(c, *n)) {
                    s.insert(c);
                }
            }
        }
        for c in &self.countries {
            s.insert(*c);
        }
        s
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub id: String,
    pub policy: ReviewPolicy,
    /// Indices into `requirements`.
    pub applies_to: Vec<usize>,
    pub citation: String,
    pub message: String,
    pub explain_unmet: bool,
    /// Indices into `obligations`.
    pub obligations: Vec<usize>,
    pub when: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Exception {
    pub id: String,
    pub name: String,
    pub citation: String,
    pub message: String,
    pub notification: Option<String>,
    pub applies_to: Vec<usize>,
    pub when: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScreeningEffect {
    pub list: String,
    pub rule: String,
    pub citation: String,
    pub effect: ScreeningEffectKind,
    /// For `license_required`: the review policy when the list entry states none.
    pub policy: Option<ReviewPolicy>,
    pub message: String,
    pub footnotes: Vec<RawFootnote>,
}

impl ScreeningEffect {
    /// The list's footnote with this marker, if the pack describes it.
    pub fn footnote(&self, marker: &str) -> Option<&RawFootnote> {
        self.footnotes.iter().find(|f| f.marker == marker.trim())
    }
}

/// One regulation pack, validated and compiled.
#[derive(Debug, Clone)]
pub struct Pack {
    pub id: String,
    pub effective: NaiveDate,
    pub file: String,
    pub raw: RawPack,
    pub tpp: RuleText,
    pub performance_density: Option<RuleText>,
    pub eccn: Vec<EccnRule>,
    pub eccn_exclusion: Vec<Rule>,
    pub system_eccn: Vec<RawSystemEccn>,
    pub ai_commodity: Option<AiCommodityRule>,
    pub is_informed: Option<RawIsInformed>,
    pub duty_bands: Vec<DutyBand>,
    pub sets: Vec<SetDef>,
    pub certifications: Option<RawCertifications>,
    pub volume_cap_ratio: Option<(Decimal, RuleText)>,
    pub requirements: Vec<Rule>,
    pub policies: Vec<Policy>,
    pub exceptions: Vec<Exception>,
    pub obligations: Vec<Rule>,
    pub screening_effects: Vec<ScreeningEffect>,
    /// `[is_informed].when`, compiled (item figures only).
    pub is_informed_when: Vec<Condition>,
    pub warnings: Vec<WarningRule>,
    pub ownership_rules: Vec<OwnershipRule>,
}

/// The warning codes a pack may raise (decision JSON `warnings[].code`).
pub const WARNING_CODES: &[&str] = &[
    "contested_rule",
    "incomplete_certifications",
    "affiliate_red_flag",
    "uncertain_rule",
    "unclassified_item",
    "stale_lists",
];

#[derive(Debug, Clone, PartialEq)]
pub struct WarningRule {
    pub id: String,
    pub code: String,
    pub citation: String,
    pub message: String,
    pub when: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OwnershipRule {
    pub id: String,
    pub citation: String,
    pub message: String,
    pub lists: Vec<String>,
    pub threshold_pct: Decimal,
    pub effect: ScreeningEffectKind,
    pub policy: Option<ReviewPolicy>,
    pub list_policy: BTreeMap<String, ReviewPolicy>,
    pub red_flag_below: bool,
    /// Index into the pack's sets.
    pub unknown_ownership_set: Option<usize>,
    pub red_flag_message: String,
}

impl OwnershipRule {
    /// The policy an owner on `list` carries when its entry states none.
    pub fn fallback_policy(&self, list: &str) -> ReviewPolicy {
        self.list_policy
            .get(list)
            .copied()
            .or(self.policy)
            .unwrap_or(ReviewPolicy::PresumptionOfDenial)
    }
}

/// Most licence requirements one pack may hold.
pub const MAX_REQUIREMENTS: usize = 64;

/// Certification keys an order can give (INTERFACES.md section 3).
pub const CERTIFICATION_KEYS: &[&str] = &[
    "us_commercially_available",
    "us_supply_sufficient",
    "no_foundry_diversion",
    "kyc_remote_access_safeguards",
    "third_party_testing",
];

impl Pack {
    /// Parses and validates one pack file. Errors name the file, the key and the problem.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, DataError> {
        let raw: RawPack = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
        Self::from_raw(file, raw)
    }

    /// Validates a pack given as a TOML table (one composed by `compose.rs`).
    pub fn from_table(file: &str, table: toml::Table) -> Result<Self, DataError> {
        let raw: RawPack = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| DataError::new(file, "(composed pack)", e.message()))?;
        Self::from_raw(file, raw)
    }

    fn from_raw(file: &str, raw: RawPack) -> Result<Self, DataError> {
        let err = |key: &str, p: String| DataError::new(file, key, p);
        let effective =
            NaiveDate::parse_from_str(&raw.pack.effective, "%Y-%m-%d").map_err(|e| {
                err(
                    "pack.effective",
                    format!("'{}' is not a YYYY-MM-DD date: {e}", raw.pack.effective),
                )
            })?;
        if raw.pack.id != raw.pack.effective {
            return Err(err(
                "pack.id",
                format!(
                    "'{}' must equal pack.effective ('{}')",
                    raw.pack.id, raw.pack.effective
                ),
            ));
        }
        if let Some(stem) = file
            .rsplit('/')
            .next()
            .and_then(|f| f.strip_suffix(".toml"))
        {
            if stem != raw.pack.id {
                return Err(err(
                    "pack.id",
                    format!("'{}' must match the file name '{stem}.toml'", raw.pack.id),
                ));
            }
        }
        let set_names: Vec<String> = raw.sets.keys().cloned().collect();
        let ctx = |stage| CompileCtx {
            file,
            max_stage: stage,
            set_names: &set_names,
        };
        let rule = |id: &str,
                    citation: &str,
                    message: &str,
                    when: &[RawCondition],
                    key: &str,
                    stage|
         -> Result<Rule, DataError> {
            if id.trim().is_empty() {
                return Err(err(key, "rule id is empty".into()));
            }
            if citation.trim().is_empty() {
                return Err(err(key, "every rule needs a citation".into()));
            }
            Ok(Rule {
                id: id.into(),
                citation: citation.into(),
                message: message.into(),
                when: compile_all(when, &ctx(stage), &format!("{key}.when"))?,
            })
        };

        let mut eccn = Vec::new();
        for (i, e) in raw.eccn.iter().enumerate() {
            let key = format!("eccn[{i}]");
            if !is_eccn(&e.eccn) {
                return Err(err(
                    &format!("{key}.eccn"),
                    format!("'{}' is not an ECCN like 3A090.a", e.eccn),
                ));
            }
            eccn.push(EccnRule {
                paragraph: e.paragraph.clone(),
                eccn: e.eccn.clone(),
                rule: rule(&e.rule, &e.citation, &e.message, &e.when, &key, Stage::Item)?,
            });
        }
        let eccn_exclusion = raw
            .eccn_exclusion
            .iter()
            .enumerate()
            .map(|(i, r)| {
                rule(
                    &r.rule,
                    &r.citation,
                    &r.message,
                    &r.when,
                    &format!("eccn_exclusion[{i}]"),
                    Stage::Item,
                )
            })
            .collect::<Result<_, _>>()?;
        for (i, s) in raw.system_eccn.iter().enumerate() {
            if !eccn.iter().any(|e| e.eccn == s.from) {
                return Err(err(
                    &format!("system_eccn[{i}].from"),
                    format!("'{}' is not an ECCN this pack classifies", s.from),
                ));
            }
            if !is_eccn(&s.eccn) {
                return Err(err(
                    &format!("system_eccn[{i}].eccn"),
                    format!("'{}' is not an ECCN", s.eccn),
                ));
            }
        }
        let ai_commodity = raw
            .ai_commodity
            .as_ref()
            .map(|a| -> Result<_, DataError> {
                let by =
                    NaiveDate::parse_from_str(&a.us_available_by, "%Y-%m-%d").map_err(|e| {
                        err(
                            "ai_commodity.us_available_by",
                            format!("'{}': {e}", a.us_available_by),
                        )
                    })?;
                Ok(AiCommodityRule {
                    rule: rule(
                        &a.rule,
                        &a.citation,
                        &a.message,
                        &a.when,
                        "ai_commodity",
                        Stage::Classified,
                    )?,
                    us_available_by: by,
                })
            })
            .transpose()?;
        let mut duty_bands = Vec::new();
        for (i, b) in raw.duty_band.iter().enumerate() {
            let key = format!("duty_band[{i}]");
            let rate_pct = b.rate_pct.parse::<Decimal>().map_err(|_| {
                err(
                    &format!("{key}.rate_pct"),
                    format!("'{}' is not a decimal", b.rate_pct),
                )
            })?;
            if rate_pct < Decimal::ZERO || rate_pct > Decimal::ONE_HUNDRED {
                return Err(err(
                    &format!("{key}.rate_pct"),
                    format!("{rate_pct} must be between 0 and 100"),
                ));
            }
            duty_bands.push(DutyBand {
                id: b.id.clone(),
                label: b.label.clone(),
                rate_pct,
                rule: rule(&b.rule, &b.citation, &b.message, &b.when, &key, Stage::Item)?,
            });
        }
        let mut sets = Vec::new();
        for (name, s) in &raw.sets {
            let key = format!("sets.{name}");
            let groups = |v: &[String], field: &str| -> Result<Vec<Group>, DataError> {
                v.iter()
                    .map(|g| {
                        Group::parse(g).ok_or_else(|| {
                            err(
                                &format!("{key}.{field}"),
                                format!("unknown country group '{g}'"),
                            )
                        })
                    })
                    .collect()
            };
            let countries = s
                .countries
                .iter()
                .map(|c| {
                    Iso2::parse(c).ok_or_else(|| {
                        err(
                            &format!("{key}.countries"),
                            format!("'{c}' is not a two-letter country code"),
                        )
                    })
                })
                .collect::<Result<_, _>>()?;
            sets.push(SetDef {
                name: name.clone(),
                citation: s.citation.clone(),
                groups_any: groups(&s.groups_any, "groups_any")?,
                groups_none: groups(&s.groups_none, "groups_none")?,
                countries,
            });
        }
        if let Some(c) = &raw.certifications {
            for r in &c.required {
                if !CERTIFICATION_KEYS.contains(&r.as_str()) {
                    return Err(err(
                        "certifications.required",
                        format!(
                            "unknown certification '{r}'; known: {}",
                            CERTIFICATION_KEYS.join(", ")
                        ),
                    ));
                }
            }
        }
        let volume_cap_ratio = raw
            .volume_cap
            .as_ref()
            .map(|v| -> Result<_, DataError> {
                let r = v.ratio.parse::<Decimal>().map_err(|_| {
                    err(
                        "volume_cap.ratio",
                        format!("'{}' is not a decimal", v.ratio),
                    )
                })?;
                if r <= Decimal::ZERO || r > Decimal::ONE {
                    return Err(err("volume_cap.ratio", format!("{r} must be in (0, 1]")));
                }
                Ok((
                    r,
                    RuleText {
                        rule: v.rule.clone(),
                        citation: v.citation.clone(),
                        message: v.message.clone(),
                    },
                ))
            })
            .transpose()?;
        let requirements: Vec<Rule> = raw
            .licence_requirement
            .iter()
            .enumerate()
            .map(|(i, r)| {
                rule(
                    &r.id,
                    &r.citation,
                    &r.message,
                    &r.when,
                    &format!("licence_requirement[{i}]"),
                    Stage::Order,
                )
            })
            .collect::<Result<_, _>>()?;
        unique(
            file,
            "licence_requirement",
            requirements.iter().map(|r| r.id.as_str()),
        )?;
        // The decision engine keeps the requirements an item meets in a 64-bit set.
        if requirements.len() > MAX_REQUIREMENTS {
            return Err(err(
                "licence_requirement",
                format!(
                    "{} licence requirements, more than the {MAX_REQUIREMENTS} a pack may have",
                    requirements.len()
                ),
            ));
        }
        let obligations: Vec<Rule> = raw
            .obligation
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let mut r = rule(
                    &o.rule,
                    &o.citation,
                    &o.message,
                    &o.when,
                    &format!("obligation[{i}]"),
                    Stage::Policy,
                )?;
                r.id = o.id.clone();
                Ok(r)
            })
            .collect::<Result<_, DataError>>()?;
        unique(
            file,
            "obligation",
            obligations.iter().map(|r| r.id.as_str()),
        )?;
        let req_index = |key: &str, ids: &[String]| -> Result<Vec<usize>, DataError> {
            if ids.is_empty() {
                return Err(err(key, "applies_to names no licence requirement".into()));
            }
            ids.iter()
                .map(|id| {
                    requirements
                        .iter()
                        .position(|r| &r.id == id)
                        .ok_or_else(|| err(key, format!("no licence_requirement has id '{id}'")))
                })
                .collect()
        };
        let mut policies = Vec::new();
        for (i, p) in raw.review_policy.iter().enumerate() {
            let key = format!("review_policy[{i}]");
            let r = rule(&p.id, &p.citation, &p.message, &p.when, &key, Stage::Order)?;
            let obligations = p
                .obligations
                .iter()
                .map(|o| {
                    obligations.iter().position(|x| &x.id == o).ok_or_else(|| {
                        err(
                            &format!("{key}.obligations"),
                            format!("no obligation has id '{o}'"),
                        )
                    })
                })
                .collect::<Result<_, _>>()?;
            policies.push(Policy {
                id: r.id,
                policy: p.policy,
                applies_to: req_index(&format!("{key}.applies_to"), &p.applies_to)?,
                citation: r.citation,
                message: r.message,
                explain_unmet: p.explain_unmet,
                obligations,
                when: r.when,
            });
        }
        unique(
            file,
            "review_policy",
            policies.iter().map(|r| r.id.as_str()),
        )?;
        for (ri, r) in requirements.iter().enumerate() {
            if !policies.iter().any(|p| p.applies_to.contains(&ri)) {
                return Err(err(
                    "review_policy",
                    format!("licence requirement '{}' has no review policy", r.id),
                ));
            }
        }
        let mut exceptions = Vec::new();
        for (i, x) in raw.licence_exception.iter().enumerate() {
            let key = format!("licence_exception[{i}]");
            let r = rule(&x.id, &x.citation, &x.message, &x.when, &key, Stage::Order)?;
            exceptions.push(Exception {
                id: r.id,
                name: x.name.clone(),
                citation: r.citation,
                message: r.message,
                notification: x.notification.clone(),
                applies_to: req_index(&format!("{key}.applies_to"), &x.applies_to)?,
                when: r.when,
            });
        }
        let screening_effects = raw
            .screening_effect
            .iter()
            .enumerate()
            .map(|(i, s)| {
                if s.effect == ScreeningEffectKind::LicenseRequired && s.policy.is_none() {
                    return Err(err(
                        &format!("screening_effect[{i}].policy"),
                        "an effect of license_required needs a review policy".into(),
                    ));
                }
                for (fi, f) in s.footnote.iter().enumerate() {
                    let key = format!("screening_effect[{i}].footnote[{fi}]");
                    if f.marker.trim().is_empty() || f.marker.trim() != f.marker {
                        return Err(err(
                            &format!("{key}.marker"),
                            "a footnote needs a marker without surrounding spaces".into(),
                        ));
                    }
                    if f.citation.trim().is_empty() || f.message.trim().is_empty() {
                        return Err(err(
                            &key,
                            "a footnote needs a citation and a message".into(),
                        ));
                    }
                    if s.footnote[..fi].iter().any(|g| g.marker == f.marker) {
                        return Err(err(
                            &format!("{key}.marker"),
                            format!("footnote '{}' is described twice", f.marker),
                        ));
                    }
                }
                Ok(ScreeningEffect {
                    list: s.list.clone(),
                    rule: s.rule.clone(),
                    citation: s.citation.clone(),
                    effect: s.effect,
                    policy: s.policy,
                    message: s.message.clone(),
                    footnotes: s.footnote.clone(),
                })
            })
            .collect::<Result<_, _>>()?;
        let is_informed_when = match &raw.is_informed {
            Some(i) => compile_all(&i.when, &ctx(Stage::Classified), "is_informed.when")?,
            None => Vec::new(),
        };
        let mut warnings = Vec::new();
        for (i, w) in raw.warning.iter().enumerate() {
            let key = format!("warning[{i}]");
            if !WARNING_CODES.contains(&w.code.as_str()) {
                return Err(err(
                    &format!("{key}.code"),
                    format!(
                        "unknown warning code '{}'; known: {}",
                        w.code,
                        WARNING_CODES.join(", ")
                    ),
                ));
            }
            let r = rule(&w.id, &w.citation, &w.message, &w.when, &key, Stage::Order)?;
            warnings.push(WarningRule {
                id: r.id,
                code: w.code.clone(),
                citation: r.citation,
                message: r.message,
                when: r.when,
            });
        }
        unique(file, "warning", warnings.iter().map(|w| w.id.as_str()))?;
        let mut ownership_rules = Vec::new();
        for (i, o) in raw.ownership_rule.iter().enumerate() {
            let key = format!("ownership_rule[{i}]");
            rule(&o.id, &o.citation, &o.message, &[], &key, Stage::Order)?;
            let threshold_pct = o.threshold_pct.parse::<Decimal>().map_err(|_| {
                err(
                    &format!("{key}.threshold_pct"),
                    format!("'{}' is not a decimal", o.threshold_pct),
                )
            })?;
            if threshold_pct <= Decimal::ZERO || threshold_pct > Decimal::ONE_HUNDRED {
                return Err(err(
                    &format!("{key}.threshold_pct"),
                    format!("{threshold_pct} must be in (0, 100]"),
                ));
            }
            if o.lists.is_empty() {
                return Err(err(&format!("{key}.lists"), "names no list".into()));
            }
            if o.effect == ScreeningEffectKind::LicenseRequired && o.policy.is_none() {
                return Err(err(
                    &format!("{key}.policy"),
                    "an effect of license_required needs a review policy".into(),
                ));
            }
            let unknown_ownership_set = o
                .unknown_ownership_set
                .as_ref()
                .map(|n| {
                    set_names.iter().position(|x| x == n).ok_or_else(|| {
                        err(
                            &format!("{key}.unknown_ownership_set"),
                            format!("unknown set '{n}'"),
                        )
                    })
                })
                .transpose()?;
            ownership_rules.push(OwnershipRule {
                id: o.id.clone(),
                citation: o.citation.clone(),
                message: o.message.clone(),
                lists: o.lists.clone(),
                threshold_pct,
                effect: o.effect,
                policy: o.policy,
                list_policy: o.list_policy.clone(),
                red_flag_below: o.red_flag_below,
                unknown_ownership_set,
                red_flag_message: o.red_flag_message.clone(),
            });
        }
        unique(
            file,
            "ownership_rule",
            ownership_rules.iter().map(|o| o.id.as_str()),
        )?;
        Ok(Pack {
            id: raw.pack.id.clone(),
            effective,
            file: file.to_string(),
            tpp: raw.tpp.clone(),
            performance_density: raw.performance_density.clone(),
            eccn,
            eccn_exclusion,
            system_eccn: raw.system_eccn.clone(),
            ai_commodity,
            is_informed: raw.is_informed.clone(),
            duty_bands,
            sets,
            certifications: raw.certifications.clone(),
            volume_cap_ratio,
            requirements,
            policies,
            exceptions,
            obligations,
            screening_effects,
            is_informed_when,
            warnings,
            ownership_rules,
            raw,
        })
    }

    /// Resolves every named set against the country groups in force on a date.
    pub fn resolve_sets(&self, groups: &GroupTable) -> Vec<CountrySet> {
        self.sets.iter().map(|s| s.resolve(groups)).collect()
    }

    /// Every rule of the pack as (rule id -> canonical JSON), for diffs.
    pub fn rule_map(&self) -> BTreeMap<String, (String, serde_json::Value)> {
        let mut m = BTreeMap::new();
        let mut put = |kind: &str, id: &str, v: serde_json::Value| {
            m.insert(format!("{kind} {id}"), (kind.to_string(), v));
        };
        let j = |v: &dyn erased::Ser| v.to_json();
        put("definition", &self.raw.tpp.rule, j(&self.raw.tpp));
        if let Some(p) = &self.raw.performance_density {
            put("definition", &p.rule, j(p));
        }
        for e in &self.raw.eccn {
            put("eccn", &e.paragraph, j(e));
        }
        for e in &self.raw.eccn_exclusion {
            put("eccn_exclusion", &e.rule, j(e));
        }
        for e in &self.raw.system_eccn {
            put("system_eccn", &e.eccn, j(e));
        }
        if let Some(a) = &self.raw.ai_commodity {
            put("ai_commodity", &a.rule, j(a));
        }
        if let Some(a) = &self.raw.is_informed {
            put("is_informed", &a.rule, j(a));
        }
        for b in &self.raw.duty_band {
            put("duty_band", &b.id, j(b));
        }
        for (n, s) in &self.raw.sets {
            put("set", n, j(s));
        }
        if let Some(c) = &self.raw.certifications {
            put("certifications", &c.rule, j(c));
        }
        if let Some(v) = &self.raw.volume_cap {
            put("volume_cap", &v.rule, j(v));
        }
        for r in &self.raw.licence_requirement {
            put("licence_requirement", &r.id, j(r));
        }
        for r in &self.raw.review_policy {
            put("review_policy", &r.id, j(r));
        }
        for r in &self.raw.licence_exception {
            put("licence_exception", &r.id, j(r));
        }
        for r in &self.raw.obligation {
            put("obligation", &r.id, j(r));
        }
        for r in &self.raw.screening_effect {
            put("screening_effect", &r.list, j(r));
        }
        for r in &self.raw.dormant_rule {
            put("dormant_rule", &r.id, j(r));
        }
        for r in &self.raw.warning {
            put("warning", &r.id, j(r));
        }
        for r in &self.raw.ownership_rule {
            put("ownership_rule", &r.id, j(r));
        }
        m
    }
}

mod erased {
    pub trait Ser {
        fn to_json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Ser for T {
        fn to_json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
        }
    }
}

fn is_eccn(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 5
        && b[0].is_ascii_digit()
        && b[1].is_ascii_uppercase()
        && b[2..5].iter().all(|c| c.is_ascii_digit())
}

fn unique<'a>(file: &str, key: &str, ids: impl Iterator<Item = &'a str>) -> Result<(), DataError> {
    let mut seen = std::collections::BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(DataError::new(
                file,
                key,
                format!("id '{id}' is used twice"),
            ));
        }
    }
    Ok(())
}

/// All packs, ordered by effective date.
#[derive(Debug, Clone)]
pub struct PackSet {
    packs: Vec<Pack>,
}

impl PackSet {
    pub fn new(mut packs: Vec<Pack>) -> Result<Self, DataError> {
        if packs.is_empty() {
            return Err(DataError::new(
                "data/packs",
                "(directory)",
                "no regulation pack found",
            ));
        }
        packs.sort_by_key(|p| p.effective);
        for w in packs.windows(2) {
            if w[0].effective == w[1].effective {
                return Err(DataError::new(
                    &w[1].file,
                    "pack.effective",
                    format!("two packs take effect on {}", w[1].effective),
                ));
            }
        }
        Ok(Self { packs })
    }

    pub fn all(&self) -> &[Pack] {
        &self.packs
    }

    pub fn get(&self, id: &str) -> Option<&Pack> {
        self.packs.iter().find(|p| p.id == id)
    }

    /// The pack in force on `date`: the latest one whose effective date is on or before it.
    pub fn in_force(&self, date: NaiveDate) -> Result<&Pack, ClassifyError> {
        let i = self.packs.partition_point(|p| p.effective <= date);
        match i.checked_sub(1) {
            Some(i) => Ok(&self.packs[i]),
            None => Err(ClassifyError::DateBeforeRegime {
                date,
                earliest: self.packs[0].effective,
            }),
        }
    }

    /// What changed between the packs in force on two dates.
    pub fn diff(&self, from: NaiveDate, to: NaiveDate) -> Result<PackDiff, ClassifyError> {
        let a = self.in_force(from)?;
        let b = self.in_force(to)?;
        let (ma, mb) = (a.rule_map(), b.rule_map());
        let mut entries = Vec::new();
        for (k, (kind, va)) in &ma {
            match mb.get(k) {
                None => entries.push(DiffEntry {
                    change: DiffChange::Removed,
                    kind: kind.clone(),
                    id: id_of(k),
                    before: Some(va.clone()),
                    after: None,
                }),
                Some((_, vb)) if vb != va => entries.push(DiffEntry {
                    change: DiffChange::Changed,
                    kind: kind.clone(),
                    id: id_of(k),
                    before: Some(va.clone()),
                    after: Some(vb.clone()),
                }),
                _ => {}
            }
        }
        for (k, (kind, vb)) in &mb {
            if !ma.contains_key(k) {
                entries.push(DiffEntry {
                    change: DiffChange::Added,
                    kind: kind.clone(),
                    id: id_of(k),
                    before: None,
                    after: Some(vb.clone()),
                });
            }
        }
        let (lo, hi) = if a.effective <= b.effective {
            (a.effective, b.effective)
        } else {
            (b.effective, a.effective)
        };
        let between = self
            .packs
            .iter()
            .filter(|p| p.effective > lo && p.effective <= hi)
            .map(|p| PackSummary {
                id: p.id.clone(),
                title: p.raw.pack.title.clone(),
                federal_register: p.raw.pack.federal_register.clone(),
                changes: p.raw.pack.changes.clone(),
            })
            .collect();
        Ok(PackDiff {
            from: from.to_string(),
            from_pack: a.id.clone(),
            to: to.to_string(),
            to_pack: b.id.clone(),
            packs_between: between,
            entries,
        })
    }
}

fn id_of(k: &str) -> String {
    k.split_once(' ')
        .map(|(_, id)| id.to_string())
        .unwrap_or_default()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffChange {
    Added,
    Removed,
    Changed,
}

#[derive(Debug, Clone, Serialize)]
pub struct DiffEntry {
    pub change: DiffChange,
    pub kind: String,
    pub id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PackSummary {
    pub id: String,
    pub title: String,
    pub federal_register: String,
    pub changes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PackDiff {
    pub from: String,
    pub from_pack: String,
    pub to: String,
    pub to_pack: String,
    pub packs_between: Vec<PackSummary>,
    pub entries: Vec<DiffEntry>,
}
