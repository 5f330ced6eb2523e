//! The chip catalog: real accelerators with the figures the EAR tests use, and inline specs for
//! chips that are not in it.

use crate::condition::NumLit;
use crate::error::{ClassifyError, DataError};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Numeric precisions a datasheet quotes dense throughput for, with the bit length the TPP
/// Technical Note multiplies by (the largest input bit length of the multiply).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    Fp4,
    Fp6,
    Fp8,
    Int4,
    Int8,
    Fp16,
    Bf16,
    Tf32,
    Fp32,
    Fp64,
}

impl Precision {
    pub const ALL: [Precision; 10] = [
        Precision::Fp4,
        Precision::Fp6,
        Precision::Fp8,
        Precision::Int4,
        Precision::Int8,
        Precision::Fp16,
        Precision::Bf16,
        Precision::Tf32,
        Precision::Fp32,
        Precision::Fp64,
    ];

    pub fn bit_length(&self) -> u32 {
        match self {
            Precision::Fp4 | Precision::Int4 => 4,
            Precision::Fp6 => 6,
            Precision::Fp8 | Precision::Int8 => 8,
            Precision::Fp16 | Precision::Bf16 => 16,
            // TF32 inputs occupy 32-bit registers; vendors' TF32 rates are half their FP16 rates,
            // so x32 gives the same TPP as FP16 x16, matching every published figure.
            Precision::Tf32 | Precision::Fp32 => 32,
            Precision::Fp64 => 64,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Precision::Fp4 => "fp4",
            Precision::Fp6 => "fp6",
            Precision::Fp8 => "fp8",
            Precision::Int4 => "int4",
            Precision::Int8 => "int8",
            Precision::Fp16 => "fp16",
            Precision::Bf16 => "bf16",
            Precision::Tf32 => "tf32",
            Precision::Fp32 => "fp32",
            Precision::Fp64 => "fp64",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == s)
    }
}

/// Whether a part is a logic IC or a stand-alone high-bandwidth memory stack (3A090.c).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    #[default]
    Logic,
    Hbm,
}

/// The technical figures of one item, from the catalog or inline specs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChipSpecs {
    pub name: String,
    pub vendor: String,
    pub kind: ItemKind,
    /// Dense TOPS per precision.
    pub dense_tops: BTreeMap<Precision, Decimal>,
    pub die_area_mm2: Option<Decimal>,
    pub dram_gb: Option<Decimal>,
    pub dram_bandwidth_gbs: Option<Decimal>,
    pub interconnect_gbs: Option<Decimal>,
    /// For HBM stacks: stack bandwidth and package area.
    pub memory_bandwidth_gbs: Option<Decimal>,
    pub package_area_mm2: Option<Decimal>,
    /// Designed or marketed for use in datacenters (Note 2 to 3A090). Unknown counts as yes.
    pub datacenter: bool,
    /// First date the part was commercially available in the US, when known.
    pub us_available_from: Option<NaiveDate>,
}

/// A catalog entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chip {
    pub id: String,
    pub aliases: Vec<String>,
    pub family: String,
    pub announced: String,
    pub status: String,
    pub us_origin: bool,
    pub source: String,
    pub notes: String,
    pub specs: ChipSpecs,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    chip: Vec<RawChip>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChip {
    id: String,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    vendor: String,
    family: String,
    announced: String,
    #[serde(default)]
    dense_tops: BTreeMap<String, NumLit>,
    die_area_mm2: Option<NumLit>,
    dram_gb: Option<NumLit>,
    dram_bandwidth_gbs: Option<NumLit>,
    interconnect_gbs: Option<NumLit>,
    datacenter: bool,
    us_available_from: Option<String>,
    #[serde(default = "yes")]
    us_origin: bool,
    status: String,
    source: String,
    notes: String,
}

fn yes() -> bool {
    true
}

/// Inline specs as users write them (INTERFACES.md section 1).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SpecsInput {
    pub name: Option<String>,
    pub vendor: Option<String>,
    #[serde(default)]
    pub kind: ItemKind,
    #[serde(default)]
    pub dense_tops: BTreeMap<String, serde_json::Value>,
    pub die_area_mm2: Option<serde_json::Value>,
    pub dram_gb: Option<serde_json::Value>,
    pub dram_bandwidth_gbs: Option<serde_json::Value>,
    pub interconnect_gbs: Option<serde_json::Value>,
    pub memory_bandwidth_gbs: Option<serde_json::Value>,
    pub package_area_mm2: Option<serde_json::Value>,
    pub datacenter: Option<bool>,
    pub us_available_from: Option<String>,
}

