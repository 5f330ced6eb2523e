//! Export orders (INTERFACES.md section 3): the model and its validation.
//!
//! Orders come from outside (files, HTTP bodies), so validation walks the JSON by hand: every
//! problem names the field by its path (`items[0].quantity`, `parties.end_user.country`) and says
//! what is wrong with the value it found.

use crate::catalog::{Catalog, ChipSpecs, SpecsInput};
use crate::country::{Countries, Iso2};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::str::FromStr;
use thiserror::Error;

/// An order that does not validate: the field (a JSON path) and the problem.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("{field}: {problem}")]
pub struct OrderError {
    pub field: String,
    pub problem: String,
}

impl OrderError {
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

/// Largest quantity of one order line; more is a typo, not an order (the whole world market is
/// a few million accelerators a year).
pub const MAX_QUANTITY: u64 = 100_000_000;
/// Most lines in one order.
pub const MAX_ITEMS: usize = 1_000;
/// Most intermediate consignees.
pub const MAX_INTERMEDIATES: usize = 50;
/// Deepest ownership chain an order may give (owner of owner of ... the party).
pub const MAX_OWNER_DEPTH: usize = 8;
/// Most direct owners of one party.
pub const MAX_OWNERS_PER_PARTY: usize = 100;
/// Most owners in one order, at every depth together.
pub const MAX_OWNERS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transaction {
    Export,
    Reexport,
    InCountryTransfer,
}

impl Transaction {
    pub fn as_str(&self) -> &'static str {
        match self {
            Transaction::Export => "export",
            Transaction::Reexport => "reexport",
            Transaction::InCountryTransfer => "in_country_transfer",
        }
    }
}

/// An amount of money: exact decimal with its ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    pub amount: Decimal,
    pub currency: iso_currency::Currency,
}

/// What an order line ships: a catalog chip or inline specs.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemChip {
    /// Index into the catalog and the catalog id.
    Catalog {
        index: usize,
        id: String,
    },
    Inline {
        name: String,
        specs: Box<ChipSpecs>,
    },
}

impl ItemChip {
    pub fn name(&self) -> &str {
        match self {
            ItemChip::Catalog { id, .. } => id,
            ItemChip::Inline { name, .. } => name,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderItem {
    pub chip: ItemChip,
    pub quantity: u64,
    pub unit_price: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    pub country: Iso2,
    pub address: Option<String>,
    pub headquarters: Option<Iso2>,
    pub parent_headquarters: Option<Iso2>,
    /// Who owns the party, with their shares (INTERFACES 3b), each screened like a party.
    pub owners: Vec<Owner>,
}

/// An owner of a party (or of another owner) and the share it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub party: Party,
    /// Percent of the owned entity, in (0, 100].
    pub percent: Decimal,
}

/// A party of the order itself (not an owner).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DirectRole {
    Purchaser,
    UltimateConsignee,
    EndUser,
    IntermediateConsignee(u8),
}

/// The path to an owner: the party it (indirectly) owns and the owner index at each level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OwnerPath {
    pub of: DirectRole,
    depth: u8,
    at: [u8; MAX_OWNER_DEPTH],
}

impl OwnerPath {
    /// The owner indices from the party down to this owner.
    pub fn indices(&self) -> &[u8] {
        &self.at[..self.depth as usize]
    }

    pub(crate) fn child(of: DirectRole, parent: Option<&OwnerPath>, i: usize) -> Option<Self> {
        let mut p = parent.copied().unwrap_or(OwnerPath {
            of,
            depth: 0,
            at: [0; MAX_OWNER_DEPTH],
        });
        let d = p.depth as usize;
        if d >= MAX_OWNER_DEPTH {
            return None;
        }
        p.at[d] = u8::try_from(i).ok()?;
        p.depth += 1;
        Some(p)
    }

    /// The path of the entity this owner owns: another owner, or None for the party itself.
    pub fn parent(&self) -> Option<OwnerPath> {
        (self.depth > 1).then(|| {
            let mut p = *self;
            p.depth -= 1;
            p.at[p.depth as usize] = 0;
            p
        })
    }
}

/// The roles a party can have in an order, in the order decisions list them; owners last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Purchaser,
    UltimateConsignee,
    EndUser,
    IntermediateConsignee(usize),
    /// An owner of a party, at any depth.
    Owner(OwnerPath),
}

impl DirectRole {
    pub fn role(self) -> Role {
        match self {
            DirectRole::Purchaser => Role::Purchaser,
            DirectRole::UltimateConsignee => Role::UltimateConsignee,
            DirectRole::EndUser => Role::EndUser,
            DirectRole::IntermediateConsignee(i) => Role::IntermediateConsignee(i as usize),
        }
    }
}

impl Role {
    /// The JSON path of the party in the order, e.g. `end_user`, `end_user.owners[0].owners[1]`.
    pub fn label(&self) -> String {
        match self {
            Role::Purchaser => "purchaser".into(),
            Role::UltimateConsignee => "ultimate_consignee".into(),
            Role::EndUser => "end_user".into(),
            Role::IntermediateConsignee(i) => format!("intermediate_consignees[{i}]"),
            Role::Owner(p) => {
                let mut s = p.of.role().label();
                for i in p.indices() {
                    s.push_str(&format!(".owners[{i}]"));
                }
                s
            }
        }
    }

