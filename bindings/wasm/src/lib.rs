//! WebAssembly bindings of [`critfumble_dice`], published to npm as
//! `@crit-fumble/dice`.
//!
//! Each export returns the object that the `critfumble` CLI prints with
//! `--json` (`rollTotal` and `rollPlain` a roll's total and seed, its report
//! being built on first read), in the compact form of the `tree` module (a
//! roll's report in that of the `report` module): an op stream of numbers and its strings,
//! left in the wasm memory for the package's JavaScript (`js/api.js`) to
//! build the objects from in place. That is faster than serde_json's text and
//! `JSON.parse`, and keeps serde_json out of the build; building the objects
//! with serde-wasm-bindgen measured 2 to 3.6 times slower than `JSON.parse`.
//! Errors are thrown as an `Error` named `DiceError` with `start` and `end`
//! (UTF-16 offsets), which the JavaScript turns into an instance of its
//! `DiceError` class.
//!
//! The package ships two `.wasm` files from this crate: the feature `roll`
//! gives `roll` and `rollInline`, the one every caller loads; the feature
//! `analysis` gives `parse`, `bounds`, `stats` and `statsVs`, which read an
//! expression without rolling it, loaded only by those who use them (the
//! distributions and bounds are a third of the engine's code). The feature
//! `stats`, part of `analysis`, gives `stats` alone: the Discord Activity's
//! `.wasm`, which is not in the npm package.
//! Both are on by default, for the native unit tests.
#![deny(missing_docs)]

mod api;
#[cfg(feature = "roll")]
mod random;
#[cfg(feature = "roll")]
mod report;
mod tree;

#[cfg(feature = "roll")]
use api::Faces;
use api::{Failure, Options};
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
    /// The last result, until the next export replaces it; JS reads it in
    /// place through views of the wasm memory.
    static OUT: RefCell<tree::Encoder> = RefCell::new(tree::Encoder::with_capacity(256));
}

/// Hands a result to JS in place: writes it into [`OUT`] with `encode`,
/// followed by a header of three ops (the number of ops before it, the
/// strings' byte address and their length in bytes), and returns the header's
/// byte address. Nothing is copied out, and no memory changes hands: JS reads
/// the ops through a `Float64Array` and the strings through a `Uint8Array`
/// over the wasm memory, before its next call. On failure, throws.
fn hand_over(
    encode: impl FnOnce(&mut tree::Encoder) -> Result<(), Failure>,
) -> Result<usize, JsValue> {
    OUT.with_borrow_mut(|out| {
        encode(out).map_err(throw)?;
        let ops = out.ops.len();
        let strings = (out.strings.as_ptr() as usize, out.strings.len());
        out.push(ops as f64);
        out.push(strings.0 as f64);
        out.push(strings.1 as f64);
        Ok(out.ops[ops..].as_ptr() as usize)
    })
}

/// The instance's memory, for the package's views of the results.
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

#[cfg(feature = "analysis")]
/// The AST of `expr`, as `Expr` serializes it.
#[wasm_bindgen(js_name = parseTree)]
pub fn parse_tree(expr: &str, dialect: Option<String>, vars: JsValue) -> Result<usize, JsValue> {
    let options = options(dialect, &vars).map_err(throw)?;
    hand_over(|out| api::parse_tree(expr, &options, out))
}

#[cfg(feature = "roll")]
/// Where the faces of a roll come from: forced `dice` win over a `seed`, as
/// in the CLI; `unseeded` replays an earlier unseeded roll (its seed from
/// [`roll_total`]); with none of them, a new unseeded roll.
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

#[cfg(feature = "roll")]
/// Rolls `expr`: two numbers, its total and the seed that replays an
/// unseeded roll (NaN for a seeded or forced one). The package builds the
/// tree and the Markdown when they are first read, through [`roll_tree`].
#[wasm_bindgen(js_name = rollTotal)]
pub fn roll_total(
    expr: &str,
    dialect: Option<String>,
    vars: JsValue,
    seed: Option<u64>,
    dice: Option<Vec<f64>>,
) -> Result<usize, JsValue> {
    let options = options(dialect, &vars).map_err(throw)?;
    let faces = faces(seed, dice, None).map_err(throw)?;
    hand_over(|out| api::roll_total(expr, &options, faces, out))
}

