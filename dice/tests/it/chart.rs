//! The SVG chart (feature `chart`): one bar per total, heights in proportion,
//! the mean marked, read back with an XML parser.

use crate::distribution::exact;
use critfumble_dice::{Dialect, chart_svg};

#[test]
fn the_chart_has_one_bar_per_total_and_marks_the_mean() {
    let (_, a) = exact(Dialect::Default, "2d6");
    let (_, b) = exact(Dialect::Default, "1d12");
    let svg = chart_svg(&a, Some(&b), &["2d6", "1d12"]);
    let doc = roxmltree::Document::parse(&svg).expect("the chart is valid XML");
    let bars: Vec<(u32, f64, f64, f64)> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("bar"))
        .map(|n| {
            let attr = |name: &str| n.attribute(name).expect("bar attribute");
            (
                attr("data-series").parse().expect("series"),
                attr("data-total").parse().expect("total"),
                attr("data-probability").parse().expect("probability"),
                attr("height").parse().expect("height"),
            )
        })
        .collect();
    for (series, dist) in [(0, &a), (1, &b)] {
        let mine: Vec<_> = bars.iter().filter(|b| b.0 == series).collect();
        assert_eq!(mine.len(), dist.probabilities.len());
        for (bar, (total, p)) in mine.iter().zip(&dist.probabilities) {
            assert_eq!((bar.1, bar.2), (*total, *p));
        }
    }
    // Heights are proportional to probabilities: 7 on 2d6 is six times 2.
    let height = |series: u32, total: f64| {
        bars.iter()
            .find(|b| b.0 == series && b.1 == total)
            .expect("bar")
            .3
    };
    assert!((height(0, 7.0) / height(0, 2.0) - 6.0).abs() < 1e-6);
    let means: Vec<f64> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("mean"))
        .map(|n| {
            n.attribute("data-mean")
                .expect("mean")
                .parse()
                .expect("number")
        })
        .collect();
    assert_eq!(means, vec![7.0, 6.5]);
    assert!(
        doc.descendants()
            .any(|n| n.attribute("class") == Some("x-label"))
    );
}
