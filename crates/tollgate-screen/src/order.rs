//! Screening every party of an export order, for the decision engine of tollgate-core.

use crate::{Query, Screener};
use tollgate_core::{Order, PartyHit, Screening};

/// Screens every party of `order` (name, country, address); keeps the best hit per party and
/// list at or above the screener's threshold. The core decides what each list means.
pub fn screen_order(screener: &Screener, order: &Order) -> Screening {
    let mut hits = Vec::new();
    for (role, p) in order.parties.all() {
        let q = Query {
            name: &p.name,
            country: Some(p.country.as_str()),
            address: p.address.as_deref(),
        };
        for h in screener.screen(&q) {
            hits.push(PartyHit {
                role,
                list: h.list,
                match_id: h.entity_id,
                match_name: h.matched_name,
                score: h.score,
            });
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
        list_versions: screener
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
            .collect(),
    }
}
