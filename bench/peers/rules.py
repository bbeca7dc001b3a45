"""The catalog's proactive rules, read from the catalog files and translated for the peers.

Standard library only (tomllib), so that both the orchestrator (bench/peers.py, system
Python) and the peer scripts (bench/.venv) can import it.

`load(catalog_dir)` reads facts.toml and items/*.toml and returns a `Rules`: the
`proactive = true` items with their `eligible` conditions parsed into a small AST (the
condition language of spec/catalog.md, §2), the facts they need (given and derived), and
the derived facts' `derive` expressions. Two emitters turn an AST into

- `numpy_source(...)`: a Python expression over numpy arrays, for an OpenFisca formula
  (`&&` → `&`, enum equality → comparison with the enum member, `age(d)` → a vectorized
  completed-years function, ...);
- `zen_source(...)`: a ZEN expression (GoRules' expression language) for a JDM expression
  node (`&&` → `and`, derived facts → `$.name`, `age(d)` → completed years written out
  with `d(...).year()/month()/day()`).

What has no equivalent raises `Unsupported`, and the caller leaves that item out and says
so. The peers have no *unknown*: they are only ever compared on rows where every fact
they read is known, so `has(f)` is translated as "true".
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path


class Unsupported(Exception):
    """A construct that one of the peers cannot express equivalently."""


# ---------------------------------------------------------------------------------------
# Parsing (the CEL subset of spec/catalog.md §2)

TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>\d+\.\d+|\d+)
      | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op>&&|\|\||==|!=|<=|>=|[<>!+\-*/%()\[\],])
    )""",
    re.VERBOSE,
)


