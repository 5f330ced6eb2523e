//! The decision engine: an order, a date and the screening hits in, a verdict with its review
//! policy, obligations and reasons out, all driven by the regulation pack in force.
//!
//! How a pack's rules combine (the pack files carry the rules, this module only the logic):
//! 1. Each item is classified under the pack (ECCN, AI commodity, duty band).
//! 2. Every licence requirement whose conditions hold for the item applies to it.
//! 3. For each applying requirement, the first review policy that lists it and whose conditions
//!    hold sets its policy; the item takes the most restrictive one.
//! 4. A licence exception is available when it covers every applying requirement of the item and
//!    its conditions hold, unless a screening hit requires a licence or forbids exceptions.
//! 5. Screening hits add their list's effect: prohibited, licence required with the list's
//!    policy, or a red flag.
//! 6. The order takes the most severe item verdict and the most restrictive policy; obligations
//!    come from the policies chosen, filtered by their own conditions.
//!
//! A decision records its steps as small index-based records; the sentences are written only when
//! asked for ([`Decision::reasons`]), so deciding stays cheap enough for a million orders a second.

use crate::classify::{Classification, Reason};
use crate::condition::{all_hold, BoolFact, Condition, CountryFact, Facts, NumFact, StrFact};
use crate::country::{CountrySet, Iso2};
use crate::entry_policy::{self, EntryPolicy};
use crate::order::{DirectRole, EndUses, ItemChip, Order, OrderError, Role};
use crate::pack::{Pack, ReviewPolicy, ScreeningEffectKind};
use crate::regulation::Regulation;
use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use smallvec::SmallVec;
use std::borrow::Cow;

/// The four verdicts of INTERFACES.md, least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    NoLicenseRequired,
    LicenseException,
    LicenseRequired,
    Prohibited,
}

impl Verdict {
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::NoLicenseRequired => "no_license_required",
            Verdict::LicenseException => "license_exception",
            Verdict::LicenseRequired => "license_required",
            Verdict::Prohibited => "prohibited",
        }
    }
}

/// A screening hit for one party of the order (from the screening engine; the core does no IO).
#[derive(Debug, Clone, PartialEq)]
pub struct PartyHit {
    pub role: Role,
    /// The list's short name, e.g. `SDN`, `Entity List`.
    pub list: String,
    pub match_id: String,
    pub match_name: String,
    pub score: f64,
    /// The entry's licence requirement as the list states it (Entity List "License Requirement"
    /// column, e.g. "For all items subject to the EAR."), when the list gives one.
    pub license_requirement: Option<String>,
    /// The entry's licence review policy as the list states it (e.g. "Presumption of denial."),
    /// when the list gives one: the CSL does, the eCFR extract of Supp. No. 4 to Part 744 does not.
    pub license_policy: Option<String>,
    /// The entry's footnote markers (Entity List footnotes 1, 3, 4, 5: foreign direct product rules).
    pub footnotes: Vec<String>,
}

impl PartyHit {
    /// A hit whose entry states no licence requirement, review policy or footnotes.
    pub fn new(
        role: Role,
        list: impl Into<String>,
        match_id: impl Into<String>,
        match_name: impl Into<String>,
        score: f64,
    ) -> Self {
        Self {
            role,
            list: list.into(),
            match_id: match_id.into(),
            match_name: match_name.into(),
            score,
            license_requirement: None,
            license_policy: None,
            footnotes: Vec::new(),
        }
    }

    /// The entry's licence requirement text.
    pub fn with_license_requirement(mut self, text: impl Into<String>) -> Self {
        self.license_requirement = Some(text.into());
        self
    }

    /// The entry's review policy text.
    pub fn with_license_policy(mut self, text: impl Into<String>) -> Self {
        self.license_policy = Some(text.into());
        self
    }

    /// The entry's footnote markers.
    pub fn with_footnotes<S: Into<String>>(mut self, markers: impl IntoIterator<Item = S>) -> Self {
        self.footnotes = markers.into_iter().map(Into::into).collect();
        self
    }
}

/// What was screened: every party, and the hits at or above the threshold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Screening {
    /// False when the caller did not screen the parties (benchmarks, what-if runs without lists).
    pub screened: bool,
    pub hits: Vec<PartyHit>,
    /// The list versions used, for the record (e.g. `SDN 2021-07 sha256:...`).
    pub list_versions: std::sync::Arc<[String]>,
    /// Warnings about the screening itself (`stale_lists`), carried into the decision.
    pub warnings: Vec<Warning>,
}

/// A warning on a decision (`warnings[]` of the decision JSON): it never changes the verdict,
/// but a compliance officer must read it before relying on it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    pub code: String,
    pub message: String,
}

impl Warning {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }
}

/// Why a decision carries a warning (sentences are written only for output).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WarnStep {
    /// A `[[warning]]` of the pack whose conditions held for an item.
    Pack { rule: u16 },
    /// A warning the screening brought (stale lists).
    Screening { i: u16 },
    /// An ownership finding that does not bind: listed owners below the threshold, or a rule
    /// that only flags.
    Owners { finding: u16 },
    /// A party in a destination of concern states no owners while an ownership rule is in force.
    OwnershipUnknown { rule: u16, party: DirectRole },
    /// An owner matches a list no ownership rule covers.
    OwnerListed { hit: u16 },
    /// An item without compute figures, decided by rules that need none.
    Unclassified { item: u16 },
}

/// An owner whose share counts toward a party's listed ownership: listed itself, or itself
/// owned at or above the threshold by listed parties (then `via` says by whom).
#[derive(Debug, Clone, PartialEq)]
struct Contribution {
    owner: Role,
    percent: Decimal,
    /// The owner's own hit on one of the rule's lists.
    hit: Option<u16>,
    /// The owned share of a deemed-listed owner, and what makes it up.
    share: Decimal,
    via: Vec<Contribution>,
}

impl Contribution {
    fn leaf_hits(&self, out: &mut Vec<u16>) {
        if let Some(h) = self.hit {
            out.push(h);
        }
        for c in &self.via {
            c.leaf_hits(out);
        }
    }
}

/// What an ownership rule found for one party of the order.
#[derive(Debug, Clone, PartialEq)]
struct Finding {
    /// Index into the pack's ownership rules.
    rule: u16,
    party: DirectRole,
    /// The share held, directly or through deemed-listed owners, by listed parties.
    share: Decimal,
    contributions: Vec<Contribution>,
    /// The rule binds (share at or above the threshold and the rule's effect is not a flag).
    binds: bool,
    /// For a binding licence requirement: the review policy, once the items are known.
    policy: Option<ReviewPolicy>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The item's classification reasons.
    Classified {
        item: u16,
    },
    Requirement {
        item: u16,
        req: u16,
    },
    NoRequirement {
        item: u16,
    },
    Policy {
        item: u16,
        req: u16,
        policy: u16,
    },
    /// No policy of the pack covers the requirement: the most cautious reading is used.
    NoPolicy {
        item: u16,
        req: u16,
    },
    /// A policy marked `explain_unmet` that would have applied, and the condition that failed.
    PolicyNotMet {
        item: u16,
        policy: u16,
        cond: u16,
    },
    CertificationsMissing,
    VolumeCap {
        item: u16,
    },
    Exception {
        item: u16,
        exc: u16,
    },
    /// An exception that would apply, barred by a screening hit (the first that bars one).
    ExceptionBarred {
        item: u16,
        hit: u16,
        effect: u16,
    },
    Obligation {
        obl: u16,
    },
    Screen {
        hit: u16,
        effect: u16,
        /// For a `license_required` list: how the entry's review policy was read.
        entry: EntryPolicy,
    },
    ScreenClear,
    Dormant {
        rule: u16,
    },
    /// A binding ownership finding (a party owned by listed parties).
    Ownership {
        finding: u16,
    },
    /// An exception that would apply, barred by an ownership finding.
    ExceptionBarredByOwners {
        item: u16,
        finding: u16,
    },
}

