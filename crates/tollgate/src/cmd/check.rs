//! `tollgate check`: decides an export order (or a JSON-lines batch) under the regulation in
//! force, screening every party against the lists first (INTERFACES.md section 3).

use super::{invalid, parse_date, regulation};
use anyhow::Context;
use rayon::prelude::*;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use tollgate_core::decide::{Decision, Verdict};
use tollgate_core::{NaiveDate, Order, OrderError, Regulation, Screening};
use tollgate_screen::Screener;

#[derive(clap::Args)]
pub struct Args {
    /// The order file (JSON).
    #[arg(required_unless_present = "batch", conflicts_with = "batch")]
    order: Option<PathBuf>,
    /// Decide every order of a JSON-lines file; one decision per line on stdout, in input order.
    #[arg(long, value_name = "ORDERS.JSONL")]
    batch: Option<PathBuf>,
    /// Decide under the regulation in force on this date (default: the order's date).
    #[arg(long)]
    as_of: Option<String>,
    /// JSON output.
    #[arg(long)]
    json: bool,
    /// Print the reasons as a readable trace.
    #[arg(long)]
    explain: bool,
    /// Decide under two dates and show what changed, e.g. 2024-06-01,2026-02-01.
    #[arg(long, value_name = "DATE1,DATE2", conflicts_with = "batch")]
    compare: Option<String>,
    /// Screen against the list files in DIR instead of the bundled lists.
    #[arg(long, value_name = "DIR")]
    lists: Option<PathBuf>,
    /// The list directory and maximum list age: a decision on stale lists says so.
    #[command(flatten)]
    current: super::screen::CurrentLists,
    /// Do not screen the parties (the decision then rests on the items and countries only).
    #[arg(long)]
    no_screen: bool,
    /// Record the decision (with pack and list versions) in the database for later replay.
    #[arg(long)]
    record: bool,
    /// Records database (sqlite://FILE or postgres://...): when given, the 50 % cap counts come
    /// from the exporter's ledger instead of the order's certification; --record writes to it
    /// (default sqlite://tollgate.db).
    #[arg(long, env = "TOLLGATE_DB")]
    db: Option<String>,
}

/// The cap ledger: (exporter, chip) -> (US end-use units, China+Macau units).
type Ledger = std::collections::HashMap<(String, String), (u64, u64)>;

/// Reads every cap ledger row of the records database once.
fn load_ledger(db: &str) -> anyhow::Result<Ledger> {
    use tollgate_store::Records;
    let session = super::records::open(&super::records::DbArgs {
        db: db.to_string(),
        idempotency_key: None,
        json: false,
    })?;
    let today = super::date_or_today(None, "as-of")?;
    let rows = session.run(session.store.cap_positions(None, today))?;
    Ok(rows
        .into_iter()
        .map(|p| {
            (
                (p.exporter, p.chip),
                (
                    u64::try_from(p.us_units).unwrap_or(0),
                    u64::try_from(p.china_macau_units).unwrap_or(0),
                ),
            )
        })
        .collect())
}

/// Gives the order the exporter's ledger counts for each of its catalog chips.
fn attach_ledger(order: &mut Order, ledger: &Ledger) {
    order.use_ledger(|exporter, chip| {
        ledger
            .get(&(exporter.to_string(), chip.to_string()))
            .copied()
    });
}

fn order_error(e: OrderError) -> anyhow::Error {
    invalid(e.to_string())
}

fn load_screener(args: &Args) -> anyhow::Result<Option<Screener>> {
    if args.no_screen {
        return Ok(None);
    }
    // The screener carries the lists' ages: each decision gets the `stale_lists` warning while
    // a list is older than the maximum age.
    let opts = Default::default();
    let max_age = args.current.max_age();
    let s = match &args.lists {
        Some(dir) => Screener::exact(dir, max_age, opts)
            .with_context(|| format!("loading the lists in {}", dir.display()))?,
        None => {
            Screener::current(&args.current.dir(), max_age, opts).context("loading the lists")?
        }
    };
    Ok(Some(s))
}