    /// The party of the order this role is or owns.
    pub fn direct(&self) -> DirectRole {
        match self {
            Role::Purchaser => DirectRole::Purchaser,
            Role::UltimateConsignee => DirectRole::UltimateConsignee,
            Role::EndUser => DirectRole::EndUser,
            Role::IntermediateConsignee(i) => {
                DirectRole::IntermediateConsignee(u8::try_from(*i).unwrap_or(u8::MAX))
            }
            Role::Owner(p) => p.of,
        }
    }

    pub fn is_owner(&self) -> bool {
        matches!(self, Role::Owner(_))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parties {
    pub purchaser: Option<Party>,
    pub ultimate_consignee: Party,
    pub end_user: Party,
    pub intermediate_consignees: Vec<Party>,
}

impl Parties {
    /// Every party with its role.
    pub fn all(&self) -> impl Iterator<Item = (Role, &Party)> {
        self.purchaser
            .iter()
            .map(|p| (Role::Purchaser, p))
            .chain(std::iter::once((
                Role::UltimateConsignee,
                &self.ultimate_consignee,
            )))
            .chain(std::iter::once((Role::EndUser, &self.end_user)))
            .chain(
                self.intermediate_consignees
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (Role::IntermediateConsignee(i), p)),
            )
    }

    /// Every party and every owner at any depth (depth first, owners after the party they own),
    /// each with its role.
    pub fn all_with_owners(&self) -> Vec<(Role, &Party)> {
        fn walk<'a>(
            of: DirectRole,
            parent: Option<&OwnerPath>,
            owners: &'a [Owner],
            out: &mut Vec<(Role, &'a Party)>,
        ) {
            for (i, o) in owners.iter().enumerate() {
                if let Some(path) = OwnerPath::child(of, parent, i) {
                    out.push((Role::Owner(path), &o.party));
                    walk(of, Some(&path), &o.party.owners, out);
                }
            }
        }
        let mut out = Vec::new();
        for (role, p) in self.all() {
            out.push((role, p));
            walk(role.direct(), None, &p.owners, &mut out);
        }
        out
    }

    /// The party or owner a role names.
    pub fn get(&self, role: Role) -> Option<&Party> {
        let direct = |d: DirectRole| match d {
            DirectRole::Purchaser => self.purchaser.as_ref(),
            DirectRole::UltimateConsignee => Some(&self.ultimate_consignee),
            DirectRole::EndUser => Some(&self.end_user),
            DirectRole::IntermediateConsignee(i) => self.intermediate_consignees.get(i as usize),
        };
        match role {
            Role::Owner(p) => {
                let mut cur = direct(p.of)?;
                for &i in p.indices() {
                    cur = &cur.owners.get(i as usize)?.party;
                }
                Some(cur)
            }
            r => direct(r.direct()),
        }
    }

    /// The share an owner holds in the entity it owns.
    pub fn percent(&self, role: Role) -> Option<Decimal> {
        let Role::Owner(p) = role else { return None };
        let owned = match p.parent() {
            Some(pp) => self.get(Role::Owner(pp))?,
            None => self.get(p.of.role())?,
        };
        let last = *p.indices().last()?;
        owned.owners.get(last as usize).map(|o| o.percent)
    }
}

/// The (dd) certifications of Supp. No. 2 to Part 748 an order gives. A missing one is not given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Certifications {
    /// Keys given as true, in the order of [`crate::pack::CERTIFICATION_KEYS`].
    pub given: [bool; 5],
    pub us_units_shipped: Option<u64>,
    /// Units of the chip already shipped to China and Macau (optional; counts toward the cap).
    pub china_macau_units_shipped: Option<u64>,
    /// The export is not prohibited by the Part 744 end-use and end-user controls (2026
    /// condition 6); `None` when the order does not say.
    pub no_part744_end_use: Option<bool>,
    /// Cap counts per chip from the exporter's ledger, set by a caller that has a records
    /// database; they replace `us_units_shipped` and `china_macau_units_shipped` for the cap.
    pub ledger: Option<Vec<LedgerCounts>>,
}

/// One chip's counts in the exporter's cap ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerCounts {
    /// The order line's chip name (catalog id or inline name).
    pub chip: String,
    pub us_units: u64,
    pub china_macau_units: u64,
}

impl Certifications {
    /// The US and China+Macau counts for the cap of `chip`, and whether they come from the
    /// exporter's ledger (a caller with a records database gives one entry per catalog chip of
    /// the order; an item the ledger does not hold, such as inline specs, keeps the order's
    /// certified counts).
    pub fn cap_counts(&self, chip: &str) -> (Option<u64>, u64, bool) {
        match self
            .ledger
            .as_ref()
            .and_then(|l| l.iter().find(|c| c.chip == chip))
        {
            Some(c) => (Some(c.us_units), c.china_macau_units, true),
            None => (
                self.us_units_shipped,
                self.china_macau_units_shipped.unwrap_or(0),
                false,
            ),
        }
    }
}

