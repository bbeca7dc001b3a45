//! Server-rendered pages: askama templates (compile-checked, escaped), one hand-written
//! stylesheet, no inline scripts and no front-end build. Chinese first, `?lang=en` for
//! English (remembered in a cookie).
//!
//! Pages sign in with the same cookie session as the API. Forms cannot send the API's
//! `x-csrf-token` header, so a page form carries the session's token as the hidden field
//! `csrf_token`, and [`check_csrf`] compares it.

mod access_log;
mod admin;
mod appointments;
mod board;
mod cabinets;
mod desk;
mod follow_ups;
mod i18n;
mod kiosk;
mod login;
mod monthly;
mod office;
mod portal;
mod rate;
mod reports;
mod review;
mod ticket;
mod training;
mod visitors;
mod window;

use askama::Template;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Router, extract::Query};
use haoban_cases::{Action, Role, Scope, permits};
use haoban_store::SessionKind;

use crate::AppState;
use crate::auth::Principal;
use crate::error::AppError;
pub use i18n::{Lang, Msgs};

const CSS: &str = include_str!("../../static/haoban.css");
const JS: &str = include_str!("../../static/haoban.js");

/// Scripts and styles only from this site, forms only to it, never framed.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; \
     object-src 'none'";

pub fn router(state: &AppState) -> Router<AppState> {
    // A portal form carries several files at the upload limit each; one over it is refused
    // by name and size, not cut off.
    let form_limit = state.config.self_service.upload_limit * 8 + 1024 * 1024;
    Router::new()
        .route("/", get(home))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::sign_out))
        .route("/desk", get(desk::start).post(desk::step))
        .route("/desk/notice", post(desk::notice))
        .route("/desk/ticket", post(ticket::issue))
        .route(
            "/desk/appointments",
            get(appointments::show).post(appointments::book),
        )
        .route("/desk/appointments/check-in", post(appointments::check_in))
        .route(
            "/desk/visitors",
            get(visitors::form).post(visitors::look_up),
        )
        .route("/office", get(office::list))
        .route("/office/cases/{number}", get(office::case))
        .route("/office/cases/{number}/{action}", post(office::act))
        .route("/office/cases/{number}/uploads/{id}", get(office::download))
        .route("/admin", get(admin::page))
        .route("/access-log", get(access_log::page))
        .route("/admin/windows", post(admin::save_window))
        .route("/admin/windows/remove", post(admin::remove_window))
        .route("/admin/users", post(admin::create_user))
        .route("/admin/users/disable", post(admin::disable_user))
        .route("/admin/users/totp", post(admin::issue_totp))
        .route("/admin/catalog/check", post(admin::check))
        .route("/reports", get(reports::day))
        .route("/reports/month", get(monthly::month))
        .route("/reports/monthly", get(monthly::list))
        .route("/reports/monthly.xlsx", get(monthly::xlsx))
        .route("/reports/monthly/formulas", get(monthly::explain))
        .route("/reports/monthly/{month}/{staff}", get(monthly::figure))
        .route("/window", get(window::show))
        .route("/window/step", post(window::step))
        .route("/window/accept", post(window::accept))
        .route("/window/cases/{number}/receipt", get(window::receipt))
        .route("/follow-ups", get(follow_ups::list))
        .route("/follow-ups/{id}", get(follow_ups::detail))
        .route("/follow-ups/{id}/{step}", post(follow_ups::act))
        .route("/rate/{token}", get(rate::show).post(rate::submit))
        .route("/pad", get(rate::pad::show).post(rate::pad::rate))
        .route("/training", get(training::overview))
        .route("/training/staff/{username}", get(training::staff_plan))
        .route(
            "/training/tests/{item}",
            get(training::take).post(training::hand_in),
        )
        .route(
            "/training/questions",
            get(training::bank).post(training::add_question),
        )
        .route(
            "/training/onboarding",
            get(training::tracked).post(training::start),
        )
        .route("/training/onboarding/{staff}", get(training::tracker))
        .route("/training/onboarding/{staff}/{step}", post(training::step))
        .route("/portal", get(portal::home).post(portal::sign_in))
        .route("/portal/apply", get(portal::apply_items))
        .route(
            "/portal/apply/{item}",
            get(portal::apply_form)
                .post(portal::apply_step)
                .layer(DefaultBodyLimit::max(form_limit)),
        )
        .route("/portal/cases/{number}", get(portal::case))
        .route(
            "/portal/cases/{number}/supplement",
            post(portal::supplement).layer(DefaultBodyLimit::max(form_limit)),
        )
        .route("/portal/cases/{number}/rate", post(portal::rate))
        .route("/portal/offers/{item}", post(portal::answer_offer))
        .route("/portal/cases/{number}/uploads/{id}", get(portal::download))
        .route(
            "/portal/assist",
            get(portal::assist_form).post(portal::assist_step),
        )
        .route("/cabinets", get(cabinets::page).post(cabinets::install))
        .route("/kiosk", get(kiosk::home))
        .route(
            "/kiosk/prereview",
            get(kiosk::prereview_start).post(kiosk::prereview_step),
        )
        .route(
            "/kiosk/ticket",
            get(kiosk::ticket_choose).post(kiosk::ticket_issue),
        )
        .route(
            "/kiosk/track",
            get(kiosk::track_form).post(kiosk::track_look_up),
        )
        .route(
            "/kiosk/pickup",
            get(kiosk::pickup_form).post(kiosk::pickup_try),
        )
        .route("/kiosk/rate", get(kiosk::rate_form).post(kiosk::rate_open))
        .route("/board", get(board::page))
        .route("/board/events", get(board::events))
        .route("/static/haoban.css", get(css))
        .route("/static/haoban.js", get(js))
        .route("/static/board.js", get(board::script))
        .route("/static/kiosk.js", get(kiosk::script))
        .route("/static/kiosk.css", get(kiosk::stylesheet))
        .layer(middleware::from_fn_with_state(state.clone(), page_headers))
}

