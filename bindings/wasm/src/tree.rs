//! A compact form of any `Serialize` value for JavaScript to build objects
//! from, in place of JSON text and `JSON.parse`: every result but a roll's
//! report, which `crate::report` writes in the same form without serde.
//!
//! The value becomes a stream of numbers (`ops`, read in JS through a
//! `Float64Array` over wasm memory) and one string holding every string of
//! the value back to back (decoded once; each `STR` gives its length in
//! UTF-16 units, so JS cuts it with `slice`). Map keys are numbers into
//! [`KEYS`], which `js/api.js` repeats, so that JS uses constant strings as
//! property names. The shape is serde's, the same that serde_json writes, so
//! `JSON.stringify` of what JS builds is the CLI's JSON text (the unit tests
//! read each kind back as serde_json's text, and the package's tests compare
//! every export with the CLI's output).

use serde::ser::{self, Serialize};
use std::fmt;

/// `null`.
pub(crate) const NULL: f64 = 0.0;
/// `false`.
pub(crate) const FALSE: f64 = 1.0;
/// `true`.
pub(crate) const TRUE: f64 = 2.0;
/// A number: the next op is its value.
pub(crate) const NUM: f64 = 3.0;
/// A string: the next op is its length in UTF-16 units.
pub(crate) const STR: f64 = 4.0;
/// An array: the next op is its length, then its items.
pub(crate) const ARR: f64 = 5.0;
/// An object: the next op is its number of entries, then each key (an index
/// into [`KEYS`], or `-1 - length` for a key in the strings) and value.
pub(crate) const OBJ: f64 = 6.0;

/// Keys that take one op: every key of the package's results (a key that is
/// not here goes into the strings). A die's keys come first, in the order it
/// has them. JS reads a key from here as a constant, which it finds far
/// faster as a property name than a string cut out of the strings.
pub(crate) const KEYS: [&str; 69] = [
    "value",
    "kept",
    "exploded",
    "rerolled",
    "added",
    "success",
    "failure",
    "critical",
    "fumble",
    "penetrated",
    "clamped",
    "type",
    "notation",
    "count",
    "faces",
    "modifiers",
    "rolled_faces",
    "dice",
    "items",
    "elements",
    "op",
    "operand",
    "lhs",
    "rhs",
    "func",
    "arg",
    "style",
    "name",
    "default",
    "label",
    "inner",
    "parts",
    "expr",
    "total",
    "rolled",
    "markdown",
    // Modifiers.
    "highest",
    "lowest",
    "matching",
    "on",
    // Parsed expressions.
    "dialect",
    "comment",
    "root",
    // Bounds and stats.
    "min",
    "max",
    "exact",
    "mean",
    "stddev",
    "distribution",
    "percentiles",
    "truncated_mass",
    "samples",
    "standard_error",
    // stats A --vs B.
    "a",
    "b",
    "equal",
    "greater",
    "less",
    // Inline rolls.
    "text",
    "rolls",
    "expression",
    "start",
    "end",
    "plain",
    // Percentiles.
    "5",
    "25",
    "50",
    "75",
    "95",
];

/// A value the encoder does not take (a non-string map key, an `f32`), or a
/// tree nested deeper than the dice crate's JSON allows. The export fails
/// with an error rather than build a wrong object (there is no JSON-text
/// fallback).
#[derive(Debug)]
pub(crate) struct Unsupported(String);

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unsupported {}

impl Unsupported {
    /// A rolled tree deeper than the dice crate writes as JSON, with the
    /// message that its serde error has.
    #[cfg(feature = "roll")]
    pub(crate) fn too_deep() -> Self {
        Unsupported(format!(
            "the expression nests more than {} terms deep, too deep for JSON",
            critfumble_dice::JSON_MAX_DEPTH
        ))
    }

    /// A kind of term that a newer dice crate added (its AST enums are
    /// `#[non_exhaustive]`) and that this encoder does not know yet.
    #[cfg(feature = "roll")]
    pub(crate) fn unknown_term(what: &str) -> Self {
        Unsupported(format!(
            "this version of the package cannot report this kind of {what}"
        ))
    }
}

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Unsupported(msg.to_string())
    }
}

/// The ops and the strings of one value.
#[derive(Debug, Default)]
pub(crate) struct Encoder {
    /// The op stream.
    pub(crate) ops: Vec<f64>,
    /// Every string of the value, back to back.
    pub(crate) strings: String,
}

