"""The income calculator page (收益法计算器): it opens on the worked example of issue #6, computes the result table from
the form without writing anything, and sends bad input back naming the field (422).

Reference value: issue #6, "The contract": PVD 70, machinery 1.5–3 %, revenue 2000, 2200, 2400, 2500, 2500万, tax 25 %,
i = 2.5 % + 3 % + 2 % + 1 % + 1 % = 9.5 %, end of year → 168.6114万元; per year 34.9315, 35.0910, 34.9599, 33.2571,
30.3718 (docs/valuation.md, 算例)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import csrf, login
from zhengwu.core.audit.tables import AuditHead
from zhengwu.core.db import Database

URL = "/valuation/calculator"


def form(page: str) -> dict[str, str]:
    """The worked example as the page fills it in (the values of its inputs and selected options)."""
    import re

    values = dict(re.findall(r'<input name="([^"]+)" value="([^"]*)"', page))
    values |= dict(re.findall(r'<textarea name="([^"]+)"[^>]*>([^<]*)</textarea>', page))
    for name, body in re.findall(r'<select name="([^"]+)">(.*?)</select>', page, re.S):
        if chosen := re.search(r'<option value="([^"]*)" selected', body):
            values[name] = chosen.group(1)
    return values


def post(client: TestClient, data: dict[str, Any]) -> Any:
    return client.post(URL, data={**data, "csrf_token": csrf(client)})


def test_the_calculator_opens_on_the_worked_example_and_computes_it_writing_nothing(
    app_client: TestClient, db: Database
) -> None:
    login(app_client, "admin")
    page = app_client.get(URL)
    assert page.status_code == 200 and "收益法计算器" in page.text
    data = form(page.text)
    assert data["share_rate.industry"] == "machinery" and data["discount_mode"] == "buildup"
    with db.reading() as s:
        head = s.execute(select(AuditHead.last_id)).scalar()
    r = post(app_client, data)
    assert r.status_code == 200, r.text
    for figure in ("168.6114", "34.9315", "35.0910", "34.9599", "33.2571", "30.3718", "2.5500%", "9.50%"):
        assert figure in r.text, figure
    with db.reading() as s:
        assert s.execute(select(AuditHead.last_id)).scalar() == head


def test_bad_input_comes_back_naming_the_field(app_client: TestClient) -> None:
    login(app_client, "admin")
    data = form(app_client.get(URL).text)
    for changes, field, message in (
        ({"tax_rate": "1"}, "tax_rate", "所得税税率须在 [0, 1) 之间"),
        ({"share_rate.score": "abc"}, "share_rate.score", "专利价值度"),
        ({"income.amounts": ""}, "income.amounts", "收益额"),
        ({"share_rate.method": "royalty"}, "share_rate.method", "未知的分成率确定方法"),
        ({"discount_rate.premia.market": "-0.1"}, "discount_rate.premia.market", "市场风险报酬率"),
    ):
        r = post(app_client, {**data, **changes})
        assert r.status_code == 422, (changes, r.text[:200])
        assert field in r.text and message in r.text, changes
        assert "Traceback" not in r.text and "NaN" not in r.text


def test_a_user_without_the_assess_grant_cannot_open_the_calculator(app_client: TestClient) -> None:
    login(app_client, "fh_gl")
    assert app_client.get(URL).status_code == 403
