//! Screening figures for the README: index build time, single-query latency p50/p99, batch
//! throughput on all cores, peak memory. Queries are all the evaluation sets' (about 3,300),
//! shuffled and repeated.
//!
//! `cargo run --release -p tollgate-screen --example bench [-- QUERIES]`

use rayon::prelude::*;

// The binary's allocator (crates/tollgate/src/main.rs), so the figures are the product's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::time::Instant;
use tollgate_screen::{Query, Screener};

fn vm_hwm_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Process CPU time (user + system), seconds; /proc/self/stat counts clock ticks of 1/100 s.
fn cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let (u, sy): (f64, f64) = (f.get(11)?.parse().ok()?, f.get(12)?.parse().ok()?);
    Some((u + sy) / 100.0)
}

fn main() {
    let total: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let t0 = Instant::now();
    let s = Screener::bundled().expect("bundled lists");
    let build = t0.elapsed();
    let (entities, names) = s.len();

    // Every query of the evaluation sets: the 509 cases of 2026-03 and the evasion, real-variant
    // and hard-negative sets (clean names, disguised names, long texts, non-Latin scripts).
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/screening_eval");
    let mut cases: Vec<(String, String)> = Vec::new();
    // BENCH_FILES=evasion.csv,... measures one kind of query alone.
    let files = std::env::var("BENCH_FILES")
        .unwrap_or_else(|_| "cases.csv,evasion.csv,variants.csv,negatives.csv".into());
    for f in files.split(',') {
        let mut r = csv::Reader::from_path(format!("{dir}/{f}")).expect("evaluation file");
        cases.extend(
            r.records()
                .filter_map(Result::ok)
                .map(|rec| (rec[0].to_string(), rec[1].to_string())),
        );
    }
    // A fixed shuffle, so repeated queries are not served warm from the same cache lines.
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for i in (1..cases.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        cases.swap(i, (seed % (i as u64 + 1)) as usize);
    }
    let query = |i: usize| {
        let (n, c) = &cases[i % cases.len()];
        Query {
            name: n,
            country: (!c.is_empty()).then_some(c.as_str()),
            address: None,
        }
    };

    // Warm-up, then one query at a time on one thread.
    for i in 0..cases.len() {
        s.screen(&query(i));
    }
    let single = 20_000.min(total);
    let mut lat_us: Vec<f64> = Vec::with_capacity(single);
    let mut hits = 0usize;
    for i in 0..single {
        let t = Instant::now();
        hits += s.screen(&query(i)).len();
        lat_us.push(t.elapsed().as_secs_f64() * 1e6);
    }
    // The slowest distinct queries, to see what drives the tail.
    let mut by_query: Vec<(f64, usize)> = lat_us
        .iter()
        .enumerate()
        .map(|(i, l)| (*l, i % cases.len()))
        .collect();
    by_query.sort_by(|a, b| b.0.total_cmp(&a.0));
    by_query.dedup_by_key(|x| x.1);
    for (l, i) in by_query.iter().take(5) {
        println!("slow: {l:.0} us  {}", cases[*i].0);
    }
    lat_us.sort_by(f64::total_cmp);
    let pct = |p: f64| lat_us[((lat_us.len() as f64 - 1.0) * p) as usize];

    // Batch: all cores.
    let cpu0 = cpu_secs();
    let t = Instant::now();
    let batch_hits: usize = (0..total)
        .into_par_iter()
        .map(|i| s.screen(&query(i)).len())
        .sum();
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_secs().zip(cpu0).map(|(b, a)| b - a);

    println!(
        "lists: {entities} entities, {names} indexed names, {} files",
        s.versions().len()
    );
    println!(
        "index build (parse + normalise + index, bundled): {:.0} ms",
        build.as_secs_f64() * 1e3
    );
    println!(
        "single query ({single} queries, 1 thread): p50 {:.1} us, p99 {:.1} us, max {:.1} us ({hits} hits)",
        pct(0.50),
        pct(0.99),
        lat_us[lat_us.len() - 1]
    );
    println!(
        "batch ({total} queries, {} threads): {:.0} queries/s ({batch_hits} hits)",
        rayon::current_num_threads(),
        total as f64 / secs
    );
    if let Some(cpu) = cpu {
        // CPU time is what a busy shared machine cannot steal: the rate two idle cores would give.
        println!(
            "batch CPU time: {:.1} us per query, i.e. {:.0} queries/s per idle core",
            cpu * 1e6 / total as f64,
            total as f64 / cpu
        );
    }
    match vm_hwm_mb() {
        Some(mb) => println!("peak memory (VmHWM): {mb:.0} MB"),
        None => println!("peak memory: /proc/self/status unavailable"),
    }
}
