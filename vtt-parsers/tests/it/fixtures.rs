//! Every input under `tests/fixtures/<format>/` parses to the record in its `.expected.json`.
//!
//! Run with `UPDATE_FIXTURES=1` to write the expected files anew, then review the diff.

use std::path::{Path, PathBuf};

use critfumble_vtt::{Format, parse};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every fixture input with its format, sorted by path.
fn inputs() -> Vec<(Format, PathBuf)> {
    let mut inputs = Vec::new();
    for format in Format::ALL {
        let dir = fixture_dir().join(format.name());
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.ends_with(".expected.json") {
                inputs.push((format, path));
            }
        }
    }
    inputs.sort_by(|a, b| a.1.cmp(&b.1));
    inputs
}

fn expected_path(input: &Path) -> PathBuf {
    let stem = input.file_stem().unwrap().to_string_lossy().into_owned();
    input.with_file_name(format!("{stem}.expected.json"))
}

#[test]
fn every_fixture_parses_to_its_expected_record() {
    let update = std::env::var_os("UPDATE_FIXTURES").is_some();
    let mut failures = Vec::new();
    for (format, input) in inputs() {
        let text = std::fs::read_to_string(&input).unwrap();
        let parsed =
            parse(format, &text).unwrap_or_else(|error| panic!("{}: {error}", input.display()));
        let actual = serde_json::to_value(&parsed).unwrap();
        let expected_path = expected_path(&input);
        if update {
            let pretty = serde_json::to_string_pretty(&actual).unwrap();
            std::fs::write(&expected_path, pretty + "\n").unwrap();
            continue;
        }
        let expected: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&expected_path).unwrap()).unwrap();
        if actual != expected {
            failures.push(format!(
                "{}:\n{}",
                input.display(),
                serde_json::to_string_pretty(&actual).unwrap()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "fixtures differ:\n{}",
        failures.join("\n\n")
    );
}

#[test]
fn there_are_at_least_forty_fixtures_covering_every_format() {
    let inputs = inputs();
    assert!(inputs.len() >= 40, "only {} fixtures", inputs.len());
    for format in Format::ALL {
        assert!(
            inputs.iter().filter(|(f, _)| *f == format).count() >= 8,
            "too few {format} fixtures"
        );
    }
}

#[test]
fn expected_records_deserialize_back_into_records() {
    for (_, input) in inputs() {
        let text = std::fs::read_to_string(expected_path(&input)).unwrap();
        let parsed: critfumble_vtt::Parsed = serde_json::from_str(&text).unwrap();
        assert!(!parsed.records().is_empty(), "{}", input.display());
    }
}

#[test]
fn tampered_fixtures_and_only_they_fail_verification() {
    for (format, input) in inputs() {
        let text = std::fs::read_to_string(&input).unwrap();
        let tampered = input
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("tampered");
        for record in parse(format, &text).unwrap().records() {
            if tampered {
                assert_eq!(record.verified, Some(false), "{}", input.display());
            } else {
                assert_ne!(record.verified, Some(false), "{}", input.display());
            }
        }
    }
}
