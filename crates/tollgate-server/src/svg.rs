//! Server-side SVG charts for the dashboard: no client code, exact figures in the markup.

use maud::{html, Markup};

/// A horizontal bar showing `used` of `limit` (licence drawdown). Over 90 % turns amber, 100 % red.
pub fn drawdown_bar(used: f64, limit: f64, width: u32) -> Markup {
    let frac = if limit > 0.0 {
        (used / limit).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let w = (frac * width as f64).round() as u32;
    let color = if frac >= 1.0 {
        "#c62828"
    } else if frac >= 0.9 {
        "#b35900"
    } else {
        "#1f6feb"
    };
    html! {
        svg width=(width) height="14" viewBox={ "0 0 " (width) " 14" } role="img" aria-label={ (format!("{:.1}", frac * 100.0)) " % drawn" } {
            rect x="0" y="0" width=(width) height="14" rx="4" fill="#e3e7ef" {}
            rect x="0" y="0" width=(w) height="14" rx="4" fill=(color) {}
        }
    }
}

/// A half-circle gauge of China+Macau units against the cap (`allowed` = ratio x US units).
pub fn cap_gauge(shipped: f64, allowed: f64) -> Markup {
    let frac = if allowed > 0.0 {
        (shipped / allowed).clamp(0.0, 1.0)
    } else if shipped > 0.0 {
        1.0
    } else {
        0.0
    };
    // Arc from 180 deg (left) to 0 deg (right) on a radius-80 circle centred at (100, 100).
    let angle = std::f64::consts::PI * (1.0 - frac);
    let (x, y) = (100.0 + 80.0 * angle.cos(), 100.0 - 80.0 * angle.sin());
    let color = if frac >= 1.0 {
        "#c62828"
    } else if frac >= 0.8 {
        "#b35900"
    } else {
        "#1a7f37"
    };
    html! {
        svg width="200" height="120" viewBox="0 0 200 120" role="img" aria-label={ (format!("{:.1}", frac * 100.0)) " % of the cap used" } {
            path d="M 20 100 A 80 80 0 0 1 180 100" fill="none" stroke="#e3e7ef" stroke-width="18" {}
            @if frac > 0.0 {
                path d=(format!("M 20 100 A 80 80 0 0 1 {x:.2} {y:.2}")) fill="none" stroke=(color) stroke-width="18" {}
            }
            text x="100" y="96" text-anchor="middle" font-size="22" font-weight="700" fill="#14213d" { (format!("{:.0} %", frac * 100.0)) }
            text x="100" y="116" text-anchor="middle" font-size="11" fill="#5c677d" { "of the 50 % cap" }
        }
    }
}

/// Grouped bars: accrued vs paid per quarter.
pub fn duty_chart(quarters: &[(String, f64, f64)]) -> Markup {
    let max = quarters
        .iter()
        .flat_map(|q| [q.1, q.2])
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let (h, bw, gap) = (160.0, 22.0, 26.0);
    let width = 40.0 + quarters.len() as f64 * (2.0 * bw + gap);
    html! {
        svg width=(width) height="200" viewBox={ "0 0 " (width) " 200" } role="img" aria-label="duty accrued and paid by quarter" {
            line x1="30" y1=(h + 10.0) x2=(width) y2=(h + 10.0) stroke="#c9d3e6" {}
            @for (i, (label, accrued, paid)) in quarters.iter().enumerate() {
                @let x = 36.0 + i as f64 * (2.0 * bw + gap);
                @let ha = accrued / max * h;
                @let hp = paid / max * h;
                rect x=(x) y=(h + 10.0 - ha) width=(bw) height=(ha) fill="#1f6feb" { title { "accrued " (format!("{accrued:.2}")) } }
                rect x=(x + bw) y=(h + 10.0 - hp) width=(bw) height=(hp) fill="#1a7f37" { title { "paid " (format!("{paid:.2}")) } }
                text x=(x + bw) y="192" text-anchor="middle" font-size="11" fill="#5c677d" { (label) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawdown_bar_is_proportional_and_clamped() {
        let s = drawdown_bar(250.0, 1000.0, 200).into_string();
        assert!(s.contains(r#"width="50""#), "{s}");
        assert!(s.contains("25.0 % drawn"));
        let full = drawdown_bar(2000.0, 1000.0, 200).into_string();
        assert!(full.contains("#c62828") && full.contains("100.0 % drawn"));
    }

    #[test]
    fn cap_gauge_reports_the_fraction_of_the_cap() {
        assert!(cap_gauge(50.0, 100.0).into_string().contains("50 %"));
        assert!(cap_gauge(0.0, 0.0).into_string().contains("0 %"));
        assert!(cap_gauge(120.0, 100.0).into_string().contains("100 %"));
    }

    #[test]
    fn duty_chart_has_two_bars_per_quarter() {
        let s = duty_chart(&[
            ("2026Q1".into(), 100.0, 40.0),
            ("2026Q2".into(), 50.0, 50.0),
        ])
        .into_string();
        assert_eq!(s.matches("<rect").count(), 4);
        assert!(s.contains("2026Q2"));
    }
}
