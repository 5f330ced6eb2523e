//! `tollgate customer add|approve|suspend|show`.

use super::parse_date;
use super::records::{open, print_json, DbArgs};
use tollgate_store::{NewCustomer, Records};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Add a customer (unvetted); prints its id.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        country: String,
        #[arg(long)]
        headquarters: Option<String>,
        #[arg(long)]
        id: Option<String>,
        /// The exporter that registers this customer: its API tokens see it (without this,
        /// only regulator and auditor tokens do).
        #[arg(long)]
        exporter: Option<String>,
    },
    /// Approve a customer: KYC and remote-access safeguards attested until a date.
    Approve {
        id: String,
        #[arg(long)]
        kyc_until: String,
    },
    /// Suspend a customer.
    Suspend {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Show a customer and its vetting history.
    Show { id: String },
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let s = open(&args.db)?;
    let json = args.db.json;
    match args.cmd {
        Cmd::Add {
            name,
            country,
            headquarters,
            id,
            exporter,
        } => {
            let c = NewCustomer {
                id,
                name,
                country,
                headquarters,
            };
            let c = match exporter {
                Some(e) => s.run(s.store.add_customer_for(&s.ctx, c, &e))?,
                None => s.run(s.store.add_customer(&s.ctx, c))?,
            };
            if json {
                print_json(&c)?;
            } else {
                println!("{}", c.id);
            }
        }
        Cmd::Approve { id, kyc_until } => {
            let d = parse_date(&kyc_until, "kyc-until")?;
            let c = s.run(s.store.approve_customer(&s.ctx, &id, d))?;
            if json {
                print_json(&c)?;
            } else {
                println!(
                    "customer {} approved (KYC / remote-access attestation until {d})",
                    c.id
                );
            }
        }
        Cmd::Suspend { id, reason } => {
            let c = s.run(s.store.suspend_customer(&s.ctx, &id, &reason))?;
            if json {
                print_json(&c)?;
            } else {
                println!("customer {} suspended: {reason}", c.id);
            }
        }
        Cmd::Show { id } => {
            let Some((c, history)) = s.run(s.store.customer(&id))? else {
                return Err(super::invalid(format!("id: no customer '{id}'")));
            };
            if json {
                print_json(&serde_json::json!({"customer": c, "history": history}))?;
            } else {
                println!(
                    "{}  {}  country {}  headquarters {}  {}{}",
                    c.id,
                    c.name,
                    c.country,
                    c.headquarters,
                    c.status.as_str(),
                    c.kyc_until
                        .map(|d| format!(" (KYC until {d})"))
                        .unwrap_or_default()
                );
                for e in history {
                    println!(
                        "  {}  {}{}{}",
                        e.at,
                        e.status.as_str(),
                        e.kyc_until
                            .map(|d| format!(" until {d}"))
                            .unwrap_or_default(),
                        e.reason.map(|r| format!(": {r}")).unwrap_or_default()
                    );
                }
            }
        }
    }
    Ok(())
}
