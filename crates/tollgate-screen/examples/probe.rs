//! Screens the names given as arguments (or one per line on stdin) against the bundled lists,
//! or the list files of `TOLLGATE_LISTS_DIR`, and prints every hit above 0.5 with its
//! explanation: a quick look at what the matcher does with a spelling.
//!
//! `cargo run --release -p tollgate-screen --example probe -- "BANC0 NAC10NAL DE CUBA"`

use std::io::BufRead;
use tollgate_screen::{Query, Screener};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let s = match std::env::var_os("TOLLGATE_LISTS_DIR") {
        Some(d) => Screener::from_dir(std::path::Path::new(&d))?,
        None => Screener::bundled()?,
    };
    let mut names: Vec<String> = std::env::args().skip(1).collect();
    if names.is_empty() {
        names = std::io::stdin().lock().lines().collect::<Result<_, _>>()?;
    }
    for n in &names {
        println!("{n}");
        if std::env::var_os("PROBE_IDF").is_some() {
            for v in tollgate_screen::normalize::query_variants(n) {
                let w: Vec<String> = v
                    .iter()
                    .map(|t| format!("{t}={:.1}", s.token_idf(t).unwrap_or(f32::NAN)))
                    .collect();
                println!("  form: {}", w.join(" "));
            }
        }
        let hits = s.screen_at(&Query::name(n), 0.5);
        if hits.is_empty() {
            println!("  (no candidate above 0.5)");
        }
        for h in hits.iter().take(3) {
            println!(
                "  {:.3} {} {} | {}",
                h.score, h.list, h.entity_name, h.explanation
            );
        }
    }
    Ok(())
}