impl SpecsInput {
    /// Validates inline specs; errors name the field (prefixed by `path`, e.g. `items[0].specs`).
    pub fn validate(&self, path: &str) -> Result<ChipSpecs, ClassifyError> {
        let bad = |field: &str, problem: String| ClassifyError::InvalidSpecs {
            field: format!("{path}{field}"),
            problem,
        };
        let num = |field: &str,
                   v: &Option<serde_json::Value>|
         -> Result<Option<Decimal>, ClassifyError> {
            match v {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(v) => positive(v).map(Some).map_err(|p| bad(field, p)),
            }
        };
        let mut tops = BTreeMap::new();
        for (k, v) in &self.dense_tops {
            let p = Precision::parse(k).ok_or_else(|| {
                bad(
                    &format!(".dense_tops.{k}"),
                    format!(
                        "unknown precision; use one of {}",
                        Precision::ALL.map(|p| p.name()).join(", ")
                    ),
                )
            })?;
            tops.insert(
                p,
                positive(v).map_err(|e| bad(&format!(".dense_tops.{k}"), e))?,
            );
        }
        let kind = self.kind;
        if kind == ItemKind::Logic && tops.is_empty() {
            return Err(bad(
                ".dense_tops",
                "at least one precision with its dense TOPS is required".into(),
            ));
        }
        let us_available_from = match &self.us_available_from {
            None => None,
            Some(s) => Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| {
                bad(
                    ".us_available_from",
                    format!("'{s}' is not a YYYY-MM-DD date: {e}"),
                )
            })?),
        };
        let specs = ChipSpecs {
            name: self.name.clone().unwrap_or_else(|| "inline specs".into()),
            vendor: self.vendor.clone().unwrap_or_default(),
            kind,
            dense_tops: tops,
            die_area_mm2: num(".die_area_mm2", &self.die_area_mm2)?,
            dram_gb: num(".dram_gb", &self.dram_gb)?,
            dram_bandwidth_gbs: num(".dram_bandwidth_gbs", &self.dram_bandwidth_gbs)?,
            interconnect_gbs: num(".interconnect_gbs", &self.interconnect_gbs)?,
            memory_bandwidth_gbs: num(".memory_bandwidth_gbs", &self.memory_bandwidth_gbs)?,
            package_area_mm2: num(".package_area_mm2", &self.package_area_mm2)?,
            datacenter: self.datacenter.unwrap_or(true),
            us_available_from,
        };
        if kind == ItemKind::Hbm
            && (specs.memory_bandwidth_gbs.is_none() || specs.package_area_mm2.is_none())
        {
            return Err(bad(
                ".memory_bandwidth_gbs",
                "an HBM stack needs memory_bandwidth_gbs and package_area_mm2".into(),
            ));
        }
        Ok(specs)
    }
}

/// A non-negative finite decimal from JSON (a number or a decimal string). Zero is allowed only
/// where it means "none", so we refuse it for figures.
fn positive(v: &serde_json::Value) -> Result<Decimal, String> {
    let d = match v {
        serde_json::Value::Number(n) => n.to_string().parse::<Decimal>().or_else(|_| {
            n.as_f64()
                .and_then(|f| f.to_string().parse::<Decimal>().ok())
                .ok_or_else(|| format!("{n} is out of range"))
        })?,
        serde_json::Value::String(s) => s
            .trim()
            .parse::<Decimal>()
            .map_err(|_| format!("'{s}' is not a decimal number"))?,
        other => return Err(format!("expected a number, got {other}")),
    };
    if d <= Decimal::ZERO {
        return Err(format!("{d} must be greater than zero"));
    }
    if d > Decimal::from(10_000_000_000u64) {
        return Err(format!("{d} is implausibly large"));
    }
    Ok(d)
}

/// The catalog, with a lookup by id or alias.
#[derive(Debug, Clone)]
pub struct Catalog {
    chips: Vec<Chip>,
    /// Normalised id/alias -> index.
    by_key: BTreeMap<String, usize>,
}

/// Case-insensitive, ignoring spaces, hyphens, underscores and dots: "H200-SXM" == "h200 sxm".
pub fn normalise_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(|c| c.to_lowercase())
        .collect()
}

