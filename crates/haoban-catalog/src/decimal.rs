//! Exact decimals for conditions: `+ - *` are exact, division is rounded once, half to
//! even, to 28 significant digits, as the spec says. Arbitrary precision underneath, with
//! inputs bounded so that no condition can ask for astronomically long numbers.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::{BigInt, Sign};
use bigdecimal::num_traits::{Signed, Zero};

pub type Decimal = BigDecimal;

/// Significant digits kept by decimal division.
pub const DIVISION_DIGITS: u64 = 28;

/// Inputs (literals, facts) may have at most this many digits and an exponent of at most
/// this size: far beyond money or measurements, small enough to keep arithmetic cheap.
const MAX_INPUT_DIGITS: u64 = 60;
const MAX_INPUT_EXPONENT: i64 = 60;

/// Reads a decimal exactly from its text (`2590.49`, `-3`, `2.59049e3`); `None` when it is
/// not a number or outside the supported range.
pub fn parse_exact(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let valid_chars = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    if !valid_chars {
        return None;
    }
    let value = BigDecimal::from_str(text).ok()?.normalized();
    let (mantissa, scale) = value.as_bigint_and_exponent();
    let digits = digit_count(&mantissa);
    let exponent = digits as i64 - scale;
    (digits <= MAX_INPUT_DIGITS
        && exponent.abs() <= MAX_INPUT_EXPONENT
        && scale.abs() <= 2 * MAX_INPUT_EXPONENT)
        .then_some(value)
}

fn digit_count(n: &BigInt) -> u64 {
    if n.is_zero() {
        1
    } else {
        n.magnitude().to_str_radix(10).len() as u64
    }
}

fn pow10(n: u64) -> BigInt {
    BigInt::from(10u32).pow(n as u32)
}

/// `a / b` rounded once, half to even, to 28 significant digits; `None` for `b = 0`.
pub fn divide(a: &Decimal, b: &Decimal) -> Option<Decimal> {
    if b.is_zero() {
        return None;
    }
    if a.is_zero() {
        return Some(Decimal::zero());
    }
    let (ma, sa) = a.as_bigint_and_exponent();
    let (mb, sb) = b.as_bigint_and_exponent();
    let negative = (ma.sign() == Sign::Minus) != (mb.sign() == Sign::Minus);
    let (na, nb) = (ma.abs(), mb.abs());
    // Scale the numerator by 10^k so that the integer quotient has exactly 28 digits.
    let mut k = DIVISION_DIGITS as i64 + digit_count(&nb) as i64 - digit_count(&na) as i64;
    loop {
        let (num, den) = if k >= 0 {
            (&na * pow10(k as u64), nb.clone())
        } else {
            (na.clone(), &nb * pow10((-k) as u64))
        };
        let quotient = &num / &den;
        let digits = digit_count(&quotient);
        if digits > DIVISION_DIGITS {
            k -= 1;
            continue;
        }
        if digits < DIVISION_DIGITS {
            k += 1;
            continue;
        }
        let remainder = &num - &quotient * &den;
        let twice = &remainder * 2;
        let round_up = twice > den || (twice == den && (&quotient % 2u32) == BigInt::from(1));
        let quotient = if round_up { quotient + 1 } else { quotient };
        let signed = if negative { -quotient } else { quotient };
        return Some(BigDecimal::new(signed, sa - sb + k).normalized());
    }
}

/// `a % b` with the sign of the dividend (truncating division); `None` for `b = 0`.
pub fn remainder(a: &Decimal, b: &Decimal) -> Option<Decimal> {
    if b.is_zero() {
        return None;
    }
    let scale = a.fractional_digit_count().max(b.fractional_digit_count());
    let (ma, _) = a.with_scale(scale).as_bigint_and_exponent();
    let (mb, _) = b.with_scale(scale).as_bigint_and_exponent();
    // BigInt's `%` truncates, so the result has the sign of the dividend.
    Some(BigDecimal::new(ma % mb, scale).normalized())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        parse_exact(text).expect(text)
    }

    #[test]
    fn division_rounds_once_half_to_even_to_28_digits() {
        assert_eq!(
            divide(&d("1"), &d("3")),
            Some(d("0.3333333333333333333333333333"))
        );
        assert_eq!(
            divide(&d("2"), &d("3")),
            Some(d("0.6666666666666666666666666667"))
        );
        assert_eq!(
            divide(&d("16"), &d("11")),
            Some(d("1.454545454545454545454545455"))
        );
        assert_eq!(
            divide(&d("1"), &d("7000")),
            Some(d("0.0001428571428571428571428571429"))
        );
        assert_eq!(divide(&d("-7"), &d("2")), Some(d("-3.5")));
        assert_eq!(divide(&d("6"), &d("4")), Some(d("1.5")));
        assert_eq!(
            divide(&d("1e-28"), &d("3")),
            Some(d("3.333333333333333333333333333e-29"))
        );
        assert_eq!(divide(&d("1"), &d("0")), None);
    }

    #[test]
    fn remainders_keep_the_sign_of_the_dividend() {
        assert_eq!(remainder(&d("-7.5"), &d("2")), Some(d("-1.5")));
        assert_eq!(remainder(&d("7.5"), &d("-2")), Some(d("1.5")));
        assert_eq!(remainder(&d("7"), &d("0")), None);
    }

    #[test]
    fn inputs_are_exact_and_bounded() {
        assert_eq!(d("2.59049e3"), d("2590.49"));
        assert_eq!(d("1.00000000000000000000000000000"), d("1"));
        assert!(parse_exact("1e999999999").is_none());
        assert!(parse_exact("0x10").is_none());
        assert!(parse_exact("NaN").is_none());
        assert!(parse_exact("").is_none());
    }
}
