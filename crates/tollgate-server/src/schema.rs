//! Typed schemas of the documents the API exchanges: orders, decisions, screening hits and list
//! versions. The handlers validate orders with the core's own validation (which names the field
//! of every problem) and write decisions with the core's serialiser; these types describe the same
//! shapes for `/openapi.json` and for clients generated from it. They are kept true by
//! `tests/openapi.rs`, which checks the repository's example orders and real decisions and hits
//! against them. The user reference is `docs/orders.md`, `docs/decisions.md` and
//! `docs/screening.md`.

use crate::error::Problem;
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

// ---- orders ---------------------------------------------------------------------------------

/// An export order (docs/orders.md). Every object of an order is strict: an unknown key anywhere
/// is invalid input naming its JSON path (a misspelt party or certification is never dropped
/// silently).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderBody {
    /// The order's own id (1 to 200 characters), echoed as the decision's `order`.
    pub id: String,
    /// The order date (YYYY-MM-DD). The regulation in force on this date decides, unless the
    /// request gives `as_of`.
    #[schema(value_type = String, format = Date)]
    pub date: String,
    /// The exporter (an exporter token may only check its own exporter's orders).
    pub exporter: String,
    /// Default `export`.
    pub transaction: Option<TransactionKind>,
    /// ISO 3166-1 alpha-2 country the items leave from (default `US`).
    pub ship_from: Option<String>,
    /// The order lines (1 to 1,000).
    #[schema(min_items = 1, max_items = 1000)]
    pub items: Vec<OrderItemBody>,
    pub parties: PartiesBody,
    pub end_use: Option<EndUseBody>,
    /// Optional; a certification not given counts as not given.
    pub certifications: Option<CertificationsBody>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransactionKind {
    Export,
    Reexport,
    InCountryTransfer,
}

/// One order line: a catalog `chip` or inline `specs` (exactly one of the two).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderItemBody {
    /// Catalog id or alias, matched case-insensitively (`nvidia-h200-sxm`, `H200`).
    pub chip: Option<String>,
    /// Inline figures for a chip that is not in the catalog.
    pub specs: Option<SpecsBody>,
    /// Units (1 to 100,000,000).
    #[schema(minimum = 1, maximum = 100_000_000)]
    pub quantity: u64,
    pub unit_price: Option<MoneyBody>,
}

/// An amount with its currency.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyBody {
    /// A non-negative decimal string such as `"31000.00"` (read exactly, never through binary
    /// floating point).
    #[schema(pattern = r"^\s*[0-9]+(\.[0-9]+)?\s*$")]
    pub amount: String,
    /// ISO 4217 code, e.g. `USD`.
    pub currency: String,
}

/// Inline chip specs (docs/classify.md): dense (not sparse) tera-operations per second per
/// precision, and the figures the rules test.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpecsBody {
    pub name: Option<String>,
    pub vendor: Option<String>,
    /// `logic` (default) or `hbm` (a stand-alone high-bandwidth memory stack, 3A090.c).
    pub kind: Option<ItemKindBody>,
    /// Dense TOPS per precision; precision names: fp4, fp6, fp8, int4, int8, fp16, bf16, tf32,
    /// fp32, fp64. At least one for a logic part.
    pub dense_tops: Option<BTreeMap<String, f64>>,
    pub die_area_mm2: Option<f64>,
    pub dram_gb: Option<f64>,
    /// Total DRAM bandwidth in GB/s.
    pub dram_bandwidth_gbs: Option<f64>,
    pub interconnect_gbs: Option<f64>,
    /// HBM stacks: memory bandwidth in GB/s.
    pub memory_bandwidth_gbs: Option<f64>,
    /// HBM stacks: package area in mm².
    pub package_area_mm2: Option<f64>,
    /// Designed or marketed for data centres (default true).
    pub datacenter: Option<bool>,
    /// First date the part was commercially available in the US (YYYY-MM-DD).
    #[schema(value_type = Option<String>, format = Date)]
    pub us_available_from: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ItemKindBody {
    Logic,
    Hbm,
}

/// The parties of an order. Every party, and every owner at any depth, is screened.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartiesBody {
    pub purchaser: Option<PartyBody>,
    pub ultimate_consignee: PartyBody,
    pub end_user: PartyBody,
    /// At most 50.
    #[schema(max_items = 50)]
    pub intermediate_consignees: Option<Vec<PartyBody>>,
}

/// A party of an order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyBody {
    /// The name as written (1 to 500 characters).
    pub name: String,
    /// ISO 3166-1 alpha-2 (Hong Kong counts as China).
    pub country: String,
    pub address: Option<String>,
    /// ISO 3166-1 alpha-2 country of the party's headquarters.
    pub headquarters: Option<String>,
    /// ISO 3166-1 alpha-2 country of its ultimate parent's headquarters.
    pub parent_headquarters: Option<String>,
    /// Who owns the party, and how much (percents add up to at most 100).
    #[schema(max_items = 100)]
    pub owners: Option<Vec<OwnerBody>>,
}

