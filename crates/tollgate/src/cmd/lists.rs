//! `tollgate lists`: the loaded lists and their versions; `lists update` downloads current lists
//! from their publishers into the list directory (`tollgate_screen::updater`: conditional
//! requests, retries, a full parse and a row-count check before an atomic swap that keeps the
//! replaced version), `lists rollback` puts the last replaced version back, `lists status`
//! shows each list's age; `lists import` puts a newer list file into a local lists directory
//! atomically (temp file, full strict parse, rename), so a malformed or truncated download never
//! replaces the version in use.

use super::invalid;
use super::screen::CurrentLists;
use std::path::{Path, PathBuf};
use tollgate_screen::updater::{self, Outcome, RolledBack, Source, UpdateError, UpdateOptions};
use tollgate_screen::Format;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Option<Sub>,
    /// The local lists directory (default: the bundled lists; `import` requires it).
    #[arg(long, env = "TOLLGATE_LISTS", global = true)]
    lists: Option<PathBuf>,
    /// The list directory `update`, `rollback` and `status` use, and that overrides the bundled
    /// lists source by source (default: env TOLLGATE_LISTS_DIR, else ./lists).
    #[arg(long, value_name = "DIR", env = "TOLLGATE_LISTS_DIR", global = true)]
    dir: Option<PathBuf>,
    /// Lists older than this many days are stale (default 7).
    #[arg(
        long,
        value_name = "DAYS",
        env = "TOLLGATE_MAX_LIST_AGE_DAYS",
        global = true
    )]
    max_list_age: Option<u32>,
    /// Print JSON instead of a table.
    #[arg(long, global = true)]
    json: bool,
    /// `update`, `rollback`: also make the result the list version of this records database
    /// (nodes of `tollgate serve` on one PostgreSQL database follow it).
    #[arg(long, env = "TOLLGATE_DB", global = true)]
    db: Option<String>,
}

#[derive(clap::Subcommand)]
enum Sub {
    /// Import a newer list file into the lists directory (validated before it replaces anything).
    Import {
        file: PathBuf,
        /// ofac-sdn, ofac-alt, ofac-add, ofac-comments, csl-csv, csl-csv-gz, csl-json, dpl,
        /// bis-dpl-json, bis-entity-list-json, bis-meu-json, bis-mieu-csv, ofac-nscmic-json,
        /// dod-1260h-json, un-xml, ftm-json, opensanctions-csv (default: detected from the file
        /// name).
        #[arg(long)]
        format: Option<String>,
        /// Import even when the new file has under half the rows of the one in use.
        #[arg(long)]
        force: bool,
    },
    /// Download current lists from their publishers into the list directory.
    Update {
        /// csl, ofac, un, opensanctions or all (the three US/UN sources; OpenSanctions only
        /// when named, or with --source all when it was updated before).
        #[arg(long, default_value = "all")]
        source: String,
        /// Take a download with malformed rows, fewer than half the rows of the version it
        /// replaces, or one rolled back before.
        #[arg(long)]
        force: bool,
    },
    /// Put the version a source's last update replaced back in use.
    Rollback {
        #[arg(long)]
        source: String,
    },
    /// Each list in use: as-of date, fetch time, age in days, rows, SHA-256; stale or not.
    Status,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let current = CurrentLists {
        lists_dir: args.dir.clone(),
        max_list_age: args.max_list_age,
    };
    match args.cmd {
        None => show(args.lists.as_deref(), &current, args.json),
        Some(Sub::Import {
            file,
            format,
            force,
        }) => {
            let dir = args.lists.ok_or_else(|| {
                invalid("lists import: give --lists DIR (the local lists directory to import into)")
            })?;
            import(&file, format.as_deref(), &dir, force)
        }
        Some(Sub::Update { source, force }) => {
            let r = update(&current.dir(), &source, force);
            publish(args.db.as_deref(), &current.dir(), &source)?;
            r
        }
        Some(Sub::Rollback { source }) => {
            rollback(&current.dir(), &source)?;
            publish(args.db.as_deref(), &current.dir(), &source)
        }
        Some(Sub::Status) => status(args.lists.as_deref(), &current, args.json),
    }
}

