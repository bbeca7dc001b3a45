//! TestApp: the router in process, a fresh SQLite store, the fixture catalog, a fixed
//! clock and a notifier that keeps messages. Requests go through `oneshot`, no socket.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::{DateTime, TimeZone, Utc};
use haoban_cases::{CenterId, FixedClock, Role};
use haoban_catalog::Catalog;
use haoban_store::User;
use haoban_store_sqlite::SqliteStore;
use haoban_web::auth::totp::{self, TotpSecret};
use haoban_web::{AppState, MemoryDevices, MemoryNotifier, WebConfig, hash_password, router};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery";
pub const RESIDENT: &str = "11010519491231002X";
pub const OTHER_RESIDENT: &str = "110105194912310038";

pub struct TestApp {
    pub state: AppState,
    pub clock: Arc<FixedClock>,
    pub notifier: Arc<MemoryNotifier>,
    pub devices: Arc<MemoryDevices>,
    /// The TOTP time step each account last signed in with: a code is good once.
    totp_steps: Mutex<HashMap<String, i64>>,
    _dir: tempfile::TempDir,
}

/// A signed-in caller: the cookie and CSRF token, or an API token.
#[derive(Clone, Debug)]
pub enum Auth {
    Anonymous,
    Cookie { secret: String, csrf: String },
    Token(String),
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub set_cookie: Option<String>,
}

pub fn at(text: &str) -> DateTime<Utc> {
    Utc.from_utc_datetime(
        &chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("time"),
    )
}

impl TestApp {
    pub async fn new() -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(
            &dir.path().join("haoban.db"),
            Arc::new(haoban_store::vault::Vault::for_tests()),
        )
        .await
        .expect("store");
        let fixture =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../haoban-catalog/tests/fixtures/basic");
        let catalog = Catalog::load(&fixture).expect("fixture catalog");
        // 2026-11-02 is a Monday, 10:00 in Shanghai.
        let clock = Arc::new(FixedClock::new(at("2026-11-02 02:00")));
        let notifier = Arc::new(MemoryNotifier::default());
        let devices = Arc::new(MemoryDevices::default());
        let state = AppState {
            store: Arc::new(store),
            catalog: Arc::new(catalog),
            clock: clock.clone(),
            notifier: notifier.clone(),
            devices: devices.clone(),
            config: WebConfig::default(),
            rate_limiter: Arc::default(),
        };
        TestApp {
            state,
            clock,
            notifier,
            devices,
            totp_steps: Mutex::default(),
            _dir: dir,
        }
    }

    pub async fn with_user(&self, username: &str, role: Role, center: &str) {
        self.state
            .store
            .create_user(&User {
                username: username.into(),
                role,
                center: CenterId::parse(center).expect("center"),
                password_hash: hash_password(PASSWORD).expect("hash"),
                disabled: false,
                // The administrators cannot sign in without one.
                totp_secret: self
                    .state
                    .config
                    .needs_totp(role)
                    .then(|| TotpSecret::generate().to_base32()),
                created_at: self.clock_now(),
            })
            .await
            .expect("create user");
    }

    pub fn db_path(&self) -> std::path::PathBuf {
        self._dir.path().join("haoban.db")
    }

    fn clock_now(&self) -> DateTime<Utc> {
        use haoban_cases::Clock;
        self.clock.now()
    }

    /// Creates the user and signs in with a cookie session.
    pub async fn staff(&self, username: &str, role: Role, center: &str) -> Auth {
        self.with_user(username, role, center).await;
        self.sign_in(username, PASSWORD).await.expect("sign in")
    }

    /// A fresh code of the account's TOTP key, if it has one: of the clock's current step
    /// or one either side, later than the last one used (moving the clock on if need be).
    pub async fn totp_code(&self, username: &str) -> Option<String> {
        let user = self.state.store.user(username).await.expect("read user")?;
        let secret = TotpSecret::from_base32(&user.totp_secret?).expect("stored key");
        let mut steps = self.totp_steps.lock().expect("steps");
        let next = steps.get(username).map_or(i64::MIN, |last| last + 1);
        while next > totp::step_of(self.clock_now()) + 1 {
            self.clock
                .advance(chrono::Duration::seconds(totp::STEP_SECONDS));
        }
        let step = (totp::step_of(self.clock_now()) - 1).max(next);
        steps.insert(username.to_owned(), step);
        Some(secret.code_at_step(step))
    }

    pub async fn sign_in(&self, username: &str, password: &str) -> Result<Auth, Reply> {
        let totp = self.totp_code(username).await;
        let reply = self
            .request(
                Method::POST,
                "/api/v1/session",
                Some(serde_json::json!({"username": username, "password": password, "totp": totp})),
                &Auth::Anonymous,
            )
            .await;
        if reply.status != StatusCode::OK {
            return Err(reply);
        }
        Ok(cookie_auth(&reply))
    }

    /// Signs a resident in through the one-time code the notifier received.
    pub async fn resident(&self, id_number: &str) -> Auth {
        let sent = self
            .request(
                Method::POST,
                "/api/v1/resident/code",
                Some(serde_json::json!({"id_number": id_number, "center": "linfen"})),
                &Auth::Anonymous,
            )
            .await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{:?}", sent.body);
        let message = self
            .notifier
            .sent()
            .last()
            .expect("a code was sent")
            .1
            .clone();
        let code: String = message
            .chars()
            .filter(|c| c.is_ascii_digit())
            .take(6)
            .collect();
        let reply = self
            .request(
                Method::POST,
                "/api/v1/resident/session",
                Some(serde_json::json!({"id_number": id_number, "code": code})),
                &Auth::Anonymous,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        cookie_auth(&reply)
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        auth: &Auth,
    ) -> Reply {
        let mut builder = Request::builder().method(method).uri(path);
        match auth {
            Auth::Anonymous => {}
            Auth::Cookie { secret, csrf } => {
                builder = builder
                    .header(header::COOKIE, format!("haoban_session={secret}"))
                    .header("x-csrf-token", csrf);
            }
            Auth::Token(token) => {
                builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"))
            }
        }
        let request = match body {
            Some(json) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json.to_string())),
            None => builder.body(Body::empty()),
        }
        .expect("request");
        let (status, headers, bytes) = self.send(request).await;
        let set_cookie = headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Reply {
            status,
            body,
            set_cookie,
        }
    }

    pub async fn get(&self, path: &str, auth: &Auth) -> Reply {
        self.request(Method::GET, path, None, auth).await
    }

    pub async fn post(&self, path: &str, body: Value, auth: &Auth) -> Reply {
        self.request(Method::POST, path, Some(body), auth).await
    }

    /// Opens a case for the fixture's elderly allowance as a clerk of `linfen`.
    pub async fn open_case(&self, clerk: &Auth) -> Value {
        let reply = self
            .post(
                "/api/v1/cases",
                serde_json::json!({
                    "item": "elderly-allowance",
                    "applicant": {"id_number": RESIDENT, "name": "王阿姨"},
                    "facts": {"birth_date": "1949-12-31", "hukou": "shanghai", "payment": "bank"}
                }),
                clerk,
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        reply.body
    }
}

