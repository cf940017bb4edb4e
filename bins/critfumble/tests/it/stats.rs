//! `critfumble stats`.

use super::roll::{critfumble, stdout};

#[test]
fn json_has_the_documented_fields() {
    let out = critfumble(&["stats", "--json", "3d6"], None);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(json["expr"], "3d6");
    assert_eq!(json["exact"], true);
    assert_eq!(
        (json["min"].clone(), json["max"].clone()),
        (3.into(), 18.into())
    );
    let p10 = json["distribution"]
        .as_array()
        .expect("pairs")
        .iter()
        .find(|pair| pair[0] == 10)
        .expect("10 is possible")[1]
        .as_f64()
        .expect("a probability");
    assert!((p10 - 27.0 / 216.0).abs() < 1e-12);
    assert_eq!(json["percentiles"]["50"], 10);
    assert_eq!(json["truncated_mass"], 0.0);
    assert!((json["mean"].as_f64().expect("mean") - 10.5).abs() < 1e-9);
}

#[test]
fn the_table_fits_80_columns() {
    let out = critfumble(&["stats", "2d20kh1+5"], None);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.starts_with("2d20kh1+5: exact\nmin 6  max 25  mean 18.8250"),
        "{text}"
    );
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "too wide: {line}");
    }
    assert_eq!(text.lines().filter(|l| l.contains('%')).count(), 20);
}

#[test]
fn vs_compares_two_expressions() {
    let out = critfumble(&["stats", "--json", "--vs", "1d20+5", "2d20kh1"], None);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let sum = ["greater", "equal", "less"]
        .iter()
        .map(|k| json[k].as_f64().expect("probability"))
        .sum::<f64>();
    assert!((sum - 1.0).abs() < 1e-9);
    assert!((json["equal"].as_f64().expect("p") - 0.046875).abs() < 1e-12);
}

#[test]
fn errors_exit_2_with_the_error_object() {
    let out = critfumble(&["stats", "--json", "1d6kh"], None);
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(json["error"]["message"], "expected a number after 'kh'");
}

#[test]
fn svg_writes_a_chart() {
    let dir = std::env::temp_dir().join(format!("critfumble-stats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("chart.svg");
    let out = critfumble(
        &["stats", "--svg", path.to_str().expect("utf-8"), "2d6"],
        None,
    );
    assert!(out.status.success());
    let svg = std::fs::read_to_string(&path).expect("chart written");
    assert_eq!(svg.matches("class=\"bar\"").count(), 11);
    std::fs::remove_dir_all(&dir).ok();
}
