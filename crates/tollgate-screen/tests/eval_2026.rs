//! Floors of issue 10 on the 2026 evaluation (data/screening_eval/evasion.csv, variants.csv,
//! negatives.csv), all at `DEFAULT_THRESHOLD`: evasion recall >= 0.97 and precision >= 0.97
//! over positives and negatives together, as the issue asks; real-variant recall >= the level
//! reached today (`VARIANTS_RECALL_NOW`), since the issue's 0.90 is not met yet (the table
//! printed shows the gap). The counting and the screeners (bundled; without the query's own
//! list; with held-out aliases removed) are in examples/eval.rs, which prints the full tables:
//! `cargo run --release -p tollgate-screen --example eval`.
//!
//! Every case is screened (the crate is optimised in test builds too: see the workspace's
//! `[profile.dev.package.tollgate-screen]`).

#[path = "../examples/eval.rs"]
#[allow(dead_code)]
mod harness;

use harness::*;
use tollgate_screen::DEFAULT_THRESHOLD;

fn cases() -> Vec<Case> {
    all_cases()
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
fn evasion_and_precision_meet_the_issue_floors_and_variants_do_not_fall() {
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
    println!(
        "real-variant recall {:.3}: the issue's target is {VARIANTS_RECALL}, the floor kept \
         today {VARIANTS_RECALL_NOW}",
        va.recall()
    );
    assert!(
        va.recall() >= VARIANTS_RECALL_NOW,
        "variants recall {:.3} < {VARIANTS_RECALL_NOW}",
        va.recall()
    );
    assert!(
        all.precision() >= PRECISION,
        "precision {:.3} < {PRECISION}",
        all.precision()
    );
}