/// The form field's block (`<div class="field…">` or `<fieldset…>`) around the element
/// that carries `attribute`: where the field's message must be to be next to it.
pub fn field_block<'h>(html: &'h str, attribute: &str) -> &'h str {
    let at = html
        .find(attribute)
        .unwrap_or_else(|| panic!("no {attribute} in\n{html}"));
    let start = ["<div class=\"field", "<fieldset"]
        .iter()
        .filter_map(|open| html[..at].rfind(open))
        .max()
        .expect("field start");
    let end = ["</div>", "</fieldset>"]
        .iter()
        .filter_map(|close| html[at..].find(close).map(|i| at + i))
        .min()
        .expect("field end");
    &html[start..end]
}

/// The field block around the element with this `id`.
pub fn field_with_id<'h>(html: &'h str, id: &str) -> &'h str {
    field_block(html, &format!("id=\"{id}\""))
}

/// The field block around the control named `name`.
pub fn field_named<'h>(html: &'h str, name: &str) -> &'h str {
    field_block(html, &format!("name=\"{name}\""))
}

/// Text as the page shows it, from its HTML escapes (askama's and the browser's forms).
pub fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&#60;", "<")
        .replace("&gt;", ">")
        .replace("&#62;", ">")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace("&#38;", "&")
}

/// What `accept` is given for the fixture's elderly allowance: every material received.
pub fn all_received() -> Value {
    serde_json::json!({"materials": [
        {"material": "id-card", "state": "received"},
        {"material": "bank-card", "state": "received"}
    ]})
}

impl TestApp {
    /// Posts a page form as `auth`, with the session's `csrf_token` added.
    pub async fn submit(&self, path: &str, auth: &Auth, fields: &[(&str, &str)]) -> Page {
        let mut form = vec![("csrf_token", auth.csrf())];
        form.extend_from_slice(fields);
        self.post_form(path, &form, auth).await
    }

    /// Follows the redirect a form answered with, as a browser would.
    pub async fn follow(&self, page: &Page, auth: &Auth) -> Page {
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
        let location = page.location().expect("location");
        let path = location.split('#').next().expect("path");
        self.get_page(path, auth).await
    }

    /// Takes `action` on case `number` through the API as `auth`: the reply, as it is.
    pub async fn try_act(&self, auth: &Auth, number: &str, action: &str, body: Value) -> Reply {
        self.post(
            &format!("/api/v1/cases/{number}/actions/{action}"),
            body,
            auth,
        )
        .await
    }

