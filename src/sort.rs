//! The one sort of the core ([`sorted`]), and the duplicate finder built on it. Its
//! own module: the model and the rules both sort, and neither should import the other
//! for it.

/// Of the `items` (indices below `len`) with equal keys, marks all but the first in
/// `order`: duplicates found by one sort instead of comparing every pair.
pub(crate) fn later_of_equal<K: Ord, O: Ord>(
    len: usize,
    items: impl Iterator<Item = usize>,
    key: impl Fn(usize) -> K,
    order: impl Fn(usize) -> O,
) -> Vec<bool> {
    let items: Vec<usize> = items.collect();
    let by_key = sorted(items.len(), &|a, b| {
        let (a, b) = (items[a], items[b]);
        key(a).cmp(&key(b)).then_with(|| order(a).cmp(&order(b)))
    });
    let mut later = vec![false; len];
    for pair in by_key.windows(2) {
        let (a, b) = (items[pair[0]], items[pair[1]]);
        if key(a) == key(b) {
            later[b] = true;
        }
    }
    later
}

/// The indices `0..len` in the order `cmp` gives them, ties in index order. Every sort
/// of the core goes through this one heapsort (O(n log n), no allocation beyond the
/// result): the standard library's sorts would add several kB to the wasm bundle per
/// use, for lists that only a hostile file makes long.
pub(crate) fn sorted(len: usize, cmp: &dyn Fn(usize, usize) -> std::cmp::Ordering) -> Vec<usize> {
    // Ties broken by index, so the result is the one a stable sort gives.
    let less = |a: usize, b: usize| cmp(a, b).then(a.cmp(&b)).is_lt();
    let mut order: Vec<usize> = (0..len).collect();
    let sift = |order: &mut [usize], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(order[child], order[child + 1]) {
            child += 1;
        }
        if !less(order[root], order[child]) {
            return;
        }
        order.swap(root, child);
        root = child;
    };
    for root in (0..len / 2).rev() {
        sift(&mut order, root, len);
    }
    for end in (1..len).rev() {
        order.swap(0, end);
        sift(&mut order, 0, end);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::sorted;

    #[test]
    fn sorted_orders_like_a_stable_sort() {
        let keys = [5, 3, 9, 3, 0, 5, 5, 1, 8, 0, 2];
        let order = sorted(keys.len(), &|a, b| keys[a].cmp(&keys[b]));
        let mut expected: Vec<usize> = (0..keys.len()).collect();
        expected.sort_by_key(|&i| keys[i]);
        assert_eq!(order, expected);
        assert!(sorted(0, &|_, _| std::cmp::Ordering::Equal).is_empty());
        let many: Vec<u32> = (0..1000u32)
            .map(|i| i.wrapping_mul(2_654_435_761) % 97)
            .collect();
        let order = sorted(many.len(), &|a, b| many[a].cmp(&many[b]));
        let mut expected: Vec<usize> = (0..many.len()).collect();
        expected.sort_by_key(|&i| many[i]);
        assert_eq!(order, expected);
    }
}
