//! Files residents upload for a case's materials (scans and photos of documents): what is
//! accepted is decided by the bytes, not by the name or the type the browser claims, and
//! each file is kept with its SHA-256 so a file altered on disk afterwards is detected.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The kinds of file a material may be: document scans and photos.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
}

impl FileKind {
    pub const ALL: [FileKind; 3] = [FileKind::Pdf, FileKind::Jpeg, FileKind::Png];

    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
        }
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Pdf => &["pdf"],
            FileKind::Jpeg => &["jpg", "jpeg"],
            FileKind::Png => &["png"],
        }
    }

    pub fn parse(text: &str) -> Option<FileKind> {
        match text {
            "pdf" => Some(FileKind::Pdf),
            "jpeg" => Some(FileKind::Jpeg),
            "png" => Some(FileKind::Png),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Jpeg => "jpeg",
            FileKind::Png => "png",
        }
    }

    /// What the first bytes say the file is.
    pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
        if bytes.starts_with(b"%PDF-") {
            Some(FileKind::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileKind::Jpeg)
        } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(FileKind::Png)
        } else {
            None
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {size} bytes; at most {limit} bytes are accepted")]
    TooLarge { size: usize, limit: usize },
    #[error("the file is not a PDF, JPEG or PNG")]
    UnknownType,
    #[error("the file is named or sent as {claimed} but its content is {found}")]
    TypeMismatch { claimed: String, found: FileKind },
    #[error("a file name is 1 to 100 characters without path separators or control characters")]
    BadName,
}

/// The longest file name kept, in characters.
const NAME_MAX: usize = 100;

/// A checked upload's description: what it is by content, how big, and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadMeta {
    /// The name the resident's file had, without any directory.
    pub name: String,
    pub kind: FileKind,
    pub size: usize,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
}

