//! [`DieKind`]: what one die can show, shared by the roller, bounds and the termination check.

use crate::Dialect;
use crate::ast::Faces;

/// The faces of one die once they are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DieKind {
    /// Faces 1 to N.
    Numeric(u64),
    /// Fate: −1, 0, +1.
    Fate,
    /// Avrae's `d%`: 0, 10, …, 90.
    Tens,
}

impl DieKind {
    /// The kind for faces that need no computing, or `None` for computed faces.
    pub(crate) fn known(faces: Faces, dialect: Dialect) -> Option<DieKind> {
        match faces {
            Faces::Literal(n) => Some(DieKind::Numeric(n)),
            Faces::Percent if dialect.percentile_is_tens() => Some(DieKind::Tens),
            Faces::Percent => Some(DieKind::Numeric(100)),
            Faces::Fate => Some(DieKind::Fate),
            Faces::Computed(_) => None,
        }
    }

    /// How many equally likely faces: a draw is `1..=sides()`.
    #[inline]
    pub(crate) fn sides(self) -> u64 {
        match self {
            DieKind::Numeric(n) => n,
            DieKind::Fate => 3,
            DieKind::Tens => 10,
        }
    }

    /// The value shown for a draw in `1..=sides()`.
    #[inline]
    pub(crate) fn value(self, draw: u64) -> i64 {
        match self {
            DieKind::Numeric(_) => draw as i64,
            DieKind::Fate => draw as i64 - 2,
            DieKind::Tens => (draw as i64 - 1) * 10,
        }
    }

    /// The draw that shows `value`, if the die can show it.
    pub(crate) fn draw_of(self, value: i64) -> Option<u64> {
        let draw = match self {
            DieKind::Numeric(_) => value,
            DieKind::Fate => value + 2,
            DieKind::Tens if value % 10 == 0 => value / 10 + 1,
            DieKind::Tens => return None,
        };
        (1..=self.sides() as i64)
            .contains(&draw)
            .then_some(draw as u64)
    }

    /// The lowest face.
    #[inline]
    pub(crate) fn min(self) -> i64 {
        self.value(1)
    }

    /// The highest face.
    #[inline]
    pub(crate) fn max(self) -> i64 {
        self.value(self.sides())
    }

    /// How the faces print after `d`: `20`, `F`, `%`.
    pub(crate) fn label(self) -> String {
        match self {
            DieKind::Numeric(n) => n.to_string(),
            DieKind::Fate => "F".to_string(),
            DieKind::Tens => "%".to_string(),
        }
    }
}
