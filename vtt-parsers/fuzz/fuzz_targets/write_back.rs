//! Fuzzes `to_roll20` and `to_foundry`: no output may start a Roll20 command or
//! keep a raw inline roll, attribute, query, template or tag.
#![no_main]

use critfumble_vtt::{DiscordMessage, to_foundry, to_roll20};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (author, content) = text.split_once('\u{0}').unwrap_or(("Alice", text));
    let message = DiscordMessage { author, content };
    let roll20 = to_roll20(&message);
    assert!(!roll20.starts_with(['/', '!']));
    for raw in ["[[", "]]", "@{", "?{", "%{", "&{", "<", ">", "\n"] {
        assert!(!roll20.contains(raw), "{roll20:?} keeps {raw:?}");
    }
    let foundry = to_foundry(&message);
    assert!(!foundry.content.replace("<br>", "").contains(['<', '>']));
    assert!(!foundry.content.contains("[["));
});
