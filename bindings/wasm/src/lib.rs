//! WebAssembly bindings of [`critfumble_dice`], published to npm as
//! `@crit-fumble/dice`.
//!
//! Each export returns the object that the `critfumble` CLI prints with
//! `--json`, made by the dice crate's own serde code, so the two cannot
//! drift apart, in the compact form of the `tree` module: an op stream of
//! numbers (a `Float64Array` in JS) and, from [`tree_strings`], its strings
//! back to back. The package's JavaScript (`js/api.js`) builds the objects
//! from them; that is faster than serde_json's text and `JSON.parse` (100d6:
//! about 40 µs against 100 µs), and keeps serde_json out of the build.
//! Building the objects with serde-wasm-bindgen measured 2 to 3.6 times
//! slower than `JSON.parse`.
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

thread_local! {
    /// The strings of the last result, until [`tree_strings`] takes them.
    static TREE_STRINGS: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Hands a result to JS: its ops as the return value, its strings to
/// [`tree_strings`], or the error thrown.
fn hand_over(result: Result<tree::Encoder, Failure>) -> Result<Vec<f64>, JsValue> {
    let encoded = result.map_err(throw)?;
    TREE_STRINGS.set(encoded.strings);
    Ok(encoded.ops)
}

/// The strings of the last result that an export gave, back to back.
#[wasm_bindgen(js_name = treeStrings)]
pub fn tree_strings() -> String {
    TREE_STRINGS.take()
}

/// The AST of `expr`, as `Expr` serializes it.
#[wasm_bindgen(js_name = parseTree)]
pub fn parse_tree(expr: &str, dialect: Option<String>, vars: JsValue) -> Result<Vec<f64>, JsValue> {
    let options = options(dialect, &vars).map_err(throw)?;
    hand_over(api::parse_tree(expr, &options))
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

/// Rolls `expr`: the object `critfumble roll --json` prints.
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
    hand_over(api::roll_tree(expr, &options, faces))
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

/// The object `critfumble bounds --json` prints: `{"min", "max"}`, `null` for unbounded.
#[wasm_bindgen(js_name = boundsTree)]
pub fn bounds_tree(
    expr: &str,
    dialect: Option<String>,
    vars: JsValue,
) -> Result<Vec<f64>, JsValue> {
    let options = options(dialect, &vars).map_err(throw)?;
    hand_over(api::bounds_tree(expr, &options))
}

/// Rolls each `[[expression]]` in `text`: `{"text", "rolls"}`.
#[wasm_bindgen(js_name = rollInlineTree)]
pub fn roll_inline_tree(
    text: &str,
    dialect: Option<String>,
    vars: JsValue,
    seed: Option<u64>,
) -> Result<Vec<f64>, JsValue> {
    let options = options(dialect, &vars).map_err(throw)?;
    match seed {
        Some(seed) => hand_over(api::roll_inline_tree(
            text,
            &options,
            &mut critfumble_dice::seeded_rng(seed),
        )),
        None => hand_over(random::with_crypto_rng(|rng| {
            api::roll_inline_tree(text, &options, rng)
        })),
    }
}

/// The distribution of `expr`: the object `critfumble stats --json` prints.
#[wasm_bindgen(js_name = statsTree)]
pub fn stats_tree(expr: &str, dialect: Option<String>, vars: JsValue) -> Result<Vec<f64>, JsValue> {
    let options = options(dialect, &vars).map_err(throw)?;
    hand_over(api::stats_tree(expr, &options))
}

/// How the totals of `a` and `b` compare: the object `critfumble stats A --vs B
/// --json` prints, `{"a", "b", "equal", "greater", "less"}`.
#[wasm_bindgen(js_name = statsVsTree)]
pub fn stats_vs_tree(
    a: &str,
    b: &str,
    dialect: Option<String>,
    vars: JsValue,
) -> Result<Vec<f64>, JsValue> {
    let options = options(dialect, &vars).map_err(throw)?;
    hand_over(api::stats_vs_tree(a, b, &options))
}
