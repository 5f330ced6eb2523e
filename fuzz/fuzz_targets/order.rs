//! Any bytes as an order: validation answers a field-naming error or an order, and a valid order
//! always decides under every date or says which date field is out of range; never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tollgate_core::{NaiveDate, Order, Regulation, Screening};

fn reg() -> &'static Regulation {
    static R: OnceLock<Regulation> = OnceLock::new();
    R.get_or_init(|| Regulation::bundled().expect("bundled data"))
}

fuzz_target!(|data: &[u8]| {
    let r = reg();
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Order::from_json(text, &r.catalog, &r.countries) {
        Err(e) => assert!(!e.field.is_empty() && !e.problem.is_empty()),
        Ok(o) => {
            let s = Screening::default();
            for d in ["2022-10-07", "2025-06-01", "2026-02-01"] {
                let day = NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date");
                if let Ok(dec) = r.decide(&o, Some(day), &s) {
                    let j = dec.to_json();
                    assert!(j["reasons"].as_array().is_some_and(|a| !a.is_empty()));
                }
            }
        }
    }
});
