//! Numeric strings read exactly. The standard library's float parser is exact too, but
//! its tables would add about 13 kB (gzip) to the wasm bundle, over its size budget;
//! this reader is a few hundred bytes: the common case (up to 15 digits, exponent
//! within 22) is one exact floating-point operation, anything else is divided out with
//! big integers, slowly and exactly. `tests` holds it to the standard library's parser.

/// Digits kept. A value halfway between two doubles has at most 767 significant
/// digits, so the first 800 and whether any digit after them is not 0 decide the
/// rounding.
const MAX_DIGITS: i64 = 800;

/// Parses a plain decimal such as `2`, `-0.5`, `+3`, `.5`, `12.` or `1e3`; `None` for
/// anything else (`NaN`, `inf`, hexadecimal and surrounding spaces included) and for a
/// value beyond f64's range (`1e999`); a tiny one (`1e-400`) is 0. The one reader of
/// numeric strings, in events and in rule values alike. Correctly rounded, as
/// JavaScript's `JSON.parse` and Rust's own parser read the same number (`"1e23"` is
/// 1e23, not its neighbour).
pub(crate) fn parse_decimal(s: &str) -> Option<f64> {
    let bytes = s.as_bytes();
    let negative = bytes.first() == Some(&b'-');
    let mut at = usize::from(matches!(bytes.first(), Some(b'+' | b'-')));
    let digits = |at: &mut usize| {
        let start = *at;
        while bytes.get(*at).is_some_and(u8::is_ascii_digit) {
            *at += 1;
        }
        bytes.get(start..*at).unwrap_or_default()
    };
    let whole = digits(&mut at);
    let fraction = if bytes.get(at) == Some(&b'.') {
        at += 1;
        digits(&mut at)
    } else {
        &[]
    };
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let mut exponent: i64 = 0;
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        let sign = match bytes.get(at) {
            Some(b'-') => -1,
            Some(b'+') => 1,
            _ => 0,
        };
        at += usize::from(sign != 0);
        let written = digits(&mut at);
        if written.is_empty() {
            return None;
        }
        // Clamped beyond the length of any string, so nothing below overflows.
        let magnitude = written
            .iter()
            .fold(0i64, |n, c| (n * 10 + i64::from(c - b'0')).min(1 << 56));
        exponent = if sign < 0 { -magnitude } else { magnitude };
    }
    if at != bytes.len() {
        return None;
    }
    let value = magnitude(whole, fraction, exponent)?;
    Some(if negative { -value } else { value })
}

/// The value of the digits `whole.fraction` times ten to `exponent`, rounded to the
/// nearest double (ties to even); `None` beyond f64's range.
fn magnitude(whole: &[u8], fraction: &[u8], exponent: i64) -> Option<f64> {
    // value = numerator * 10^scale, the numerator made of the significant digits.
    let mut scale = exponent - fraction.len() as i64;
    let mut numerator = Big::default();
    let (mut count, mut small, mut zeros) = (0i64, 0u64, 0i64);
    let (mut full, mut rest_nonzero) = (false, false);
    for &c in whole.iter().chain(fraction) {
        let digit = c - b'0';
        if full {
            scale += 1;
            rest_nonzero |= digit != 0;
        } else if digit == 0 {
            // Leading zeros count for nothing; trailing ones wait for a digit after
            // them, so a number such as 1000 stays small.
            zeros += i64::from(count > 0);
        } else if count + zeros >= MAX_DIGITS {
            // The first MAX_DIGITS digits are kept, the rest stands as one "more".
            for _ in count..MAX_DIGITS {
                numerator.mul_add(10, 0);
            }
            scale += count + zeros + 1 - MAX_DIGITS;
            (count, zeros, full, rest_nonzero) = (MAX_DIGITS, 0, true, true);
        } else {
            for _ in 0..zeros {
                numerator.mul_add(10, 0);
                small = small.wrapping_mul(10);
            }
            numerator.mul_add(10, u32::from(digit));
            small = small.wrapping_mul(10).wrapping_add(u64::from(digit));
            count += zeros + 1;
            zeros = 0;
        }
    }
    // Zeros not taken into the numerator: a power of ten.
    scale += zeros;
    if rest_nonzero {
        // Something after the digits kept: a 1 after the last stands for it, and
        // never lands on a halfway point.
        numerator.mul_add(10, 1);
        count += 1;
        scale -= 1;
    }
    if count == 0 || count + scale < -330 {
        return Some(0.0);
    }
    if count + scale > 310 {
        return None;
    }
    // Exact: the digits and the power of ten are both doubles (10^22 is the last
    // power that is), so one rounding.
    if count <= 15 && scale.abs() <= 22 {
        let power = 10f64.powi(scale.abs() as i32);
        return Some(if scale < 0 {
            small as f64 / power
        } else {
            small as f64 * power
        });
    }
    let mut denominator = Big::default();
    denominator.mul_add(1, 1);
    let power = if scale < 0 {
        &mut denominator
    } else {
        &mut numerator
    };
    for _ in 0..scale.unsigned_abs() {
        power.mul_add(10, 0);
    }
    Some(divide(numerator, denominator)).filter(|v| v.is_finite())
}

