"""Formats the OpenAPI document names that JSON Schema cannot state, as hypothesis
strategies, so schemathesis generates values the server must accept: `gb11643` (a
resident identity number, check character included) and `case-number`."""

from datetime import date

import schemathesis
from hypothesis import strategies as st

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


@st.composite
def id_number(draw):
    region = draw(st.sampled_from(["110105", "310101", "310104", "310115"]))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)))
    body = f"{region}{born:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    return body + CHECK[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


@st.composite
def case_number(draw):
    center = draw(st.from_regex(r"[a-z0-9][a-z0-9-]{0,31}", fullmatch=True))
    day = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
    return f"{center}-{day:%Y%m%d}-{draw(st.integers(0, 9999)):04d}"


schemathesis.openapi.format("gb11643", id_number())
schemathesis.openapi.format("case-number", case_number())
