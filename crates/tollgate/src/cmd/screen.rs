//! `tollgate screen`: INTERFACES.md section 2. One name (table or `--json`), or a CSV batch
//! screened on all cores with the input columns passed through and the best hit appended.

use super::invalid;
use anyhow::Context;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use tollgate_screen::{LoadOptions, Query, Screener};

#[derive(clap::Args)]
pub struct Args {
    /// Party name to screen.
    #[arg(required_unless_present = "batch", conflicts_with = "batch")]
    name: Option<String>,
    /// Country of the party (ISO 3166-1 alpha-2): evidence for or against a name match.
    #[arg(long)]
    country: Option<String>,
    /// Address of the party: weak evidence for a name match.
    #[arg(long)]
    address: Option<String>,
    /// Print one JSON object (query, threshold, list versions, hits).
    #[arg(long)]
    json: bool,
    /// Screen every row of a CSV file with a `name` column; results CSV to stdout.
    #[arg(long)]
    batch: Option<PathBuf>,
    /// Screen against the list files in DIR instead of the bundled lists.
    #[arg(long, env = "TOLLGATE_LISTS")]
    lists: Option<PathBuf>,
    #[command(flatten)]
    current: CurrentLists,
    /// Score threshold in [0, 1] (default 0.80, the engine's DEFAULT_THRESHOLD).
    #[arg(long)]
    threshold: Option<f64>,
}

/// Rows screened per parallel chunk: bounds memory on huge files while keeping all cores busy.
const BATCH_CHUNK_ROWS: usize = 8192;

/// Where the current lists are and how old they may be (`screen`, `check`, `serve`, `lists`).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct CurrentLists {
    /// The list directory `tollgate lists update` keeps current lists in: each source updated
    /// there replaces the bundled files of that source (default: ./lists).
    #[arg(long, value_name = "DIR", env = "TOLLGATE_LISTS_DIR")]
    pub lists_dir: Option<PathBuf>,
    /// Lists older than this many days are stale: results and decisions say so (default 7).
    #[arg(long, value_name = "DAYS", env = "TOLLGATE_MAX_LIST_AGE_DAYS")]
    pub max_list_age: Option<u32>,
}

impl CurrentLists {
    /// The list directory: `--lists-dir`, else `TOLLGATE_LISTS_DIR`, else `./lists`.
    pub fn dir(&self) -> PathBuf {
        tollgate_screen::updater::list_dir(self.lists_dir.as_deref())
    }

    pub fn max_age(&self) -> u32 {
        self.max_list_age
            .unwrap_or(tollgate_screen::freshness::DEFAULT_MAX_AGE_DAYS)
    }
}

/// The screener for `--lists DIR` (exactly its files), else the bundled lists with the sources
/// of the list directory in their place; load warnings on stderr.
pub fn screener(lists: Option<&Path>, current: &CurrentLists) -> anyhow::Result<Screener> {
    let opts = LoadOptions { progress: true };
    let s = match lists {
        Some(dir) => {
            Screener::exact(dir, current.max_age(), opts).map_err(|e| invalid(e.to_string()))?
        }
        None => Screener::current(&current.dir(), current.max_age(), opts)
            .context("loading the lists")?,
    };
    let issues = s.issues();
    for i in issues.iter().take(20) {
        eprintln!("warning: skipped malformed row: {i}");
    }
    if issues.len() > 20 {
        eprintln!("warning: {} more malformed rows skipped", issues.len() - 20);
    }
    Ok(s)
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let threshold = match args.threshold {
        Some(t) if !(0.0..=1.0).contains(&t) => {
            return Err(invalid(format!("--threshold: {t} is outside [0, 1]")))
        }
        Some(t) => t,
        None => tollgate_screen::DEFAULT_THRESHOLD,
    };
    if let Some(c) = &args.country {
        if tollgate_screen::country::iso2(c).is_none() {
            return Err(invalid(format!(
                "--country: '{c}' is not an ISO 3166-1 alpha-2 code"
            )));
        }
    }
    let s = screener(args.lists.as_deref(), &args.current)?.with_threshold(threshold);
    match (&args.name, &args.batch) {
        (_, Some(path)) => batch(&s, path),
        (Some(name), None) => single(&s, &args, name),
        (None, None) => Err(invalid("give a NAME or --batch FILE")),
    }
}

