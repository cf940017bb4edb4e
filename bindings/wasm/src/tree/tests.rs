//! The compact form, read back into JSON text, is serde_json's text.

use super::*;
use crate::api::Options;
use crate::report::*;
use std::collections::HashMap;

/// Reads the ops back as `js/api.js` does, writing JSON text on the way.
struct Reader<'a> {
    ops: &'a [f64],
    at: usize,
    strings: Vec<u16>,
    cut: usize,
    /// How many [`DIE`] and [`ELEM`] ops were read.
    folded: (usize, usize),
    /// How many nodes of a rolled tree were read.
    nodes: usize,
    /// The input of a roll's report, which JS adds as `expr`.
    input: &'a str,
}

impl Reader<'_> {
    fn op(&mut self) -> f64 {
        self.at += 1;
        self.ops[self.at - 1]
    }

    fn string(&mut self, units: usize) -> String {
        self.cut += units;
        String::from_utf16(&self.strings[self.cut - units..self.cut]).unwrap()
    }

    fn number(value: f64) -> String {
        // The trees write integers as integers, other numbers as f64.
        if value.fract() == 0.0 && value.abs() < 9.0e15 {
            (value as i64).to_string()
        } else {
            serde_json::to_string(&value).unwrap()
        }
    }

    fn value(&mut self, out: &mut String) {
        let op = self.op();
        match op {
            NULL => out.push_str("null"),
            FALSE => out.push_str("false"),
            TRUE => out.push_str("true"),
            NUM => out.push_str(&Self::number(self.op())),
            STR => {
                let units = self.op() as usize;
                let s = self.string(units);
                out.push_str(&serde_json::to_string(&s).unwrap());
            }
            ARR => {
                out.push('[');
                for i in 0..self.op() as usize {
                    if i > 0 {
                        out.push(',');
                    }
                    self.value(out);
                }
                out.push(']');
            }
            OBJ => {
                out.push('{');
                for i in 0..self.op() as usize {
                    if i > 0 {
                        out.push(',');
                    }
                    let key = self.op();
                    let key = if key >= 0.0 {
                        KEYS[key as usize].to_owned()
                    } else {
                        self.string((-1.0 - key) as usize)
                    };
                    out.push_str(&serde_json::to_string(&key).unwrap());
                    out.push(':');
                    self.value(out);
                }
                out.push('}');
            }
            DIE | ELEM => {
                if op == DIE {
                    self.folded.0 += 1;
                } else {
                    self.folded.1 += 1;
                }
                let value = self.op();
                let flags = self.op() as u32;
                // Indices into KEYS; `penetrated` (9) and `clamped` (10)
                // only when true.
                let keys: &[usize] = if op == DIE {
                    &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
                } else {
                    &[1, 5, 6]
                };
                out.push_str(&format!("{{\"value\":{}", Self::number(value)));
                for (bit, &key) in keys.iter().enumerate() {
                    let set = flags & (1 << bit) != 0;
                    if key < 9 || set {
                        out.push_str(&format!(",\"{}\":{set}", KEYS[key]));
                    }
                }
                if op == DIE && flags & HAS_PARTS != 0 {
                    out.push_str(",\"parts\":");
                    self.value(out);
                }
                out.push('}');
            }
            REPORT => {
                out.push_str("{\"expr\":");
                out.push_str(&serde_json::to_string(&self.input).unwrap());
                self.bare_number_field(out, "total");
                self.fields(out, &["rolled"]);
                self.string_field(out, "markdown");
                out.push('}');
            }
            other => self.node(other, out),
        }
    }

    /// `,"key":value` for each key.
    fn fields(&mut self, out: &mut String, keys: &[&str]) {
        for key in keys {
            out.push_str(&format!(",\"{key}\":"));
            self.value(out);
        }
    }

    /// `,"key":number`, the number being the next op (no [`NUM`] before it).
    fn bare_number_field(&mut self, out: &mut String, key: &str) {
        let value = self.op();
        out.push_str(&format!(",\"{key}\":{}", Self::number(value)));
    }

    /// `,"key":"string"`, the string's length being the next op.
    fn string_field(&mut self, out: &mut String, key: &str) {
        let units = self.op() as usize;
        let s = self.string(units);
        out.push_str(&format!(
            ",\"{key}\":{}",
            serde_json::to_string(&s).unwrap()
        ));
    }

    /// `,"key":[...]`, the number of values being the next op.
    fn list_field(&mut self, out: &mut String, key: &str) {
        out.push_str(&format!(",\"{key}\":["));
        for i in 0..self.op() as usize {
            if i > 0 {
                out.push(',');
            }
            self.value(out);
        }
        out.push(']');
    }

    /// A node of a rolled tree (`crate::report`), as serde writes it.
    fn node(&mut self, op: f64, out: &mut String) {
        let kind = match op {
            NUMBER_NODE => "number",
            DICE_NODE => "dice",
            GROUP_NODE => "group",
            UNARY_NODE => "unary",
            BINARY_NODE => "binary",
            CALL_NODE | CALL_ARGS_NODE => "call",
            REF_NODE => "reference",
            LABELED_NODE => "labeled",
            other => panic!("unknown op {other}"),
        };
        self.nodes += 1;
        out.push_str(&format!("{{\"type\":\"{kind}\""));
        self.bare_number_field(out, "value");
        match op {
            DICE_NODE => {
                self.string_field(out, "notation");
                self.fields(out, &["count", "faces", "modifiers", "rolled_faces"]);
                self.list_field(out, "dice");
            }
            GROUP_NODE => {
                self.list_field(out, "items");
                self.fields(out, &["modifiers"]);
                self.list_field(out, "elements");
            }
            UNARY_NODE => {
                self.string_field(out, "op");
                self.fields(out, &["operand"]);
            }
            BINARY_NODE => {
                self.string_field(out, "op");
                self.fields(out, &["lhs", "rhs"]);
            }
            CALL_NODE => {
                self.string_field(out, "func");
                self.fields(out, &["arg"]);
            }
            CALL_ARGS_NODE => {
                self.string_field(out, "func");
                self.list_field(out, "args");
            }
            REF_NODE => {
                self.fields(out, &["style"]);
                self.string_field(out, "name");
                self.fields(out, &["default"]);
            }
            LABELED_NODE => {
                self.string_field(out, "label");
                self.fields(out, &["inner"]);
            }
            _ => {}
        }
        out.push('}');
    }
}

