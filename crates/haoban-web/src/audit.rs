//! The access log's writer (审计日志): a layer over every route, API and pages alike, that
//! writes exactly one record per state-changing request (any method but GET, HEAD and
//! OPTIONS) and per read of personal data ([`PERSONAL_READS`]), whatever its result —
//! refused and failed requests too. The rules are in `docs/audit.md`.
//!
//! What a record holds comes from the route and the session, never from a body, so no
//! password, code or token can reach it: the route's template (`/api/v1/cases/{number}`),
//! its path parameters (a secret one, the rating link's token, only as `***`; anything
//! that reads as an ID number masked), the principal's `actor()` as the process record
//! names it (residents masked), and the client's address ([`crate::client_addr`]).
//! Sign-ins add the username tried ([`AccessNote::attempted`]).
//!
//! When the write itself fails, the request has already been answered by the handler:
//! - a state change has committed, so its reply stands (answering 500 would tell the
//!   client a committed change failed); the record goes to the error log in full instead;
//! - a personal read changed nothing, so its reply is withheld (500): personal data is
//!   never shown without its record.

use std::sync::{Arc, Mutex};

use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::Method;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use haoban_cases::IdNumber;
use haoban_store::access::{AccessRecord, Outcome};

use crate::AppState;
use crate::auth::{self, Principal};
use crate::client_addr;
use crate::error::AppError;

/// Reads of personal data, by route template: every GET that shows a named resident's
/// data beyond the caller's own session (names, ID numbers, phone numbers, facts, case
/// contents and files, tickets carrying a visitor), the staff accounts, or the access log
/// itself. Pages that show only forms, figures, case numbers or masked residents are not
/// on it. The coverage test (`tests/access_log.rs`) walks every route against this list.
pub const PERSONAL_READS: &[&str] = &[
    "/api/v1/cases",
    "/api/v1/cases/{number}",
    "/api/v1/cases/{number}/record",
    "/api/v1/cases/{number}/uploads",
    "/api/v1/cases/{number}/uploads/{id}",
    "/api/v1/tickets",
    "/api/v1/appointments",
    "/api/v1/access-log",
    "/desk/appointments",
    "/office",
    "/office/cases/{number}",
    "/office/cases/{number}/uploads/{id}",
    "/window",
    "/window/cases/{number}/receipt",
    "/admin",
    "/portal",
    "/portal/cases/{number}",
    "/portal/cases/{number}/uploads/{id}",
    "/access-log",
];

/// Path parameters that are credentials: written as `***`.
const SECRET_PARAMS: &[&str] = &["token"];

/// The longest object written, in characters: a path parameter is typed by the client.
const OBJECT_MAX_CHARS: usize = 200;

/// Whether a request is recorded: a state change, or a read of personal data.
pub fn is_audited(method: &Method, template: Option<&str>) -> bool {
    let read = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    !read || (*method == Method::GET && template.is_some_and(|t| PERSONAL_READS.contains(&t)))
}

#[derive(Debug, Default)]
struct Noted {
    actor: Option<String>,
    role: Option<String>,
    center: Option<String>,
    /// What a handler names as the object besides the path (an account administered).
    about: Option<String>,
}

/// What the handler learns about who is asking, for the request's record: filled by the
/// [`Principal`] extractor, and by sign-ins with the username tried. An extractor; outside
/// the layer (a test calling a handler) it notes nothing.
#[derive(Debug, Clone, Default)]
pub struct AccessNote(Arc<Mutex<Noted>>);

impl AccessNote {
    fn with(&self, change: impl FnOnce(&mut Noted)) {
        // A poisoned lock only means another holder panicked; the note is still plain data.
        let mut noted = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        change(&mut noted);
    }

    pub(crate) fn signed_in(&self, principal: &Principal) {
        self.with(|noted| {
            noted.actor = Some(principal.actor());
            noted.role = Some(principal.role.as_str().to_owned());
            noted.center = Some(principal.center.to_string());
        });
    }

    /// A sign-in names who tried: a staff username as typed, or a resident's ID number,
    /// which is masked here (a number that does not parse is not written at all).
    pub fn attempted(&self, who: &str) {
        let who = match IdNumber::parse(who.trim()) {
            Ok(id) => format!("resident:{}", id.masked()),
            Err(_) if looks_like_id_number(who) => "resident".to_owned(),
            Err(_) => shorten(who.trim(), crate::auth::USERNAME_MAX_CHARS),
        };
        self.with(|noted| {
            if noted.actor.is_none() {
                noted.actor = Some(who);
            }
        });
    }

    /// Names the object when it travels in the body (the account a form creates or
    /// disables): `name=value`, written after the path's parameters.
    pub fn about(&self, name: &str, value: &str) {
        let value = if looks_like_id_number(value) {
            "***".to_owned()
        } else {
            shorten(value.trim(), crate::auth::USERNAME_MAX_CHARS)
        };
        self.with(|noted| noted.about = Some(format!("{name}={value}")));
    }

