//! Time-based one-time passwords (RFC 6238): HMAC-SHA1 over 30-second steps, 6 digits,
//! which is what every authenticator app computes from an `otpauth://` link.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha1::Sha1;

pub const STEP_SECONDS: i64 = 30;
const DIGITS: u32 = 6;
/// Codes of one step either side are taken too: a phone's clock drifts and typing takes time.
const SKEW_STEPS: i64 = 1;
/// 160 bits, the length RFC 4226 recommends for HMAC-SHA1.
const SECRET_BYTES: usize = 20;
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    #[error("a TOTP secret must be base32 (A–Z, 2–7) of at least 16 characters")]
    NotBase32,
}

/// An account's shared TOTP secret. Its `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(…)")
    }
}

impl TotpSecret {
    pub fn generate() -> TotpSecret {
        TotpSecret(rand::random::<[u8; SECRET_BYTES]>().to_vec())
    }

    /// Reads base32 as apps show it: case, spaces and `=` padding do not matter.
    pub fn from_base32(text: &str) -> Result<TotpSecret, TotpError> {
        let mut bits: u64 = 0;
        let mut count = 0;
        let mut bytes = Vec::new();
        let mut digits = 0;
        for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
            let upper = c.to_ascii_uppercase() as u8;
            let value = BASE32
                .iter()
                .position(|d| *d == upper)
                .ok_or(TotpError::NotBase32)?;
            bits = (bits << 5) | value as u64;
            count += 5;
            digits += 1;
            if count >= 8 {
                count -= 8;
                bytes.push((bits >> count) as u8);
                bits &= (1 << count) - 1;
            }
        }
        if digits < 16 {
            return Err(TotpError::NotBase32);
        }
        Ok(TotpSecret(bytes))
    }

    pub fn to_base32(&self) -> String {
        let mut text = String::new();
        let mut bits: u64 = 0;
        let mut count = 0;
        for byte in &self.0 {
            bits = (bits << 8) | u64::from(*byte);
            count += 8;
            while count >= 5 {
                count -= 5;
                text.push(BASE32[((bits >> count) & 31) as usize] as char);
            }
        }
        if count > 0 {
            text.push(BASE32[((bits << (5 - count)) & 31) as usize] as char);
        }
        text
    }

    /// The link an authenticator app scans or imports.
    pub fn uri(&self, issuer: &str, account: &str) -> String {
        format!(
            "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            percent(issuer),
            percent(account),
            self.to_base32(),
            percent(issuer)
        )
    }

    pub fn code_at_step(&self, step: i64) -> String {
        let mut mac =
            <Hmac<Sha1> as Mac>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(&step.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let offset = usize::from(digest[digest.len() - 1] & 0x0f);
        let binary = u32::from_be_bytes([
            digest[offset] & 0x7f,
            digest[offset + 1],
            digest[offset + 2],
            digest[offset + 3],
        ]);
        format!(
            "{:0width$}",
            binary % 10u32.pow(DIGITS),
            width = DIGITS as usize
        )
    }

    pub fn code_at(&self, at: DateTime<Utc>) -> String {
        self.code_at_step(step_of(at))
    }

    /// The time step `code` belongs to, if it is the code of the step of `at` or of one
    /// step either side.
    pub fn matching_step(&self, code: &str, at: DateTime<Utc>) -> Option<i64> {
        let code = code.trim();
        if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let now = step_of(at);
        (now - SKEW_STEPS..=now + SKEW_STEPS)
            .find(|step| same_digits(&self.code_at_step(*step), code))
    }
}

pub fn step_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(STEP_SECONDS)
}

/// Compares without stopping at the first difference, so timing tells nothing of the code.
fn same_digits(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(seconds, 0).single().expect("time")
    }

    /// RFC 6238 appendix B, SHA-1, the last six of its eight digits.
    #[test]
    fn computes_the_rfc_6238_test_vectors() {
        let secret = TotpSecret(b"12345678901234567890".to_vec());
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
            (20_000_000_000, "353130"),
        ] {
            assert_eq!(secret.code_at(at(time)), code, "at {time}");
        }
    }

    #[test]
    fn takes_a_code_one_step_either_side_only() {
        let secret = TotpSecret::generate();
        let now = at(1_800_000_015);
        let step = step_of(now);
        for offset in [-1, 0, 1] {
            let code = secret.code_at_step(step + offset);
            assert_eq!(secret.matching_step(&code, now), Some(step + offset));
        }
        for offset in [-3, -2, 2, 3] {
            let code = secret.code_at_step(step + offset);
            // Another step's code may by chance equal one inside the window.
            let inside = (-1..=1).any(|o| secret.code_at_step(step + o) == code);
            assert_eq!(secret.matching_step(&code, now).is_some(), inside);
        }
        for bad in ["", "12345", "1234567", "abcdef", "12 456"] {
            assert_eq!(secret.matching_step(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn base32_round_trips_and_refuses_what_is_not() {
        let secret = TotpSecret::generate();
        let text = secret.to_base32();
        assert_eq!(text.len(), 32);
        assert_eq!(TotpSecret::from_base32(&text), Ok(secret.clone()));
        let spaced: String = text
            .to_lowercase()
            .chars()
            .enumerate()
            .flat_map(|(i, c)| (i % 4 == 0).then_some(' ').into_iter().chain([c]))
            .collect();
        assert_eq!(TotpSecret::from_base32(&spaced), Ok(secret));
        assert_eq!(
            TotpSecret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
                .map(|s| s.0)
                .as_deref(),
            Ok(&b"12345678901234567890"[..])
        );
        for bad in ["", "JBSWY3DP", "JBSWY3DPEHPK3PX1", "ÄBSWY3DPEHPK3PXP"] {
            assert_eq!(
                TotpSecret::from_base32(bad),
                Err(TotpError::NotBase32),
                "{bad}"
            );
        }
        let hidden = TotpSecret::generate();
        assert_eq!(format!("{hidden:?}"), "TotpSecret(…)");
        assert!(!format!("{hidden:?}").contains(&hidden.to_base32()));
    }

    #[test]
    fn links_name_the_issuer_and_the_account() {
        let secret = TotpSecret(b"12345678901234567890".to_vec());
        assert_eq!(
            secret.uri("haoban", "wang li"),
            "otpauth://totp/haoban:wang%20li?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=haoban&algorithm=SHA1&digits=6&period=30"
        );
    }
}
