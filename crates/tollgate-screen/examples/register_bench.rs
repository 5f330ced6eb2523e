//! Re-screening a register after a list change (issue 11's figure): N customers (default
//! 100,000) screened against the bundled lists on every core with `register::screen_register`.
//! The customers are realistic company names built from the hard-negative and real-variant
//! evaluation sets (so most are clean and some hit), each made distinct by a numbered suffix.
//!
//! `cargo run --release -p tollgate-screen --example register_bench [-- N]`

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Instant;
use tollgate_screen::register::{screen_register, RegisterParty};
use tollgate_screen::Screener;

fn names(path: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).expect("eval set");
    let mut r = csv::Reader::from_reader(text.as_bytes());
    r.records()
        .filter_map(|x| x.ok())
        .filter_map(|x| {
            Some((
                x.get(0)?.to_string(),
                x.get(1).unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/screening_eval/");
    let mut pool = names(&format!("{dir}negatives.csv"));
    pool.extend(names(&format!("{dir}variants.csv")));
    let suffixes = ["Ltd.", "GmbH", "LLC", "Co.", "S.A.", "Pte. Ltd.", "Inc."];
    let parties: Vec<RegisterParty> = (0..n)
        .map(|i| {
            let (name, country) = &pool[i % pool.len()];
            // Every 4th customer keeps the evaluation name as is; the others are distinct
            // companies built on it.
            let name = if i % 4 == 0 {
                name.clone()
            } else {
                format!("{name} {} {}", i / pool.len(), suffixes[i % suffixes.len()])
            };
            RegisterParty {
                customer_id: format!("C-{i:06}"),
                name,
                country: (!country.is_empty()).then(|| country.clone()),
                address: None,
            }
        })
        .collect();
    let t = Instant::now();
    let s = Screener::bundled().expect("bundled lists");
    let build = t.elapsed();
    let t = Instant::now();
    let hits = screen_register(&s, &parties);
    let took = t.elapsed();
    println!(
        "{n} customers screened in {:.2} s ({:.0}/s on {} threads) after a {:.2} s index build; {} with potential matches",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64(),
        rayon::current_num_threads(),
        build.as_secs_f64(),
        hits.len()
    );
}
