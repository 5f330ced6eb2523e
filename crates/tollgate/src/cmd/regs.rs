//! `tollgate regs`: the regulation packs, one pack, or what changed between two dates.

use super::{invalid, parse_date, regulation};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Option<Cmd>,
    /// JSON output.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// List the packs (the default).
    List,
    /// Show the pack in force on a date, or with this id.
    Show { date_or_id: String },
    /// What changed between the packs in force on two dates.
    Diff { from: String, to: String },
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let reg = regulation()?;
    match args.cmd.unwrap_or(Cmd::List) {
        Cmd::List => {
            for p in reg.packs.all() {
                if args.json {
                    println!(
                        "{}",
                        serde_json::json!({"id": p.id, "effective": p.effective.to_string(), "title": p.raw.pack.title, "federal_register": p.raw.pack.federal_register, "source": p.raw.pack.source, "rules": p.rule_map().len()})
                    );
                } else {
                    println!(
                        "{}  {:>3} rules  {}\n            {}",
                        p.id,
                        p.rule_map().len(),
                        p.raw.pack.title,
                        p.raw.pack.federal_register
                    );
                }
            }
        }
        Cmd::Show { date_or_id } => {
            let pack = match reg.packs.get(&date_or_id) {
                Some(p) => p,
                None => reg
                    .packs
                    .in_force(parse_date(&date_or_id, "date")?)
                    .map_err(|e| invalid(e.to_string()))?,
            };
            if args.json {
                println!("{}", serde_json::to_string_pretty(&pack.raw)?);
            } else {
                let m = &pack.raw.pack;
                println!(
                    "Pack {} (effective {})\n{}\n{}\nSource: {}\n\n{}\n",
                    pack.id, pack.effective, m.title, m.federal_register, m.source, m.summary
                );
                for (key, (_, v)) in pack.rule_map() {
                    let cite = v.get("citation").and_then(|c| c.as_str()).unwrap_or("");
                    let msg = v.get("message").and_then(|c| c.as_str()).unwrap_or("");
                    println!("- {key}\n    {msg}\n    {cite}");
                }
            }
        }
        Cmd::Diff { from, to } => {
            let diff = reg
                .packs
                .diff(parse_date(&from, "from")?, parse_date(&to, "to")?)
                .map_err(|e| invalid(e.to_string()))?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&diff)?);
                return Ok(());
            }
            println!(
                "{} (pack {}) -> {} (pack {})",
                diff.from, diff.from_pack, diff.to, diff.to_pack
            );
            for p in &diff.packs_between {
                println!("\n  {} {} ({})", p.id, p.title, p.federal_register);
                for c in &p.changes {
                    println!("    * {c}");
                }
            }
            println!("\nRule changes:");
            if diff.entries.is_empty() {
                println!("  none");
            }
            for e in &diff.entries {
                let sign = match e.change {
                    tollgate_core::pack::DiffChange::Added => "+",
                    tollgate_core::pack::DiffChange::Removed => "-",
                    tollgate_core::pack::DiffChange::Changed => "~",
                };
                let v = e.after.as_ref().or(e.before.as_ref());
                let cite = v
                    .and_then(|v| v.get("citation"))
                    .and_then(|c| c.as_str())
                    .unwrap_or("");
                println!("  {sign} {:<20} {:<36} {cite}", e.kind, e.id);
                if let (Some(b), Some(a)) = (&e.before, &e.after) {
                    for (k, av) in a.as_object().into_iter().flatten() {
                        let bv = b.get(k);
                        if bv != Some(av) {
                            println!(
                                "      {k}: {} -> {av}",
                                bv.map(|x| x.to_string()).unwrap_or_else(|| "(none)".into())
                            );
                        }
                    }
                }
            }
        }
    }
    Ok(())
}
