#!/usr/bin/env python3
"""haoban beside its peers, in one run, from a fresh clone; writes docs/benchmarks.md.

    python3 bench/peers.py             # quick: 100,000 residents, 20,000 applicants,
                                       # 2 s transition phases (about 5 min after the builds)
    python3 bench/peers.py --full      # 1,000,000 residents, 100,000 applicants,
                                       # bench/transitions.py with its defaults
    python3 bench/peers.py --parts eligibility,decisions --no-write   # some parts, print only

Parts (docs/benchmarks.md, "Against peers", says what each compares and what differs):

1. eligibility — the catalog's `proactive = true` items over one synthetic population CSV
   in `haoban scan --timings` (release) and in an OpenFisca tax-benefit system generated
   from the same catalog (bench/peers/openfisca_eligibility.py, vectorized numpy); the
   eligible counts per item must agree.
2. decisions — the same rules per applicant, one at a time: haoban's pre-review
   (crates/haoban-catalog/examples/peer_decisions.rs, release) against GoRules' zen-engine
   on a JDM decision graph generated from the catalog (bench/peers/zen_decisions.py); the
   status of every item for every applicant must agree.
3. transitions — bench/transitions.py (durable case transitions per second over HTTP
   beside the raw insert rate of the same rows), its report included as it prints it.
4. sim — `haoban sim` (simulated cases per second) and `haoban demo` (seeding a simulated
   year), when the binary has them.

What it does: builds `target/release/haoban` and the example (cargo build --release;
--no-build skips), creates bench/.venv and installs bench/peers/requirements.txt into it
with pip (the peers are never a dependency of haoban), generates the population
(bench/peers/known_population.py: every cell known, because the peers have no unknown;
plus bench/population.py's own population for scan alone when that script exists), runs
the parts, and replaces the text between the `bench/peers.py` markers in
docs/benchmarks.md (unless --no-write) with the figures and the machine they came from.
Every part that cannot run says why in its place instead of stopping the others. The last
run's raw JSON stays in target/peers/.

Standard library only; the peers run in bench/.venv.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import http.client
import json
import os
import platform
import re
import shlex
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PEERS = BENCH / "peers"
sys.path.insert(0, str(PEERS))
import known_population  # noqa: E402
import rules as peer_rules  # noqa: E402
VENV = BENCH / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
BINARY = TARGET / "release" / "haoban"
EXAMPLE = TARGET / "release" / "examples" / "peer_decisions"
CATALOG = ROOT / "catalog" / "shanghai"
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN = "<!-- bench/peers.py: begin (generated; a run replaces everything up to the end marker) -->"
END = "<!-- bench/peers.py: end -->"
ON = "2026-11-27"


def log(message: str) -> None:
    print(f"[peers] {message}", file=sys.stderr, flush=True)


def sh(command: str) -> str:
    done = subprocess.run(command, shell=True, capture_output=True, text=True, cwd=ROOT)
    return (done.stdout or done.stderr).strip()


class Child:
    """Like Run, but reaps the child itself so that its own rusage (CPU, peak RSS) is known."""

    def __init__(self, argv: list[str], *, env: dict | None = None, stdout_path: Path | None = None):
        log("$ " + " ".join(shlex.quote(str(a)) for a in argv))
        out = open(stdout_path, "wb") if stdout_path else subprocess.PIPE
        err_path = (stdout_path.with_suffix(".stderr") if stdout_path else None)
        err = open(err_path, "wb") if err_path else subprocess.PIPE
        started = time.perf_counter()
        proc = subprocess.Popen([str(a) for a in argv], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=err)
        stdout_bytes, stderr_bytes = b"", b""
        if stdout_path is None:
            # Read the pipes while it runs, then reap with wait4 for this child's rusage.
            chunks: dict[str, list[bytes]] = {"out": [], "err": []}
            readers = [threading.Thread(target=lambda p=proc.stdout, k="out": chunks[k].append(p.read())),
                       threading.Thread(target=lambda p=proc.stderr, k="err": chunks[k].append(p.read()))]
            for r in readers:
                r.start()
            _, status, usage = os.wait4(proc.pid, 0)
            for r in readers:
                r.join()
            stdout_bytes, stderr_bytes = b"".join(chunks["out"]), b"".join(chunks["err"])
        else:
            _, status, usage = os.wait4(proc.pid, 0)
            out.close()
            err.close()
            stdout_bytes = stdout_path.read_bytes()
            stderr_bytes = err_path.read_bytes()
        proc.returncode = os.waitstatus_to_exitcode(status)
        self.wall = time.perf_counter() - started
        self.cpu = usage.ru_utime + usage.ru_stime
        self.max_rss_mib = usage.ru_maxrss / 1024
        self.code = proc.returncode
        self.stdout = stdout_bytes.decode("utf-8", "replace")
        self.stderr = stderr_bytes.decode("utf-8", "replace")

    def json(self) -> dict:
        return json.loads(self.stdout)

    def failed(self) -> str:
        tail = "\n".join(self.stderr.strip().splitlines()[-5:])
        return f"exit {self.code}: {tail}"


# ---------------------------------------------------------------------------------------
# Set-up: machine, builds, venv, population


def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                    if line.startswith("MemTotal")), 0)
    os_name = "Linux"
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem_kib / 1024 / 1024,
        "os": f"{os_name}, Linux {platform.release()}",
        "virt": sh("systemd-detect-virt 2>/dev/null || true") or "unknown",
        "rustc": sh("rustc --version"),
        "python": platform.python_version(),
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": sh("git rev-parse --short HEAD"),
        "dirty": bool(sh("git status --porcelain --untracked-files=no")),
        "load_before": os.getloadavg(),
        "rustc_running": bool(sh("pgrep -x rustc || true")),
    }


def build(no_build: bool) -> dict:
    notes = {}
    if no_build:
        missing = [str(p) for p in (BINARY, EXAMPLE) if not p.exists()]
        return {"note": "not rebuilt (--no-build)" + (f"; missing: {', '.join(missing)}" if missing else "")}
    for label, argv in (("haoban", ["cargo", "build", "--release", "-p", "haoban"]),
                        ("peer_decisions", ["cargo", "build", "--release", "-p", "haoban-catalog",
                                            "--example", "peer_decisions"])):
        started = time.monotonic()
        done = subprocess.run(argv, cwd=ROOT)
        if done.returncode != 0:
            sys.exit(f"error: {' '.join(argv)} failed (exit {done.returncode})")
        notes[label] = time.monotonic() - started
    return {"note": ", ".join(f"{k} {v:.0f} s" for k, v in notes.items())}


def ensure_venv() -> dict:
    if not VENV_PYTHON.exists():
        log(f"creating {VENV.relative_to(ROOT)}")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(VENV_PYTHON), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "-r", str(PEERS / "requirements.txt")], check=True)
    versions = json.loads(subprocess.run(
        [str(VENV_PYTHON), "-c",
         "import json, importlib.metadata as m, platform; print(json.dumps({p: m.version(p) for p in "
         "('openfisca-core', 'numpy', 'pandas', 'zen-engine', 'psycopg')} | {'python': platform.python_version()}))"],
        check=True, capture_output=True, text=True).stdout)
    return versions


def comparison_population(workdir: Path, rows: int, raw: dict) -> Path:
    """The population both engines read: an `id` and the columns the rules read, every
    cell known, the first rows the boundary cases of the age conditions.

    From bench/population.py (`--unknown 0`, every given fact of the catalog) projected
    onto those columns when that script is there, else from
    bench/peers/known_population.py. Written anew every run (seconds): never a stale file
    from an older generator."""
    path = workdir / f"population-known-{rows}.csv"
    generator = BENCH / "population.py"
    if not generator.exists():
        subprocess.run([sys.executable, str(PEERS / "known_population.py"), "--rows", str(rows),
                        "--out", str(path), "--catalog", str(CATALOG), "--on", ON], check=True)
        raw["population_source"] = "bench/peers/known_population.py"
        return path
    wide = workdir / f"population-wide-known-{rows}.csv"
    subprocess.run([sys.executable, str(generator), "--rows", str(rows), "--seed", "1",
                    "--unknown", "0", "--catalog", str(CATALOG), "--out", str(wide)], check=True)
    needed = peer_rules.load(CATALOG).needed_given()
    boundary = known_population.boundary_births(dt.date.fromisoformat(ON))
    with open(wide, encoding="utf-8", newline="") as f, open(path, "w", encoding="utf-8", newline="") as out:
        reader = csv.reader(f)
        header = next(reader)
        positions = [header.index("id")] + [header.index(name) for name in needed]
        birth = needed.index("birth_date") + 1 if "birth_date" in needed else None
        hukou = needed.index("hukou") + 1 if "hukou" in needed else None
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["id", *needed])
        for i, row in enumerate(reader):
            cells = [row[p] for p in positions]
            if i < len(boundary) and birth is not None:
                # Only scan and the peers read this file, without --offer: an id whose
                # embedded birth date differs from the row's does not matter here.
                cells[birth] = boundary[i]
                if hukou is not None:
                    cells[hukou] = "shanghai"
            writer.writerow(cells)
    wide.unlink()
    raw["population_source"] = ("bench/population.py --seed 1 --unknown 0, projected onto the "
                                "columns the rules read, boundary birth dates in the first rows")
    return path


def applicants_jsonl(population: Path, count: int, workdir: Path) -> Path:
    """The first `count` rows of the population as JSON objects of facts, one per line
    (bools as JSON booleans; enums and dates as strings)."""
    path = workdir / f"applicants-{count}.jsonl"
    with open(population, encoding="utf-8", newline="") as f, open(path, "w", encoding="utf-8") as out:
        reader = csv.reader(f)
        header = next(reader)
        for i, row in enumerate(reader):
            if i >= count:
                break
            facts = {}
            for name, cell in zip(header[1:], row[1:]):
                facts[name] = {"true": True, "false": False}.get(cell, cell)
            out.write(json.dumps(facts, ensure_ascii=False) + "\n")
    return path


def binary_has(command: str) -> bool:
    if not BINARY.exists():
        return False
    done = subprocess.run([str(BINARY), command, "--help"], cwd=ROOT, capture_output=True)
    return done.returncode == 0


# ---------------------------------------------------------------------------------------
# Formatting


def med(xs: list[float]) -> float:
    return statistics.median(xs)


def f_s(x: float) -> str:
    if x >= 10:
        return f"{x:.1f} s"
    return f"{x:.3f} s" if x >= 0.1 else f"{x * 1000:.1f} ms"


def f_n(x: float) -> str:
    return f"{x:,.0f}"


def f_us(x: float) -> str:
    return f"{x * 1e6:.2f} µs"


def f_ratio(x: float) -> str:
    return f"{x:.1f}×" if x >= 10 else f"{x:.2f}×"


# ---------------------------------------------------------------------------------------
# Part 1: population eligibility, haoban scan against OpenFisca


def part_eligibility(args, workdir: Path, population: Path, raw: dict) -> list[str]:
    out = ["### 1. Population eligibility: `haoban scan` against OpenFisca", ""]
    rows = args.rows
    of = Child([VENV_PYTHON, PEERS / "openfisca_eligibility.py", "--population", population,
                "--catalog", CATALOG, "--on", ON, "--repeat", str(args.repeat)])
    if of.code != 0:
        out += [f"OpenFisca did not run: {of.failed()}", ""]
        return out
    ofj = of.json()
    raw["openfisca"] = ofj | {"process": {"wall_s": of.wall, "cpu_s": of.cpu, "max_rss_mib": of.max_rss_mib}}

    def run_scans(extra: list[str]) -> tuple[list, str | None]:
        runs = []
        for _ in range(args.repeat):
            run = Child([BINARY, "scan", "--catalog", CATALOG, "--population", population,
                         "--on", ON, "--timings", *extra])
            if run.code != 0:
                return [], f"`haoban scan {' '.join(extra)}` failed: {run.failed()}"
            runs.append((run, run.json()))
        return runs, None

    variants: dict[str, list] = {}
    if not binary_has("scan"):
        out += ["`haoban scan` is not in this build of the binary (issue 7 adds it): only "
                "OpenFisca's figures are shown, and nothing is compared.", ""]
    else:
        for label, extra in ((f"haoban scan (release, every core: {os.cpu_count()})", []),
                             ("haoban scan (release, `--threads 1`)", ["--threads", "1"])):
            runs, error = run_scans(extra)
            if error:
                out += [error, ""]
                continue
            variants[label] = runs
        raw["scan"] = {label: [j | {"process": {"wall_s": r.wall, "cpu_s": r.cpu, "max_rss_mib": r.max_rss_mib}}
                               for r, j in runs] for label, runs in variants.items()}
    scans = next(iter(variants.values()), [])

    items = list(ofj["items"])
    agree = None
    if scans:
        mismatches = []
        for item in items:
            for runs in variants.values():
                s = runs[0][1]["items"].get(item, {})
                if (s.get("eligible") != ofj["items"][item]["eligible"] or s.get("unknown", 0) != 0) \
                        and item not in mismatches:
                    mismatches.append(item)
        every = [j for runs in variants.values() for _, j in runs]
        same_runs = all(j["items"] == every[0]["items"] for j in every)
        agree = (not mismatches and same_runs
                 and all(j["residents"] == ofj["residents"] and j.get("bad_rows", 0) == 0 for j in every))
        raw["eligibility_agree"] = {"agree": agree, "mismatches": mismatches, "runs_identical": same_runs}

    out += [f"Population: {f_n(rows)} residents, {len(items)} proactive items, evaluation date {ON}; "
            f"the CSV (`{population.name}`, {population.stat().st_size / 1e6:.1f} MB, from "
            f"{raw.get('population_source', '?')}) has an `id` and the "
            f"{len(ofj['columns'])} columns the rules read ({', '.join(f'`{c}`' for c in ofj['columns'])}), "
            f"every cell known. scan: {args.repeat} processes per row of the table; OpenFisca: one "
            f"process, the CSV read once, {args.repeat} simulations. Median (fastest in brackets).", ""]
    out += ["| item | eligible (haoban scan) | eligible (OpenFisca) | unknown (scan) |",
            "| --- | ---: | ---: | ---: |"]
    for item in items:
        s = scans[0][1]["items"].get(item, {}) if scans else {}
        out.append(f"| `{item}` | {f_n(s['eligible']) if 'eligible' in s else '–'} | "
                   f"{f_n(ofj['items'][item]['eligible'])} | {s.get('unknown', '–')} |")
    out.append("")
    if agree is not None:
        out += [f"**Agreement: {'yes' if agree else 'NO'}** — "
                + ("every item's eligible count is the same in OpenFisca and in every scan run "
                   "(every core and one thread), no resident is unknown to scan, no row is bad."
                   if agree else
                   f"counts differ for {', '.join(raw['eligibility_agree']['mismatches']) or 'the totals or between runs'}."),
                ""]
    if ofj.get("skipped"):
        out += ["Left out of OpenFisca (no vectorized equivalent): "
                + "; ".join(f"`{k}`: {v}" for k, v in ofj["skipped"].items()), ""]

    of_eval = ofj["timings"]["eval_s"]
    of_load = ofj["timings"]["load_s"]
    out += ["| engine | load (CSV → columns) | evaluate | load + evaluate | residents/s (evaluate) | process wall | process CPU | peak RSS |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for label, runs in variants.items():
        loads = [j["timings"]["load_s"] for _, j in runs]
        evals = [j["timings"]["eval_s"] for _, j in runs]
        out.append(f"| {label} | {f_s(med(loads))} ({f_s(min(loads))}) | "
                   f"{f_s(med(evals))} ({f_s(min(evals))}) | {f_s(med([a + b for a, b in zip(loads, evals)]))} | "
                   f"{f_n(rows / med(evals))} | {f_s(med([r.wall for r, _ in runs]))} | "
                   f"{f_s(med([r.cpu for r, _ in runs]))} | {max(r.max_rss_mib for r, _ in runs):.0f} MiB |")
    out.append(f"| OpenFisca (numpy, 1 thread; load with pandas) | {f_s(of_load)} | {f_s(med(of_eval))} ({f_s(min(of_eval))}) | "
               f"{f_s(of_load + med(of_eval))} | {f_n(rows / med(of_eval))} | {f_s(of.wall)}, all {args.repeat} with imports | "
               f"{f_s(of.cpu)} | {of.max_rss_mib:.0f} MiB |")
    out.append("")
    ratios = {}
    for label, runs in variants.items():
        s_eval = med([j["timings"]["eval_s"] for _, j in runs])
        s_total = med([j["timings"]["load_s"] + j["timings"]["eval_s"] for _, j in runs])
        ratios[label] = {"eval": med(of_eval) / s_eval, "total": (of_load + med(of_eval)) / s_total}
    raw["eligibility_ratio"] = ratios
    if ratios:
        out += ["Ratio OpenFisca ÷ haoban scan (time; above 1 means scan is faster):", ""]
        out += [f"- {label}: evaluate **{f_ratio(r['eval'])}**, load + evaluate **{f_ratio(r['total'])}**"
                for label, r in ratios.items()]
        out.append("")
    return out


def part_scan_general(args, workdir: Path, raw: dict) -> list[str]:
    """scan alone on bench/population.py's population (unknown cells, every fact)."""
    generator = BENCH / "population.py"
    if not generator.exists() or not binary_has("scan"):
        return []
    out = ["#### `haoban scan` alone on bench/population.py's population", ""]
    path = workdir / f"population-general-{args.rows}.csv"
    gen = Child([sys.executable, generator, "--rows", str(args.rows), "--seed", "1",
                 "--catalog", CATALOG, "--out", path])
    if gen.code != 0:
        return out + [f"bench/population.py failed: {gen.failed()}", ""]
    runs = []
    for _ in range(args.repeat):
        run = Child([BINARY, "scan", "--catalog", CATALOG, "--population", path, "--on", ON, "--timings"])
        if run.code != 0:
            return out + [f"`haoban scan` failed: {run.failed()}", ""]
        runs.append((run, run.json()))
    j = runs[0][1]
    raw["scan_general"] = [x | {"process": {"wall_s": r.wall, "cpu_s": r.cpu, "max_rss_mib": r.max_rss_mib}}
                           for r, x in runs]
    with open(path, encoding="utf-8") as f:
        columns = len(f.readline().split(",")) - 1
    loads = [x["timings"]["load_s"] for _, x in runs]
    evals = [x["timings"]["eval_s"] for _, x in runs]
    out += [f"{f_n(j['residents'])} residents, {columns} fact columns with unknown cells "
            f"({path.stat().st_size / 1e6:.0f} MB), {j.get('bad_rows', 0)} bad rows: load {f_s(med(loads))}, "
            f"evaluate {f_s(med(evals))} ({f_n(j['residents'] / med(evals))} residents/s), process wall "
            f"{f_s(med([r.wall for r, _ in runs]))}, peak RSS {max(r.max_rss_mib for r, _ in runs):.0f} MiB.", "",
            "| item | eligible | unknown |", "| --- | ---: | ---: |"]
    for item, counts in j["items"].items():
        out.append(f"| `{item}` | {f_n(counts['eligible'])} | {f_n(counts['unknown'])} |")
    return out + [""]


