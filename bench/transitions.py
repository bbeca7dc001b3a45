#!/usr/bin/env python3
"""Durable case transitions per second over HTTP, beside the raw rate of committing the
same event rows into the same database, in the same run.

    python3 bench/transitions.py                  # defaults: 10 s per phase, K = 1, 4, 16
    python3 bench/transitions.py --seconds 3      # a quick look
    python3 bench/transitions.py --backends sqlite --markdown /tmp/fragment.md

What it does, per backend (SQLite always; PostgreSQL when `import psycopg` works and a
server answers at --pg-url):

1. builds `target/release/haoban` if it is missing or older than the sources (if the
   build fails, it measures the existing binary and says so);
2. creates a fresh database and a clerk, starts `haoban serve` on a free port, signs in
   max(K) clients and opens one case for each;
3. stops the server and measures the raw floor once (see 5a), as a check that the disk
   did not change under the run; restarts the server (sessions live in the database);
4. HTTP phase: K client threads (one persistent HTTP/1.1 connection and one cookie
   session each) run for --seconds, each request `add_note` on the thread's own case
   (one event, one projection update, one commit); then the same for opening cases
   (POST /api/v1/cases, --open-seconds), and, as a yardstick without a write, reading
   the case (GET /api/v1/cases/{n}, --read-seconds); only 2xx replies count;
5. stops the server, then the raw phase on the same database file, one writer, one
   commit per transaction, --raw-seconds each: (c) the app's whole write (read the case
   row and chain head, insert the event with its SHA-256 chain hash, update the head and
   the case row), after which `haoban audit verify` must pass (the rows are the app's);
   (a) one event row; (b) one event row with its chain hash;
6. prints the tables; the ratio HTTP transitions/s / raw commits/s (a) is the figure.

Standard library only, except the PostgreSQL raw phase, which needs psycopg 3.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import hashlib
import http.client
import json
import os
import platform
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BINARY = ROOT / "target" / "release" / "haoban"
CATALOG = ROOT / "crates" / "haoban-catalog" / "tests" / "fixtures" / "basic"
USERNAME = "bench"
PASSWORD = "bench-password-1234"
CENTER = "linfen"
RESIDENT = "11010519491231002X"
GENESIS = "0" * 64
NOTE_TEXT = "已电话核实申请人情况，材料齐全，待下一步处理。benchmark note #"

try:  # only for the optional PostgreSQL phases
    import psycopg  # type: ignore
except ImportError:  # pragma: no cover
    psycopg = None


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# The binary


def sources_newer_than(binary: Path) -> Path | None:
    """The first source file newer than `binary` (crates' src, migrations, manifests)."""
    built = binary.stat().st_mtime
    candidates = [ROOT / "Cargo.toml", ROOT / "Cargo.lock"]
    for crate in sorted((ROOT / "crates").iterdir()):
        candidates.append(crate / "Cargo.toml")
        for sub in ("src", "migrations", "build.rs"):
            path = crate / sub
            if path.is_dir():
                candidates.extend(p for p in path.rglob("*") if p.is_file())
            elif path.is_file():
                candidates.append(path)
    for path in candidates:
        if path.exists() and path.stat().st_mtime > built:
            return path
    return None


def ensure_binary(no_build: bool) -> str:
    if not BINARY.exists():
        reason = f"{BINARY.relative_to(ROOT)} is missing"
    else:
        newer = sources_newer_than(BINARY)
        if newer is None:
            return f"{BINARY.relative_to(ROOT)} is up to date (built {time.ctime(BINARY.stat().st_mtime)})"
        reason = f"{newer.relative_to(ROOT)} is newer than {BINARY.relative_to(ROOT)}"
    if no_build:
        if not BINARY.exists():
            sys.exit(f"error: {reason} and --no-build was given")
        return f"WARNING: {reason}; not rebuilt (--no-build), measuring the old binary"
    log(f"building: {reason}: cargo build --release -p haoban (a clean build takes ~10 min)")
    started = time.monotonic()
    built = subprocess.run(["cargo", "build", "--release", "-p", "haoban"], cwd=ROOT)
    if built.returncode != 0:
        if not BINARY.exists():
            sys.exit("error: cargo build --release -p haoban failed and there is no binary to measure")
        note = (f"WARNING: {reason}, but cargo build failed (exit {built.returncode}); measuring the "
                f"existing binary built {time.ctime(BINARY.stat().st_mtime)}")
        log(note)
        return note
    return f"rebuilt because {reason} ({time.monotonic() - started:.0f} s)"


# ---------------------------------------------------------------------------------------
# The server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("HAOBAN_DATABASE_URL", None)
    env.setdefault("RUST_LOG", "warn")
    return env


class Server:
    """`haoban serve` as a child process; stopped at exit whatever happens."""

    live: list["Server"] = []

    def __init__(self, db_args: list[str], workdir: Path):
        self.db_args = db_args
        self.port = free_port()
        self.log_path = workdir / f"serve-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        command = [str(BINARY), "serve", *self.db_args, "--catalog", str(CATALOG),
                   "--listen", f"127.0.0.1:{self.port}"]
        self.log_file = open(self.log_path, "wb")
        self.proc = subprocess.Popen(command, stdout=self.log_file, stderr=subprocess.STDOUT,
                                     env=clean_env(), cwd=ROOT)
        Server.live.append(self)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"haoban serve exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/openapi.json")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"haoban serve did not answer within 30 s:\n{self.log_tail()}")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far."""
        if self.proc is None or self.proc.poll() is not None:
            return 0.0
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def thread_cpu(self) -> dict[str, tuple[str, float]]:
        """CPU seconds per thread: {tid: (name, seconds)}."""
        out = {}
        if self.proc is None or self.proc.poll() is not None:
            return out
        ticks = os.sysconf("SC_CLK_TCK")
        base = f"/proc/{self.proc.pid}/task"
        for tid in os.listdir(base):
            try:
                with open(f"{base}/{tid}/stat") as f:
                    head, tail = f.read().rsplit(")", 1)
                fields = tail.split()
                out[tid] = (head.split("(", 1)[1], (int(fields[11]) + int(fields[12])) / ticks)
            except (OSError, IndexError, ValueError):
                pass
        return out

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self in Server.live:
            Server.live.remove(self)
        if getattr(self, "log_file", None):
            self.log_file.close()


def stop_all_servers() -> None:
    for server in list(Server.live):
        server.stop()


def run_haoban(args: list[str], stdin: str | None = None) -> str:
    done = subprocess.run([str(BINARY), *args], input=stdin, capture_output=True, text=True,
                          env=clean_env(), cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"haoban {' '.join(args)} failed ({done.returncode}):\n{done.stderr}{done.stdout}")
    return done.stdout


# ---------------------------------------------------------------------------------------
# The HTTP client


class Client:
    """One persistent HTTP/1.1 connection and one cookie session."""

    def __init__(self, port: int):
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        self.cookie = ""
        self.csrf = ""
        self.case = ""

    def connect(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        self.conn.connect()
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def request(self, method: str, path: str, body: object | None = None):
        headers = {"Content-Type": "application/json"}
        if self.cookie:
            headers["Cookie"] = f"haoban_session={self.cookie}"
            headers["x-csrf-token"] = self.csrf
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        self.conn.request(method, path, body=data, headers=headers)
        reply = self.conn.getresponse()
        return reply.status, reply.read(), reply

    def sign_in(self) -> None:
        status, data, reply = self.request("POST", "/api/v1/session",
                                           {"username": USERNAME, "password": PASSWORD})
        if status != 200:
            raise RuntimeError(f"sign-in: {status} {data[:300]!r}")
        cookie = reply.getheader("set-cookie") or ""
        first = cookie.split(";", 1)[0]
        if not first.startswith("haoban_session="):
            raise RuntimeError(f"sign-in: no session cookie in {cookie!r}")
        self.cookie = first.split("=", 1)[1]
        self.csrf = json.loads(data)["csrf_token"]

    def open_case(self) -> tuple[int, bytes]:
        status, data, _ = self.request("POST", "/api/v1/cases", OPEN_BODY)
        return status, data

    def read_case(self) -> tuple[int, bytes]:
        status, data, _ = self.request("GET", f"/api/v1/cases/{self.case}")
        return status, data

    def add_note(self, n: int) -> tuple[int, bytes]:
        status, data, _ = self.request("POST", f"/api/v1/cases/{self.case}/actions/add_note",
                                       {"text": f"{NOTE_TEXT}{n}"})
        return status, data


OPEN_BODY = {"item": "consult", "applicant": {"id_number": RESIDENT, "name": "王阿姨"}}


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


class Result:
    def __init__(self, name: str, k: int, ok: int, elapsed: float, latencies: list[float],
                 statuses: dict, errors: dict, samples: dict, server_cpu: float, client_cpu: float):
        self.name, self.k, self.ok, self.elapsed = name, k, ok, elapsed
        lat = sorted(latencies)
        self.rate = ok / elapsed if elapsed > 0 else 0.0
        self.p50 = percentile(lat, 50) * 1000
        self.p99 = percentile(lat, 99) * 1000
        self.statuses, self.errors, self.samples = statuses, errors, samples
        self.server_cpu = server_cpu / elapsed if elapsed > 0 else 0.0
        self.server_ms_per_op = server_cpu / ok * 1000 if ok else float("nan")
        self.busiest = (0.0, "")
        self.client_cpu = client_cpu / elapsed if elapsed > 0 else 0.0

    def failures(self) -> str:
        parts = [f"{count}×{status}" for status, count in sorted(self.statuses.items()) if not 200 <= status < 300]
        parts += [f"{count}×{kind}" for kind, count in sorted(self.errors.items())]
        return ", ".join(parts) or "none"


def run_http_phase(name: str, clients: list[Client], seconds: float, server: Server,
                   work) -> Result:
    """`work(client, n)` -> (status, body) as fast as possible from each client for `seconds`."""
    for client in clients:
        client.connect()
    k = len(clients)
    barrier = threading.Barrier(k + 1)
    per_thread = [dict(lat=[], statuses={}, errors={}, samples={}, end=0.0) for _ in clients]
    start_box: list[float] = []

    def loop(index: int) -> None:
        client, mine = clients[index], per_thread[index]
        barrier.wait()
        deadline = start_box[0] + seconds
        n = 0
        while True:
            begun = time.perf_counter()
            if begun >= deadline:
                break
            n += 1
            try:
                status, body = work(client, n)
            except (OSError, http.client.HTTPException) as err:
                kind = type(err).__name__
                mine["errors"][kind] = mine["errors"].get(kind, 0) + 1
                mine["samples"].setdefault(kind, str(err)[:200])
                client.connect()
                continue
            finished = time.perf_counter()
            mine["statuses"][status] = mine["statuses"].get(status, 0) + 1
            if 200 <= status < 300:
                mine["lat"].append(finished - begun)
            else:
                mine["samples"].setdefault(status, body[:300].decode(errors="replace"))
        mine["end"] = time.perf_counter()

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(k)]
    for thread in threads:
        thread.start()
    cpu_server0, cpu_client0 = server.cpu_seconds(), time.process_time()
    threads0 = server.thread_cpu()
    start_box.append(time.perf_counter())
    barrier.wait()
    for thread in threads:
        thread.join()
    cpu_server1, cpu_client1 = server.cpu_seconds(), time.process_time()
    threads1 = server.thread_cpu()
    busiest = max(((threads1[t][1] - threads0.get(t, ("", 0.0))[1], threads1[t][0]) for t in threads1),
                  default=(0.0, "?"))
    elapsed = max(m["end"] for m in per_thread) - start_box[0]
    statuses: dict = {}
    errors: dict = {}
    samples: dict = {}
    latencies: list[float] = []
    for mine in per_thread:
        latencies += mine["lat"]
        for key, count in mine["statuses"].items():
            statuses[key] = statuses.get(key, 0) + count
        for key, count in mine["errors"].items():
            errors[key] = errors.get(key, 0) + count
        for key, text in mine["samples"].items():
            samples.setdefault(key, text)
    ok = sum(c for s, c in statuses.items() if 200 <= s < 300)
    result = Result(name, k, ok, elapsed, latencies, statuses, errors, samples,
                    cpu_server1 - cpu_server0, cpu_client1 - cpu_client0)
    result.busiest = (busiest[0] / elapsed if elapsed > 0 else 0.0, busiest[1])
    return result


def prepare_clients(server: Server, count: int) -> list[Client]:
    """Signs `count` clients in and opens one case each, with one note on it (the raw
    phase copies that note's stored row)."""
    clients = [Client(server.port) for _ in range(count)]
    for client in clients:
        client.connect()
        client.sign_in()
        status, data = client.open_case()
        if status != 201:
            raise RuntimeError(f"opening the bench case: {status} {data[:300]!r}")
        client.case = json.loads(data)["number"]
        status, data = client.add_note(0)
        if status != 200:
            raise RuntimeError(f"add_note on the bench case: {status} {data[:300]!r}")
        client.conn.close()
    return clients


def http_phases(server: Server, clients: list[Client], ks: list[int], seconds: float,
                open_seconds: float, read_seconds: float, warmup: float) -> list[Result]:
    for client in clients:
        client.port = server.port  # sessions live in the database and survive a restart
    results = []
    if warmup > 0:
        run_http_phase("warm-up", clients, warmup, server, lambda c, n: c.add_note(n))
    for k in ks:
        log(f"  add_note, K={k}, {seconds:g} s")
        results.append(run_http_phase("add_note", clients[:k], seconds, server,
                                      lambda c, n: c.add_note(n)))
    for k in ks:
        log(f"  open case, K={k}, {open_seconds:g} s")
        results.append(run_http_phase("open case", clients[:k], open_seconds, server,
                                      lambda c, n: c.open_case()))
    for k in ks if read_seconds > 0 else []:
        log(f"  read case (GET, no write), K={k}, {read_seconds:g} s")
        results.append(run_http_phase("read case (no write)", clients[:k], read_seconds, server,
                                      lambda c, n: c.read_case()))
    for client in clients:
        client.conn.close()
    return results


# ---------------------------------------------------------------------------------------
# The raw phase: the same rows, one writer, one commit per row


def now_text() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_hash(prev: str, seq: int, center: str, case: str | None, at: str, actor: str,
               role: str, kind: str, payload: str) -> str:
    """The app's Entry::compute_hash: SHA-256 over the fields, each followed by a newline."""
    text = "\n".join([prev, str(seq), center, case or "", at, actor, role, kind, payload]) + "\n"
    return hashlib.sha256(text.encode()).hexdigest()


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def raw_loop(name: str, seconds: float, step) -> Result:
    """Calls `step(n)` (one committed transaction) for `seconds`, single writer."""
    latencies = []
    cpu0 = time.process_time()
    start = time.perf_counter()
    deadline = start + seconds
    n = 0
    while True:
        begun = time.perf_counter()
        if begun >= deadline:
            break
        n += 1
        step(n)
        latencies.append(time.perf_counter() - begun)
    elapsed = time.perf_counter() - start
    return Result(name, 1, n, elapsed, latencies, {200: n}, {}, {}, 0.0,
                  time.process_time() - cpu0)


class Template:
    """A real note_added event and its case, as the server wrote them."""

    def __init__(self, row, case_state: str, case_number: str):
        self.center, self.case, self.actor, self.role, self.kind, self.payload = row
        self.state = json.loads(case_state)
        self.number = case_number

    def payload_for(self, n: int) -> str:
        """The stored payload with the note's number replaced: same shape and size."""
        if not hasattr(self, "_prefix"):
            i = self.payload.find(NOTE_TEXT)
            if i < 0:
                self._prefix, self._suffix = None, None
            else:
                i += len(NOTE_TEXT)
                j = self.payload.index('"', i)
                self._prefix, self._suffix = self.payload[:i], self.payload[j:]
        if self._prefix is None:
            return self.payload
        return f"{self._prefix}r{n}{self._suffix}"


def sqlite_raw(db: Path, seconds: float, after_app, before: bool = False) -> tuple[list[Result], dict]:
    conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    conn.execute("PRAGMA synchronous=FULL")
    sync = conn.execute("PRAGMA synchronous").fetchone()[0]
    if mode.lower() != "wal" or sync != 2:
        raise RuntimeError(f"sqlite raw: journal_mode={mode} synchronous={sync}")
    row = conn.execute(
        "SELECT center, case_number, actor, role, kind, payload FROM events "
        "WHERE kind = 'note_added' ORDER BY seq DESC LIMIT 1").fetchone()
    state, = conn.execute("SELECT state FROM cases WHERE center = ? AND number = ?",
                          (row[0], row[1])).fetchone()
    t = Template(row, state, row[1])
    info = {"payload_bytes": len(t.payload.encode()), "state_bytes": len(state.encode())}
    insert = ("INSERT INTO events (center, seq, case_number, at, actor, role, kind, payload, prev_hash, hash) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    results = []

    if before:  # only the floor, (a) below, on its own center
        def plain_before(n: int) -> None:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(insert, ("rawbefore", n, t.case, now_text(), t.actor, t.role, t.kind,
                                  t.payload_for(n), GENESIS, GENESIS))
            conn.execute("COMMIT")
        log("  raw: 1 event row per commit (before the HTTP phase)")
        result = raw_loop("insert event, before HTTP", seconds, plain_before)
        conn.execute("DELETE FROM events WHERE center = 'rawbefore'")  # keeps audit verify clean
        conn.close()
        return [result], info

    # (c) the app's write: read the case, read the head, insert, upsert head, update case.
    def app_shape(n: int) -> None:
        at, payload = now_text(), t.payload_for(n)
        conn.execute("BEGIN IMMEDIATE")
        state, version = conn.execute("SELECT state, version FROM cases WHERE center = ? AND number = ?",
                                      (t.center, t.number)).fetchone()
        case = json.loads(state)
        seq, head = conn.execute("SELECT seq, hash FROM chain_heads WHERE center = ?",
                                 (t.center,)).fetchone()
        seq += 1
        h = chain_hash(head, seq, t.center, t.case, at, t.actor, t.role, t.kind, payload)
        conn.execute(insert, (t.center, seq, t.case, at, t.actor, t.role, t.kind, payload, head, h))
        conn.execute("INSERT INTO chain_heads (center, seq, hash) VALUES (?, ?, ?) "
                     "ON CONFLICT (center) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
                     (t.center, seq, h))
        case["version"] = version + 1
        case["updated_at"] = at
        done = conn.execute(
            "UPDATE cases SET item = ?3, status = ?4, clerk = ?5, applicant = ?6, version = ?7, "
            "updated_at = ?8, state = ?9 WHERE center = ?1 AND number = ?2 AND version = ?10",
            (t.center, t.number, case["item"], case["status"], case.get("clerk"),
             case["applicant"]["id_number"], version + 1, at, dumps(case), version))
        if done.rowcount != 1:
            raise RuntimeError("raw app shape: the case row did not update")
        conn.execute("COMMIT")
    log("  raw: the app's write (read case + head, insert event, upsert head, update case)")
    app_result = raw_loop("app write shape", seconds, app_shape)
    # Before rows of other centers (without a chain head) exist.
    verified = after_app()

    # (a) one event row per transaction; hashes are fixed strings of the right length.
    def plain(n: int) -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(insert, ("rawplain", n, t.case, now_text(), t.actor, t.role, t.kind,
                              t.payload_for(n), GENESIS, GENESIS))
        conn.execute("COMMIT")
    log("  raw: 1 event row per commit")
    results.append(raw_loop("insert event", seconds, plain))

    # (b) the same, with the SHA-256 chain computed as the app does.
    prev = [GENESIS]
    def hashed(n: int) -> None:
        at, payload = now_text(), t.payload_for(n)
        h = chain_hash(prev[0], n, "rawhash", t.case, at, t.actor, t.role, t.kind, payload)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(insert, ("rawhash", n, t.case, at, t.actor, t.role, t.kind, payload, prev[0], h))
        conn.execute("COMMIT")
        prev[0] = h
    log("  raw: 1 event row + SHA-256 chain per commit")
    results.append(raw_loop("insert event + sha256", seconds, hashed))

    results.append(app_result)
    info["verified"] = verified
    conn.close()
    return results, info


def pg_raw(url: str, seconds: float, after_app, before: bool = False) -> tuple[list[Result], dict]:
    conn = psycopg.connect(url, autocommit=True)
    settings = {name: conn.execute(f"SHOW {name}").fetchone()[0]
                for name in ("fsync", "synchronous_commit", "wal_sync_method", "full_page_writes")}
    row = conn.execute(
        "SELECT center, case_number, actor, role, kind, payload FROM events "
        "WHERE kind = 'note_added' ORDER BY seq DESC LIMIT 1").fetchone()
    state, = conn.execute("SELECT state FROM cases WHERE center = %s AND number = %s",
                          (row[0], row[1])).fetchone()
    t = Template(row, state, row[1])
    info = {"payload_bytes": len(t.payload.encode()), "state_bytes": len(state.encode()), **settings}
    insert = ("INSERT INTO events (center, seq, case_number, at, actor, role, kind, payload, prev_hash, hash) "
              "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")
    results = []

    if before:  # only the floor, (a) below, on its own center
        def plain_before(n: int) -> None:
            conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
            conn.execute(insert, ("rawbefore", n, t.case, now_text(), t.actor, t.role, t.kind,
                                  t.payload_for(n), GENESIS, GENESIS))
            conn.execute("COMMIT")
        log("  raw: 1 event row per commit (before the HTTP phase)")
        result = raw_loop("insert event, before HTTP", seconds, plain_before)
        conn.execute("DELETE FROM events WHERE center = 'rawbefore'")  # keeps audit verify clean
        conn.close()
        return [result], info

    def app_shape(n: int) -> None:
        at, payload = now_text(), t.payload_for(n)
        conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
        state, version = conn.execute(
            "SELECT state, version FROM cases WHERE center = %s AND number = %s FOR UPDATE",
            (t.center, t.number)).fetchone()
        case = json.loads(state)
        seq, head = conn.execute("SELECT seq, hash FROM chain_heads WHERE center = %s FOR UPDATE",
                                 (t.center,)).fetchone()
        seq += 1
        h = chain_hash(head, seq, t.center, t.case, at, t.actor, t.role, t.kind, payload)
        conn.execute(insert, (t.center, seq, t.case, at, t.actor, t.role, t.kind, payload, head, h))
        conn.execute("UPDATE chain_heads SET seq = %s, hash = %s WHERE center = %s", (seq, h, t.center))
        case["version"] = version + 1
        case["updated_at"] = at
        done = conn.execute(
            "UPDATE cases SET item = %s, status = %s, clerk = %s, applicant = %s, version = %s, "
            "updated_at = %s, state = %s WHERE center = %s AND number = %s AND version = %s",
            (case["item"], case["status"], case.get("clerk"), case["applicant"]["id_number"],
             version + 1, dt.datetime.fromisoformat(at.replace("Z", "+00:00")), dumps(case),
             t.center, t.number, version))
        if done.rowcount != 1:
            raise RuntimeError("raw app shape: the case row did not update")
        conn.execute("COMMIT")
    log("  raw: the app's write (lock case + head, insert event, update head, update case)")
    app_result = raw_loop("app write shape", seconds, app_shape)
    # Before rows of other centers (without a chain head) exist.
    verified = after_app()

    def plain(n: int) -> None:
        conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
        conn.execute(insert, ("rawplain", n, t.case, now_text(), t.actor, t.role, t.kind,
                              t.payload_for(n), GENESIS, GENESIS))
        conn.execute("COMMIT")
    log("  raw: 1 event row per commit")
    results.append(raw_loop("insert event", seconds, plain))

    prev = [GENESIS]
    def hashed(n: int) -> None:
        at, payload = now_text(), t.payload_for(n)
        h = chain_hash(prev[0], n, "rawhash", t.case, at, t.actor, t.role, t.kind, payload)
        conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
        conn.execute(insert, ("rawhash", n, t.case, at, t.actor, t.role, t.kind, payload, prev[0], h))
        conn.execute("COMMIT")
        prev[0] = h
    log("  raw: 1 event row + SHA-256 chain per commit")
    results.append(raw_loop("insert event + sha256", seconds, hashed))

    results.append(app_result)
    info["verified"] = verified
    conn.close()
    return results, info


def verify_chain(db_args: list[str]) -> str:
    """`haoban audit verify` over the app's center: proves the raw phase's hashes are the
    app's. Run before the raw rows of other centers (which have no chain head) exist."""
    try:
        out = run_haoban(["audit", "verify", *db_args])
        return out.strip().splitlines()[-1]
    except RuntimeError as err:
        return f"FAILED: {err}"


# ---------------------------------------------------------------------------------------
# A backend from start to end


def bench_backend(name: str, db_args: list[str], workdir: Path, args, raw) -> dict:
    """Setup through the server; raw floor (before); HTTP phases; raw variants (after).
    `raw(seconds, after_app, before)` runs the raw phase with the server stopped."""
    log(f"[{name}] creating the clerk, signing in {max(args.k)} clients, opening their cases")
    run_haoban(["admin", "create-user", *db_args, "--username", USERNAME, "--role", "clerk",
                "--center", CENTER], stdin=PASSWORD + "\n")
    servers = []

    def serve() -> Server:
        server = Server(db_args, workdir)
        servers.append(server)
        server.start()
        return server

    server = serve()
    try:
        clients = prepare_clients(server, max(args.k))
    finally:
        server.stop()
    log(f"[{name}] server stopped; raw floor before the HTTP phase")
    before, _ = raw(args.raw_seconds, None, True)
    server = serve()
    log(f"[{name}] haoban serve restarted; HTTP phase")
    try:
        http_results = http_phases(server, clients, args.k, args.seconds, args.open_seconds,
                                   args.read_seconds, args.warmup)
    finally:
        server.stop()
    suspicious = []
    for s in servers:
        suspicious += [line for line in s.log_path.read_text(errors="replace").splitlines()
                       if any(w in line.lower() for w in ("error", "panic", "warn", "locked", "busy"))]
    log(f"[{name}] server stopped; raw phase on the same database")
    raw_results, info = raw(args.raw_seconds, lambda: verify_chain(db_args), False)
    verified = info.pop("verified")
    return dict(name=name, http=http_results, raw=raw_results, before=before[0], info=info,
                verified=verified, server_log_lines=suspicious[:10],
                server_log_count=len(suspicious))


# ---------------------------------------------------------------------------------------
# Machine, report


def sh(command: str) -> str:
    done = subprocess.run(command, shell=True, capture_output=True, text=True)
    return (done.stdout or done.stderr).strip()


def machine(paths: dict[str, Path | str]) -> dict:
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    disks = {}
    for label, path in paths.items():
        disks[label] = sh(f"df -hT {shlex.quote(str(path))} | tail -n 1")
    lock = (ROOT / "Cargo.lock").read_text()
    at = lock.find('name = "libsqlite3-sys"')
    libsqlite = lock[at:].split("\n")[1].split('"')[1] if at >= 0 else "?"
    return dict(nproc=sh("nproc"), cpu=cpu, kernel=platform.release(),
                memory=sh("free -h | awk '/Mem:/ {print $2}'"),
                virt=sh("systemd-detect-virt 2>/dev/null || true") or "unknown",
                disks=disks, python=platform.python_version(),
                py_sqlite=sqlite3.sqlite_version, libsqlite3_sys=libsqlite)


def fmt_rate(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def table(backend: dict) -> list[str]:
    floor = backend["raw"][0].rate
    app = backend["raw"][2].rate
    lines = ["| phase | K | ok/s | p50 ms | p99 ms | ÷ raw insert | ÷ raw app write | server CPU (cores) | server CPU ms/op | busiest server thread (cores) | client CPU (cores) | failures |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |"]
    for r in backend["http"]:
        ratios = "– | –" if r.name.startswith("read") else f"{r.rate / floor:.2f} | {r.rate / app:.2f}"
        lines.append(f"| HTTP {r.name} | {r.k} | {fmt_rate(r.rate)} | {r.p50:.2f} | {r.p99:.2f} | "
                     f"{ratios} | {r.server_cpu:.2f} | {r.server_ms_per_op:.2f} | {r.busiest[0]:.2f} `{r.busiest[1]}` | {r.client_cpu:.2f} | {r.failures()} |")
    for r in [backend["before"], *backend["raw"]]:
        lines.append(f"| raw {r.name} | 1 | {fmt_rate(r.rate)} | {r.p50:.2f} | {r.p99:.2f} | "
                     f"{r.rate / floor:.2f} | {r.rate / app:.2f} | – | – | – | {r.client_cpu:.2f} | – |")
    return lines


def report(results: list[dict], env: dict, args, build_note: str, command: str, skipped: list[str]) -> str:
    out = []
    out.append(f"Run {dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}, commit "
               f"`{sh('git -C ' + shlex.quote(str(ROOT)) + ' rev-parse --short HEAD')}`"
               f"{' (working tree has local changes)' if sh('git -C ' + shlex.quote(str(ROOT)) + ' status --porcelain') else ''}; "
               f"{build_note}.")
    out.append("")
    out.append(f"Machine: {env['nproc']} CPUs ({env['cpu']}), {env['memory']} RAM, Linux {env['kernel']}, "
               f"virtualization: {env['virt']}. Client and server share these CPUs; {env['load']}.")
    for label, line in env["disks"].items():
        out.append(f"- {label}: `{line}`")
    out.append(f"- SQLite: the server's bundled by libsqlite3-sys {env['libsqlite3_sys']}; the raw phase's is "
               f"Python {env['python']}'s SQLite {env['py_sqlite']}")
    out.append("")
    out.append(f"Reproduce: `{command}`")
    out.append("")
    for backend in results:
        info = backend["info"]
        extra = ", ".join(f"{k}={v}" for k, v in info.items() if k not in ("payload_bytes", "state_bytes"))
        out.append(f"**{backend['name']}** — event payload {info['payload_bytes']} bytes, case projection "
                   f"{info['state_bytes']} bytes{', ' + extra if extra else ''}; "
                   f"`haoban audit verify` after the raw app-write phase: {backend['verified']}")
        out.append("")
        out.extend(table(backend))
        out.append("")
        floor = backend["raw"][0].rate
        best = max((r for r in backend["http"] if r.name == "add_note"), key=lambda r: r.rate)
        one = min((r for r in backend["http"] if r.name == "add_note"), key=lambda r: r.k)
        before = backend["before"].rate
        drift = abs(before - floor) / max(before, floor)
        if drift > 0.25:
            out.append(f"CAUTION: the raw floor moved by {drift:.0%} between before and after the HTTP "
                       f"phase ({fmt_rate(before)}/s → {fmt_rate(floor)}/s): the disk or CPUs were "
                       f"not steady (other load?); repeat the run.")
            out.append("")
        out.append(f"Ratio ({backend['name']}): HTTP add_note {fmt_rate(one.rate)}/s at K={one.k} and "
                   f"{fmt_rate(best.rate)}/s at best (K={best.k}) ÷ raw durable commits {fmt_rate(floor)}/s = "
                   f"**{one.rate / floor:.2f}** at K={one.k}, **{best.rate / floor:.2f}** at best.")
        if backend["server_log_count"]:
            out.append("")
            out.append(f"Server log: {backend['server_log_count']} error/warn lines, first: "
                       + "; ".join(f"`{line[:160]}`" for line in backend["server_log_lines"][:3]))
        samples = {k: v for r in backend["http"] for k, v in r.samples.items()}
        if samples:
            out.append("")
            out.append("Failure samples: " + "; ".join(f"{k}: `{v[:160]}`" for k, v in samples.items()))
        out.append("")
    for note in skipped:
        out.append(f"Skipped: {note}")
    return "\n".join(out).rstrip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per add_note phase (default 10)")
    parser.add_argument("--open-seconds", type=float, default=None,
                        help="per open-case phase (default: half of --seconds)")
    parser.add_argument("--raw-seconds", type=float, default=None,
                        help="per raw variant (default: half of --seconds)")
    parser.add_argument("--read-seconds", type=float, default=None,
                        help="per read-case phase, a yardstick without a write; 0 skips it "
                             "(default: a quarter of --seconds)")
    parser.add_argument("--warmup", type=float, default=1.0, help="untimed add_note warm-up (default 1)")
    parser.add_argument("--k", default="1,4,16", help="client threads per phase (default 1,4,16)")
    parser.add_argument("--backends", default="sqlite,postgres",
                        help="sqlite and/or postgres (postgres is skipped if unavailable)")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432",
                        help="PostgreSQL server (a throwaway database is created and dropped)")
    parser.add_argument("--dir", default=None, help="where the SQLite database goes (default: $TMPDIR)")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--no-build", action="store_true", help="never run cargo build")
    parser.add_argument("--markdown", default=None, help="also write the report to this file")
    args = parser.parse_args()
    args.k = [int(x) for x in args.k.split(",")]
    args.open_seconds = args.seconds / 2 if args.open_seconds is None else args.open_seconds
    args.raw_seconds = args.seconds / 2 if args.raw_seconds is None else args.raw_seconds
    args.read_seconds = args.seconds / 4 if args.read_seconds is None else args.read_seconds
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    command = "python3 bench/transitions.py" + "".join(f" {shlex.quote(a)}" for a in sys.argv[1:])

    atexit.register(stop_all_servers)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    build_note = ensure_binary(args.no_build)
    log(build_note)
    workdir = Path(tempfile.mkdtemp(prefix="haoban-bench-", dir=args.dir))
    fs = sh(f"df -T {shlex.quote(str(workdir))} | tail -n 1 | awk '{{print $2}}'")
    if fs in ("tmpfs", "ramfs", "overlay"):
        log(f"WARNING: {workdir} is on {fs}: fsync is not what a disk costs; use --dir")
    results, skipped = [], []
    disk_paths: dict[str, Path | str] = {"SQLite database directory": workdir}
    pg_dbname = None
    started = time.monotonic()
    load_before = os.getloadavg()
    if load_before[0] > 0.5:
        log(f"WARNING: load average {load_before[0]:.2f} before the run: other work shares the CPUs/disk")
    try:
        if "sqlite" in backends:
            db = workdir / "haoban.db"
            results.append(bench_backend("SQLite", ["--db", str(db)], workdir, args,
                                         lambda s, v, b: sqlite_raw(db, s, v, b)))
        if "postgres" in backends:
            reason = None
            if psycopg is None:
                reason = "PostgreSQL: `import psycopg` failed (pip install 'psycopg[binary]')"
            else:
                try:
                    admin = psycopg.connect(args.pg_url.rstrip("/") + "/postgres", autocommit=True,
                                            connect_timeout=5)
                except Exception as err:  # noqa: BLE001
                    reason = f"PostgreSQL at {args.pg_url} unreachable: {err}"
            if reason:
                reason = reason.splitlines()[0]
                skipped.append(reason)
                log(f"skipping: {reason}")
            else:
                data_dir = admin.execute("SHOW data_directory").fetchone()[0]
                pg_version = admin.execute("SHOW server_version").fetchone()[0]
                disk_paths[f"PostgreSQL {pg_version} data directory"] = data_dir
                pg_dbname = f"haoban_bench_{os.getpid()}_{int(time.time())}"
                admin.execute(f'CREATE DATABASE "{pg_dbname}"')
                url = f"{args.pg_url.rstrip('/')}/{pg_dbname}"
                run_haoban(["migrate", "--database-url", url])
                results.append(bench_backend("PostgreSQL", ["--database-url", url], workdir, args,
                                             lambda s, v, b: pg_raw(url, s, v, b)))
        env = machine(disk_paths)  # while the database directory still exists
        env["load"] = (f"load average (1/5/15 min) {'/'.join(f'{x:.2f}' for x in load_before)} before the run, "
                       f"{'/'.join(f'{x:.2f}' for x in os.getloadavg())} after")
    finally:
        stop_all_servers()
        if pg_dbname and not args.keep:
            try:
                admin.execute(f'DROP DATABASE IF EXISTS "{pg_dbname}" WITH (FORCE)')
            except Exception as err:  # noqa: BLE001
                log(f"could not drop {pg_dbname}: {err}")
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            log(f"kept {workdir}" + (f" and PostgreSQL database {pg_dbname}" if pg_dbname else ""))
    text = report(results, env, args, build_note, command, skipped)
    text += f"\nTotal run time {time.monotonic() - started:.0f} s.\n"
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