/// Screens every party of the order (no screener: not screened).
pub fn screen_order(screener: Option<&Screener>, order: &Order) -> Screening {
    match screener {
        Some(s) => tollgate_screen::order::screen_order(s, order),
        None => Screening::default(),
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let reg = regulation()?;
    let as_of = args
        .as_of
        .as_deref()
        .map(|s| parse_date(s, "as-of"))
        .transpose()?;
    if let Some(path) = &args.batch {
        return batch(&reg, &args, path, as_of);
    }
    let path = args
        .order
        .as_ref()
        .ok_or_else(|| invalid("order: give an order file or --batch"))?;
    let text = super::read_input(path, "order")?;
    let mut order = Order::from_json(&text, &reg.catalog, &reg.countries).map_err(order_error)?;
    if let Some(db) = &args.db {
        attach_ledger(&mut order, &load_ledger(db)?);
    }
    let screener = load_screener(&args)?;
    let screening = screen_order(screener.as_ref(), &order);

    if let Some(spec) = &args.compare {
        let (a, b) = spec
            .split_once(',')
            .ok_or_else(|| invalid(format!("compare: '{spec}' must be two dates, DATE1,DATE2")))?;
        let (a, b) = (parse_date(a, "compare")?, parse_date(b, "compare")?);
        let c = reg.compare(&order, a, b, &screening).map_err(order_error)?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&c.to_json())?);
        } else {
            print_comparison(&c);
        }
        return Ok(());
    }

    let d = reg.decide(&order, as_of, &screening).map_err(order_error)?;
    super::note_future_date(&reg, d.as_of);
    if args.record {
        record(
            args.db.as_deref().unwrap_or("sqlite://tollgate.db"),
            &d,
            &screening,
        )?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&d.to_json())?);
    } else {
        print_decision(&d, args.explain);
    }
    Ok(())
}

fn record(db: &str, d: &Decision, s: &Screening) -> anyhow::Result<()> {
    use tollgate_store::{NewDecision, Records};
    let session = super::records::open(&super::records::DbArgs {
        db: db.to_string(),
        idempotency_key: None,
        json: false,
    })?;
    let stored = session.run(session.store.record_decision(
        &session.ctx,
        NewDecision {
            order_id: d.order.id.clone(),
            as_of: d.as_of,
            pack_id: d.pack.id.clone(),
            list_versions: serde_json::json!(s.list_versions),
            decision: d.to_json(),
        },
    ))?;
    eprintln!("recorded as decision {}", stored.id);
    Ok(())
}

fn verdict_line(d: &Decision) -> String {
    match d.review_policy {
        Some(p) => format!("{} ({})", d.verdict.as_str(), p.as_str()),
        None => match d.exception() {
            Some(e) => format!("{} ({})", d.verdict.as_str(), e.name),
            None => d.verdict.as_str().to_string(),
        },
    }
}

fn print_decision(d: &Decision, explain: bool) {
    println!(
        "Order {} under regulation {} (as of {})",
        d.order.id, d.pack.id, d.as_of
    );
    println!("Verdict: {}", verdict_line(d));
    for it in &d.items {
        let c = &it.classification;
        println!(
            "  {:<24} x{:<8} {:<10} TPP {:<7} AI commodity {:<5} {}",
            c.chip,
            it.quantity,
            c.eccn,
            c.tpp_int().map(|t| t.to_string()).unwrap_or("-".into()),
            c.ai_commodity_2026,
            match it.verdict {
                Verdict::LicenseRequired => format!(
                    "licence required ({})",
                    it.review_policy.map(|p| p.as_str()).unwrap_or("-")
                ),
                v => v.as_str().to_string(),
            }
        );
    }
    if !d.obligations.is_empty() {
        println!("Obligations:");
        for &o in &d.obligations {
            let o = &d.pack.obligations[o];
            println!("  - {} ({})", o.id, o.citation);
        }
    }
    if d.screening.screened {
        let hits = &d.screening.hits;
        if hits.is_empty() {
            println!("Screening: no party matches a list");
        } else {
            println!("Screening:");
            for h in hits {
                println!(
                    "  {} matches {} on {} (id {}, score {:.3})",
                    h.role.label(),
                    h.match_name,
                    h.list,
                    h.match_id,
                    h.score
                );
            }
        }
    }
    let reasons = d.reasons();
    if explain {
        println!("Reasons:");
        for (i, r) in reasons.iter().enumerate() {
            println!("{:>3}. [{}] {}", i + 1, r.rule, r.message);
            println!("       {}", r.citation);
        }
    } else {
        println!("({} reasons; --explain prints them)", reasons.len());
    }
}