/// The sources `--source` names: one, or `all` (CSL, OFAC, UN, and OpenSanctions when the
/// directory already holds it).
fn sources(arg: &str, dir: &Path) -> anyhow::Result<Vec<Source>> {
    if arg.eq_ignore_ascii_case("all") {
        let mut v = vec![Source::Csl, Source::Ofac, Source::Un];
        if updater::read_state(dir, Source::OpenSanctions).is_some() {
            v.push(Source::OpenSanctions);
        }
        return Ok(v);
    }
    Source::parse(arg).map(|s| vec![s]).ok_or_else(|| {
        invalid(format!(
            "--source: '{arg}' is not one of csl, ofac, un, opensanctions, all"
        ))
    })
}

/// With `--db`, makes the directory's versions of the sources the database's list version.
fn publish(db: Option<&str>, dir: &Path, source: &str) -> anyhow::Result<()> {
    let Some(db) = db else {
        return Ok(());
    };
    let srcs = sources(source, dir)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let lv = tollgate_store::list_versions::ListVersions::connect(db)
            .await
            .map_err(super::records::store_error)?;
        let by = format!("tollgate lists (pid {})", std::process::id());
        for s in srcs {
            tollgate_server::lists::publish(&lv, dir, s, &by)
                .await
                .map_err(|e| {
                    anyhow::anyhow!(
                        "publishing {} to {}: {e}",
                        s.name(),
                        super::serve::redact(db)
                    )
                })?;
            eprintln!(
                "{}: the version in {} is the list version of {}",
                s.name(),
                dir.display(),
                super::serve::redact(db)
            );
        }
        lv.close().await;
        Ok(())
    })
}

fn update(dir: &Path, source: &str, force: bool) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    let opts = UpdateOptions {
        force,
        progress: std::io::stderr().is_terminal(),
        ..Default::default()
    };
    let mut refused: Vec<String> = Vec::new();
    for s in sources(source, dir)? {
        let started = std::time::Instant::now();
        match updater::update(dir, s, opts) {
            Ok(Outcome::Updated(st)) => {
                for f in &st.files {
                    println!(
                        "{}: {} in use: {} rows, as of {}, sha256 {} ({})",
                        s.name(),
                        dir.join(&f.file).display(),
                        f.rows,
                        f.as_of,
                        f.sha256,
                        f.url
                    );
                }
                eprintln!(
                    "{}: updated in {:.1} s",
                    s.name(),
                    started.elapsed().as_secs_f64()
                );
            }
            Ok(Outcome::NotModified(st)) => {
                let files: Vec<String> = st
                    .files
                    .iter()
                    .map(|f| format!("{} as of {}", f.file, f.as_of))
                    .collect();
                println!(
                    "{}: not modified; {} stay in use",
                    s.name(),
                    files.join(", ")
                );
            }
            Err(UpdateError::Refused(why)) => {
                eprintln!("refused: {why}");
                refused.push(s.name().to_string());
            }
            Err(e @ UpdateError::Local(_)) => return Err(e.into()),
        }
    }
    if refused.is_empty() {
        Ok(())
    } else {
        Err(super::refused(format!(
            "lists update: {} not updated (see above); the versions in use stay",
            refused.join(", ")
        )))
    }
}

fn rollback(dir: &Path, source: &str) -> anyhow::Result<()> {
    let s = Source::parse(source).ok_or_else(|| {
        invalid(format!(
            "--source: '{source}' is not one of csl, ofac, un, opensanctions"
        ))
    })?;
    match updater::rollback(dir, s) {
        Ok(RolledBack::To(st)) => {
            for f in &st.files {
                println!(
                    "{}: rolled back to {} as of {} ({} rows, sha256 {})",
                    s.name(),
                    f.file,
                    f.as_of,
                    f.rows,
                    f.sha256
                );
            }
            Ok(())
        }
        Ok(RolledBack::ToBundled) => {
            println!("{}: rolled back to the bundled lists", s.name());
            Ok(())
        }
        Err(UpdateError::Refused(why)) => Err(super::refused(why)),
        Err(e) => Err(e.into()),
    }
}

