//! Fuzz target: resident ID numbers (公民身份号码, GB 11643) as typed at a desk, a kiosk or
//! read from a population file.
//!
//! Two inputs per run: the bytes as text (other inputs skip this half), and, when there
//! are at least 17 bytes, a number built from them (17 digits, one per byte, and the
//! right check character), so that most runs reach a number that parses.
//!
//! Beyond "no panic", asserted:
//! - `IdNumber::parse` agrees with a reference written here (shape, then a real date of
//!   birth from 1900 on by `NaiveDate::from_ymd_opt`, then the MOD 11-2 check character),
//!   error for error, including the expected check character;
//! - a parsed number is the input trimmed and uppercased, and re-parses to itself (text,
//!   `FromStr`, JSON);
//! - `birth_date()` is positions 7 to 14; `masked()` is the first four and last four
//!   characters around ten `*`, and neither it nor `Debug` holds the middle digits;
//! - the check character detects every single-digit change and every swap of two
//!   adjacent different digits in the first 17; `check_character` takes any bytes;
//! - the desk's `Visitor::new` accepts the number exactly when `IdNumber::parse` does,
//!   and keeps it in the parsed form.

#![no_main]

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use haoban_cases::{IdError, IdNumber, check_character};
use haoban_hall::Visitor;
use libfuzzer_sys::fuzz_target;

/// GB 11643's weights and check characters, written out again rather than imported.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [u8; 11] = *b"10X98765432";

fn reference_check(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

/// What `IdNumber::parse` must answer for `text`.
fn reference(text: &str) -> Result<String, IdError> {
    let text = text.trim().to_ascii_uppercase();
    let b = text.as_bytes();
    if b.len() != 18
        || !b[..17].iter().all(u8::is_ascii_digit)
        || !(b[17].is_ascii_digit() || b[17] == b'X')
    {
        return Err(IdError::IdNumberShape);
    }
    let number = |range: std::ops::Range<usize>| -> u32 {
        b[range].iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'))
    };
    let year = number(6..10) as i32;
    let birth = NaiveDate::from_ymd_opt(year, number(10..12), number(12..14));
    if year < 1900 || birth.is_none() {
        return Err(IdError::IdNumberBirthDate);
    }
    let expected = reference_check(&b[..17]);
    if b[17] != expected {
        return Err(IdError::IdNumberCheckDigit {
            expected: expected as char,
        });
    }
    Ok(text)
}

fn check_text(text: &str) {
    let parsed = IdNumber::parse(text);
    let expected = reference(text);
    match (&parsed, &expected) {
        (Ok(id), Ok(canonical)) => check_parsed(id, canonical),
        (Err(err), Err(reference)) => {
            assert_eq!(err, reference, "{text:?}");
            assert!(!err.to_string().is_empty());
        }
        _ => panic!("{text:?}: parse {parsed:?}, reference {expected:?}"),
    }

    let at = Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap();
    match (Visitor::new(text, "张三", None, at), &parsed) {
        (Ok(visitor), Ok(id)) => assert_eq!(visitor.id_number, id.as_ref()),
        (Err(err), Err(id_err)) => assert_eq!(err.to_string(), id_err.to_string()),
        (visitor, _) => panic!("{text:?}: the desk says {visitor:?}, IdNumber::parse {parsed:?}"),
    }
}

fn check_parsed(id: &IdNumber, canonical: &str) {
    let text = id.as_ref();
    assert_eq!(text, canonical);
    assert_eq!(id.to_string(), text);
    assert_eq!(IdNumber::parse(text).as_ref(), Ok(id));
    assert_eq!(text.parse::<IdNumber>().as_ref(), Ok(id));
    let json = serde_json::to_string(id).expect("an ID number serializes");
    assert_eq!(
        serde_json::from_str::<IdNumber>(&json).ok().as_ref(),
        Some(id)
    );
    // The lowercase check character is the same number.
    assert_eq!(IdNumber::parse(&text.to_ascii_lowercase()).as_ref(), Ok(id));

    let bytes = text.as_bytes();
    assert_eq!(check_character(&bytes[..17]), bytes[17]);

    let birth = id.birth_date();
    assert!(birth.year() >= 1900);
    assert_eq!(birth.format("%Y%m%d").to_string(), &text[6..14]);

    let middle = &text[4..14];
    let masked = id.masked();
    assert_eq!(masked.len(), 18, "{masked}");
    assert_eq!(&masked[..4], &text[..4]);
    assert_eq!(&masked[4..14], "**********");
    assert_eq!(&masked[14..], &text[14..]);
    let debug = format!("{id:?}");
    assert!(
        !masked.contains(middle) && !debug.contains(middle),
        "{debug}"
    );

    // ISO 7064 MOD 11-2 catches every single-digit error and every adjacent swap.
    let body: [u8; 17] = bytes[..17].try_into().expect("17 digits");
    for i in 0..17 {
        for d in b'0'..=b'9' {
            if d != body[i] {
                let mut changed = body;
                changed[i] = d;
                assert_ne!(check_character(&changed), bytes[17], "digit {i} -> {d}");
            }
        }
        if i < 16 && body[i] != body[i + 1] {
            let mut swapped = body;
            swapped.swap(i, i + 1);
            assert_ne!(check_character(&swapped), bytes[17], "swap at {i}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    // Public, so it must take any bytes without a panic; its answer is one of the eleven.
    assert!(CHECK.contains(&check_character(data)));
    if let Ok(text) = std::str::from_utf8(data) {
        check_text(text);
    }
    if data.len() >= 17 {
        let mut body: Vec<u8> = data[..17].iter().map(|b| b'0' + b % 10).collect();
        // Bias the year to 19xx/20xx so that half the built numbers have a real birth date.
        if data[0] & 1 == 0 {
            body[6] = b'1' + (data[1] & 1);
            body[7] = if body[6] == b'1' { b'9' } else { b'0' };
        }
        let check = check_character(&body);
        assert_eq!(check, reference_check(&body));
        body.push(check);
        let built = String::from_utf8(body).expect("ASCII");
        check_text(&built);
        // Surrounding whitespace (a space, a tab, an ideographic space) is not part of it.
        check_text(&format!(" \t{built}\u{3000}\n"));
    }
});
