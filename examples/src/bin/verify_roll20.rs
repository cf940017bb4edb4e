//! Parses a Roll20 chat message (its HTML as the chat log shows it) and
//! verifies each roll: the reported dice, replayed through the formula, must
//! give the reported total. With no file it reads a built-in attack message
//! whose damage total was raised after the roll.
//!
//! ```text
//! cargo run -p critfumble-examples --bin verify_roll20 -- [MESSAGE.html]
//! ```

use std::process::ExitCode;

use critfumble_vtt::{Format, parse};

/// An attack and its damage, as Roll20's 5e sheet posts them; the damage
/// tooltip shows a 6 and a +3, but the total reads 19.
const TAMPERED: &str = r#"<div class="message general" data-messageid="-Nexample1">
<span class="by">Aria:</span>
<div class="sheet-rolltemplate-atkdmg"><div class="sheet-container">
<span class="inlinerollresult showtip" title="Rolling 1d20+6 = (&lt;span class=&quot;basicdiceroll&quot;&gt;13&lt;/span&gt;)+6">19</span>
<div class="sheet-label"><span>Rapier</span></div>
<span class="sheet-damage"><span class="inlinerollresult showtip" title="Rolling 1d8+3 = (&lt;span class=&quot;basicdiceroll&quot;&gt;6&lt;/span&gt;)+3">19</span></span>
</div></div></div>"#;

fn verdict(verified: Option<bool>) -> &'static str {
    match verified {
        Some(true) => "verified",
        Some(false) => "DOES NOT ADD UP",
        None => "cannot be checked",
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let html = match std::env::args().nth(1) {
        Some(path) => std::fs::read_to_string(path)?,
        None => TAMPERED.to_owned(),
    };
    for record in parse(Format::Roll20Html, &html)?.records() {
        let speaker = record.speaker.as_deref().unwrap_or("someone");
        let label = record.label.as_deref().unwrap_or("a roll");
        println!("{speaker}: {label}: {}", verdict(record.verified));
        let primary = (&record.formula, record.total, record.primary_verified);
        let extras = record
            .extra_rolls
            .iter()
            .map(|roll| (&roll.formula, roll.total, roll.verified));
        for (formula, total, verified) in std::iter::once(primary).chain(extras) {
            let formula = formula.as_deref().unwrap_or("?");
            let total = total.map_or("?".to_owned(), |total| total.to_string());
            println!("  {formula} = {total}: {}", verdict(verified));
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    critfumble_examples::finish(run())
}