async fn home() -> Redirect {
    Redirect::to("/desk")
}

async fn css() -> Response {
    static_file("text/css; charset=utf-8", CSS)
}

async fn js() -> Response {
    static_file("text/javascript; charset=utf-8", JS)
}

fn static_file(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}

/// Remembers `?lang=` in a cookie, and gives every page its security headers. Pages show
/// personal data, so they are never cached.
async fn page_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let chosen = Lang::from_query(request.uri());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Some(cookie) = chosen
        .and_then(|lang| HeaderValue::from_str(&lang.cookie(state.config.secure_cookies)).ok())
    {
        headers.append(header::SET_COOKIE, cookie);
    }
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    // Served over TLS (directly or behind a proxy, as `secure_cookies` says): browsers
    // must never come back over plain HTTP.
    if state.config.secure_cookies {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

/// The frame of every page: language, title, who is signed in, the language switch.
pub struct Chrome {
    pub t: &'static Msgs,
    pub lang: Lang,
    pub title: String,
    pub user: Option<UserLine>,
    /// Where the language switch leads: this page in the other language. A page whose
    /// state lives in a form overrides the `lang_switch` block to post that state here.
    pub switch_href: String,
    /// Which navigation entry is the current page.
    pub nav: &'static str,
}

pub struct UserLine {
    pub name: String,
    pub role: &'static str,
    pub center: String,
    pub csrf_token: String,
    /// The pages this role may use, in the navigation's order.
    pub links: Vec<NavLink>,
}

pub struct NavLink {
    pub href: &'static str,
    /// Matches `Chrome::nav` on the page it leads to.
    pub key: &'static str,
    pub label: &'static str,
}

/// The staff pages `principal`'s role may open, by the policy table.
fn nav_links(lang: Lang, principal: &Principal) -> Vec<NavLink> {
    let t = lang.msgs();
    let may = |action: Action| permits(principal.role, action) == Some(Scope::OwnCenter);
    let staff = principal.role != Role::Resident;
    [
        (may(Action::IssueTicket), "/desk", "desk", t.nav_desk),
        (may(Action::CallTicket), "/window", "window", t.nav_window),
        (
            staff && may(Action::ListCases),
            "/office",
            "office",
            if may(Action::StartReview) {
                t.role_office
            } else {
                t.nav_cases
            },
        ),
        (
            staff && follow_ups::may_use(principal),
            "/follow-ups",
            "follow-ups",
            follow_ups::nav_label(lang),
        ),
        (
            staff && training::may_use(principal),
            "/training",
            "training",
            training::nav_label(lang),
        ),
        (staff, "/board", "board", t.nav_board),
        (
            staff && cabinets::may_use(principal),
            "/cabinets",
            "cabinets",
            cabinets::nav_label(lang),
        ),
        (
            may(Action::ViewReports),
            "/reports",
            "reports",
            reports::nav_label(&lang),
        ),
        (
            may(Action::ViewReports),
            "/reports/monthly",
            "monthly",
            monthly::nav_label(&lang),
        ),
        (
            admin::may_use(principal),
            "/admin",
            "admin",
            admin::nav_label(lang),
        ),
        (
            access_log::may_use(principal),
            "/access-log",
            "access-log",
            access_log::nav_label(lang),
        ),
    ]
    .into_iter()
    .filter(|(allowed, ..)| *allowed)
    .map(|(_, href, key, label)| NavLink { href, key, label })
    .collect()
}

impl Chrome {
    pub fn new(lang: Lang, title: &str, uri: &Uri, principal: Option<&Principal>) -> Chrome {
        let t = lang.msgs();
        Chrome {
            t,
            lang,
            title: title.to_owned(),
            user: principal.map(|p| UserLine {
                name: p.actor(),
                role: t.role(p.role),
                center: p.center.to_string(),
                csrf_token: p.csrf_token.clone(),
                links: nav_links(lang, p),
            }),
            switch_href: switch_href(uri, lang.other()),
            nav: "",
        }
    }
}

/// This page's address with `lang` set to `lang` and every other query parameter kept.
fn switch_href(uri: &Uri, lang: Lang) -> String {
    let pairs: Vec<(String, String)> = Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|Query(pairs)| pairs)
        .unwrap_or_default();
    let mut query: Vec<String> = pairs
        .iter()
        .filter(|(name, _)| name != "lang")
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect();
    query.push(format!("lang={}", lang.code()));
    format!("{}?{}", uri.path(), query.join("&"))
}

