#!/usr/bin/env python3
"""A synthetic population registry for `haoban scan` (免申即享), as CSV.

    python3 bench/population.py --rows 1000000 --seed 1 --out /tmp/population.csv
    python3 bench/population.py --rows 1000 --seed 7 --out -          # to standard output

Options (this command line is kept stable: bench scripts call it):
    --rows N       residents to write (default 1000000)
    --seed S       the same seed gives the same file, byte for byte (default 1)
    --out FILE     where to write, `-` for standard output (default -)
    --catalog DIR  the catalog whose facts.toml names the columns (default catalog/shanghai)
    --unknown P    share of fact cells left empty, i.e. unknown (default 0.05)

The file: a header row `id,<fact>,<fact>,...` with every given (not derived) fact of the
catalog's facts.toml in declaration order, then one row per resident, `\\n` line ends. The
id is a valid, unique GB 11643 ID number (so `haoban scan --offer` accepts every row) whose
date of birth is the row's `birth_date` when the catalog has that fact and it is given.
Cells are values of the fact's type as haoban reads them: bools `true`/`false`, ints,
decimals with a point, dates `YYYY-MM-DD`, enum values as declared. Distributions are
plausible for a Shanghai street (mostly local household registration, few disabilities,
ages from newborn to 100), so every proactive item of catalog/shanghai finds some
residents eligible, some not and some unknown.

Standard library only (Python 3.11+, for tomllib). About 20 s and 360 MB per million rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Pools are drawn from with random.choices, which loops in C: a million rows of ~50
# columns in seconds rather than minutes.
POOL = 20_000

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def id_number(row: int, born: dt.date) -> str:
    """A GB 11643 number unique per row: the row picks the region and sequence digits."""
    region = f"31{(row // 1000) % 10000:04d}"
    body = f"{region}{born:%Y%m%d}{row % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, WEIGHTS))
    return body + CHECK[total % 11]


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


# Facts of catalog/shanghai with a distribution of their own; others get one by type.
BOOL_TRUE = {
    "has_residence_permit": 0.2,
    "via_agent": 0.1,
    "receives_pension": 0.3,
    "minimum_living_household": 0.05,
    "is_veteran": 0.05,
    "low_income_household": 0.08,
    "is_martyr_survivor": 0.01,
    "pregnant": 0.03,
    "family_member_conscript": 0.02,
    "one_child_certificate": 0.2,
    "rural_family_planning_household": 0.05,
    "extreme_poverty_person": 0.01,
}
ENUM_WEIGHTS = {
    "hukou": {"shanghai": 0.7, "other": 0.3},
    "disability_level": {"none": 0.92, "1": 0.02, "2": 0.02, "3": 0.02, "4": 0.02},
    "child_hukou": {"shanghai": 0.7, "other": 0.3},
    "deceased_hukou": {"shanghai": 0.7, "other": 0.3},
}
INT_RANGES = {
    "household_members": (1, 6),
    "pension_contribution_years": (0, 40),
    "insured_months_continuous": (0, 480),
    "insured_months_total": (0, 480),
    "care_assessment_level": (0, 6),
    "hukou_years": (0, 80),
    "unemployment_insurance_months": (0, 240),
    "months_unemployed": (0, 36),
}
DECIMAL_RANGES = {  # (low, high, digits after the point)
    "household_income_per_capita": (0, 8000, 2),
    "housing_area_per_capita": (0, 80, 1),
    "living_area_per_capita": (0, 60, 1),
}
DATE_RANGES = {
    "birth_date": (dt.date(1925, 1, 1), dt.date(2025, 12, 31)),
    "child_birth_date": (dt.date(1985, 1, 1), dt.date(2026, 6, 30)),
    "spouse_birth_date": (dt.date(1925, 1, 1), dt.date(2006, 12, 31)),
    "residence_registration_date": (dt.date(2000, 1, 1), dt.date(2026, 6, 30)),
}


def pool(rng: random.Random, name: str, fact: dict) -> tuple[list[str], list[float]]:
    """Cell texts a fact's column is drawn from, and their weights (unknown not included)."""
    kind = fact["type"]
    if kind == "bool":
        p = BOOL_TRUE.get(name, 0.5)
        return ["true", "false"], [p, 1 - p]
    if kind == "enum":
        values = fact["values"]
        weights = ENUM_WEIGHTS.get(name, {})
        return list(values), [weights.get(v, 1 / len(values)) for v in values]
    if kind == "int":
        low, high = INT_RANGES.get(name, (0, 100))
        values = [str(n) for n in range(low, high + 1)]
        return values, [1.0] * len(values)
    if kind == "decimal":
        low, high, places = DECIMAL_RANGES.get(name, (0, 1000, 2))
        scale = 10**places
        cells = [rng.randrange(low * scale, high * scale + 1) for _ in range(POOL)]
        values = [f"{c // scale}.{c % scale:0{places}d}" for c in cells]
        return values, [1.0] * len(values)
    if kind == "date":
        first, last = DATE_RANGES.get(name, (dt.date(1950, 1, 1), dt.date(2025, 12, 31)))
        values = [d.isoformat() for d in days(first, last)]
        return values, [1.0] * len(values)
    if kind == "string":
        words = ["王", "李", "张", "Li", "Wang", '"Zhang, Wei"']
        return words, [1.0] * len(words)
    raise SystemExit(f"facts.toml: fact `{name}` has a type this generator does not know: {kind}")


def column(rng: random.Random, name: str, fact: dict, rows: int, unknown: float) -> list[str]:
    values, weights = pool(rng, name, fact)
    total = sum(weights)
    weights = [w / total * (1 - unknown) for w in weights] + [unknown]
    return rng.choices(values + [""], weights=weights, k=rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="-")
    parser.add_argument("--catalog", type=Path, default=ROOT / "catalog" / "shanghai")
    parser.add_argument("--unknown", type=float, default=0.05)
    args = parser.parse_args()
    if args.rows < 0 or not 0 <= args.unknown <= 1:
        parser.error("--rows must be at least 0 and --unknown between 0 and 1")

    with open(args.catalog / "facts.toml", "rb") as file:
        facts = {n: f for n, f in tomllib.load(file).items() if "derive" not in f}
    rng = random.Random(args.seed)
    names = list(facts)
    columns = [column(rng, n, facts[n], args.rows, args.unknown) for n in names]

    # The ID number's date of birth: the row's birth_date, else one drawn for it.
    births = columns[names.index("birth_date")] if "birth_date" in names else [""] * args.rows
    spare = days(dt.date(1925, 1, 1), dt.date(2025, 12, 31))
    ids = [
        id_number(row, dt.date.fromisoformat(born) if born else rng.choice(spare))
        for row, born in enumerate(births)
    ]

    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8", newline="")
    try:
        out.write(",".join(["id", *names]) + "\n")
        for row in zip(ids, *columns):
            out.write(",".join(row) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()


if __name__ == "__main__":
    main()