/// `numerator / denominator` rounded to the nearest double (ties to even); both are
/// above 0. The quotient is taken to 63 or 64 bits and the remainder kept as one "more
/// below" bit, which is all the rounding needs.
fn divide(mut rest: Big, mut denominator: Big) -> f64 {
    // numerator * 2^shift / denominator lies in [2^62, 2^64).
    let shift = 63 + denominator.bits() as i64 - rest.bits() as i64;
    for _ in 0..shift.max(0) {
        rest.mul_add(2, 0);
    }
    // Long division, a bit at a time: the rest, doubled at each step, against the
    // denominator times 2^63 (the same as the rest against the denominator times the
    // bit's power of two).
    for _ in shift.min(0)..63 {
        denominator.mul_add(2, 0);
    }
    let mut quotient: u64 = 0;
    for _ in 0..64 {
        quotient <<= 1;
        if rest.at_least(&denominator) {
            rest.subtract(&denominator);
            quotient |= 1;
        }
        rest.mul_add(2, 0);
    }
    round(quotient | u64::from(!rest.is_zero()), -shift)
}

/// `mantissa * 2^exponent` rounded to the nearest double, ties to even, subnormals
/// included; `mantissa` has 63 bits or more, its lowest one standing for anything
/// below it. Infinity when too large.
fn round(mantissa: u64, exponent: i64) -> f64 {
    let bits = 64 - i64::from(mantissa.leading_zeros());
    // The power of two of the value's leading bit, and the bits dropped to keep 53
    // (fewer kept below the normal range, where doubles thin out).
    let top = bits - 1 + exponent;
    let dropped = if top >= -1022 {
        bits - 53
    } else {
        -1074 - exponent
    };
    if dropped >= 64 {
        // At most half the smallest double: it or 0, whichever is nearer (0 on a tie).
        let up = dropped == 64 && mantissa > 1 << 63;
        return if up { f64::from_bits(1) } else { 0.0 };
    }
    let kept = mantissa >> dropped;
    let below = mantissa & ((1 << dropped) - 1);
    let half = 1 << (dropped - 1);
    let up = below > half || (below == half && kept & 1 == 1);
    let kept = (kept + u64::from(up)) as f64;
    let power = exponent + dropped;
    if power > 1023 {
        return f64::INFINITY;
    }
    // 2^power is a double (down to 2^-1074), and so is the product whenever the
    // rounded value is: multiplying by it rounds nothing.
    let two_to_power = if power >= -1022 {
        f64::from_bits(((power + 1023) as u64) << 52)
    } else {
        f64::from_bits(1 << (power + 1074))
    };
    kept * two_to_power
}

/// A non-negative integer of any size: 32-bit limbs, least significant first, no
/// leading zero limbs.
#[derive(Debug, Clone, Default)]
struct Big(Vec<u32>);

