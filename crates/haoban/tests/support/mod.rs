//! Shared by the end-to-end tests that run the real `haoban` binary: starting and killing
//! `haoban serve`, creating users, `haoban audit verify`, and a minimal blocking HTTP/1.1
//! client over `std::net::TcpStream` (one connection per request, `Connection: close`).

#![allow(dead_code)]

pub mod acks;
pub mod disk;
pub mod pg;

use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const PASSWORD: &str = "Correct-horse-battery-9";
/// A valid GB 11643 ID number (the standard's own example), born 1949-12-31.
pub const RESIDENT: &str = "11010519491231002X";

/// How long one request may take before the test gives up on it.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// How long `haoban serve` may take to print its address and then answer.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The test catalog: `consult` (no materials, instant) and `elderly-allowance`.
pub fn fixture_catalog() -> PathBuf {
    root().join("crates/haoban-catalog/tests/fixtures/basic")
}

/// The `haoban` binary under test.
pub const HAOBAN: &str = env!("CARGO_BIN_EXE_haoban");

/// The data keys every command of these tests runs with (`HAOBAN_DATA_KEY_FILE`), so a
/// database can be opened by one command and read by the next, or by the test itself.
/// The test keys: never for real data. `cli.rs` runs the binary without them, so the
/// key file it makes beside a new database is tested there.
pub fn data_key_file() -> PathBuf {
    static FILE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    FILE.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("haoban-test-keys-{}", std::process::id()));
        std::fs::write(
            &path,
            "lookup AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\
             seal t1 HxweHRwbGhkYFxYVFBMSERAPDg0MCwoJCAcGBQQDAgE=\n",
        )
        .expect("write the test keys");
        path
    })
    .clone()
}