fn status(lists: Option<&Path>, current: &CurrentLists, json: bool) -> anyhow::Result<()> {
    let c = match lists {
        Some(d) => updater::load_exact(d, Default::default()),
        None => updater::load_current(&current.dir(), Default::default()),
    }
    .map_err(|e| invalid(e.to_string()))?;
    let f = tollgate_screen::freshness::Freshness::new(c.ages, current.max_age());
    let st = f.status();
    if json {
        println!("{}", serde_json::to_string_pretty(&st)?);
        return Ok(());
    }
    println!(
        "{:<14} {:<20} {:<10} {:<20} {:>5} {:>7} {:<6} SHA-256",
        "SOURCE", "FILE", "AS OF", "FETCHED", "AGE", "ROWS", "STALE"
    );
    for l in &st.lists {
        println!(
            "{:<14} {:<20} {:<10} {:<20} {:>5} {:>7} {:<6} {}",
            l.source,
            l.file,
            l.as_of,
            l.fetched_at.as_deref().unwrap_or("bundled"),
            l.age_days,
            l.rows,
            if l.stale { "yes" } else { "no" },
            l.sha256.get(..16).unwrap_or(&l.sha256)
        );
    }
    println!(
        "\n{} (maximum age {} days; list directory {}{})",
        if st.stale { "STALE" } else { "current" },
        st.max_age_days,
        current.dir().display(),
        if st.lists.iter().any(|l| !l.updatable && l.stale) {
            "; lists that no update source refreshes (source 'bundled') do not count"
        } else {
            ""
        }
    );
    Ok(())
}

fn show(dir: Option<&Path>, current: &CurrentLists, json: bool) -> anyhow::Result<()> {
    let s = super::screen::screener(dir, current)?;
    if json {
        println!("{}", serde_json::to_string_pretty(s.versions())?);
        return Ok(());
    }
    let label = match dir {
        Some(d) => d.display().to_string(),
        None => {
            let mut from: Vec<&str> = s
                .freshness()
                .map(|f| {
                    f.lists
                        .iter()
                        .filter(|l| !l.bundled)
                        .map(|l| l.source.as_str())
                        .collect()
                })
                .unwrap_or_default();
            from.dedup();
            if from.is_empty() {
                "bundled".to_string()
            } else {
                format!(
                    "bundled, with {} from {}",
                    from.join(", "),
                    current.dir().display()
                )
            }
        }
    };
    print!("{}", table(&s, &label));
    Ok(())
}

fn day(p: Option<&str>) -> &str {
    p.map(|p| p.get(..10).unwrap_or(p)).unwrap_or("-")
}

