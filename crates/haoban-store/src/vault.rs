//! Personal data at rest (docs/personal-data.md): resident ID numbers and phone numbers
//! never reach a table in clear. Every table holds a value's *pseudonym*, a keyed hash
//! (HMAC-SHA256 under the lookup key), which is what lookups, keys and the process record
//! use; the value itself is kept once per center in `personal_data`, sealed with
//! ChaCha20-Poly1305 under the current sealing key. Pure: no I/O but what the caller reads.
//!
//! Why a pseudonym in the record and the sealed value apart: the chain hashes the text
//! with pseudonyms, so re-sealing under a new key and erasing a resident's values (the
//! retention job deletes their `personal_data` rows) both leave the chain intact.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use haoban_cases::IdNumber;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What every pseudonym starts with; the rest is 43 characters of URL-safe base64.
pub const PSEUDONYM_PREFIX: &str = "pd1-";
const PSEUDONYM_LEN: usize = PSEUDONYM_PREFIX.len() + 43;
/// The version of the sealed form `v1:<key id>:<base64 of nonce and ciphertext>`.
const SEALED_PREFIX: &str = "v1:";
const NONCE_LEN: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error("data key file, line {line}: {problem}")]
    KeyFile { line: usize, problem: String },
    #[error(
        "personal data sealed with key `{0}`, which the data key file does not hold: add the key (docs/personal-data.md)"
    )]
    UnknownKey(String),
    #[error(
        "personal data cannot be opened with the configured data key (a wrong key, or an altered value)"
    )]
    WrongKey,
    #[error("a sealed value is malformed")]
    Malformed,
}

/// The keys: one lookup key (never rotated: the record holds its pseudonyms) and the
/// sealing keys, the last of which seals while the others only open.
pub struct Vault {
    lookup: Vec<u8>,
    keys: Vec<(String, ChaCha20Poly1305)>,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vault")
            .field("sealing_key", &self.current_key())
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

fn random_key() -> String {
    STANDARD.encode(ChaCha20Poly1305::generate_key(&mut OsRng))
}

impl Vault {
    /// The text of a new key file: a random lookup key and one sealing key `k1`.
    pub fn new_key_file() -> String {
        format!(
            "# haoban data keys (docs/personal-data.md). Keep this file secret, mode 0600, and\n\
             # back it up apart from the database: without it the personal data cannot be read.\n\
             # `lookup` is never changed. The last `seal` line seals; earlier ones only open.\n\
             lookup {}\nseal k1 {}\n",
            random_key(),
            random_key()
        )
    }

    /// A `seal` line with a new random key, to append when rotating.
    pub fn new_seal_line(id: &str) -> String {
        format!("seal {id} {}\n", random_key())
    }

    /// A fixed vault for tests: never use it for real data.
    pub fn for_tests() -> Vault {
        Vault::parse(
            "lookup AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\
             seal t1 HxweHRwbGhkYFxYVFBMSERAPDg0MCwoJCAcGBQQDAgE=\n",
        )
        .expect("the test keys parse")
    }

