//! Any query string against a small screener: scores stay in [0, 1], never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tollgate_screen::{load::load_bytes, load::Format, Query, Screener};

fn screener() -> &'static Screener {
    static S: OnceLock<Screener> = OnceLock::new();
    S.get_or_init(|| {
        let csl = include_bytes!("../../data/screening_eval/legacy_lists/csl.csv");
        Screener::build(vec![
            load_bytes(Format::CslCsv, "csl.csv", csl).expect("csl")
        ])
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (name, country) = text.split_once('\t').unwrap_or((&text, ""));
    let q = Query {
        name,
        country: Some(country),
        address: Some(name),
    };
    for h in screener().screen_at(&q, 0.0) {
        assert!((0.0..=1.0).contains(&h.score), "{h:?}");
    }
});
