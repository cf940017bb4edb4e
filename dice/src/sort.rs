//! One stable sort for the whole crate, on one concrete type.
//!
//! `sort_by` and `sort_by_key` are generic: each call site with its own
//! closure got its own copy of the standard library's stable sort, about
//! 7 KB each in the WebAssembly build (59 KB for eight sites). Every site
//! here sorts by one number with ties in their original order, so each
//! turns its items into `(key, index)` pairs, [`sort_keyed`] orders them,
//! and the site reads its items back through the indices.
//!
//! The pairs are unique, so std's `sort_unstable` on them would give the
//! same order, and it is measured against this merge sort in
//! `benches/README.md`: as fast on the pools dice usually make (16 items or
//! fewer) and about twice as fast from 100 items, but 5.6 KB larger in the
//! package's main .wasm (2.2 KB gzipped, which would leave it under 1 KB
//! short of its 80 KB budget). Few rolls sort hundreds of dice, and every
//! page loads the .wasm, so the merge sort stays.

/// A key that orders `x` as [`f64::total_cmp`] does: the same bit trick,
/// so `f64_key(a).cmp(&f64_key(b)) == a.total_cmp(&b)`.
pub(crate) fn f64_key(x: f64) -> i64 {
    let bits = x.to_bits() as i64;
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}

/// A key that orders the other way round: `descending(a) < descending(b)`
/// exactly when `a > b`, for every `i64` (no overflow, unlike negation).
pub(crate) fn descending(key: i64) -> i64 {
    !key
}

/// What [`sort_keyed`] sorts: a key and where the item was.
pub(crate) type Keyed = (i64, usize);

/// The pair for a number `value` at `index`, smallest first when
/// `ascending`, largest first otherwise (by [`f64::total_cmp`]).
pub(crate) fn keyed_f64(value: f64, index: usize, ascending: bool) -> Keyed {
    let key = f64_key(value);
    (if ascending { key } else { descending(key) }, index)
}

/// Pairs `(keys[i], i)` ordered by key, ties by index: a stable sort of the
/// keys, as the indices say where each item was.
pub(crate) fn order_by_key(keys: impl Iterator<Item = i64>) -> Vec<usize> {
    let mut pairs: Vec<Keyed> = keys.enumerate().map(|(i, k)| (k, i)).collect();
    sort_keyed(&mut pairs);
    pairs.into_iter().map(|(_, i)| i).collect()
}

/// Sorts `(key, index)` pairs by key, then index: a merge sort with an
/// insertion sort for short runs, not generic so that it exists once.
/// Pairs that are equal in both key and index keep their order too.
pub(crate) fn sort_keyed(pairs: &mut [Keyed]) {
    const RUN: usize = 16;
    let n = pairs.len();
    for run in pairs.chunks_mut(RUN) {
        insertion_sort(run);
    }
    if n <= RUN {
        return;
    }
    let mut buffer: Vec<Keyed> = pairs.to_vec();
    let mut width = RUN;
    // Alternate between the slice and the buffer; `in_buffer` says where the
    // sorted runs of `width` are now.
    let mut in_buffer = false;
    while width < n {
        let (from, to): (&[Keyed], &mut [Keyed]) = if in_buffer {
            (&buffer, pairs)
        } else {
            (pairs, &mut buffer)
        };
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            merge(&from[start..mid], &from[mid..end], &mut to[start..end]);
            start = end;
        }
        in_buffer = !in_buffer;
        width *= 2;
    }
    if in_buffer {
        pairs.copy_from_slice(&buffer);
    }
}

/// Insertion sort of a short run.
fn insertion_sort(run: &mut [Keyed]) {
    for i in 1..run.len() {
        let item = run[i];
        let mut j = i;
        while j > 0 && item < run[j - 1] {
            run[j] = run[j - 1];
            j -= 1;
        }
        run[j] = item;
    }
}

/// Merges two sorted runs into `out` (`left` first on ties: stable).
fn merge(left: &[Keyed], right: &[Keyed], out: &mut [Keyed]) {
    let (mut i, mut j) = (0, 0);
    for slot in out.iter_mut() {
        let take_left = match (left.get(i), right.get(j)) {
            (Some(l), Some(r)) => l <= r,
            (Some(_), None) => true,
            _ => false,
        };
        if take_left {
            *slot = left[i];
            i += 1;
        } else {
            *slot = right[j];
            j += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn f64_keys_order_as_total_cmp() {
        let values = [
            f64::NEG_INFINITY,
            -1.5,
            -0.0,
            0.0,
            1e-300,
            2.0,
            f64::INFINITY,
            f64::NAN,
        ];
        for a in values {
            for b in values {
                assert_eq!(f64_key(a).cmp(&f64_key(b)), a.total_cmp(&b), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn descending_reverses_the_extremes() {
        assert!(descending(i64::MAX) < descending(i64::MIN));
        assert!(descending(0) < descending(-1));
    }

    proptest! {
        #[test]
        fn orders_as_the_standard_stable_sort(keys in prop::collection::vec(-20i64..20, 0..300)) {
            let mut expected: Vec<usize> = (0..keys.len()).collect();
            expected.sort_by_key(|&i| keys[i]);
            prop_assert_eq!(order_by_key(keys.iter().copied()), expected);
        }

        #[test]
        fn descending_orders_as_reverse_stable_sort(keys in prop::collection::vec(any::<i64>(), 0..100)) {
            let mut expected: Vec<usize> = (0..keys.len()).collect();
            expected.sort_by_key(|&i| std::cmp::Reverse(keys[i]));
            prop_assert_eq!(order_by_key(keys.iter().map(|&k| descending(k))), expected);
        }

        #[test]
        fn float_keys_order_as_total_cmp(values in prop::collection::vec(any::<f64>(), 0..100)) {
            let mut expected: Vec<usize> = (0..values.len()).collect();
            expected.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
            prop_assert_eq!(order_by_key(values.iter().map(|&v| f64_key(v))), expected);
        }
    }
}