impl Order {
    /// Takes the cap counts of each catalog chip of the order from the exporter's ledger:
    /// `lookup(exporter, chip)` gives (US end-use units, China+Macau units), `None` where the
    /// ledger has no row (nothing recorded: zero). Inline items keep the order's certified counts.
    pub fn use_ledger(&mut self, lookup: impl Fn(&str, &str) -> Option<(u64, u64)>) {
        let mut counts: Vec<LedgerCounts> = Vec::new();
        for it in &self.items {
            if let ItemChip::Catalog { id, .. } = &it.chip {
                if counts.iter().any(|c| &c.chip == id) {
                    continue;
                }
                let (us, cn) = lookup(&self.exporter, id).unwrap_or((0, 0));
                counts.push(LedgerCounts {
                    chip: id.clone(),
                    us_units: us,
                    china_macau_units: cn,
                });
            }
        }
        self.certifications.ledger = Some(counts);
    }
}

impl Certifications {
    pub fn is_given(&self, key: &str) -> bool {
        crate::pack::CERTIFICATION_KEYS
            .iter()
            .position(|k| *k == key)
            .is_some_and(|i| self.given[i])
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub id: String,
    pub date: NaiveDate,
    pub exporter: String,
    pub transaction: Transaction,
    pub ship_from: Iso2,
    pub items: Vec<OrderItem>,
    pub parties: Parties,
    pub end_use_description: Option<String>,
    pub military_end_use: bool,
    /// The other end uses the order declares (Part 744 end-use controls).
    pub end_uses: EndUses,
    pub certifications: Certifications,
}

/// End uses an order declares (`end_use` object), each a fact the Part 744 rules test.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EndUses {
    /// 744.22: a military-intelligence end use or end user.
    pub military_intelligence: bool,
    /// 744.23(a)(2): a supercomputer in (or for) a destination of concern.
    pub supercomputer: bool,
    /// 744.23(a)(1): development or production of ICs at an advanced-node fab.
    pub advanced_node_ic_production: bool,
    /// 744.2: nuclear explosive, unsafeguarded or safeguarded nuclear activities.
    pub nuclear: bool,
    /// 744.3: rockets, missiles or unmanned aerial vehicles for WMD delivery.
    pub missile: bool,
    /// 744.4: chemical or biological weapons.
    pub chemical_biological: bool,
}

// ---- validation ------------------------------------------------------------------------------

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.chars().count() > 40 => {
            format!(
                "the string \"{}...\"",
                s.chars().take(40).collect::<String>()
            )
        }
        Value::String(s) => format!("the string \"{s}\""),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

struct Ctx<'a> {
    catalog: &'a Catalog,
    countries: &'a Countries,
}

fn object<'v>(v: &'v Value, path: &str) -> Result<&'v Map<String, Value>, OrderError> {
    v.as_object()
        .ok_or_else(|| OrderError::new(path, format!("must be an object, found {}", describe(v))))
}

fn req<'v>(m: &'v Map<String, Value>, path: &str, key: &str) -> Result<&'v Value, OrderError> {
    match m.get(key) {
        None | Some(Value::Null) => Err(OrderError::new(join(path, key), "is required")),
        Some(v) => Ok(v),
    }
}

fn opt<'v>(m: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    m.get(key).filter(|v| !v.is_null())
}

fn text(v: &Value, path: &str, max: usize) -> Result<String, OrderError> {
    let s = v
        .as_str()
        .ok_or_else(|| OrderError::new(path, format!("must be a string, found {}", describe(v))))?;
    let s = s.trim();
    if s.is_empty() {
        return Err(OrderError::new(path, "must not be empty"));
    }
    if s.chars().count() > max {
        return Err(OrderError::new(
            path,
            format!("is longer than {max} characters"),
        ));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err(OrderError::new(path, "contains control characters"));
    }
    Ok(s.to_string())
}

fn boolean(v: &Value, path: &str) -> Result<bool, OrderError> {
    v.as_bool().ok_or_else(|| {
        OrderError::new(
            path,
            format!("must be true or false, found {}", describe(v)),
        )
    })
}

fn date(v: &Value, path: &str) -> Result<NaiveDate, OrderError> {
    let s = v.as_str().ok_or_else(|| {
        OrderError::new(
            path,
            format!("must be a date string YYYY-MM-DD, found {}", describe(v)),
        )
    })?;
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| OrderError::new(path, format!("'{s}' is not a calendar date YYYY-MM-DD")))
}

fn country(ctx: &Ctx, v: &Value, path: &str) -> Result<Iso2, OrderError> {
    let s = v.as_str().ok_or_else(|| {
        OrderError::new(
            path,
            format!(
                "must be an ISO 3166-1 alpha-2 code like \"CN\", found {}",
                describe(v)
            ),
        )
    })?;
    ctx.countries.parse(s).ok_or_else(|| {
        OrderError::new(
            path,
            format!("'{s}' is not an assigned ISO 3166-1 alpha-2 country code"),
        )
    })
}