    /// Reads a key file: `lookup <base64>` once, then `seal <id> <base64>` lines (32 bytes
    /// each); `#` starts a comment.
    pub fn parse(text: &str) -> Result<Vault, VaultError> {
        let mut lookup = None;
        let mut keys: Vec<(String, ChaCha20Poly1305)> = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let bad = |problem: &str| VaultError::KeyFile {
                line,
                problem: problem.to_owned(),
            };
            let words: Vec<&str> = raw
                .split('#')
                .next()
                .unwrap_or("")
                .split_whitespace()
                .collect();
            let key_bytes = |text: &str| {
                STANDARD
                    .decode(text)
                    .ok()
                    .filter(|k| k.len() == 32)
                    .ok_or_else(|| bad("a key is 32 bytes in base64"))
            };
            match words.as_slice() {
                [] => {}
                ["lookup", key] => {
                    if lookup.is_some() {
                        return Err(bad("a second `lookup` line"));
                    }
                    lookup = Some(key_bytes(key)?);
                }
                ["seal", id, key] => {
                    let id_ok = !id.is_empty()
                        && id.len() <= 16
                        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
                    if !id_ok {
                        return Err(bad("a key id is 1 to 16 letters, digits or `-`"));
                    }
                    if keys.iter().any(|(known, _)| known == id) {
                        return Err(bad("a key id used twice"));
                    }
                    let cipher = ChaCha20Poly1305::new_from_slice(&key_bytes(key)?)
                        .map_err(|_| bad("a key is 32 bytes"))?;
                    keys.push(((*id).to_owned(), cipher));
                }
                _ => return Err(bad("expected `lookup <key>` or `seal <id> <key>`")),
            }
        }
        let lookup = lookup.ok_or(VaultError::KeyFile {
            line: 0,
            problem: "no `lookup` line".into(),
        })?;
        if keys.is_empty() {
            return Err(VaultError::KeyFile {
                line: 0,
                problem: "no `seal` line".into(),
            });
        }
        Ok(Vault { lookup, keys })
    }

    /// The ids of the keys that only open: what a re-seal moves values away from.
    pub fn old_keys(&self) -> Vec<&str> {
        let n = self.keys.len().saturating_sub(1);
        self.keys[..n].iter().map(|(id, _)| id.as_str()).collect()
    }

    /// A projection's text with every value sealed again under the current key.
    pub fn reseal_inline(&self, text: &str) -> Result<String, VaultError> {
        Ok(self.seal_inline(&self.open_inline(text)?))
    }

    /// A bare column ([`Vault::seal_field`]) sealed again under the current key.
    pub fn reseal_field(&self, value: &str) -> Result<String, VaultError> {
        Ok(self.seal_field(&self.open_field(value)?))
    }

    /// An entry's values ([`Vault::seal_values`]) sealed again under the current key.
    pub fn reseal_values(&self, bound: &str, sealed: &str) -> Result<String, VaultError> {
        let values: Vec<(String, String)> = self.open_values(bound, sealed)?.into_iter().collect();
        self.seal_values(bound, &values)
            .ok_or(VaultError::Malformed)
    }

    /// The id of the key that seals.
    pub fn current_key(&self) -> &str {
        self.keys.last().map(|(id, _)| id.as_str()).unwrap_or("")
    }

    /// The keyed hash that stands for `value` everywhere it is stored. ID numbers are
    /// taken uppercase, so `…x` and `…X` are one resident.
    pub fn pseudonym(&self, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.lookup)
            .expect("HMAC takes a key of any size");
        mac.update(value.trim().to_ascii_uppercase().as_bytes());
        format!(
            "{PSEUDONYM_PREFIX}{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        )
    }

    /// What a store keeps to tell whether it is opened with its own lookup key.
    pub fn lookup_check(&self) -> String {
        self.pseudonym("haoban lookup key check")
    }

