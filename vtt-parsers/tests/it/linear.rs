//! The hostile inputs of `hostile.rs` at the full 4 MiB: each parses, and the
//! records say what the input holds. Their time is measured by the bench
//! `hostile` (see `benches/README.md`).

use critfumble_vtt::{MAX_INPUT_BYTES, parse};

use crate::hostile::ALL;

#[test]
fn hostile_inputs_fit_the_limit_and_parse() {
    for hostile in ALL {
        let input = (hostile.build)(MAX_INPUT_BYTES);
        assert!(input.len() <= MAX_INPUT_BYTES, "{}", hostile.name);
        assert!(input.len() > MAX_INPUT_BYTES - 1024, "{}", hostile.name);
        let parsed = parse(hostile.format, &input).unwrap();
        let record = &parsed.records()[0];
        match hostile.name {
            "beyond20_keep_many_dice" => {
                let results = &record.dice[0].results;
                // One die kept (the six), every other one dropped, and the roll checks out.
                assert_eq!(results.iter().filter(|die| die.kept).count(), 1);
                assert!(results[results.len() / 2].kept);
                assert_eq!(record.verified, Some(true));
            }
            "roll20_api_template_many_rolls" => {
                assert!(record.extra_rolls.len() > 10_000);
                assert_eq!(record.verified, Some(true));
            }
            _ => {
                // The text is the content as it was: no reference to replace.
                let text = record.text.as_deref().unwrap();
                assert!(text.len() > MAX_INPUT_BYTES - 1024);
                assert!(text.bytes().eq("$[[".bytes().cycle().take(text.len())));
            }
        }
    }
}
