//! `tollgate classify`: INTERFACES.md section 1.

use super::{classify_error, date_or_today, invalid, regulation};
use tollgate_core::{Classification, SpecsInput};

#[derive(clap::Args)]
pub struct Args {
    /// Catalog id or alias (e.g. nvidia-h200-sxm, H200), matched case-insensitively.
    #[arg(required_unless_present = "specs", conflicts_with = "specs")]
    chip: Option<String>,
    /// Classify inline specs from a JSON file instead of a catalog chip.
    #[arg(long)]
    specs: Option<std::path::PathBuf>,
    /// Date whose regulation applies (YYYY-MM-DD); default today in America/New_York.
    #[arg(long = "as-of")]
    as_of: Option<String>,
    /// Classify a computer or assembly containing the chip (4A090).
    #[arg(long)]
    system: bool,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let reg = regulation()?;
    let as_of = date_or_today(args.as_of.as_deref(), "--as-of")?;
    super::note_future_date(&reg, as_of);
    let c = match (&args.chip, &args.specs) {
        (Some(chip), _) => reg
            .classify_chip(chip, as_of, args.system)
            .map_err(classify_error)?,
        (None, Some(path)) => {
            let text = super::read_input(path, "--specs")?;
            let input: SpecsInput = serde_json::from_str(&text)
                .map_err(|e| invalid(format!("{}: {e}", path.display())))?;
            let specs = input.validate("").map_err(classify_error)?;
            let name = specs.name.clone();
            reg.classify_specs(&specs, &name, None, as_of, args.system)
                .map_err(classify_error)?
        }
        (None, None) => return Err(invalid("give a chip id or --specs FILE")),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&c.to_json())?);
    } else {
        print!("{}", table(&c, &reg));
    }
    Ok(())
}

fn table(c: &Classification, reg: &tollgate_core::Regulation) -> String {
    let name = reg
        .catalog
        .get(&c.chip)
        .map(|x| x.specs.name.clone())
        .unwrap_or_default();
    let opt = |v: Option<String>| v.unwrap_or_else(|| "unknown".into());
    let mut rows = vec![
        (
            "Chip",
            if name.is_empty() {
                c.chip.clone()
            } else {
                format!("{} ({name})", c.chip)
            },
        ),
        (
            "As of",
            format!("{} (regulation pack {})", c.as_of, c.regulation),
        ),
        ("TPP", opt(c.tpp_int().map(|t| t.to_string()))),
        (
            "Performance density",
            opt(c.performance_density_2dp().map(|p| p.to_string())),
        ),
        (
            "DRAM bandwidth",
            opt(c
                .metrics
                .dram_bandwidth_gbs
                .map(|b| format!("{} GB/s", b.normalize()))),
        ),
        (
            "ECCN",
            format!(
                "{}{}",
                c.eccn,
                c.paragraph
                    .as_ref()
                    .filter(|p| **p != c.eccn)
                    .map(|p| format!(" ({p})"))
                    .unwrap_or_default()
            ),
        ),
        (
            "AI commodity (2026)",
            if c.ai_commodity_2026 {
                "yes".into()
            } else {
                "no".into()
            },
        ),
        (
            "Section 232 band",
            c.duty_band
                .as_ref()
                .map(|b| format!("{} ({} %)", b.label, b.rate_pct))
                .unwrap_or_else(|| "none".into()),
        ),
    ];
    if c.is_informed {
        rows.push(("Is-informed letter", "yes".into()));
    }
    let mut out = String::new();
    for (k, v) in rows {
        out.push_str(&format!("{k:<20} {v}\n"));
    }
    out.push_str("\nReasons:\n");
    for (i, r) in c.reasons.iter().enumerate() {
        out.push_str(&format!(
            "{:>3}. {}\n     [{}] {}\n",
            i + 1,
            r.message,
            r.rule,
            r.citation
        ));
    }
    out
}
