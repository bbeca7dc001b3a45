//! Identifiers that validate on construction: a value of these types is always well formed.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error(
        "center id `{0}` must be 1 to 32 characters of a-z, 0-9 and -, starting with a letter or digit"
    )]
    Center(String),
    #[error("ID number must be 18 characters: 17 digits and a check digit (0-9 or X)")]
    IdNumberShape,
    #[error("ID number has no valid date of birth in positions 7 to 14")]
    IdNumberBirthDate,
    #[error("ID number's check digit is wrong (GB 11643): expected {expected}")]
    IdNumberCheckDigit { expected: char },
    #[error("case number `{0}` must look like CENTER-YYYYMMDD-NNNN")]
    CaseNumber(String),
}

macro_rules! string_id {
    ($name:ident) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                $name::parse(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                $name::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// A service center, e.g. `linfen`. Every stored row carries one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CenterId(String);
string_id!(CenterId);

impl CenterId {
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let ok = (1..=32).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !text.starts_with('-');
        if ok {
            Ok(CenterId(text.to_owned()))
        } else {
            Err(IdError::Center(text.to_owned()))
        }
    }
}

/// A resident identity number (公民身份号码, GB 11643-1999): 6-digit region, 8-digit date of
/// birth, 3-digit sequence, and an ISO 7064 MOD 11-2 check character.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);
string_id!(IdNumber);

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

impl IdNumber {
    /// Accepts a lowercase `x` as the check character and stores it uppercase.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let text = text.trim().to_ascii_uppercase();
        let bytes = text.as_bytes();
        let shape = bytes.len() == 18
            && bytes[..17].iter().all(u8::is_ascii_digit)
            && (bytes[17].is_ascii_digit() || bytes[17] == b'X');
        if !shape {
            return Err(IdError::IdNumberShape);
        }
        let birth = NaiveDate::parse_from_str(&text[6..14], "%Y%m%d")
            .ok()
            .filter(|d| d.year() >= 1900);
        if birth.is_none() {
            return Err(IdError::IdNumberBirthDate);
        }
        let expected = check_character(&bytes[..17]);
        if bytes[17] != expected {
            return Err(IdError::IdNumberCheckDigit {
                expected: expected as char,
            });
        }
        Ok(IdNumber(text))
    }

    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").expect("validated at parse")
    }

    /// `3101**********1234`: what every screen shows unless the role may see the number.
    pub fn masked(&self) -> String {
        format!("{}**********{}", &self.0[..4], &self.0[14..])
    }
}

/// The check character for the first 17 digits (ISO 7064 MOD 11-2). Other bytes give a
/// meaningless character, never a panic: this is public, and the fuzz target `id_number`
/// found that a byte below `0` overflowed the subtraction.
pub fn check_character(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d.wrapping_sub(b'0')) * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

impl fmt::Debug for IdNumber {
    /// Masked, so an ID number never reaches a log through `{:?}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

/// An applicant's ID number as a case keeps it: known, or erased once the case has been
/// over longer than personal data is kept. The case and its process record stay (they are
/// the legal trace of the decision); only the number goes (docs/personal-data.md).
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum ApplicantId {
    Known(IdNumber),
    Erased,
}

impl ApplicantId {
    /// How an erased number is written, in a case and in its record.
    pub const ERASED: &'static str = "erased";

    pub fn known(&self) -> Option<&IdNumber> {
        match self {
            ApplicantId::Known(id) => Some(id),
            ApplicantId::Erased => None,
        }
    }

    /// Whether this is `id`: never, once erased.
    pub fn is(&self, id: &IdNumber) -> bool {
        self.known() == Some(id)
    }

    /// The number masked as screens show it, or [`ApplicantId::ERASED`].
    pub fn masked(&self) -> String {
        self.known()
            .map_or_else(|| Self::ERASED.to_owned(), IdNumber::masked)
    }

    /// The number in full, or [`ApplicantId::ERASED`]: for a role that may see it.
    pub fn unmasked(&self) -> String {
        self.known()
            .map_or_else(|| Self::ERASED.to_owned(), ToString::to_string)
    }
}

impl From<IdNumber> for ApplicantId {
    fn from(id: IdNumber) -> Self {
        ApplicantId::Known(id)
    }
}

impl fmt::Debug for ApplicantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplicantId::Known(id) => id.fmt(f),
            ApplicantId::Erased => f.write_str("Erased"),
        }
    }
}

impl Serialize for ApplicantId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ApplicantId::Known(id) => id.serialize(serializer),
            ApplicantId::Erased => serializer.serialize_str(Self::ERASED),
        }
    }
}

impl<'de> Deserialize<'de> for ApplicantId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text == Self::ERASED {
            return Ok(ApplicantId::Erased);
        }
        IdNumber::parse(&text)
            .map(ApplicantId::Known)
            .map_err(serde::de::Error::custom)
    }
}