# ---------------------------------------------------------------------------------------
# Part 2: per-applicant decisions, haoban pre-review against zen-engine


def part_decisions(args, workdir: Path, applicants: Path, raw: dict) -> list[str]:
    out = ["### 2. Per-applicant decisions: haoban pre-review against zen-engine", ""]
    hb_statuses = workdir / "statuses-haoban.txt"
    zen_statuses = workdir / "statuses-zen.txt"
    hb = Child([EXAMPLE, "--catalog", CATALOG, "--applicants", applicants, "--on", ON,
                "--repeat", str(args.repeat), "--statuses", hb_statuses])
    if hb.code != 0:
        return out + [f"haoban's example did not run: {hb.failed()}", ""]
    zn = Child([VENV_PYTHON, PEERS / "zen_decisions.py", "--catalog", CATALOG, "--applicants", applicants,
                "--on", ON, "--repeat", str(args.repeat), "--statuses", zen_statuses,
                "--graph", workdir / "zen-graph.json"])
    if zn.code != 0:
        return out + [f"zen-engine did not run: {zn.failed()}", ""]
    hj, zj = hb.json(), zn.json()
    raw["decisions"] = {"haoban": hj, "zen": zj}
    n = hj["applicants"]

    a = hb_statuses.read_text().splitlines()
    b = zen_statuses.read_text().splitlines()
    same_items = hj["items"] == zj["items"]
    differing = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    agree = same_items and len(a) == len(b) == n and not differing and zj.get("batch_differs", 0) == 0
    raw["decisions_agree"] = {"agree": agree, "differing_applicants": differing[:20]}

    h = hj["timings"]
    z = zj["timings"]
    hb_json = med(h["json"]["wall_s"]) / n
    zen_json = med(z["json"]["wall_s"]) / z["json"]["n"]
    rows = [
        ("haoban: `Applicant::from_json` + `prereview` of the items (JSON text in)", hb_json, "1", "json"),
        ("haoban: `prereview` alone (facts parsed before)", med(h["prereview"]["wall_s"]) / n, "1", None),
        ("haoban: `Applicant::from_json` alone", med(h["parse"]["wall_s"]) / n, "1", None),
        ("zen: `engine.evaluate(key, json_bytes)` (JSON text in)", zen_json, "1", "json"),
        ("zen: `engine.evaluate(key, dict)` (parsed dict in)", med(z["dict"]["wall_s"]) / z["dict"]["n"], "1", None),
        ("zen: input → output graph, no rule (the binding's floor)", med(z["floor"]["wall_s"]) / z["floor"]["n"], "1", None),
        ("zen: the engine's own `performance` figure, rules graph (inside the engine, median)",
         z["json"]["engine_reported_median_s"], "1", None),
        ("zen: the engine's own `performance` figure, no-rule graph (median)",
         z["floor"]["engine_reported_median_s"], "1", None),
        (f"zen: `engine.evaluate_batch` of all {f_n(n)} (wall; CPU {med(z['batch']['cpu_s']) / med(z['batch']['wall_s']):.1f} cores)",
         med(z["batch"]["wall_s"]) / z["batch"]["n"], f"{os.cpu_count()}", None),
        (f"zen: `create_decision(...).evaluate(json_bytes)` (first {f_n(z['decision']['n'])})",
         med(z["decision"]["wall_s"]) / z["decision"]["n"], "1", None),
    ]
    out += [f"{f_n(n)} applicants (the first rows of the population above, every fact known), "
            f"{len(hj['items'])} items each; one decision = one applicant judged on every item. "
            f"Median of {args.repeat} passes over all applicants.", "",
            "| what | per applicant | decisions/s | threads |", "| --- | ---: | ---: | ---: |"]
    for label, per, threads, _ in rows:
        out.append(f"| {label} | {f_us(per)} | {f_n(1 / per)} | {threads} |")
    out.append("")
    ratio = zen_json / hb_json
    raw["decisions_ratio"] = {"json": ratio, "engine": z["json"]["engine_reported_median_s"] / (med(h["prereview"]["wall_s"]) / n)}
    out += [f"Ratio, JSON text in, one thread (zen ÷ haoban time per decision; above 1 means haoban is "
            f"faster): **{f_ratio(ratio)}** — haoban {f_n(1 / hb_json)} decisions/s, zen-engine "
            f"{f_n(1 / zen_json)} decisions/s. Inside the engines, input already parsed (zen's own "
            f"`performance` figure ÷ haoban's `prereview` alone): "
            f"**{f_ratio(z['json']['engine_reported_median_s'] / (med(h['prereview']['wall_s']) / n))}**.", "",
            f"**Agreement: {'yes' if agree else 'NO'}** — "
            + (f"the status of every item for all {f_n(n)} applicants is the same in both "
               f"(and in zen's batch results)." if agree else
               f"{len(differing)} applicants differ (first: {differing[:5]})."),
            ""]
    eligible = " · ".join(f"`{k}` {f_n(v)}" for k, v in hj["eligible"].items())
    out += [f"Eligible among them: {eligible}.", ""]
    return out


