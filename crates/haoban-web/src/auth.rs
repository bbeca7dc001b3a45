//! Who is asking: sessions (cookie, with CSRF token) and API tokens (bearer), staff
//! passwords (argon2id) with lockout, residents' one-time codes. Every secret is stored
//! only as a hash.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use chrono::Duration;
use haoban_cases::{CaseNumber, CenterId, Role};
use haoban_store::{Session, SessionKind};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::AppError;

pub mod totp;

pub const SESSION_COOKIE: &str = "haoban_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A signed-in person (or script, with an API token).
#[derive(Debug, Clone)]
pub struct Principal {
    /// Staff username, or a resident's ID number.
    pub subject: String,
    pub role: Role,
    pub center: CenterId,
    pub kind: SessionKind,
    pub session_hash: String,
    pub csrf_token: String,
    /// A resident's session a clerk opened beside them: the clerk.
    pub assisted_by: Option<String>,
}

impl Principal {
    /// How the process record names this actor: staff by username, residents masked.
    pub fn actor(&self) -> String {
        match self.role {
            Role::Resident => {
                let resident = match haoban_cases::IdNumber::parse(&self.subject) {
                    Ok(id) => format!("resident:{}", id.masked()),
                    Err(_) => "resident".to_owned(),
                };
                match &self.assisted_by {
                    Some(clerk) => format!("{resident} assisted-by:{clerk}"),
                    None => resident,
                }
            }
            _ => self.subject.clone(),
        }
    }

    pub fn owns(&self, applicant_id: &str) -> bool {
        self.role == Role::Resident && self.subject == applicant_id
    }

    /// Whether this principal is the resident a case was opened for: no one, once the
    /// applicant's number is erased.
    pub fn applied_for(&self, case: &haoban_cases::Case) -> bool {
        case.applicant
            .id_number
            .known()
            .is_some_and(|id| self.owns(id.as_ref()))
    }

    /// Whether the case number names this principal's center (staff) — residents may
    /// reach cases anywhere that are theirs, which the handler checks against the case.
    pub fn may_reach(&self, number: &CaseNumber) -> bool {
        self.role == Role::Resident || number.center() == self.center
    }
}

pub fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new random secret: 32 bytes, hex.
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The longest staff username, in characters.
pub const USERNAME_MAX_CHARS: usize = 64;
/// The longest password, in characters: long passphrases welcome, megabytes to hash not.
pub const PASSWORD_MAX_CHARS: usize = 128;

/// The rule new staff passwords follow, chosen with `--password-rule`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PasswordRule {
    /// What an MLPS (等保2.0) assessor checks against "口令具有复杂度要求": at least 8
    /// characters, from at least three of upper-case letters, lower-case letters, digits
    /// and other characters.
    #[default]
    Mlps,
    /// OWASP ASVS 2.1: at least 12 characters, any characters, no composition rule.
    Asvs,
}

impl PasswordRule {
    pub fn parse(text: &str) -> Option<PasswordRule> {
        match text {
            "mlps" => Some(PasswordRule::Mlps),
            "asvs" => Some(PasswordRule::Asvs),
            _ => None,
        }
    }

    pub fn min_chars(self) -> usize {
        match self {
            PasswordRule::Mlps => 8,
            PasswordRule::Asvs => 12,
        }
    }

    /// Checks a new password for `username` (taken as typed, spaces included).
    pub fn check(self, password: &str, username: &str) -> Result<(), CredentialProblem> {
        let count = password.chars().count();
        if count < self.min_chars() {
            return Err(CredentialProblem::PasswordShort(self.min_chars()));
        }
        if count > PASSWORD_MAX_CHARS {
            return Err(CredentialProblem::PasswordLong);
        }
        // A name of one or two characters is in too many passwords to mean anything.
        let name = username.trim().to_lowercase();
        if name.chars().count() >= 3 && password.to_lowercase().contains(&name) {
            return Err(CredentialProblem::PasswordHasUsername);
        }
        if self == PasswordRule::Mlps {
            let classes = [
                password.chars().any(|c| c.is_uppercase()),
                password.chars().any(|c| c.is_lowercase()),
                password.chars().any(|c| c.is_ascii_digit()),
                password
                    .chars()
                    .any(|c| !c.is_uppercase() && !c.is_lowercase() && !c.is_ascii_digit()),
            ];
            if classes.iter().filter(|has| **has).count() < 3 {
                return Err(CredentialProblem::PasswordSimple);
            }
        }
        Ok(())
    }
}