fn count(v: &Value, path: &str, max: u64) -> Result<u64, OrderError> {
    let bad = || {
        OrderError::new(
            path,
            format!("must be a whole number of units, found {}", describe(v)),
        )
    };
    let n = match v {
        Value::Number(n) => n,
        _ => return Err(bad()),
    };
    if let Some(u) = n.as_u64() {
        if u > max {
            return Err(OrderError::new(
                path,
                format!("{u} is more than the largest accepted, {max}"),
            ));
        }
        return Ok(u);
    }
    if n.as_i64().is_some_and(|i| i < 0) || n.as_f64().is_some_and(|f| f < 0.0) {
        return Err(OrderError::new(
            path,
            format!("must not be negative, found {n}"),
        ));
    }
    Err(bad())
}

fn decimal(v: &Value, path: &str) -> Result<Decimal, OrderError> {
    let s = match v {
        Value::String(s) => s.trim().to_string(),
        // A JSON number is taken by its literal text, never through f64 arithmetic.
        Value::Number(n) => n.to_string(),
        _ => {
            return Err(OrderError::new(
                path,
                format!(
                    "must be a decimal string like \"31000.00\", found {}",
                    describe(v)
                ),
            ))
        }
    };
    let d = Decimal::from_str(&s)
        .or_else(|_| Decimal::from_scientific(&s))
        .map_err(|_| OrderError::new(path, format!("'{s}' is not a decimal amount")))?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(OrderError::new(
            path,
            format!("must not be negative, found {s}"),
        ));
    }
    Ok(d)
}

/// Every key of an order's objects must be one the validation reads: a misspelt key
/// ("intermediate_consignee", "certifcations", "militray") would otherwise drop a party from
/// screening or a fact from the decision without a word.
fn known_keys(m: &Map<String, Value>, path: &str, allowed: &[&str]) -> Result<(), OrderError> {
    match m.keys().find(|k| !allowed.contains(&k.as_str())) {
        None => Ok(()),
        Some(k) => Err(OrderError::new(
            join(path, k),
            format!(
                "is not a known key; known keys here: {}",
                allowed.join(", ")
            ),
        )),
    }
}

const ORDER_KEYS: &[&str] = &[
    "id",
    "date",
    "exporter",
    "transaction",
    "ship_from",
    "items",
    "parties",
    "end_use",
    "certifications",
];
const ITEM_KEYS: &[&str] = &["chip", "specs", "quantity", "unit_price"];
const MONEY_KEYS: &[&str] = &["amount", "currency"];
const PARTY_KEYS: &[&str] = &[
    "name",
    "country",
    "address",
    "headquarters",
    "parent_headquarters",
    "owners",
];
const PARTIES_KEYS: &[&str] = &[
    "purchaser",
    "ultimate_consignee",
    "end_user",
    "intermediate_consignees",
];
const END_USE_KEYS: &[&str] = &[
    "description",
    "military",
    "military_intelligence",
    "supercomputer",
    "advanced_node_ic_production",
    "nuclear",
    "missile",
    "chemical_biological",
];
const OWNER_KEYS: &[&str] = &["name", "country", "percent", "owners"];

fn money(v: &Value, path: &str) -> Result<Money, OrderError> {
    let m = object(v, path)?;
    known_keys(m, path, MONEY_KEYS)?;
    let amount = decimal(req(m, path, "amount")?, &join(path, "amount"))?;
    let cpath = join(path, "currency");
    let c = req(m, path, "currency")?;
    let code = c.as_str().ok_or_else(|| {
        OrderError::new(
            &cpath,
            format!(
                "must be an ISO 4217 code like \"USD\", found {}",
                describe(c)
            ),
        )
    })?;
    let currency = iso_currency::Currency::from_code(&code.trim().to_ascii_uppercase())
        .ok_or_else(|| {
            OrderError::new(&cpath, format!("'{code}' is not an ISO 4217 currency code"))
        })?;
    Ok(Money { amount, currency })
}

fn party(ctx: &Ctx, v: &Value, path: &str) -> Result<Party, OrderError> {
    let m = object(v, path)?;
    known_keys(m, path, PARTY_KEYS)?;
    let hq = |key: &str| {
        opt(m, key)
            .map(|v| country(ctx, v, &join(path, key)))
            .transpose()
    };
    Ok(Party {
        name: text(req(m, path, "name")?, &join(path, "name"), 500)?,
        country: country(ctx, req(m, path, "country")?, &join(path, "country"))?,
        address: opt(m, "address")
            .map(|v| text(v, &join(path, "address"), 1000))
            .transpose()?,
        headquarters: hq("headquarters")?,
        parent_headquarters: hq("parent_headquarters")?,
        owners: owners(ctx, m, path, 1)?,
    })
}

