//! WebAssembly bindings of [`critfumble_dice`], published to npm as
//! `@crit-fumble/dice`.
//!
//! Each export returns the JSON text that the `critfumble` CLI prints with
//! `--json`, made by the dice crate's own serde code, so the two cannot
//! drift apart; the package's JavaScript (`js/api.js`) hands it to
//! `JSON.parse`. Building the objects with serde-wasm-bindgen instead
//! (`serialize_maps_as_objects`) measured 2 to 3.6 times slower: 13 µs
//! against 6.8 µs for a `1d20` report, 451 µs against 125 µs for `100d6`.
//! Errors are thrown as an `Error` named `DiceError` with `start` and `end`
//! (UTF-16 offsets), which the JavaScript turns into an instance of its
//! `DiceError` class.
#![deny(missing_docs)]

mod api;
mod random;
mod tree;

use api::{Faces, Failure, Options};
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::prelude::{JsValue, wasm_bindgen};

/// Turns a failure into the value thrown to JavaScript.
fn throw(failure: Failure) -> JsValue {
    match failure {
        Failure::Dice {
            message,
            start,
            end,
        } => {
            let error = js_sys::Error::new(&message);
            error.set_name("DiceError");
            // Setting a property on a fresh Error cannot fail.
            let _ = js_sys::Reflect::set(&error, &"start".into(), &(start as f64).into());
            let _ = js_sys::Reflect::set(&error, &"end".into(), &(end as f64).into());
            error.into()
        }
        Failure::Option(message) => js_sys::TypeError::new(&message).into(),
    }
}

/// Reference values from a JS object of numbers (`undefined` or `null` for none).
fn vars_from_js(vars: &JsValue) -> Result<HashMap<String, f64>, Failure> {
    if vars.is_undefined() || vars.is_null() {
        return Ok(HashMap::new());
    }
    if !vars.is_object() {
        return Err(Failure::Option("vars must be an object of numbers".into()));
    }
    let mut out = HashMap::new();
    for entry in js_sys::Object::entries(&js_sys::Object::from(vars.clone())) {
        let entry = js_sys::Array::from(&entry);
        let name = entry.get(0).as_string().unwrap_or_default();
        match entry.get(1).as_f64() {
            Some(value) if value.is_finite() => {
                out.insert(name, value);
            }
            _ => {
                return Err(Failure::Option(format!(
                    "the value of '{name}' must be a finite number"
                )));
            }
        }
    }
    Ok(out)
}

fn options(dialect: Option<String>, vars: &JsValue) -> Result<Options, Failure> {
    Options::new(dialect.as_deref(), vars_from_js(vars)?)
}

/// The AST of `expr` as JSON text.
#[wasm_bindgen(js_name = parseJson)]
pub fn parse_json(expr: &str, dialect: Option<String>, vars: JsValue) -> Result<String, JsValue> {
    let options = options(dialect, &vars).map_err(throw)?;
    api::parse_json(expr, &options).map_err(throw)
}

/// Where the faces of a roll come from: forced `dice` win over a `seed`, as
/// in the CLI; `unseeded` replays an earlier unseeded roll (its seed from
/// [`last_seed`]); with none of them, a new unseeded roll.
fn faces(
    seed: Option<u64>,
    dice: Option<Vec<f64>>,
    unseeded: Option<f64>,
) -> Result<Faces, Failure> {
    Ok(match (dice, seed, unseeded) {
        (Some(dice), _, _) => Faces::Forced(api::forced_faces(&dice)?),
        (None, Some(seed), _) => Faces::Seed(seed),
        (None, None, Some(seed)) => Faces::Unseeded(seed as u64),
        (None, None, None) => Faces::Unseeded(random::next_seed()),
    })
}

thread_local! {
    /// The strings of the last [`roll_tree`], until [`tree_strings`] takes them.
    static TREE_STRINGS: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Rolls `expr` and returns the object `critfumble roll --json` prints in
/// the compact form of the `tree` module: the ops here, the strings from
/// [`tree_strings`]. The package builds `roll(...).rolled` from them, which
/// is faster than `JSON.parse` of the JSON text.
#[wasm_bindgen(js_name = rollTree)]
pub fn roll_tree(
    expr: &str,
    dialect: Option<String>,
    vars: JsValue,
    seed: Option<u64>,
    dice: Option<Vec<f64>>,
    unseeded: Option<f64>,
) -> Result<Vec<f64>, JsValue> {
    let options = options(dialect, &vars).map_err(throw)?;
    let faces = faces(seed, dice, unseeded).map_err(throw)?;
    let encoded = api::roll_tree(expr, &options, faces).map_err(throw)?;
    TREE_STRINGS.set(encoded.strings);
    Ok(encoded.ops)
}

/// The strings of the last [`roll_tree`], back to back.
#[wasm_bindgen(js_name = treeStrings)]
pub fn tree_strings() -> String {
    TREE_STRINGS.take()
}

/// Rolls `expr` and returns only its total: the package's `roll` builds the
/// tree and the Markdown on first access, by replaying the same faces, seed
/// or unseeded roll through [`roll_tree`].
#[wasm_bindgen(js_name = rollTotal)]
pub fn roll_total(
    expr: &str,
    dialect: Option<String>,
    vars: JsValue,
    seed: Option<u64>,
    dice: Option<Vec<f64>>,
) -> Result<f64, JsValue> {
    let options = options(dialect, &vars).map_err(throw)?;
    let faces = faces(seed, dice, None).map_err(throw)?;
    api::roll_total(expr, &options, faces).map_err(throw)
}

/// The seed of the last unseeded roll (below 2^53, so a JS number holds it).
#[wasm_bindgen(js_name = lastSeed)]
pub fn last_seed() -> f64 {
    random::last_seed() as f64
}

/// The line `critfumble bounds --json` prints: `{"min", "max"}`, `null` for unbounded.
#[wasm_bindgen(js_name = boundsJson)]
pub fn bounds_json(expr: &str, dialect: Option<String>, vars: JsValue) -> Result<String, JsValue> {
    let options = options(dialect, &vars).map_err(throw)?;
    api::bounds_json(expr, &options).map_err(throw)
}

/// Rolls each `[[expression]]` in `text`: `{"text", "rolls"}`.
#[wasm_bindgen(js_name = rollInlineJson)]
pub fn roll_inline_json(
    text: &str,
    dialect: Option<String>,
    vars: JsValue,
    seed: Option<u64>,
) -> Result<String, JsValue> {
    let options = options(dialect, &vars).map_err(throw)?;
    match seed {
        Some(seed) => api::roll_inline_json(text, &options, &mut critfumble_dice::seeded_rng(seed)),
        None => random::with_crypto_rng(|rng| api::roll_inline_json(text, &options, rng)),
    }
    .map_err(throw)
}

/// The distribution of `expr`: the line `critfumble stats --json` prints.
#[wasm_bindgen(js_name = statsJson)]
pub fn stats_json(expr: &str, dialect: Option<String>, vars: JsValue) -> Result<String, JsValue> {
    let options = options(dialect, &vars).map_err(throw)?;
    api::stats_json(expr, &options).map_err(throw)
}

/// How the totals of `a` and `b` compare: the line `critfumble stats A --vs B
/// --json` prints, `{"a", "b", "equal", "greater", "less"}`.
#[wasm_bindgen(js_name = statsVsJson)]
pub fn stats_vs_json(
    a: &str,
    b: &str,
    dialect: Option<String>,
    vars: JsValue,
) -> Result<String, JsValue> {
    let options = options(dialect, &vars).map_err(throw)?;
    api::stats_vs_json(a, b, &options).map_err(throw)
}