def tokenize(source: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    source = source.strip()
    while pos < len(source):
        m = TOKEN.match(source, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot read condition at {pos}: {source!r}")
        kind = m.lastgroup
        text = m.group(kind)
        if kind == "ident" and text in ("in", "true", "false"):
            kind = text
        tokens.append((kind, text))
        pos = m.end()
    tokens.append(("end", ""))
    return tokens


@dataclass
class Node:
    kind: str                 # lit | list | fact | call | unary | binary
    op: str = ""              # operator or function name
    value: object = None      # literal value ("date" literals keep their text)
    ty: str = ""              # bool | int | decimal | string | date | enum
    args: list["Node"] = field(default_factory=list)


class Parser:
    PRECEDENCE = [("||",), ("&&",), ("<", "<=", ">", ">=", "==", "!=", "in"), ("+", "-"), ("*", "/", "%")]

    def __init__(self, source: str, facts: dict[str, dict]):
        self.tokens = tokenize(source)
        self.i = 0
        self.facts = facts
        self.source = source

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i]

    def take(self, text: str | None = None) -> tuple[str, str]:
        tok = self.tokens[self.i]
        if text is not None and tok[1] != text:
            raise ValueError(f"expected {text!r} in {self.source!r}, found {tok[1]!r}")
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.binary(0)
        if self.peek()[0] != "end":
            raise ValueError(f"trailing input in {self.source!r}")
        return node

    def binary(self, level: int) -> Node:
        if level == len(self.PRECEDENCE):
            return self.unary()
        left = self.binary(level + 1)
        ops = self.PRECEDENCE[level]
        while self.peek()[1] in ops and self.peek()[0] in ("op", "in"):
            op = self.take()[1]
            right = self.binary(level + 1)
            ty = "bool" if level <= 2 else _arith_type(left, right)
            left = Node("binary", op=op, ty=ty, args=[left, right])
            if level == 2:  # comparisons do not chain
                break
        return left

    def unary(self) -> Node:
        kind, text = self.peek()
        if kind == "op" and text in ("!", "-"):
            self.take()
            operand = self.unary()
            return Node("unary", op=text, ty=operand.ty, args=[operand])
        return self.primary()

    def primary(self) -> Node:
        kind, text = self.take()
        if kind == "num":
            return Node("lit", value=text if "." in text else int(text), ty="decimal" if "." in text else "int")
        if kind == "str":
            return Node("lit", value=json.loads('"' + text[1:-1].replace('"', '\\"') + '"')
                        if text[0] == "'" else json.loads(text), ty="string")
        if kind in ("true", "false"):
            return Node("lit", value=(kind == "true"), ty="bool")
        if text == "(":
            node = self.binary(0)
            self.take(")")
            return node
        if text == "[":
            items = []
            while self.peek()[1] != "]":
                items.append(self.primary())
                if self.peek()[1] == ",":
                    self.take(",")
            self.take("]")
            return Node("list", args=items, ty="list")
        if kind == "ident":
            if self.peek()[1] == "(":
                self.take("(")
                args = []
                while self.peek()[1] != ")":
                    args.append(self.binary(0))
                    if self.peek()[1] == ",":
                        self.take(",")
                self.take(")")
                if text == "date":
                    return Node("lit", value=args[0].value, ty="date", op="date")
                ret = {"age": "int", "days_since": "int", "has": "bool", "size": "int"}.get(text)
                if ret is None:
                    raise ValueError(f"unknown function {text} in {self.source!r}")
                return Node("call", op=text, ty=ret, args=args)
            if text not in self.facts:
                raise ValueError(f"unknown fact {text} in {self.source!r}")
            return Node("fact", value=text, ty=self.facts[text]["type"])
        raise ValueError(f"unexpected {text!r} in {self.source!r}")


def _arith_type(left: Node, right: Node) -> str:
    if left.ty == "string" or right.ty == "string":
        return "string"
    if "decimal" in (left.ty, right.ty):
        return "decimal"
    return "int"


def fact_refs(node: Node, out: list[str]) -> list[str]:
    if node.kind == "fact" and node.value not in out:
        out.append(node.value)
    for arg in node.args:
        fact_refs(arg, out)
    return out


# ---------------------------------------------------------------------------------------
# The catalog


@dataclass
class Item:
    id: str
    eligible: str             # the source text
    ast: Node


@dataclass
class Rules:
    facts: dict[str, dict]    # every declared fact: {"type", "values"?, "derive"?}
    derived: dict[str, Node]  # derived fact -> its derive expression
    items: list[Item]         # the proactive items with an `eligible`, by id

    def needed_given(self, items: list[Item] | None = None) -> list[str]:
        """The given (not derived) facts the items read, through derived facts, in
        facts.toml order."""
        seen: list[str] = []
        todo = [f for item in (items or self.items) for f in fact_refs(item.ast, [])]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.append(name)
            if name in self.derived:
                todo.extend(fact_refs(self.derived[name], []))
        return [f for f in self.facts if f in seen and f not in self.derived]

    def needed_derived(self, items: list[Item] | None = None) -> list[str]:
        """The derived facts the items read (directly or through other derived facts),
        each after the derived facts its own `derive` reads."""
        order: list[str] = []

        def visit(name: str) -> None:
            if name in order or name not in self.derived:
                return
            for ref in fact_refs(self.derived[name], []):
                visit(ref)
            order.append(name)

        for item in (items or self.items):
            for ref in fact_refs(item.ast, []):
                visit(ref)
        return order


def load(catalog: Path) -> Rules:
    facts_raw = tomllib.loads((catalog / "facts.toml").read_text(encoding="utf-8"))
    facts = {name: dict(spec) for name, spec in facts_raw.items()}
    derived = {name: Parser(spec["derive"], facts).parse()
               for name, spec in facts.items() if "derive" in spec}
    items = []
    for path in sorted((catalog / "items").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        if data.get("proactive") and "eligible" in data:
            items.append(Item(path.stem, data["eligible"].strip(), Parser(data["eligible"], facts).parse()))
    return Rules(facts, derived, items)


# ---------------------------------------------------------------------------------------
# numpy (OpenFisca formulas)


def enum_member(value: str) -> str:
    """The Python name of an enum member for a declared value ("1" -> "v_1")."""
    return value if value.isidentifier() else "v_" + re.sub(r"\W", "_", value)


def enum_class(fact: str) -> str:
    return "".join(part.capitalize() for part in fact.split("_")) + "Enum"


def numpy_source(node: Node, facts: dict[str, dict]) -> str:
    """A Python expression over numpy arrays; facts are local variables named like the
    fact, `on` is the evaluation date as a `datetime.date`."""

    def enum_of(a: Node, b: Node) -> str | None:
        for x in (a, b):
            if x.kind == "fact" and facts[x.value]["type"] == "enum":
                return enum_class(x.value)
        return None

    def lit(n: Node, enum: str | None) -> str:
        if n.op == "date":
            return f"numpy.datetime64({n.value!r}, 'D')"
        if enum and n.ty == "string":
            return f"{enum}.{enum_member(n.value)}"
        if n.ty == "decimal":
            return repr(float(n.value))  # OpenFisca computes in float
        return repr(n.value)

    def go(n: Node) -> str:
        if n.kind == "lit":
            return lit(n, None)
        if n.kind == "fact":
            return n.value
        if n.kind == "unary":
            inner = go(n.args[0])
            return f"numpy.logical_not({inner})" if n.op == "!" else f"(-{inner})"
        if n.kind == "call":
            arg = n.args[0]
            if n.op == "age":
                return f"completed_years({go(arg)}, on)"
            if n.op == "days_since":
                return f"(numpy.datetime64(on, 'D') - {go(arg)}).astype(numpy.int64)"
            if n.op == "has":
                return "True"  # every fact the peers read is known
            raise Unsupported(f"{n.op}() has no vectorized equivalent here")
        if n.kind == "binary":
            a, b = n.args
            op = n.op
            if op in ("&&", "||"):
                return f"({go(a)} {'&' if op == '&&' else '|'} {go(b)})"
            if op == "in":
                enum = enum_of(a, a)
                if b.kind != "list":
                    raise Unsupported("`in` on a fact list")
                if enum:
                    alts = " | ".join(f"({go(a)} == {lit(x, enum)})" for x in b.args)
                    return f"({alts})"
                return f"numpy.isin({go(a)}, [{', '.join(lit(x, None) for x in b.args)}])"
            if op in ("/", "%"):
                raise Unsupported("integer division and modulo (truncation, unknown on zero)")
            enum = enum_of(a, b) if op in ("==", "!=") else None
            left = lit(a, enum) if a.kind == "lit" else go(a)
            right = lit(b, enum) if b.kind == "lit" else go(b)
            return f"({left} {op} {right})"
        raise Unsupported(f"{n.kind} as a value")

    return go(node)


# ---------------------------------------------------------------------------------------
# ZEN (GoRules JDM expression node)


def zen_source(node: Node, derived: dict[str, Node], on: str) -> str:
    """A ZEN expression. Given facts are read from the input by name; derived facts are
    earlier keys of the same expression node (`$.name`)."""

    def completed_years(x: str) -> str:
        # Not `d(on).diff(d(x), "year")`: that counts someone born on 29 February a year
        # older on 28 February, where spec/catalog.md says 1 March.
        y, m, dd = (int(p) for p in on.split("-"))
        return (f"({y} - d({x}).year() - ({m * 100 + dd} < d({x}).month() * 100 + d({x}).day() ? 1 : 0))")

    def go(n: Node) -> str:
        if n.kind == "lit":
            if n.op == "date":
                return json.dumps(n.value)  # ISO dates compare as strings
            if n.ty == "bool":
                return "true" if n.value else "false"
            if n.ty == "string":
                return json.dumps(n.value, ensure_ascii=False)
            return str(n.value)
        if n.kind == "list":
            return "[" + ", ".join(go(x) for x in n.args) + "]"
        if n.kind == "fact":
            return f"$.{n.value}" if n.value in derived else n.value
        if n.kind == "unary":
            return f"(not {go(n.args[0])})" if n.op == "!" else f"(-{go(n.args[0])})"
        if n.kind == "call":
            arg = go(n.args[0])
            if n.op == "age":
                return completed_years(arg)
            if n.op == "days_since":
                return f'd("{on}").diff(d({arg}), "day")'
            if n.op == "has":
                return f"({arg} != null)"
            if n.op == "size":
                return f"len({arg})"
        if n.kind == "binary":
            a, b = n.args
            op = {"&&": "and", "||": "or"}.get(n.op, n.op)
            if op in ("/", "%"):
                raise Unsupported("integer division and modulo (truncation, unknown on zero)")
            return f"({go(a)} {op} {go(b)})"
        raise Unsupported(f"{n.kind} in a ZEN expression")

    return go(node)