/// The `owners` of a party or owner at `depth` (1 for a party's own owners).
fn owners(
    ctx: &Ctx,
    m: &Map<String, Value>,
    path: &str,
    depth: usize,
) -> Result<Vec<Owner>, OrderError> {
    let Some(v) = opt(m, "owners") else {
        return Ok(Vec::new());
    };
    let opath = join(path, "owners");
    let a = v.as_array().ok_or_else(|| {
        OrderError::new(&opath, format!("must be an array, found {}", describe(v)))
    })?;
    if depth > MAX_OWNER_DEPTH {
        return Err(OrderError::new(
            &opath,
            format!("ownership deeper than {MAX_OWNER_DEPTH} levels is not accepted"),
        ));
    }
    if a.len() > MAX_OWNERS_PER_PARTY {
        return Err(OrderError::new(
            &opath,
            format!("has {} owners, more than {MAX_OWNERS_PER_PARTY}", a.len()),
        ));
    }
    let mut out = Vec::with_capacity(a.len());
    let mut total = Decimal::ZERO;
    for (i, v) in a.iter().enumerate() {
        let p = format!("{opath}[{i}]");
        let om = object(v, &p)?;
        known_keys(om, &p, OWNER_KEYS)?;
        let ppath = join(&p, "percent");
        let pv = req(om, &p, "percent")?;
        if !pv.is_string() {
            return Err(OrderError::new(
                &ppath,
                format!(
                    "must be a decimal string like \"60\" or \"12.5\", found {}",
                    describe(pv)
                ),
            ));
        }
        let percent = decimal(pv, &ppath)?;
        if percent <= Decimal::ZERO || percent > Decimal::ONE_HUNDRED {
            return Err(OrderError::new(
                &ppath,
                format!("{percent} is outside (0, 100]"),
            ));
        }
        total += percent;
        let party = Party {
            name: text(req(om, &p, "name")?, &join(&p, "name"), 500)?,
            country: country(ctx, req(om, &p, "country")?, &join(&p, "country"))?,
            address: None,
            headquarters: None,
            parent_headquarters: None,
            owners: owners(ctx, om, &p, depth + 1)?,
        };
        out.push(Owner { party, percent });
    }
    if total > Decimal::ONE_HUNDRED {
        return Err(OrderError::new(
            &opath,
            format!("the owners' percents add up to {total}, more than 100"),
        ));
    }
    Ok(out)
}

fn item(ctx: &Ctx, v: &Value, path: &str) -> Result<OrderItem, OrderError> {
    let m = object(v, path)?;
    known_keys(m, path, ITEM_KEYS)?;
    let chip = match (opt(m, "chip"), opt(m, "specs")) {
        (Some(_), Some(_)) => {
            return Err(OrderError::new(
                path,
                "give either chip (a catalog id) or specs (inline figures), not both",
            ))
        }
        (None, None) => {
            return Err(OrderError::new(
                join(path, "chip"),
                "is required (a catalog id or alias), unless specs are given",
            ))
        }
        (Some(c), None) => {
            let cpath = join(path, "chip");
            let q = text(c, &cpath, 200)?;
            let chip = ctx
                .catalog
                .resolve(&q)
                .map_err(|e| OrderError::new(&cpath, e.to_string()))?;
            let index = ctx
                .catalog
                .chips()
                .iter()
                .position(|x| x.id == chip.id)
                .unwrap_or(0);
            ItemChip::Catalog {
                index,
                id: chip.id.clone(),
            }
        }
        (None, Some(s)) => {
            let spath = join(path, "specs");
            let input: SpecsInput = serde_json::from_value(s.clone())
                .map_err(|e| OrderError::new(&spath, e.to_string()))?;
            let specs = input.validate(&spath).map_err(|e| match e {
                crate::ClassifyError::InvalidSpecs { field, problem } => {
                    OrderError::new(field, problem)
                }
                other => OrderError::new(&spath, other.to_string()),
            })?;
            ItemChip::Inline {
                name: specs.name.clone(),
                specs: Box::new(specs),
            }
        }
    };
    let qpath = join(path, "quantity");
    let quantity = count(req(m, path, "quantity")?, &qpath, MAX_QUANTITY)?;
    if quantity == 0 {
        return Err(OrderError::new(qpath, "must be at least 1"));
    }
    let unit_price = opt(m, "unit_price")
        .map(|v| money(v, &join(path, "unit_price")))
        .transpose()?;
    Ok(OrderItem {
        chip,
        quantity,
        unit_price,
    })
}

fn certifications(v: &Value, path: &str) -> Result<Certifications, OrderError> {
    let m = object(v, path)?;
    let mut c = Certifications::default();
    for (k, v) in m {
        let p = join(path, k);
        if let Some(i) = crate::pack::CERTIFICATION_KEYS.iter().position(|x| x == k) {
            c.given[i] = !v.is_null() && boolean(v, &p)?;
        } else if k == "us_units_shipped" {
            c.us_units_shipped = (!v.is_null()).then(|| count(v, &p, u64::MAX)).transpose()?;
        } else if k == "no_part744_end_use" {
            c.no_part744_end_use = (!v.is_null()).then(|| boolean(v, &p)).transpose()?;
        } else if k == "china_macau_units_shipped" {
            c.china_macau_units_shipped =
                (!v.is_null()).then(|| count(v, &p, u64::MAX)).transpose()?;
        } else {
            // A misspelt certification would silently count as not given: refuse it instead.
            return Err(OrderError::new(
                p,
                format!(
                    "is not a certification; known keys: {}, us_units_shipped, china_macau_units_shipped, no_part744_end_use",
                    crate::pack::CERTIFICATION_KEYS.join(", ")
                ),
            ));
        }
    }
    Ok(c)
}

