//! The exact chance that an attack with advantage hits: `2d20kh1 + BONUS`
//! against an armour class, from the exact distribution (no sampling). A
//! natural 1 always misses and a natural 20 always hits, as in D&D 5e.
//!
//! ```text
//! cargo run -p critfumble-examples --bin chance_to_hit -- [BONUS] [AC]   (default 5 15)
//! ```

use std::process::ExitCode;

use critfumble_dice::{Distribution, parse};

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let bonus: i64 = args.next().map_or(Ok(5), |text| text.parse())?;
    let armour_class: i64 = args.next().map_or(Ok(15), |text| text.parse())?;
    // The kept d20 alone decides the natural 1 and 20, so work on its
    // distribution and add the bonus to each face.
    let d20 = Distribution::of(&parse("2d20kh1")?)?;
    let hit: f64 = d20
        .probabilities
        .iter()
        .filter(|&&(face, _)| {
            face == 20.0 || (face != 1.0 && face + bonus as f64 >= armour_class as f64)
        })
        .map(|&(_, chance)| chance)
        .sum();
    println!(
        "2d20kh1{bonus:+} against AC {armour_class}: hits {:.4}% of the time",
        hit * 100.0
    );
    Ok(())
}

fn main() -> ExitCode {
    critfumble_examples::finish(run())
}
