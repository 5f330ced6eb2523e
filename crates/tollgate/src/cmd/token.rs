//! `tollgate token create|list|revoke`: API tokens. The secret is printed once; the store keeps
//! only its SHA-256. Creation and revocation are audited.

use super::invalid;
use super::records::{open, print_json, DbArgs};
use tollgate_store::{Records, TokenRole};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Create a token and print it once.
    Create {
        /// exporter | regulator | auditor
        #[arg(long)]
        role: String,
        /// The exporter an exporter token acts for (required for that role).
        #[arg(long)]
        exporter: Option<String>,
    },
    /// List tokens (ids, roles, exporters; never secrets).
    List,
    /// Revoke a token by id.
    Revoke { id: String },
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let json = args.db.json;
    match args.cmd {
        Cmd::Create { role, exporter } => {
            let role = TokenRole::parse(role.trim()).ok_or_else(|| {
                invalid(format!(
                    "role: '{role}' is not one of exporter, regulator, auditor"
                ))
            })?;
            // Checked before opening the database, so a bad command creates no file.
            if role == TokenRole::Exporter && exporter.is_none() {
                return Err(invalid(
                    "exporter: --exporter is required for role exporter",
                ));
            }
            let s = open(&args.db)?;
            let t = s.run(s.store.create_token(&s.ctx, role, exporter))?;
            if json {
                print_json(&serde_json::json!({"token": t.secret, "record": t.token}))?;
            } else {
                eprintln!(
                    "created {} token {}{} (the secret is shown once):",
                    t.token.role.as_str(),
                    t.token.id,
                    t.token
                        .exporter
                        .as_deref()
                        .map(|e| format!(" for exporter {e}"))
                        .unwrap_or_default()
                );
                println!("{}", t.secret);
            }
        }
        Cmd::List => {
            let s = open(&args.db)?;
            let v = s.run(s.store.tokens())?;
            if json {
                print_json(&v)?;
            } else {
                for t in v {
                    println!(
                        "{}\t{}\t{}\t{}",
                        t.id,
                        t.role.as_str(),
                        t.exporter.as_deref().unwrap_or("-"),
                        t.revoked_at
                            .map(|r| format!("revoked {r}"))
                            .unwrap_or_else(|| "active".into())
                    );
                }
            }
        }
        Cmd::Revoke { id } => {
            let s = open(&args.db)?;
            let t = s.run(s.store.revoke_token(&s.ctx, &id))?;
            if json {
                print_json(&t)?;
            } else {
                println!("revoked token {}", t.id);
            }
        }
    }
    Ok(())
}