impl Encoder {
    /// An empty encoder with room for `ops` ops and as many bytes of strings.
    pub(crate) fn with_capacity(ops: usize) -> Self {
        Encoder {
            ops: Vec::with_capacity(ops),
            strings: String::with_capacity(ops),
        }
    }

    /// Encodes `value`, replacing what was encoded before.
    pub(crate) fn encode<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.clear();
        self.append(value)
    }

    /// Empties the encoder, keeping its memory.
    pub(crate) fn clear(&mut self) {
        self.ops.clear();
        self.strings.clear();
    }

    /// Appends one op.
    pub(crate) fn push(&mut self, op: f64) {
        self.ops.push(op);
    }

    /// Appends `value` after what is there.
    pub(crate) fn append<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        value.serialize(&mut *self)
    }

    /// A number as serde_json has it: `null` when it is not finite.
    pub(crate) fn number(&mut self, value: f64) {
        if value.is_finite() {
            self.ops.extend([NUM, value]);
        } else {
            self.ops.push(NULL);
        }
    }

    /// The start of an array of `len` values, which follow (for a roll's
    /// report, in the main .wasm only).
    #[cfg(feature = "roll")]
    pub(crate) fn array(&mut self, len: usize) {
        self.ops.extend([ARR, len as f64]);
    }

    /// A string's length in UTF-16 units (no op before it), the string
    /// itself going to the strings.
    pub(crate) fn string(&mut self, s: &str) {
        let start = self.strings.len();
        self.strings.push_str(s);
        self.units_since(start);
    }

    /// A string that `write` appends to the strings, as [`Encoder::string`]
    /// (for a roll's report, in the main .wasm only).
    #[cfg(feature = "roll")]
    pub(crate) fn string_with(&mut self, write: impl FnOnce(&mut String)) {
        let start = self.strings.len();
        write(&mut self.strings);
        self.units_since(start);
    }

    /// Pushes the UTF-16 length of the strings written since byte `start`.
    fn units_since(&mut self, start: usize) {
        let units = self.units_of(start);
        self.ops.push(units as f64);
    }

    /// The UTF-16 length of the strings written since byte `start`.
    fn units_of(&self, start: usize) -> usize {
        let written = &self.strings[start..];
        if written.is_ascii() {
            written.len()
        } else {
            written.encode_utf16().count()
        }
    }

    fn key(&mut self, key: &str) {
        match KEYS.iter().position(|k| *k == key) {
            Some(index) => self.ops.push(index as f64),
            None => {
                let start = self.strings.len();
                self.strings.push_str(key);
                let units = self.units_of(start);
                self.ops.push(-1.0 - units as f64);
            }
        }
    }

    /// Starts an array or an object: its op and a count to fill in at the end.
    fn open(&mut self, op: f64) -> Compound<'_> {
        let start = self.ops.len();
        self.ops.push(op);
        self.ops.push(0.0);
        Compound {
            encoder: self,
            start,
            count: 0,
        }
    }

    /// `{"variant": ...}`, as serde_json writes an enum variant with data.
    fn variant(&mut self, variant: &str) {
        self.ops.push(OBJ);
        self.ops.push(1.0);
        self.key(variant);
    }
}

/// An array or an object being written.
pub(crate) struct Compound<'a> {
    encoder: &'a mut Encoder,
    start: usize,
    count: usize,
}

impl Compound<'_> {
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.count += 1;
        value.serialize(&mut *self.encoder)
    }

    fn entry<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Unsupported> {
        self.encoder.key(key);
        self.item(value)
    }

    fn close(self) -> Result<(), Unsupported> {
        self.encoder.ops[self.start + 1] = self.count as f64;
        Ok(())
    }
}

/// Integer methods of the encoder: each is a [`NUM`].
macro_rules! numbers {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method(self, v: $ty) -> Result<(), Unsupported> {
            self.serialize_f64(v as f64)
        }
    )*};
}

/// Enum variant methods of the encoder: `{"variant": ...}` around an array
/// or an object.
macro_rules! variants {
    ($out:ty; $($method:ident => $op:expr),* $(,)?) => {$(
        fn $method(
            self,
            _: &'static str,
            _: u32,
            variant: &'static str,
            _: usize,
        ) -> Result<$out, Unsupported> {
            self.variant(variant);
            Ok(self.open($op))
        }
    )*};
}

