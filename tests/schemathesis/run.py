"""Drives schemathesis against a fresh `haoban serve` (started by run.sh, which passes the
binary): accounts, API tokens, a little data, then one `st run` per role, the figures,
and exit 1 on any failure.

A bearer token per role, not a cookie session: the API refuses unsafe methods from a
cookie without the CSRF header, which schemathesis would have to be taught; tokens are
what scripts use and go through the same policy.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
CENTER = "linfen"
PASSWORD = "schemathesis test password"
# The roles whose view of the API differs the most: the window clerk (cases, the queue)
# and the administrator (cabinets; refused most case work). Every operation runs as each.
ROLES = os.environ.get("ST_ROLES", "clerk,admin").split(",")
SEED = os.environ.get("ST_SEED", "20261202")
MAX_EXAMPLES = os.environ.get("ST_MAX_EXAMPLES", "20")
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
        subprocess.run(
            [binary, "admin", "create-user", "--db", db, "--username", f"{role}1",
             "--role", role, "--center", CENTER],
            input=PASSWORD + "\n", text=True, check=True, cwd=root,
            stdout=subprocess.DEVNULL,
        )
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


def token_for(base, username):
    status, headers, signed = request(
        base, "POST", "/api/v1/session", {"username": username, "password": PASSWORD})
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


def schemathesis(venv_bin, base, token, reports, only_sign_out):
    command = [
        str(venv_bin / "st"), "--config-file", str(HERE / "schemathesis.toml"), "run",
        base + "/api/openapi.json", "--url", base,
        "--checks", "all", "--seed", SEED, "--max-examples", MAX_EXAMPLES,
        "--generation-database", "none", "--workers", "1", "--no-color",
        "--report", "junit,ndjson", "--report-dir", str(reports),
        "--include-name" if only_sign_out else "--exclude-name", SIGN_OUT,
    ]
    env = {**os.environ, "HAOBAN_ST_TOKEN": token, "SCHEMATHESIS_HOOKS": str(HERE / "hooks.py")}
    # In the run's directory: schemathesis keeps a cache (.schemathesis) where it runs.
    return subprocess.run(command, text=True, capture_output=True, env=env, cwd=reports.parent)


def figures(output):
    """The summary lines `st run` prints: operations, test cases, failures."""
    keep = re.compile(r"^(API Operations|  Selected|  Tested|  Skipped|Test Phases|"
                      r"Test cases|Failures|Errors|  \d+ generated|.*generated.*passed|"
                      r"Seed|.*(passed|failed|errors?) in)")
    return [line for line in output.splitlines() if keep.match(line)]


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
    try:
        tokens = {role: token_for(base, f"{role}1") for role in ROLES}
        seed(base, {**tokens, "clerk": tokens.get("clerk") or token_for(base, "desk1")})
        print(f"schemathesis {version(venv_bin)} against {base} (seed {SEED}, "
              f"{MAX_EXAMPLES} examples an operation, every check)")
        for role in ROLES:
            for only_sign_out in (False, True):
                token = token_for(base, f"{role}1") if only_sign_out else tokens[role]
                label = f"{role}: {'sign-out' if only_sign_out else 'every other operation'}"
                reports = work / f"{role}-{'signout' if only_sign_out else 'all'}"
                run = schemathesis(venv_bin, base, token, reports, only_sign_out)
                print(f"--- {label}: exit {run.returncode}")
                for line in figures(run.stdout):
                    print("    " + line)
                if run.returncode != 0:
                    failed.append(label)
                    print(run.stdout[-20000:])
                    print(run.stderr[-5000:])
        if server.poll() is not None:
            failed.append("the server exited")
    finally:
        server.terminate()
        server.wait(timeout=10)
    log = (work / "server.log").read_text()
    if " ERROR " in log or "panicked" in log:
        failed.append("the server logged errors")
        print(log[-5000:])
    print(f"schemathesis: {len(failed)} failing run(s) in {time.monotonic() - started:.0f} s"
          + (": " + ", ".join(failed) if failed else ""))
    if not failed:
        shutil.rmtree(work)
    else:
        print(f"reports and the server log kept in {work}")
    return 1 if failed else 0


def version(venv_bin):
    return subprocess.run([str(venv_bin / "st"), "--version"], text=True,
                          capture_output=True).stdout.strip().split()[-1]


if __name__ == "__main__":
    sys.exit(main())
