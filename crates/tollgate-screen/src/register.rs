//! Screening a whole register at once: when the lists change, every customer is screened again
//! ("delta screening"), in parallel on every core; the caller opens alerts for the hits it has
//! not seen (a reviewed false positive is remembered by name, country and [`Hit::entry_hash`]).

use crate::{Hit, Query, Screener};
use rayon::prelude::*;

/// A party of the register to screen: a customer by its name, country and address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterParty {
    /// The register's id of the customer.
    pub customer_id: String,
    pub name: String,
    pub country: Option<String>,
    pub address: Option<String>,
}

/// Screens every party; the parties with at least one hit at or above the screener's
/// threshold, as (index into `parties`, hits best first), in register order.
pub fn screen_register(screener: &Screener, parties: &[RegisterParty]) -> Vec<(usize, Vec<Hit>)> {
    parties
        .par_iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let hits = screener.screen(&Query {
                name: &p.name,
                country: p.country.as_deref(),
                address: p.address.as_deref(),
            });
            (!hits.is_empty()).then_some((i, hits))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_parties_with_hits_come_back_in_register_order() {
        let s = Screener::bundled().expect("bundled lists");
        let p = |id: &str, name: &str, c: &str| RegisterParty {
            customer_id: id.into(),
            name: name.into(),
            country: Some(c.into()),
            address: None,
        };
        let parties = vec![
            p("C-1", "Example Penang Compute Sdn. Bhd.", "MY"),
            p("C-2", "Huawei Technologies Co., Ltd.", "CN"),
            p("C-3", "Frankfurt Bakery GmbH", "DE"),
            p(
                "C-4",
                "Semiconductor Manufacturing International Corporation",
                "CN",
            ),
        ];
        let r = screen_register(&s, &parties);
        let ids: Vec<&str> = r
            .iter()
            .map(|(i, _)| parties[*i].customer_id.as_str())
            .collect();
        assert_eq!(ids, ["C-2", "C-4"]);
        // The same entry's content digest is the same on every screening, and differs
        // between entries.
        let again = screen_register(&s, &parties[1..2]);
        assert_eq!(r[0].1[0].entry_hash, again[0].1[0].entry_hash);
        assert_eq!(r[0].1[0].entry_hash.len(), 64);
        assert_ne!(r[0].1[0].entry_hash, r[1].1[0].entry_hash);
    }
}