/// Percent-encodes a query component; `/` is left as it is (it is allowed there and keeps
/// `next=/desk` readable).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// Renders a template as an HTML response.
pub fn render<T: Template>(status: StatusCode, template: &T) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => {
            let reference = reference();
            tracing::error!(%reference, cause = %err, "rendering a page failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("internal error (reference {reference})"),
            )
                .into_response()
        }
    }
}

fn reference() -> String {
    format!("{:016x}", rand::random::<u64>())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Chrome,
    heading: &'static str,
    message: String,
    reference: Option<String>,
    back_to_desk: bool,
}

/// An error as a page: the same grouping as the API's, shown in the page's language.
pub fn error_page(lang: Lang, uri: &Uri, principal: Option<&Principal>, err: AppError) -> Response {
    let t = lang.msgs();
    let (status, heading, message, reference) = match err {
        AppError::Forbidden(why) => (StatusCode::FORBIDDEN, t.forbidden_title, why, None),
        AppError::NotFound(_) => (
            StatusCode::NOT_FOUND,
            t.not_found_title,
            t.not_found.to_owned(),
            None,
        ),
        AppError::Invalid(_) | AppError::Conflict(_) => (
            StatusCode::BAD_REQUEST,
            t.bad_form_title,
            t.bad_form.to_owned(),
            None,
        ),
        AppError::Unauthorized | AppError::Locked(_) | AppError::RateLimited(_) => (
            StatusCode::UNAUTHORIZED,
            t.login_title,
            t.login_hint.to_owned(),
            None,
        ),
        AppError::Unexpected(cause) => {
            let reference = reference();
            tracing::error!(%reference, %cause, "page request failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                t.error_title,
                t.error_reference.to_owned(),
                Some(reference),
            )
        }
    };
    let page = ErrorPage {
        page: Chrome::new(lang, heading, uri, principal),
        heading,
        message,
        reference,
        back_to_desk: principal.is_some_and(|p| p.role != Role::Resident),
    };
    render(status, &page)
}

