//! `tollgate cap`: the China+Macau volume-cap position of an exporter and chip.

use super::records::{open, print_json, DbArgs};
use tollgate_store::Records;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    exporter: String,
    #[arg(long)]
    chip: String,
    /// The date whose regulation pack gives the ratio (default: today, America/New_York).
    #[arg(long)]
    as_of: Option<String>,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let as_of = super::date_or_today(args.as_of.as_deref(), "as-of")?;
    let s = open(&args.db)?;
    let c = s.run(s.store.cap(&args.exporter, &args.chip, as_of))?;
    if args.db.json {
        print_json(&c)?;
    } else {
        println!(
            "{} / {} (pack {}, ratio {})",
            c.exporter, c.chip, c.pack_id, c.ratio
        );
        println!("  US end-use units:     {}", c.us_units);
        println!("  China+Macau units:    {}", c.china_macau_units);
        println!("  allowed China+Macau:  {}", c.allowed_units);
        println!("  headroom:             {}", c.headroom_units);
    }
    Ok(())
}
