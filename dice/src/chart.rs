//! A distribution (or two, overlaid) as a self-contained SVG bar chart.

use crate::Distribution;
use std::fmt::Write;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 40.0;
const COLORS: [&str; 2] = ["#3b6fd4", "#d4553b"];

/// Renders `a` (and `b`, overlaid, when given) as an SVG string: one bar per
/// total, axis labels, and each mean marked by a dashed line. Bars carry
/// `data-total` and `data-probability`, so a program can read the chart back.
///
/// ```
/// use critfumble_dice::{chart_svg, parse, Distribution};
/// let d = Distribution::of(&parse("2d6")?)?;
/// let svg = chart_svg(&d, None, &["2d6"]);
/// assert!(svg.starts_with("<svg"));
/// assert_eq!(svg.matches("class=\"bar\"").count(), 11);
/// # Ok::<(), critfumble_dice::DiceError>(())
/// ```
pub fn chart_svg(a: &Distribution, b: Option<&Distribution>, names: &[&str]) -> String {
    let series: Vec<&Distribution> = std::iter::once(a).chain(b).collect();
    let all = series.iter().flat_map(|d| d.probabilities.iter());
    let (mut lo, mut hi, mut top) = (f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
    for (v, p) in all {
        lo = lo.min(*v);
        hi = hi.max(*v);
        top = top.max(*p);
    }
    if !lo.is_finite() {
        (lo, hi, top) = (0.0, 1.0, 1.0);
    }
    let top = nice_ceiling(top);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let span = (hi - lo).max(1.0);
    let slot = plot_w / (span + 1.0);
    let x_of = |v: f64| LEFT + (v - lo) * slot;
    let y_of = |p: f64| TOP + plot_h * (1.0 - p / top);
    let mut svg = String::new();
    // Writing to a String cannot fail.
    let _ = write_chart(&mut svg, &series, names, (lo, hi, top), slot, &x_of, &y_of);
    svg
}

type Scale<'a> = &'a dyn Fn(f64) -> f64;

fn write_chart(
    svg: &mut String,
    series: &[&Distribution],
    names: &[&str],
    (lo, hi, top): (f64, f64, f64),
    slot: f64,
    x_of: Scale<'_>,
    y_of: Scale<'_>,
) -> std::fmt::Result {
    write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11">"#
    )?;
    write!(
        svg,
        r#"<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>"#
    )?;
    // Axes and probability ticks.
    let base = y_of(0.0);
    write!(
        svg,
        r#"<line x1="{LEFT}" y1="{base}" x2="{}" y2="{base}" stroke="black"/>"#,
        WIDTH - RIGHT
    )?;
    write!(
        svg,
        r#"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}" stroke="black"/>"#
    )?;
    for i in 0..=4 {
        let p = top * f64::from(i) / 4.0;
        let y = y_of(p);
        write!(
            svg,
            r#"<text class="y-label" x="{}" y="{}" text-anchor="end">{:.1}%</text>"#,
            LEFT - 4.0,
            y + 4.0,
            p * 100.0
        )?;
    }
    // Totals along the bottom: about ten labels, on whole steps.
    let step = ((hi - lo) / 10.0).ceil().max(1.0);
    let mut v = lo;
    while v <= hi {
        write!(
            svg,
            r#"<text class="x-label" x="{}" y="{}" text-anchor="middle">{}</text>"#,
            x_of(v) + slot / 2.0,
            base + 16.0,
            short(v)
        )?;
        v += step;
    }
    write!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">total</text>"#,
        LEFT + (WIDTH - LEFT - RIGHT) / 2.0,
        HEIGHT - 6.0
    )?;
    let width = if series.len() > 1 {
        slot * 0.45
    } else {
        slot * 0.9
    };
    for (s, dist) in series.iter().enumerate() {
        let color = COLORS[s % COLORS.len()];
        let offset = if series.len() > 1 {
            slot * 0.05 + s as f64 * slot * 0.45
        } else {
            slot * 0.05
        };
        for (v, p) in &dist.probabilities {
            let y = y_of(*p);
            write!(
                svg,
                r#"<rect class="bar" data-series="{s}" data-total="{v}" data-probability="{p}" x="{:.3}" y="{y:.3}" width="{width:.3}" height="{:.3}" fill="{color}" fill-opacity="0.8"/>"#,
                x_of(*v) + offset,
                base - y
            )?;
        }
        let mx = x_of(dist.mean) + slot / 2.0;
        write!(
            svg,
            r#"<line class="mean" data-series="{s}" data-mean="{}" x1="{mx:.3}" y1="{TOP}" x2="{mx:.3}" y2="{base}" stroke="{color}" stroke-dasharray="4 3"/>"#,
            dist.mean
        )?;
        let name = names.get(s).copied().unwrap_or_default();
        write!(
            svg,
            r#"<text class="legend" x="{}" y="{}" fill="{color}">{} (mean {:.2})</text>"#,
            LEFT + 8.0 + s as f64 * 280.0,
            TOP - 10.0,
            escape(name),
            dist.mean
        )?;
    }
    svg.push_str("</svg>");
    Ok(())
}

/// A round number at or above `p`, for the top of the probability axis.
fn nice_ceiling(p: f64) -> f64 {
    if p <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(p.log10().floor());
    for step in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if step * magnitude >= p {
            return step * magnitude;
        }
    }
    p
}

fn short(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v:.2}")
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
