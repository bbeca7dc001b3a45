#!/usr/bin/env python3
"""Independent reference implementation of haoban's pre-review contract.

Written from /work/shared/spec/catalog.md sections 1-4 (and docs/catalog-semantics.md
where the spec is silent), without looking at the Rust implementation.  It is meant
for differential testing only: it loads a catalog well enough to evaluate it (it does
not produce located errors), evaluates the condition language with three-valued logic
and computes `haoban prereview --json` output.

Python 3.11, standard library only.

CLI (mirrors the binary, for debugging):
    python3 reference.py prereview --catalog DIR --facts FILE [--items a,b|--bundle x|--all] --on DATE
"""
from __future__ import annotations

import datetime as _dt
import decimal
import json
import os
import re
import sys
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal

I64_MIN = -(2 ** 63)
I64_MAX = 2 ** 63 - 1
# The largest 96-bit decimal mantissa (the semantics document says decimals are 96-bit);
# used only by the "decimal_bound96" emulation below.  The spec itself puts no bound on
# decimals ("decimals are exact"), so by default a decimal result is never unknown for size.
DEC_MAX = Decimal(2 ** 96 - 1)

# + - * and % are exact ("decimals are exact").  Inexact is trapped so that a result too
# long for this precision is a loud error, never a silent rounding.
EXACT = decimal.Context(prec=2000, rounding=decimal.ROUND_HALF_EVEN,
                        Emin=-999999, Emax=999999,
                        traps=[decimal.InvalidOperation, decimal.Inexact])
# "decimal division rounds to 28 significant digits" (half-to-even: semantics doc).
DIV = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN,
                      Emin=-999999, Emax=999999, traps=[decimal.InvalidOperation])

# Binary bugs already reported (README.md).  The reference follows the spec; run.py
# --emulate-known turns these on so that the reference reproduces the binary's behaviour
# and other differences stand out.  Nothing here is the contract.
ALL_KNOWN_BUGS = {
    # decimal results are rounded to 28 decimal PLACES (96-bit decimal, scale <= 28):
    # 1.0 / 7000 has 25 significant digits, 1e-15 * 1e-15 is 0
    "scale28",
    # a `decimal` derived fact whose derive is an int expression keeps an int value, so
    # `1 / d` truncates like int / int
    "int_derived_decimal",
    # i64::MIN % -1 is unknown (Rust checked_rem), although the result 0 does not overflow
    "min_rem_minus_one",
    # a decimal result whose magnitude needs more than 96 bits is unknown (an overflow,
    # like ints); the spec has no such bound, and the committed binary has it
    "decimal_bound96",
    # decimal division rounds twice: first to what a 96-bit decimal holds (often 29
    # significant digits), then to 28 significant digits, so 16.0 / 11 gives
    # 1.454545454545454545454545454 instead of 1.454545454545454545454545455
    "double_round",
}
KNOWN_BUGS: set = set()
SCALE28 = Decimal(1).scaleb(-28)
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class RefError(Exception):
    pass


# ---------------------------------------------------------------------------
# Tokenizer
# ---------------------------------------------------------------------------

@dataclass
class Tok:
    kind: str      # int dec str ident op eof
    value: object
    start: int
    end: int


_TWO = ("&&", "||", "==", "!=", "<=", ">=")
_ONE = "<>!+-*/%()[],"