/// What bars licence exceptions for the order: a party's own hit, or its listed owners.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bar {
    Hit { hit: u16, effect: u16 },
    Owners { finding: u16 },
}

/// The share of the entity owning `owners` held by listed parties: owners on the rule's lists,
/// and owners themselves owned at or above the threshold by listed parties (OFAC and BIS count
/// indirect ownership only through such entities).
fn owned_share(
    threshold: Decimal,
    listed: &dyn Fn(Role) -> Option<u16>,
    of: DirectRole,
    parent: Option<&crate::order::OwnerPath>,
    owners: &[crate::order::Owner],
) -> (Decimal, Vec<Contribution>) {
    let mut share = Decimal::ZERO;
    let mut out = Vec::new();
    for (i, o) in owners.iter().enumerate() {
        let Some(path) = crate::order::OwnerPath::child(of, parent, i) else {
            continue;
        };
        let role = Role::Owner(path);
        if let Some(h) = listed(role) {
            share += o.percent;
            out.push(Contribution {
                owner: role,
                percent: o.percent,
                hit: Some(h),
                share: Decimal::ZERO,
                via: Vec::new(),
            });
            continue;
        }
        let (s, via) = owned_share(threshold, listed, of, Some(&path), &o.party.owners);
        if s >= threshold {
            share += o.percent;
            out.push(Contribution {
                owner: role,
                percent: o.percent,
                hit: None,
                share: s,
                via,
            });
        }
    }
    (share, out)
}

/// How an entry's review policy text reads for the order: the most restrictive reading over its
/// items (a clause naming one item's ECCN may be stricter than another's), `fallback` where
/// the entry states none.
fn strictest_reading(
    items: &[ItemDecision],
    text: Option<&str>,
    fallback: ReviewPolicy,
) -> EntryPolicy {
    let p = |x: EntryPolicy| x.policy().unwrap_or(fallback);
    let mut read: Option<EntryPolicy> = None;
    for it in items {
        let r = entry_policy::read(text, &it.classification.eccn);
        if read.is_none_or(|cur| p(r) > p(cur)) {
            read = Some(r);
        }
    }
    read.unwrap_or_else(|| entry_policy::read(text, ""))
}

fn pct(d: Decimal) -> String {
    format!("{} %", d.normalize())
}

/// An item's classification: the epoch's precomputed one for a catalog chip, or one computed
/// for inline specs (boxed, so decisions stay small to move).
#[derive(Debug, Clone)]
pub enum ItemClass<'a> {
    Catalog(&'a Classification),
    Inline(Box<Classification>),
}

impl std::ops::Deref for ItemClass<'_> {
    type Target = Classification;
    fn deref(&self) -> &Classification {
        match self {
            ItemClass::Catalog(c) => c,
            ItemClass::Inline(c) => c,
        }
    }
}

/// The decision for one order line.
#[derive(Debug, Clone)]
pub struct ItemDecision<'a> {
    pub classification: ItemClass<'a>,
    pub quantity: u64,
    pub verdict: Verdict,
    pub review_policy: Option<ReviewPolicy>,
    /// Index into the pack's exceptions.
    pub exception: Option<usize>,
}

/// A decision on one order.
#[derive(Debug, Clone)]
pub struct Decision<'a> {
    pub order: &'a Order,
    pub as_of: NaiveDate,
    pub pack: &'a Pack,
    pub verdict: Verdict,
    pub review_policy: Option<ReviewPolicy>,
    pub items: Vec<ItemDecision<'a>>,
    pub screening: &'a Screening,
    /// Indices into the pack's obligations, in pack order.
    pub obligations: Vec<usize>,
    sets: &'a [CountrySet],
    steps: Vec<Step>,
    facts_ctx: OrderCtx,
    warns: SmallVec<[WarnStep; 4]>,
    findings: Vec<Finding>,
}

/// Facts of the order that do not depend on the item, canonical (Hong Kong counts as China).
#[derive(Debug, Clone)]
struct OrderCtx {
    destination: SmallVec<[Iso2; 2]>,
    end_user: [Iso2; 1],
    headquarters: SmallVec<[Iso2; 8]>,
    ship_from: [Iso2; 1],
    military: bool,
    end_uses: EndUses,
    no_part744: Option<bool>,
    /// The ultimate consignee's and end user's addresses, lower case.
    address: String,
    certs_complete: bool,
    missing_certs: Vec<&'static str>,
}

struct ItemFacts<'a> {
    c: &'a Classification,
    o: &'a OrderCtx,
    transaction: &'static str,
    within_cap: bool,
}

impl Facts for ItemFacts<'_> {
    fn num(&self, f: NumFact) -> Option<Decimal> {
        let m = &self.c.metrics;
        match f {
            NumFact::Tpp => m.tpp,
            NumFact::PerformanceDensity => m.performance_density,
            NumFact::DramBandwidthGbs => m.dram_bandwidth_gbs,
            NumFact::InterconnectGbs => m.interconnect_gbs,
            NumFact::MemoryBandwidthDensity => m.memory_bandwidth_density,
        }
    }
    fn boolean(&self, f: BoolFact) -> Option<bool> {
        let e = &self.o.end_uses;
        Some(match f {
            BoolFact::Hbm => self.c.metrics.hbm,
            BoolFact::Datacenter => self.c.metrics.datacenter,
            BoolFact::Controlled => self.c.controlled,
            BoolFact::AiCommodity => self.c.ai_commodity_2026,
            BoolFact::S232Band => self.c.duty_band.is_some(),
            BoolFact::IsInformed => self.c.is_informed,
            BoolFact::MilitaryEndUse => self.o.military,
            BoolFact::CertificationsComplete => self.o.certs_complete,
            BoolFact::WithinVolumeCap => self.within_cap,
            BoolFact::NoPart744EndUse => return self.o.no_part744,
            BoolFact::MilitaryIntelligenceEndUse => e.military_intelligence,
            BoolFact::SupercomputerEndUse => e.supercomputer,
            BoolFact::AdvancedNodeIcEndUse => e.advanced_node_ic_production,
            BoolFact::NuclearEndUse => e.nuclear,
            BoolFact::MissileEndUse => e.missile,
            BoolFact::ChemicalBiologicalEndUse => e.chemical_biological,
        })
    }
    fn string(&self, f: StrFact) -> Option<&str> {
        match f {
            StrFact::Eccn => Some(&self.c.eccn),
            StrFact::Transaction => Some(self.transaction),
            StrFact::ReviewPolicyRule => None,
            StrFact::DestinationAddress => Some(&self.o.address),
        }
    }
    fn countries(&self, f: CountryFact) -> &[Iso2] {
        match f {
            CountryFact::Destination => &self.o.destination,
            CountryFact::EndUserCountry => &self.o.end_user,
            CountryFact::PartyHeadquarters => &self.o.headquarters,
            CountryFact::ShipFrom => &self.o.ship_from,
        }
    }
}

fn push_unique<const N: usize>(v: &mut SmallVec<[Iso2; N]>, c: Iso2) {
    if !v.contains(&c) {
        v.push(c);
    }
}

