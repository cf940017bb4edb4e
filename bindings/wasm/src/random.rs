//! The generator for unseeded rolls: ChaCha12 seeded once from the browser's
//! (or Node's) `crypto.getRandomValues`.
//!
//! Seeding a `SeededRng` ourselves keeps getrandom's JS backend, and the
//! `--cfg getrandom_backend` flag it needs, out of the build entirely: the
//! dice crate is built with `default-features = false` and never asks the OS.

use critfumble_dice::SeededRng;
use rand::{Rng, SeedableRng};
use std::cell::RefCell;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    /// Web Crypto's `crypto.getRandomValues`, on `globalThis` in browsers,
    /// workers and Node 19+.
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buffer: &mut [u8]);
}

thread_local! {
    /// One generator per instance, seeded on the first unseeded roll, as
    /// `rand::rng()` keeps one per thread natively.
    static CRYPTO_RNG: RefCell<Option<SeededRng>> = const { RefCell::new(None) };
}

/// A fresh seed for the small generator of one unseeded roll, below 2^53 so
/// that JavaScript can hold it as a number and replay the roll (the package
/// builds the roll's tree only when it is read). 53 bits of a ChaCha12
/// stream seeded with 256 bits from `crypto` are plenty for the small
/// generator of one roll; seeding ChaCha12 for every roll cost more than a
/// small roll itself.
pub(crate) fn next_seed() -> u64 {
    with_crypto_rng(|rng| rng.next_u64() >> 11)
}

/// Runs `f` with the instance's crypto-seeded generator.
pub(crate) fn with_crypto_rng<T>(f: impl FnOnce(&mut SeededRng) -> T) -> T {
    CRYPTO_RNG.with_borrow_mut(|slot| {
        let rng = slot.get_or_insert_with(|| {
            let mut seed = <SeededRng as SeedableRng>::Seed::default();
            get_random_values(seed.as_mut());
            SeededRng::from_seed(seed)
        });
        f(rng)
    })
}
