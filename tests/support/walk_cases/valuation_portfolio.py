"""Permission cases of valuation's portfolio routes (see valuation_base for the people): the upload page, the
example file, and the two computing POSTs (page and API), which value an uploaded file and write nothing. The file
is the example the page offers, valued on the shipped profile."""

from __future__ import annotations

from tests.support.walk import Call, Case
from zhengwu.valuation.model import ASSESS
from zhengwu.valuation.model.default_profile import default_profile
from zhengwu.valuation.service.portfolio import example_csv

G = "v_fh"


def _file() -> dict[str, tuple[str, bytes, str]]:
    return {"file": ("批量估值.csv", example_csv(default_profile()), "text/csv")}


CASES: dict[tuple[str, str], Case] = {
    ("GET", "/valuation/portfolio"): Case(ASSESS, lambda i: Call("GET", "/valuation/portfolio"), G),
    ("GET", "/valuation/portfolio/example.csv"): Case(
        ASSESS, lambda i: Call("GET", "/valuation/portfolio/example.csv"), G
    ),
    ("POST", "/valuation/portfolio"): Case(
        ASSESS, lambda i: Call("POST", "/valuation/portfolio", data={"fill": ""}, files=_file()), G
    ),
    ("POST", "/api/v1/valuation/portfolio"): Case(
        ASSESS, lambda i: Call("POST", "/api/v1/valuation/portfolio", files=_file()), G, api=True
    ),
}
