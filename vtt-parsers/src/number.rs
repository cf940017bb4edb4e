//! Serde helpers that write whole totals as JSON integers (`17`, not `17.0`).

use serde::{Deserialize, Deserializer, Serializer};

/// Largest magnitude below which every whole `f64` is exactly an `i64`.
const EXACT_INTEGER_LIMIT: f64 = 9_007_199_254_740_992.0;

/// Writes `Some(17.0)` as `17`, `Some(10.5)` as `10.5` and `None` as `null`.
pub(crate) fn serialize<S: Serializer>(
    value: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        None => serializer.serialize_none(),
        Some(number) if number.fract() == 0.0 && number.abs() < EXACT_INTEGER_LIMIT => {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "a whole number below 2^53 converts exactly"
            )]
            let whole = *number as i64;
            serializer.serialize_i64(whole)
        }
        Some(number) => serializer.serialize_f64(*number),
    }
}

/// Reads a number or `null`.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<f64>, D::Error> {
    Option::<f64>::deserialize(deserializer)
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize, serde::Deserialize)]
    struct Holder {
        #[serde(with = "super")]
        total: Option<f64>,
    }

    fn written(total: Option<f64>) -> String {
        serde_json::to_string(&Holder { total }).unwrap()
    }

    #[test]
    fn whole_numbers_are_integers_and_fractions_stay() {
        assert_eq!(written(Some(17.0)), r#"{"total":17}"#);
        assert_eq!(written(Some(-3.0)), r#"{"total":-3}"#);
        assert_eq!(written(Some(10.1)), r#"{"total":10.1}"#);
        assert_eq!(written(None), r#"{"total":null}"#);
        assert_eq!(written(Some(1e300)), r#"{"total":1e+300}"#);
    }

    #[test]
    fn reads_back_both_forms() {
        let holder: Holder = serde_json::from_str(r#"{"total":4}"#).unwrap();
        assert_eq!(holder.total, Some(4.0));
        let holder: Holder = serde_json::from_str(r#"{"total":null}"#).unwrap();
        assert_eq!(holder.total, None);
    }
}
