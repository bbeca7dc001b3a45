#!/usr/bin/env python3
"""The catalog's proactive eligibility rules as an OpenFisca tax-benefit system, evaluated
over a population CSV with vectorized numpy. Run inside bench/.venv (openfisca-core,
pandas);
bench/peers.py runs it.

    bench/.venv/bin/python bench/peers/openfisca_eligibility.py --population pop.csv \
        [--catalog catalog/shanghai] [--on 2026-11-27] [--repeat 3] [--show-formulas]

The system is generated from the catalog files (bench/peers/rules.py): one entity
(person), one variable per given fact the proactive items read (definition period
ETERNITY: bool, date, or an Enum with the fact's declared values), one per derived fact
and one per item (definition period DAY, with a formula translated from `derive` /
`eligible`). The population is one person per CSV row; every cell must be known
(OpenFisca has no unknown: an empty cell is refused here).

Timings (printed as one JSON object on stdout):
- `load_s`: reading the CSV's needed columns with pandas (C parser) into typed numpy
  columns (enums as OpenFisca's int16 indices, dates as datetime64[D], bools from
  true/false or 1/0);
- `eval_s` (one per repeat): a new simulation of N persons, `set_input` of every column,
  and `calculate` of every item for the day `--on` (derived facts computed on the way,
  each once per simulation, as OpenFisca caches them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy
import pandas
from openfisca_core.entities import build_entity
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DateUnit
from openfisca_core.simulation_builder import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

sys.path.insert(0, str(Path(__file__).resolve().parent))
import rules  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def completed_years(birth: numpy.ndarray, on: dt.date) -> numpy.ndarray:
    """spec/catalog.md's age(d): completed years on `on`, comparing month and day (someone
    born on 29 February gains a year on 1 March in other years)."""
    year = birth.astype("datetime64[Y]").astype(numpy.int64) + 1970
    month_start = birth.astype("datetime64[M]")
    month = month_start.astype(numpy.int64) % 12 + 1
    day = (birth - month_start).astype(numpy.int64) + 1
    return on.year - year - ((on.month * 100 + on.day) < (month * 100 + day))


def build_system(loaded: rules.Rules, items: list[rules.Item]):
    Person = build_entity(key="person", plural="persons", label="Resident", is_person=True)
    system = TaxBenefitSystem([Person])
    enums: dict[str, type] = {}
    sources: dict[str, str] = {}
    namespace = {"numpy": numpy, "completed_years": completed_years, "dt": dt}

    for name in loaded.needed_given(items):
        spec = loaded.facts[name]
        attrs = {"entity": Person, "definition_period": DateUnit.ETERNITY, "label": name}
        if spec["type"] == "bool":
            attrs["value_type"] = bool
        elif spec["type"] == "date":
            attrs["value_type"] = dt.date
        elif spec["type"] == "int":
            attrs["value_type"] = int
        elif spec["type"] == "decimal":
            attrs["value_type"] = float
        elif spec["type"] == "enum":
            members = {rules.enum_member(v): v for v in spec["values"]}
            enum = Enum(rules.enum_class(name), members)
            enums[name] = enum
            namespace[enum.__name__] = enum
            attrs.update(value_type=Enum, possible_values=enum, default_value=list(enum)[0])
        else:
            raise rules.Unsupported(f"fact {name} of type {spec['type']}")
        system.add_variable(type(name, (Variable,), attrs))

    def add_formula(var: str, ast: rules.Node, value_type: type, refs: list[str]) -> None:
        body = rules.numpy_source(ast, loaded.facts)
        lines = ["def formula(person, period, parameters):",
                 "    on = dt.date(*period.start)"]
        lines += [f"    {ref} = person({ref!r}, period)" for ref in refs]
        lines += [f"    return {body}"]
        source = "\n".join(lines)
        sources[var] = source
        scope: dict = {}
        exec(source, namespace, scope)
        attrs = {"entity": Person, "definition_period": DateUnit.DAY, "value_type": value_type,
                 "label": var, "formula": scope["formula"]}
        system.add_variable(type(var, (Variable,), attrs))

    for name in loaded.needed_derived(items):
        ty = {"int": int, "bool": bool, "decimal": float}[loaded.facts[name]["type"]]
        add_formula(name, loaded.derived[name], ty, rules.fact_refs(loaded.derived[name], []))
    for item in items:
        add_formula(variable_name(item.id), item.ast, bool, rules.fact_refs(item.ast, []))
    return system, enums, sources


def variable_name(item_id: str) -> str:
    return item_id.replace("-", "_")


def load_columns(path: Path, loaded: rules.Rules, needed: list[str], enums: dict[str, type]):
    """The CSV's needed columns as OpenFisca inputs, read with pandas' C parser (the usual
    way data reaches an OpenFisca simulation)."""
    kinds = {name: loaded.facts[name]["type"] for name in needed}
    dtype = {name: {"enum": "category", "date": str, "bool": "boolean", "int": "Int64",
                    "decimal": "float64"}[kind] for name, kind in kinds.items()}
    try:
        frame = pandas.read_csv(path, usecols=needed, dtype=dtype, keep_default_na=False,
                                na_values=[""], true_values=["true", "1"],
                                false_values=["false", "0"], engine="c")
    except ValueError as err:
        sys.exit(f"error: {path}: {err}")
    empty = [name for name in needed if frame[name].isna().any()]
    if empty:
        sys.exit(f"error: {', '.join(empty)} have empty (unknown) cells; OpenFisca needs every cell known")
    arrays = {}
    for name, kind in kinds.items():
        column = frame[name]
        if kind == "bool":
            arrays[name] = column.to_numpy(dtype=bool)
        elif kind == "date":
            arrays[name] = pandas.to_datetime(column, format="%Y-%m-%d").to_numpy().astype("datetime64[D]")
        elif kind == "int":
            arrays[name] = column.to_numpy(dtype=numpy.int64)
        elif kind == "decimal":
            arrays[name] = column.to_numpy(dtype=numpy.float64)
        elif kind == "enum":
            enum = enums[name]
            index = {member.value: member.index for member in enum}
            unknown = [c for c in column.cat.categories if c not in index]
            if unknown:
                sys.exit(f"error: {name} has undeclared values {unknown}")
            mapping = numpy.array([index[c] for c in column.cat.categories], dtype=numpy.int16)
            arrays[name] = enum.encode(mapping[column.cat.codes.to_numpy()])
    return arrays, len(frame)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--population", type=Path, required=True)
    ap.add_argument("--catalog", type=Path, default=ROOT / "catalog" / "shanghai")
    ap.add_argument("--on", default="2026-11-27")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--items", help="comma-separated item ids (default: every proactive item)")
    ap.add_argument("--show-formulas", action="store_true", help="print the generated formulas and exit")
    args = ap.parse_args()

    loaded = rules.load(args.catalog)
    wanted = args.items.split(",") if args.items else None
    items, skipped = [], {}
    for item in loaded.items:
        if wanted and item.id not in wanted:
            continue
        try:
            rules.numpy_source(item.ast, loaded.facts)
            items.append(item)
        except rules.Unsupported as why:
            skipped[item.id] = str(why)
    system, enums, sources = build_system(loaded, items)
    if args.show_formulas:
        print("\n\n".join(f"# {var}\n{src}" for var, src in sources.items()))
        return
    needed = loaded.needed_given(items)

    started = time.perf_counter()
    arrays, count = load_columns(args.population, loaded, needed, enums)
    load_s = time.perf_counter() - started

    eval_s, counts = [], {}
    for _ in range(args.repeat):
        started = time.perf_counter()
        simulation = SimulationBuilder().build_default_simulation(system, count=count)
        for name, array in arrays.items():
            simulation.set_input(name, "ETERNITY", array)
        results = {item.id: simulation.calculate(variable_name(item.id), args.on) for item in items}
        eval_s.append(time.perf_counter() - started)
        counts = {item_id: int(numpy.count_nonzero(result)) for item_id, result in results.items()}
        del simulation, results

    print(json.dumps({
        "engine": "openfisca-core",
        "residents": count,
        "items": {item_id: {"eligible": n} for item_id, n in counts.items()},
        "skipped": skipped,
        "timings": {"load_s": load_s, "eval_s": eval_s},
        "columns": needed,
    }))


if __name__ == "__main__":
    main()
