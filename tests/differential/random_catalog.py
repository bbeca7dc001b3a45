#!/usr/bin/env python3
"""Random, valid catalogs and applicants for differential testing of haoban pre-review.

    python3 random_catalog.py --seed 7 --out /tmp/cat        # writes a catalog directory
    python3 random_catalog.py --seed 7 --out /tmp/cat --applicants 3 --on 2026-03-01

Every catalog written is meant to be VALID per /work/shared/spec/catalog.md (a catalog the
binary rejects is reported as a mismatch by run.py).  Conditions are random well-typed
expression trees; the literals they use are remembered so that applicants can be drawn on
and around the boundaries of the conditions.
"""
from __future__ import annotations

import calendar as _cal
import decimal as _dec
import datetime as _dt
import json
import os
import random
import sys
from decimal import Decimal

I64_MAX = 2 ** 63 - 1
I64_MIN = -(2 ** 63)

FACT_WORDS = ["income", "members", "birth", "hukou", "flag", "score", "ratio", "city",
              "start", "level", "note", "kids", "rent", "area", "months", "pension",
              "spouse", "since", "grade", "debt", "status", "zone", "owner", "_tmp",
              "x", "y", "z", "a_b", "n2", "age"]
RISKY_FACT_NAMES = ["size", "has", "date", "days_since"]   # function names used as facts
STR_LITS = ["abc", "ab", "b", "", "上海", "上海市", "x y", "Zz", "é", "😀", "a-b", "100",
            "shanghai", "Other", "中", "aa"]
ENUM_SETS = [["shanghai", "other"], ["none", "1", "2", "3"], ["employed", "retired",
             "student", "flexible"], ["bank", "card"], ["甲", "乙"], ["a", "b", "c"]]
INT_LITS = [0, 1, 2, 3, 5, 7, 10, 12, 15, 18, 60, 65, 100, 365, 1000, 1510, -1, -3, -12]
BIG_INTS = [I64_MAX, 4611686018427387904, 3037000500, 9223372036854775, 1000000000000]
DEC_LITS = ["0.5", "1.5", "2590.5", "2590.49", "0.1", "3.3333", "100.0", "1.25", "-0.5",
            "-2.75", "0.0001", "7000.0", "12.34", "0.3", "3.0",
            "0.000000000000001", "1234567890.123456789"]   # exactness: tiny and long products
DIV_PROBES = [(20, 3), (2, 3), (1, 7), (10, 3), (1, 7000), (100, 7), (1, 3), (5, 6),
              (123456789, 7), (1, 9999), (7, 2),
              (16, 11), (17, 11), (26, 23), (27, 11)]   # these four: exposed to double rounding
DATE_LITS = ["2000-02-29", "1958-06-12", "2026-01-01", "2024-02-29", "1990-12-31",
             "2025-03-01", "1966-10-01", "2030-06-30", "2026-11-27"]
FORMS = ["original", "copy", "form", "photo", "electronic"]
CHANNELS = ["window", "online", "kiosk"]


class Fact:
    def __init__(self, name, typ, values=None, derive=None, src=None):
        self.name, self.type, self.values, self.derive = name, typ, values, derive
        self.src = src            # ("age"|"days", date fact) when derive is age()/days_since()
        self.consts = []          # constants it was compared with


# --------------------------------------------------------------------------
# Expression trees and printing
# --------------------------------------------------------------------------
# ("atom", text) ("neg", text) ("un", op, e) ("bin", op, l, r) ("par", e)

PREC = {"||": 1, "&&": 2, "<": 3, "<=": 3, ">": 3, ">=": 3, "==": 3, "!=": 3, "in": 3,
        "+": 4, "-": 4, "*": 5, "/": 5, "%": 5}


def prec(e):
    k = e[0]
    if k == "bin":
        return PREC[e[1]]
    if k in ("un", "neg"):
        return 6
    return 7


class Printer:
    def __init__(self, rng, multiline=False, tight=0.0):
        self.rng, self.multiline, self.tight = rng, multiline, tight

    def show(self, e):
        k = e[0]
        if k in ("atom", "neg"):
            return e[1]
        if k == "par":
            inner = self.show(e[1])
            if self.rng.random() < 0.15:
                inner = " " + inner + " "
            return "(" + inner + ")"
        if k == "un":
            x = e[2]
            s = self.show(x)
            if prec(x) <= 6 and not (e[1] == "!" and x[0] == "un" and x[1] == "!"
                                     and self.rng.random() < 0.5):
                s = "(" + s + ")"
            return e[1] + s
        op, l, r = e[1], e[2], e[3]
        p = PREC[op]
        ls, rs = self.show(l), self.show(r)
        if prec(l) < p:
            ls = "(" + ls + ")"
        if prec(r) <= p:
            rs = "(" + rs + ")"
        if self.multiline and op in ("&&", "||") and self.rng.random() < 0.5:
            return ls + "\n    " + op + " " + rs
        if op != "in" and self.rng.random() < self.tight and not rs.startswith("-"):
            return ls + op + rs
        return ls + " " + op + " " + rs


