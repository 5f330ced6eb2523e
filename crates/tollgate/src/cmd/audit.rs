//! `tollgate audit`: verify the audit log against every record (exit 4 when tampered), sign
//! checkpoints of its head, and make the key pair that signs them.

use super::records::{open, print_json, store_error, DbArgs};
use std::path::PathBuf;
use tollgate_store::checkpoint;
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
    /// Recompute the hash chain and replay the log against every stored record; exit 0 intact,
    /// 4 tampered (names the first bad entry, or the table, row and column that differs).
    Verify {
        /// The public key (PEM) that signs the checkpoints: each stored checkpoint must be
        /// signed by it and match the replayed chain, and there must be at least one.
        #[arg(long, env = "TOLLGATE_AUDIT_PUBLIC_KEY")]
        key: Option<PathBuf>,
    },
    /// Sign the current head of the log (its count and hash) with the private key and store
    /// the checkpoint as the next entry.
    Checkpoint {
        /// The private key file (PKCS#8 PEM, from `audit keygen`); keep it off the database
        /// host.
        #[arg(long, env = "TOLLGATE_AUDIT_KEY")]
        key: PathBuf,
    },
    /// Write a new ed25519 key pair: the private key to FILE (mode 0600, never overwritten),
    /// the public key to FILE.pub.
    Keygen {
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let json = args.db.json;
    match args.cmd {
        Cmd::Keygen { out } => {
            let public = checkpoint::write_key_pair(&out)
                .map_err(|e| super::invalid(format!("out: {e}")))?;
            let pub_path = checkpoint::public_path(&out);
            if json {
                print_json(&serde_json::json!({
                    "private_key": out.display().to_string(),
                    "public_key": pub_path.display().to_string(),
                    "public_key_hex": checkpoint::key_hex(&public),
                }))?;
            } else {
                println!(
                    "private key: {} (keep it off the database host)",
                    out.display()
                );
                println!(
                    "public key:  {} ({}; give it to the auditor)",
                    pub_path.display(),
                    checkpoint::key_hex(&public)
                );
            }
            Ok(())
        }
        Cmd::Checkpoint { key } => {
            let key = checkpoint::read_signing_key(&key)
                .map_err(|e| super::invalid(format!("key: {e}")))?;
            let s = open(&args.db)?;
            let cp = s.run(s.store.checkpoint_audit(&s.ctx, &key))?;
            if json {
                print_json(&cp)?;
            } else {
                println!(
                    "checkpoint: entry {} with hash {} signed by key {} (stored as entry {})",
                    cp.seq,
                    cp.hash,
                    cp.public_key,
                    cp.seq + 1
                );
                println!("  signature {}", cp.signature);
            }
            Ok(())
        }
        Cmd::Verify { key } => {
            let key = key
                .map(|k| {
                    checkpoint::read_verifying_key(&k)
                        .map_err(|e| super::invalid(format!("key: {e}")))
                })
                .transpose()?;
            let s = open(&args.db)?;
            let r =
                s.rt.block_on(s.store.verify_audit_with_key(key.as_ref()))
                    .map_err(store_error);
            s.rt.block_on(s.store.close());
            let r = r?;
            if json {
                print_json(&r)?;
            }
            match &r.first_bad {
                None => {
                    if !json {
                        println!(
                            "audit log intact: {} entries, head {}",
                            r.entries, r.head_hash
                        );
                        println!(
                            "  every record replayed from the log: customers, licences, shipments, cap ledger, duty, tokens, test reports"
                        );
                        match r.last_checkpoint_seq {
                            Some(seq) => println!(
                                "  {} signed checkpoint(s){}, the latest at entry {seq}; {} entries after it",
                                r.checkpoints,
                                if r.key_checked { " verified with the key given" } else { " (no key given: checked only against the key stored with each)" },
                                r.entries - seq
                            ),
                            None => println!("  no signed checkpoint yet (tollgate audit checkpoint --key FILE)"),
                        }
                    }
                    Ok(())
                }
                Some(f) if f.table.is_some() => Err(super::tampered(format!(
                    "records tampered: {f} (the audit log holds {} entries)",
                    r.entries
                ))),
                Some(f) => Err(super::tampered(format!(
                    "audit log tampered at entry {}: {}",
                    f.seq, f.problem
                ))),
            }
        }
    }
}