/// A form whose `csrf_token` does not match the session's.
pub fn csrf_page(lang: Lang, uri: &Uri, principal: &Principal) -> Response {
    error_page(
        lang,
        uri,
        Some(principal),
        AppError::Forbidden(lang.msgs().csrf_failed.to_owned()),
    )
}

/// A form that carries the session's token in its hidden `csrf_token` field.
pub trait CsrfForm {
    fn csrf_token(&self) -> &str;
}

impl CsrfForm for Vec<(String, String)> {
    /// The last one sent, as pages read every field sent twice.
    fn csrf_token(&self) -> &str {
        form_field(self, "csrf_token")
    }
}

/// The value of a posted field (the last one, as pages read every field sent twice), or
/// `""` when it was not sent.
pub fn form_field<'f>(pairs: &'f [(String, String)], name: &str) -> &'f str {
    pairs
        .iter()
        .rev()
        .find(|(key, _)| key == name)
        .map_or("", |(_, value)| value.as_str())
}

/// A posted form that could be read and carries the session's token; otherwise the page
/// that says why not.
pub fn posted_form<T: CsrfForm>(
    lang: Lang,
    uri: &Uri,
    principal: &Principal,
    form: Result<axum::extract::Form<T>, axum::extract::rejection::FormRejection>,
) -> Result<T, Box<Response>> {
    let Ok(axum::extract::Form(form)) = form else {
        let unreadable = AppError::Invalid(lang.msgs().bad_form.to_owned());
        return Err(Box::new(error_page(lang, uri, Some(principal), unreadable)));
    };
    if !check_csrf(principal, form.csrf_token()) {
        return Err(Box::new(csrf_page(lang, uri, principal)));
    }
    Ok(form)
}

/// Whether a form's hidden `csrf_token` is the session's, compared in constant time.
pub fn check_csrf(principal: &Principal, sent: &str) -> bool {
    let expected = principal.csrf_token.as_bytes();
    let sent = sent.as_bytes();
    !expected.is_empty()
        && expected.len() == sent.len()
        && expected
            .iter()
            .zip(sent)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// A redirect after a form (303: the browser follows with GET).
pub fn see_other(location: &str) -> Response {
    Redirect::to(location).into_response()
}

/// A staff member or resident signed in with a cookie session. Someone who is not is sent
/// to `/login`, with `next` set to the page they asked for.
pub struct SignedIn(pub Principal);

/// The session, if there is one: for pages open to all.
pub struct MaybeSignedIn(pub Option<Principal>);

/// Finds the cookie session exactly as the API does (timeouts, sliding idle time), but
/// asks as a safe request: a page form proves itself with its `csrf_token` field, which
/// the handler checks, not with the API's header.
async fn page_principal(
    parts: &mut Parts,
    state: &AppState,
) -> Result<Option<Principal>, AppError> {
    let method = std::mem::replace(&mut parts.method, Method::GET);
    let found = Principal::from_request_parts(parts, state).await;
    parts.method = method;
    match found {
        Ok(principal) if principal.kind == SessionKind::Cookie => Ok(Some(principal)),
        Ok(_) | Err(AppError::Unauthorized) => Ok(None),
        Err(other) => Err(other),
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match page_principal(parts, state).await {
            Ok(Some(principal)) => Ok(SignedIn(principal)),
            Ok(None) => {
                // A GET can be repeated after signing in; a form post cannot.
                let next = if parts.method == Method::GET {
                    parts
                        .uri
                        .path_and_query()
                        .map_or("/", |pq| pq.as_str())
                        .to_owned()
                } else {
                    parts.uri.path().to_owned()
                };
                Err(see_other(&format!("/login?next={}", encode(&next))))
            }
            Err(err) => Err(error_page(Lang::of_request(parts), &parts.uri, None, err)),
        }
    }
}

impl FromRequestParts<AppState> for MaybeSignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        page_principal(parts, state)
            .await
            .map(MaybeSignedIn)
            .map_err(|err| error_page(Lang::of_request(parts), &parts.uri, None, err))
    }
}

/// `next` if it is a path on this site (`/…`, not `//…` or `/\…`, which browsers read as
/// another host), else `/desk`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(|c| c.is_control()) =>
        {
            path.to_owned()
        }
        _ => "/desk".to_owned(),
    }
}