def tokenize(src: str) -> list[Tok]:
    toks: list[Tok] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c in " \t\n\r\f":
            i += 1
            continue
        if c.isascii() and c.isdigit():
            j = i
            while j < n and src[j].isascii() and src[j].isdigit():
                j += 1
            if j + 1 < n and src[j] == "." and src[j + 1].isascii() and src[j + 1].isdigit():
                j += 1
                while j < n and src[j].isascii() and src[j].isdigit():
                    j += 1
                toks.append(Tok("dec", Decimal(src[i:j]), i, j))
            else:
                toks.append(Tok("int", int(src[i:j]), i, j))
            i = j
            continue
        if c == "_" or (c.isascii() and c.isalpha()):
            j = i
            while j < n and (src[j] == "_" or (src[j].isascii() and src[j].isalnum())):
                j += 1
            toks.append(Tok("ident", src[i:j], i, j))
            i = j
            continue
        if c in "\"'":
            j = i + 1
            out = []
            while True:
                if j >= n:
                    raise RefError("unterminated string")
                d = src[j]
                if d == c:
                    j += 1
                    break
                if d == "\\":
                    # CEL escapes (the spec is silent; the generator uses \\ \" \' \u \U)
                    e = src[j + 1]
                    if e in "uUx":
                        w = {"u": 4, "U": 8, "x": 2}[e]
                        out.append(chr(int(src[j + 2:j + 2 + w], 16)))
                        j += 2 + w
                        continue
                    out.append({"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b",
                                "f": "\f", "v": "\v"}.get(e, e))
                    j += 2
                    continue
                out.append(d)
                j += 1
            toks.append(Tok("str", "".join(out), i, j))
            i = j
            continue
        two = src[i:i + 2]
        if two in _TWO:
            toks.append(Tok("op", two, i, i + 2))
            i += 2
            continue
        if c in _ONE:
            toks.append(Tok("op", c, i, i + 1))
            i += 1
            continue
        raise RefError(f"unexpected character {c!r}")
    toks.append(Tok("eof", None, n, n))
    return toks


# ---------------------------------------------------------------------------
# AST and parser
# ---------------------------------------------------------------------------

@dataclass
class Node:
    kind: str                 # lit ident call un bin list
    op: str = ""              # operator / function name
    value: object = None      # literal value / ident name
    args: list = field(default_factory=list)
    start: int = 0
    end: int = 0
    paren: bool = False       # written inside parentheses


REL = ("<", "<=", ">", ">=", "==", "!=", "in")


