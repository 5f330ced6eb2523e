//! The screening evaluation of issue 10: evasion variants, real spelling variants and hard
//! negatives (`data/screening_eval/{evasion,variants,negatives}.csv`, built by the Python
//! scripts beside them from the lists, never from tollgate's output).
//!
//! ```text
//! cargo run --release -p tollgate-screen --example eval            # tables, sweep, speed
//! EVAL_MISSES=1 cargo run --release -p tollgate-screen --example eval   # and every miss
//! ```
//!
//! Evasion and negatives are screened against the bundled lists. A variants row names list(s)
//! to leave out (`exclude_lists`: the query's own authority) or an alias to remove from the
//! expected entry before the index is built (`holdout_alias`); the harness builds those
//! screeners from the bundled files with `tollgate_screen::load` + `Screener::build`.
//!
//! Counting (as tests/eval.rs): a positive case is a true positive when a hit at or above the
//! threshold is the expected entry (same list, and the same id or the same entity name: ids of
//! lists without ids may shift), a false negative otherwise, and also a false positive when it
//! has only other entries' hits. Any hit on a negative case is a false positive.
//! `tests/eval_2026.rs` includes this file and asserts the acceptance floors.

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;
use tollgate_screen::{load, LoadedFile, Query, Screener, DEFAULT_THRESHOLD};
use unicode_normalization::UnicodeNormalization;

pub const SETS: [&str; 3] = ["evasion", "variants", "negatives"];
pub const SWEEP: [f64; 12] = [
    0.60, 0.65, 0.70, 0.72, 0.74, 0.76, 0.78, 0.80, 0.82, 0.85, 0.90, 0.95,
];

/// Acceptance floors (issue 10).
pub const EVASION_RECALL: f64 = 0.97;
pub const VARIANTS_RECALL: f64 = 0.90;
/// What the matcher reaches on real variants today (0.837 on 2026-12-01): the test keeps it
/// from falling while the issue's 0.90 is not met.
pub const VARIANTS_RECALL_NOW: f64 = 0.83;
pub const PRECISION: f64 = 0.97;

#[derive(Debug, Clone)]
pub struct Expected {
    pub id: String,
    pub list: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Case {
    pub set: &'static str,
    pub query: String,
    pub country: String,
    /// Empty for a negative; alternatives (the same party on several lists) otherwise.
    pub expected: Vec<Expected>,
    pub category: String,
    pub exclude_lists: Vec<String>,
    pub holdout_alias: String,
}

/// Upper-cased words in order, the way names are compared for identity here.
pub fn norm(s: &str) -> String {
    let folded: String = s
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_uppercase();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn eval_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/screening_eval")
}

pub fn load_cases(set: &'static str) -> Vec<Case> {
    let path = eval_dir().join(format!("{set}.csv"));
    let mut r = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let headers = r.headers().expect("header").clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (q, c, id, list, name, cat) = (
        col("query").expect("query column"),
        col("country").expect("country column"),
        col("expected_id").expect("expected_id column"),
        col("expected_list").expect("expected_list column"),
        col("expected_name").expect("expected_name column"),
        col("category").expect("category column"),
    );
    let (excl, hold) = (col("exclude_lists"), col("holdout_alias"));
    r.records()
        .map(|rec| {
            let rec = rec.expect("row");
            let get = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or("").to_string();
            let ids: Vec<&str> = rec[id].split('|').collect();
            let lists: Vec<&str> = rec[list].split('|').collect();
            let names: Vec<&str> = rec[name].split('|').collect();
            let expected = if rec[id].is_empty() && rec[name].is_empty() {
                Vec::new()
            } else {
                (0..ids.len().max(names.len()))
                    .map(|i| Expected {
                        id: ids.get(i).unwrap_or(&"").to_string(),
                        list: lists.get(i).unwrap_or(&"").to_string(),
                        name: norm(names.get(i).unwrap_or(&"")),
                    })
                    .collect()
            };
            Case {
                set,
                query: rec[q].to_string(),
                country: rec[c].to_string(),
                expected,
                category: rec[cat].to_string(),
                exclude_lists: get(excl)
                    .split('|')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
                holdout_alias: get(hold),
            }
        })
        .collect()
}

pub fn all_cases() -> Vec<Case> {
    SETS.iter().flat_map(|s| load_cases(s)).collect()
}

fn copy_file(f: &LoadedFile, keep: impl Fn(&tollgate_screen::Entity) -> bool) -> LoadedFile {
    LoadedFile {
        format: f.format,
        version: f.version.clone(),
        entities: f.entities.iter().filter(|e| keep(e)).cloned().collect(),
        issues: f.issues.clone(),
    }
}

/// Which screener a case is screened against.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Which {
    Bundled,
    Without(Vec<String>),
    HeldOut,
}

