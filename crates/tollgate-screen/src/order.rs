//! Screening every party of an export order, for the decision engine of tollgate-core.

use crate::{Hit, Query, Screener};
use std::sync::Arc;
use tollgate_core::{Order, PartyHit, Screening};

/// Screening results of recent parties, keyed by the exact name, country and address. A vendor's
/// orders name the same customers again and again; the lists behind a [`Screener`] never change
/// (a newer list builds a new screener and a new cache), so a cached answer is the same answer.
pub struct PartyCache {
    cache: quick_cache::sync::Cache<(String, String, String), Arc<Vec<Hit>>>,
    /// The screener's list versions as decisions cite them, written once.
    labels: std::sync::OnceLock<Arc<[String]>>,
}

impl PartyCache {
    /// A cache of at most `capacity` parties.
    pub fn new(capacity: usize) -> Self {
        Self {
            cache: quick_cache::sync::Cache::new(capacity.max(1)),
            labels: std::sync::OnceLock::new(),
        }
    }
}

impl std::fmt::Debug for PartyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PartyCache({} parties)", self.cache.len())
    }
}

/// A party already screened in this order: name, country, address and its hits.
type SeenParty<'a> = (&'a str, &'a str, Option<&'a str>, Arc<Vec<Hit>>);

/// Screens every party of `order` (name, country, address); keeps the best hit per party and
/// list at or above the screener's threshold. The core decides what each list means.
pub fn screen_order(screener: &Screener, order: &Order) -> Screening {
    screen_order_cached(screener, None, order)
}

/// The same, answering repeated parties from `cache`.
pub fn screen_order_cached(
    screener: &Screener,
    cache: Option<&PartyCache>,
    order: &Order,
) -> Screening {
    let mut hits = Vec::new();
    // Parties of one order often repeat (purchaser = consignee = end user): screen each once.
    let mut seen: Vec<SeenParty> = Vec::new();
    // Owners at every depth are screened like parties (the core applies the ownership rules).
    for (role, p) in order.parties.all_with_owners() {
        let key = (p.name.as_str(), p.country.as_str(), p.address.as_deref());
        let found = match seen.iter().find(|s| (s.0, s.1, s.2) == key) {
            Some(s) => s.3.clone(),
            None => {
                let run = || {
                    Arc::new(screener.screen(&Query {
                        name: &p.name,
                        country: Some(p.country.as_str()),
                        address: p.address.as_deref(),
                    }))
                };
                let r = match cache {
                    Some(c) => {
                        let k = (
                            p.name.clone(),
                            p.country.as_str().to_string(),
                            p.address.clone().unwrap_or_default(),
                        );
                        match c.cache.get(&k) {
                            Some(v) => v,
                            None => {
                                let v = run();
                                c.cache.insert(k, v.clone());
                                v
                            }
                        }
                    }
                    None => run(),
                };
                seen.push((key.0, key.1, key.2, r.clone()));
                r
            }
        };
        for h in found.iter() {
            let mut hit = PartyHit::new(
                role,
                h.list.clone(),
                h.entity_id.clone(),
                h.matched_name.clone(),
                h.score,
            );
            // The entry's own licence requirement, review policy and footnotes: the core reads
            // the review policy and names them in the hit's reason.
            hit.license_requirement = h.license_requirement.clone();
            hit.license_policy = h.license_policy.clone();
            hit.footnotes = h.footnotes.clone();
            hits.push(hit);
        }
    }
    hits.sort_by(|a, b| {
        (a.role, &a.list)
            .cmp(&(b.role, &b.list))
            .then(b.score.total_cmp(&a.score))
    });
    hits.dedup_by(|a, b| a.role == b.role && a.list == b.list);
    Screening {
        screened: true,
        hits,
        list_versions: match cache {
            Some(c) => c.labels.get_or_init(|| labels(screener)).clone(),
            None => labels(screener),
        },
        // Stale lists: screening ran, but on lists older than the maximum age.
        warnings: screener.warnings(),
    }
}

/// Each list file as a decision cites it: name, rows and the start of its SHA-256.
fn labels(screener: &Screener) -> Arc<[String]> {
    screener
        .versions()
        .iter()
        .map(|v| {
            format!(
                "{} ({} rows, sha256 {})",
                v.file,
                v.rows,
                v.sha256.get(..12).unwrap_or(&v.sha256)
            )
        })
        .collect()
}