impl Big {
    /// `self * factor + add`.
    fn mul_add(&mut self, factor: u32, add: u32) {
        let mut carry = u64::from(add);
        for limb in &mut self.0 {
            let n = u64::from(*limb) * u64::from(factor) + carry;
            *limb = n as u32;
            carry = n >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    fn bits(&self) -> usize {
        self.0
            .last()
            .map_or(0, |top| 32 * self.0.len() - top.leading_zeros() as usize)
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `self` is at least `other`.
    fn at_least(&self, other: &Big) -> bool {
        if self.0.len() != other.0.len() {
            return self.0.len() > other.0.len();
        }
        for (a, b) in self.0.iter().zip(&other.0).rev() {
            if a != b {
                return a > b;
            }
        }
        true
    }

    /// `self - other`, where `other` is not larger.
    fn subtract(&mut self, other: &Big) {
        let mut borrow = false;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let (n, b1) = limb.overflowing_sub(other.0.get(i).copied().unwrap_or(0));
            let (n, b2) = n.overflowing_sub(u32::from(borrow));
            *limb = n;
            borrow = b1 || b2;
        }
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_decimal;

    /// Rust's own reading of a decimal, for the strings of this reader's grammar.
    fn rust(text: &str) -> Option<f64> {
        text.parse::<f64>().ok().filter(|v| v.is_finite())
    }

    fn same(text: &str) {
        assert_eq!(
            parse_decimal(text).map(f64::to_bits),
            rust(text).map(f64::to_bits),
            "{text}"
        );
    }

    #[test]
    fn decimals_read_as_rust_reads_them() {
        for text in [
            "0",
            "2",
            "2.5",
            "-0.5",
            "+3",
            "1e3",
            "1E-2",
            "12.",
            ".5",
            "100",
            "0.1",
            "0.3",
            "123456.789",
            "99.99",
            "1e22",
            "1e23",
            "4.35",
            "-0",
            "0e999999",
            "000000000000000000000000001.5",
            "8.98846567431158e307",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "2.2250738585072011e-308",
            "2.2250738585072012e-308",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "9007199254740993",
            "9007199254740993.0000000000000000000000000001",
            "9007199254740995",
            "0.1e-400",
            "11111111111111111111e-20",
        ] {
            same(text);
        }
        assert_eq!(parse_decimal("1e23"), Some(1e23));
        assert_ne!(parse_decimal("1e23"), Some(1.000_000_000_000_000_1e23));
        // Halfway between two doubles only past the 800th digit.
        let long = format!("9007199254740993{}1", "0".repeat(900));
        assert_eq!(parse_decimal(&long), rust(&long));
    }

    #[test]
    fn anything_else_is_refused() {
        for text in [
            "",
            "-",
            ".",
            "abc",
            "1.2.3",
            "NaN",
            "nan",
            "inf",
            "INF",
            "infinity",
            "Infinity",
            "-Infinity",
            "1e",
            "1x",
            "--1",
            "+-1",
            "1e999",
            "1e+",
            "1e--2",
            "1e2.5",
            "0x10",
            "1_000",
            " 1",
            "1 ",
            "e5",
            ".e5",
        ] {
            assert_eq!(parse_decimal(text), None, "{text}");
        }
    }

    #[test]
    fn huge_exponents_never_wrap() {
        // 20 digits push the scale past the exponent: it must not wrap to a tiny number.
        for text in [
            "11111111111111111111e2147483647",
            "1e2147483648",
            "1e99999999999999999999",
            "111111111111111111111111e2147483646",
        ] {
            assert_eq!(parse_decimal(text), None, "{text}");
        }
        assert_eq!(parse_decimal("1e-2147483648"), Some(0.0));
        assert_eq!(parse_decimal("5e-99999999999"), Some(0.0));
        assert_eq!(parse_decimal("-5e-99999999999"), Some(-0.0));
        // Many digits, and an exponent that brings them back into range.
        let digits = format!("{}e-1995", "7".repeat(2000));
        assert_eq!(parse_decimal(&digits), rust(&digits));
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::{parse_decimal, rust};
        use proptest::prelude::*;

        fn bits(v: Option<f64>) -> Option<u64> {
            v.map(f64::to_bits)
        }

        proptest! {
            /// Decimal strings of every form this reader takes, with exponents over and
            /// beyond f64's range, read as Rust's own correctly rounded parser reads them.
            #[test]
            fn random_decimals_read_as_rust_reads_them(
                text in "[+-]?[0-9]{0,30}(\\.[0-9]{0,30})?([eE][+-]?[0-9]{1,5})?"
            ) {
                let mantissa = text.split(['e', 'E']).next().unwrap_or_default();
                let expected = if mantissa.bytes().any(|c| c.is_ascii_digit()) {
                    rust(&text)
                } else {
                    None
                };
                prop_assert_eq!(bits(parse_decimal(&text)), bits(expected), "{}", text);
            }

            /// The same with exponents where doubles are: normal, subnormal, the largest.
            #[test]
            fn decimals_near_every_power_read_as_rust_reads_them(
                whole in "[0-9]{1,25}",
                fraction in "[0-9]{0,25}",
                exponent in -360i32..330,
            ) {
                let text = format!("{whole}.{fraction}e{exponent}");
                prop_assert_eq!(bits(parse_decimal(&text)), bits(rust(&text)), "{}", text);
            }

            /// Any finite double, written out in full or in scientific notation, reads
            /// back as the very same double.
            #[test]
            fn every_double_reads_back(bits_in in any::<u64>()) {
                let x = f64::from_bits(bits_in);
                prop_assume!(x.is_finite());
                for text in [format!("{x}"), format!("{x:e}"), format!("{x:E}")] {
                    prop_assert_eq!(bits(parse_decimal(&text)), Some(bits_in), "{}", text);
                }
            }

            /// Exactly halfway between two doubles: to the even one, as Rust rounds.
            #[test]
            fn halfway_values_round_to_even(
                mantissa in (1u128 << 52)..(1u128 << 53),
                up in 0u32..70,
                down in 0u32..30,
            ) {
                let odd = 2 * mantissa + 1;
                let above = format!("{}", odd << up);
                // odd * 2^-(down + 1) = odd * 5^(down + 1) / 10^(down + 1)
                let below = format!("{}e-{}", odd * 5u128.pow(down + 1), down + 1);
                for text in [above, below] {
                    prop_assert_eq!(bits(parse_decimal(&text)), bits(rust(&text)), "{}", text);
                }
            }

            /// Anything outside the grammar is refused, even where Rust's parser takes it.
            #[test]
            fn other_text_is_refused(
                text in "[+-]?(inf|infinity|nan|NaN|Infinity)|[0-9]*[a-df-z_ ][0-9]*"
            ) {
                prop_assert_eq!(parse_decimal(&text), None, "{}", text);
            }
        }
    }
}