    /// `value` sealed under the current key, bound to its pseudonym (a sealed value moved
    /// to another pseudonym's row does not open).
    pub fn seal(&self, pseudonym: &str, value: &str) -> String {
        let (id, cipher) = self.keys.last().expect("a vault has a sealing key");
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: value.as_bytes(),
                    aad: pseudonym.as_bytes(),
                },
            )
            .expect("sealing a short value cannot fail");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{id}:{}", STANDARD.encode(bytes))
    }

    /// A staff account's TOTP key sealed under the current key, bound to the username (a
    /// sealed key copied to another account's row does not open).
    pub fn seal_totp(&self, username: &str, key: &str) -> String {
        self.seal(&totp_binding(username), key)
    }

    pub fn open_totp(&self, username: &str, sealed: &str) -> Result<String, VaultError> {
        self.open(&totp_binding(username), sealed)
    }

    /// `username`'s sealed TOTP key sealed again under the current key, as
    /// [`Vault::reseal_values`] does for a record entry's values.
    pub fn reseal_totp(&self, username: &str, sealed: &str) -> Result<String, VaultError> {
        Ok(self.seal_totp(username, &self.open_totp(username, sealed)?))
    }

    /// The key a sealed value was sealed with.
    pub fn key_of(sealed: &str) -> Option<&str> {
        sealed.strip_prefix(SEALED_PREFIX)?.split(':').next()
    }

    pub fn open(&self, pseudonym: &str, sealed: &str) -> Result<String, VaultError> {
        let rest = sealed
            .strip_prefix(SEALED_PREFIX)
            .ok_or(VaultError::Malformed)?;
        let (id, body) = rest.split_once(':').ok_or(VaultError::Malformed)?;
        let cipher = self
            .keys
            .iter()
            .find(|(known, _)| known == id)
            .map(|(_, cipher)| cipher)
            .ok_or_else(|| VaultError::UnknownKey(id.to_owned()))?;
        let bytes = STANDARD.decode(body).map_err(|_| VaultError::Malformed)?;
        if bytes.len() < NONCE_LEN {
            return Err(VaultError::Malformed);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let clear = cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: pseudonym.as_bytes(),
                },
            )
            .map_err(|_| VaultError::WrongKey)?;
        String::from_utf8(clear).map_err(|_| VaultError::Malformed)
    }

    /// `text` (JSON as the stores keep it) with every ID number and phone number in it
    /// replaced by its pseudonym, and the values replaced, to be sealed beside it. This is
    /// how the process record is written: the chain hashes pseudonyms only.
    pub fn protect(&self, text: &str) -> Protected {
        let mut values = Vec::new();
        let text = replace_personal(text, |value| {
            let pseudonym = self.pseudonym(value);
            values.push((pseudonym.clone(), value.to_owned()));
            pseudonym
        });
        Protected { text, values }
    }

    /// `text` with every ID number and phone number sealed in place: how projections
    /// (cases, tickets, visitors, parcels, …) are kept. Reading them needs no lookup.
    pub fn seal_inline(&self, text: &str) -> String {
        replace_personal(text, |value| self.seal(INLINE, value))
    }

    /// `text` as [`Vault::seal_inline`] took it.
    pub fn open_inline(&self, text: &str) -> Result<String, VaultError> {
        if !text.contains("\"v1:") {
            return Ok(text.to_owned());
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find("\"v1:") {
            let start = at + 1;
            let Some(len) = rest[start..].find('"') else {
                break;
            };
            let end = start + len;
            out.push_str(&rest[..start]);
            out.push_str(&self.open(INLINE, &rest[start..end])?);
            rest = &rest[end..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// A bare column that holds an ID number for some rows (a resident session's
    /// subject, beside staff usernames): sealed when it is one, else kept as it is.
    pub fn seal_field(&self, value: &str) -> String {
        if IdNumber::parse(value).is_ok() {
            self.seal(INLINE, &value.to_ascii_uppercase())
        } else {
            value.to_owned()
        }
    }

    pub fn open_field(&self, value: &str) -> Result<String, VaultError> {
        if value.starts_with(SEALED_PREFIX) {
            self.open(INLINE, value)
        } else {
            Ok(value.to_owned())
        }
    }

    /// The personal values of one record entry, sealed together and bound to the entry
    /// (`bound`: its center and sequence number), or `None` when it has none.
    pub fn seal_values(&self, bound: &str, values: &[(String, String)]) -> Option<String> {
        if values.is_empty() {
            return None;
        }
        let map: BTreeMap<&str, &str> = values
            .iter()
            .map(|(p, v)| (p.as_str(), v.as_str()))
            .collect();
        let json = serde_json::to_string(&map).expect("a map of strings serializes");
        Some(self.seal(bound, &json))
    }

    pub fn open_values(
        &self,
        bound: &str,
        sealed: &str,
    ) -> Result<BTreeMap<String, String>, VaultError> {
        serde_json::from_str(&self.open(bound, sealed)?).map_err(|_| VaultError::Malformed)
    }
}

/// What sealed values inside a projection are bound to.
const INLINE: &str = "haoban inline value";

/// `text` with each personal value (see [`Vault::protect`]) replaced by what `with` makes
/// of it (given uppercase). An ID number is a JSON string that is exactly a valid one (GB
/// 11643); a phone number is the string value of a `phone` key. Everything else is left
/// byte for byte.
fn replace_personal(text: &str, mut with: impl FnMut(&str) -> String) -> String {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        let start = i + 1;
        let candidate = if text[..i].ends_with("\"phone\":") {
            text[start..]
                .find('"')
                .map(|len| start + len)
                .filter(|&end| end > start && !text[start..end].starts_with("v1:"))
        } else {
            let end = start + 18;
            (bytes.get(end) == Some(&b'"')
                && text
                    .get(start..end)
                    .is_some_and(|t| IdNumber::parse(t).is_ok()))
            .then_some(end)
        };
        match candidate {
            Some(end) => {
                let out = out.get_or_insert_with(|| String::with_capacity(text.len() + 64));
                out.push_str(&text[copied..start]);
                out.push_str(&with(&text[start..end].to_ascii_uppercase()));
                copied = end;
                // Past the closing quote, so it is not taken for an opening one.
                i = end + 1;
            }
            None => i += 1,
        }
    }
    match out {
        Some(mut out) => {
            out.push_str(&text[copied..]);
            out
        }
        None => text.to_owned(),
    }
}

/// Why a store refuses a key file whose lookup key is not the database's.
pub const WRONG_KEY_FILE: &str = "the data key file is not this database's (its lookup key differs): \
give the key file the database was written with (--data-key-file, HAOBAN_DATA_KEY_FILE)";

/// Why a store refuses a database written before personal data was sealed.
pub const WRITTEN_IN_CLEAR: &str = "this database was written before personal data was sealed \
(migration 0010) and its process record hashes ID numbers in clear; it cannot be sealed without \
rewriting the record: keep running the release that wrote it, or start a new database \
(docs/personal-data.md)";

/// A draft as the record keeps it, chained after `prev_hash` as number `seq`: its payload
/// with pseudonyms (what the chain hashes), and the values they stand for sealed together,
/// bound to the entry's hash, so they open only beside the entry they were written with.
pub fn chain_sealed(
    vault: &Vault,
    mut draft: haoban_cases::record::Draft,
    seq: u64,
    prev_hash: &str,
) -> (haoban_cases::record::Entry, Option<String>) {
    let protected = vault.protect(&draft.payload);
    draft.payload = protected.text;
    let entry = haoban_cases::record::Entry::chain_draft(draft, seq, prev_hash);
    let sealed = vault.seal_values(&entry.hash, &protected.values);
    (entry, sealed)
}

/// What `events.personal` holds once the retention job erased an entry's values: the
/// entry then reads with [`ApplicantId::ERASED`](haoban_cases::ApplicantId::ERASED) where
/// they stood. Only the job writes it, together with the case row it erases, so a record
/// erased behind the application's back no longer replays to its case and `audit verify`
/// names it.
pub const ERASED_VALUES: &str = "erased";

/// `entry` as read with its stored `personal` column: the values opened into `revealed`.
/// Values that do not open (an altered row, a key missing) leave it unrevealed: the chain
/// check still runs and names the entry, and the store's start refuses wrong keys.
pub fn reveal_entry(
    vault: &Vault,
    entry: &mut haoban_cases::record::Entry,
    personal: Option<&str>,
) {
    let values = match personal {
        None => return,
        Some(ERASED_VALUES) => pseudonyms_in(&entry.payload)
            .into_iter()
            .map(|p| (p.to_owned(), haoban_cases::ApplicantId::ERASED.to_owned()))
            .collect(),
        Some(sealed) => match vault.open_values(&entry.hash, sealed) {
            Ok(values) => values,
            Err(_) => return,
        },
    };
    entry.revealed = Some(reveal(&entry.payload, &values));
}

/// Whether the sealed values of `entry` open: what a store checks at its start.
pub fn entry_opens(
    vault: &Vault,
    entry: &haoban_cases::record::Entry,
    personal: &str,
) -> Result<(), VaultError> {
    vault.open_values(&entry.hash, personal).map(|_| ())
}

/// The columns that hold values sealed in place, as `(table, column)`: what a re-seal
/// walks besides `events.personal`. Every table's rows also carry `center`.
pub const SEALED_COLUMNS: [(&str, &str); 7] = [
    ("cases", "state"),
    ("tickets", "state"),
    ("visitors", "state"),
    ("appointments", "state"),
    ("parcels", "state"),
    ("offers", "facts"),
    ("sessions", "subject"),
];

fn totp_binding(username: &str) -> String {
    format!("totp:{username}")
}

/// The key file used for an SQLite database when none is configured: beside it,
/// `haoban.db` → `haoban.db.keys`.
pub fn default_key_file(db: &std::path::Path) -> std::path::PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".keys");
    std::path::PathBuf::from(name)
}