    fn take(&self) -> Noted {
        let mut taken = Noted::default();
        self.with(|noted| std::mem::swap(noted, &mut taken));
        taken
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AccessNote {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<AccessNote>()
            .cloned()
            .unwrap_or_default())
    }
}

/// Seventeen digits and a check character: typed where a username or case number goes,
/// it is still an ID number and never written whole.
fn looks_like_id_number(text: &str) -> bool {
    let text = text.trim();
    text.len() == 18
        && text
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || (i == 17 && matches!(c, 'x' | 'X')))
}

fn shorten(text: &str, max: usize) -> String {
    text.chars().filter(|c| !c.is_control()).take(max).collect()
}

/// The path's parameters as `name=value`, secrets and ID numbers hidden.
fn object(params: Option<&RawPathParams>) -> String {
    let Some(params) = params else {
        return String::new();
    };
    let parts: Vec<String> = params
        .iter()
        .map(|(name, value)| {
            let value = if SECRET_PARAMS.contains(&name) {
                "***".to_owned()
            } else if let Ok(id) = IdNumber::parse(value) {
                id.masked()
            } else if looks_like_id_number(value) {
                "***".to_owned()
            } else {
                value.to_owned()
            };
            format!("{name}={value}")
        })
        .collect();
    shorten(&parts.join(" "), OBJECT_MAX_CHARS)
}

/// The layer: see the module docs.
pub async fn record(
    State(state): State<AppState>,
    params: Result<RawPathParams, RawPathParamsRejection>,
    mut request: Request,
    next: Next,
) -> Response {
    let template = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned());
    let method = request.method().clone();
    if !is_audited(&method, template.as_deref()) {
        return next.run(request).await;
    }
    let source = client_addr::of_request(&request, &state.config.trusted_proxies);
    let credentials = auth::Credentials::of(request.headers());
    let note = AccessNote::default();
    request.extensions_mut().insert(note.clone());
    let response = next.run(request).await;
    let mut noted = note.take();
    if noted.actor.is_none() {
        // A handler open to all never asked who it was; the session presented says.
        if let Some(principal) = credentials.principal(&state).await {
            noted.actor = Some(principal.actor());
            noted.role = Some(principal.role.as_str().to_owned());
            noted.center = Some(principal.center.to_string());
        }
    }
    let object = match (object(params.as_ref().ok()), noted.about) {
        (path, None) => path,
        (path, Some(about)) if path.is_empty() => about,
        (path, Some(about)) => format!("{path} {about}"),
    };
    let status = response.status().as_u16();
    let record = AccessRecord {
        at: state.clock.now(),
        actor: noted.actor.unwrap_or_else(|| "anonymous".to_owned()),
        role: noted.role.unwrap_or_default(),
        center: noted.center.unwrap_or_default(),
        action: format!(
            "{method} {}",
            template.as_deref().unwrap_or("(no such route)")
        ),
        object,
        status,
        outcome: Outcome::of_status(status),
        source,
    };
    match state.store.append_access(&record).await {
        Ok(_) => response,
        Err(err) if method == Method::GET => AppError::Unexpected(format!(
            "writing the access log ({err}); the personal data read was withheld"
        ))
        .into_response(),
        Err(err) => {
            tracing::error!(
                cause = %err,
                at = %record.at,
                actor = %record.actor,
                role = %record.role,
                center = %record.center,
                action = %record.action,
                object = %record.object,
                status = record.status,
                source = %record.source,
                "writing the access log failed; the request's change stands and this line is its record"
            );
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_changes_and_personal_reads_are_audited_other_reads_not() {
        assert!(is_audited(&Method::POST, Some("/api/v1/cases")));
        assert!(is_audited(&Method::DELETE, Some("/api/v1/session")));
        assert!(is_audited(&Method::POST, None));
        assert!(is_audited(&Method::GET, Some("/api/v1/cases/{number}")));
        assert!(!is_audited(&Method::GET, Some("/api/v1/catalog")));
        assert!(!is_audited(&Method::HEAD, Some("/api/v1/cases/{number}")));
        assert!(!is_audited(&Method::GET, None));
    }

    #[test]
    fn an_attempted_sign_in_never_writes_a_whole_id_number() {
        let note = AccessNote::default();
        note.attempted("11010519491231002X");
        let masked = IdNumber::parse("11010519491231002X").expect("id").masked();
        assert_eq!(note.take().actor, Some(format!("resident:{masked}")));
        let note = AccessNote::default();
        note.attempted("110105194912310030");
        assert_eq!(note.take().actor.as_deref(), Some("resident"));
        let note = AccessNote::default();
        note.attempted("  zhang\n ");
        assert_eq!(note.take().actor.as_deref(), Some("zhang"));
    }
}
