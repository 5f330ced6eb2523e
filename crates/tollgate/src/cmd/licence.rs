//! `tollgate licence add|show`.

use super::parse_date;
use super::records::{open, print_json, usd, DbArgs};
use tollgate_store::{NewLicence, Records};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Add a licence.
    Add {
        #[arg(long)]
        number: String,
        #[arg(long)]
        exporter: String,
        #[arg(long)]
        customer: String,
        #[arg(long)]
        chip: String,
        #[arg(long)]
        quantity: i64,
        #[arg(long)]
        value: String,
        #[arg(long)]
        valid_until: String,
    },
    /// Show a licence: limits, drawn, remaining.
    Show { number: String },
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let s = open(&args.db)?;
    let json = args.db.json;
    let l = match args.cmd {
        Cmd::Add {
            number,
            exporter,
            customer,
            chip,
            quantity,
            value,
            valid_until,
        } => {
            let l = NewLicence {
                number,
                exporter,
                customer_id: customer,
                chip,
                quantity_units: quantity,
                value_usd: usd(&value, "value")?,
                valid_until: parse_date(&valid_until, "valid-until")?,
            };
            s.run(s.store.add_licence(&s.ctx, l))?
        }
        Cmd::Show { number } => match s.run(s.store.licence(&number))? {
            Some(l) => l,
            None => return Err(super::invalid(format!("number: no licence '{number}'"))),
        },
    };
    if json {
        let mut v = serde_json::to_value(&l)?;
        if let serde_json::Value::Object(m) = &mut v {
            m.insert("remaining_units".into(), l.remaining_units().into());
            m.insert(
                "remaining_value_usd".into(),
                serde_json::Value::String(l.remaining_value_usd().to_string()),
            );
        }
        print_json(&v)?;
    } else {
        println!(
            "licence {}  exporter {}  customer {}  chip {}  {}  valid until {}",
            l.number, l.exporter, l.customer_id, l.chip, l.status, l.valid_until
        );
        println!(
            "  units: limit {}  drawn {}  remaining {}",
            l.quantity_units,
            l.drawn_units,
            l.remaining_units()
        );
        println!(
            "  value: limit {}  drawn {}  remaining {}",
            l.value_usd,
            l.drawn_value_usd,
            l.remaining_value_usd()
        );
    }
    Ok(())
}
