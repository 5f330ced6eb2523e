//! `tollgate chips`: the catalog, classified under the regulation in force on a date.

use super::{date_or_today, invalid, regulation};

#[derive(clap::Args)]
pub struct Args {
    /// Only chips of this vendor (case-insensitive).
    #[arg(long)]
    vendor: Option<String>,
    /// Sort order.
    #[arg(long, value_enum, default_value = "tpp")]
    sort: Sort,
    /// Date whose regulation applies (YYYY-MM-DD); default today in America/New_York.
    #[arg(long = "as-of")]
    as_of: Option<String>,
    /// JSON lines, one classification per chip.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Sort {
    Tpp,
    Id,
    Vendor,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let reg = regulation()?;
    let as_of = date_or_today(args.as_of.as_deref(), "--as-of")?;
    reg.packs
        .in_force(as_of)
        .map_err(|e| invalid(e.to_string()))?;
    if let Some(v) = &args.vendor {
        let mut vendors: Vec<String> = reg
            .catalog
            .chips()
            .iter()
            .map(|c| c.specs.vendor.to_ascii_lowercase())
            .collect();
        vendors.sort();
        vendors.dedup();
        if !vendors.iter().any(|x| x.eq_ignore_ascii_case(v)) {
            return Err(invalid(format!(
                "--vendor: no chips of vendor '{v}' in the catalog; vendors: {}",
                vendors.join(", ")
            )));
        }
    }
    let mut rows: Vec<_> = reg
        .catalog
        .chips()
        .iter()
        .filter(|c| {
            args.vendor
                .as_ref()
                .is_none_or(|v| c.specs.vendor.eq_ignore_ascii_case(v))
        })
        .map(|chip| (chip, reg.classify_chip(&chip.id, as_of, false).ok()))
        .collect();
    match args.sort {
        Sort::Tpp => rows.sort_by(|a, b| {
            b.1.as_ref()
                .and_then(|c| c.metrics.tpp)
                .cmp(&a.1.as_ref().and_then(|c| c.metrics.tpp))
        }),
        Sort::Id => rows.sort_by(|a, b| a.0.id.cmp(&b.0.id)),
        Sort::Vendor => {
            rows.sort_by(|a, b| (&a.0.specs.vendor, &a.0.id).cmp(&(&b.0.specs.vendor, &b.0.id)))
        }
    }
    if args.json {
        for (chip, c) in &rows {
            let v = match c {
                Some(c) => c.to_json(),
                None => {
                    serde_json::json!({"chip": chip.id, "as_of": as_of.to_string(), "eccn": null, "error": "no dense TOPS figure published"})
                }
            };
            println!("{v}");
        }
        return Ok(());
    }
    println!(
        "Regulation in force on {as_of}: pack {}",
        reg.packs
            .in_force(as_of)
            .map(|p| p.id.clone())
            .unwrap_or_default()
    );
    println!(
        "{:<28} {:<8} {:>8} {:>7} {:>8} {:<10} {:<5} {:<6} STATUS",
        "ID", "VENDOR", "TPP", "PD", "BW GB/s", "ECCN", "AI26", "S232"
    );
    for (chip, c) in rows {
        let s = &chip.specs;
        let bw = s
            .dram_bandwidth_gbs
            .map(|b| b.normalize().to_string())
            .unwrap_or_else(|| "-".into());
        match c {
            Some(c) => println!(
                "{:<28} {:<8} {:>8} {:>7} {:>8} {:<10} {:<5} {:<6} {}",
                chip.id,
                s.vendor,
                c.tpp_int()
                    .map(|t| t.to_string())
                    .unwrap_or_else(|| "-".into()),
                c.performance_density_2dp()
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "-".into()),
                bw,
                c.eccn,
                if c.ai_commodity_2026 { "yes" } else { "no" },
                c.duty_band.as_ref().map(|b| b.id.as_str()).unwrap_or("-"),
                chip.status
            ),
            None => println!(
                "{:<28} {:<8} {:>8} {:>7} {:>8} {:<10} {:<5} {:<6} {}",
                chip.id, s.vendor, "-", "-", bw, "unknown", "-", "-", chip.status
            ),
        }
    }
    Ok(())
}