/// Classifies an inline item, writing its reason sentences only when `reasons` is true. Inline
/// specs without a US availability date take the order's (dd) certification of US commercial
/// availability as the evidence for the 2026 test (a catalog chip's own date still governs).
fn classify_inline(
    pack: &Pack,
    order: &Order,
    name: &str,
    specs: &crate::catalog::ChipSpecs,
    as_of: NaiveDate,
    reasons: bool,
) -> Classification {
    let certified = order.certifications.is_given("us_commercially_available");
    match &pack.ai_commodity {
        Some(a) if specs.us_available_from.is_none() && certified => {
            let mut s = specs.clone();
            s.us_available_from = Some(a.us_available_by);
            let mut c = crate::classify::classify_with(pack, &s, name, None, as_of, false, reasons);
            for r in &mut c.reasons {
                if r.rule == a.rule.id && c.ai_commodity_2026 {
                    r.message = format!(
                        "is an AI commodity on the exporter's certification of US commercial availability (the specs give no US availability date): {}",
                        a.rule.message
                    );
                }
            }
            c
        }
        _ => crate::classify::classify_with(pack, specs, name, None, as_of, false, reasons),
    }
}

impl Regulation {
    /// Decides `order` under the pack in force on `as_of` (default: the order's date).
    pub fn decide<'a>(
        &'a self,
        order: &'a Order,
        as_of: Option<NaiveDate>,
        screening: &'a Screening,
    ) -> Result<Decision<'a>, OrderError> {
        let as_of = as_of.unwrap_or(order.date);
        let epoch = self.epoch(as_of).ok_or_else(|| {
            let field = if as_of == order.date { "date" } else { "as_of" };
            OrderError::new(
                field,
                format!(
                    "no regulation pack is in force on {as_of}: the earliest takes effect on {}",
                    self.packs.all()[0].effective
                ),
            )
        })?;
        let pack = &self.packs.all()[epoch.pack];
        let canon = |c: Iso2| self.countries.canonical(c);
        let p = &order.parties;

        let mut destination = SmallVec::new();
        push_unique(&mut destination, canon(p.ultimate_consignee.country));
        push_unique(&mut destination, canon(p.end_user.country));
        // Headquarters of every party the items reach or that buys them (742.6(a)(6)(iii)(A)
        // follows the entity wherever it is located).
        let mut headquarters = SmallVec::new();
        for (_, party) in p.all() {
            for hq in [party.headquarters, party.parent_headquarters]
                .into_iter()
                .flatten()
            {
                push_unique(&mut headquarters, canon(hq));
            }
        }
        let mut missing_certs = Vec::new();
        let certs_complete = match &pack.certifications {
            None => false,
            Some(c) => {
                for k in &c.required {
                    if !order.certifications.is_given(k) {
                        if let Some(s) = crate::pack::CERTIFICATION_KEYS.iter().find(|x| *x == k) {
                            missing_certs.push(*s);
                        }
                    }
                }
                // With the exporter's ledger the US units are on record, not certified.
                if c.require_us_units_shipped
                    && order.certifications.us_units_shipped.is_none()
                    && order.certifications.ledger.is_none()
                {
                    missing_certs.push("us_units_shipped");
                }
                missing_certs.is_empty()
            }
        };
        let ctx = OrderCtx {
            destination,
            end_user: [canon(p.end_user.country)],
            headquarters,
            ship_from: [canon(order.ship_from)],
            military: order.military_end_use,
            end_uses: order.end_uses,
            no_part744: order.certifications.no_part744_end_use,
            address: [&p.ultimate_consignee, &p.end_user]
                .iter()
                .filter_map(|x| x.address.as_deref())
                .collect::<Vec<_>>()
                .join(" | ")
                .to_lowercase(),
            certs_complete,
            missing_certs,
        };

        let mut d = Decision {
            order,
            as_of,
            pack,
            verdict: Verdict::NoLicenseRequired,
            review_policy: None,
            items: Vec::with_capacity(order.items.len()),
            screening,
            obligations: Vec::new(),
            sets: &epoch.sets,
            steps: Vec::with_capacity(8 * order.items.len() + 4),
            facts_ctx: ctx,
            warns: SmallVec::new(),
            findings: Vec::new(),
        };
        for i in 0..screening.warnings.len() {
            d.warns.push(WarnStep::Screening { i: i as u16 });
        }

        // Screening first: a prohibited party ends the matter whatever the items are. A
        // licence-required hit's review policy is read from its entry once the items' ECCNs are
        // known (below).
        let mut screen_policy: Option<ReviewPolicy> = None;
        let mut licence_hits: SmallVec<[usize; 2]> = SmallVec::new();
        let mut prohibited = false;
        // The first hit that bars licence exceptions (hit, effect), cited where one is barred.
        let mut barred_by: Option<Bar> = None;
        for (hi, hit) in screening.hits.iter().enumerate() {
            // An owner is not a party to the export: its listing reaches the order only
            // through the ownership rules (below).
            if hit.role.is_owner() {
                continue;
            }
            let effect = pack
                .screening_effects
                .iter()
                .position(|e| e.list == hit.list)
                .or_else(|| pack.screening_effects.iter().position(|e| e.list == "*"));
            if let Some(ei) = effect {
                let e = &pack.screening_effects[ei];
                match e.effect {
                    ScreeningEffectKind::Prohibited => prohibited = true,
                    ScreeningEffectKind::LicenseRequired => {
                        barred_by = barred_by.or(Some(Bar::Hit {
                            hit: hi as u16,
                            effect: ei as u16,
                        }));
                        licence_hits.push(d.steps.len());
                    }
                    ScreeningEffectKind::RedFlag => {
                        barred_by = barred_by.or(Some(Bar::Hit {
                            hit: hi as u16,
                            effect: ei as u16,
                        }))
                    }
                }
                d.steps.push(Step::Screen {
                    hit: hi as u16,
                    effect: ei as u16,
                    entry: EntryPolicy::Unstated,
                });
            }
        }
        if screening.screened && !screening.hits.iter().any(|h| !h.role.is_owner()) {
            d.steps.push(Step::ScreenClear);
        }
        // Ownership: a party owned by listed parties (the Affiliates rule, OFAC's 50 % rule).
        if !pack.ownership_rules.is_empty() {
            d.ownership(&self.countries, &mut prohibited, &mut barred_by);
        }

        // The most restrictive policy that carries obligations: a stricter review of the whole
        // order (a listed party, another item) means the obligations' path is not the one taken.
        let mut obligation_policy: Option<ReviewPolicy> = None;
        // Units of each chip in this order, for the volume cap.
        let ratio = pack.volume_cap_ratio.as_ref().map(|(r, _)| *r);
        for (ii, it) in order.items.iter().enumerate() {
            let i = ii as u16;
            let c: ItemClass<'a> = match &it.chip {
                ItemChip::Catalog { index, .. } => match epoch.chips.get(*index) {
                    Some(Some(c)) => ItemClass::Catalog(c),
                    _ => {
                        return Err(OrderError::new(
                            format!("items[{ii}].chip"),
                            "chip has no compute figures to classify",
                        ))
                    }
                },
                // Its sentences are written only if the reasons are read (`reason_refs`).
                ItemChip::Inline { name, specs } => ItemClass::Inline(Box::new(classify_inline(
                    pack, order, name, specs, as_of, false,
                ))),
            };
            let (us_units, shipped, _) = order.certifications.cap_counts(it.chip.name());
            let within_cap = match (ratio, us_units) {
                (Some(r), Some(us)) => {
                    let same: u64 = order
                        .items
                        .iter()
                        .filter(|x| x.chip.name() == it.chip.name())
                        .map(|x| x.quantity)
                        .sum();
                    Decimal::from(same.saturating_add(shipped)) <= r * Decimal::from(us)
                }
                _ => false,
            };
            d.steps.push(Step::Classified { item: i });
            let facts = ItemFacts {
                c: &c,
                o: &d.facts_ctx,
                transaction: order.transaction.as_str(),
                within_cap,
            };
            let mut held: u64 = 0; // bit set of requirement indices
            let mut item_policy: Option<ReviewPolicy> = None;
            let mut item_policies: SmallVec<[u16; 4]> = SmallVec::new();
            for (ri, r) in pack.requirements.iter().enumerate() {
                if !all_hold(&r.when, &facts, d.sets) {
                    continue;
                }
                held |= 1 << ri;
                d.steps.push(Step::Requirement {
                    item: i,
                    req: ri as u16,
                });
                let mut chosen = None;
                for (pi, pol) in pack.policies.iter().enumerate() {
                    if !pol.applies_to.contains(&ri) {
                        continue;
                    }
                    if all_hold(&pol.when, &facts, d.sets) {
                        chosen = Some(pi);
                        break;
                    }
                    if pol.explain_unmet {
                        if let Some(ci) = pol.when.iter().position(|c| !c.holds(&facts, d.sets)) {
                            let step = Step::PolicyNotMet {
                                item: i,
                                policy: pi as u16,
                                cond: ci as u16,
                            };
                            if !d.steps.contains(&step) {
                                d.steps.push(step);
                                match &pol.when[ci] {
                                    Condition::Bool {
                                        fact: BoolFact::CertificationsComplete,
                                        ..
                                    } if !d.steps.contains(&Step::CertificationsMissing) => {
                                        d.steps.push(Step::CertificationsMissing)
                                    }
                                    Condition::Bool {
                                        fact: BoolFact::WithinVolumeCap,
                                        ..
                                    } => d.steps.push(Step::VolumeCap { item: i }),
                                    _ => {}
                                }
                            }
                        }
                    }
                }
                match chosen {
                    Some(pi) => {
                        d.steps.push(Step::Policy {
                            item: i,
                            req: ri as u16,
                            policy: pi as u16,
                        });
                        item_policy = item_policy.max(Some(pack.policies[pi].policy));
                        if !item_policies.contains(&(pi as u16)) {
                            item_policies.push(pi as u16);
                        }
                    }
                    None => {
                        d.steps.push(Step::NoPolicy {
                            item: i,
                            req: ri as u16,
                        });
                        item_policy = item_policy.max(Some(ReviewPolicy::PresumptionOfDenial));
                    }
                }
            }
            for (wi, w) in pack.warnings.iter().enumerate() {
                let step = WarnStep::Pack { rule: wi as u16 };
                if !d.warns.contains(&step) && all_hold(&w.when, &facts, d.sets) {
                    d.warns.push(step);
                }
            }
            if c.eccn == crate::classify::UNCLASSIFIED {
                if held == 0 {
                    return Err(OrderError::new(
                        format!("items[{ii}].chip"),
                        format!(
                            "'{}' has no published compute figures, so its ECCN is unknown and no rule that needs none applies here; give the item as inline specs",
                            it.chip.name()
                        ),
                    ));
                }
                d.warns.push(WarnStep::Unclassified { item: i });
            }
            let (mut item_verdict, mut item_review, mut item_exception) =
                (Verdict::NoLicenseRequired, None, None);
            if held == 0 {
                d.steps.push(Step::NoRequirement { item: i });
            } else {
                let exc = pack.exceptions.iter().position(|e| {
                    (0..pack.requirements.len())
                        .filter(|ri| held & (1 << ri) != 0)
                        .all(|ri| e.applies_to.contains(&ri))
                        && all_hold(&e.when, &facts, d.sets)
                });
                match exc {
                    Some(ei) if barred_by.is_none() => {
                        d.steps.push(Step::Exception {
                            item: i,
                            exc: ei as u16,
                        });
                        item_verdict = Verdict::LicenseException;
                        item_exception = Some(ei);
                    }
                    other => {
                        match (other, barred_by) {
                            (Some(_), Some(Bar::Hit { hit, effect })) => {
                                d.steps.push(Step::ExceptionBarred {
                                    item: i,
                                    hit,
                                    effect,
                                })
                            }
                            (Some(_), Some(Bar::Owners { finding })) => d
                                .steps
                                .push(Step::ExceptionBarredByOwners { item: i, finding }),
                            _ => {}
                        }
                        item_verdict = Verdict::LicenseRequired;
                        item_review = item_policy;
                        // Obligations are checked against this item's facts (the duty band is
                        // the item's own).
                        for &pi in &item_policies {
                            let pol = &pack.policies[pi as usize];
                            for &oi in &pol.obligations {
                                if all_hold(&pack.obligations[oi].when, &facts, d.sets) {
                                    obligation_policy = obligation_policy.max(Some(pol.policy));
                                    // Kept in pack order as they come.
                                    if let Err(at) = d.obligations.binary_search(&oi) {
                                        d.obligations.insert(at, oi);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            d.verdict = d.verdict.max(item_verdict);
            if item_verdict == Verdict::LicenseRequired {
                d.review_policy = d.review_policy.max(item_review);
            }
            let item_d = ItemDecision {
                classification: c,
                quantity: it.quantity,
                verdict: item_verdict,
                review_policy: item_review,
                exception: item_exception,
            };
            d.items.push(item_d);
        }

        // Dormant rules are named once, when the order has controlled items.
        if d.items.iter().any(|i| i.classification.controlled) {
            for ri in 0..pack.raw.dormant_rule.len() {
                d.steps.push(Step::Dormant { rule: ri as u16 });
            }
        }
        // Each licence-required hit is reviewed under its entry's policy (15 CFR 744.11; the
        // License Review Policy column of Supp. No. 4 to Part 744), read for every item of the
        // order (the most restrictive reading counts), or under the pack's policy for the list
        // when the entry states none.
        for &at in &licence_hits {
            if let Step::Screen { hit, effect, entry } = &mut d.steps[at] {
                let h = &screening.hits[*hit as usize];
                let fallback = pack.screening_effects[*effect as usize]
                    .policy
                    .unwrap_or(ReviewPolicy::PresumptionOfDenial);
                let read = strictest_reading(&d.items, h.license_policy.as_deref(), fallback);
                *entry = read;
                screen_policy = screen_policy.max(Some(read.policy().unwrap_or(fallback)));
            }
        }
        // A party owned by listed parties takes the most restrictive review policy of those
        // parties' entries (744.11(a)(1) as amended by 90 FR 47201), read like a hit's.
        for fi in 0..d.findings.len() {
            let f = &d.findings[fi];
            let rule = &pack.ownership_rules[f.rule as usize];
            if !f.binds || rule.effect != ScreeningEffectKind::LicenseRequired {
                continue;
            }
            let mut leaves = Vec::new();
            for c in &f.contributions {
                c.leaf_hits(&mut leaves);
            }
            let mut pol: Option<ReviewPolicy> = None;
            for h in leaves {
                let hit = &screening.hits[h as usize];
                let fallback = rule.fallback_policy(&hit.list);
                let r = strictest_reading(&d.items, hit.license_policy.as_deref(), fallback);
                pol = pol.max(Some(r.policy().unwrap_or(fallback)));
            }
            d.findings[fi].policy = pol;
            screen_policy = screen_policy.max(pol);
        }
        if let Some(sp) = screen_policy {
            // A listed party needs a licence for every item subject to the EAR, each reviewed at
            // least as strictly as the entry says (its own path, e.g. the 2026 case-by-case one,
            // cannot make it less strict).
            for it in &mut d.items {
                // (An item at licence_required never has an exception.)
                it.verdict = it.verdict.max(Verdict::LicenseRequired);
                it.exception = None;
                it.review_policy = it.review_policy.max(Some(sp));
            }
            // (An order below licence_required has no review policy yet, so this sets it to sp.)
            d.verdict = d.verdict.max(Verdict::LicenseRequired);
            d.review_policy = d.review_policy.max(Some(sp));
        }
        if d.review_policy > obligation_policy {
            d.obligations.clear();
        }
        for oi in d.obligations.clone() {
            d.steps.push(Step::Obligation { obl: oi as u16 });
        }
        if prohibited {
            d.verdict = Verdict::Prohibited;
            d.review_policy = None;
            d.obligations.clear();
            d.steps.retain(|s| !matches!(s, Step::Obligation { .. }));
        }
        Ok(d)
    }
}

impl Decision<'_> {
    /// Applies the pack's ownership rules to every party of the order.
    fn ownership(
        &mut self,
        countries: &crate::country::Countries,
        prohibited: &mut bool,
        barred_by: &mut Option<Bar>,
    ) {
        let pack = self.pack;
        let hits = &self.screening.hits;
        let parties = &self.order.parties;
        let mut mentioned = vec![false; hits.len()];
        for (ri, rule) in pack.ownership_rules.iter().enumerate() {
            let on_lists = |h: &PartyHit| rule.lists.contains(&h.list);
            let listed = |role: Role| {
                hits.iter()
                    .position(|h| h.role == role && on_lists(h))
                    .map(|x| x as u16)
            };
            for (role, party) in parties.all() {
                let of = role.direct();
                let (share, contributions) = if party.owners.is_empty() {
                    (Decimal::ZERO, Vec::new())
                } else {
                    owned_share(rule.threshold_pct, &listed, of, None, &party.owners)
                };
                let listed_owners: Vec<usize> = hits
                    .iter()
                    .enumerate()
                    .filter(|(_, h)| matches!(h.role, Role::Owner(p) if p.of == of) && on_lists(h))
                    .map(|(i, _)| i)
                    .collect();
                let binds =
                    share >= rule.threshold_pct && rule.effect != ScreeningEffectKind::RedFlag;
                let flags = !listed_owners.is_empty()
                    && (rule.red_flag_below || rule.effect == ScreeningEffectKind::RedFlag);
                if binds || flags {
                    let fi = self.findings.len() as u16;
                    self.findings.push(Finding {
                        rule: ri as u16,
                        party: of,
                        share,
                        contributions,
                        binds,
                        policy: None,
                    });
                    if binds {
                        self.steps.push(Step::Ownership { finding: fi });
                        match rule.effect {
                            ScreeningEffectKind::Prohibited => *prohibited = true,
                            _ => {
                                barred_by.get_or_insert(Bar::Owners { finding: fi });
                            }
                        }
                        let mut leaves = Vec::new();
                        for c in &self.findings[fi as usize].contributions {
                            c.leaf_hits(&mut leaves);
                        }
                        for h in leaves {
                            mentioned[h as usize] = true;
                        }
                    } else {
                        self.warns.push(WarnStep::Owners { finding: fi });
                        for &h in &listed_owners {
                            mentioned[h] = true;
                        }
                    }
                }
                if let Some(set) = rule.unknown_ownership_set {
                    let step = WarnStep::OwnershipUnknown {
                        rule: ri as u16,
                        party: of,
                    };
                    // Hong Kong counts as China, as it does for the order's destination.
                    let country = countries.canonical(party.country);
                    // One warning per entity: the consignee is often the end user too.
                    let same_entity_warned = self.warns.iter().any(|w| match w {
                        WarnStep::OwnershipUnknown { party: p, .. } => parties
                            .get(p.role())
                            .is_some_and(|q| q.name == party.name && q.country == party.country),
                        _ => false,
                    });
                    if rule.effect != ScreeningEffectKind::RedFlag
                        && party.owners.is_empty()
                        && matches!(role, Role::EndUser | Role::UltimateConsignee)
                        && self.sets.get(set).is_some_and(|s| s.contains(country))
                        && !self.warns.contains(&step)
                        && !same_entity_warned
                    {
                        self.warns.push(step);
                    }
                }
            }
        }
        for (hi, h) in hits.iter().enumerate() {
            if h.role.is_owner() && !mentioned[hi] {
                self.warns.push(WarnStep::OwnerListed { hit: hi as u16 });
            }
        }
    }

    fn describe_contribution(&self, c: &Contribution, out: &mut String) {
        use std::fmt::Write;
        let name = self.party_name(c.owner);
        let _ = write!(out, "'{name}' ({}, {})", c.owner.label(), pct(c.percent));
        match c.hit {
            Some(h) => {
                let h = &self.screening.hits[h as usize];
                let _ = write!(
                    out,
                    " on the {} as '{}' (id {})",
                    h.list, h.match_name, h.match_id
                );
            }
            None => {
                let _ = write!(out, ", itself {} owned by listed parties: ", pct(c.share));
                for (i, v) in c.via.iter().enumerate() {
                    if i > 0 {
                        out.push_str("; ");
                    }
                    self.describe_contribution(v, out);
                }
            }
        }
    }

    /// The warnings, in the order they arose, each with its code and sentence.
    pub fn warnings(&self) -> Vec<Warning> {
        let pack = self.pack;
        let mut out: Vec<Warning> = Vec::with_capacity(self.warns.len());
        for w in &self.warns {
            let warning = match *w {
                WarnStep::Pack { rule } => {
                    let r = &pack.warnings[rule as usize];
                    Warning::new(&r.code, format!("{} ({}; {})", r.message, r.id, r.citation))
                }
                WarnStep::Screening { i } => self.screening.warnings[i as usize].clone(),
                WarnStep::Owners { finding } => {
                    let f = &self.findings[finding as usize];
                    let rule = &pack.ownership_rules[f.rule as usize];
                    let mut msg = format!(
                        "{} '{}': ",
                        f.party.role().label(),
                        self.party_name(f.party.role())
                    );
                    let listed: Vec<&PartyHit> = self
                        .screening
                        .hits
                        .iter()
                        .filter(|h| matches!(h.role, Role::Owner(p) if p.of == f.party) && rule.lists.contains(&h.list))
                        .collect();
                    for (i, h) in listed.iter().enumerate() {
                        if i > 0 {
                            msg.push_str("; ");
                        }
                        let name = self.party_name(h.role);
                        let share = self.owner_share(h.role);
                        msg.push_str(&format!(
                            "owner '{name}' ({}, {share}) matches '{}' on the {} (id {})",
                            h.role.label(),
                            h.match_name,
                            h.list,
                            h.match_id
                        ));
                    }
                    msg.push_str(&format!(
                        "; listed parties hold {} of it, directly or through entities they own {} or more of; {} ({}; {})",
                        pct(f.share),
                        pct(rule.threshold_pct),
                        rule.red_flag_message,
                        rule.id,
                        rule.citation
                    ));
                    Warning::new("affiliate_red_flag", msg)
                }
                WarnStep::OwnershipUnknown { rule, party } => {
                    let r = &pack.ownership_rules[rule as usize];
                    let p = self.order.parties.get(party.role());
                    Warning::new(
                        "affiliate_red_flag",
                        format!(
                            "{} '{}' ({}) states no owners: {} applies to entities {} or more owned by listed parties, so its ownership must be known before export; give `owners` ({}; {})",
                            party.role().label(),
                            p.map(|p| p.name.as_str()).unwrap_or("?"),
                            p.map(|p| p.country.as_str()).unwrap_or("?"),
                            r.id,
                            pct(r.threshold_pct),
                            r.id,
                            r.citation
                        ),
                    )
                }
                WarnStep::OwnerListed { hit } => {
                    let h = &self.screening.hits[hit as usize];
                    let name = self.party_name(h.role);
                    let share = self.owner_share(h.role);
                    Warning::new(
                        "affiliate_red_flag",
                        format!(
                            "owner '{name}' ({}, {share}) matches '{}' on the {} (id {}, score {:.3}): a restricted party in the ownership chain is a red flag to resolve before export (15 CFR Part 732, Supp. No. 3)",
                            h.role.label(),
                            h.match_name,
                            h.list,
                            h.match_id,
                            h.score
                        ),
                    )
                }
                WarnStep::Unclassified { item } => Warning::new(
                    "unclassified_item",
                    format!(
                        "{}: its compute figures are not published, so its ECCN is unknown; it is decided here only by rules that need no ECCN, and other requirements may apply to it",
                        self.item_name(item)
                    ),
                ),
            };
            if !out.contains(&warning) {
                out.push(warning);
            }
        }
        out
    }
}

fn fmt_count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn countries(cs: &[Iso2]) -> String {
    cs.iter().map(|c| c.as_str()).collect::<Vec<_>>().join("/")
}

impl<'a> Decision<'a> {
    /// The exception used, when the verdict is `license_exception`.
    pub fn exception(&self) -> Option<&'a crate::pack::Exception> {
        if self.verdict != Verdict::LicenseException {
            return None;
        }
        self.items
            .iter()
            .find_map(|i| i.exception)
            .map(|e| &self.pack.exceptions[e])
    }

    fn item_name(&self, i: u16) -> &str {
        self.order.items[i as usize].chip.name()
    }

    /// The reasons, in order, each with its rule id, citation and a plain sentence.
    pub fn reasons(&self) -> Vec<Reason> {
        self.reason_refs()
            .into_iter()
            .map(|r| Reason::new(&r.rule, &r.citation, r.message))
            .collect()
    }

    /// The reasons, borrowing rule ids and citations from the pack (no copies for output).
    pub fn reason_refs(&self) -> Vec<ReasonRef<'_>> {
        let pack = self.pack;
        let mut out = Vec::with_capacity(self.steps.len() + 8);
        for s in &self.steps {
            match *s {
                Step::Classified { item } => {
                    let name = self.item_name(item);
                    match &self.items[item as usize].classification {
                        // The epoch's catalog reasons already name the chip.
                        ItemClass::Catalog(c) => {
                            for r in &c.reasons {
                                out.push(ReasonRef::new(&r.rule, &r.citation, r.message.as_str()));
                            }
                        }
                        ItemClass::Inline(_) => {
                            if let ItemChip::Inline { specs, .. } =
                                &self.order.items[item as usize].chip
                            {
                                let c = classify_inline(
                                    pack, self.order, name, specs, self.as_of, true,
                                );
                                for r in c.reasons {
                                    out.push(ReasonRef::new(
                                        r.rule,
                                        r.citation,
                                        format!("{name}: {}", r.message),
                                    ));
                                }
                            }
                        }
                    }
                }
                Step::Requirement { item, req } => {
                    let r = &pack.requirements[req as usize];
                    let c = &self.items[item as usize].classification;
                    out.push(ReasonRef::new(
                        &r.id,
                        &r.citation,
                        format!(
                            "{} ({}) to {} for end user {} ({}): licence required: {}",
                            self.item_name(item),
                            c.eccn,
                            countries(&self.facts_ctx.destination),
                            self.order.parties.end_user.name,
                            self.order.parties.end_user.country,
                            r.message
                        ),
                    ));
                }
                Step::NoRequirement { item } => {
                    let c = &self.items[item as usize].classification;
                    let (rule, cite) = pack
                        .requirements
                        .first()
                        .map(|r| (r.id.as_str(), r.citation.as_str()))
                        .unwrap_or(("742.6-a6-destination", "15 CFR 742.6(a)(6)"));
                    let why = if c.controlled {
                        format!(
                            "destination {} is outside every licence requirement of this pack for a {} item",
                            countries(&self.facts_ctx.destination),
                            c.eccn
                        )
                    } else {
                        "the item is not 3A090/4A090 and no destination- or end-use-based requirement applies".to_string()
                    };
                    out.push(ReasonRef::new(
                        rule,
                        cite,
                        format!("{}: no licence required: {why}", self.item_name(item)),
                    ));
                }
                Step::Policy { item, req, policy } => {
                    let p = &pack.policies[policy as usize];
                    out.push(ReasonRef::new(
                        &p.id,
                        &p.citation,
                        format!(
                            "{}: the {} requirement is reviewed under {}: {}",
                            self.item_name(item),
                            pack.requirements[req as usize].id,
                            p.policy.as_str(),
                            p.message
                        ),
                    ));
                }
                Step::NoPolicy { item, req } => {
                    let r = &pack.requirements[req as usize];
                    out.push(ReasonRef::new(
                        &r.id,
                        &r.citation,
                        format!("{}: no review policy of this pack covers the {} requirement here, so it is treated as presumption of denial", self.item_name(item), r.id),
                    ));
                }
                Step::PolicyNotMet { item, policy, cond } => {
                    let p = &pack.policies[policy as usize];
                    let it = &self.items[item as usize];
                    let facts = ItemFacts {
                        c: &it.classification,
                        o: &self.facts_ctx,
                        transaction: self.order.transaction.as_str(),
                        within_cap: false,
                    };
                    let why = p.when[cond as usize].describe_unmet(&facts);
                    out.push(ReasonRef::new(
                        &p.id,
                        &p.citation,
                        format!(
                            "{}: the {} path does not apply: {why}",
                            self.item_name(item),
                            p.policy.as_str().replace('_', "-")
                        ),
                    ));
                }
                Step::CertificationsMissing => {
                    if let Some(c) = &pack.certifications {
                        out.push(ReasonRef::new(
                            &c.rule,
                            &c.citation,
                            format!(
                                "certifications not given: {}",
                                self.facts_ctx.missing_certs.join(", ")
                            ),
                        ));
                    }
                }
                Step::VolumeCap { item } => {
                    if let Some((ratio, t)) = &pack.volume_cap_ratio {
                        let name = self.item_name(item);
                        let same: u64 = self
                            .order
                            .items
                            .iter()
                            .filter(|x| x.chip.name() == name)
                            .map(|x| x.quantity)
                            .sum();
                        let c = &self.order.certifications;
                        let (us_units, shipped, from_ledger) = c.cap_counts(name);
                        let source = if from_ledger {
                            "counts from the exporter's ledger"
                        } else {
                            "counts as the order certifies them; no records database was given, or it holds no count for this item"
                        };
                        let msg = match us_units {
                            None => format!(
                                "the US units shipped are not stated, so the {} % volume cap cannot be shown to hold",
                                (*ratio * Decimal::ONE_HUNDRED).normalize()
                            ),
                            Some(us) => {
                                let allowed = (*ratio * Decimal::from(us)).floor().to_u64().unwrap_or(0);
                                format!(
                                    "{name}: {} units to China and Macau ({} already shipped + {} in this order) exceed the cap of {} ({} x {} US units) ({source})",
                                    fmt_count(same + shipped),
                                    fmt_count(shipped),
                                    fmt_count(same),
                                    fmt_count(allowed),
                                    ratio.normalize(),
                                    fmt_count(us)
                                )
                            }
                        };
                        out.push(ReasonRef::new(&t.rule, &t.citation, msg));
                    }
                }
                Step::Exception { item, exc } => {
                    let e = &pack.exceptions[exc as usize];
                    let note = e
                        .notification
                        .as_deref()
                        .map(|n| format!(" Notification: {n}"))
                        .unwrap_or_else(|| " No notification is required.".into());
                    out.push(ReasonRef::new(
                        &e.id,
                        &e.citation,
                        format!(
                            "{}: licence exception {} is available: {}.{note}",
                            self.item_name(item),
                            e.name,
                            e.message
                        ),
                    ));
                }
                Step::ExceptionBarred { item, hit, effect } => {
                    // Cited to the rule of the list whose hit bars the exception.
                    let h = &self.screening.hits[hit as usize];
                    let e = &pack.screening_effects[effect as usize];
                    out.push(ReasonRef::new(
                        &e.rule,
                        &e.citation,
                        format!(
                            "{}: a licence exception would otherwise be available, but {} '{}' on the {} bars its use",
                            self.item_name(item),
                            h.role.label(),
                            self.party_name(h.role),
                            h.list
                        ),
                    ));
                }
                Step::Obligation { obl } => {
                    let o = &pack.obligations[obl as usize];
                    let rule = pack
                        .raw
                        .obligation
                        .get(obl as usize)
                        .map(|r| r.rule.as_str())
                        .unwrap_or(&o.id);
                    out.push(ReasonRef::new(
                        rule,
                        &o.citation,
                        format!("obligation {}: {}", o.id, o.message),
                    ));
                }
                Step::Screen { hit, effect, entry } => {
                    let h = &self.screening.hits[hit as usize];
                    let e = &pack.screening_effects[effect as usize];
                    let what = match e.effect {
                        ScreeningEffectKind::Prohibited => "prohibited".to_string(),
                        ScreeningEffectKind::LicenseRequired => format!(
                            "licence required, {}",
                            entry
                                .policy()
                                .or(e.policy)
                                .unwrap_or(ReviewPolicy::PresumptionOfDenial)
                                .as_str()
                        ),
                        ScreeningEffectKind::RedFlag => "red flag".to_string(),
                    };
                    let mut msg = format!(
                        "{} '{}' matches '{}' on the {} (id {}, score {:.3}): {what}: {}",
                        h.role.label(),
                        self.party_name(h.role),
                        h.match_name,
                        h.list,
                        h.match_id,
                        h.score,
                        e.message
                    );
                    if e.effect == ScreeningEffectKind::LicenseRequired {
                        self.write_entry(&mut msg, h, e, entry);
                    }
                    out.push(ReasonRef::new(&e.rule, &e.citation, msg));
                }
                Step::ScreenClear => {
                    let (rule, cite) = pack
                        .screening_effects
                        .first()
                        .map(|e| (e.rule.as_str(), e.citation.as_str()))
                        .unwrap_or(("screening", "15 CFR Part 744"));
                    let mut msg = format!(
                        "no party matches a restricted-party list ({} parties screened",
                        self.order.parties.all_with_owners().len()
                    );
                    if !self.screening.list_versions.is_empty() {
                        msg.push_str(&format!(
                            " against {}",
                            self.screening.list_versions.join(", ")
                        ));
                    }
                    msg.push(')');
                    out.push(ReasonRef::new(rule, cite, msg));
                }
                Step::Ownership { finding } => {
                    let f = &self.findings[finding as usize];
                    let rule = &pack.ownership_rules[f.rule as usize];
                    let mut msg = format!(
                        "{} '{}' is {} owned, directly or indirectly, by parties on the {}: ",
                        f.party.role().label(),
                        self.party_name(f.party.role()),
                        pct(f.share),
                        rule.lists.join(", ")
                    );
                    for (i, c) in f.contributions.iter().enumerate() {
                        if i > 0 {
                            msg.push_str("; ");
                        }
                        self.describe_contribution(c, &mut msg);
                    }
                    let what = match rule.effect {
                        ScreeningEffectKind::Prohibited => "prohibited".to_string(),
                        _ => format!(
                            "licence required, {}",
                            f.policy
                                .or(rule.policy)
                                .unwrap_or(ReviewPolicy::PresumptionOfDenial)
                                .as_str()
                        ),
                    };
                    msg.push_str(&format!(
                        "; at or above {} it takes their restrictions: {what}: {}",
                        pct(rule.threshold_pct),
                        rule.message
                    ));
                    out.push(ReasonRef::new(&rule.id, &rule.citation, msg));
                }
                Step::ExceptionBarredByOwners { item, finding } => {
                    let f = &self.findings[finding as usize];
                    let rule = &pack.ownership_rules[f.rule as usize];
                    out.push(ReasonRef::new(
                        &rule.id,
                        &rule.citation,
                        format!(
                            "{}: a licence exception would otherwise be available, but {} '{}' is {} owned by listed parties and takes their licence requirement, which bars its use",
                            self.item_name(item),
                            f.party.role().label(),
                            self.party_name(f.party.role()),
                            pct(f.share)
                        ),
                    ));
                }
                Step::Dormant { rule } => {
                    let r = &pack.raw.dormant_rule[rule as usize];
                    out.push(ReasonRef::new(
                        &r.id,
                        &r.citation,
                        format!("not applied: {} ({})", r.message, r.why_not_enforced),
                    ));
                }
            }
        }
        out
    }

    /// The entry's licence requirement, footnotes and review policy, appended to the reason of
    /// a licence-required hit.
    fn write_entry(
        &self,
        msg: &mut String,
        h: &PartyHit,
        e: &crate::pack::ScreeningEffect,
        entry: EntryPolicy,
    ) {
        use std::fmt::Write;
        match h.license_requirement.as_deref().map(str::trim) {
            Some(r) if !r.is_empty() => {
                let _ = write!(msg, "; the entry's licence requirement: \"{r}\"");
            }
            _ => msg.push_str(
                "; the entry states no licence requirement, so every item subject to the EAR is taken to need one",
            ),
        }
        for f in h
            .footnotes
            .iter()
            .map(|f| f.trim())
            .filter(|f| !f.is_empty())
        {
            match e.footnote(f) {
                Some(d) => {
                    let _ = write!(msg, "; footnote {f}: {} ({})", d.message, d.citation);
                }
                None => {
                    let _ = write!(
                        msg,
                        "; footnote {f}: not described in regulation pack {}",
                        self.pack.id
                    );
                }
            }
        }
        let fallback = e.policy.unwrap_or(ReviewPolicy::PresumptionOfDenial);
        let text = h.license_policy.as_deref().map(str::trim).unwrap_or("");
        let _ = match entry {
            EntryPolicy::Stated(p) => write!(
                msg,
                "; review policy: {}, as the entry states: \"{text}\"",
                p.words()
            ),
            EntryPolicy::ForEccn(p) => {
                let eccn = self
                    .items
                    .iter()
                    .map(|i| i.classification.eccn.as_str())
                    .find(|x| entry_policy::read(Some(text), x) == entry)
                    .unwrap_or("these");
                write!(
                    msg,
                    "; review policy: {}, from the clause of the entry's policy naming {eccn} items: \"{text}\"",
                    p.words()
                )
            }
            EntryPolicy::MostRestrictive(p) => write!(
                msg,
                "; review policy: {}, the most restrictive the entry states (which clause covers the items cannot be told): \"{text}\"",
                p.words()
            ),
            EntryPolicy::Unrecognised => write!(
                msg,
                "; the entry's review policy \"{text}\" names none of the EAR's review policies; {} assumed",
                fallback.words()
            ),
            EntryPolicy::Unstated => write!(
                msg,
                "; the list entry states no review policy; {} assumed (the eCFR extract carries the licence requirement only)",
                fallback.words()
            ),
        };
    }

    /// How much a hit on `list` weighs under this pack: prohibited 3, licence 2, red flag 1.
    fn list_weight(&self, list: &str) -> u8 {
        let e = self
            .pack
            .screening_effects
            .iter()
            .find(|e| e.list == list)
            .or_else(|| self.pack.screening_effects.iter().find(|e| e.list == "*"));
        match e.map(|e| e.effect) {
            Some(ScreeningEffectKind::Prohibited) => 3,
            Some(ScreeningEffectKind::LicenseRequired) => 2,
            Some(ScreeningEffectKind::RedFlag) => 1,
            None => 0,
        }
    }

    /// The name of a party or owner.
    fn party_name(&self, role: Role) -> &str {
        self.order
            .parties
            .get(role)
            .map(|p| p.name.as_str())
            .unwrap_or("?")
    }

    /// The share an owner holds in what it owns, e.g. "60 %" (empty for a party).
    fn owner_share(&self, role: Role) -> String {
        self.order
            .parties
            .percent(role)
            .map(pct)
            .unwrap_or_default()
    }

    /// The rule ids the decision rests on (for what-if comparisons).
    pub fn rule_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for r in self.reasons() {
            if !ids.contains(&r.rule) {
                ids.push(r.rule);
            }
        }
        ids
    }

    /// The decision JSON of INTERFACES.md section 3, as a value.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self.output()).unwrap_or(Value::Null)
    }

    /// The decision JSON of INTERFACES.md section 3, serialisable without building a value.
    pub fn output(&self) -> DecisionOut<'_> {
        let items = self
            .items
            .iter()
            .map(|i| {
                let c = &i.classification;
                ItemOut {
                    chip: &c.chip,
                    eccn: &c.eccn,
                    tpp: c.tpp_int(),
                    ai_commodity_2026: c.ai_commodity_2026,
                    quantity: i.quantity,
                    verdict: i.verdict.as_str(),
                    review_policy: i.review_policy.map(|p| p.as_str()),
                    duty_band: c.duty_band.as_ref().map(|b| b.id.as_str()),
                }
            })
            .collect();
        let screening = if self.screening.screened {
            self.order
                .parties
                .all_with_owners()
                .into_iter()
                .map(|(role, _)| {
                    let best = self
                        .screening
                        .hits
                        .iter()
                        .filter(|h| h.role == role)
                        // The hit whose list weighs most (prohibited, then licence, then red
                        // flag), then the closest: the entry a reader must see first.
                        .max_by(|a, b| {
                            self.list_weight(&a.list)
                                .cmp(&self.list_weight(&b.list))
                                .then(a.score.total_cmp(&b.score))
                        });
                    ScreenOut {
                        party: role.label(),
                        match_id: best.map(|h| h.match_id.as_str()),
                        match_list: best.map(|h| h.list.as_str()),
                        score: best.map(|h| (h.score * 1000.0).round() / 1000.0),
                        match_name: best.map(|h| h.match_name.as_str()),
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        DecisionOut {
            order: &self.order.id,
            as_of: self.as_of,
            regulation: &self.pack.id,
            verdict: self.verdict.as_str(),
            review_policy: self.review_policy.map(|p| p.as_str()),
            items,
            screening,
            obligations: self
                .obligations
                .iter()
                .map(|&o| self.pack.obligations[o].id.as_str())
                .collect(),
            reasons: self.reason_refs(),
            warnings: self.warnings(),
            licence_exception: self.exception().map(|e| ExceptionOut {
                id: &e.id,
                name: &e.name,
                citation: &e.citation,
                notification: e.notification.as_deref(),
            }),
        }
    }
}

/// A reason that borrows its rule id and citation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReasonRef<'a> {
    pub rule: Cow<'a, str>,
    pub citation: Cow<'a, str>,
    pub message: Cow<'a, str>,
}

impl<'a> ReasonRef<'a> {
    fn new(
        rule: impl Into<Cow<'a, str>>,
        citation: impl Into<Cow<'a, str>>,
        message: impl Into<Cow<'a, str>>,
    ) -> Self {
        Self {
            rule: rule.into(),
            citation: citation.into(),
            message: message.into(),
        }
    }
}

/// The decision JSON of INTERFACES.md section 3 (field order as documented there).
#[derive(Debug, serde::Serialize)]
pub struct DecisionOut<'a> {
    pub order: &'a str,
    pub as_of: NaiveDate,
    pub regulation: &'a str,
    pub verdict: &'static str,
    pub review_policy: Option<&'static str>,
    pub items: Vec<ItemOut<'a>>,
    pub screening: Vec<ScreenOut<'a>>,
    pub obligations: Vec<&'a str>,
    pub reasons: Vec<ReasonRef<'a>>,
    pub warnings: Vec<Warning>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licence_exception: Option<ExceptionOut<'a>>,
}