impl UploadMeta {
    /// Checks an upload: not empty, not over `limit` bytes, a kind we take by its content,
    /// and a name and claimed type (`content_type` as the browser sent it, if any) that
    /// agree with the content.
    pub fn check(
        name: &str,
        content_type: Option<&str>,
        bytes: &[u8],
        limit: usize,
    ) -> Result<UploadMeta, UploadError> {
        let name = clean_name(name)?;
        if bytes.is_empty() {
            return Err(UploadError::Empty);
        }
        if bytes.len() > limit {
            return Err(UploadError::TooLarge {
                size: bytes.len(),
                limit,
            });
        }
        let kind = FileKind::sniff(bytes).ok_or(UploadError::UnknownType)?;
        if let Some((_, extension)) = name.rsplit_once('.') {
            let extension = extension.to_ascii_lowercase();
            let claims_a_kind = FileKind::ALL
                .iter()
                .any(|k| k.extensions().contains(&extension.as_str()));
            if claims_a_kind && !kind.extensions().contains(&extension.as_str()) {
                return Err(UploadError::TypeMismatch {
                    claimed: format!(".{extension}"),
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
        if let Some(claimed) = claimed
            && claimed != kind.mime()
            && !(kind == FileKind::Jpeg && claimed == "image/jpg")
        {
            return Err(UploadError::TypeMismatch {
                claimed,
                found: kind,
            });
        }
        Ok(UploadMeta {
            name: named_for(name, kind),
            kind,
            size: bytes.len(),
            sha256: sha256_hex(bytes),
        })
    }

    /// Whether `bytes` are still the content this describes.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        bytes.len() == self.size && sha256_hex(bytes) == self.sha256
    }
}

/// The last path component of `name` without text-direction controls, trimmed; refused
/// when nothing usable is left.
fn clean_name(name: &str) -> Result<String, UploadError> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    // A direction control only changes how the name is shown: `证明\u{202E}fdp.exe` reads
    // as `证明exe.pdf` on the screen that offers the download.
    let base: String = base.chars().filter(|&c| !is_bidi_control(c)).collect();
    let base = base.trim();
    let ok = !base.is_empty()
        && base != "."
        && base != ".."
        && base.chars().count() <= NAME_MAX
        && !base.chars().any(char::is_control);
    if ok {
        Ok(base.to_owned())
    } else {
        Err(UploadError::BadName)
    }
}

/// Unicode's bidirectional formatting characters: marks, embeddings, overrides, isolates.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// `name` ending with an extension of `kind`, added when it has another one or none. The
/// download is saved under this name: `证明.html` holding a PDF (which a browser or
/// `mshta` would happily run as a page, `%PDF-` and all) is kept as `证明.html.pdf`.
fn named_for(name: String, kind: FileKind) -> String {
    let extension = name
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase());
    if extension.is_some_and(|e| kind.extensions().contains(&e.as_str())) {
        return name;
    }
    let extension = kind.extensions()[0];
    // Still at most NAME_MAX characters, so the kept name passes its own check again.
    let stem: String = name.chars().take(NAME_MAX - 1 - extension.len()).collect();
    format!("{stem}.{extension}")
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    const PDF: &[u8] = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n";

    #[test]
    fn the_content_decides_the_kind() {
        let meta = UploadMeta::check("户口簿.pdf", Some("application/pdf"), PDF, 1000).unwrap();
        assert_eq!(meta.kind, FileKind::Pdf);
        assert_eq!(meta.size, PDF.len());
        assert!(meta.matches(PDF));
        let png = UploadMeta::check("scan.png", None, PNG, 1000).unwrap();
        assert_eq!(png.kind, FileKind::Png);
        // A name without a known extension is fine: the content says what it is.
        let bare = UploadMeta::check("scan", Some("application/octet-stream"), PNG, 100);
        assert_eq!(bare.map(|meta| meta.name), Ok("scan.png".to_owned()));
    }

    /// Found by the fuzz target `upload_meta`: the kept name is the download's name, and
    /// it kept whatever extension the resident's file had when that was not a known kind's.
    #[test]
    fn a_download_is_named_for_its_content() {
        let name =
            |name: &str, bytes: &[u8]| UploadMeta::check(name, None, bytes, 1000).map(|m| m.name);
        let polyglot = b"%PDF-<html><script>alert(1)</script></html>";
        assert_eq!(name("证明.html", polyglot), Ok("证明.html.pdf".to_owned()));
        assert_eq!(name("证明.HTA", polyglot), Ok("证明.HTA.pdf".to_owned()));
        assert_eq!(name("scan.", PNG), Ok("scan..png".to_owned()));
        assert_eq!(
            name("photo.JPG", b"\xFF\xD8\xFF\xE0"),
            Ok("photo.JPG".to_owned())
        );
        assert_eq!(
            name("photo.jpeg", b"\xFF\xD8\xFF\xE0"),
            Ok("photo.jpeg".to_owned())
        );
        assert_eq!(name("户口簿.pdf", PDF), Ok("户口簿.pdf".to_owned()));
        // Direction controls are dropped, so the name shows what it is.
        assert_eq!(
            name("证明\u{202E}fdp.exe", PNG),
            Ok("证明fdp.exe.png".to_owned())
        );
        assert_eq!(name("\u{2067}\u{200F}", PNG), Err(UploadError::BadName));
        assert_eq!(name(" \u{202E}a.png\u{2069} ", PNG), Ok("a.png".to_owned()));
        // Found by the fuzzer too: the extension added keeps the name within 100 characters.
        let long = format!("{}.html", "长".repeat(95));
        let kept = name(&long, PDF).expect("a long name is kept");
        assert_eq!(kept, format!("{}..pdf", "长".repeat(95)));
        assert_eq!(
            UploadMeta::check(&kept, None, PDF, 1000).map(|m| m.name),
            Ok(kept)
        );
    }

    #[test]
    fn a_file_that_lies_about_its_type_is_refused() {
        let html = b"<html><script>alert(1)</script></html>";
        assert_eq!(
            UploadMeta::check("id-card.pdf", Some("application/pdf"), html, 1000),
            Err(UploadError::UnknownType)
        );
        assert_eq!(
            UploadMeta::check("id-card.pdf", None, PNG, 1000),
            Err(UploadError::TypeMismatch {
                claimed: ".pdf".into(),
                found: FileKind::Png
            })
        );
        assert_eq!(
            UploadMeta::check("id-card", Some("image/jpeg"), PDF, 1000),
            Err(UploadError::TypeMismatch {
                claimed: "image/jpeg".into(),
                found: FileKind::Pdf
            })
        );
    }

    #[test]
    fn size_and_name_are_limited() {
        assert_eq!(
            UploadMeta::check("a.pdf", None, PDF, 5),
            Err(UploadError::TooLarge {
                size: PDF.len(),
                limit: 5
            })
        );
        assert_eq!(
            UploadMeta::check("a.pdf", None, b"", 5),
            Err(UploadError::Empty)
        );
        let meta = UploadMeta::check("C:\\Users\\王\\..\\扫描.pdf", None, PDF, 1000).unwrap();
        assert_eq!(meta.name, "扫描.pdf");
        for bad in ["", "dir/", "..", "a\u{0}.pdf", &"长".repeat(101)] {
            assert_eq!(
                UploadMeta::check(bad, None, PDF, 1000),
                Err(UploadError::BadName),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn an_altered_file_no_longer_matches() {
        let meta = UploadMeta::check("a.pdf", None, PDF, 1000).unwrap();
        let mut altered = PDF.to_vec();
        altered[10] ^= 1;
        assert!(!meta.matches(&altered));
        assert!(!meta.matches(&PDF[..PDF.len() - 1]));
    }
}