#[cfg(feature = "roll")]
/// [`roll_total`] unseeded with the default options, the most common call,
/// without converting options that are not there.
#[wasm_bindgen(js_name = rollPlain)]
pub fn roll_plain(expr: &str) -> Result<usize, JsValue> {
    let faces = Faces::Unseeded(random::next_seed());
    hand_over(|out| api::roll_total(expr, &api::Options::default(), faces, out))
}

#[cfg(feature = "roll")]
/// Rolls `expr` again, from the same forced faces, seed or unseeded seed:
/// the object `critfumble roll --json` prints, or its Markdown alone.
#[wasm_bindgen(js_name = rollTree)]
#[allow(clippy::too_many_arguments)]
pub fn roll_tree(
    expr: &str,
    dialect: Option<String>,
    vars: JsValue,
    seed: Option<u64>,
    dice: Option<Vec<f64>>,
    unseeded: Option<f64>,
    markdown_only: bool,
) -> Result<usize, JsValue> {
    let options = options(dialect, &vars).map_err(throw)?;
    let faces = faces(seed, dice, unseeded).map_err(throw)?;
    replay(expr, &options, faces, markdown_only)
}

#[cfg(feature = "roll")]
/// [`roll_tree`] for an unseeded roll with the default options, the most
/// common replay, without converting options that are not there (an absent
/// `u64` seed alone costs the glue a BigInt).
#[wasm_bindgen(js_name = replayPlain)]
pub fn replay_plain(expr: &str, unseeded: f64, markdown_only: bool) -> Result<usize, JsValue> {
    let faces = Faces::Unseeded(unseeded as u64);
    replay(expr, &api::Options::default(), faces, markdown_only)
}

#[cfg(feature = "roll")]
/// Rolls `expr` from `faces`, for its report or its Markdown alone.
fn replay(
    expr: &str,
    options: &Options,
    faces: Faces,
    markdown_only: bool,
) -> Result<usize, JsValue> {
    if markdown_only {
        hand_over(|out| api::roll_markdown(expr, options, faces, out))
    } else {
        hand_over(|out| api::roll_tree(expr, options, faces, out))
    }
}

#[cfg(feature = "roll")]
/// Rolls each `[[expression]]` in `text`: `{"text", "rolls"}`.
#[wasm_bindgen(js_name = rollInlineTree)]
pub fn roll_inline_tree(
    text: &str,
    dialect: Option<String>,
    vars: JsValue,
    seed: Option<u64>,
) -> Result<usize, JsValue> {
    let options = options(dialect, &vars).map_err(throw)?;
    match seed {
        Some(seed) => hand_over(|out| {
            api::roll_inline_tree(text, &options, &mut critfumble_dice::seeded_rng(seed), out)
        }),
        None => {
            // Seeds the crypto generator, a call into JS that could throw,
            // before the result buffer is borrowed: a throw skips Rust's
            // cleanup, and a buffer left borrowed would fail every export.
            random::with_crypto_rng(|_| ());
            hand_over(|out| {
                random::with_crypto_rng(|rng| api::roll_inline_tree(text, &options, rng, out))
            })
        }
    }
}

#[cfg(feature = "analysis")]
/// The object `critfumble bounds --json` prints: `{"min", "max"}`, `null` for unbounded.
#[wasm_bindgen(js_name = boundsTree)]
pub fn bounds_tree(expr: &str, dialect: Option<String>, vars: JsValue) -> Result<usize, JsValue> {
    let options = options(dialect, &vars).map_err(throw)?;
    hand_over(|out| api::bounds_tree(expr, &options, out))
}

#[cfg(feature = "stats")]
/// The distribution of `expr`: the object `critfumble stats --json` prints.
#[wasm_bindgen(js_name = statsTree)]
pub fn stats_tree(expr: &str, dialect: Option<String>, vars: JsValue) -> Result<usize, JsValue> {
    let options = options(dialect, &vars).map_err(throw)?;
    hand_over(|out| api::stats_tree(expr, &options, out))
}

#[cfg(feature = "analysis")]
/// How the totals of `a` and `b` compare: the object `critfumble stats A --vs B
/// --json` prints, `{"a", "b", "equal", "greater", "less"}`.
#[wasm_bindgen(js_name = statsVsTree)]
pub fn stats_vs_tree(
    a: &str,
    b: &str,
    dialect: Option<String>,
    vars: JsValue,
) -> Result<usize, JsValue> {
    let options = options(dialect, &vars).map_err(throw)?;
    hand_over(|out| api::stats_vs_tree(a, b, &options, out))
}