pub fn haoban() -> Command {
    let mut command = Command::new(HAOBAN);
    command.env("RUST_LOG", "warn");
    command.env("HAOBAN_DATA_KEY_FILE", data_key_file());
    command
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs a `haoban` command to completion, with `stdin` as its standard input.
pub fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = haoban()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("haoban runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("haoban finishes")
}

/// `haoban admin create-user`, password `PASSWORD` on stdin.
pub fn create_user(db: &Path, username: &str, role: &str, center: &str) {
    let out = run(
        &[
            "admin",
            "create-user",
            "--db",
            db.to_str().expect("utf-8 path"),
            "--username",
            username,
            "--role",
            role,
            "--center",
            center,
        ],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "create-user {username}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// `haoban audit verify --db DB`.
pub fn audit_verify(db: &Path) -> Output {
    run(
        &["audit", "verify", "--db", db.to_str().expect("utf-8 path")],
        "",
    )
}

/// A running `haoban serve`. Dropping it kills the process (SIGKILL), so a failing test
/// leaves nothing behind.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    log: PathBuf,
}

impl Server {
    /// Starts `haoban serve` on an OS-chosen port, learns the port from the first line
    /// of its output, then polls until it answers HTTP. Standard error goes (appended) to
    /// `log`.
    pub fn start(db: &Path, catalog: &Path, log: &Path) -> Server {
        Server::start_on(&[OsStr::new("--db"), db.as_os_str()], catalog, log)
    }

    /// The same on any database: `--db PATH` or `--database-url URL`.
    pub fn start_on(database: &[&OsStr], catalog: &Path, log: &Path) -> Server {
        Server::start_logging(database, catalog, log, "warn")
    }

    /// The same, logging at `level` (`RUST_LOG`).
    pub fn start_logging(database: &[&OsStr], catalog: &Path, log: &Path, level: &str) -> Server {
        let mut command = haoban();
        command.env("RUST_LOG", level);
        Server::start_with(command, database, catalog, log)
    }

    /// The same, run by `command`: `haoban()`, or a wrapper such as `fiu-run` that ends by
    /// executing `HAOBAN` (so the process id is the server's).
    pub fn start_with(
        mut command: Command,
        database: &[&OsStr],
        catalog: &Path,
        log: &Path,
    ) -> Server {
        let stderr = OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("server log");
        let mut child = command
            .arg("serve")
            .args(database)
            .arg("--catalog")
            .arg(catalog)
            .args(["--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .spawn()
            .expect("haoban serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let (first_line, lines) = mpsc::channel();
        std::thread::spawn(move || {
            let mut first = Some(first_line);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(sender) = first.take() {
                    let _ = sender.send(line);
                }
            }
        });
        let mut server = Server {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            log: log.to_path_buf(),
        };
        let started = Instant::now();
        let line = match lines.recv_timeout(STARTUP_TIMEOUT) {
            Ok(line) => line,
            Err(_) => panic!(
                "haoban serve printed nothing within {STARTUP_TIMEOUT:?}; exit: {:?}\n{}",
                server.child.try_wait(),
                server.log_tail()
            ),
        };
        server.addr = line
            .strip_prefix("haoban is serving http://")
            .and_then(|rest| rest.strip_suffix('/'))
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line from haoban serve: {line:?}"));
        // Listening is not yet serving: poll until a request gets an answer.
        loop {
            match request(server.addr, "GET", "/api/v1/catalog", None, None) {
                Ok(reply) if reply.status == 200 => break,
                Ok(reply) => panic!("readiness probe answered {}: {}", reply.status, reply.body),
                Err(err) => {
                    if let Ok(Some(status)) = server.child.try_wait() {
                        panic!("haoban serve exited with {status}\n{}", server.log_tail());
                    }
                    assert!(
                        started.elapsed() < STARTUP_TIMEOUT,
                        "haoban serve did not answer within {STARTUP_TIMEOUT:?}: {err:?}\n{}",
                        server.log_tail()
                    );
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
        }
        server
    }

    /// Where its standard error goes.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, and wait until the process is gone.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn log_tail(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = File::open(&self.log) {
            let _ = file.read_to_string(&mut text);
        }
        let start = text.len().saturating_sub(4000);
        let start = (start..=text.len())
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0);
        format!(
            "--- server log {} (tail) ---\n{}",
            self.log.display(),
            &text[start..]
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A staff cookie session.
#[derive(Clone, Debug)]
pub struct Session {
    pub username: String,
    pub cookie: String,
    pub csrf: String,
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

#[derive(Debug)]
pub enum HttpError {
    /// No connection: nothing was sent, the request certainly did not happen.
    Connect(std::io::Error),
    /// Sent (perhaps partly) but no complete reply: the outcome is unknown.
    InFlight(String),
}

/// One request on a fresh connection. Only a complete reply (status line, headers and
/// exactly `Content-Length` bytes of body, or a complete chunked body) counts as a reply.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&Value>,
    session: Option<&Session>,
) -> Result<Reply, HttpError> {
    let mut stream =
        TcpStream::connect_timeout(&addr, REQUEST_TIMEOUT).map_err(HttpError::Connect)?;
    let in_flight = |what: &str, err: &dyn std::fmt::Debug| {
        HttpError::InFlight(format!("{method} {path}: {what}: {err:?}"))
    };
    stream
        .set_read_timeout(Some(REQUEST_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(REQUEST_TIMEOUT)))
        .and_then(|()| stream.set_nodelay(true))
        .map_err(|e| in_flight("socket options", &e))?;
    let body_text = body.map(Value::to_string).unwrap_or_default();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if body.is_some() {
        head.push_str("Content-Type: application/json\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n", body_text.len()));
    if let Some(session) = session {
        head.push_str(&format!(
            "Cookie: haoban_session={}\r\nx-csrf-token: {}\r\n",
            session.cookie, session.csrf
        ));
    }
    head.push_str("\r\n");
    head.push_str(&body_text);
    stream
        .write_all(head.as_bytes())
        .map_err(|e| in_flight("write", &e))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| in_flight("read", &e))?;
    parse_reply(&raw).map_err(|e| in_flight("reply", &e))
}

fn parse_reply(raw: &[u8]) -> Result<Reply, String> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("incomplete head ({} bytes)", raw.len()))?;
    let head = std::str::from_utf8(&raw[..split]).map_err(|e| e.to_string())?;
    let payload = &raw[split + 4..];
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("status line {status_line:?}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let bytes = if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        dechunk(payload)?
    } else if let Some(length) = find("content-length") {
        let length: usize = length.parse().map_err(|_| "content-length".to_owned())?;
        if payload.len() != length {
            return Err(format!(
                "body of {} bytes, content-length {length}",
                payload.len()
            ));
        }
        payload.to_vec()
    } else if payload.is_empty() {
        Vec::new()
    } else {
        return Err("a body without length or chunking".into());
    };
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Ok(Reply {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("incomplete chunk size")?;
        let size_text = std::str::from_utf8(&data[..end]).map_err(|e| e.to_string())?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| format!("chunk size {size_text:?}"))?;
        data = &data[end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if data.len() < size + 2 {
            return Err("incomplete chunk".into());
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// Signs in with `PASSWORD`: the session cookie and the CSRF token.
pub fn sign_in(addr: SocketAddr, username: &str) -> Result<Session, String> {
    let reply = request(
        addr,
        "POST",
        "/api/v1/session",
        Some(&json!({"username": username, "password": PASSWORD})),
        None,
    )
    .map_err(|e| format!("sign in {username}: {e:?}"))?;
    if reply.status != 200 {
        return Err(format!(
            "sign in {username}: {} {}",
            reply.status, reply.body
        ));
    }
    let cookie = reply
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .and_then(|pair| pair.strip_prefix("haoban_session="))
        .ok_or("sign in: no session cookie")?
        .to_owned();
    let csrf = reply.body["csrf_token"]
        .as_str()
        .ok_or("sign in: no csrf_token")?
        .to_owned();
    Ok(Session {
        username: username.to_owned(),
        cookie,
        csrf,
    })
}

/// A small seeded generator (SplitMix64): the tests need reproducible choices, not quality.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `low..=high` (near enough).
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low + 1)
    }
}

/// The two items of the test catalog the tests drive, from opening to closing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    /// `consult`: no materials, instant (accepting it also approves, readies and delivers).
    Consult,
    /// `elderly-allowance`: id-card and bank-card, reviewed by the back office.
    Elderly,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    Clerk,
    Office,
}

/// One transition: who takes it, the request, and what an acknowledged reply means —
/// the case's status afterwards and the kinds of the events it appends to the record.
#[derive(Clone, Debug)]
pub struct Step {
    pub who: Who,
    pub action: &'static str,
    pub body: Value,
    pub status: &'static str,
    pub kinds: &'static [&'static str],
}

/// What opening a case appends.
pub const OPENED_STATUS: &str = "submitted";
pub const OPENED_KINDS: &[&str] = &["submitted"];

impl Item {
    /// The body of `POST /api/v1/cases`.
    pub fn open_body(self) -> Value {
        match self {
            Item::Consult => json!({
                "item": "consult",
                "applicant": {"id_number": RESIDENT, "name": "王阿姨"},
            }),
            Item::Elderly => json!({
                "item": "elderly-allowance",
                "applicant": {"id_number": RESIDENT, "name": "王阿姨"},
                "facts": {"birth_date": "1949-12-31", "hukou": "shanghai", "payment": "bank"},
            }),
        }
    }

    /// The transitions after opening, in order, up to `closed`.
    pub fn steps(self, note: &str) -> Vec<Step> {
        let step = |who, action, body, status, kinds| Step {
            who,
            action,
            body,
            status,
            kinds,
        };
        match self {
            Item::Consult => vec![
                step(
                    Who::Clerk,
                    "add_note",
                    json!({"text": note}),
                    "submitted",
                    &["note_added"],
                ),
                step(
                    Who::Clerk,
                    "accept",
                    json!({"materials": []}),
                    "delivered",
                    &["accepted", "approved", "ready", "delivered"],
                ),
                step(Who::Clerk, "close", json!({}), "closed", &["closed"]),
            ],
            Item::Elderly => vec![
                step(
                    Who::Clerk,
                    "accept",
                    json!({"materials": [
                        {"material": "id-card", "state": "e_licence"},
                        {"material": "bank-card", "state": "received"}
                    ]}),
                    "accepted",
                    &["accepted"],
                ),
                step(
                    Who::Office,
                    "start_review",
                    json!({}),
                    "in_review",
                    &["review_started"],
                ),
                step(
                    Who::Office,
                    "add_note",
                    json!({"text": note}),
                    "in_review",
                    &["note_added"],
                ),
                step(Who::Office, "approve", json!({}), "approved", &["approved"]),
                step(
                    Who::Office,
                    "mark_ready",
                    json!({"delivery": "window"}),
                    "ready",
                    &["ready"],
                ),
                step(
                    Who::Clerk,
                    "deliver",
                    json!({}),
                    "delivered",
                    &["delivered"],
                ),
                step(Who::Clerk, "close", json!({}), "closed", &["closed"]),
            ],
        }
    }

    /// Events in the record of a closed case of this item.
    pub fn events(self) -> usize {
        OPENED_KINDS.len() + self.steps("").iter().map(|s| s.kinds.len()).sum::<usize>()
    }
}
