//! Acceptance floors of issue 10 on the 2026 evaluation (data/screening_eval/evasion.csv,
//! variants.csv, negatives.csv): evasion recall >= 0.97, variants recall >= 0.90, precision
//! >= 0.97 over positives and negatives together, all at `DEFAULT_THRESHOLD`. The counting and
//! the screeners (bundled; without the query's own list; with held-out aliases removed) are
//! in examples/eval.rs, which prints the full tables in release:
//! `cargo run --release -p tollgate-screen --example eval`.
//!
//! A debug build screens every 4th case of each file (the full set runs in the example) so the
//! test stays well under a minute; `EVAL_2026_FULL=1` screens them all.

#[path = "../examples/eval.rs"]
#[allow(dead_code)]
mod harness;

use harness::*;
use tollgate_screen::DEFAULT_THRESHOLD;

fn cases() -> Vec<Case> {
    let all = all_cases();
    if cfg!(debug_assertions) && std::env::var_os("EVAL_2026_FULL").is_none() {
        all.into_iter()
            .enumerate()
            .filter(|(i, _)| i % 4 == 0)
            .map(|(_, c)| c)
            .collect()
    } else {
        all
    }
}

#[test]
fn evaluation_files_are_well_formed() {
    for set in SETS {
        let cases = load_cases(set);
        assert!(cases.len() >= 400, "{set}: {} cases", cases.len());
        for c in &cases {
            assert!(!c.query.trim().is_empty(), "{set}: empty query");
            assert!(!c.category.is_empty(), "{set}: {} has no category", c.query);
            assert_eq!(
                c.expected.is_empty(),
                set == "negatives",
                "{set}: {} expected {:?}",
                c.query,
                c.expected
            );
            for x in &c.expected {
                assert!(
                    !x.list.is_empty() && !x.name.is_empty(),
                    "{set}: {}",
                    c.query
                );
            }
        }
    }
    assert!(load_cases("evasion").len() >= 1000);
}

#[test]
fn evasion_variants_and_negatives_meet_the_floors() {
    let cases = cases();
    let screeners = screeners(&cases);
    let hits = run(&cases, &screeners);
    let m = tally(&cases, &hits, DEFAULT_THRESHOLD);
    print_table(
        &format!(
            "{} cases at DEFAULT_THRESHOLD {DEFAULT_THRESHOLD}:",
            cases.len()
        ),
        &m,
    );
    print_sweep(&cases, &hits);
    let get = |s: &str| m[&(s.to_string(), "ALL".to_string())];
    let (ev, va, all) = (get("evasion"), get("variants"), get("ALL"));
    assert!(
        ev.recall() >= EVASION_RECALL,
        "evasion recall {:.3} < {EVASION_RECALL}",
        ev.recall()
    );
    assert!(
        va.recall() >= VARIANTS_RECALL,
        "variants recall {:.3} < {VARIANTS_RECALL}",
        va.recall()
    );
    assert!(
        all.precision() >= PRECISION,
        "precision {:.3} < {PRECISION}",
        all.precision()
    );
}