pub fn which(c: &Case) -> Which {
    if !c.holdout_alias.is_empty() {
        Which::HeldOut
    } else if !c.exclude_lists.is_empty() {
        let mut l = c.exclude_lists.clone();
        l.sort();
        Which::Without(l)
    } else {
        Which::Bundled
    }
}

/// The screeners the cases need, built from the bundled files (one thread each: most of a
/// build is single-threaded).
pub fn screeners(cases: &[Case]) -> BTreeMap<Which, Screener> {
    let files = load::load_bundled().expect("bundled lists");
    let needed: HashSet<Which> = cases.iter().map(which).collect();
    // Every held-out alias is removed from its own entry (and that entry's copies in other
    // files of the same list: same id or same primary name), all in one build.
    let holds: Vec<(&Expected, String)> = cases
        .iter()
        .filter(|c| !c.holdout_alias.is_empty())
        .map(|c| (&c.expected[0], c.holdout_alias.trim().to_uppercase()))
        .collect();
    let build = |w: &Which| -> Screener {
        let built: Vec<LoadedFile> = match w {
            Which::Bundled => files.iter().map(|f| copy_file(f, |_| true)).collect(),
            Which::Without(lists) => files
                .iter()
                .map(|f| copy_file(f, |e| !lists.contains(&e.list)))
                .collect(),
            Which::HeldOut => files
                .iter()
                .map(|f| {
                    let mut g = copy_file(f, |_| true);
                    for e in g.entities.iter_mut() {
                        for (x, alias) in &holds {
                            if e.list == x.list && (e.id == x.id || norm(&e.name) == x.name) {
                                e.aliases.retain(|(a, _)| a.trim().to_uppercase() != *alias);
                            }
                        }
                    }
                    g
                })
                .collect(),
        };
        Screener::build(built)
    };
    std::thread::scope(|sc| {
        let handles: Vec<_> = needed
            .iter()
            .map(|w| (w.clone(), sc.spawn(|| build(w))))
            .collect();
        handles
            .into_iter()
            .map(|(w, h)| (w, h.join().expect("build")))
            .collect()
    })
}

/// A hit at or above the lowest threshold swept: (is it the expected entry, score).
pub type Hits = Vec<(bool, f64)>;

pub fn accepted(c: &Case, h: &tollgate_screen::Hit) -> bool {
    c.expected.iter().any(|x| {
        h.list == x.list
            && ((!x.id.is_empty() && h.entity_id == x.id) || norm(&h.entity_name) == x.name)
    })
}

pub fn query(c: &Case) -> Query<'_> {
    Query {
        name: &c.query,
        country: (!c.country.is_empty()).then_some(c.country.as_str()),
        address: None,
    }
}

pub fn run(cases: &[Case], screeners: &BTreeMap<Which, Screener>) -> Vec<Hits> {
    cases
        .iter()
        .map(|c| {
            screeners[&which(c)]
                .screen_at(&query(c), SWEEP[0])
                .iter()
                .map(|h| (accepted(c, h), h.score))
                .collect()
        })
        .collect()
}

#[derive(Default, Clone, Copy, Debug)]
pub struct Counts {
    pub cases: usize,
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub tn: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            return 1.0;
        }
        self.tp as f64 / (self.tp + self.fp) as f64
    }
    pub fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            return f64::NAN;
        }
        self.tp as f64 / (self.tp + self.fn_) as f64
    }
    fn add(&mut self, o: Counts) {
        self.cases += o.cases;
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
        self.tn += o.tn;
    }
}

pub fn outcome(c: &Case, h: &Hits, t: f64) -> Counts {
    let found = h.iter().any(|x| x.0 && x.1 >= t);
    let any = h.iter().any(|x| x.1 >= t);
    let (tp, fp, fn_, tn) = match (c.expected.is_empty(), found, any) {
        (false, true, _) => (1, 0, 0, 0),
        (false, false, false) => (0, 0, 1, 0),
        (false, false, true) => (0, 1, 1, 0),
        (true, _, false) => (0, 0, 0, 1),
        (true, _, true) => (0, 1, 0, 0),
    };
    Counts {
        cases: 1,
        tp,
        fp,
        fn_,
        tn,
    }
}

/// Per (set, category) and per set, at threshold t.
pub fn tally(cases: &[Case], hits: &[Hits], t: f64) -> BTreeMap<(String, String), Counts> {
    let mut m: BTreeMap<(String, String), Counts> = BTreeMap::new();
    for (c, h) in cases.iter().zip(hits) {
        let o = outcome(c, h, t);
        m.entry((c.set.to_string(), c.category.clone()))
            .or_default()
            .add(o);
        m.entry((c.set.to_string(), "ALL".into()))
            .or_default()
            .add(o);
        m.entry(("ALL".into(), "ALL".into())).or_default().add(o);
    }
    m
}