impl Catalog {
    pub fn from_toml(file: &str, text: &str) -> Result<Self, DataError> {
        let raw: RawCatalog = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
        let mut chips: Vec<Chip> = Vec::with_capacity(raw.chip.len());
        let mut by_key = BTreeMap::new();
        for (i, r) in raw.chip.into_iter().enumerate() {
            let key = format!("chip[{i}] ({})", r.id);
            let err = |field: &str, p: String| DataError::new(file, format!("{key}.{field}"), p);
            if r.id.is_empty()
                || !r
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return Err(err(
                    "id",
                    "ids are lower-case ASCII letters, digits and hyphens".into(),
                ));
            }
            let dec = |field: &str, v: &Option<NumLit>| -> Result<Option<Decimal>, DataError> {
                v.as_ref()
                    .map(|v| {
                        let d = v.to_decimal().map_err(|p| err(field, p))?;
                        if d <= Decimal::ZERO {
                            return Err(err(field, format!("{d} must be greater than zero")));
                        }
                        Ok(d)
                    })
                    .transpose()
            };
            let mut tops = BTreeMap::new();
            for (k, v) in &r.dense_tops {
                let p = Precision::parse(k)
                    .ok_or_else(|| err(&format!("dense_tops.{k}"), "unknown precision".into()))?;
                tops.insert(
                    p,
                    dec(&format!("dense_tops.{k}"), &Some(v.clone()))?.unwrap_or_default(),
                );
            }
            let us_available_from = r
                .us_available_from
                .as_deref()
                .map(|s| {
                    NaiveDate::parse_from_str(s, "%Y-%m-%d")
                        .map_err(|e| err("us_available_from", format!("'{s}': {e}")))
                })
                .transpose()?;
            if !["published", "estimate", "preliminary"].contains(&r.status.as_str()) {
                return Err(err(
                    "status",
                    format!("'{}' must be published, estimate or preliminary", r.status),
                ));
            }
            if !r.source.starts_with("https://") {
                return Err(err("source", "every chip needs an https source URL".into()));
            }
            let chip = Chip {
                specs: ChipSpecs {
                    name: r.name.clone(),
                    vendor: r.vendor.clone(),
                    kind: ItemKind::Logic,
                    dense_tops: tops,
                    die_area_mm2: dec("die_area_mm2", &r.die_area_mm2)?,
                    dram_gb: dec("dram_gb", &r.dram_gb)?,
                    dram_bandwidth_gbs: dec("dram_bandwidth_gbs", &r.dram_bandwidth_gbs)?,
                    interconnect_gbs: dec("interconnect_gbs", &r.interconnect_gbs)?,
                    memory_bandwidth_gbs: None,
                    package_area_mm2: None,
                    datacenter: r.datacenter,
                    us_available_from,
                },
                id: r.id.clone(),
                aliases: r.aliases.clone(),
                family: r.family,
                announced: r.announced,
                status: r.status,
                us_origin: r.us_origin,
                source: r.source,
                notes: r.notes,
            };
            let idx = chips.len();
            for k in std::iter::once(&chip.id)
                .chain(chip.aliases.iter())
                .chain(std::iter::once(&chip.specs.name))
            {
                let nk = normalise_key(k);
                if let Some(prev) = by_key.insert(nk, idx) {
                    if prev != idx {
                        return Err(err(
                            "aliases",
                            format!("'{k}' is already used by {}", chips[prev].id),
                        ));
                    }
                }
            }
            chips.push(chip);
        }
        Ok(Self { chips, by_key })
    }

    pub fn chips(&self) -> &[Chip] {
        &self.chips
    }

    pub fn get(&self, id: &str) -> Option<&Chip> {
        self.by_key.get(&normalise_key(id)).map(|&i| &self.chips[i])
    }

    /// Resolves an id or alias, case-insensitively; an unknown name lists the closest ids.
    pub fn resolve(&self, query: &str) -> Result<&Chip, ClassifyError> {
        self.get(query).ok_or_else(|| ClassifyError::UnknownChip {
            query: query.to_string(),
            suggestions: self.closest(query, 3),
        })
    }

    /// The `n` catalog ids closest to `query` (by id or alias), best first.
    pub fn closest(&self, query: &str, n: usize) -> Vec<String> {
        let q = normalise_key(query);
        let mut scored: Vec<(f64, usize)> = self
            .by_key
            .iter()
            .map(|(k, &i)| {
                let contains = if !q.is_empty() && (k.contains(&q) || q.contains(k.as_str())) {
                    0.2
                } else {
                    0.0
                };
                (strsim::jaro_winkler(&q, k) + contains, i)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut out: Vec<String> = Vec::new();
        for (_, i) in scored {
            let id = &self.chips[i].id;
            if !out.contains(id) {
                out.push(id.clone());
            }
            if out.len() == n {
                break;
            }
        }
        out
    }
}

/// A TOML syntax or shape error as a [`DataError`] naming the line (toml gives a byte span, not a path).
pub(crate) fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> DataError {
    let key = match e.span() {
        Some(span) => format!(
            "line {}",
            text[..span.start.min(text.len())].matches('\n').count() + 1
        ),
        None => "document".into(),
    };
    DataError::new(file, key, e.message().trim().to_string())
}
