//! Fuzzes `parse(Format::Roll20Api, ..)`: nothing may panic, and every result serializes.
#![no_main]

use critfumble_vtt::{Format, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(parsed) = parse(Format::Roll20Api, input) {
        assert!(serde_json::to_string(&parsed).is_ok());
        assert!(!parsed.records().is_empty());
    }
});
