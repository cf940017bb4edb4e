//! Hostile inputs near the size limit, built for a byte budget: each once took
//! time quadratic in its size. The bench `hostile` times them at 1 MiB and
//! 4 MiB; `linear.rs` parses them once at 4 MiB and checks what comes out.

use critfumble_vtt::Format;

/// A hostile input: its name, format, and a builder for a byte budget.
pub(crate) struct Hostile {
    pub(crate) name: &'static str,
    pub(crate) format: Format,
    pub(crate) build: fn(usize) -> String,
}

/// Every hostile input.
pub(crate) const ALL: [Hostile; 3] = [
    Hostile {
        name: "beyond20_keep_many_dice",
        format: Format::Roll20Html,
        build: beyond20_keep_many_dice,
    },
    Hostile {
        name: "roll20_api_template_many_rolls",
        format: Format::Roll20Api,
        build: roll20_api_template_many_rolls,
    },
    Hostile {
        name: "roll20_api_unclosed_inline_refs",
        format: Format::Roll20Api,
        build: roll20_api_unclosed_inline_refs,
    },
];

/// A Beyond20 tooltip whose formula keeps the highest of as many d6s as fit:
/// marking which dice are kept once searched a list for every die.
pub(crate) fn beyond20_keep_many_dice(budget: usize) -> String {
    let dice = budget.saturating_sub(200) / 3;
    let mut breakdown = String::with_capacity(dice * 3);
    for index in 0..dice {
        if index > 0 {
            breakdown.push_str(", ");
        }
        breakdown.push(if index == dice / 2 { '6' } else { '3' });
    }
    format!(
        r#"<div class="message general"><span class="by">Vex:</span><span class="inlinerollresult" title="Rolling 6 [{dice}d6kh1] = ({breakdown}) = 6">6</span></div>"#
    )
}

/// A template message with as many inline rolls and fields as fit: finding
/// each roll's field once built a string and searched every field with it.
pub(crate) fn roll20_api_template_many_rolls(budget: usize) -> String {
    const ROLL: &str = r#"{"expression":"1d4","results":{"type":"V","rolls":[{"type":"R","sides":4,"results":[{"v":2}]}],"total":2}},"#;
    let mut content = String::new();
    let mut inline = String::new();
    let mut index = 0;
    loop {
        let field = format!("{{{{f{index}=$[[{index}]]}}}}");
        if content.len() + inline.len() + field.len() + ROLL.len() + 100 > budget {
            break;
        }
        content.push_str(&field);
        inline.push_str(ROLL);
        index += 1;
    }
    inline.pop();
    format!(
        r#"{{"who":"Vex","type":"general","rolltemplate":"default","content":"{content}","inlinerolls":[{inline}]}}"#
    )
}

/// Chat text of `$[[` after `$[[` with no close: replacing the references
/// once scanned the rest of the text for `]]` after each of them.
pub(crate) fn roll20_api_unclosed_inline_refs(budget: usize) -> String {
    let opens = budget.saturating_sub(100) / 3;
    format!(
        r#"{{"who":"Vex","type":"general","content":"{}"}}"#,
        "$[[".repeat(opens)
    )
}
