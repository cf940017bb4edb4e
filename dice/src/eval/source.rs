//! Where die faces come from: a random generator, or a forced sequence for replays.

use crate::die::DieKind;
use crate::rolled::{DiceVec, Die, flag};
use crate::{DiceError, Span};
use rand::Rng;
use rand::distr::{Distribution, Uniform};

/// A source of die faces.
pub(crate) trait DieSource {
    /// The value one die of `kind` shows.
    fn draw(&mut self, kind: DieKind, span: Span) -> Result<i64, DiceError>;

    /// Rolls `count` plain dice into `dice` and returns their sum.
    fn draw_many(
        &mut self,
        kind: DieKind,
        count: u64,
        dice: &mut DiceVec,
        span: Span,
    ) -> Result<i64, DiceError> {
        draw_each(self, kind, count, dice, span)
    }
}

/// Draws fair faces from an RNG.
pub(crate) struct RandomSource<'r, R: Rng + ?Sized> {
    rng: &'r mut R,
}

impl<'r, R: Rng + ?Sized> RandomSource<'r, R> {
    pub(crate) fn new(rng: &'r mut R) -> Self {
        RandomSource { rng }
    }
}

/// A uniform draw in `1..=sides`, exactly unbiased, by Lemire's nearly
/// divisionless method ("Fast Random Integer Generation in an Interval", 2019):
/// the division that sets the rejection threshold runs only in the rare case
/// (probability `sides / 2^32`) that a draw might need rejecting.
#[inline]
fn draw_in<R: Rng + ?Sized>(rng: &mut R, sides: u32) -> u32 {
    let first = rng.next_u32();
    draw_from(rng, first, sides)
}

/// [`draw_in`] starting from 32 random bits already drawn.
#[inline]
fn draw_from<R: Rng + ?Sized>(rng: &mut R, first: u32, sides: u32) -> u32 {
    let mut product = u64::from(first) * u64::from(sides);
    let mut low = product as u32;
    if low < sides {
        let threshold = sides.wrapping_neg() % sides;
        while low < threshold {
            product = u64::from(rng.next_u32()) * u64::from(sides);
            low = product as u32;
        }
    }
    (product >> 32) as u32 + 1
}

impl<R: Rng + ?Sized> DieSource for RandomSource<'_, R> {
    #[inline]
    fn draw(&mut self, kind: DieKind, span: Span) -> Result<i64, DiceError> {
        let draw = match u32::try_from(kind.sides()) {
            Ok(sides) => u64::from(draw_in(self.rng, sides)),
            Err(_) => Uniform::new_inclusive(1, kind.sides())
                .map_err(|_| DiceError::invalid("a die needs at least one face", span))?
                .sample(self.rng),
        };
        Ok(kind.value(draw))
    }

    fn draw_many(
        &mut self,
        kind: DieKind,
        count: u64,
        dice: &mut DiceVec,
        span: Span,
    ) -> Result<i64, DiceError> {
        let (DieKind::Numeric(sides), Ok(count)) = (kind, usize::try_from(count)) else {
            return draw_each(self, kind, count, dice, span);
        };
        let Ok(sides) = u32::try_from(sides) else {
            return draw_each(self, kind, count as u64, dice, span);
        };
        // The hot loop of plain `NdM`: one bounded draw and one store per die,
        // into a slice, which skips the capacity check that pushing pays.
        if count <= 2 {
            // One or two dice: pushing costs less than zeroing a block first.
            let mut sum = 0;
            for _ in 0..count {
                let value = i64::from(draw_in(self.rng, sides));
                sum += value;
                dice.push(Die {
                    value,
                    flags: flag::LAZY_EXTREMES,
                });
            }
            return Ok(sum);
        }
        let start = dice.len();
        grow_zeroed(dice, count);
        let (pairs, rest) = dice[start..].as_chunks_mut::<2>();
        let mut sum = fill_pairs(&mut *self.rng, sides, pairs);
        for slot in rest {
            let value = i64::from(draw_in(self.rng, sides));
            sum += value;
            *slot = Die {
                value,
                flags: flag::LAZY_EXTREMES,
            };
        }
        Ok(sum)
    }
}

/// Rolls plain dice into `pairs`, two per 64-bit step of the generator, and
/// returns their sum. A function of its own so that the generator and the
/// slots arrive as separate references: the compiler then knows that storing
/// a die cannot change the generator, and keeps its state in registers.
fn fill_pairs<R: Rng + ?Sized>(rng: &mut R, sides: u32, pairs: &mut [[Die; 2]]) -> i64 {
    let mut sum = 0;
    for pair in pairs {
        let bits = rng.next_u64();
        let first = i64::from(draw_from(rng, bits as u32, sides));
        let second = i64::from(draw_from(rng, (bits >> 32) as u32, sides));
        sum += first + second;
        *pair = [
            Die {
                value: first,
                flags: flag::LAZY_EXTREMES,
            },
            Die {
                value: second,
                flags: flag::LAZY_EXTREMES,
            },
        ];
    }
    sum
}

/// Rolls `count` dice one draw at a time.
fn draw_each<S: DieSource + ?Sized>(
    source: &mut S,
    kind: DieKind,
    count: u64,
    dice: &mut DiceVec,
    span: Span,
) -> Result<i64, DiceError> {
    let mut sum = 0;
    for _ in 0..count {
        let value = source.draw(kind, span)?;
        sum += value;
        dice.push(Die::new(value, kind));
    }
    Ok(sum)
}

/// Appends `count` blank dice by copying blocks, far cheaper per die than
/// `SmallVec::resize`, which pushes one at a time.
fn grow_zeroed(dice: &mut DiceVec, count: usize) {
    const BLANK: [Die; 64] = [Die { value: 0, flags: 0 }; 64];
    dice.reserve(count);
    let mut left = count;
    while left > 0 {
        let n = left.min(BLANK.len());
        dice.extend_from_slice(&BLANK[..n]);
        left -= n;
    }
}

/// Replays given faces in the order the dice are rolled.
pub(crate) struct ForcedSource<'f> {
    faces: &'f [i64],
    used: usize,
}

impl<'f> ForcedSource<'f> {
    pub(crate) fn new(faces: &'f [i64]) -> Self {
        ForcedSource { faces, used: 0 }
    }

    /// How many forced faces were used.
    pub(crate) fn used(&self) -> usize {
        self.used
    }
}

impl DieSource for ForcedSource<'_> {
    fn draw(&mut self, kind: DieKind, span: Span) -> Result<i64, DiceError> {
        let Some(&value) = self.faces.get(self.used) else {
            return Err(DiceError::ForcedDiceExhausted {
                faces: kind.label(),
                used: self.used,
                span,
            });
        };
        if kind.draw_of(value).is_none() {
            return Err(DiceError::ForcedDieImpossible {
                value,
                faces: kind.label(),
                span,
            });
        }
        self.used += 1;
        Ok(value)
    }
}