# ---------------------------------------------------------------------------------------
# Part 3: durable transitions (bench/transitions.py)


def part_transitions(args, workdir: Path, raw: dict) -> list[str]:
    out = ["### 3. Durable case transitions against the raw insert rate", ""]
    fragment = workdir / "transitions.md"
    argv = [VENV_PYTHON, BENCH / "transitions.py", "--no-build", "--markdown", fragment]
    if not args.full:
        argv += ["--seconds", "2"]
    run = Child(argv)
    if run.code != 0:
        return out + [f"bench/transitions.py failed: {run.failed()}", ""]
    text = fragment.read_text()
    raw["transitions_markdown"] = text
    out += [f"bench/transitions.py, run by bench/peers.py with the venv's Python (so that psycopg is "
            f"there for the PostgreSQL raw phase){'' if args.full else ', quick: --seconds 2'}. Its "
            "report as it printed it:", ""]
    out += text.strip().splitlines()
    return out + [""]


# ---------------------------------------------------------------------------------------
# Part 4: simulator and demo seeding


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def proc_cpu(pid: int) -> float:
    """User + system CPU seconds of a running process (and its reaped children)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def sqlite_counts(db: Path) -> dict:
    counts = {}
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            for table in ("cases", "events", "tickets", "ratings", "users"):
                try:
                    counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                except sqlite3.Error:
                    pass
    except sqlite3.Error as err:
        counts["error"] = str(err)
    return counts


def demo_seeding(args, workdir: Path, raw: dict) -> list[str]:
    """`haoban demo --db FILE --listen ADDR --seed N` seeds a simulated year into a fresh
    SQLite file, then serves it: the seeding time is the time until it answers HTTP."""
    db = workdir / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    port = free_port()
    log_path = workdir / "demo.log"
    days = 365 if args.full else 30
    argv = [BINARY, "demo", "--db", db, "--catalog", CATALOG, "--listen", f"127.0.0.1:{port}",
            "--seed", "1", "--days", str(days)]
    log("$ " + " ".join(shlex.quote(str(a)) for a in argv))
    started = time.perf_counter()
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen([str(a) for a in argv], cwd=ROOT, stdin=subprocess.DEVNULL,
                                stdout=log_file, stderr=subprocess.STDOUT)
        up, cpu = None, 0.0
        try:
            while time.perf_counter() - started < args.demo_timeout:
                if proc.poll() is not None:
                    break
                cpu = proc_cpu(proc.pid)
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    conn.request("GET", "/login")
                    if conn.getresponse().status < 500:
                        up = time.perf_counter() - started
                        break
                except OSError:
                    pass
                time.sleep(0.2)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
    text = log_path.read_text(errors="replace")
    if up is None:
        why = (f"exited with {proc.returncode}" if proc.returncode not in (None, -signal.SIGTERM)
               else f"did not answer within {args.demo_timeout:.0f} s")
        tail = " / ".join(text.strip().splitlines()[-3:])
        return [f"`haoban demo` {why}: `{tail[:300]}`", ""]
    counts = sqlite_counts(db)
    size = sum(Path(str(db) + x).stat().st_size for x in ("", "-wal") if Path(str(db) + x).exists())
    raw["demo"] = {"seconds": up, "cpu_s": cpu, "counts": counts, "db_bytes": size, "log_head": text[:2000]}
    cases = counts.get("cases", 0)
    return [f"`haoban demo --db FILE --listen ADDR --seed 1 --days {days}` on a fresh SQLite file (in "
            f"`{workdir}`): answering HTTP after **{f_s(up)}**, having seeded "
            f"{f_n(cases)} cases ({f_n(counts.get('events', 0))} events, {f_n(counts.get('tickets', 0))} "
            f"tickets, {f_n(counts.get('ratings', 0))} ratings, {counts.get('users', 0)} accounts; "
            f"{size / 1e6:.0f} MB): **{f_n(cases / up if up else 0)} cases/s** of seeding, "
            f"{cpu:.0f} CPU seconds ({cpu / up:.1f} cores).", ""]


def sim_run(args, workdir: Path, name: str, extra: list[str]) -> tuple[dict | None, str]:
    db = workdir / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    run = Child([BINARY, "sim", "--db", db, "--catalog", CATALOG, "--seed", "1", "--json", *extra])
    if run.code != 0:
        return None, run.failed()
    summary = run.json()
    counts = sqlite_counts(db)
    size = sum(Path(str(db) + x).stat().st_size for x in ("", "-wal") if Path(str(db) + x).exists())
    # The command's own line on stderr ("… in 0.9 s (1,836 cases/s)") times the
    # simulation without process start and migration; the process wall is beside it.
    own = re.search(r" in ([0-9.]+) s\b", run.stderr)
    result = {"summary": summary, "counts": counts, "db_bytes": size, "wall_s": run.wall,
              "cpu_s": run.cpu, "max_rss_mib": run.max_rss_mib,
              "own_s": float(own.group(1)) if own else None, "stderr_tail": run.stderr[-500:]}
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    return result, ""


def part_sim(args, workdir: Path, raw: dict) -> list[str]:
    out = ["### 4. Simulator and demo seeding", ""]
    has_sim, has_demo = binary_has("sim"), binary_has("demo")
    if not has_sim:
        out += ["`haoban sim` is not in this build of the binary (issue 7 adds it): not measured.", ""]
    else:
        bulk_days = 365 if args.full else 30
        step_days = 5 if args.full else 1
        plans = [("a day at a time (`import_history`, one transaction per day)", "sim-bulk",
                  ["--from", "2026-01-01", "--days", str(bulk_days)]),
                 ("one step at a time (`--one-by-one`: every step its own transaction, as the web's)",
                  "sim-steps", ["--from", "2026-11-23", "--days", str(step_days), "--one-by-one"])]
        rows = ["| recording | days simulated | cases | record entries | tickets | time (the command's own) | process wall | cases/s | entries/s | process CPU | peak RSS | database |",
                "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        raw["sim"] = {}
        errors = []
        for label, name, extra in plans:
            result, error = sim_run(args, workdir, name, extra)
            if result is None:
                errors.append(f"`haoban sim {' '.join(extra)}` failed: {error}")
                continue
            raw["sim"][name] = result
            summ, counts = result["summary"], result["counts"]
            seconds_ = result["own_s"] or result["wall_s"]
            cases = summ.get("cases", counts.get("cases", 0))
            entries = counts.get("events", 0)
            first = extra[extra.index("--from") + 1]
            rows.append(f"| {label} | {summ.get('days', '?')} from {first} ({summ.get('working_days', '?')} working) | "
                        f"{f_n(cases)} | {f_n(entries)} | {f_n(counts.get('tickets', 0))} | "
                        f"{f_s(result['own_s']) if result['own_s'] else '–'} | {f_s(result['wall_s'])} | "
                        f"**{f_n(cases / seconds_)}** | {f_n(entries / seconds_)} | {f_s(result['cpu_s'])} | "
                        f"{result['max_rss_mib']:.0f} MiB | {result['db_bytes'] / 1e6:.0f} MB |")
        out += ["`haoban sim --db FILE --catalog catalog/shanghai --seed 1 --json` into a fresh SQLite "
                f"file in `{workdir}` (release). Rates are per second of the command's own timing "
                "(the simulation and its recording, without process start) where it prints one, "
                "else of the process wall; record entries are the `events` rows of the chain "
                "(case, hall and rating entries).", "", *rows, ""]
        out += [e + "\n" for e in errors]
    if not has_demo:
        out += ["`haoban demo` is not in this build of the binary (issue 7 adds it): not measured.", ""]
    else:
        out += demo_seeding(args, workdir, raw)
    return out


# ---------------------------------------------------------------------------------------
# The document


def header(m: dict, versions: dict, args, build_note: str, started: float) -> list[str]:
    load = "/".join(f"{x:.2f}" for x in m["load_before"])
    caution = []
    if m["load_before"][0] > 1 or m["rustc_running"]:
        caution = [f"CAUTION: the machine was not quiet when this run started (load average {load}"
                   f"{', rustc running' if m['rustc_running'] else ''}): the figures are noisier and "
                   "slower than they should be.", ""]
    mode = "full" if args.full else "quick"
    return [
        f"Run of `{' '.join(['python3 bench/peers.py', *map(shlex.quote, sys.argv[1:])])}` ({mode}), "
        f"{m['date']}, commit `{m['commit']}`{' with local changes' if m['dirty'] else ''}; "
        f"builds: {build_note}.", "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']:.1f} GiB RAM, {m['os']} "
        f"(virtualization: {m['virt']}); {m['rustc']}; Python {m['python']} (the script and "
        f"transitions.py's client), venv Python {versions.get('python')} with openfisca-core "
        f"{versions.get('openfisca-core')}, numpy {versions.get('numpy')}, pandas {versions.get('pandas')}, zen-engine "
        f"{versions.get('zen-engine')}, psycopg {versions.get('psycopg')}. Load average "
        f"{load} before the run, "
        + "/".join(f"{x:.2f}" for x in os.getloadavg()) + f" after; the run took {time.monotonic() - started:.0f} s.",
        "",
        *caution,
    ]


def write_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    if BEGIN in text and END in text:
        before = text[:text.index(BEGIN)]
        after = text[text.index(END) + len(END):]
        text = before + BEGIN + "\n" + section + END + after
    else:
        text = text.rstrip() + "\n\n" + BEGIN + "\n" + section + END + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true",
                    help="1,000,000 residents, 100,000 applicants, transitions with its defaults")
    ap.add_argument("--rows", type=int, help="residents (default 100,000; --full 1,000,000)")
    ap.add_argument("--applicants", type=int, help="applicants for part 2 (default 20,000; --full 100,000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs or passes per measurement (default 3)")
    ap.add_argument("--parts", default="eligibility,decisions,transitions,sim",
                    help="comma-separated: eligibility, decisions, transitions, sim")
    ap.add_argument("--demo-timeout", type=float, default=1800,
                    help="seconds to wait for `haoban demo` to seed and answer (default 1800)")
    ap.add_argument("--no-build", action="store_true", help="use the release binaries as they are")
    ap.add_argument("--no-write", action="store_true", help="print the section, leave docs/benchmarks.md")
    ap.add_argument("--workdir", type=Path, default=ROOT / "target" / "peers",
                    help="populations, statuses and raw JSON (default target/peers; populations are reused)")
    args = ap.parse_args()
    args.rows = args.rows or (1_000_000 if args.full else 100_000)
    args.applicants = min(args.applicants or (100_000 if args.full else 20_000), args.rows)
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    started = time.monotonic()

    m = machine()
    if m["load_before"][0] > 1 or m["rustc_running"]:
        log(f"WARNING: load average {m['load_before'][0]:.2f}"
            f"{' and rustc running' if m['rustc_running'] else ''}: the figures will be noisy")
    args.workdir.mkdir(parents=True, exist_ok=True)
    build_note = build(args.no_build)["note"]
    versions = ensure_venv()

    raw: dict = {"machine": m, "versions": versions, "args": vars(args) | {"workdir": str(args.workdir)}}
    body: list[str] = []
    population = None
    if "eligibility" in parts or "decisions" in parts:
        population = comparison_population(args.workdir, args.rows, raw)
    if "eligibility" in parts:
        body += part_eligibility(args, args.workdir, population, raw)
        body += part_scan_general(args, args.workdir, raw)
    if "decisions" in parts:
        applicants = applicants_jsonl(population, args.applicants, args.workdir)
        body += part_decisions(args, args.workdir, applicants, raw)
    if "transitions" in parts:
        body += part_transitions(args, args.workdir, raw)
    if "sim" in parts:
        body += part_sim(args, args.workdir, raw)

    section = "\n".join(header(m, versions, args, build_note, started) + body).rstrip() + "\n"
    (args.workdir / "peers.json").write_text(json.dumps(raw, indent=2, default=str))
    print(section)
    if not args.no_write:
        write_doc(section)
        log(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