#[derive(Debug, serde::Serialize)]
pub struct ItemOut<'a> {
    pub chip: &'a str,
    pub eccn: &'a str,
    pub tpp: Option<u64>,
    pub ai_commodity_2026: bool,
    pub quantity: u64,
    pub verdict: &'static str,
    pub review_policy: Option<&'static str>,
    pub duty_band: Option<&'a str>,
}

#[derive(Debug, serde::Serialize)]
pub struct ScreenOut<'a> {
    pub party: String,
    pub match_id: Option<&'a str>,
    pub match_list: Option<&'a str>,
    pub score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_name: Option<&'a str>,
}

#[derive(Debug, serde::Serialize)]
pub struct ExceptionOut<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub citation: &'a str,
    pub notification: Option<&'a str>,
}

/// Two decisions of the same order under two dates, and the rules that made the difference.
pub struct Comparison<'a> {
    pub before: Decision<'a>,
    pub after: Decision<'a>,
    /// Rule ids only in the earlier decision.
    pub only_before: Vec<String>,
    /// Rule ids only in the later decision.
    pub only_after: Vec<String>,
}

impl Regulation {
    /// Decides the order under both dates and lists the rules that differ.
    pub fn compare<'a>(
        &'a self,
        order: &'a Order,
        a: NaiveDate,
        b: NaiveDate,
        screening: &'a Screening,
    ) -> Result<Comparison<'a>, OrderError> {
        let before = self.decide(order, Some(a), screening)?;
        let after = self.decide(order, Some(b), screening)?;
        let (ra, rb) = (before.rule_ids(), after.rule_ids());
        let only_before = ra.iter().filter(|r| !rb.contains(r)).cloned().collect();
        let only_after = rb.iter().filter(|r| !ra.contains(r)).cloned().collect();
        Ok(Comparison {
            before,
            after,
            only_before,
            only_after,
        })
    }
}

impl Comparison<'_> {
    pub fn to_json(&self) -> Value {
        json!({
            "order": self.before.order.id,
            "before": self.before.to_json(),
            "after": self.after.to_json(),
            "changed": self.before.verdict != self.after.verdict || self.before.review_policy != self.after.review_policy,
            "rules_only_before": self.only_before,
            "rules_only_after": self.only_after,
        })
    }
}