/// An owner of a party or of another owner (up to 8 levels, 500 owners per order).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnerBody {
    pub name: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// The share held, a decimal string in (0, 100], e.g. `"60"` or `"12.5"`.
    #[schema(pattern = r"^\s*[0-9]+(\.[0-9]+)?\s*$")]
    pub percent: String,
    /// The owner's own owners.
    #[schema(no_recursion, max_items = 100)]
    pub owners: Option<Vec<OwnerBody>>,
}

/// What the items will be used for. Each flag defaults to false.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndUseBody {
    pub description: Option<String>,
    /// A military end use or end user (744.21).
    pub military: Option<bool>,
    /// A military-intelligence end use or end user (744.22).
    pub military_intelligence: Option<bool>,
    /// A supercomputer in or for a destination of concern (744.23(a)(2)).
    pub supercomputer: Option<bool>,
    /// Development or production of integrated circuits at an advanced-node fab (744.23(a)(1)).
    pub advanced_node_ic_production: Option<bool>,
    /// Nuclear end uses (744.2).
    pub nuclear: Option<bool>,
    /// Rockets, missiles or unmanned aerial vehicles for weapons of mass destruction (744.3).
    pub missile: Option<bool>,
    /// Chemical or biological weapons (744.4).
    pub chemical_biological: Option<bool>,
}

/// The exporter's certifications (Supp. No. 2 to Part 748, paragraph (dd)) and the cap counts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificationsBody {
    pub us_commercially_available: Option<bool>,
    pub us_supply_sufficient: Option<bool>,
    pub no_foundry_diversion: Option<bool>,
    pub kyc_remote_access_safeguards: Option<bool>,
    pub third_party_testing: Option<bool>,
    /// Cumulative units of the chip shipped to US end users (the volume cap's base).
    #[schema(minimum = 0)]
    pub us_units_shipped: Option<u64>,
    /// Cumulative units of the chip shipped to China and Macau before this order.
    #[schema(minimum = 0)]
    pub china_macau_units_shipped: Option<u64>,
    /// The export is not prohibited by the Part 744 end-use and end-user controls. False closes
    /// the 2026 case-by-case path; absent adds the warning `incomplete_certifications`.
    pub no_part744_end_use: Option<bool>,
}

// ---- decisions ------------------------------------------------------------------------------

/// The decision on an order (docs/decisions.md). Fields may be added; none is removed.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionBody {
    /// The order's id.
    pub order: String,
    /// The date whose regulation decided.
    #[schema(value_type = String, format = Date)]
    pub as_of: String,
    /// The regulation pack in force on `as_of` (its effective date).
    pub regulation: String,
    pub verdict: VerdictBody,
    /// Only with `license_required`, else null.
    pub review_policy: Option<ReviewPolicyBody>,
    pub items: Vec<DecisionItemBody>,
    /// One line per party and owner, in order (empty when the parties were not screened).
    pub screening: Vec<ScreeningLineBody>,
    /// Obligation ids, e.g. `third_party_test_each_shipment`, `section_232_duty_25pct`,
    /// `china_volume_cap_50pct`.
    pub obligations: Vec<String>,
    /// Every reason, each with its rule id and citation.
    pub reasons: Vec<crate::api::ReasonBody>,
    /// Warnings that do not change the verdict but must be read (empty list when none).
    pub warnings: Vec<WarningBody>,
    /// The licence exception that authorises the order, when the verdict is `license_exception`.
    pub licence_exception: Option<LicenceExceptionBody>,
    /// With `?record=true`: the id of the recorded decision.
    pub recorded_decision: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VerdictBody {
    NoLicenseRequired,
    LicenseException,
    LicenseRequired,
    Prohibited,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewPolicyBody {
    PresumptionOfApproval,
    CaseByCase,
    PresumptionOfDenial,
    PolicyOfDenial,
}

/// One order line as decided.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionItemBody {
    /// Catalog id, or the inline specs' name.
    pub chip: String,
    /// `3A090.a`, ..., `4A090.a`, or `EAR99` / `not_3A090` when no advanced-computing ECCN applies.
    pub eccn: String,
    /// Total processing performance, rounded down; null when the figures are unknown.
    pub tpp: Option<u64>,
    pub ai_commodity_2026: bool,
    pub quantity: u64,
    pub verdict: VerdictBody,
    pub review_policy: Option<ReviewPolicyBody>,
    /// The Section 232 duty band the chip falls in, if any.
    pub duty_band: Option<String>,
}

/// A party's best screening hit, or nulls when it matched no list.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ScreeningLineBody {
    /// The party's JSON path in the order: `end_user`, `intermediate_consignees[0]`,
    /// `end_user.owners[0].owners[1]`.
    pub party: String,
    /// The source list's own id of the entity.
    pub match_id: Option<String>,
    /// The list's short name, e.g. `SDN`, `Entity List`.
    pub match_list: Option<String>,
    /// In [0, 1], 3 decimals.
    pub score: Option<f64>,
    /// The listed name (present only with a match).
    pub match_name: Option<String>,
}

