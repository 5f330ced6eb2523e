//! One module per subcommand, plus the shared exit-code convention of INTERFACES.md.

pub mod audit;
pub mod cap;
pub mod check;
pub mod chips;
pub mod classify;
pub mod customer;
pub mod duty;
pub mod licence;
pub mod lists;
pub mod loadtest;
pub mod records;
pub mod regs;
pub mod screen;
pub mod serve;
pub mod ship;
pub mod token;

use std::process::ExitCode;

/// Exit codes fixed by INTERFACES.md: 0 done, 2 invalid input, 3 refused by a rule, 4 tampered audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)] // Refused and Tampered are used by the records commands.
pub enum Exit {
    Invalid = 2,
    Refused = 3,
    Tampered = 4,
}

/// An error that carries the exit code the contract requires.
#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

/// Largest input file read whole (an order, a specs file): far above any real one, and a bound
/// on what `tollgate check /dev/zero` can make the process hold.
pub const MAX_INPUT_BYTES: u64 = 16 << 20;

/// Reads an input file whole, bounded: a missing, unreadable, oversized or non-UTF-8 file is
/// invalid input (exit 2) naming `what` and the path.
pub fn read_input(path: &std::path::Path, what: &str) -> anyhow::Result<String> {
    use std::io::Read;
    let f = std::fs::File::open(path)
        .map_err(|e| invalid(format!("{what}: cannot read {}: {e}", path.display())))?;
    let mut bytes = Vec::new();
    f.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| invalid(format!("{what}: cannot read {}: {e}", path.display())))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(invalid(format!(
            "{what}: {} is larger than {} MiB",
            path.display(),
            MAX_INPUT_BYTES >> 20
        )));
    }
    String::from_utf8(bytes)
        .map_err(|e| invalid(format!("{what}: {} is not UTF-8 text: {e}", path.display())))
}

/// Invalid input (exit 2) with a message naming the field.
pub fn invalid(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(CliError {
        exit: Exit::Invalid,
        message: message.into(),
    })
}

/// Refused by a rule (exit 3).
#[allow(dead_code)]
pub fn refused(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(CliError {
        exit: Exit::Refused,
        message: message.into(),
    })
}

/// The audit log was tampered with (exit 4); the message names the first bad entry.
pub fn tampered(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(CliError {
        exit: Exit::Tampered,
        message: message.into(),
    })
}

/// Maps a command's result to the process exit status; any error without a code is exit 1.
pub fn finish(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let code = err
                .downcast_ref::<CliError>()
                .map(|e| e.exit as u8)
                .unwrap_or(1);
            eprintln!("error: {err:#}");
            ExitCode::from(code)
        }
    }
}

/// The regulation (packs, catalog, countries): bundled, or read from `TOLLGATE_DATA` when set
/// (a directory laid out like the repository's `data/`).
pub fn regulation() -> anyhow::Result<tollgate_core::Regulation> {
    use anyhow::Context;
    match std::env::var_os("TOLLGATE_DATA") {
        None => Ok(tollgate_core::Regulation::bundled()?),
        Some(dir) => {
            let dir = std::path::PathBuf::from(dir);
            let read = |rel: &str| {
                std::fs::read_to_string(dir.join(rel))
                    .with_context(|| format!("reading {}", dir.join(rel).display()))
            };
            let (chips, iso, groups, changes, aliases) = (
                read("chips.toml")?,
                read("iso3166.csv")?,
                read("country_groups.csv")?,
                read("country_group_changes.csv")?,
                read("country_aliases.csv")?,
            );
            let mut packs = Vec::new();
            // The packs, and the control files they include (`packs/controls/`, optional).
            for sub in ["packs", "packs/controls"] {
                let d = dir.join(sub);
                if sub != "packs" && !d.is_dir() {
                    continue;
                }
                for e in
                    std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))?
                {
                    let p = e?.path();
                    if p.extension().is_some_and(|x| x == "toml") {
                        packs.push((p.display().to_string(), std::fs::read_to_string(&p)?));
                    }
                }
            }
            let s = tollgate_core::Sources {
                chips: ("chips.toml", &chips),
                iso3166: ("iso3166.csv", &iso),
                country_groups: ("country_groups.csv", &groups),
                country_group_changes: ("country_group_changes.csv", &changes),
                country_aliases: ("country_aliases.csv", &aliases),
                packs: packs.iter().map(|(n, t)| (n.clone(), t.as_str())).collect(),
            };
            Ok(tollgate_core::Regulation::load(&s)?)
        }
    }
}

/// On standard error, a note when a date lies after today: the pack used is the latest this
/// version knows, and rules published later are not in it.
pub fn note_future_date(reg: &tollgate_core::Regulation, date: chrono::NaiveDate) {
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::America::New_York)
        .date_naive();
    if date <= today {
        return;
    }
    if let Ok(p) = reg.packs.in_force(date) {
        eprintln!(
            "note: {date} is after today ({today}); decided under regulation pack {} (in force from {}), the latest this version of tollgate knows: rules published after it are not applied",
            p.id, p.effective
        );
    }
}

/// Parses a `--as-of`-style date argument, or today's date in America/New_York (the Federal
/// Register's zone, in which regulation effective dates are given).
pub fn date_or_today(arg: Option<&str>, field: &str) -> anyhow::Result<chrono::NaiveDate> {
    match arg {
        Some(s) => parse_date(s, field),
        None => Ok(chrono::Utc::now()
            .with_timezone(&chrono_tz::America::New_York)
            .date_naive()),
    }
}

/// Parses a YYYY-MM-DD date; the error names the field.
pub fn parse_date(s: &str, field: &str) -> anyhow::Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|e| invalid(format!("{field}: '{s}' is not a YYYY-MM-DD date ({e})")))
}

/// Maps core classification errors to exit 2 (the input named something invalid).
pub fn classify_error(e: tollgate_core::ClassifyError) -> anyhow::Error {
    invalid(e.to_string())
}
