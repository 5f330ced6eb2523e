//! `tollgate lists`: the loaded lists and their versions; `tollgate lists import` puts a newer
//! list file into a local lists directory atomically (temp file, full strict parse, rename), so
//! a malformed or truncated download never replaces the version in use.

use super::invalid;
use std::path::{Path, PathBuf};
use tollgate_screen::Format;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Option<Sub>,
    /// The local lists directory (default: the bundled lists; `import` requires it).
    #[arg(long, env = "TOLLGATE_LISTS", global = true)]
    lists: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
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
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.cmd {
        None => show(args.lists.as_deref(), args.json),
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
    }
}

fn show(dir: Option<&Path>, json: bool) -> anyhow::Result<()> {
    let s = super::screen::screener(dir)?;
    if json {
        println!("{}", serde_json::to_string_pretty(s.versions())?);
        return Ok(());
    }
    print!("{}", table(&s, dir));
    Ok(())
}

fn day(p: Option<&str>) -> &str {
    p.map(|p| p.get(..10).unwrap_or(p)).unwrap_or("-")
}

/// The files, then every list with its as-of date and rows (a CSL file's lists one by one, those
/// a newer file replaced marked), then where each as-of date comes from.
fn table(s: &tollgate_screen::Screener, dir: Option<&Path>) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let (entities, names) = s.len();
    let _ = writeln!(
        out,
        "{} list files, {entities} entities, {names} indexed names ({})",
        s.versions().len(),
        dir.map(|d| d.display().to_string())
            .unwrap_or_else(|| "bundled".into())
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
