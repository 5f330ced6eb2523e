//! `tollgate audit verify`: recompute the audit hash chain (exit 4 when tampered).

use super::records::{open, print_json, DbArgs};
use tollgate_store::Records;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Recompute the chain; exit 0 intact, 4 tampered (names the first bad entry).
    Verify,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let s = open(&args.db)?;
    match args.cmd {
        Cmd::Verify => {
            let r = s.run(s.store.verify_audit())?;
            if args.db.json {
                print_json(&r)?;
            }
            match r.first_bad {
                None => {
                    if !args.db.json {
                        println!(
                            "audit log intact: {} entries, head {}",
                            r.entries, r.head_hash
                        );
                    }
                    Ok(())
                }
                Some(f) => Err(super::tampered(format!(
                    "audit log tampered at entry {}: {}",
                    f.seq, f.problem
                ))),
            }
        }
    }
}