fn single(s: &Screener, args: &Args, name: &str) -> anyhow::Result<()> {
    if name.trim().is_empty() {
        return Err(invalid("NAME is empty"));
    }
    if name.len() > tollgate_screen::MAX_QUERY_BYTES {
        return Err(invalid(format!(
            "NAME is {} bytes long; at most {} are screened",
            name.len(),
            tollgate_screen::MAX_QUERY_BYTES
        )));
    }
    let q = Query {
        name,
        country: args.country.as_deref(),
        address: args.address.as_deref(),
    };
    let hits = s.screen(&q);
    if args.json {
        let v = serde_json::json!({
            "query": {"name": name, "country": args.country, "address": args.address},
            "threshold": s.threshold(),
            "lists": s.versions(),
            "hits": hits,
            "warnings": s.warnings(),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    let mut out = String::new();
    out.push_str(&format!(
        "Screening \"{name}\" against {} list files (threshold {:.2})\n",
        s.versions().len(),
        s.threshold()
    ));
    for w in s.warnings() {
        out.push_str(&format!("Warning ({}): {}\n", w.code, w.message));
    }
    if hits.is_empty() {
        out.push_str("No hits.\n");
    }
    for h in &hits {
        out.push_str(&format!(
            "\n{:.3}  {}  {}  {}\n",
            h.score, h.list, h.entity_id, h.entity_name
        ));
        if h.matched_name != h.entity_name {
            out.push_str(&format!(
                "       matched {}: {}\n",
                h.name_kind, h.matched_name
            ));
        }
        out.push_str(&format!("       why: {}\n", h.explanation));
        out.push_str(&format!(
            "       list: {} (sha256 {}{})\n",
            h.list_file,
            &h.list_sha256[..12.min(h.list_sha256.len())],
            h.list_published
                .as_deref()
                .map(|p| format!(", published {p}"))
                .unwrap_or_default()
        ));
    }
    print!("{out}");
    Ok(())
}

struct Row {
    line: u64,
    fields: Vec<String>,
    /// Why the row cannot be screened (reported, empty match fields).
    bad: Option<String>,
}

fn batch(s: &Screener, path: &Path) -> anyhow::Result<()> {
    use rayon::prelude::*;
    // The CSV format is fixed: a stale-lists warning goes to stderr.
    for w in s.warnings() {
        eprintln!("warning ({}): {}", w.code, w.message);
    }
    let file = std::fs::File::open(path)
        .map_err(|e| invalid(format!("--batch: {}: {e}", path.display())))?;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(file);
    let headers: Vec<String> = rdr
        .byte_headers()
        .map_err(|e| invalid(format!("--batch: {}: {e}", path.display())))?
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    let col = |n: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(n));
    let Some(c_name) = col("name") else {
        return Err(invalid(format!(
            "--batch: {}: the header has no 'name' column",
            path.display()
        )));
    };
    let (c_country, c_address) = (col("country"), col("address"));
    let width = headers.len();

    let progress = batch_progress(path);
    let stdout = std::io::stdout();
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(stdout.lock()));
    let mut head = headers.clone();
    head.extend(["match_id", "match_name", "match_list", "score"].map(String::from));
    w.write_record(&head)?;

    let mut rec = csv::ByteRecord::new();
    let mut chunk: Vec<Row> = Vec::with_capacity(BATCH_CHUNK_ROWS);
    let mut done = false;
    while !done {
        chunk.clear();
        while chunk.len() < BATCH_CHUNK_ROWS {
            let line = rdr.position().line();
            match rdr.read_byte_record(&mut rec) {
                Ok(false) => {
                    done = true;
                    break;
                }
                Ok(true) => {
                    let line = rec.position().map(|p| p.line()).unwrap_or(line);
                    let mut fields: Vec<String> = rec
                        .iter()
                        .map(|f| String::from_utf8_lossy(f).into_owned())
                        .collect();
                    let bad = if fields.len() != width {
                        Some(format!("expected {width} fields, found {}", fields.len()))
                    } else if std::str::from_utf8(rec.as_slice()).is_err() {
                        Some("not valid UTF-8".to_string())
                    } else if fields[c_name].trim().is_empty() {
                        Some("empty name".to_string())
                    } else if fields[c_name].len() > tollgate_screen::MAX_QUERY_BYTES {
                        Some(format!(
                            "name longer than {} bytes",
                            tollgate_screen::MAX_QUERY_BYTES
                        ))
                    } else {
                        None
                    };
                    fields.resize(width, String::new());
                    chunk.push(Row { line, fields, bad });
                }
                Err(e) => chunk.push(Row {
                    line,
                    fields: vec![String::new(); width],
                    bad: Some(e.to_string()),
                }),
            }
        }
        let results: Vec<Option<tollgate_screen::Hit>> = chunk
            .par_iter()
            .map(|r| {
                if r.bad.is_some() {
                    return None;
                }
                let opt =
                    |c: Option<usize>| c.map(|i| r.fields[i].trim()).filter(|v| !v.is_empty());
                let q = Query {
                    name: &r.fields[c_name],
                    country: opt(c_country),
                    address: opt(c_address),
                };
                s.screen(&q).into_iter().next()
            })
            .collect();
        for (r, hit) in chunk.iter().zip(results) {
            if let Some(why) = &r.bad {
                eprintln!(
                    "{}: line {}: {why}; no screening result",
                    path.display(),
                    r.line
                );
            }
            let mut out = r.fields.clone();
            match hit {
                Some(h) => out.extend([
                    h.entity_id,
                    h.matched_name,
                    h.list,
                    format!("{:.3}", h.score),
                ]),
                None => out.extend(std::iter::repeat_n(String::new(), 4)),
            }
            w.write_record(&out)?;
        }
        if let Some(p) = &progress {
            p.inc(chunk.len() as u64);
        }
    }
    w.flush()?;
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    Ok(())
}

/// A rows bar with rate and ETA, on a terminal only (never in CI logs or when piped).
fn batch_progress(path: &Path) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    // Line count as the row estimate: one fast pass over the bytes.
    let mut f = std::fs::File::open(path).ok()?;
    let mut buf = vec![0u8; 1 << 16];
    let mut lines = 0u64;
    loop {
        let n = std::io::Read::read(&mut f, &mut buf).ok()?;
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
    }
    let pb = indicatif::ProgressBar::new(lines.saturating_sub(1));
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "screening [{bar:30}] {pos}/{len} rows {per_sec} eta {eta}",
    ) {
        pb.set_style(style);
    }
    let _ = std::io::stderr().flush();
    Some(pb)
}