/// A warning on a decision. Codes so far: `stale_lists`, `contested_rule`, `affiliate_red_flag`,
/// `incomplete_certifications`; more may be added.
#[derive(Debug, Deserialize, ToSchema)]
pub struct WarningBody {
    pub code: String,
    pub message: String,
}

/// A licence exception (NAC, ACA) and the notification it requires.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LicenceExceptionBody {
    pub id: String,
    pub name: String,
    pub citation: String,
    /// What must be notified before shipping, or null.
    pub notification: Option<String>,
}

/// One result of a batch check: a decision, or the error of that order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum CheckBatchResult {
    Decision(Box<DecisionBody>),
    Error(Box<BatchError>),
}

/// An order of a batch that could not be decided.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BatchError {
    /// Its position in the batch, from 0.
    pub index: usize,
    pub error: Problem,
}

// ---- screening ------------------------------------------------------------------------------

/// The hits of one screened name (docs/screening.md).
#[derive(Debug, Deserialize, ToSchema)]
pub struct HitsBody {
    pub query: ScreenQueryBody,
    /// The score threshold used.
    pub threshold: f64,
    /// Hits at or above the threshold, best first.
    pub hits: Vec<HitBody>,
    /// `stale_lists` when a list screened against is older than the maximum age (empty list
    /// otherwise).
    pub warnings: Vec<WarningBody>,
}

/// The query as received.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ScreenQueryBody {
    pub name: String,
    pub country: Option<String>,
    pub address: Option<String>,
}

/// One listed entity that matches, with the evidence.
#[derive(Debug, Deserialize, ToSchema)]
pub struct HitBody {
    /// The source list's own id (OFAC ent_num, CSL id, UN reference, OpenSanctions id, or a stable
    /// hash where the list has none).
    pub entity_id: String,
    /// The list's short name, e.g. `SDN`, `Entity List`.
    pub list: String,
    /// The listed name or alias that matched.
    pub matched_name: String,
    /// The entity's primary listed name.
    pub entity_name: String,
    /// In [0, 1]: the name score moved by country and address evidence.
    pub score: f64,
    /// One sentence: what matched and what moved the score.
    pub explanation: String,
    /// The name-only score.
    pub name_score: f64,
    /// `primary`, `alias` or `weak alias`.
    pub name_kind: String,
    /// `individual`, `entity`, `vessel`, `aircraft` or empty.
    pub entity_kind: String,
    /// Countries the list gives for the entity.
    pub countries: Vec<String>,
    pub aligned: Vec<AlignedBody>,
    /// The entry's licence requirement as listed (Entity List).
    pub license_requirement: Option<String>,
    /// The entry's licence review policy as listed.
    pub license_policy: Option<String>,
    /// The entry's footnote markers.
    pub footnotes: Vec<String>,
    /// The list file the hit comes from, its date and SHA-256.
    pub list_file: String,
    pub list_published: Option<String>,
    pub list_sha256: String,
    /// SHA-256 of the entry's content (names, countries, address, licence columns, footnotes):
    /// a reviewed false positive is remembered for this content.
    pub entry_hash: String,
}

/// A query token and the listed token it was aligned with.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AlignedBody {
    pub query: String,
    pub listed: String,
    pub similarity: f64,
}

/// The loaded lists and the default threshold.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ListsBody {
    pub threshold: f64,
    pub lists: Vec<ListVersionBody>,
}

/// One loaded list file.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ListVersionBody {
    /// The publisher, e.g. `OFAC SDN`, `trade.gov CSL`.
    pub source: String,
    /// The loader's format name (docs/screening.md).
    pub format: String,
    pub file: String,
    /// The list's as-of date; `published_basis` says where it comes from.
    pub published: Option<String>,
    pub rows: u64,
    /// Malformed rows skipped.
    pub skipped: u64,
    pub sha256: String,
    pub published_basis: Option<String>,
    /// Rows per list in the file.
    pub lists: Vec<ListRowsBody>,
    /// OFAC side files: rows whose entity is missing from the main file.
    pub unmatched: u64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ListRowsBody {
    pub list: String,
    pub rows: u64,
    /// The newer file that replaced these rows (they are not screened), or null.
    pub superseded_by: Option<String>,
}

// ---- records --------------------------------------------------------------------------------

/// A third-party test report (docs/records.md): the lab's measurement of the units shipped.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TestReportBody {
    pub lab: String,
    pub report_id: String,
    /// The report's date; it must not be after the shipment.
    #[schema(value_type = String, format = Date)]
    pub date: String,
    /// Catalog id or alias of the chip tested; it must be the licence's chip.
    pub chip: String,
    /// Units covered; at least the shipment's quantity.
    #[schema(minimum = 0)]
    pub units_tested: i64,
    pub measured: MeasuredBody,
}

/// What the lab measured; it must stay within the 2026 AI-commodity criteria.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MeasuredBody {
    pub tpp: f64,
    pub dram_bandwidth_gbs: f64,
}