/// Reads the key file at `path`. When it does not exist and `create` is set, writes one
/// with new keys first (readable by the owner only) and says so with `true`.
pub fn load_key_file(path: &std::path::Path, create: bool) -> Result<(Vault, bool), String> {
    let shown = path.display();
    let created = if create && !path.exists() {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(path)
            .map_err(|e| format!("cannot create the data key file {shown}: {e}"))?;
        file.write_all(Vault::new_key_file().as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| format!("cannot write the data key file {shown}: {e}"))?;
        true
    } else {
        false
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the data key file {shown}: {e}"))?;
    let vault = Vault::parse(&text).map_err(|e| format!("{shown}: {e}"))?;
    Ok((vault, created))
}

/// A text with its personal values taken out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protected {
    pub text: String,
    /// Pseudonym and value, for `personal_data`.
    pub values: Vec<(String, String)>,
}

/// The pseudonyms in a stored text, each once.
pub fn pseudonyms_in(text: &str) -> Vec<&str> {
    let mut found: Vec<&str> = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(at) = rest.find(PSEUDONYM_PREFIX) {
        let start = offset + at;
        let end = start + PSEUDONYM_LEN;
        if let Some(candidate) = text.get(start..end)
            && candidate[PSEUDONYM_PREFIX.len()..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            if !found.contains(&candidate) {
                found.push(candidate);
            }
            offset = end;
        } else {
            offset = start + PSEUDONYM_PREFIX.len();
        }
        rest = &text[offset..];
    }
    found
}

