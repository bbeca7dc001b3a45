#!/usr/bin/env python3
"""A synthetic population registry in which every cell is known, for the peer comparison.

    python3 bench/peers/known_population.py --rows 1000000 --out pop.csv [--seed 7]
        [--catalog catalog/shanghai] [--facts hukou,birth_date,...]

Writes `haoban scan`'s population CSV (header `id,<fact>,...`; bools as true/false, dates
as YYYY-MM-DD, enums as declared values) with one column per given fact the catalog's
proactive items read (through derived facts), or the facts named with --facts. No cell
is empty: OpenFisca and zen-engine have no *unknown*, so the rows the three engines are
compared on must have every fact they read. (bench/population.py, the general generator
of `haoban scan`'s population with unknown cells, is used for scan's own figures when it
is there.)

The first rows are boundary cases for the age conditions: Shanghai residents born exactly
60 and 65 years before --on, a day earlier and a day later, and on 29 February of two
leap years (so that the per-applicant sample, which takes the first rows, holds them).

Deterministic for a seed. Values are drawn so that every proactive item has some eligible
residents: hukou 60 % Shanghai; birth dates uniform over 1930-01-01..2025-12-31 (29
February included); disability grades 10 % (2.5 % each of 1–4); booleans at rates that
look like a registry (e.g. 5 % minimum-living households, 25 % pensioners). Standard
library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import rules  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

# Probability of `true` per bool fact; 0.3 for any other bool fact.
BOOL_RATES = {
    "receives_pension": 0.25,
    "minimum_living_household": 0.05,
    "low_income_household": 0.08,
    "family_member_conscript": 0.02,
    "one_child_certificate": 0.2,
    "rural_family_planning_household": 0.05,
    "via_agent": 0.1,
}
# Weights per enum value; uniform for any other enum fact.
ENUM_WEIGHTS = {
    "hukou": {"shanghai": 0.6, "other": 0.4},
    "disability_level": {"none": 0.9, "1": 0.025, "2": 0.025, "3": 0.025, "4": 0.025},
}
FIRST = dt.date(1930, 1, 1).toordinal()
LAST = dt.date(2025, 12, 31).toordinal()


def column_maker(name: str, spec: dict, rng: random.Random):
    ty = spec["type"]
    if ty == "bool":
        rate = BOOL_RATES.get(name, 0.3)
        return lambda: "true" if rng.random() < rate else "false"
    if ty == "enum":
        weights = ENUM_WEIGHTS.get(name, {v: 1.0 for v in spec["values"]})
        values, cum, total = [], [], 0.0
        for value, weight in weights.items():
            total += weight
            values.append(value)
            cum.append(total)
        def pick() -> str:
            x = rng.random() * total
            for value, edge in zip(values, cum):
                if x < edge:
                    return value
            return values[-1]
        return pick
    if ty == "date":
        return lambda: dt.date.fromordinal(rng.randint(FIRST, LAST)).isoformat()
    if ty == "int":
        return lambda: str(rng.randint(0, 100))
    if ty == "decimal":
        return lambda: f"{rng.randint(0, 500_000) / 100:.2f}"
    return lambda: rng.choice(["", "浦东新区", "Xuhui"])


def boundary_births(on: dt.date) -> list[str]:
    births = []
    for years in (60, 65):
        try:
            anniversary = on.replace(year=on.year - years)
        except ValueError:  # --on is 29 February
            anniversary = dt.date(on.year - years, 3, 1)
        births += [(anniversary + dt.timedelta(days=d)).isoformat() for d in (-1, 0, 1)]
    return births + ["1960-02-29", "1964-02-29"]


def write(out: Path, rows: int, facts: list[str], spec: dict[str, dict], seed: int, on: dt.date) -> None:
    rng = random.Random(seed)
    makers = [column_maker(name, spec[name], rng) for name in facts]
    boundary = boundary_births(on)
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(["id", *facts]) + "\n")
        chunk = []
        for i in range(rows):
            cells = [make() for make in makers]
            if i < len(boundary):
                for j, name in enumerate(facts):
                    if name == "hukou":
                        cells[j] = "shanghai"
                    elif spec[name]["type"] == "date":
                        cells[j] = boundary[i]
            chunk.append(f"r{i:07d}," + ",".join(cells))
            if len(chunk) == 10_000:
                f.write("\n".join(chunk) + "\n")
                chunk.clear()
        if chunk:
            f.write("\n".join(chunk) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--on", type=dt.date.fromisoformat, default=dt.date(2026, 11, 27),
                    help="the evaluation date the boundary rows are placed around")
    ap.add_argument("--catalog", type=Path, default=ROOT / "catalog" / "shanghai")
    ap.add_argument("--facts", help="comma-separated given facts (default: what the proactive items read)")
    args = ap.parse_args()
    loaded = rules.load(args.catalog)
    facts = args.facts.split(",") if args.facts else loaded.needed_given()
    write(args.out, args.rows, facts, loaded.facts, args.seed, args.on)


if __name__ == "__main__":
    main()
