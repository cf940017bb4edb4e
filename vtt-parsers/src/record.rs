//! The standard roll record that every format is parsed into.

use serde::{Deserialize, Serialize};

/// Which VTT and which representation a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// The Roll20 chat log HTML (`div.message`).
    Roll20Dom,
    /// The Roll20 Mod (API) `chat:message` object.
    Roll20Api,
    /// A Foundry VTT `ChatMessage` document.
    Foundry,
    /// A D&D Beyond game-log `dice/roll/fulfilled` message.
    DdbGamelog,
}

/// What sort of chat message a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A dice roll: `/roll`, a roll template, a Foundry roll or a DDB roll.
    Roll,
    /// Chat text that holds inline rolls.
    ChatWithRolls,
    /// Plain chat text.
    Chat,
    /// An emote (`/em`).
    Emote,
}

/// What a roll is for, when the source says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An attack roll (to hit).
    Attack,
    /// A damage roll.
    Damage,
    /// The damage roll of a critical hit.
    CriticalDamage,
    /// An ability or skill check.
    Check,
    /// A saving throw.
    Save,
    /// An initiative roll.
    Initiative,
}

/// Whether a roll is a critical success, a critical failure, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Crit {
    /// A kept d20 reached the critical threshold, or the source flags a critical hit.
    Success,
    /// A kept d20 shows 1.
    Failure,
    /// Neither.
    #[default]
    None,
}

/// The faces of a die: a number, or `"F"` for a Fate (Fudge) die.
///
/// Serializes as the number of faces or as the string `"F"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Faces {
    /// A die with this many faces, numbered from 1.
    Number(u32),
    /// A Fate die, showing -1, 0 or +1.
    Fate,
}

impl Serialize for Faces {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Faces::Number(faces) => serializer.serialize_u32(*faces),
            Faces::Fate => serializer.serialize_str("F"),
        }
    }
}

impl<'de> Deserialize<'de> for Faces {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Number(u32),
            Text(String),
        }
        match Written::deserialize(deserializer)? {
            Written::Number(faces) => Ok(Faces::Number(faces)),
            Written::Text(text) if text == "F" => Ok(Faces::Fate),
            Written::Text(text) => Err(serde::de::Error::custom(format!(
                "faces must be a number or \"F\", found \"{text}\""
            ))),
        }
    }
}

/// One die as it landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DieResult {
    /// The face shown (-1, 0 or 1 for a Fate die).
    pub value: i64,
    /// False when the die was dropped, discarded or rerolled away.
    pub kept: bool,
}

/// One dice term of a roll, e.g. the `2d20` of `2d20kh1 + 5`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiceTerm {
    /// The faces of each die, or null when the source does not tell.
    pub faces: Option<Faces>,
    /// Every die rolled, in rolled order, dropped and rerolled ones included.
    pub results: Vec<DieResult>,
}

/// A further roll of a message: damage, critical damage, the second roll of "roll twice".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtraRoll {
    /// The roll's expression verbatim, or null.
    pub formula: Option<String>,
    /// The roll's total, or null.
    #[serde(with = "crate::number")]
    pub total: Option<f64>,
    /// The dice terms of the roll.
    pub dice: Vec<DiceTerm>,
    /// The roll's name, when the source gives one.
    pub label: Option<String>,
    /// What the roll is for.
    pub role: Option<Role>,
    /// The crit rule applied to this roll.
    pub crit: Crit,
    /// Whether this roll's reported dice, replayed through its formula, give
    /// its reported total; null when that cannot be checked.
    pub verified: Option<bool>,
}

