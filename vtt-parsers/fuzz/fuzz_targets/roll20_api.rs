//! Fuzzes `parse(Format::Roll20Api, ..)`: nothing may panic, and every result
//! reads back from its JSON as it was.
#![no_main]

use critfumble_vtt::{Format, Parsed, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(parsed) = parse(Format::Roll20Api, input) {
        let json = serde_json::to_string(&parsed).expect("a record is always json");
        let back: Parsed = serde_json::from_str(&json).expect("the json reads back");
        assert_eq!(back, parsed);
        assert!(!parsed.records().is_empty());
    }
});