class Parser:
    def __init__(self, src: str):
        self.src = src
        self.toks = tokenize(src)
        self.i = 0

    def peek(self) -> Tok:
        return self.toks[self.i]

    def next(self) -> Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def is_op(self, *ops) -> bool:
        t = self.peek()
        return t.kind == "op" and t.value in ops

    def expect(self, op):
        t = self.next()
        if t.kind != "op" or t.value != op:
            raise RefError(f"expected {op} at {t.start}")
        return t

    def parse(self) -> Node:
        n = self.or_()
        if self.peek().kind != "eof":
            raise RefError("trailing input")
        return n

    def _bin(self, op, l, r):
        return Node("bin", op=op, args=[l, r], start=l.start, end=r.end)

    def or_(self):
        l = self.and_()
        while self.is_op("||"):
            self.next()
            l = self._bin("||", l, self.and_())
        return l

    def and_(self):
        l = self.rel()
        while self.is_op("&&"):
            self.next()
            l = self._bin("&&", l, self.rel())
        return l

    def rel(self):
        l = self.add()
        while True:
            t = self.peek()
            if t.kind == "op" and t.value in REL[:-1]:
                self.next()
                l = self._bin(t.value, l, self.add())
            elif t.kind == "ident" and t.value == "in":
                self.next()
                l = self._bin("in", l, self.add())
            else:
                return l

    def add(self):
        l = self.mul()
        while self.is_op("+", "-"):
            op = self.next().value
            l = self._bin(op, l, self.mul())
        return l

    def mul(self):
        l = self.unary()
        while self.is_op("*", "/", "%"):
            op = self.next().value
            l = self._bin(op, l, self.unary())
        return l

    def unary(self):
        if self.is_op("!"):
            t = self.next()
            x = self.unary()
            return Node("un", op="!", args=[x], start=t.start, end=x.end)
        if self.is_op("-"):
            t = self.next()
            nt = self.peek()
            if nt.kind in ("int", "dec"):
                # `-3` is a literal
                self.next()
                v = nt.value.copy_negate() if isinstance(nt.value, Decimal) else -nt.value
                return Node("lit", value=v, start=t.start, end=nt.end)
            x = self.unary()
            return Node("un", op="-", args=[x], start=t.start, end=x.end)
        return self.primary()

    def primary(self):
        t = self.next()
        if t.kind in ("int", "dec", "str"):
            return Node("lit", value=t.value, start=t.start, end=t.end)
        if t.kind == "ident":
            if t.value == "true":
                return Node("lit", value=True, start=t.start, end=t.end)
            if t.value == "false":
                return Node("lit", value=False, start=t.start, end=t.end)
            if self.is_op("("):
                self.next()
                args = []
                if not self.is_op(")"):
                    args.append(self.or_())
                    while self.is_op(","):
                        self.next()
                        args.append(self.or_())
                e = self.expect(")")
                if t.value == "date":
                    if len(args) != 1 or args[0].kind != "lit" or not isinstance(args[0].value, str):
                        raise RefError("date() needs a string literal")
                    return Node("lit", value=_dt.date.fromisoformat(args[0].value),
                                start=t.start, end=e.end)
                if t.value not in ("age", "days_since", "has", "size") or len(args) != 1:
                    raise RefError(f"unknown function {t.value}")
                if t.value == "has" and args[0].kind != "ident":
                    raise RefError("has() needs a fact name")
                return Node("call", op=t.value, args=args, start=t.start, end=e.end)
            return Node("ident", value=t.value, start=t.start, end=t.end)
        if t.kind == "op" and t.value == "(":
            x = self.or_()
            e = self.expect(")")
            x.paren = True
            x.start, x.end = t.start, e.end
            return x
        if t.kind == "op" and t.value == "[":
            elems = []
            if not self.is_op("]"):
                elems.append(self.unary())
                while self.is_op(","):
                    self.next()
                    elems.append(self.unary())
            e = self.expect("]")
            for el in elems:
                if el.kind != "lit":
                    raise RefError("list elements must be literals")
            return Node("list", value=[el.value for el in elems], start=t.start, end=e.end)
        raise RefError(f"unexpected token at {t.start}")


def parse(src: str) -> Node:
    return Parser(src).parse()


def refs(node: Node, out: set | None = None) -> set:
    """Fact names referenced anywhere in the expression (has() arguments included)."""
    if out is None:
        out = set()
    if node.kind == "ident":
        out.add(node.value)
    for a in node.args:
        refs(a, out)
    return out


def conjuncts(node: Node) -> list[Node]:
    """Top-level `&&` conjuncts in source order; parentheses stop the split."""
    if node.kind == "bin" and node.op == "&&" and not node.paren:
        return conjuncts(node.args[0]) + conjuncts(node.args[1])
    return [node]


# ---------------------------------------------------------------------------
# Values and evaluation (None = unknown)
# ---------------------------------------------------------------------------

def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v):
    return _is_int(v) or isinstance(v, Decimal)


def _int_ok(v):
    return v if I64_MIN <= v <= I64_MAX else None


def _dec_ok(v: Decimal):
    if "scale28" in KNOWN_BUGS and v.as_tuple().exponent < -28:
        v = v.quantize(SCALE28, rounding=decimal.ROUND_HALF_EVEN, context=WIDE)
    if "decimal_bound96" in KNOWN_BUGS and v.copy_abs() > DEC_MAX:
        return None
    return v


def _trunc_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


WIDE = decimal.Context(prec=2000, rounding=decimal.ROUND_HALF_EVEN,
                       Emin=-999999, Emax=999999, traps=[decimal.InvalidOperation])


def _fit96(v: Decimal) -> Decimal:
    """v rounded (half-even) to the largest scale <= 28 whose mantissa fits in 96 bits."""
    for sc in range(28, -1, -1):
        q = v.quantize(Decimal(1).scaleb(-sc), rounding=decimal.ROUND_HALF_EVEN, context=WIDE)
        if q.scaleb(sc, context=WIDE).copy_abs() <= DEC_MAX:
            return q
    return v


