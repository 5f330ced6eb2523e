//! The regulation as one value: chip catalog, countries and every regulation pack, loaded from
//! text (bundled into the binary, or read from a directory by the caller). No IO happens here.

use crate::catalog::{Catalog, ChipSpecs};
use crate::classify::{classify, Classification, Reason};
use crate::country::{Countries, CountrySet};
use crate::error::{ClassifyError, DataError};
use crate::pack::{Pack, PackSet};
use chrono::NaiveDate;

/// The texts of the reference-data files, each with its file name for error messages.
pub struct Sources<'a> {
    pub chips: (&'a str, &'a str),
    pub iso3166: (&'a str, &'a str),
    pub country_groups: (&'a str, &'a str),
    pub country_group_changes: (&'a str, &'a str),
    pub country_aliases: (&'a str, &'a str),
    pub packs: Vec<(String, &'a str)>,
}

mod bundled {
    include!(concat!(env!("OUT_DIR"), "/bundled_packs.rs"));
    pub const CHIPS: &str = include_str!("../../../data/chips.toml");
    pub const ISO3166: &str = include_str!("../../../data/iso3166.csv");
    pub const COUNTRY_GROUPS: &str = include_str!("../../../data/country_groups.csv");
    pub const COUNTRY_GROUP_CHANGES: &str = include_str!("../../../data/country_group_changes.csv");
    pub const COUNTRY_ALIASES: &str = include_str!("../../../data/country_aliases.csv");
}