# --------------------------------------------------------------------------
# Catalog generator
# --------------------------------------------------------------------------

class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.int_pool = list(INT_LITS)
        self.dec_pool = list(DEC_LITS)
        self.str_pool = list(STR_LITS)
        self.date_pool = list(DATE_LITS)

    # ---- facts ----------------------------------------------------------
    def by_type(self, t, derived_ok=True):
        return [f for f in self.facts if f.type == t and (derived_ok or f.derive is None)]

    def make_facts(self):
        r = self.rng
        names = list(FACT_WORDS)
        r.shuffle(names)
        if r.random() < 0.1:
            names.insert(0, r.choice(RISKY_FACT_NAMES))
        self.facts = []
        types = ["bool", "int", "decimal", "string", "date", "enum"]
        r.shuffle(types)
        n_given = r.randint(5, 9)
        while len(types) < n_given:
            types.append(r.choice(["bool", "int", "decimal", "string", "date", "enum", "int",
                                   "decimal", "date"]))
        types = types[:n_given]
        for t in types:
            nm = names.pop()
            vals = list(r.choice(ENUM_SETS)) if t == "enum" else None
            self.facts.append(Fact(nm, t, vals))
        # derived facts (they may use given facts and earlier derived facts)
        for _ in range(r.randint(1, 3)):
            nm = names.pop()
            self.facts.append(self.make_derived(nm))
        self.decl = list(self.facts)
        r.shuffle(self.decl)

    def make_derived(self, nm):
        r = self.rng
        dates = self.by_type("date")
        opts = ["int_arith", "dec_div", "bool", "string", "int_into_dec"]
        if dates:
            opts += ["age", "age", "days"]
        if any(f.derive for f in self.facts):
            opts += ["on_derived", "on_derived"]
        if self.by_type("string", False) and r.random() < 0.3:
            opts.append("enum")
        if dates and r.random() < 0.2:
            opts.append("date")
        k = r.choice(opts)
        if k == "age" or k == "days":
            d = r.choice(dates)
            fn = "age" if k == "age" else "days_since"
            f = Fact(nm, "int", derive=f"{fn}({d.name})", src=(k, d))
            return f
        if k == "int_arith":
            return Fact(nm, "int", derive=self.show(self.gen_num(2, "int")))
        if k == "dec_div":
            e = self.gen_num(2, "dec")
            if e[0] != "bin" or e[1] != "/":
                e = ("bin", "/", e, self.gen_num(1, "int"))
            return Fact(nm, "decimal", derive=self.show(e))
        if k == "int_into_dec":
            e = ("bin", r.choice(["/", "*", "+", "%"]), self.gen_num(1, "int"),
                 self.gen_num(1, "int"))
            return Fact(nm, "decimal", derive=self.show(e))
        if k == "bool":
            return Fact(nm, "bool", derive=self.show(self.gen_bool(2)))
        if k == "string":
            return Fact(nm, "string", derive=self.show(self.gen_str(2)))
        if k == "enum":
            s = r.choice(self.by_type("string", False))
            return Fact(nm, "enum", values=list(r.choice(ENUM_SETS)), derive=s.name)
        if k == "date":
            return Fact(nm, "date", derive=r.choice(dates).name)
        # derived on derived
        der = [f for f in self.facts if f.derive]
        d = r.choice(der)
        t = d.type
        if t == "int":
            e = ("bin", r.choice(["+", "*", "-"]), ("atom", d.name), self.gen_num(1, "int"))
            return Fact(nm, "int", derive=self.show(e))
        if t == "decimal":
            e = ("bin", r.choice(["/", "*", "+", "-"]), ("atom", d.name), self.gen_num(1))
            return Fact(nm, "decimal", derive=self.show(e))
        if t == "bool":
            e = ("bin", r.choice(["&&", "||"]), ("atom", d.name), self.gen_bool(1))
            return Fact(nm, "bool", derive=self.show(e))
        if t == "string":
            return Fact(nm, "string", derive=self.show(("bin", "+", ("atom", d.name),
                                                        self.str_lit())))
        if t == "date":
            return Fact(nm, "int", derive=f"age({d.name})", src=("age", d))
        # enum: a bool derived from it
        v = r.choice(d.values)
        return Fact(nm, "bool", derive=f'{d.name} == "{v}"')

    def show(self, e, multiline=False):
        return Printer(self.rng, multiline, tight=0.05).show(e)

    # ---- literals -------------------------------------------------------
    def int_lit(self):
        r = self.rng
        if r.random() < 0.04:
            v = r.choice(BIG_INTS)
        elif r.random() < 0.8:
            v = r.choice(self.int_pool)
        else:
            v = r.randint(-50, 200)
            self.int_pool.append(v)
        return ("neg", str(v)) if v < 0 else ("atom", str(v)), v

    def dec_lit(self):
        r = self.rng
        if r.random() < 0.8:
            s = r.choice(self.dec_pool)
        else:
            s = f"{r.randint(-500, 5000)}.{r.randint(0, 9999):04d}".rstrip("0")
            if s.endswith("."):
                s += "0"
            self.dec_pool.append(s)
        return ("neg", s) if s.startswith("-") else ("atom", s), Decimal(s)

    def str_lit(self):
        r = self.rng
        s = r.choice(self.str_pool)
        q = "'" if r.random() < 0.1 else '"'
        if s and r.random() < 0.05:
            # a CEL escape inside the literal (\u for a character, or an escaped quote)
            # (\U is documented in docs/catalog-semantics.md since commit ab5f539)
            i = r.randrange(len(s))
            c = s[i]
            esc = f"\\u{ord(c):04x}" if ord(c) < 0x10000 and r.random() < 0.7 \
                else f"\\U{ord(c):08x}"
            return ("atom", q + s[:i] + esc + s[i + 1:] + q)
        if r.random() < 0.02:
            return ("atom", q + s + "\\" + q + q)      # the string s followed by a quote
        return ("atom", q + s + q)

    def date_lit(self):
        r = self.rng
        if r.random() < 0.7:
            s = r.choice(self.date_pool)
        else:
            s = self.rand_date().isoformat()
            self.date_pool.append(s)
        return ("atom", f'date("{s}")'), s

    def rand_date(self):
        r = self.rng
        y = r.randint(1940, 2032)
        m = r.randint(1, 12)
        d = r.randint(1, _cal.monthrange(y, m)[1])
        return _dt.date(y, m, d)

    # ---- typed expression generators -----------------------------------
    def gen_num(self, depth, want=None):
        """want: 'int', 'dec' or None (either)."""
        r = self.rng
        if want is None:
            want = r.choice(["int", "int", "dec"])
        if depth <= 0 or r.random() < 0.4:
            return self.num_leaf(want)
        k = r.random()
        if k < 0.1:
            x = self.gen_num(depth - 1, want)
            return ("un", "-", x)
        op = r.choice(["+", "-", "*", "/", "/", "%", "+"])
        if want == "int":
            l, rr = self.gen_num(depth - 1, "int"), self.gen_num(depth - 1, "int")
        else:
            a, b = r.choice([("dec", "int"), ("int", "dec"), ("dec", "dec")])
            l, rr = self.gen_num(depth - 1, a), self.gen_num(depth - 1, b)
        if op == "*":
            # keep products small enough that a 96-bit decimal holds them exactly
            rt = "int" if want == "int" else ("dec" if a == "int" else r.choice(["int", "dec"]))
            rr = self.num_leaf(rt, small=True)
        return ("bin", op, l, rr)

    def num_leaf(self, want, small=False):
        r = self.rng
        ints = self.by_type("int")
        decs = self.by_type("decimal")
        dates = self.by_type("date")
        strs = self.by_type("string")
        opts = []
        if want == "int":
            opts += ["lit"] * 3 + ["fact"] * (5 if ints else 0)
            if not small:
                opts += ["age"] * (2 if dates else 0) + ["days"] * (1 if dates else 0) + \
                        ["size"] * (1 if strs else 0) + ["size_lit", "date_age"]
        else:
            opts += ["lit"] * 3 + ["fact"] * (5 if decs else 0)
        k = r.choice(opts)
        if k == "lit":
            if want == "int":
                if small:
                    v = r.choice([0, 1, 2, 3, -1, 10])
                    return ("neg", str(v)) if v < 0 else ("atom", str(v))
                return self.int_lit()[0]
            if small:
                return ("atom", r.choice(["0.5", "1.5", "2.0", "0.1"]))
            return self.dec_lit()[0]
        if k == "fact":
            return ("atom", r.choice(ints if want == "int" else decs).name)
        if k in ("age", "days"):
            d = r.choice(dates)
            return ("atom", f"{'age' if k == 'age' else 'days_since'}({d.name})")
        if k == "date_age":
            return ("atom", f"age({self.date_lit()[0][1]})")
        if k == "size":
            return ("atom", f"size({self.show(self.gen_str(1))})")
        return ("atom", f"size([{', '.join(self.show(self.str_lit()) for _ in range(r.randint(0, 3)))}])")

    def gen_str(self, depth):
        r = self.rng
        strs = self.by_type("string")
        if depth <= 0 or r.random() < 0.5:
            if strs and r.random() < 0.6:
                return ("atom", r.choice(strs).name)
            return self.str_lit()
        return ("bin", "+", self.gen_str(depth - 1), self.gen_str(depth - 1))

    def gen_date(self):
        r = self.rng
        dates = self.by_type("date")
        if dates and r.random() < 0.7:
            return ("atom", r.choice(dates).name)
        return self.date_lit()[0]

    def note_const(self, e, v):
        """Remember constant v as a boundary of the fact written as e (a leaf)."""
        if e[0] != "atom":
            return
        t = e[1]
        for f in self.facts:
            if t == f.name:
                f.consts.append(v)
                if f.src:
                    f.src[1].consts.append((f.src[0], v))
            elif t in (f"age({f.name})", f"days_since({f.name})"):
                f.consts.append(("age" if t.startswith("age") else "days", v))

    def gen_bool(self, depth):
        r = self.rng
        bools = self.by_type("bool")
        enums = self.by_type("enum")
        opts = ["cmp_num"] * 5 + ["has"] + ["cmp_str"] * 2 + ["cmp_date"] * 2
        if bools:
            opts += ["bfact"] * 3 + ["beq"]
        if enums:
            opts += ["enum"] * 4
        if depth > 0:
            opts += ["and"] * 4 + ["or"] * 4 + ["not"] * 2 + ["par"]
        opts += ["in_num", "in_str", "div_probe"]
        dder = [f for f in self.by_type("decimal") if f.derive]
        if dder:
            opts += ["dder_div"]
        if r.random() < 0.05:
            opts += ["const", "in_date", "in_empty", "enum_str"]
        k = r.choice(opts)
        if k == "and" or k == "or":
            return ("bin", "&&" if k == "and" else "||", self.gen_bool(depth - 1),
                    self.gen_bool(depth - 1))
        if k == "not":
            return ("un", "!", self.gen_bool(depth - 1))
        if k == "par":
            return ("par", self.gen_bool(depth - 1))
        if k == "bfact":
            return ("atom", r.choice(bools).name)
        if k == "beq" and r.random() < 0.4:
            # a relational chain: `n < 3 == flag` is `(n < 3) == flag` (one level, left-assoc)
            cmp = self.gen_bool(0)
            while not (cmp[0] == "bin" and PREC[cmp[1]] == 3):
                cmp = self.gen_bool(0)
            other = ("atom", r.choice(bools).name) if r.random() < 0.6 else \
                ("atom", r.choice(["true", "false"]))
            return ("bin", r.choice(["==", "!="]), cmp, other)
        if k == "beq":
            other = ("atom", r.choice(["true", "false"])) if r.random() < 0.5 else \
                ("atom", r.choice(bools).name)
            return ("bin", r.choice(["==", "!="]), ("atom", r.choice(bools).name), other)
        if k == "const":
            return ("atom", r.choice(["true", "false"]))
        if k == "has":
            return ("atom", f"has({r.choice(self.facts).name})")
        if k == "cmp_num":
            op = r.choice(["<", "<=", ">", ">=", "==", "!="])
            l = self.gen_num(max(depth - 1, 0) if r.random() < 0.5 else 0)
            if r.random() < 0.7:
                if r.random() < 0.6:
                    lit, v = self.int_lit()
                else:
                    lit, v = self.dec_lit()
                self.note_const(l, v)
                e = ("bin", op, l, lit)
                return e if r.random() < 0.8 else ("bin", op, lit, l)
            return ("bin", op, l, self.gen_num(max(depth - 1, 0)))
        if k == "div_probe":
            a, b = r.choice(DIV_PROBES)
            ctx = _dec.Context(prec=28, rounding=_dec.ROUND_HALF_EVEN)
            q = ctx.divide(Decimal(a), Decimal(b))
            if q.as_tuple().exponent < -28:
                # not holdable by a 96-bit decimal literal: compare with 28 places instead
                q = q.quantize(Decimal(1).scaleb(-28))
            qs = format(q, "f")
            if "." not in qs:
                qs += ".0"
            num = f"{a}.0" if r.random() < 0.5 else str(a)
            den = str(b) if num.endswith(".0") else f"{b}.0"
            return ("bin", r.choice(["==", "<", ">", "<=", ">="]),
                    ("bin", "/", ("atom", num), ("atom", den)), ("atom", qs))
        if k == "dder_div":
            # a decimal derived fact divided / divides: decimal division even when its
            # derive is an int expression
            f = r.choice(dder)
            k2 = r.choice(["2", "3", "4", "7", "-2"])
            e = ("bin", r.choice(["/", "%"]), ("atom", f.name), ("atom", k2)) \
                if r.random() < 0.6 else ("bin", "/", ("atom", k2), ("atom", f.name))
            if r.random() < 0.5:   # exact only for decimal division
                a, b = ("atom", f.name), ("atom", k2)
                if r.random() < 0.3:
                    a, b = b, a
                return ("bin", r.choice(["==", "!="]), ("bin", "*", ("bin", "/", a, b), b), a)
            lit, v = self.dec_lit() if r.random() < 0.5 else self.int_lit()
            return ("bin", r.choice(["<", "<=", ">", ">=", "==", "!="]), e, lit)
        if k == "cmp_str":
            op = r.choice(["<", "<=", ">", ">=", "==", "!="])
            l = self.gen_str(max(depth - 1, 0))
            rr = self.str_lit() if r.random() < 0.7 else self.gen_str(0)
            if rr[0] == "atom" and rr[1][0] in "\"'":
                self.note_const(l, rr[1][1:-1])
            return ("bin", op, l, rr)
        if k == "cmp_date":
            op = r.choice(["<", "<=", ">", ">=", "==", "!="])
            l = self.gen_date()
            lit, s = self.date_lit()
            self.note_const(l, ("date", s))
            return ("bin", op, l, lit) if r.random() < 0.8 else ("bin", op, lit, l)
        if k == "in_date":
            lits = [self.date_lit()[0][1] for _ in range(r.randint(1, 3))]
            return ("bin", "in", self.gen_date(), ("atom", "[" + ", ".join(lits) + "]"))
        if k == "in_empty":
            return ("bin", "in", self.gen_num(0), ("atom", "[]"))
        if k == "enum":
            f = r.choice(enums)
            same = [g for g in enums if g is not f and g.values == f.values]
            c = r.random()
            if same and c < 0.2:
                return ("bin", r.choice(["==", "!="]), ("atom", f.name),
                        ("atom", r.choice(same).name))
            if c < 0.6:
                q = '"' if r.random() < 0.9 else "'"
                return ("bin", r.choice(["==", "!="]), ("atom", f.name),
                        ("atom", q + r.choice(f.values) + q))
            vs = r.sample(f.values, r.randint(1, len(f.values)))
            return ("bin", "in", ("atom", f.name),
                    ("atom", "[" + ", ".join(f'"{v}"' for v in vs) + "]"))
        if k == "enum_str":
            strs = self.by_type("string")
            if enums and strs:
                return ("bin", "==", ("atom", r.choice(enums).name), ("atom", r.choice(strs).name))
            return ("atom", "true")
        if k == "in_num":
            l = self.gen_num(max(depth - 1, 0) if r.random() < 0.3 else 0)
            elems = []
            for _ in range(r.randint(1, 4)):
                lit, v = self.int_lit() if r.random() < 0.6 else self.dec_lit()
                self.note_const(l, v)
                elems.append(lit[1])
            return ("bin", "in", l, ("atom", "[" + ", ".join(elems) + "]"))
        # in_str
        l = self.gen_str(max(depth - 1, 0) if r.random() < 0.3 else 0)
        elems = []
        for _ in range(r.randint(1, 4)):
            s = self.str_lit()[1]
            self.note_const(l, s[1:-1])
            elems.append(s)
        return ("bin", "in", l, ("atom", "[" + ", ".join(elems) + "]"))

    def gen_eligible(self):
        r = self.rng
        n = r.choice([1, 1, 2, 2, 3, 3, 4])
        parts = [self.gen_bool(r.randint(0, 3)) for _ in range(n)]
        e = parts[0]
        for p in parts[1:]:
            e = ("bin", "&&", e, p)
        if r.random() < 0.07:
            e = ("par", e)
        if r.random() < 0.1:
            e = ("bin", "||", e, self.gen_bool(1))
        return e

    # ---- whole catalog --------------------------------------------------
    def make(self):
        r = self.rng
        self.make_facts()
        nm = r.randint(4, 10)
        self.materials = [f"m{i}-{r.choice(['card', 'form', 'doc', 'x'])}" for i in range(nm)]
        r.shuffle(self.materials)
        self.categories = []   # (id, parent)
        for i in range(r.randint(1, 3)):
            top = f"cat{i}"
            self.categories.append((top, None))
            for j in range(r.randint(0, 2)):
                self.categories.append((f"cat{i}-{j}", top))
        r.shuffle(self.categories)
        self.items = []
        ids = set()
        for _ in range(r.randint(5, 25)):
            while True:
                iid = r.choice(["item", "svc", "a", "z", "b0", "x-y"]) + f"-{r.randint(0, 99)}"
                if iid not in ids:
                    break
            ids.add(iid)
            elig = self.gen_eligible() if r.random() < 0.88 else None
            mats = []
            for mid in r.sample(self.materials, r.randint(0, min(4, nm))):
                copies = r.choice([None, None, 1, 2, 3])
                when = self.gen_bool(r.randint(0, 2)) if r.random() < 0.45 else None
                mats.append((mid, copies, when))
            self.items.append((iid, elig, mats))
        self.bundles = []
        for i in range(r.randint(1, 3)):
            self.bundles.append((f"bundle-{i}", r.sample(sorted(ids), r.randint(1, min(4, len(ids))))))
        return self

    # ---- TOML writing ---------------------------------------------------
    def toml_cond(self, s):
        """Encode a condition as a TOML string, varying the string kind."""
        r = self.rng
        if r.random() < 0.05:
            s = r.choice([" ", "  "]) + s + r.choice(["", " "])   # trimmed away in `failed`
        if "\n" not in s and "'" not in s and r.random() < 0.8:
            return "'" + s + "'"
        if "'''" not in s and r.random() < 0.5:
            body = s
            if body.endswith("'"):
                body += " "
            return "'''" + ("\n" if r.random() < 0.5 else "") + body + "'''"
        out = []
        for ch in s:
            if ch == "\\":
                out.append("\\\\")
            elif ch == '"':
                out.append('\\"')
            elif ch == "\n":
                out.append("\\n")
            elif ch == "\t":
                out.append("\\t")
            elif ch == " " and r.random() < 0.05:
                out.append("\\t")          # a tab is whitespace too
            elif r.random() < 0.05:
                out.append(f"\\u{ord(ch):04X}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08X}")
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'

    def cond_text(self, e):
        r = self.rng
        return self.show(e, multiline=r.random() < 0.1)

    def text(self, zh, en=None):
        en = en if en is not None and self.rng.random() < 0.7 else None
        return "{ zh = " + json.dumps(zh, ensure_ascii=False) + \
            (", en = " + json.dumps(en) if en else "") + " }"

    def write(self, d):
        r = self.rng
        os.makedirs(os.path.join(d, "items"), exist_ok=True)

        def w(path, s):
            with open(os.path.join(d, path), "w", encoding="utf-8") as f:
                f.write(s)

        cat = [f"name = {self.text('随机目录', 'Random catalog')}"]
        if r.random() < 0.5:
            cat.append('default_locale = "zh"')
        if r.random() < 0.5:
            cat.append('time_zone = "Asia/Shanghai"')
        w("catalog.toml", "\n".join(cat) + "\n")

        out = ["# facts"]
        for f in self.decl:
            out.append(f"\n[{f.name}]")
            out.append(f'type = "{f.type}"')
            if f.values:
                out.append("values = [" + ", ".join(json.dumps(v, ensure_ascii=False)
                                                     for v in f.values) + "]")
            if f.derive:
                out.append("derive = " + self.toml_cond(f.derive))
            if r.random() < 0.7:
                out.append(f"label = {self.text('事实 ' + f.name, 'Fact ' + f.name)}")
        w("facts.toml", "\n".join(out) + "\n")

        out = []
        for m in self.materials:
            out.append(f"[{m}]")
            out.append(f"name = {self.text('材料 ' + m, 'Material ' + m)}")
            out.append(f'form = "{r.choice(FORMS)}"')
            if r.random() < 0.4:
                out.append(f"e_licence = {r.choice(['true', 'false'])}")
            out.append("")
        w("materials.toml", "\n".join(out))

        out = []
        for cid, parent in self.categories:
            out.append(f"[{cid}]")
            out.append(f"name = {self.text('类 ' + cid, 'Category ' + cid)}")
            if parent:
                out.append(f'parent = "{parent}"')
            out.append("")
        w("categories.toml", "\n".join(out))

        for iid, elig, mats in self.items:
            dept_table = r.random() < 0.1
            out = [f"name = {self.text('事项 ' + iid, 'Item ' + iid)}",
                   f'category = "{r.choice(self.categories)[0]}"']
            if not dept_table:
                out.append(f"department = {self.text('区某局')}")
            if elig is not None:
                out.append("eligible = " + self.toml_cond(self.cond_text(elig)))
            out.append(f"promised_days = {r.choice([0, 1, 5, 20])}")
            out.append(f"value_points = {r.choice(['1.0', '2.0', '0.5', '1.25'])}")
            out.append("channels = [" + ", ".join(
                f'"{c}"' for c in r.sample(CHANNELS, r.randint(1, 3))) + "]")
            if r.random() < 0.3:
                out.append(f"proactive = {r.choice(['true', 'false'])}")
            entries = []
            for mid, copies, when in mats:
                kv = [f'id = "{mid}"']
                if copies is not None:
                    kv.append(f"copies = {copies}")
                if when is not None:
                    kv.append("when = " + self.toml_cond(self.show(when)))
                entries.append(kv)
            if not entries:
                out.append("materials = []")
            elif not dept_table and r.random() < 0.15 and \
                    all("\n" not in x for kv in entries for x in kv):
                out.append("materials = [" + ", ".join(
                    "{ " + ", ".join(kv) + " }" for kv in entries) + "]")
            if dept_table:   # a text written as a sub-table (after the top-level keys)
                out.append('\n[department]\nzh = "区某局"\nen = "Some bureau"')
            if entries and not any(x.startswith("materials = ") for x in out):
                for kv in entries:
                    out.append("\n[[materials]]")
                    out.extend(kv)
            w(f"items/{iid}.toml", "\n".join(out) + "\n")
        if r.random() < 0.1:
            w("items/README.md", "not an item\n")

        if r.random() < 0.1:     # bundles.toml may be absent
            self.bundles = []
            return self._write_calendar(d, w)
        out = []
        for bid, its in self.bundles:
            out.append(f"[{bid}]")
            out.append(f"name = {self.text('一件事 ' + bid, 'Bundle ' + bid)}")
            out.append("items = [" + ", ".join(f'"{i}"' for i in its) + "]")
            out.append("")
        w("bundles.toml", "\n".join(out))
        self._write_calendar(d, w)

    def _write_calendar(self, d, w):
        r = self.rng
        if r.random() < 0.5:
            os.makedirs(os.path.join(d, "calendar"), exist_ok=True)
            for year in r.sample([2025, 2026, 2027], r.randint(1, 2)):
                days = [_dt.date(year, 1, 1) + _dt.timedelta(days=i) for i in range(365)]
                hol = sorted(r.sample([x for x in days if x.weekday() < 5], r.randint(0, 6)))
                wd = sorted(r.sample([x for x in days if x.weekday() >= 5], r.randint(0, 3)))
                w(f"calendar/{year}.toml",
                  "holidays = [" + ", ".join(f'"{x}"' for x in hol) + "]\n"
                  "workdays = [" + ", ".join(f'"{x}"' for x in wd) + "]\n")

    # ---- applicants -----------------------------------------------------
    def applicant(self, on: _dt.date) -> str:
        """JSON text of a random applicant: a subset of the given facts, values near the
        boundaries of the conditions."""
        r = self.rng
        p_present = r.choice([0.3, 0.6, 0.85, 1.0])
        parts = []
        given = [f for f in self.decl if f.derive is None]
        for f in given:
            if r.random() > p_present:
                continue
            if r.random() < 0.08:
                v = "null"
            else:
                v = self.value(f, on)
            parts.append(json.dumps(f.name) + ": " + v)
        r.shuffle(parts)
        sep = r.choice([", ", ",\n  "])
        return "{" + sep.join(parts) + "}\n"

    def bad_applicant(self, on: _dt.date):
        """A facts object the binary must reject (exit 2, nothing on stdout), and the fact
        the error must name."""
        r = self.rng
        given = [f for f in self.decl if f.derive is None]
        derived = [f for f in self.decl if f.derive is not None]
        parts = [json.dumps(f.name) + ": " + self.value(f, on)
                 for f in given if r.random() < 0.5]
        k = r.choice(["undeclared", "derived", "type", "type", "type"])
        if k == "undeclared":
            name = "not_declared_" + str(r.randint(0, 9))
            bad = r.choice(["1", "null", '"x"'])
        elif k == "derived":
            f = r.choice(derived)
            name, bad = f.name, r.choice(["null", self.value(f, on) if f.type != "enum"
                                          else json.dumps(f.values[0])])
        else:
            f = r.choice(given)
            name = f.name
            bad = r.choice({
                "bool": ["1", '"true"', "0"],
                "int": ["2.0", '"3"', "true", "9223372036854775808", "-9223372036854775809",
                        "1.5"],
                "decimal": ['"1.5"', "true", '"0"'],
                "string": ["3", "true", '["a"]'],
                "date": ['"2026-02-30"', '"2026-2-3"', "20260101", '"2025-02-29"', '""'],
                "enum": ['"not-a-value"', "1", json.dumps((f.values or ["x"])[0].upper() + "!")],
            }[f.type])
        parts = [x for x in parts if not x.startswith(json.dumps(name) + ":")]
        parts.insert(r.randrange(len(parts) + 1), json.dumps(name) + ": " + bad)
        return "{" + ", ".join(parts) + "}\n", name

    def value(self, f, on):
        r = self.rng
        t = f.type
        nums = [c for c in f.consts if isinstance(c, (int, Decimal)) and not isinstance(c, bool)]
        if t == "bool":
            return r.choice(["true", "false"])
        if t == "enum":
            return json.dumps(r.choice(f.values), ensure_ascii=r.random() < 0.5)
        if t == "string":
            strs = [c for c in f.consts if isinstance(c, str)] or self.str_pool
            c = r.random()
            if c < 0.6:
                s = r.choice(strs)
            elif c < 0.8:
                s = r.choice(self.str_pool) + r.choice(self.str_pool)
            else:
                s = r.choice(strs)[:-1] if strs else ""
            return json.dumps(s, ensure_ascii=r.random() < 0.5)
        if t == "int":
            c = r.random()
            if c < 0.05:
                return str(r.choice([I64_MAX, I64_MIN, I64_MAX - 1, 4611686018427387904,
                                     -4611686018427387904, 3037000500]))
            if c < 0.15:
                return "0"
            base = r.choice(nums) if nums and c < 0.7 else r.choice(self.int_pool)
            v = int(base) + r.choice([-1, 0, 0, 1])
            if isinstance(base, Decimal):
                v = int(base.to_integral_value()) + r.choice([-1, 0, 1])
            v = max(I64_MIN, min(I64_MAX, v))
            return str(v)
        if t == "decimal":
            c = r.random()
            if c < 0.1:
                return r.choice(["0", "0.0", "0.00"])
            if c < 0.13:   # long, tiny and huge decimals (inputs may have up to 60 digits)
                return r.choice(["0.000000000000001", "1e-40", "1234567890.123456789",
                                 "79228162514264337593543950336", "-1E30",
                                 "5929619798.400690789473684211"])
            base = r.choice(nums) if nums and c < 0.7 else Decimal(r.choice(self.dec_pool))
            base = Decimal(base) if not isinstance(base, Decimal) else base
            if abs(base) > 10 ** 15:
                base = Decimal(r.randint(-1000, 1000))
            v = base + r.choice([Decimal(0), Decimal(0), Decimal("0.0001"), Decimal("-0.0001"),
                                 Decimal(1), Decimal(-1), Decimal("0.5")])
            s = format(v, "f")
            if "." in s:
                ip, fp = s.split(".")
                fp = fp[:4]
                s = ip + ("." + fp if fp else "")
            if r.random() < 0.2 and "." in s:
                s += "0"
            if r.random() < 0.15 and "." not in s:
                s += ".0"
            if r.random() < 0.05 and v != 0:
                # exponent notation: still a JSON number, read exactly from its text
                t = v.normalize().as_tuple()
                digits = "".join(map(str, t.digits))
                s = ("-" if t.sign else "") + digits + r.choice(["e", "E"]) + str(t.exponent)
            return s
        # date
        cands = [c for c in f.consts if isinstance(c, tuple)]
        c = r.random()
        if cands and c < 0.7:
            kind, k = r.choice(cands)
            if kind == "date":
                d = _dt.date.fromisoformat(k)
            elif kind == "age":
                try:
                    y = on.year - int(k)
                    d = on.replace(year=y) if 1 <= y <= 9999 else self.rand_date()
                except ValueError:   # 29 February
                    d = _dt.date(on.year - int(k), 2, 28)
            else:
                try:
                    d = on - _dt.timedelta(days=int(k))
                except (OverflowError, ValueError):
                    d = self.rand_date()
            try:
                d = d + _dt.timedelta(days=r.choice([-1, 0, 0, 1]))
            except OverflowError:
                pass
        elif c < 0.8:
            d = _dt.date(r.choice([2000, 2004, 1960, 2024, 1996]), 2, 29)
        elif c < 0.9:
            d = on
        else:
            d = self.rand_date()
        return json.dumps(d.isoformat())


def generate(seed, out_dir):
    g = Gen(seed).make()
    g.write(out_dir)
    return g


def main(argv):
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--applicants", type=int, default=0)
    ap.add_argument("--on", default="2026-11-27")
    a = ap.parse_args(argv)
    g = generate(a.seed, a.out)
    for i in range(a.applicants):
        with open(os.path.join(a.out, f"applicant-{i}.json"), "w", encoding="utf-8") as f:
            f.write(g.applicant(_dt.date.fromisoformat(a.on)))
    print(a.out)


if __name__ == "__main__":
    main(sys.argv[1:])
