//! Property tests of the drawdown and cap arithmetic (exact decimals, no f64).

use proptest::prelude::*;
use rust_decimal::Decimal;
use tollgate_store::rules::{cap_allowed, CapLedger, Drawdown};

proptest! {
    /// Whatever sequence of draws is attempted, the drawn totals never exceed the limits and
    /// equal the sum of the accepted draws.
    #[test]
    fn drawdown_never_exceeds_units_or_value(
        units_limit in 1i64..10_000,
        value_cents in 1i64..100_000_000,
        draws in prop::collection::vec((1i64..500, 1i64..5_000_000), 1..60),
    ) {
        let value_limit = Decimal::new(value_cents, 2);
        let mut dd = Drawdown { units_limit, value_limit, drawn_units: 0, drawn_value: Decimal::ZERO };
        let (mut sum_units, mut sum_value) = (0i64, Decimal::ZERO);
        for (u, c) in draws {
            let v = Decimal::new(c, 2);
            match dd.draw("L", u, v) {
                Ok(next) => {
                    prop_assert!(dd.drawn_units + u <= units_limit && dd.drawn_value + v <= value_limit);
                    sum_units += u;
                    sum_value += v;
                    dd = next;
                }
                Err(_) => prop_assert!(dd.drawn_units + u > units_limit || dd.drawn_value + v > value_limit),
            }
            prop_assert!(dd.drawn_units <= units_limit && dd.drawn_value <= value_limit);
            prop_assert_eq!((dd.drawn_units, dd.drawn_value), (sum_units, sum_value));
        }
    }

    /// China+Macau units never exceed ratio x US units, and a refusal happens only when the
    /// request would cross it.
    #[test]
    fn cap_holds_for_any_interleaving_of_us_and_china_shipments(
        ratio_pct in 0i64..=100,
        steps in prop::collection::vec((any::<bool>(), 1i64..1_000), 1..80),
    ) {
        let ratio = Decimal::new(ratio_pct, 2);
        let mut ledger = CapLedger { us_units: 0, china_macau_units: 0 };
        for (domestic, n) in steps {
            if domestic {
                ledger.us_units += n;
            } else {
                let allowed = cap_allowed(ledger.us_units, ratio);
                match ledger.ship_china_macau("cap", "e", "c", n, ratio) {
                    Ok(next) => { prop_assert!(ledger.china_macau_units + n <= allowed); ledger = next; }
                    Err(_) => prop_assert!(ledger.china_macau_units + n > allowed),
                }
            }
            prop_assert!(Decimal::from(ledger.china_macau_units) <= Decimal::from(ledger.us_units) * ratio);
        }
    }

    /// floor(us x 0.5) exactly, for any number of units.
    #[test]
    fn half_cap_is_floor_of_half(us in 0i64..1_000_000_000_000) {
        prop_assert_eq!(cap_allowed(us, Decimal::new(5, 1)), us / 2);
    }
}