impl Sources<'static> {
    /// The reference data shipped in the repository's `data/` folder, compiled in.
    pub fn bundled() -> Self {
        Sources {
            chips: ("data/chips.toml", bundled::CHIPS),
            iso3166: ("data/iso3166.csv", bundled::ISO3166),
            country_groups: ("data/country_groups.csv", bundled::COUNTRY_GROUPS),
            country_group_changes: (
                "data/country_group_changes.csv",
                bundled::COUNTRY_GROUP_CHANGES,
            ),
            country_aliases: ("data/country_aliases.csv", bundled::COUNTRY_ALIASES),
            packs: bundled::PACKS
                .iter()
                .map(|(n, t)| (format!("data/packs/{n}"), *t))
                .collect(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Regulation {
    pub catalog: Catalog,
    pub countries: Countries,
    pub packs: PackSet,
    /// Periods in which both the pack and the country groups are constant, with the pack's
    /// country sets resolved and every catalog chip classified: deciding an order is then
    /// lookups, not recomputation.
    epochs: Vec<Epoch>,
}

#[derive(Debug, Clone)]
pub(crate) struct Epoch {
    pub from: NaiveDate,
    /// Index into `packs.all()`.
    pub pack: usize,
    pub sets: Vec<CountrySet>,
    /// By catalog index; `None` for chips without compute figures.
    pub chips: Vec<Option<Classification>>,
}

impl Regulation {
    /// Loads and cross-checks every file; the first problem found is returned.
    pub fn load(s: &Sources<'_>) -> Result<Self, DataError> {
        let catalog = Catalog::from_toml(s.chips.0, s.chips.1)?;
        let countries = Countries::from_csv(
            s.iso3166,
            s.country_groups,
            s.country_group_changes,
            s.country_aliases,
        )?;
        let packs = crate::compose::compose(&s.packs)?
            .into_iter()
            .map(|(n, t)| {
                let plain = t
                    .get("pack")
                    .is_some_and(|m| m.get("extends").is_none() && m.get("include").is_none());
                match s.packs.iter().find(|(f, _)| *f == n) {
                    // A pack that stands alone is read from its text, so errors carry positions.
                    Some((_, text)) if plain => Pack::from_toml(&n, text),
                    _ => Pack::from_table(&n, t),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        for p in &packs {
            if let Some(i) = &p.is_informed {
                for c in &i.chips {
                    if catalog.get(c).map(|x| &x.id) != Some(c) {
                        return Err(DataError::new(
                            &p.file,
                            "is_informed.chips",
                            format!("'{c}' is not a catalog id"),
                        ));
                    }
                }
            }
            for set in &p.sets {
                for c in &set.countries {
                    if countries.name(*c).is_none() {
                        return Err(DataError::new(
                            &p.file,
                            format!("sets.{}.countries", set.name),
                            format!("'{c}' is not an ISO 3166-1 code"),
                        ));
                    }
                }
            }
        }
        let packs = PackSet::new(packs)?;
        let epochs = Self::epochs(&catalog, &countries, &packs);
        Ok(Self {
            catalog,
            countries,
            packs,
            epochs,
        })
    }

    fn epochs(catalog: &Catalog, countries: &Countries, packs: &PackSet) -> Vec<Epoch> {
        let mut starts: Vec<NaiveDate> = packs.all().iter().map(|p| p.effective).collect();
        let first = starts[0];
        starts.extend(countries.change_dates().into_iter().filter(|d| *d > first));
        starts.sort_unstable();
        starts.dedup();
        starts
            .into_iter()
            .filter_map(|from| {
                let pack = packs
                    .all()
                    .partition_point(|p| p.effective <= from)
                    .checked_sub(1)?;
                let p = &packs.all()[pack];
                let sets = p.resolve_sets(&countries.groups_on(from));
                let chips = catalog
                    .chips()
                    .iter()
                    .map(|c| {
                        // Decisions cite these reasons per item, prefixed with the chip. A chip
                        // without compute figures is "unclassified": only rules that need no
                        // ECCN (an is-informed letter, an embargo) can decide it.
                        let mut k = classify(p, &c.specs, &c.id, Some(&c.id), from, false);
                        for r in &mut k.reasons {
                            r.message = format!("{}: {}", c.id, r.message);
                        }
                        Some(k)
                    })
                    .collect();
                Some(Epoch {
                    from,
                    pack,
                    sets,
                    chips,
                })
            })
            .collect()
    }

    /// The epoch in force on `date`, if any pack is.
    pub(crate) fn epoch(&self, date: NaiveDate) -> Option<&Epoch> {
        let i = self.epochs.partition_point(|e| e.from <= date);
        self.epochs.get(i.checked_sub(1)?)
    }

    /// The data bundled with tollgate.
    pub fn bundled() -> Result<Self, DataError> {
        Self::load(&Sources::bundled())
    }

    /// Classifies a catalog chip (id or alias) under the pack in force on `as_of`.
    pub fn classify_chip(
        &self,
        query: &str,
        as_of: NaiveDate,
        system: bool,
    ) -> Result<Classification, ClassifyError> {
        let chip = self.catalog.resolve(query)?;
        if chip.specs.dense_tops.is_empty() {
            return Err(ClassifyError::NoComputeFigures {
                chip: chip.id.clone(),
            });
        }
        self.classify_specs(&chip.specs, &chip.id, Some(&chip.id), as_of, system)
    }

    /// Classifies inline specs under the pack in force on `as_of`.
    pub fn classify_specs(
        &self,
        specs: &ChipSpecs,
        name: &str,
        chip_id: Option<&str>,
        as_of: NaiveDate,
        system: bool,
    ) -> Result<Classification, ClassifyError> {
        let pack = self.packs.in_force(as_of)?;
        let mut c = classify(pack, specs, name, chip_id, as_of, system);
        if pack.ai_commodity.is_none() {
            // Say why the 2026 test is false: the rule is not yet (or no longer) in force.
            if let Some(later) = self.packs.all().iter().find(|p| p.ai_commodity.is_some()) {
                if let Some(a) = &later.ai_commodity {
                    c.reasons.push(Reason::new(
                        &a.rule.id,
                        &a.rule.citation,
                        format!("is not an AI commodity: rule 2026-00789 takes effect on {}, after {as_of}", later.effective),
                    ));
                }
            }
        }
        Ok(c)
    }
}
