//! Fuzz target: the check of a resident's upload (`UploadMeta::check`, `FileKind::sniff`)
//! on any name, claimed content type, content and size limit.
//!
//! The input is structured with `arbitrary`: the name and claimed type as the browser sent
//! them, optionally a real file signature (PDF, JPEG, PNG) put before the content so that
//! most runs get past the sniffing, and the limit.
//!
//! Beyond "no panic", asserted:
//! - each refusal is the one a reference written here gives, in the documented order (name,
//!   empty, too large, unknown content, a name or type that says otherwise), and has a
//!   message;
//! - an accepted file's kind is what its first bytes say, its size is its length (within
//!   the limit), its SHA-256 is 64 lowercase hex digits and `matches` the content but not
//!   the content with one bit flipped or one byte short;
//! - the kept name is the last path component without bidirectional formatting characters
//!   (U+202E would show `cod.exe` as `exe.doc`), trimmed, 1 to 100 characters (its end
//!   cut to make room for an added extension), with no path separator or control
//!   character, and it ends with an
//!   extension of the kind the content is: the download, saved under this name, opens as
//!   what was checked, never as `.html` or `.hta`;
//! - checking the kept name and the kind's own type again gives the same description, and
//!   the description survives JSON.

#![no_main]

use haoban_cases::{FileKind, UploadError, UploadMeta};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Signature {
    None,
    Pdf,
    Jpeg,
    Png,
}

#[derive(Arbitrary, Debug)]
struct Upload<'a> {
    name: &'a str,
    content_type: Option<&'a str>,
    signature: Signature,
    content: &'a [u8],
    /// The size limit; small, so that both sides of it are reached.
    limit: u16,
    /// Which bit of an accepted file to flip.
    flip: u16,
}

const NAME_MAX: usize = 100;

/// Formatting characters that reorder how text is shown (Unicode bidirectional controls).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn extensions(kind: FileKind) -> &'static [&'static str] {
    match kind {
        FileKind::Pdf => &["pdf"],
        FileKind::Jpeg => &["jpg", "jpeg"],
        FileKind::Png => &["png"],
    }
}

fn extension(name: &str) -> Option<String> {
    name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())
}

/// The last path component, direction controls dropped (they only change how it looks),
/// trimmed.
fn kept_base(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let shown: String = last.chars().filter(|&c| !is_bidi_control(c)).collect();
    shown.trim().to_owned()
}

/// The refusal `UploadMeta::check` must give, if any.
fn reference(
    name: &str,
    content_type: Option<&str>,
    bytes: &[u8],
    limit: usize,
) -> Option<UploadError> {
    let base = kept_base(name);
    let base = base.as_str();
    let name_ok = !base.is_empty()
        && base != "."
        && base != ".."
        && base.chars().count() <= NAME_MAX
        && !base.chars().any(char::is_control);
    if !name_ok {
        return Some(UploadError::BadName);
    }
    if bytes.is_empty() {
        return Some(UploadError::Empty);
    }
    if bytes.len() > limit {
        return Some(UploadError::TooLarge {
            size: bytes.len(),
            limit,
        });
    }
    let Some(kind) = FileKind::sniff(bytes) else {
        return Some(UploadError::UnknownType);
    };
    if let Some(ext) = extension(base) {
        let known = FileKind::ALL
            .iter()
            .any(|k| extensions(*k).contains(&ext.as_str()));
        if known && !extensions(kind).contains(&ext.as_str()) {
            return Some(UploadError::TypeMismatch {
                claimed: format!(".{ext}"),
                found: kind,
            });
        }
    }
    let claimed = content_type
        .map(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|t| !t.is_empty() && t != "application/octet-stream");
    match claimed {
        Some(claimed)
            if claimed != kind.mime() && !(kind == FileKind::Jpeg && claimed == "image/jpg") =>
        {
            Some(UploadError::TypeMismatch {
                claimed,
                found: kind,
            })
        }
        _ => None,
    }
}

fuzz_target!(|upload: Upload<'_>| {
    let mut bytes: Vec<u8> = match upload.signature {
        Signature::None => Vec::new(),
        Signature::Pdf => b"%PDF-".to_vec(),
        Signature::Jpeg => vec![0xFF, 0xD8, 0xFF],
        Signature::Png => vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A],
    };
    bytes.extend_from_slice(upload.content);
    let limit = usize::from(upload.limit);

    let checked = UploadMeta::check(upload.name, upload.content_type, &bytes, limit);
    let expected = reference(upload.name, upload.content_type, &bytes, limit);
    let meta = match (checked, expected) {
        (Err(err), Some(reference)) => {
            assert_eq!(err, reference);
            assert!(!err.to_string().is_empty());
            return;
        }
        (Ok(meta), None) => meta,
        (checked, expected) => panic!("check gave {checked:?}, the reference {expected:?}"),
    };

    assert_eq!(Some(meta.kind), FileKind::sniff(&bytes));
    assert_eq!(FileKind::parse(meta.kind.as_str()), Some(meta.kind));
    assert_eq!(meta.size, bytes.len());
    assert!(meta.size <= limit && meta.size > 0);
    assert_eq!(meta.sha256.len(), 64);
    assert!(
        meta.sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );
    assert!(meta.matches(&bytes));
    let mut altered = bytes.clone();
    let bit = usize::from(upload.flip) % (altered.len() * 8);
    altered[bit / 8] ^= 1 << (bit % 8);
    assert!(!meta.matches(&altered));
    assert!(!meta.matches(&bytes[..bytes.len() - 1]));

    let name = meta.name.as_str();
    let base = kept_base(upload.name);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    assert!(
        name == base
            || (base.starts_with(stem)
                && stem.chars().count() + 5 >= NAME_MAX.min(base.chars().count())),
        "{name:?} is not from {base:?}"
    );
    assert!(!name.is_empty() && name != "." && name != "..");
    assert!(name.chars().count() <= NAME_MAX, "{name:?}");
    assert!(!name.contains(['/', '\\']), "{name:?}");
    assert!(name == name.trim(), "{name:?}");
    assert!(
        !name.chars().any(|c| c.is_control() || is_bidi_control(c)),
        "{name:?}"
    );
    let ext = extension(name);
    assert!(
        ext.as_deref()
            .is_some_and(|e| extensions(meta.kind).contains(&e)),
        "{name:?} would be saved as something other than {}",
        meta.kind
    );

    let again = UploadMeta::check(name, Some(meta.kind.mime()), &bytes, limit);
    assert_eq!(again.as_ref(), Ok(&meta));
    let json = serde_json::to_string(&meta).expect("serializes");
    assert_eq!(
        serde_json::from_str::<UploadMeta>(&json).ok().as_ref(),
        Some(&meta)
    );
});
