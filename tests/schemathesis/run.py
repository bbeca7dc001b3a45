"""Drives schemathesis against a fresh `haoban serve` (started by run.sh, which passes the
binary): accounts, API tokens, a little data, then one `st run` per role, the figures,
and exit 1 on any failure.

A bearer token per role, not a cookie session: the API refuses unsafe methods from a
cookie without the CSRF header, which schemathesis would have to be taught; tokens are
what scripts use and go through the same policy.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
CENTER = "linfen"
PASSWORD = "Schemathesis-test-2026"
# The roles whose view of the API differs the most: the window clerk (cases, the queue),
# the supervisor (follow-ups, appeals, the audit) and the administrator (cabinets; refused
# case work). Every operation runs as each.
ROLES = os.environ.get("ST_ROLES", "clerk,supervisor,sysadmin").split(",")
SEED = os.environ.get("ST_SEED", "20261202")
MAX_EXAMPLES = os.environ.get("ST_MAX_EXAMPLES", "50")
# Signing out with the run's token would end it for every later request: DELETE
# /api/v1/session runs alone, with a token of its own.
SIGN_OUT = "DELETE /api/v1/session"


def request(base, method, path, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=30) as reply:
            text = reply.read().decode()
            return reply.status, reply.headers, json.loads(text) if text else None
    except urllib.error.HTTPError as err:
        raise SystemExit(f"{method} {path}: {err.code} {err.read().decode()}") from err


def start_server(binary, root, work):
    db = work / "haoban.db"
    for role in ROLES + ["desk"]:
        made = subprocess.run(
            [binary, "admin", "create-user", "--db", db, "--username", f"{role}1",
             "--role", role, "--center", CENTER],
            input=PASSWORD + "\n", text=True, check=True, cwd=root,
            stdout=subprocess.PIPE,
        )
        # The administrators get a TOTP key, printed once; they sign in with its code.
        key = re.search(r"TOTP key:\s+([A-Z2-7]+)", made.stdout)
        if key:
            TOTP_KEYS[f"{role}1"] = key.group(1)
    log = open(work / "server.log", "w+")
    server = subprocess.Popen(
        [binary, "serve", "--db", db, "--listen", "127.0.0.1:0",
         "--catalog", "catalog/shanghai"],
        cwd=root, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")},
    )
    deadline = time.monotonic() + 60
    base = None
    while time.monotonic() < deadline and server.poll() is None:
        found = re.search(r"http://127\.0\.0\.1:\d+", (work / "server.log").read_text())
        if found:
            base = found.group(0)
            try:
                urllib.request.urlopen(base + "/api/openapi.json", timeout=5).read()
                return server, base
            except OSError:
                pass
        time.sleep(0.1)
    server.kill()
    raise SystemExit("haoban serve did not answer:\n" + (work / "server.log").read_text()[-3000:])


TOTP_KEYS = {}


LAST_STEPS = {}


def totp_code(key):
    """RFC 6238: HMAC-SHA1 over the 30-second step, 6 digits. The server takes a code once,
    and one step either side of its clock: a second sign-in in the same step uses the next."""
    step = max(int(time.time()) // 30, LAST_STEPS.get(key, -1) + 1)
    while step > int(time.time()) // 30 + 1:
        time.sleep(1)
    LAST_STEPS[key] = step
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    digest = hmac.new(secret, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def token_for(base, username):
    body = {"username": username, "password": PASSWORD}
    if username in TOTP_KEYS:
        body["totp"] = totp_code(TOTP_KEYS[username])
    status, headers, signed = request(base, "POST", "/api/v1/session", body)
    cookie = headers["set-cookie"].split(";")[0]
    _, _, made = request(base, "POST", "/api/v1/tokens", None,
                         {"cookie": cookie, "x-csrf-token": signed["csrf_token"]})
    return made["token"]


def seed(base, tokens):
    """A case and a ticket, so the lists answer with something to hold to the schema."""
    clerk = {"authorization": f"Bearer {tokens['clerk']}"}
    request(base, "POST", "/api/v1/cases", {
        "item": "senior-card-application",
        "applicant": {"id_number": "11010519491231002X", "name": "王阿姨"},
        "facts": {"hukou": "shanghai", "birth_date": "1949-12-31"},
    }, clerk)
    request(base, "POST", "/api/v1/tickets", {"category": "A"}, clerk)


def schemathesis(venv_bin, base, document, token, reports, only_sign_out):
    command = [
        str(venv_bin / "st"), "--config-file", str(HERE / "schemathesis.toml"), "run",
        str(document), "--url", base,
        "--checks", "all", "--seed", SEED, "--max-examples", MAX_EXAMPLES,
        "--generation-database", "none", "--workers", "1", "--no-color",
        "--report", "junit,ndjson", "--report-dir", str(reports),
        "--include-name" if only_sign_out else "--exclude-name", SIGN_OUT,
    ]
    env = {**os.environ, "HAOBAN_ST_TOKEN": token, "SCHEMATHESIS_HOOKS": str(HERE / "hooks.py")}
    # In the run's directory: schemathesis keeps a cache (.schemathesis) where it runs.
    return subprocess.run(command, text=True, capture_output=True, env=env, cwd=reports.parent)


def generated(output):
    """How many test cases `st run` says it generated."""
    found = re.search(r"^\s*(\d+) generated", output, re.MULTILINE)
    return int(found.group(1)) if found else 0


def tested(reports):
    """The operations a run tested, from its JUnit report."""
    names = set()
    for report in reports.glob("junit-*.xml"):
        names.update(re.findall(r'<testcase [^>]*name="([^"]+)"', report.read_text()))
    return names


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--root", required=True)
    args = parser.parse_args()
    venv_bin = Path(sys.executable).parent
    work = Path(tempfile.mkdtemp(prefix="haoban-schemathesis-"))
    started = time.monotonic()
    server, base = start_server(args.bin, args.root, work)
    failed = []
    cases = 0
    try:
        tokens = {role: token_for(base, f"{role}1") for role in ROLES}
        seed(base, {**tokens, "clerk": tokens.get("clerk") or token_for(base, "desk1")})
        # The document as served (the catalog's ids filled in), read from a file:
        # schemathesis leaves out the operation it loads the document from.
        document = work / "openapi.json"
        with urllib.request.urlopen(base + "/api/openapi.json", timeout=30) as reply:
            document.write_bytes(reply.read())
        operations = {f"{method.upper()} {path}"
                      for path, methods in json.loads(document.read_text())["paths"].items()
                      for method in methods}
        print(f"schemathesis {version(venv_bin)} against {base}: {len(operations)} operations, "
              f"roles {', '.join(ROLES)}, seed {SEED}, {MAX_EXAMPLES} examples an operation "
              f"and phase, every check")
        for role in ROLES:
            covered = set()
            for only_sign_out in (False, True):
                token = token_for(base, f"{role}1") if only_sign_out else tokens[role]
                label = f"{role}{' (sign-out)' if only_sign_out else ''}"
                reports = work / f"{role}-{'signout' if only_sign_out else 'all'}"
                run = schemathesis(venv_bin, base, document, token, reports, only_sign_out)
                cases += generated(run.stdout)
                covered |= tested(reports)
                if run.returncode != 0:
                    failed.append(label)
                    print(run.stdout[-30000:])
                    print(run.stderr[-5000:])
            untested = sorted(operations - covered)
            print(f"  {role}: {len(covered & operations)} operations tested"
                  + (f", NOT tested: {', '.join(untested)}" if untested else ""))
            if untested:
                failed.append(f"{role}: untested operations")
        if server.poll() is not None:
            failed.append("the server exited")
    finally:
        server.terminate()
        server.wait(timeout=10)
    log = (work / "server.log").read_text()
    if " ERROR " in log or "panicked" in log:
        failed.append("the server logged errors")
        print(log[-5000:])
    print(f"schemathesis: {cases} test cases, {len(failed)} failing run(s) "
          f"in {time.monotonic() - started:.0f} s" + (": " + ", ".join(failed) if failed else ""))
    if not failed and not os.environ.get("ST_KEEP"):
        shutil.rmtree(work)
    else:
        print(f"reports and the server log kept in {work}")
    return 1 if failed else 0


def version(venv_bin):
    return subprocess.run([str(venv_bin / "st"), "--version"], text=True,
                          capture_output=True).stdout.strip().split()[-1]


if __name__ == "__main__":
    sys.exit(main())