/// Why a new staff account's username or password is refused: the one rule that the
/// command line (`haoban admin create-user`) and the admin page both apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CredentialProblem {
    #[error("the username must be 1 to {USERNAME_MAX_CHARS} characters without spaces")]
    Username,
    #[error("the password must have at least {0} characters")]
    PasswordShort(usize),
    #[error("the password must have at most {PASSWORD_MAX_CHARS} characters")]
    PasswordLong,
    #[error(
        "the password must mix at least three of: upper-case letters, lower-case letters, digits, other characters"
    )]
    PasswordSimple,
    #[error("the password must not contain the username")]
    PasswordHasUsername,
}

/// A new account's username, trimmed: 1 to 64 characters, none of them white space.
pub fn check_username(typed: &str) -> Result<&str, CredentialProblem> {
    let username = typed.trim();
    let count = username.chars().count();
    if count == 0 || count > USERNAME_MAX_CHARS || username.chars().any(char::is_whitespace) {
        return Err(CredentialProblem::Username);
    }
    Ok(username)
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .map_err(|e| AppError::Unexpected(format!("making a salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::Unexpected(format!("hashing a password: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Spends about as long as a real check, so a wrong username takes as long as a wrong password.
pub fn verify_nothing(password: &str) {
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$YWFhYWFhYWFhYWFhYWFhYQ$7cYRpB5Yb4cgy9Yj6mu+2wMsVqyF9yDoJZuC1IiQm8E";
    let _ = verify_password(password, DUMMY);
}

fn cookie_secret(parts: &Parts) -> Option<String> {
    cookie_in(&parts.headers)
}

fn cookie_in(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

fn bearer_secret(parts: &Parts) -> Option<String> {
    bearer_in(&parts.headers)
}

fn bearer_in(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_owned())
}

/// The credentials a request presented, kept so the access log can name the session of a
/// request whose handler never asked (an endpoint open to all).
pub struct Credentials {
    bearer: Option<String>,
    cookie: Option<String>,
}

impl Credentials {
    pub fn of(headers: &HeaderMap) -> Credentials {
        Credentials {
            bearer: bearer_in(headers),
            cookie: cookie_in(headers),
        }
    }

    /// Whom they name: a session or token that is valid now, read only (no CSRF check,
    /// no sliding of the idle time, nothing deleted).
    pub async fn principal(&self, state: &AppState) -> Option<Principal> {
        let (secret, kind) = match (&self.bearer, &self.cookie) {
            (Some(token), _) => (token, SessionKind::ApiToken),
            (None, Some(cookie)) => (cookie, SessionKind::Cookie),
            (None, None) => return None,
        };
        let id_hash = hash_secret(secret);
        let session = state.store.session(&id_hash).await.ok().flatten()?;
        let now = state.clock.now();
        let expired = kind == SessionKind::Cookie
            && (now - session.last_seen > state.config.idle_timeout
                || now - session.created_at > state.config.absolute_timeout);
        (session.kind == kind && !expired).then_some(Principal {
            subject: session.subject,
            role: session.role,
            center: session.center,
            kind,
            session_hash: id_hash,
            csrf_token: session.csrf_token,
            assisted_by: session.assisted_by,
        })
    }
}

/// A principal if someone is signed in, `None` otherwise: for endpoints open to all.
pub struct MaybePrincipal(pub Option<Principal>);

impl FromRequestParts<AppState> for MaybePrincipal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        match Principal::from_request_parts(parts, state).await {
            Ok(principal) => Ok(MaybePrincipal(Some(principal))),
            Err(AppError::Unauthorized) => Ok(MaybePrincipal(None)),
            Err(other) => Err(other),
        }
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let (secret, kind) = match (bearer_secret(parts), cookie_secret(parts)) {
            (Some(token), _) => (token, SessionKind::ApiToken),
            (None, Some(cookie)) => (cookie, SessionKind::Cookie),
            (None, None) => return Err(AppError::Unauthorized),
        };
        let id_hash = hash_secret(&secret);
        let session: Session = state
            .store
            .session(&id_hash)
            .await?
            .ok_or(AppError::Unauthorized)?;
        if session.kind != kind {
            return Err(AppError::Unauthorized);
        }
        let now = state.clock.now();
        if kind == SessionKind::Cookie
            && (now - session.last_seen > state.config.idle_timeout
                || now - session.created_at > state.config.absolute_timeout)
        {
            state.store.delete_session(&id_hash).await?;
            return Err(AppError::Unauthorized);
        }
        let principal = Principal {
            subject: session.subject,
            role: session.role,
            center: session.center,
            kind,
            session_hash: id_hash,
            csrf_token: session.csrf_token,
            assisted_by: session.assisted_by,
        };
        // The access log names whoever the session is, even when the request is refused.
        if let Some(note) = parts.extensions.get::<crate::audit::AccessNote>() {
            note.signed_in(&principal);
        }
        if kind == SessionKind::Cookie {
            let unsafe_method =
                !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            if unsafe_method && sent != Some(principal.csrf_token.as_str()) {
                return Err(AppError::Forbidden(format!(
                    "missing or wrong {CSRF_HEADER} header (cross-site request protection)"
                )));
            }
            // Sliding idle timeout; written at most once a minute to spare the database.
            if now - session.last_seen > Duration::minutes(1) {
                state
                    .store
                    .touch_session(&principal.session_hash, now)
                    .await?;
            }
        }
        Ok(principal)
    }
}

#[cfg(test)]
mod tests {
    use super::{CredentialProblem, PasswordRule, check_username};

    #[test]
    fn usernames_follow_one_rule() {
        assert_eq!(check_username("  zhang "), Ok("zhang"));
        // Characters, not bytes: 64 Chinese characters are fine.
        let long = "张".repeat(64);
        assert_eq!(check_username(&long), Ok(long.as_str()));
        for bad in ["", "   ", "li si", "tab\there", &"a".repeat(65)] {
            assert_eq!(
                check_username(bad),
                Err(CredentialProblem::Username),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_mlps_rule_wants_eight_characters_of_three_kinds() {
        let rule = PasswordRule::Mlps;
        for good in [
            "Abcdef1!",
            "abcdef1!",
            "ABCDEF1!",
            "Abcdefg1",
            "密码Ab1密码码",
            "Wang-Li 2026",
        ] {
            assert_eq!(rule.check(good, "zhang"), Ok(()), "{good}");
        }
        assert_eq!(
            rule.check("Abc1!", "zhang"),
            Err(CredentialProblem::PasswordShort(8))
        );
        for simple in [
            "abcdefgh",
            "abcdefg1",
            "12345678",
            "ABCDEFG!",
            "密码密码密码密码",
        ] {
            assert_eq!(
                rule.check(simple, "zhang"),
                Err(CredentialProblem::PasswordSimple),
                "{simple}"
            );
        }
        assert_eq!(
            rule.check("Zhang-2026", "zhang"),
            Err(CredentialProblem::PasswordHasUsername)
        );
        assert_eq!(
            rule.check(&format!("Aa1{}", "x".repeat(126)), "zhang"),
            Err(CredentialProblem::PasswordLong)
        );
    }

    #[test]
    fn the_asvs_rule_wants_length_not_kinds() {
        let rule = PasswordRule::Asvs;
        assert_eq!(rule.check("correct horse battery", "zhang"), Ok(()));
        assert_eq!(rule.check("密码密码密码密码密码密码", "zhang"), Ok(()));
        assert_eq!(
            rule.check("Abcdef1!", "zhang"),
            Err(CredentialProblem::PasswordShort(12))
        );
        assert_eq!(PasswordRule::parse("asvs"), Some(PasswordRule::Asvs));
        assert_eq!(PasswordRule::parse("mlps"), Some(PasswordRule::Mlps));
        assert_eq!(PasswordRule::parse("weak"), None);
    }
}
