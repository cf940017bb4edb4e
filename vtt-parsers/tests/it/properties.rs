//! Property tests: no input makes a parser panic, and write-back is safe for any text.

use critfumble_vtt::{Format, Parsed, parse};
use proptest::prelude::*;

/// Strings built from the pieces of real chat HTML, so that the parser's paths are reached.
fn html_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<div class=\"message general\">".to_string()),
        Just("<div class=\"message rollresult\" data-messageid=\"-M1\">".to_string()),
        Just("<div class=\"message whisper\">".to_string()),
        Just("<div class=\"message emote\">".to_string()),
        Just("</div>".to_string()),
        Just("<span class=\"by\">".to_string()),
        Just("(To GM):".to_string()),
        Just("</span>".to_string()),
        Just("<div class=\"sheet-rolltemplate-atkdmg\">".to_string()),
        Just("<div class=\"dicegrouping\">(".to_string()),
        Just("<div class=\"diceroll d20 dropped\"><div class=\"didroll\">".to_string()),
        Just("<div class=\"formula\">rolling 2d20kh1+5</div>".to_string()),
        Just("<div class=\"rolled\">".to_string()),
        Just("<span class=\"inlinerollresult\" title=\"Rolling 1d20+5 = (&lt;span class=&quot;basicdiceroll&quot;&gt;".to_string()),
        Just("&lt;/span&gt;)+5\">".to_string()),
        Just("Rolling 9 [1d20 + 2] = (7) + 2 = 9".to_string()),
        Just("<span class=\"basicdiceroll critsuccess\">".to_string()),
        Just("&#x1F3B2;&amp;&bogus;&#0;&#xFFFFFFFF;".to_string()),
        Just("<!-- c -->".to_string()),
        Just("<".to_string()),
        Just("\"".to_string()),
        any::<u8>().prop_map(|n| n.to_string()),
        "[ -~]{0,8}",
        ".{0,4}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

