//! `tollgate ship domestic|export`.

use super::parse_date;
use super::records::{open, print_json, store_error, usd, DbArgs};
use tollgate_store::{NewDomestic, NewExport, Records, TestReport};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Record US end-use units (the cap's base).
    Domestic {
        #[arg(long)]
        exporter: String,
        #[arg(long)]
        chip: String,
        #[arg(long)]
        quantity: i64,
        #[arg(long)]
        date: String,
    },
    /// Record an export shipment on a licence.
    Export {
        #[arg(long)]
        licence: String,
        #[arg(long)]
        quantity: i64,
        #[arg(long)]
        value: String,
        #[arg(long)]
        date: String,
        /// The third-party test report (JSON file).
        #[arg(long)]
        test_report: Option<std::path::PathBuf>,
        /// Customs value for the Section 232 duty (default: the value).
        #[arg(long)]
        customs_value: Option<String>,
        /// Why the customs value is 0 or below 10 % of the value: required then for a chip in
        /// a duty band, and shown on the duty statement.
        #[arg(long)]
        low_value_reason: Option<String>,
    },
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let json = args.db.json;
    match args.cmd {
        Cmd::Domestic {
            exporter,
            chip,
            quantity,
            date,
        } => {
            let d = NewDomestic {
                exporter,
                chip,
                quantity_units: quantity,
                date: parse_date(&date, "date")?,
            };
            let s = open(&args.db)?;
            let r = s.run(s.store.ship_domestic(&s.ctx, d))?;
            if json {
                print_json(&r)?;
            } else {
                println!(
                    "domestic shipment {}: {} units of {} by {} on {}",
                    r.id, r.quantity_units, r.chip, r.exporter, r.date
                );
            }
        }
        Cmd::Export {
            licence,
            quantity,
            value,
            date,
            test_report,
            customs_value,
            low_value_reason,
        } => {
            let value = usd(&value, "value")?;
            let customs = customs_value
                .as_deref()
                .map(|c| usd(c, "customs-value"))
                .transpose()?;
            let date = parse_date(&date, "date")?;
            // A report that is not there is the rule "test report missing" (exit 3).
            let report = match &test_report {
                Some(p) if p.exists() => {
                    let text = std::fs::read_to_string(p).map_err(|e| {
                        super::invalid(format!("test-report: cannot read {}: {e}", p.display()))
                    })?;
                    Some(TestReport::from_json(&text).map_err(store_error)?)
                }
                _ => None,
            };
            let item = NewExport {
                licence,
                quantity_units: quantity,
                value_usd: value,
                date,
                test_report: report,
                customs_value_usd: customs,
                low_value_reason,
            };
            let s = open(&args.db)?;
            let r = s.run(s.store.ship_exports(&s.ctx, vec![item]))?;
            for e in r {
                if json {
                    print_json(&e)?;
                } else {
                    println!(
                        "export shipment {}: {} units of {} to {} ({}) on licence {}, value {}",
                        e.id,
                        e.quantity_units,
                        e.chip,
                        e.customer_id,
                        e.destination,
                        e.licence,
                        e.value_usd
                    );
                    println!("  duty accrued {} ({})", e.duty.amount_usd, e.duty.reason);
                    if let Some(why) = &e.duty.low_value_reason {
                        println!(
                            "  customs value {} declared low: {why}",
                            e.customs_value_usd
                        );
                    }
                }
            }
        }
    }
    Ok(())
}