/// The JSON text of what `encoder` holds, as serde_json would write it.
pub(crate) fn read(encoder: &Encoder) -> String {
    read_counting(encoder, "").0
}

/// What the ops read back as: the JSON text, how many dice and group elements
/// were folded, and how many rolled nodes were read. `input` is the `expr` of
/// a roll's report.
pub(crate) fn read_counting(encoder: &Encoder, input: &str) -> (String, (usize, usize), usize) {
    let mut reader = Reader {
        ops: &encoder.ops,
        at: 0,
        strings: encoder.strings.encode_utf16().collect(),
        cut: 0,
        folded: (0, 0),
        nodes: 0,
        input,
    };
    let mut out = String::new();
    reader.value(&mut out);
    assert_eq!(reader.at, encoder.ops.len(), "ops left over");
    assert_eq!(reader.cut, reader.strings.len(), "strings left over");
    (out, reader.folded, reader.nodes)
}

pub(crate) fn options(dialect: &str, vars: &[(&str, f64)]) -> Options {
    let vars: HashMap<String, f64> = vars.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    Options::new(Some(dialect), vars).unwrap()
}

#[test]
fn other_values_take_the_general_ops() {
    #[derive(serde::Serialize)]
    enum Shape {
        Unit,
        Newtype(i32),
        Tuple(u8, bool),
        Struct { x: Option<f64> },
    }
    let value = (
        Shape::Unit,
        Shape::Newtype(-3),
        Shape::Tuple(2, true),
        Shape::Struct { x: None },
        f64::NAN,
        'é',
        HashMap::from([("__proto__", 1u64)]),
    );
    let mut encoder = Encoder::default();
    encoder.encode(&value).unwrap();
    assert_eq!(read(&encoder), serde_json::to_string(&value).unwrap());
    assert!(encoder.encode(&1.5f32).is_err());
    assert!(encoder.encode(&HashMap::from([(1, 2)])).is_err());
}

#[test]
fn the_package_reads_the_same_keys() {
    let api = include_str!("../../js/api.js");
    let start = api.find("const KEYS = [").unwrap();
    let end = start + api[start..].find("];").unwrap();
    let js: Vec<&str> = api[start..end].split('\'').skip(1).step_by(2).collect();
    assert_eq!(js, KEYS);
}