impl Order {
    /// Parses and validates an order from its JSON text.
    pub fn from_json(
        text_in: &str,
        catalog: &Catalog,
        countries: &Countries,
    ) -> Result<Order, OrderError> {
        // serde_json's message already ends "at line L column C".
        let v: Value = serde_json::from_str(text_in)
            .map_err(|e| OrderError::new("(order)", format!("is not valid JSON: {e}")))?;
        Self::from_value(&v, catalog, countries)
    }

    /// Validates an order given as a JSON value.
    pub fn from_value(
        v: &Value,
        catalog: &Catalog,
        countries: &Countries,
    ) -> Result<Order, OrderError> {
        let ctx = Ctx { catalog, countries };
        let m = object(v, "(order)")?;
        known_keys(m, "", ORDER_KEYS)?;
        let id = text(req(m, "", "id")?, "id", 200)?;
        let date = date(req(m, "", "date")?, "date")?;
        let exporter = text(req(m, "", "exporter")?, "exporter", 200)?;
        let transaction = match opt(m, "transaction") {
            None => Transaction::Export,
            Some(t) => match t.as_str() {
                Some("export") => Transaction::Export,
                Some("reexport") => Transaction::Reexport,
                Some("in_country_transfer") => Transaction::InCountryTransfer,
                _ => {
                    return Err(OrderError::new(
                        "transaction",
                        format!(
                            "must be export, reexport or in_country_transfer, found {}",
                            describe(t)
                        ),
                    ))
                }
            },
        };
        let ship_from = match opt(m, "ship_from") {
            Some(v) => country(&ctx, v, "ship_from")?,
            None => crate::country::US,
        };
        let items_v = req(m, "", "items")?;
        let arr = items_v.as_array().ok_or_else(|| {
            OrderError::new(
                "items",
                format!("must be an array, found {}", describe(items_v)),
            )
        })?;
        if arr.is_empty() {
            return Err(OrderError::new("items", "must list at least one item"));
        }
        if arr.len() > MAX_ITEMS {
            return Err(OrderError::new(
                "items",
                format!("has {} lines, more than {MAX_ITEMS}", arr.len()),
            ));
        }
        let items = arr
            .iter()
            .enumerate()
            .map(|(i, v)| item(&ctx, v, &format!("items[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;

        let pv = req(m, "", "parties")?;
        let pm = object(pv, "parties")?;
        known_keys(pm, "parties", PARTIES_KEYS)?;
        let purchaser = opt(pm, "purchaser")
            .map(|v| party(&ctx, v, "parties.purchaser"))
            .transpose()?;
        let ultimate_consignee = party(
            &ctx,
            req(pm, "parties", "ultimate_consignee")?,
            "parties.ultimate_consignee",
        )?;
        let end_user = party(&ctx, req(pm, "parties", "end_user")?, "parties.end_user")?;
        let intermediate_consignees = match opt(pm, "intermediate_consignees") {
            None => Vec::new(),
            Some(v) => {
                let a = v.as_array().ok_or_else(|| {
                    OrderError::new(
                        "parties.intermediate_consignees",
                        format!("must be an array, found {}", describe(v)),
                    )
                })?;
                if a.len() > MAX_INTERMEDIATES {
                    return Err(OrderError::new(
                        "parties.intermediate_consignees",
                        format!("has {} parties, more than {MAX_INTERMEDIATES}", a.len()),
                    ));
                }
                a.iter()
                    .enumerate()
                    .map(|(i, v)| party(&ctx, v, &format!("parties.intermediate_consignees[{i}]")))
                    .collect::<Result<_, _>>()?
            }
        };
        let parties = Parties {
            purchaser,
            ultimate_consignee,
            end_user,
            intermediate_consignees,
        };
        let owners_total = parties
            .all_with_owners()
            .iter()
            .filter(|(r, _)| r.is_owner())
            .count();
        if owners_total > MAX_OWNERS {
            return Err(OrderError::new(
                "parties",
                format!("names {owners_total} owners in all, more than {MAX_OWNERS}"),
            ));
        }
        let ultimate_consignee = &parties.ultimate_consignee;
        if transaction == Transaction::InCountryTransfer && ultimate_consignee.country != ship_from
        {
            return Err(OrderError::new(
                "parties.ultimate_consignee.country",
                format!(
                    "an in-country transfer stays in {ship_from}, but the ultimate consignee is in {}",
                    ultimate_consignee.country
                ),
            ));
        }

        let (end_use_description, military_end_use, end_uses) = match opt(m, "end_use") {
            None => (None, false, EndUses::default()),
            Some(v) => {
                let e = object(v, "end_use")?;
                known_keys(e, "end_use", END_USE_KEYS)?;
                let flag = |k: &str| -> Result<bool, OrderError> {
                    Ok(opt(e, k)
                        .map(|b| boolean(b, &join("end_use", k)))
                        .transpose()?
                        .unwrap_or(false))
                };
                (
                    opt(e, "description")
                        .map(|d| text(d, "end_use.description", 2000))
                        .transpose()?,
                    flag("military")?,
                    EndUses {
                        military_intelligence: flag("military_intelligence")?,
                        supercomputer: flag("supercomputer")?,
                        advanced_node_ic_production: flag("advanced_node_ic_production")?,
                        nuclear: flag("nuclear")?,
                        missile: flag("missile")?,
                        chemical_biological: flag("chemical_biological")?,
                    },
                )
            }
        };
        let certifications = opt(m, "certifications")
            .map(|v| certifications(v, "certifications"))
            .transpose()?
            .unwrap_or_default();
        Ok(Order {
            id,
            date,
            exporter,
            transaction,
            ship_from,
            items,
            parties,
            end_use_description,
            military_end_use,
            end_uses,
            certifications,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Regulation;

    fn base() -> Value {
        serde_json::json!({
            "id": "PO-1", "date": "2026-02-03", "exporter": "nvidia", "transaction": "export",
            "ship_from": "US",
            "items": [{"chip": "H200", "quantity": 10,
                       "unit_price": {"amount": "31000.00", "currency": "USD"}}],
            "parties": {
                "ultimate_consignee": {"name": "A Co.", "country": "CN"},
                "end_user": {"name": "A Co.", "country": "CN", "headquarters": "CN"}
            }
        })
    }

    fn field_of(mut v: Value, edit: impl FnOnce(&mut Value)) -> Result<Order, OrderError> {
        let r = Regulation::bundled().expect("bundled");
        edit(&mut v);
        Order::from_value(&v, &r.catalog, &r.countries)
    }

    #[test]
    fn an_unknown_key_anywhere_is_an_invalid_order_naming_its_path() {
        type Edit = Box<dyn FnOnce(&mut Value)>;
        let cases: Vec<(&str, Edit)> = vec![
            (
                "parties.intermediate_consignee",
                Box::new(|v| {
                    v["parties"]["intermediate_consignee"] =
                        serde_json::json!([{"name": "Transit Co.", "country": "AE"}])
                }),
            ),
            (
                "certifcations",
                Box::new(|v| v["certifcations"] = serde_json::json!({})),
            ),
            (
                "end_use.militray",
                Box::new(|v| v["end_use"] = serde_json::json!({"militray": true})),
            ),
            (
                "parties.end_user.adress",
                Box::new(|v| v["parties"]["end_user"]["adress"] = "Beijing".into()),
            ),
            (
                "items[0].quantiy",
                Box::new(|v| v["items"][0]["quantiy"] = 5.into()),
            ),
            (
                "items[0].unit_price.ammount",
                Box::new(|v| v["items"][0]["unit_price"]["ammount"] = "1".into()),
            ),
        ];
        for (field, edit) in cases {
            let e = field_of(base(), edit).expect_err(field);
            assert_eq!(e.field, field);
            assert!(
                e.problem
                    .starts_with("is not a known key; known keys here: "),
                "{e}"
            );
        }
    }

    #[test]
    fn owners_nest_with_paths_and_their_shares_are_checked() {
        let o = field_of(base(), |v| {
            v["parties"]["end_user"]["owners"] = serde_json::json!([
                {"name": "Holding A", "country": "HK", "percent": "40",
                 "owners": [{"name": "Huawei Technologies Co., Ltd.", "country": "CN", "percent": "100"}]},
                {"name": "Fund B", "country": "SG", "percent": "12.5"}
            ])
        })
        .expect("owners parse");
        let all = o.parties.all_with_owners();
        let labels: Vec<String> = all.iter().map(|(r, _)| r.label()).collect();
        assert_eq!(
            labels,
            [
                "ultimate_consignee",
                "end_user",
                "end_user.owners[0]",
                "end_user.owners[0].owners[0]",
                "end_user.owners[1]"
            ]
        );
        let (deep, p) = all[3];
        assert_eq!(p.name, "Huawei Technologies Co., Ltd.");
        assert_eq!(
            o.parties.get(deep).map(|p| p.name.as_str()),
            Some(p.name.as_str())
        );
        assert_eq!(o.parties.percent(deep), Some(Decimal::ONE_HUNDRED));
        assert_eq!(o.parties.percent(all[4].0), Some("12.5".parse().unwrap()));
        assert_eq!(o.parties.percent(Role::EndUser), None);

        type Edit = Box<dyn FnOnce(&mut Value)>;
        let owners =
            |j: Value| -> Edit { Box::new(move |v| v["parties"]["end_user"]["owners"] = j) };
        let cases: Vec<(&str, &str, Edit)> = vec![
            (
                "parties.end_user.owners[0].percent",
                "is outside (0, 100]",
                owners(serde_json::json!([{"name": "X", "country": "CN", "percent": "0"}])),
            ),
            (
                "parties.end_user.owners[0].percent",
                "is outside (0, 100]",
                owners(serde_json::json!([{"name": "X", "country": "CN", "percent": "100.01"}])),
            ),
            (
                "parties.end_user.owners[0].percent",
                "must be a decimal string",
                owners(serde_json::json!([{"name": "X", "country": "CN", "percent": 60}])),
            ),
            (
                "parties.end_user.owners[0].percent",
                "is required",
                owners(serde_json::json!([{"name": "X", "country": "CN"}])),
            ),
            (
                "parties.end_user.owners",
                "add up to 110, more than 100",
                owners(
                    serde_json::json!([{"name": "X", "country": "CN", "percent": "60"},
                                       {"name": "Y", "country": "CN", "percent": "50"}]),
                ),
            ),
            (
                "parties.end_user.owners[0].owners[0].cuntry",
                "is not a known key",
                owners(
                    serde_json::json!([{"name": "X", "country": "CN", "percent": "60",
                 "owners": [{"name": "Y", "cuntry": "CN", "percent": "50"}]}]),
                ),
            ),
            (
                "parties.end_user.owners",
                "must be an array",
                owners(serde_json::json!({"name": "X"})),
            ),
        ];
        for (field, problem, edit) in cases {
            let e = field_of(base(), edit).expect_err(field);
            assert_eq!(e.field, field, "{e}");
            assert!(e.problem.contains(problem), "{e}");
        }
        // A chain deeper than the limit is refused, naming where.
        let mut chain = serde_json::json!({"name": "Top", "country": "CN", "percent": "100"});
        for i in 0..MAX_OWNER_DEPTH {
            chain = serde_json::json!({"name": format!("L{i}"), "country": "CN", "percent": "100", "owners": [chain]});
        }
        let e = field_of(base(), |v| {
            v["parties"]["end_user"]["owners"] = serde_json::json!([chain])
        })
        .expect_err("too deep");
        assert!(e.problem.contains("deeper than"), "{e}");
    }

    #[test]
    fn a_valid_order_parses_and_resolves_aliases() {
        let o = field_of(base(), |_| {}).expect("valid");
        assert_eq!(o.items[0].chip.name(), "nvidia-h200-sxm");
        assert_eq!(o.transaction, Transaction::Export);
        assert!(!o.certifications.is_given("third_party_testing"));
    }

    #[test]
    fn every_problem_names_its_field() {
        type Edit = Box<dyn FnOnce(&mut Value)>;
        let cases: Vec<(&str, Edit)> = vec![
            (
                "items[0].chip",
                Box::new(|v| v["items"][0]["chip"] = "nvidia-h9000".into()),
            ),
            (
                "parties.end_user.country",
                Box::new(|v| v["parties"]["end_user"]["country"] = "XX".into()),
            ),
            (
                "items[0].quantity",
                Box::new(|v| v["items"][0]["quantity"] = (-5).into()),
            ),
            (
                "items[0].quantity",
                Box::new(|v| v["items"][0]["quantity"] = 1.5.into()),
            ),
            (
                "items[0].quantity",
                Box::new(|v| v["items"][0]["quantity"] = 0.into()),
            ),
            (
                "items[0].unit_price.amount",
                Box::new(|v| v["items"][0]["unit_price"]["amount"] = "31,000".into()),
            ),
            (
                "items[0].unit_price.currency",
                Box::new(|v| v["items"][0]["unit_price"]["currency"] = "XYZ".into()),
            ),
            ("date", Box::new(|v| v["date"] = "2026-02-30".into())),
            (
                "transaction",
                Box::new(|v| v["transaction"] = "smuggle".into()),
            ),
            (
                "parties.ultimate_consignee",
                Box::new(|v| {
                    v["parties"]
                        .as_object_mut()
                        .map(|m| m.remove("ultimate_consignee"));
                }),
            ),
            ("items", Box::new(|v| v["items"] = serde_json::json!([]))),
            (
                "certifications.kyc",
                Box::new(|v| v["certifications"] = serde_json::json!({"kyc": true})),
            ),
            (
                "certifications.third_party_testing",
                Box::new(|v| {
                    v["certifications"] = serde_json::json!({"third_party_testing": "yes"})
                }),
            ),
            (
                "end_use.military",
                Box::new(|v| v["end_use"] = serde_json::json!({"military": "no"})),
            ),
            (
                "items[0].specs.dense_tops.fp8",
                Box::new(
                    |v| v["items"][0] = serde_json::json!({"quantity": 1, "specs": {"name": "X", "dense_tops": {"fp8": -1}}}),
                ),
            ),
        ];
        for (field, edit) in cases {
            let e = field_of(base(), edit).expect_err(field);
            assert!(
                e.field.starts_with(field),
                "expected field {field}, got {e}"
            );
        }
    }

    #[test]
    fn decimal_amounts_are_exact() {
        let o = field_of(base(), |v| {
            v["items"][0]["unit_price"]["amount"] = "0.10000000000000000001".into()
        })
        .expect("valid");
        let p = o.items[0].unit_price.as_ref().map(|p| p.amount.to_string());
        assert_eq!(p.as_deref(), Some("0.10000000000000000001"));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let r = Regulation::bundled().expect("bundled");
        for t in ["", "{", "[]", "null", "{\"id\": 5}", "\u{0}"] {
            assert!(
                Order::from_json(t, &r.catalog, &r.countries).is_err(),
                "{t:?}"
            );
        }
    }
}