/// A case number: the center, the day the case was opened and a per-center, per-day
/// sequence, e.g. `linfen-20261127-0012`. Unique city-wide because the center is in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseNumber(String);
string_id!(CaseNumber);

impl CaseNumber {
    pub fn new(center: &CenterId, day: NaiveDate, sequence: u32) -> Self {
        CaseNumber(format!("{center}-{}-{sequence:04}", day.format("%Y%m%d")))
    }

    pub fn parse(text: &str) -> Result<Self, IdError> {
        let invalid = || IdError::CaseNumber(text.to_owned());
        let mut parts = text.rsplitn(3, '-');
        let (sequence, day, center) = (parts.next(), parts.next(), parts.next());
        let (Some(sequence), Some(day), Some(center)) = (sequence, day, center) else {
            return Err(invalid());
        };
        let sequence_ok =
            (4..=9).contains(&sequence.len()) && sequence.bytes().all(|b| b.is_ascii_digit());
        let day_ok = day.len() == 8 && NaiveDate::parse_from_str(day, "%Y%m%d").is_ok();
        if !sequence_ok || !day_ok || CenterId::parse(center).is_err() {
            return Err(invalid());
        }
        Ok(CaseNumber(text.to_owned()))
    }

    pub fn center(&self) -> CenterId {
        let center = self.0.rsplitn(3, '-').nth(2).expect("validated at parse");
        CenterId(center.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn id_numbers_are_checked_by_gb_11643() {
        // The standard's own example.
        assert!(IdNumber::parse("11010519491231002X").is_ok());
        assert!(IdNumber::parse("11010519491231002x").is_ok());
        assert_eq!(
            IdNumber::parse("110105194912310021"),
            Err(IdError::IdNumberCheckDigit { expected: 'X' })
        );
        assert_eq!(
            IdNumber::parse("1101051949123100"),
            Err(IdError::IdNumberShape)
        );
        assert_eq!(
            IdNumber::parse("110105194902300021"),
            Err(IdError::IdNumberBirthDate)
        );
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "1101**********002X");
        assert_eq!(format!("{id:?}"), "IdNumber(1101**********002X)");
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
    }

    #[test]
    fn a_check_character_of_anything_is_one_of_the_eleven() {
        for bytes in [
            &b" /+-"[..],
            b"",
            b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
        ] {
            assert!(CHECK.contains(&check_character(bytes)), "{bytes:?}");
        }
    }

    #[test]
    fn case_numbers_round_trip() {
        let center = CenterId::parse("linfen").unwrap();
        let number = CaseNumber::new(&center, NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(), 12);
        assert_eq!(number.to_string(), "linfen-20261127-0012");
        assert_eq!(
            CaseNumber::parse("linfen-20261127-0012"),
            Ok(number.clone())
        );
        assert_eq!(number.center(), center);
        assert!(CaseNumber::parse("jing-an-linfen-20261127-0012").is_ok());
        for bad in [
            "",
            "linfen",
            "linfen-2026-0012",
            "linfen-20261327-0012",
            "Linfen-20261127-0012",
            "linfen-20261127-12",
        ] {
            assert!(CaseNumber::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn every_17_digits_get_exactly_one_valid_check_character(region in 110000u32..660000, days in 0i64..40000, seq in 0u32..1000) {
            let birth = NaiveDate::from_ymd_opt(1920, 1, 1).unwrap() + chrono::Days::new(days as u64);
            let body = format!("{region:06}{}{seq:03}", birth.format("%Y%m%d"));
            let valid = check_character(body.as_bytes()) as char;
            for c in "0123456789X".chars() {
                let candidate = format!("{body}{c}");
                prop_assert_eq!(IdNumber::parse(&candidate).is_ok(), c == valid);
            }
        }
    }

    #[test]
    fn an_applicant_id_is_a_valid_number_or_erased_and_nothing_else() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        let known: ApplicantId = id.clone().into();
        assert_eq!(
            serde_json::to_string(&known).unwrap(),
            "\"11010519491231002X\""
        );
        assert_eq!(
            serde_json::to_string(&ApplicantId::Erased).unwrap(),
            "\"erased\""
        );
        for applicant in [known.clone(), ApplicantId::Erased] {
            let text = serde_json::to_string(&applicant).unwrap();
            assert_eq!(
                serde_json::from_str::<ApplicantId>(&text).unwrap(),
                applicant
            );
        }
        assert!(serde_json::from_str::<ApplicantId>("\"11010519491231002\"").is_err());
        assert!(serde_json::from_str::<ApplicantId>("\"Erased\"").is_err());
        assert!(known.is(&id));
        assert!(!ApplicantId::Erased.is(&id));
        assert_eq!(known.masked(), "1101**********002X");
        assert_eq!(ApplicantId::Erased.masked(), "erased");
        assert_eq!(format!("{known:?}"), "IdNumber(1101**********002X)");
    }
}
