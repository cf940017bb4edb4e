//! `/stats expression [vs]`: the exact distribution (or a seeded estimate, said so), its
//! summary, P(A>B) against `vs`, and the dice crate's chart as a PNG (Discord does not show
//! SVG), rendered with resvg and a bundled font.

use std::sync::{Arc, OnceLock};

use critfumble_dice::{
    Dialect, DiceError, DistOptions, Distribution, ParseOptions, chart_svg, parse_with,
};
use resvg::{tiny_skia, usvg};
use serenity::all::CreateAttachment;

use super::reply::{Followup, Reply, code, later, whisper};
use super::text::{caret_error, number};

/// `/stats`. Both expressions are checked before deferring, so that a typo gets its caret
/// at once; the distribution and the chart are computed off the async threads.
pub fn stats(expression: &str, vs: Option<&str>) -> Reply {
    let options = ParseOptions::dialect(Dialect::Default);
    if let Err(error) = parse_with(expression, &options) {
        return whisper(&caret_error(expression, &error));
    }
    if let Some(vs) = vs
        && let Err(error) = parse_with(vs, &options)
    {
        return whisper(&format!("In `vs`: {}", caret_error(vs, &error)));
    }
    let (expression, vs) = (expression.to_owned(), vs.map(str::to_owned));
    later(false, async move {
        let work = tokio::task::spawn_blocking(move || render(&expression, vs.as_deref()));
        match work.await {
            Ok(Ok((text, png))) => {
                Followup::with_file(&text, CreateAttachment::bytes(png, "stats.png"))
            }
            Ok(Err(message)) => Followup::text(&message, false),
            Err(error) => {
                tracing::error!(%error, "the stats task failed");
                Followup::text("FumbleBot could not compute that distribution.", false)
            }
        }
    })
}

/// The summary text and the chart.
pub fn render(expression: &str, vs: Option<&str>) -> Result<(String, Vec<u8>), String> {
    let a = distribution(expression)?;
    let b = vs.map(distribution).transpose()?;
    let mut text = summary(expression, &a);
    if let (Some(b), Some(vs)) = (&b, vs) {
        text.push('\n');
        text.push_str(&summary(vs, b));
        let c = a.compare(b);
        text.push_str(&format!(
            "\nP(A>B) = **{:.2}%** · P(A=B) = {:.2}% · P(A<B) = {:.2}%",
            c.greater * 100.0,
            c.equal * 100.0,
            c.less * 100.0
        ));
    }
    let names: Vec<&str> = std::iter::once(expression).chain(vs).collect();
    let png = png(&chart_svg(&a, b.as_ref(), &names))?;
    Ok((text, png))
}

fn distribution(expression: &str) -> Result<Distribution, String> {
    let show = |error: DiceError| caret_error(expression, &error);
    let expr = parse_with(expression, &ParseOptions::dialect(Dialect::Default)).map_err(show)?;
    Distribution::with_options(&expr, &DistOptions::default()).map_err(show)
}

fn summary(expression: &str, d: &Distribution) -> String {
    let show = |value: Option<f64>| value.map_or_else(|| "unbounded".to_owned(), number);
    let kind = if d.exact {
        "exact".to_owned()
    } else {
        format!(
            "estimated from {} rolls (standard error {:.3})",
            d.samples.unwrap_or_default(),
            d.standard_error.unwrap_or_default()
        )
    };
    let percentiles: Vec<String> = [5, 25, 50, 75, 95]
        .into_iter()
        .map(|q| format!("p{q} {}", show(d.percentile(f64::from(q) / 100.0))))
        .collect();
    format!(
        "{}: {kind}\nmin {} · max {} · mean **{:.2}** · sd {:.2}\n{}",
        code(expression),
        show(d.min),
        show(d.max),
        d.mean,
        d.stddev,
        percentiles.join(" · ")
    )
}

/// The bundled font, loaded once: the chart's text renders the same on every machine.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut fonts = usvg::fontdb::Database::new();
            fonts.load_font_data(dejavu::sans::regular().to_vec());
            fonts.set_sans_serif_family("DejaVu Sans");
            Arc::new(fonts)
        })
        .clone()
}

/// Renders an SVG document to PNG bytes.
pub fn png(svg: &str) -> Result<Vec<u8>, String> {
    let options = usvg::Options {
        font_family: "DejaVu Sans".to_owned(),
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| format!("chart: {e}"))?;
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| "chart: empty image".to_owned())?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| format!("chart: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_d6_summary_and_chart() {
        let (text, png) = render("2d6", Some("1d12")).unwrap();
        assert!(text.contains("`2d6`: exact"), "{text}");
        assert!(text.contains("mean **7.00**"), "{text}");
        // P(2d6 > 1d12) = 1/2 - P(equal)/2 ... computed independently: sum over totals.
        let mut greater = 0.0;
        for a1 in 1..=6 {
            for a2 in 1..=6 {
                for b in 1..=12 {
                    if a1 + a2 > b {
                        greater += 1.0;
                    }
                }
            }
        }
        let expected = greater / (36.0 * 12.0) * 100.0;
        assert!(
            text.contains(&format!("P(A>B) = **{expected:.2}%**")),
            "{text}"
        );
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        // Kept for a person to look at.
        std::fs::write(
            std::env::temp_dir().join("fumblebot-stats-2d6-vs-1d12.png"),
            &png,
        )
        .unwrap();
    }

    #[test]
    fn text_is_drawn_with_the_bundled_font() {
        // The same chart with and without its text: the text must change pixels, which it
        // would not if no font were found.
        let d = Distribution::of(&critfumble_dice::parse("1d4").unwrap()).unwrap();
        let svg = chart_svg(&d, None, &["1d4"]);
        let without_text = regex_free_strip_text(&svg);
        assert_ne!(png(&svg).unwrap(), png(&without_text).unwrap());
    }

    fn regex_free_strip_text(svg: &str) -> String {
        let mut out = String::new();
        let mut rest = svg;
        while let Some(start) = rest.find("<text") {
            out.push_str(&rest[..start]);
            let end = rest[start..]
                .find("</text>")
                .map_or(rest.len(), |e| start + e + 7);
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }
}