impl<'a> ser::Serializer for &'a mut Encoder {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Unsupported> {
        self.ops.push(if v { TRUE } else { FALSE });
        Ok(())
    }
    // Integers are numbers; JSON.parse reads an integer's digits to the
    // nearest double, as `as` does.
    numbers! {
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
    }
    /// serde_json writes an `f32` with `f32`'s shortest digits, which JS
    /// reads as a different double; none of the trees has one.
    fn serialize_f32(self, _: f32) -> Result<(), Unsupported> {
        Err(Unsupported("f32".into()))
    }
    /// serde_json writes a non-finite number as `null`.
    fn serialize_f64(self, v: f64) -> Result<(), Unsupported> {
        self.number(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Unsupported> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Unsupported> {
        self.ops.push(STR);
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Unsupported> {
        self.ops.extend([ARR, v.len() as f64]);
        for &b in v {
            self.ops.extend([NUM, f64::from(b)]);
        }
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Unsupported> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unsupported> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Unsupported> {
        self.ops.push(NULL);
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unsupported> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Unsupported> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        self.variant(variant);
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>, Unsupported> {
        Ok(self.open(ARR))
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound<'a>, Unsupported> {
        Ok(self.open(ARR))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Unsupported> {
        Ok(self.open(ARR))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>, Unsupported> {
        Ok(self.open(OBJ))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, Unsupported> {
        Ok(self.open(OBJ))
    }
    // `{"variant": [...]}` and `{"variant": {...}}`.
    variants! {
        Compound<'a>;
        serialize_tuple_variant => ARR,
        serialize_struct_variant => OBJ,
    }
}

/// The `Serialize*` traits whose items are values alone.
macro_rules! items {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Unsupported;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
                self.item(value)
            }
            fn end(self) -> Result<(), Unsupported> {
                self.close()
            }
        }
    )*};
}

items!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// The `Serialize*` traits whose items are fields with a static name.
macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Unsupported;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Unsupported> {
                self.entry(key, value)
            }
            fn end(self) -> Result<(), Unsupported> {
                self.close()
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unsupported> {
        key.serialize(KeySerializer(self.encoder))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.item(value)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.close()
    }
}

/// Map keys: strings only (serde_json also takes numbers and unit variants
/// as keys; no tree here has them, and the caller gets an error if one did).
struct KeySerializer<'a>(&'a mut Encoder);

/// The methods of [`KeySerializer`] for values that are not keys.
macro_rules! not_keys {
    ($($method:ident($($arg:ty),*) -> $out:ty;)*) => {$(
        fn $method(self, $(_: $arg),*) -> Result<$out, Unsupported> {
            Err(not_a_string_key())
        }
    )*};
}

impl ser::Serializer for KeySerializer<'_> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = ser::Impossible<(), Unsupported>;
    type SerializeTuple = ser::Impossible<(), Unsupported>;
    type SerializeTupleStruct = ser::Impossible<(), Unsupported>;
    type SerializeTupleVariant = ser::Impossible<(), Unsupported>;
    type SerializeMap = ser::Impossible<(), Unsupported>;
    type SerializeStruct = ser::Impossible<(), Unsupported>;
    type SerializeStructVariant = ser::Impossible<(), Unsupported>;

    fn serialize_str(self, v: &str) -> Result<(), Unsupported> {
        self.0.key(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Unsupported> {
        self.0.key(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<(), Unsupported> {
        Err(not_a_string_key())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Unsupported> {
        Err(not_a_string_key())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Unsupported> {
        Err(not_a_string_key())
    }
    not_keys! {
        serialize_bool(bool) -> ();
        serialize_i8(i8) -> ();
        serialize_i16(i16) -> ();
        serialize_i32(i32) -> ();
        serialize_i64(i64) -> ();
        serialize_u8(u8) -> ();
        serialize_u16(u16) -> ();
        serialize_u32(u32) -> ();
        serialize_u64(u64) -> ();
        serialize_f32(f32) -> ();
        serialize_f64(f64) -> ();
        serialize_bytes(&[u8]) -> ();
        serialize_none() -> ();
        serialize_unit() -> ();
        serialize_unit_struct(&'static str) -> ();
        serialize_unit_variant(&'static str, u32, &'static str) -> ();
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct(&'static str, usize) -> Self::SerializeStruct;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
}

fn not_a_string_key() -> Unsupported {
    Unsupported("a map key that is not a string".into())
}

#[cfg(test)]
pub(crate) mod tests;