/// The standard record: one chat message of any supported VTT.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RollRecord {
    /// Where the message came from.
    pub source: Source,
    /// The source's id for the message, or null.
    pub message_id: Option<String>,
    /// What sort of message it is.
    pub kind: Kind,
    /// The display name of the sender, or null when the message alone does not tell.
    pub speaker: Option<String>,
    /// The primary roll's expression verbatim (labels and spacing kept), or null.
    pub formula: Option<String>,
    /// The primary roll's total (possibly fractional), or null.
    #[serde(with = "crate::number")]
    pub total: Option<f64>,
    /// One entry per dice term of the primary roll.
    pub dice: Vec<DiceTerm>,
    /// The template or roll name (Roll20), the plain-text flavor (Foundry), or `"<action>: <rollType>"` (DDB).
    pub label: Option<String>,
    /// Foundry's raw flavor HTML, or null.
    pub flavor: Option<String>,
    /// What the primary roll is for.
    pub role: Option<Role>,
    /// The visible text of a chat message, each inline roll replaced by its total.
    pub text: Option<String>,
    /// True for a whisper, a GM-only, self-only or blind message.
    pub private: bool,
    /// The recipients as the source names them, or null.
    pub whisper_to: Option<Vec<String>>,
    /// The crit rule applied to the primary roll.
    pub crit: Crit,
    /// The further rolls of the message.
    pub extra_rolls: Vec<ExtraRoll>,
    /// The verdict on every roll of the message: false when the reported dice
    /// of any roll (primary or extra) do not give its reported total, true when
    /// those of every roll do, and null when some roll cannot be checked and
    /// none fails. Each extra roll carries its own verdict too.
    pub verified: Option<bool>,
    /// The primary roll's own verdict, as [`ExtraRoll::verified`] is each
    /// extra roll's: null when it cannot be checked or the message has no roll.
    pub primary_verified: Option<bool>,
}

impl RollRecord {
    /// An empty record of `source` and `kind`, to be filled in by a parser.
    pub(crate) fn new(source: Source, kind: Kind) -> Self {
        RollRecord {
            source,
            message_id: None,
            kind,
            speaker: None,
            formula: None,
            total: None,
            dice: Vec::new(),
            label: None,
            flavor: None,
            role: None,
            text: None,
            private: false,
            whisper_to: None,
            crit: Crit::None,
            extra_rolls: Vec::new(),
            verified: None,
            primary_verified: None,
        }
    }

    /// Sets the primary roll from the first of `rolls` and the extra rolls
    /// from the rest, and the message's verdict from all of them.
    pub(crate) fn set_rolls(&mut self, rolls: Vec<ExtraRoll>) {
        self.verified = crate::verify::combine(rolls.iter().map(|roll| roll.verified));
        let mut rolls = rolls.into_iter();
        if let Some(primary) = rolls.next() {
            self.primary_verified = primary.verified;
            self.formula = primary.formula;
            self.total = primary.total;
            self.dice = primary.dice;
            if self.label.is_none() {
                self.label = primary.label;
            }
            if self.role.is_none() {
                self.role = primary.role;
            }
            self.crit = primary.crit;
        }
        self.extra_rolls = rolls.collect();
    }
}

/// What [`crate::parse`] returns: one record for one message, or several.
///
/// Serializes as a single object or as an array, following the input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Parsed {
    /// The input held one message.
    One(Box<RollRecord>),
    /// The input held several messages (or a JSON array).
    Many(Vec<RollRecord>),
}

impl Parsed {
    /// The records, in input order.
    pub fn records(&self) -> &[RollRecord] {
        match self {
            Parsed::One(record) => std::slice::from_ref(record),
            Parsed::Many(records) => records,
        }
    }

    /// The records, in input order, by value.
    pub fn into_records(self) -> Vec<RollRecord> {
        match self {
            Parsed::One(record) => vec![*record],
            Parsed::Many(records) => records,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faces_are_a_number_or_f() {
        assert_eq!(serde_json::to_string(&Faces::Number(20)).unwrap(), "20");
        assert_eq!(serde_json::to_string(&Faces::Fate).unwrap(), "\"F\"");
        assert_eq!(serde_json::from_str::<Faces>("\"F\"").unwrap(), Faces::Fate);
        assert_eq!(
            serde_json::from_str::<Faces>("6").unwrap(),
            Faces::Number(6)
        );
        let error = serde_json::from_str::<Faces>("\"G\"")
            .unwrap_err()
            .to_string();
        assert_eq!(error, "faces must be a number or \"F\", found \"G\"");
    }

    #[test]
    fn one_record_or_many() {
        let record = RollRecord::new(Source::Foundry, Kind::Chat);
        let one = Parsed::One(Box::new(record.clone()));
        assert!(serde_json::to_value(&one).unwrap().is_object());
        let many = Parsed::Many(vec![record.clone(), record]);
        assert_eq!(many.records().len(), 2);
        assert_eq!(one.into_records().len(), 1);
    }
}