def arith(op, a, b):
    if a is None or b is None:
        return None
    if isinstance(a, str) and isinstance(b, str):
        assert op == "+"
        return a + b
    if _is_int(a) and _is_int(b):
        if op == "+":
            return _int_ok(a + b)
        if op == "-":
            return _int_ok(a - b)
        if op == "*":
            return _int_ok(a * b)
        if b == 0:
            return None
        q = _trunc_div(a, b)
        if op == "/":
            return _int_ok(q)
        if "min_rem_minus_one" in KNOWN_BUGS and a == I64_MIN and b == -1:
            return None
        return _int_ok(a - b * q)     # % keeps the dividend's sign
    da, db = Decimal(a), Decimal(b)
    if op == "+":
        return _dec_ok(EXACT.add(da, db))
    if op == "-":
        return _dec_ok(EXACT.subtract(da, db))
    if op == "*":
        return _dec_ok(EXACT.multiply(da, db))
    if db == 0:
        return None
    if op == "/":
        if "double_round" in KNOWN_BUGS:
            return _dec_ok(DIV.plus(_fit96(WIDE.divide(da, db))))
        return _dec_ok(DIV.divide(da, db))
    return _dec_ok(EXACT.remainder(da, db))   # sign of the dividend


def _eq(a, b):
    if _is_num(a) and _is_num(b):
        return a == b
    if type(a) is not type(b):
        raise RefError(f"== on {type(a)} and {type(b)}")
    return a == b


def compare(op, a, b):
    if a is None or b is None:
        return None
    if op == "in":
        return any(_eq(a, x) for x in b)
    if op == "==":
        return _eq(a, b)
    if op == "!=":
        return not _eq(a, b)
    if not ((_is_num(a) and _is_num(b)) or type(a) is type(b)):
        raise RefError("ordering mismatch")
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def completed_years(d: _dt.date, on: _dt.date) -> int:
    y = on.year - d.year
    if (on.month, on.day) < (d.month, d.day):
        y -= 1
    return y


# ---------------------------------------------------------------------------
# Catalog
# ---------------------------------------------------------------------------

@dataclass
class Fact:
    name: str
    type: str
    values: list | None
    derive_src: str | None
    derive: Node | None


@dataclass
class MatUse:
    id: str
    copies: int
    when_src: str | None
    when: Node | None


@dataclass
class Item:
    id: str
    eligible_src: str | None
    eligible: Node | None
    materials: list


@dataclass
class Catalog:
    facts: dict          # name -> Fact, in declaration order
    materials: list      # ids in declaration order
    items: dict          # id -> Item, sorted by id
    bundles: dict        # id -> [item ids]


def _load(path):
    with open(path, "rb") as f:
        return tomllib.load(f)


def load_catalog(d: str) -> Catalog:
    facts = {}
    for name, t in _load(os.path.join(d, "facts.toml")).items():
        src = t.get("derive")
        facts[name] = Fact(name, t["type"], t.get("values"), src, parse(src) if src is not None else None)
    materials = list(_load(os.path.join(d, "materials.toml")).keys())
    items = {}
    idir = os.path.join(d, "items")
    for fn in sorted(os.listdir(idir)):
        if not fn.endswith(".toml"):
            continue
        iid = fn[:-5]
        t = _load(os.path.join(idir, fn))
        mats = []
        for m in t.get("materials", []):
            w = m.get("when")
            mats.append(MatUse(m["id"], m.get("copies", 1), w, parse(w) if w is not None else None))
        e = t.get("eligible")
        items[iid] = Item(iid, e, parse(e) if e is not None else None, mats)
    items = dict(sorted(items.items()))
    bundles = {}
    bp = os.path.join(d, "bundles.toml")
    if os.path.exists(bp):
        for bid, t in _load(bp).items():
            bundles[bid] = list(t["items"])
    return Catalog(facts, materials, items, bundles)


