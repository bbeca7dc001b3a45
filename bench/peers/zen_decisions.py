#!/usr/bin/env python3
"""The catalog's proactive eligibility rules as a GoRules JDM decision graph, evaluated one
applicant at a time with zen-engine (a Rust rules engine) through its Python binding. Run
inside bench/.venv; bench/peers.py runs it.

    bench/.venv/bin/python bench/peers/zen_decisions.py --applicants apps.jsonl \
        [--catalog catalog/shanghai] [--on 2026-11-27] [--repeat 3] [--statuses out.txt] \
        [--graph graph.json]

The graph (generated from the catalog files by bench/peers/rules.py; --graph writes it):
input node → one expression node → output node. The expression node first computes the
derived facts the items read (`age` from `birth_date` on the evaluation date,
`has_disability_certificate`), then one boolean per proactive item from its `eligible`,
reading the derived ones as `$.name`. Applicants are JSON objects, one per line, with
every fact the rules read (zen has no *unknown*: a missing field is null, and
`null == "shanghai"` is false, not unknown).

Timings (one JSON object on stdout), each over every applicant unless said, with wall
clock and process CPU seconds:
- `json`: `engine.evaluate(key, line)` with the JSON text as bytes (zen parses it; the
  decision is loaded once from a static loader and cached by the engine): the
  like-for-like figure beside haoban's `Applicant::from_json` + pre-review;
- `dict`: the same with the already-parsed Python dict;
- `floor`: the JSON text through a graph that is only input → output, i.e. what the
  binding, the JSON in and out and the graph walk cost with no rule at all;
- `batch`: `engine.evaluate_batch` of every applicant in one call (the binding's batch
  API, which spreads the work over threads: compare its CPU seconds, not only wall);
- `engine_reported_median_s` (under `json` and `floor`): the median of zen's own
  `performance` figure per evaluation, i.e. the graph's evaluation inside the engine
  without the binding's conversions;
- `decision`: `decision.evaluate(line)` on a `ZenDecision` from `create_decision`, over
  the first --decision-sample applicants only: the binding's other per-call path, which
  costs about 15× `engine.evaluate` here (it shows as system time), kept as a finding.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from importlib.metadata import version
from pathlib import Path

import zen

sys.path.insert(0, str(Path(__file__).resolve().parent))
import rules  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def node(node_id: str, kind: str, content: dict | None = None) -> dict:
    out = {"id": node_id, "type": kind, "name": node_id, "position": {"x": 0, "y": 0}}
    if content is not None:
        out["content"] = content
    return out


def graph(expressions: list[tuple[str, str]] | None) -> dict:
    """input → [expression node] → output."""
    nodes = [node("request", "inputNode")]
    edges = []
    last = "request"
    if expressions is not None:
        nodes.append(node("eligible", "expressionNode", {
            "expressions": [{"id": f"e{i}", "key": key, "value": value}
                            for i, (key, value) in enumerate(expressions)],
            "passThrough": False, "inputField": None, "outputPath": None,
            "executionMode": "single",
        }))
        edges.append({"id": "in", "sourceId": "request", "targetId": "eligible", "type": "edge"})
        last = "eligible"
    nodes.append(node("response", "outputNode"))
    edges.append({"id": "out", "sourceId": last, "targetId": "response", "type": "edge"})
    return {"contentType": "application/vnd.gorules.decision", "nodes": nodes, "edges": edges}


def rules_graph(loaded: rules.Rules, on: str, wanted: list[str] | None):
    items, skipped, expressions = [], {}, []
    for item in loaded.items:
        if wanted and item.id not in wanted:
            continue
        try:
            expressions.append((item.id, rules.zen_source(item.ast, loaded.derived, on)))
            items.append(item)
        except rules.Unsupported as why:
            skipped[item.id] = str(why)
    derived = [(name, rules.zen_source(loaded.derived[name], loaded.derived, on))
               for name in loaded.needed_derived(items)]
    return graph(derived + expressions), items, skipped


def seconds(text: str) -> float:
    """zen's duration text ("6.1µs", "1.2ms") in seconds."""
    match = re.fullmatch(r"([0-9.]+)\s*(ns|µs|us|ms|s)", text.strip())
    if not match:
        raise ValueError(f"unreadable performance figure {text!r}")
    scale = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}[match.group(2)]
    return float(match.group(1)) * scale


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--applicants", type=Path, required=True)
    ap.add_argument("--catalog", type=Path, default=ROOT / "catalog" / "shanghai")
    ap.add_argument("--on", default="2026-11-27")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--items", help="comma-separated item ids (default: every proactive item)")
    ap.add_argument("--statuses", type=Path, help="write one line per applicant: e/i per item, in item order")
    ap.add_argument("--graph", type=Path, help="write the JDM graph here")
    ap.add_argument("--decision-sample", type=int, default=5000)
    args = ap.parse_args()

    loaded = rules.load(args.catalog)
    content, items, skipped = rules_graph(loaded, args.on, args.items.split(",") if args.items else None)
    if args.graph:
        args.graph.write_text(json.dumps(content, ensure_ascii=False, indent=2), encoding="utf-8")
    engine = zen.ZenEngine({"loader": {"type": "static", "content": {
        "eligible.json": content, "floor.json": graph(None)}}})
    decision = engine.create_decision(json.dumps(content))

    lines = [line for line in args.applicants.read_bytes().splitlines() if line.strip()]
    dicts = [json.loads(line) for line in lines]
    ids = [item.id for item in items]

    # Warm up (first calls compile and allocate).
    for line in lines[:1000]:
        engine.evaluate("eligible.json", line)
        engine.evaluate("floor.json", line)

    def measure(name: str, fn, inputs) -> list:
        started, cpu = time.perf_counter(), time.process_time()
        out = fn(inputs)
        timings.setdefault(name, {"wall_s": [], "cpu_s": [], "n": len(inputs)})
        timings[name]["wall_s"].append(time.perf_counter() - started)
        timings[name]["cpu_s"].append(time.process_time() - cpu)
        return out

    timings: dict[str, dict] = {}
    results: list = []
    floor_results: list = []
    evaluate = engine.evaluate
    for _ in range(args.repeat):
        results = measure("json", lambda xs: [evaluate("eligible.json", x) for x in xs], lines)
        measure("dict", lambda xs: [evaluate("eligible.json", x) for x in xs], dicts)
        floor_results = measure("floor", lambda xs: [evaluate("floor.json", x) for x in xs], lines)
        requests = [{"key": "eligible.json", "context": line} for line in lines]
        batch = measure("batch", engine.evaluate_batch, requests)
        del requests
    measure("decision", lambda xs: [decision.evaluate(x) for x in xs], lines[:args.decision_sample])
    failed_batch = sum(1 for b in batch if not b.get("success"))
    batch_differs = sum(1 for b, r in zip(batch, results) if b.get("data", {}).get("result") != r["result"])

    counts = {item_id: 0 for item_id in ids}
    status_lines = []
    for result in results:
        out = result["result"]
        row = []
        for item_id in ids:
            ok = out.get(item_id) is True
            counts[item_id] += ok
            row.append("e" if ok else "i")
        status_lines.append("".join(row))
    if args.statuses:
        args.statuses.write_text("\n".join(status_lines) + "\n", encoding="utf-8")

    # The engine's own account of each evaluation ("performance": the graph's evaluation
    # inside the engine, without the binding's conversions), median over the last pass.
    for name, runs in (("json", results), ("floor", floor_results)):
        timings[name]["engine_reported_median_s"] = statistics.median(
            seconds(r["performance"]) for r in runs)

    print(json.dumps({
        "engine": "zen-engine",
        "applicants": len(lines),
        "items": ids,
        "eligible": counts,
        "skipped": skipped,
        "batch_failures": failed_batch,
        "batch_differs": batch_differs,
        "timings": timings,
        "zen_engine": version("zen-engine"),
        "cpus": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