/// The files, then every list with its as-of date and rows (a CSL file's lists one by one, those
/// a newer file replaced marked), then where each as-of date comes from.
fn table(s: &tollgate_screen::Screener, label: &str) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let (entities, names) = s.len();
    let _ = writeln!(
        out,
        "{} list files, {entities} entities, {names} indexed names ({label})",
        s.versions().len(),
    );
    let _ = writeln!(
        out,
        "{:<20} {:<20} {:<42} {:<10} {:>7} {:>7}  SHA-256",
        "FILE", "FORMAT", "SOURCE", "AS OF", "ROWS", "SKIPPED"
    );
    for v in s.versions() {
        let _ = writeln!(
            out,
            "{:<20} {:<20} {:<42} {:<10} {:>7} {:>7}  {}",
            v.file,
            v.format,
            v.source,
            day(v.published.as_deref()),
            v.rows,
            v.skipped,
            v.sha256
        );
    }
    // One line per list and file; OFAC's side files are parts of sdn.csv's SDN list.
    let side = ["ofac-alt", "ofac-add", "ofac-comments"];
    let mut rows: Vec<(&str, &str, &str, usize, String)> = Vec::new();
    for v in s.versions() {
        if side.contains(&v.format.as_str()) {
            continue;
        }
        for l in &v.lists {
            let note = match &l.superseded_by {
                Some(f) => format!("superseded by {f}: not screened"),
                None => String::new(),
            };
            rows.push((
                l.list.as_str(),
                day(v.published.as_deref()),
                v.file.as_str(),
                l.rows,
                note,
            ));
        }
    }
    rows.sort_by(|a, b| a.0.cmp(b.0).then(b.1.cmp(a.1)));
    let _ = writeln!(out, "\nLISTS");
    let _ = writeln!(
        out,
        "{:<58} {:<10} {:>7}  {:<20} NOTE",
        "LIST", "AS OF", "ROWS", "FILE"
    );
    for (list, as_of, file, n, note) in &rows {
        let _ = writeln!(out, "{list:<58} {as_of:<10} {n:>7}  {file:<20} {note}");
    }
    let mut notes: Vec<String> = Vec::new();
    for v in s.versions() {
        if v.unmatched > 0 {
            notes.push(format!(
                "{}: {} rows name ent_nums that the loaded sdn.csv lacks (newer entries): \
                 those with an alias are screened as entities of their own, named by it; \
                 address- or remark-only ones name nobody and are left out",
                v.file, v.unmatched
            ));
        }
    }
    for v in s.versions() {
        if let Some(b) = &v.published_basis {
            notes.push(format!(
                "{} as of {}: {b}",
                v.file,
                day(v.published.as_deref())
            ));
        }
    }
    if !notes.is_empty() {
        let _ = writeln!(out, "\nNOTES");
        for n in notes {
            let _ = writeln!(out, "  {n}");
        }
    }
    out
}

fn import(file: &Path, format: Option<&str>, dir: &Path, force: bool) -> anyhow::Result<()> {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let format = match format {
        Some(f) => Format::parse(f).ok_or_else(|| {
            invalid(format!(
                "--format: '{f}' is not one of {}",
                Format::ALL.map(|f| f.name()).join(", ")
            ))
        })?,
        None => Format::detect(&name).ok_or_else(|| {
            invalid(format!(
                "{}: cannot tell the list format from the file name; give --format",
                file.display()
            ))
        })?,
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| invalid(format!("--lists: {}: {e}", dir.display())))?;
    let target = dir.join(format.canonical_file());
    // The temp file sits in the target directory so the final rename is atomic; its leading dot
    // keeps list loads from ever reading it.
    let tmp = dir.join(format!(
        ".{}.import-{}",
        format.canonical_file(),
        std::process::id()
    ));
    std::fs::copy(file, &tmp).map_err(|e| invalid(format!("{}: {e}", file.display())))?;
    let in_use = || {
        tollgate_screen::load::load_path(&target, format, Default::default())
            .ok()
            .map(|f| f.version)
    };
    let checked = tollgate_screen::load::validate(&tmp, format);
    let new = match checked {
        Ok(f) => f.version,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            let kept = match in_use() {
                Some(v) => format!(
                    "{} stays in use ({} rows, sha256 {})",
                    target.display(),
                    v.rows,
                    v.sha256
                ),
                None => format!("nothing was written to {}", dir.display()),
            };
            return Err(invalid(format!(
                "{}: not imported: {}; {kept}",
                file.display(),
                e.to_string().replace(&tmp.display().to_string(), &name)
            )));
        }
    };
    if let Some(old) = in_use() {
        if new.rows * 2 < old.rows && !force {
            let _ = std::fs::remove_file(&tmp);
            return Err(invalid(format!(
                "{}: not imported: {} rows against {} in the version in use (truncated download?); \
                 {} stays in use; give --force to import anyway",
                file.display(),
                new.rows,
                old.rows,
                target.display()
            )));
        }
    }
    std::fs::rename(&tmp, &target).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        invalid(format!("{}: {e}", target.display()))
    })?;
    println!(
        "imported {} as {} ({}, {} rows, published {}, sha256 {})",
        file.display(),
        target.display(),
        format.name(),
        new.rows,
        new.published.as_deref().unwrap_or("unknown"),
        new.sha256
    );
    Ok(())
}