fn fmt_ratio(x: f64) -> String {
    if x.is_nan() {
        "-".into()
    } else {
        format!("{x:.3}")
    }
}

pub fn print_table(title: &str, m: &BTreeMap<(String, String), Counts>) {
    println!("{title}");
    println!(
        "  {:<10} {:<22} {:>6} {:>6} {:>6} {:>6} {:>9} {:>7}",
        "set", "category", "cases", "tp", "fp", "fn", "precision", "recall"
    );
    let order = |s: &str| SETS.iter().position(|x| *x == s).unwrap_or(9);
    let mut keys: Vec<&(String, String)> = m.keys().collect();
    keys.sort_by_key(|(s, c)| (order(s), c == "ALL", c.clone()));
    for k in keys {
        let c = m[k];
        println!(
            "  {:<10} {:<22} {:>6} {:>6} {:>6} {:>6} {:>9} {:>7}",
            k.0,
            k.1,
            c.cases,
            c.tp,
            c.fp,
            c.fn_,
            fmt_ratio(c.precision()),
            fmt_ratio(c.recall())
        );
    }
}

pub fn print_sweep(cases: &[Case], hits: &[Hits]) {
    println!("threshold sweep (evasion recall / variants recall / precision over all):");
    for t in SWEEP {
        let m = tally(cases, hits, t);
        let r = |s: &str| {
            m.get(&(s.to_string(), "ALL".to_string()))
                .map(|c| c.recall())
                .unwrap_or(f64::NAN)
        };
        let p = m[&("ALL".to_string(), "ALL".to_string())].precision();
        println!(
            "  {t:.2}: {} / {} / {}{}",
            fmt_ratio(r("evasion")),
            fmt_ratio(r("variants")),
            fmt_ratio(p),
            if (t - DEFAULT_THRESHOLD).abs() < 1e-9 {
                "   <- DEFAULT_THRESHOLD"
            } else {
                ""
            }
        );
    }
}

/// Single-thread speed of `screen` at the default threshold over the eval queries.
pub fn speed(cases: &[Case], screeners: &BTreeMap<Which, Screener>) -> (f64, f64, f64) {
    let mut lat: Vec<f64> = Vec::with_capacity(cases.len());
    let start = Instant::now();
    for c in cases {
        let s = &screeners[&which(c)];
        let t0 = Instant::now();
        let h = s.screen(&query(c));
        lat.push(t0.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(h);
    }
    let total = start.elapsed().as_secs_f64();
    lat.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p).round() as usize];
    (cases.len() as f64 / total, pct(0.50), pct(0.99))
}

pub fn misses(cases: &[Case], hits: &[Hits], t: f64) -> Vec<String> {
    cases
        .iter()
        .zip(hits)
        .filter(|(c, h)| {
            let o = outcome(c, h, t);
            o.fp + o.fn_ > 0
        })
        .map(|(c, h)| {
            let best_expected = h
                .iter()
                .filter(|x| x.0)
                .map(|x| x.1)
                .fold(None, |a: Option<f64>, b| Some(a.map_or(b, |a| a.max(b))));
            let best_other = h
                .iter()
                .filter(|x| !x.0)
                .map(|x| x.1)
                .fold(None, |a: Option<f64>, b| Some(a.map_or(b, |a| a.max(b))));
            format!(
                "{:<9} {:<20} {:<60} expected {:<30} best expected {:?} best other {:?}",
                c.set,
                c.category,
                c.query,
                c.expected
                    .first()
                    .map(|x| x.name.as_str())
                    .unwrap_or("(none)"),
                best_expected,
                best_other
            )
        })
        .collect()
}

#[allow(dead_code)]
fn main() {
    let t0 = Instant::now();
    let cases = all_cases();
    let screeners = screeners(&cases);
    let built = t0.elapsed().as_secs_f64();
    let hits = run(&cases, &screeners);
    println!(
        "tollgate {} cases ({} screeners built in {built:.1} s), threshold {DEFAULT_THRESHOLD}",
        cases.len(),
        screeners.len()
    );
    print_table(
        &format!("tollgate at DEFAULT_THRESHOLD {DEFAULT_THRESHOLD}:"),
        &tally(&cases, &hits, DEFAULT_THRESHOLD),
    );
    print_sweep(&cases, &hits);
    let (qps, p50, p99) = speed(&cases, &screeners);
    println!("speed (one thread, screen() at the default threshold): {qps:.0} queries/s, p50 {p50:.3} ms, p99 {p99:.3} ms");
    if std::env::var_os("EVAL_MISSES").is_some() {
        for m in misses(&cases, &hits, DEFAULT_THRESHOLD) {
            println!("  miss: {m}");
        }
    }
}