/// `text` with each pseudonym that `opened` holds replaced by its value. A pseudonym it
/// does not hold (a value erased past its retention) stays as it is.
pub fn reveal(text: &str, opened: &BTreeMap<String, String>) -> String {
    let mut out = text.to_owned();
    for pseudonym in pseudonyms_in(text) {
        if let Some(value) = opened.get(pseudonym) {
            out = out.replace(pseudonym, value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "11010519491231002X";

    #[test]
    fn sealed_values_open_only_with_their_key_and_pseudonym() {
        let vault = Vault::for_tests();
        let p = vault.pseudonym(ID);
        assert_eq!(p, vault.pseudonym("11010519491231002x"));
        assert_eq!(p.len(), PSEUDONYM_LEN);
        let sealed = vault.seal(&p, ID);
        assert!(!sealed.contains(ID));
        assert_ne!(sealed, vault.seal(&p, ID), "a fresh nonce every time");
        assert_eq!(vault.open(&p, &sealed).as_deref(), Ok(ID));
        let other = vault.pseudonym("13800138000");
        assert_eq!(vault.open(&other, &sealed), Err(VaultError::WrongKey));
        let stranger = Vault::parse(&Vault::new_key_file()).unwrap();
        assert_eq!(
            stranger.open(&p, &sealed),
            Err(VaultError::UnknownKey("t1".into()))
        );
        let mut flipped = sealed.clone().into_bytes();
        let last = flipped.len() - 3;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();
        assert!(vault.open(&p, &flipped).is_err());
    }

    #[test]
    fn rotation_opens_old_values_and_seals_with_the_new_key() {
        let old = Vault::for_tests();
        let p = old.pseudonym(ID);
        let sealed = old.seal(&p, ID);
        let text = "lookup AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\
             seal t1 HxweHRwbGhkYFxYVFBMSERAPDg0MCwoJCAcGBQQDAgE=\n"
            .to_owned()
            + &Vault::new_seal_line("t2");
        let new = Vault::parse(&text).unwrap();
        assert_eq!(new.current_key(), "t2");
        assert_eq!(new.pseudonym(ID), p, "the lookup key is kept");
        assert_eq!(new.open(&p, &sealed).as_deref(), Ok(ID));
        let resealed = new.seal(&p, ID);
        assert_eq!(Vault::key_of(&resealed), Some("t2"));
    }

    #[test]
    fn protect_takes_id_and_phone_numbers_out_and_reveal_puts_them_back() {
        let vault = Vault::for_tests();
        let text = format!(
            r#"{{"applicant":{{"id_number":"{ID}","name":"张三"}},"visitor":"{}","phone":"021-12345678","n":"110105194912310021","x":"{ID} "}}"#,
            ID.to_ascii_lowercase()
        );
        let protected = vault.protect(&text);
        assert!(!protected.text.contains(&format!("\"{ID}\"")));
        assert!(
            !protected
                .text
                .to_ascii_uppercase()
                .contains(&format!("\"{ID}\""))
        );
        assert!(!protected.text.contains("12345678"));
        // Not a valid ID number (wrong check digit), and a padded string: kept.
        assert!(protected.text.contains("\"n\":\"110105194912310021\""));
        assert!(protected.text.contains(&format!("\"x\":\"{ID} \"")));
        let opened: BTreeMap<String, String> = protected.values.iter().cloned().collect();
        assert_eq!(opened.len(), 2);
        let back = reveal(&protected.text, &opened);
        assert_eq!(back, text.replace(&ID.to_ascii_lowercase(), ID));
        assert_eq!(pseudonyms_in(&protected.text).len(), 2);
        assert_eq!(vault.protect("{\"a\":1}").text, "{\"a\":1}");

        let inline = vault.seal_inline(&text);
        assert!(!inline.to_ascii_uppercase().contains(&format!("\"{ID}\"")));
        assert!(!inline.contains("12345678"));
        assert_eq!(vault.open_inline(&inline).unwrap(), back);
        let other = Vault::parse(&Vault::new_key_file()).unwrap();
        assert!(other.open_inline(&inline).is_err());

        let sealed = vault.seal_values("c/7", &protected.values).unwrap();
        assert_eq!(vault.open_values("c/7", &sealed).unwrap(), opened);
        assert!(
            vault.open_values("c/8", &sealed).is_err(),
            "bound to its entry"
        );
        assert_eq!(vault.seal_values("c/7", &[]), None);
    }

    #[test]
    fn key_files_are_checked() {
        assert!(Vault::parse(&Vault::new_key_file()).is_ok());
        for bad in [
            "",
            "lookup AAAA\nseal k1 AAAA\n",
            "seal k1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
            "lookup AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
            "lookup AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\nseal k/1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        ] {
            assert!(Vault::parse(bad).is_err(), "{bad}");
        }
        let shown = format!("{:?}", Vault::for_tests());
        assert!(!shown.contains("AAEC"));
    }
}
