//! Hash maps for the replay's hot lookups (a row's user and status, an event built
//! already, a rule's tallies): keys are short and come from the org's own exports, so
//! rustc's own multiply-rotate hash (the rustc-hash crate) is enough; the standard one
//! (SipHash, made to withstand chosen keys) was a tenth of the reader's time.

/// A `HashMap` with rustc-hash's `FxHasher`.
pub(crate) type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_differ_in_any_byte_or_length_find_their_own_entries() {
        let mut map: FastMap<String, usize> = FastMap::default();
        let keys = [
            "",
            "a",
            "a\0",
            "005Hs00000ALICEAA",
            "005Hs00000ALICEAB",
            "Available",
        ];
        for (i, k) in keys.iter().enumerate() {
            map.insert(k.to_string(), i);
        }
        assert_eq!(map.len(), keys.len());
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(map.get(*k), Some(&i));
        }
    }
}
