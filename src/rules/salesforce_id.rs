//! Salesforce record Ids: 15 characters case-sensitive, or 18 with a three-character
//! suffix that makes them case-insensitively unique. Status Ids from the catalog are
//! normalised to 18 characters, the form Omni-Channel's API returns.

const SUFFIX_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// Returns the 18-character form of a 15- or 18-character Id, or `None` when the text
/// is not an Id.
pub(crate) fn to_18(id: &str) -> Option<String> {
    if !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    match id.len() {
        18 => Some(id.to_string()),
        15 => {
            let mut out = id.to_string();
            for chunk in id.as_bytes().chunks(5) {
                let bits = chunk
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.is_ascii_uppercase())
                    .fold(0usize, |acc, (i, _)| acc | (1 << i));
                out.push(char::from(SUFFIX_ALPHABET[bits]));
            }
            Some(out)
        }
        _ => None,
    }
}

/// Two Ids name the same record when their 15-character case-sensitive parts agree.
pub(crate) fn same_id(a: &str, b: &str) -> bool {
    a.len() >= 15 && b.len() >= 15 && a.get(..15) == b.get(..15)
}

/// Whether two texts name the same record: equal, or both Ids (15 or 18 characters)
/// of the same record. For values that may or may not be Ids, such as a scope's.
pub(crate) fn same_record(a: &str, b: &str) -> bool {
    a == b || (to_18(a).is_some() && to_18(b).is_some() && same_id(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_suffix() {
        // Every letter upper case sets every bit: index 31 in each chunk.
        assert_eq!(
            to_18("ABCDEFGHIJKLMNO").as_deref(),
            Some("ABCDEFGHIJKLMNO555")
        );
        assert_eq!(
            to_18("000000000000000").as_deref(),
            Some("000000000000000AAA")
        );
        // Bit 0 of chunk one and bit 3 of chunk three.
        assert_eq!(
            to_18("A000000000000Z0").as_deref(),
            Some("A000000000000Z0BAI")
        );
    }

    #[test]
    fn rejects_non_ids() {
        assert_eq!(to_18("0N5-000000000000"), None);
        assert_eq!(to_18("short"), None);
        assert_eq!(
            to_18("0N5xx00000000010AA").as_deref(),
            Some("0N5xx00000000010AA")
        );
    }

    #[test]
    fn compares_on_the_case_sensitive_part() {
        assert!(same_id("0N5xx0000000001", "0N5xx00000000010AA"));
        assert!(!same_id("0N5xx0000000002", "0N5xx00000000010AA"));
        assert!(!same_id("short", "short"));
    }

    #[test]
    fn same_record_accepts_either_form_of_an_id() {
        assert!(same_record("00eHs000000AbCd", "00eHs000000AbCdIAK"));
        assert!(same_record("00eHs000000AbCdIAK", "00eHs000000AbCd"));
        // The case-sensitive part differs: another record.
        assert!(!same_record("00eHs000000abcd", "00eHs000000AbCdIAK"));
        // Not Ids: only equal texts match, however long their common start.
        assert!(same_record("Tier 1", "Tier 1"));
        assert!(!same_record("0123456789abcdef-x", "0123456789abcdeZZZ"));
    }
}