# ---------------------------------------------------------------------------
# Facts input
# ---------------------------------------------------------------------------

def parse_facts(text: str, cat: Catalog) -> dict:
    """JSON object -> {fact: value}; null/absent facts are left out.  Decimals exact."""
    raw = json.loads(text, parse_float=Decimal, parse_int=int)
    if not isinstance(raw, dict):
        raise RefError("facts must be a JSON object")
    out = {}
    for k, v in raw.items():
        f = cat.facts.get(k)
        if f is None:
            raise RefError(f"undeclared fact {k}")
        if f.derive is not None:
            raise RefError(f"derived fact {k} given")
        if v is None:
            continue
        t = f.type
        if t == "bool" and isinstance(v, bool):
            out[k] = v
        elif t == "int" and _is_int(v):
            if not I64_MIN <= v <= I64_MAX:
                raise RefError(f"{k}: int out of range")
            out[k] = v
        elif t == "decimal" and (_is_int(v) or isinstance(v, Decimal)):
            out[k] = Decimal(v)
        elif t == "string" and isinstance(v, str):
            out[k] = v
        elif t == "date" and isinstance(v, str) and _DATE_RE.fullmatch(v):
            out[k] = _dt.date.fromisoformat(v)      # ValueError for 2026-02-30
        elif t == "enum" and isinstance(v, str) and v in f.values:
            out[k] = v
        else:
            raise RefError(f"{k}: wrong type")
    return out


# ---------------------------------------------------------------------------
# Evaluation context
# ---------------------------------------------------------------------------

class Ctx:
    def __init__(self, cat: Catalog, facts: dict, on: _dt.date):
        self.cat = cat
        self.facts = facts
        self.on = on
        self.memo = {}

    def fact(self, name):
        f = self.cat.facts[name]
        if f.derive is None:
            return self.facts.get(name)
        if name not in self.memo:
            self.memo[name] = None      # cycle guard (catalogs are acyclic)
            v = self.eval(f.derive)
            if v is not None and f.type == "decimal" and _is_int(v) \
                    and "int_derived_decimal" not in KNOWN_BUGS:
                v = Decimal(v)
            self.memo[name] = v
        return self.memo[name]

    def eval(self, n: Node):
        k = n.kind
        if k == "lit":
            return n.value
        if k == "list":
            return n.value
        if k == "ident":
            return self.fact(n.value)
        if k == "call":
            fn = n.op
            if fn == "has":
                return self.fact(n.args[0].value) is not None
            v = self.eval(n.args[0])
            if v is None:
                return None
            if fn == "age":
                return completed_years(v, self.on)
            if fn == "days_since":
                return (self.on - v).days
            if fn == "size":
                return len(v)
            raise RefError(fn)
        if k == "un":
            v = self.eval(n.args[0])
            if v is None:
                return None
            if n.op == "!":
                return not v
            if _is_int(v):
                return _int_ok(-v)
            return v.copy_negate()     # exact (unary minus on a Decimal would round)
        # binary
        op = n.op
        if op == "&&":
            a, b = self.eval(n.args[0]), self.eval(n.args[1])
            if a is False or b is False:
                return False
            if a is None or b is None:
                return None
            return True
        if op == "||":
            a, b = self.eval(n.args[0]), self.eval(n.args[1])
            if a is True or b is True:
                return True
            if a is None or b is None:
                return None
            return False
        a, b = self.eval(n.args[0]), self.eval(n.args[1])
        if op in ("+", "-", "*", "/", "%"):
            return arith(op, a, b)
        return compare(op, a, b)

    def unknown_given(self, names, seen=None) -> set:
        """Unknown given facts among `names`; unknown derived facts replaced recursively."""
        if seen is None:
            seen = set()
        out = set()
        for nm in names:
            if self.fact(nm) is not None:
                continue
            f = self.cat.facts[nm]
            if f.derive is None:
                out.add(nm)
            elif nm not in seen:
                seen.add(nm)
                out |= self.unknown_given(refs(f.derive), seen)
        return out


