//! `tollgate duty pay|statement`: the Section 232 duty ledger.

use super::parse_date;
use super::records::{open, print_json, usd, DbArgs};
use tollgate_store::{NewPayment, Quarter, Records};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Record a duty payment.
    Pay {
        #[arg(long)]
        exporter: String,
        #[arg(long)]
        amount: String,
        #[arg(long)]
        reference: String,
        #[arg(long)]
        date: String,
    },
    /// Quarterly statement: accrued, paid, outstanding, by chip and destination.
    Statement {
        #[arg(long)]
        exporter: String,
        #[arg(long)]
        quarter: String,
    },
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let json = args.db.json;
    match args.cmd {
        Cmd::Pay {
            exporter,
            amount,
            reference,
            date,
        } => {
            let p = NewPayment {
                exporter,
                amount_usd: usd(&amount, "amount")?,
                reference,
                date: parse_date(&date, "date")?,
            };
            let s = open(&args.db)?;
            let r = s.run(s.store.pay_duty(&s.ctx, p))?;
            if json {
                print_json(&r)?;
            } else {
                println!(
                    "duty payment {}: {} USD by {} on {} (reference {})",
                    r.id, r.amount_usd, r.exporter, r.date, r.reference
                );
            }
        }
        Cmd::Statement { exporter, quarter } => {
            let q = Quarter::parse(&quarter).ok_or_else(|| {
                super::invalid(format!("quarter: '{quarter}' is not like 2026Q1"))
            })?;
            let s = open(&args.db)?;
            let st = s.run(s.store.duty_statement(&exporter, q))?;
            if json {
                print_json(&st)?;
            } else {
                println!(
                    "Section 232 duty statement, {} {} ({} to {}), USD",
                    st.exporter, st.quarter, st.from, st.to
                );
                println!("  opening outstanding  {}", st.opening_outstanding_usd);
                println!("  accrued              {}", st.accrued_usd);
                println!("  paid                 {}", st.paid_usd);
                println!("  outstanding          {}", st.outstanding_usd);
                for l in &st.lines {
                    println!(
                        "  {} to {}: {} shipments, {} units, customs value {}, rate {} %, accrued {}",
                        l.chip, l.destination, l.shipments, l.units, l.customs_value_usd, l.rate_pct, l.accrued_usd
                    );
                    println!("    {}", l.reason);
                }
                for p in &st.payments {
                    println!(
                        "  paid {} on {} (reference {})",
                        p.amount_usd, p.date, p.reference
                    );
                }
                for l in &st.low_value {
                    println!(
                        "  low customs value: shipment {} ({} to {}, {}), customs value {}, accrued {}: {}",
                        l.shipment_id, l.chip, l.destination, l.date, l.customs_value_usd, l.accrued_usd, l.reason
                    );
                }
            }
        }
    }
    Ok(())
}