fn print_comparison(c: &tollgate_core::Comparison) {
    let (a, b) = (&c.before, &c.after);
    let w = 44;
    println!("Order {}", a.order.id);
    let (asof, regulation) = (
        format!("as of {}", a.as_of),
        format!("regulation {}", a.pack.id),
    );
    println!("{asof:<w$} as of {}", b.as_of);
    println!("{regulation:<w$} regulation {}", b.pack.id);
    println!("{:<w$} {}", verdict_line(a), verdict_line(b));
    let obl = |d: &Decision| {
        d.obligations
            .iter()
            .map(|&o| d.pack.obligations[o].id.clone())
            .collect::<Vec<_>>()
    };
    let (oa, ob) = (obl(a), obl(b));
    for i in 0..oa.len().max(ob.len()) {
        println!(
            "{:<w$} {}",
            oa.get(i).map(|s| format!("+ {s}")).unwrap_or_default(),
            ob.get(i).map(|s| format!("+ {s}")).unwrap_or_default()
        );
    }
    if a.verdict == b.verdict && a.review_policy == b.review_policy {
        println!("\nSame verdict on both dates.");
    } else {
        println!("\nThe verdict changed.");
    }
    let reasons_a = a.reasons();
    let reasons_b = b.reasons();
    if !c.only_before.is_empty() {
        println!("Rules applied only on {}:", a.as_of);
        for id in &c.only_before {
            if let Some(r) = reasons_a.iter().find(|r| &r.rule == id) {
                println!("  - [{}] {} ({})", r.rule, r.message, r.citation);
            }
        }
    }
    if !c.only_after.is_empty() {
        println!("Rules applied only on {}:", b.as_of);
        for id in &c.only_after {
            if let Some(r) = reasons_b.iter().find(|r| &r.rule == id) {
                println!("  - [{}] {} ({})", r.rule, r.message, r.citation);
            }
        }
    }
}

/// One line of a batch: its decision JSON, or its error.
fn decide_line(
    reg: &Regulation,
    screener: Option<&Screener>,
    ledger: Option<&Ledger>,
    line: &str,
    as_of: Option<NaiveDate>,
) -> Result<serde_json::Value, OrderError> {
    let mut order = Order::from_json(line, &reg.catalog, &reg.countries)?;
    if let Some(l) = ledger {
        attach_ledger(&mut order, l);
    }
    let s = screen_order(screener, &order);
    let d = reg.decide(&order, as_of, &s)?;
    Ok(d.to_json())
}

fn batch(
    reg: &Regulation,
    args: &Args,
    path: &PathBuf,
    as_of: Option<NaiveDate>,
) -> anyhow::Result<()> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut lines = Vec::new();
    for (i, l) in std::io::BufReader::new(file).lines().enumerate() {
        let l = l.with_context(|| format!("{}: line {}", path.display(), i + 1))?;
        lines.push((i + 1, l));
    }
    lines.retain(|(_, l)| !l.trim().is_empty());
    let screener = load_screener(args)?;
    let ledger = args.db.as_deref().map(load_ledger).transpose()?;
    let bar = if std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(lines.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} orders {per_sec} ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let started = std::time::Instant::now();
    // Parallel and in input order: rayon's indexed collect keeps positions.
    let results: Vec<Result<serde_json::Value, OrderError>> = lines
        .par_iter()
        .map(|(_, l)| {
            let r = decide_line(reg, screener.as_ref(), ledger.as_ref(), l, as_of);
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    let mut bad = 0usize;
    for ((n, _), r) in lines.iter().zip(results) {
        match r {
            Ok(v) => serde_json::to_writer(&mut out, &v)?,
            Err(e) => {
                bad += 1;
                eprintln!("{}: line {n}: {e}", path.display());
                serde_json::to_writer(
                    &mut out,
                    &serde_json::json!({"line": n, "error": {"field": e.field, "problem": e.problem}}),
                )?;
            }
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    let secs = started.elapsed().as_secs_f64();
    if std::env::var_os("TOLLGATE_BATCH_STATS").is_some() || std::io::stderr().is_terminal() {
        eprintln!(
            "{} orders in {:.3} s ({:.0} orders/s), {} invalid",
            lines.len(),
            secs,
            lines.len() as f64 / secs.max(1e-9),
            bad
        );
    }
    if bad > 0 {
        return Err(invalid(format!(
            "{bad} of {} orders are invalid (reported per line above)",
            lines.len()
        )));
    }
    Ok(())
}