/// JSON values shaped like the messages, with random types in every field.
fn json_like() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{Value, json};
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        prop_oneof![
            Just("rollresult".to_string()),
            Just("R".to_string()),
            Just("d20".to_string()),
            Just("F".to_string()),
            Just("FateDie".to_string()),
            Just("dice/roll/fulfilled".to_string()),
            Just("userId".to_string()),
            Just("{\"type\":\"V\",\"rolls\":[{\"type\":\"R\",\"sides\":20,\"results\":[{\"v\":3}]}]}".to_string()),
            Just("<a class=\"inline-roll\" data-roll=\"%7B%7D\">1</a>".to_string()),
            ".{0,6}",
        ]
        .prop_map(Value::String),
    ];
    let keys = prop_oneof![
        Just("type"),
        Just("content"),
        Just("rolls"),
        Just("results"),
        Just("v"),
        Just("d"),
        Just("sides"),
        Just("inlinerolls"),
        Just("expression"),
        Just("total"),
        Just("terms"),
        Just("faces"),
        Just("result"),
        Just("active"),
        Just("class"),
        Just("operands"),
        Just("term"),
        Just("roll"),
        Just("whisper"),
        Just("style"),
        Just("data"),
        Just("diceNotation"),
        Just("set"),
        Just("dice"),
        Just("dieValue"),
        Just("dieType"),
        Just("operation"),
        Just("rollType"),
        Just("rollKind"),
        Just("eventType"),
        Just("mods"),
        Just("customCrit"),
        Just("point"),
        Just("rolltemplate"),
        Just("flavor"),
        Just("options"),
        Just("critical"),
        Just("flags"),
    ];
    leaf.prop_recursive(6, 96, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..8).prop_map(|pairs| {
                Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

/// `parsed` written as JSON and read back.
fn round_trip(parsed: &Parsed) -> Parsed {
    serde_json::from_str(&serde_json::to_string(parsed).unwrap()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_html_never_panics(input in html_like()) {
        let _ = parse(Format::Roll20Html, &input);
    }

    #[test]
    fn arbitrary_text_never_panics(input in ".{0,200}") {
        for format in Format::ALL {
            let _ = parse(format, &input);
        }
    }

    #[test]
    fn arbitrary_json_never_panics(value in json_like()) {
        let text = value.to_string();
        for format in [Format::Roll20Api, Format::Foundry, Format::Ddb] {
            let _ = parse(format, &text);
        }
    }

    #[test]
    fn parsed_html_records_round_trip_through_json(input in html_like()) {
        if let Ok(parsed) = parse(Format::Roll20Html, &input) {
            prop_assert_eq!(round_trip(&parsed), parsed);
        }
    }

    #[test]
    fn parsed_json_records_round_trip_through_json(value in json_like()) {
        let text = value.to_string();
        for format in [Format::Roll20Api, Format::Foundry, Format::Ddb] {
            if let Ok(parsed) = parse(format, &text) {
                prop_assert_eq!(round_trip(&parsed), parsed);
            }
        }
    }

    #[test]
    fn any_reported_total_round_trips_through_json(total in any::<f64>().prop_filter("finite", |t| t.is_finite())) {
        let message = format!(
            r#"{{"rolls": [{{"formula": "1d20", "total": {total:e}, "terms": [{{"faces": 20, "results": [{{"result": 7}}]}}]}}]}}"#
        );
        let parsed = parse(Format::Foundry, &message).unwrap();
        prop_assert_eq!(parsed.records()[0].total, Some(total));
        prop_assert_eq!(round_trip(&parsed), parsed);
    }

    #[test]
    fn write_back_is_safe_for_any_text(author in ".{0,20}", content in ".{0,200}") {
        crate::writeback::check_roll20(&author, &content);
        crate::writeback::check_foundry(&author, &content);
    }
}

#[test]
fn a_total_past_f64_precision_round_trips() {
    // Found by scripts/fuzz-vtt: this total read as 1e42, which was written as
    // `1e42` and read back one ulp lower by serde_json's default float parser.
    let message = r#"{"rolls": [{"formula": "1d20 + 4", "total": 1000000000000000000000000000000000000000004}]}"#;
    let parsed = parse(Format::Foundry, message).unwrap();
    assert_eq!(round_trip(&parsed), parsed);
}

#[test]
fn deeply_nested_input_does_not_overflow() {
    let html = format!(
        "{}x{}",
        "<div class=\"message general\"><span>".repeat(20_000),
        "</span></div>".repeat(20_000)
    );
    let _ = parse(Format::Roll20Html, &html);
    let json = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(parse(Format::Foundry, &json).is_err());
    let nested_terms = format!(
        "{{\"rolls\": [{}{{\"faces\": 6, \"results\": [{{\"result\": 3}}]}}{}]}}",
        "{\"term\": ".repeat(120),
        "}".repeat(120)
    );
    assert!(parse(Format::Foundry, &nested_terms).is_ok());
}

#[test]
fn nested_chat_elements_take_linear_time() {
    // Each of these, nested thousands deep, once made a walk over every level from every level.
    let depth = 5_000;
    for element in [
        "<div class=\"dicegrouping\"><div class=\"diceroll d6\"><div class=\"didroll\">3",
        "<div class=\"sheet-label\">",
        "<div class=\"x\"><span class=\"inlinerollresult\" title=\"Rolling 1d4 = (3)\">3</span>",
        "<div class=\"message general\"><span class=\"by\">A:</span>",
    ] {
        let html = format!(
            "<div class=\"message rollresult\"><div class=\"formula\">rolling 1d6</div><div class=\"sheet-rolltemplate-simple\">{}</div></div>",
            element.repeat(depth)
        );
        let started = std::time::Instant::now();
        let parsed = parse(Format::Roll20Html, &html);
        assert!(parsed.is_ok(), "{element}");
        // Generous for a debug build on a loaded machine; quadratic walks take minutes.
        assert!(
            started.elapsed().as_secs() < 20,
            "{element} took {:?}",
            started.elapsed()
        );
    }
}
