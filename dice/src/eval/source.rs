//! Where die faces come from: a random generator, or a forced sequence for replays.

use crate::die::DieKind;
use crate::{DiceError, Span};
use rand::Rng;
use rand::distr::{Distribution, Uniform};

/// A source of die faces.
pub(crate) trait DieSource {
    /// The value one die of `kind` shows.
    fn draw(&mut self, kind: DieKind, span: Span) -> Result<i64, DiceError>;
}

/// Draws fair faces from an RNG, with Lemire's unbiased bounded sampling.
pub(crate) struct RandomSource<'r, R: Rng + ?Sized> {
    rng: &'r mut R,
    sides: u64,
    uniform32: Option<Uniform<u32>>,
}

impl<'r, R: Rng + ?Sized> RandomSource<'r, R> {
    pub(crate) fn new(rng: &'r mut R) -> Self {
        RandomSource {
            rng,
            sides: 0,
            uniform32: None,
        }
    }
}

impl<R: Rng + ?Sized> DieSource for RandomSource<'_, R> {
    #[inline]
    fn draw(&mut self, kind: DieKind, span: Span) -> Result<i64, DiceError> {
        let sides = kind.sides();
        if sides != self.sides {
            self.sides = sides;
            self.uniform32 = u32::try_from(sides)
                .ok()
                .and_then(|n| Uniform::new_inclusive(1, n).ok());
        }
        let draw = match &self.uniform32 {
            Some(uniform) => u64::from(uniform.sample(self.rng)),
            None => Uniform::new_inclusive(1, sides)
                .map_err(|_| DiceError::invalid("a die needs at least one face", span))?
                .sample(self.rng),
        };
        Ok(kind.value(draw))
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