    /// Takes `action` on case `number`, which must go through: the case as it became.
    pub async fn act(&self, auth: &Auth, number: &str, action: &str, body: Value) -> Value {
        let reply = self.try_act(auth, number, action, body).await;
        assert_eq!(reply.status, StatusCode::OK, "{action}: {:?}", reply.body);
        reply.body
    }
}

fn cookie_auth(reply: &Reply) -> Auth {
    let cookie = reply.set_cookie.as_deref().expect("a session cookie");
    let secret = cookie
        .split(';')
        .next()
        .and_then(|pair| pair.strip_prefix("haoban_session="))
        .expect("cookie value")
        .to_owned();
    let csrf = reply.body["csrf_token"]
        .as_str()
        .expect("csrf token")
        .to_owned();
    Auth::Cookie { secret, csrf }
}

/// A page as a browser receives it.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub html: String,
}

impl Page {
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    }

    /// The `Set-Cookie` for `name`, if the page sets it.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }
}

/// `application/x-www-form-urlencoded`, as a browser encodes a form.
pub fn form_body(pairs: &[(&str, &str)]) -> String {
    fn encode(text: &str) -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_owned(),
                other => format!("%{other:02X}"),
            })
            .collect()
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl Auth {
    /// The session's CSRF token (what a page puts in its forms' `csrf_token` field).
    pub fn csrf(&self) -> &str {
        match self {
            Auth::Cookie { csrf, .. } => csrf,
            _ => "",
        }
    }
}

impl TestApp {
    /// A request as a browser sends it from a page: the session cookie and any `cookies`,
    /// never the API's CSRF header, and the form, if any, urlencoded.
    pub async fn page(
        &self,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
        auth: &Auth,
        cookies: &[&str],
    ) -> Page {
        let mut jar: Vec<String> = cookies.iter().map(|c| (*c).to_owned()).collect();
        if let Auth::Cookie { secret, .. } = auth {
            jar.push(format!("haoban_session={secret}"));
        }
        let mut builder = Request::builder().method(method).uri(path);
        if !jar.is_empty() {
            builder = builder.header(header::COOKIE, jar.join("; "));
        }
        let request = match form {
            Some(pairs) => builder
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form_body(pairs))),
            None => builder.body(Body::empty()),
        }
        .expect("request");
        let (status, headers, bytes) = self.send(request).await;
        Page {
            status,
            headers,
            html: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get_page(&self, path: &str, auth: &Auth) -> Page {
        self.page(Method::GET, path, None, auth, &[]).await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)], auth: &Auth) -> Page {
        self.page(Method::POST, path, Some(form), auth, &[]).await
    }
}

impl TestApp {
    /// A request whose body is `bytes` as `content_type` (a file upload through the API),
    /// and the reply's raw bytes beside its JSON reading.
    pub async fn send_bytes(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        bytes: Vec<u8>,
        auth: &Auth,
    ) -> (Reply, Vec<u8>) {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, content_type);
        if let Auth::Cookie { secret, csrf } = auth {
            builder = builder
                .header(header::COOKIE, format!("haoban_session={secret}"))
                .header("x-csrf-token", csrf);
        }
        let request = builder.body(Body::from(bytes)).expect("request");
        let (status, _, bytes) = self.send(request).await;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let reply = Reply {
            status,
            body,
            set_cookie: None,
        };
        (reply, bytes)
    }
}

/// A file part of a multipart form: field, file name, content type, bytes.
pub type FilePart<'a> = (&'a str, &'a str, &'a str, &'a [u8]);

/// `multipart/form-data` as a browser sends a form with file inputs: the content type
/// (with its boundary) and the body.
pub fn multipart_body(fields: &[(&str, &str)], files: &[FilePart<'_>]) -> (String, Vec<u8>) {
    let boundary = "----haobanTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (field, file_name, content_type, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestApp {
    /// Posts a multipart form as a browser does from a page: the session cookie, no
    /// CSRF header (the form carries `csrf_token`).
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[FilePart<'_>],
        auth: &Auth,
    ) -> Page {
        let (content_type, body) = multipart_body(fields, files);
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, content_type);
        if let Auth::Cookie { secret, .. } = auth {
            builder = builder.header(header::COOKIE, format!("haoban_session={secret}"));
        }
        let request = builder.body(Body::from(body)).expect("request");
        let (status, headers, bytes) = self.send(request).await;
        Page {
            status,
            headers,
            html: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}

/// The session a page's response set, with the CSRF token read from the next page.
pub fn page_session(page: &Page) -> Option<String> {
    page.cookie("haoban_session").and_then(|c| {
        c.split(';')
            .next()
            .and_then(|pair| pair.strip_prefix("haoban_session="))
            .map(str::to_owned)
    })
}

impl TestApp {
    /// Sends `request` through the router in process: the status, headers and body bytes.
    pub async fn send(
        &self,
        request: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let response = router(self.state.clone())
            .oneshot(request)
            .await
            .expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        (status, headers, bytes)
    }
}
