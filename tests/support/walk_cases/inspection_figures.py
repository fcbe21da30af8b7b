"""Permission cases of inspection's figures: the page, its xlsx export and the JSON API, with no committee unit
picked (each reader gets the highest committee unit among the rounds they see).

The records are inspection_base's: 凤凰县委's 2024 round inspecting 养护中心 and 卫健局, so that 养护中心 shows as a
district row of 凤凰县 for ``i_fh``; ``i_js`` (吉首市) sees no 凤凰县 round, so not that row. That a committee unit
picked outside the scope is “not found” is proven in tests/integration/test_inspection_figures.py.
"""

from __future__ import annotations

from tests.support.walk import Call, Case
from zhengwu.inspection.model import VIEW

CENTRE = "凤凰县公路建设养护中心"


def _case(url: str) -> Case:
    return Case(VIEW, lambda i: Call("GET", url), "i_fh", outsider="i_js", hidden=lambda i: CENTRE)


CASES: dict[tuple[str, str], Case] = {
    ("GET", "/inspection/figures"): _case("/inspection/figures?by=district"),
    ("GET", "/inspection/figures/export.xlsx"): _case("/inspection/figures/export.xlsx?by=district"),
    ("GET", "/api/v1/inspection/figures"): _case("/api/v1/inspection/figures?by=district"),
}
