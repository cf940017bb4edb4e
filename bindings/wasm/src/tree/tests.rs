//! The compact form, read back into JSON text, is serde_json's text.

use super::*;
use crate::api::{Faces, Options, roll_json, roll_tree};
use std::collections::HashMap;

/// Reads the ops back as `js/api.js` does, writing JSON text on the way.
struct Reader<'a> {
    ops: &'a [f64],
    at: usize,
    strings: Vec<u16>,
    cut: usize,
    /// How many [`DIE`] and [`ELEM`] ops were read.
    folded: (usize, usize),
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
                let keys: &[usize] = if op == DIE {
                    &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
                } else {
                    &ELEMENT_KEYS
                };
                out.push_str(&format!("{{\"value\":{}", Self::number(value)));
                for (bit, &key) in keys.iter().enumerate() {
                    let set = flags & (1 << bit) != 0;
                    if key < PENETRATED || set {
                        out.push_str(&format!(",\"{}\":{set}", KEYS[key]));
                    }
                }
                out.push('}');
            }
            other => panic!("unknown op {other}"),
        }
    }
}

/// The JSON text of what `encoder` holds, as serde_json would write it.
pub(crate) fn read(encoder: &Encoder) -> String {
    read_counting(encoder).0
}

/// The JSON text, and how many dice and group elements were folded.
fn read_counting(encoder: &Encoder) -> (String, (usize, usize)) {
    let mut reader = Reader {
        ops: &encoder.ops,
        at: 0,
        strings: encoder.strings.encode_utf16().collect(),
        cut: 0,
        folded: (0, 0),
    };
    let mut out = String::new();
    reader.value(&mut out);
    assert_eq!(reader.at, encoder.ops.len(), "ops left over");
    assert_eq!(reader.cut, reader.strings.len(), "strings left over");
    (out, reader.folded)
}

fn options(dialect: &str, vars: &[(&str, f64)]) -> Options {
    let vars: HashMap<String, f64> = vars.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    Options::new(Some(dialect), vars).unwrap()
}

#[test]
fn rolled_trees_read_back_as_the_clis_json() {
    let cases: &[(&str, &str)] = &[
        ("1d20", "default"),
        ("2d20kh1+5", "default"),
        ("4d6kh3", "default"),
        ("100d6", "default"),
        ("4dF+2", "default"),
        ("d%", "default"),
        ("5d6!>5", "default"),
        ("3d6!!", "default"),
        ("3d6!p", "default"),
        ("4d6rr<2", "default"),
        ("10d6min3", "default"),
        ("10d10cs>7cf<2", "default"),
        ("6d6sd", "default"),
        ("{4d6, 3d8}kh1", "default"),
        ("{3d6+1d8}>10", "default"),
        ("(1d4)d6 + 2d(1d6+2)", "default"),
        ("round(2d6*1.5) - 4/8", "default"),
        ("1d6[fire é🎲] + 2[STR]", "default"),
        ("1d20+5 \"Attack\"", "default"),
        ("1d20+5 # stealth check", "default"),
        ("1d20 + @str.mod + ?{Bonus|2}", "default"),
        ("8d6!!", "roll20"),
        ("{3d20+5}>21", "foundry"),
        ("10d4pl2", "d20"),
    ];
    for (seed, (expr, dialect)) in cases.iter().enumerate() {
        let options = options(dialect, &[("str.mod", 3.0)]);
        let seed = seed as u64 * 7 + 1;
        let json = roll_json(expr, &options, Faces::Seed(seed)).unwrap();
        let encoded = roll_tree(expr, &options, Faces::Seed(seed)).unwrap();
        assert_eq!(read(&encoded), json, "{expr}");
    }
}

#[test]
fn dice_and_elements_fold_into_one_op() {
    let encoded = roll_tree("100d6", &options("default", &[]), Faces::Seed(1)).unwrap();
    assert_eq!(read_counting(&encoded).1, (100, 0));
    // Far fewer ops than the 20 a die takes unfolded.
    assert!(encoded.ops.len() < 400, "{}", encoded.ops.len());
    let encoded = roll_tree(
        "{4d6, 3d8, 2d10}kh1",
        &options("default", &[]),
        Faces::Seed(1),
    )
    .unwrap();
    assert_eq!(read_counting(&encoded).1, (9, 3));
}

#[test]
fn compounded_dice_keep_their_parts() {
    // `!!` with forced faces: 6 then 6 then 2 compound into one die of 14.
    let encoded = roll_tree(
        "1d6!!",
        &options("default", &[]),
        Faces::Forced(vec![6, 6, 2]),
    )
    .unwrap();
    let json = roll_json(
        "1d6!!",
        &options("default", &[]),
        Faces::Forced(vec![6, 6, 2]),
    )
    .unwrap();
    assert!(json.contains("\"parts\":[6,6,2]"), "{json}");
    assert_eq!(read(&encoded), json);
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