# ---------------------------------------------------------------------------
# Pre-review
# ---------------------------------------------------------------------------

def select(cat: Catalog, items=None, bundle=None) -> list[str]:
    if bundle is not None:
        chosen = set(cat.bundles[bundle])
    elif items is not None:
        chosen = set(items)
    else:
        chosen = set(cat.items)
    for i in chosen:
        if i not in cat.items:
            raise RefError(f"unknown item {i}")
    return [i for i in cat.items if i in chosen]


def prereview(cat: Catalog, facts: dict, on: _dt.date, selected: list[str]) -> dict:
    ctx = Ctx(cat, facts, on)
    out_items = []
    status = {}
    item_needs = {}
    depends = {}        # item id -> set of facts it depends on
    contrib = {}        # material id -> list of (item, copies, certain, needs:set)
    for iid in selected:
        it = cat.items[iid]
        failed, needs = [], set()
        if it.eligible is None:
            st = "eligible"
        else:
            v = ctx.eval(it.eligible)
            st = {True: "eligible", False: "ineligible", None: "unknown"}[v]
            if st != "eligible":
                for c in conjuncts(it.eligible):
                    cv = ctx.eval(c)
                    if st == "ineligible" and cv is False:
                        failed.append(it.eligible_src[c.start:c.end].strip())
                    if st == "unknown" and cv is None:
                        needs |= ctx.unknown_given(refs(c))
        status[iid] = st
        item_needs[iid] = needs
        dep = set(needs)
        out_items.append({"id": iid, "status": st, "failed": failed, "needs": sorted(needs)})
        if st == "ineligible":
            depends[iid] = dep
            continue
        for m in it.materials:
            w = True if m.when is None else ctx.eval(m.when)
            if w is False:
                continue
            wneeds = set()
            if w is None:
                wneeds = ctx.unknown_given(refs(m.when))
                dep |= wneeds
            certain = st == "eligible" and w is True
            cn = set() if certain else (needs | wneeds)
            contrib.setdefault(m.id, []).append((iid, m.copies, certain, cn))
        depends[iid] = dep
    checklist = []
    for mid in cat.materials:
        cs = contrib.get(mid)
        if not cs:
            continue
        conditional = not any(c[2] for c in cs)
        needs = set()
        if conditional:
            for c in cs:
                needs |= c[3]
        checklist.append({
            "material": mid,
            "copies": max(c[1] for c in cs),
            "for": sorted({c[0] for c in cs}),
            "conditional": conditional,
            "needs": sorted(needs),
        })
    qset = set()
    for it in out_items:
        qset |= set(it["needs"])
    for e in checklist:
        qset |= set(e["needs"])
    order = list(cat.facts)
    questions = sorted(qset, key=lambda f: (-sum(1 for i in selected if f in depends[i]),
                                            order.index(f)))
    return {"on": on.isoformat(), "items": out_items, "checklist": checklist,
            "questions": questions}


def run_prereview(catalog_dir, facts_text, on: str, items=None, bundle=None) -> dict:
    cat = load_catalog(catalog_dir)
    facts = parse_facts(facts_text, cat)
    return prereview(cat, facts, _dt.date.fromisoformat(on), select(cat, items, bundle))


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(prog="reference.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prereview")
    p.add_argument("--catalog", required=True)
    p.add_argument("--facts", required=True)
    p.add_argument("--items")
    p.add_argument("--bundle")
    p.add_argument("--all", action="store_true")
    p.add_argument("--on", required=True)
    p.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    text = sys.stdin.read() if a.facts == "-" else open(a.facts, encoding="utf-8").read()
    res = run_prereview(a.catalog, text, a.on,
                        items=a.items.split(",") if a.items else None, bundle=a.bundle)
    print(json.dumps(res, ensure_ascii=False, separators=(",", ":")))


if __name__ == "__main__":
    main(sys.argv[1:])
