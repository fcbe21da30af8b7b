"""Borrowers and the reference rules of pledge financing, in the browser and through the API.

A bank (``cs_loan``, 长沙银行麓谷科技支行) records its borrowers with checked unified social credit codes, lists,
filters, exports and imports them (every row checked first); another bank sees none of them; a borrower with loans
cannot be deleted. The IP bureau (``cs_ip_fin``) keeps the pledge-rate ceilings (in %) and the risk-pool rules
(shares in %, the cap in 万元), whose page works the issue's example out from the stored rule; a rule that has shared
a loss keeps its numbers. Bad input is a 422 naming the field, a stale version a 409, and every write is audited.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.conftest import PASSWORD, api_login
from tests.support.people import add_users
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.db import Actor, Database
from zhengwu.finance.model import LOAN_MANAGE, VIEW
from zhengwu.finance.model.borrowers import check_character
from zhengwu.finance.people import seed_people
from zhengwu.finance.tables import Borrower, LossAllocation, PledgeLoan, RiskPoolRule

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
B = "/finance/borrowers"
API = "/api/v1/finance"


def code(n: int) -> str:
    """A valid unified social credit code (a Changsha enterprise's prefix, ``n`` as the organisation code)."""
    first = f"91430100{n:09d}"
    return first + check_character(first)


def people(db: Database) -> None:
    """The finance story's users, and a lender of 吉首市 (another bank's scope)."""
    with db.uow(Actor(None, "测试数据")) as uow:
        seed_people(uow, PASSWORD)
        add_users(uow, {"js_loan": ("js", [(VIEW, "unit"), (LOAN_MANAGE, "unit")])}, PASSWORD, "role_")
        uow.commit()


def add_loan(db: Database, borrower_id: int, rule_code: str | None = None) -> int:
    """A disbursed loan of the borrower's bank straight into the table (the loans' service is another area's)."""
    now = datetime(2024, 6, 20, 1, 0, tzinfo=UTC)
    with db.uow(Actor(None, "测试数据")) as uow:
        s = uow.session
        borrower = s.get(Borrower, borrower_id)
        assert borrower is not None
        rule = s.scalar(select(RiskPoolRule).where(RiskPoolRule.code == rule_code)) if rule_code else None
        loan = PledgeLoan(
            unit_id=borrower.unit_id,
            code="ZY-2024-001",
            borrower_id=borrower_id,
            principal=Decimal("15000000.00"),
            annual_rate=0.045,
            term_months=24,
            payments_per_year=4,
            amortization="bullet",
            pd_annual=0.02,
            guarantor="湖南省融资担保集团",
            guarantee_coverage=1.0,
            risk_pool_rule_id=rule.id if rule else None,
            status="defaulted" if rule else "disbursed",
            applied_on=date(2024, 1, 5),
            created_at=now,
            updated_at=now,
        )
        s.add(loan)
        s.flush()
        if rule is not None:
            s.add(
                LossAllocation(
                    loan_id=loan.id,
                    rule_id=rule.id,
                    stage="default",
                    loss=Decimal("12000000.00"),
                    pool_amount=Decimal("5000000.00"),
                    lender_amount=Decimal("5800000.00"),
                    valuer_amount=Decimal("1200000.00"),
                    capped_by=Decimal("400000.00"),
                    at=now,
                )
            )
        uow.commit()
        return loan.id


def audited(db: Database, table: str) -> list[str]:
    with db.reading() as s:
        return list(s.scalars(select(AuditEntry.action).where(AuditEntry.table_name == table).order_by(AuditEntry.id)))


def test_a_bank_records_filters_exports_and_imports_its_borrowers_and_another_bank_sees_none(
    app_client: TestClient, db: Database
) -> None:
    people(db)
    c = api_login(app_client, "cs_loan")
    form = {
        "name": "长沙智能装备有限公司",
        "credit_code": code(1)[:-1] + "0",
        "industry": "工程机械",
        "little_giant": "1",
    }
    bad = c.post(B + "/new", data=form)
    assert bad.status_code == 422 and "校验位不符" in bad.text and "（字段：credit_code）" in bad.text
    assert "长沙智能装备有限公司" in bad.text  # the form keeps what was typed
    made = c.post(B + "/new", data={**form, "credit_code": code(1).lower()}, follow_redirects=False)
    assert made.status_code == 303, made.text
    page = c.get(made.headers["location"])
    assert code(1) in page.text and "长沙银行麓谷科技支行" in page.text and "没有您可查看的质押贷款" in page.text
    again = c.post(B + "/new", data={**form, "credit_code": code(1), "name": "重复"})
    assert again.status_code == 422 and "本单位已登记" in again.text
    assert c.post(B + "/new", data={"name": "长沙普通企业", "credit_code": code(2)}, follow_redirects=False).is_redirect
    giants = c.get(B + "?little_giant=1").text
    assert "长沙智能装备有限公司" in giants and "长沙普通企业" not in giants
    assert "长沙普通企业" in c.get(B + f"?credit_code={code(2)[8:14]}").text
    assert "长沙智能装备" not in c.get(B + "?q=普通").text
    assert c.get(B + "?little_giant=maybe").status_code == 422
    export = c.get(B + "/export.xlsx?little_giant=1")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows == [
        ("企业名称", "统一社会信用代码", "所属行业", "地址", "专精特新“小巨人”", "备注"),
        ("长沙智能装备有限公司", code(1), "工程机械", None, "是", None),
    ]
    files = {"file": ("b.xlsx", export.content, XLSX)}
    duplicate = c.post(B + "/import", files=files)  # the same unit already has the code
    assert duplicate.status_code == 422 and "<td>2</td><td>统一社会信用代码</td>" in duplicate.text
    csv = f"企业名称,统一社会信用代码,小巨人\n甲公司,{code(3)},是\n,{code(4)}X,否\n丙公司,{code(3)},也许\n"
    csv = csv.replace("小巨人", "little_giant")
    refused = c.post(B + "/import", files={"file": ("b.csv", csv.encode(), "text/csv")})
    assert refused.status_code == 422
    for cell in (
        "<td>3</td><td>企业名称</td>",
        "<td>3</td><td>统一社会信用代码</td>",
        "<td>4</td><td>专精特新“小巨人”</td>",
    ):
        assert cell in refused.text
    assert "与第 2 行的统一社会信用代码重复" in refused.text
    good = f"name,credit_code,little_giant,note\n甲公司,{code(3)},是,首贷\n乙公司,{code(4)},,\n"
    imported = c.post(B + "/import", files={"file": ("b.csv", good.encode(), "text/csv")}, follow_redirects=False)
    assert imported.status_code == 303 and "已导入" in c.get(imported.headers["location"]).text
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Borrower)) == 4
    assert audited(db, "finance_borrowers") == ["insert"] * 4
    assert audited(db, "借款企业") == ["export"]

    other = api_login(app_client, "js_loan")
    assert "共 0 条" in other.get(B).text
    assert other.get(made.headers["location"]).status_code == 404
    assert other.get(made.headers["location"] + "/edit").status_code == 404
    assert "甲公司" not in str(load_workbook(io.BytesIO(other.get(B + "/export.xlsx").content)).active["A2"].value)


def test_the_borrowers_api_checks_fields_versions_scope_and_loans_before_a_deletion(
    app_client: TestClient, db: Database
) -> None:
    people(db)
    c = api_login(app_client, "cs_loan")
    body = {"name": "湖南新材料科技有限公司", "credit_code": code(7), "little_giant": True, "address": "长沙市岳麓区"}
    for field, value in (("credit_code", "91430100ABC"), ("name", "  "), ("credit_code", "914301000000000O7X")):
        r = c.post(API + "/borrowers", json={**body, field: value})
        assert r.status_code == 422 and r.json()["field"] == field, r.text
    assert c.post(API + "/borrowers", json={**body, "extra": 1}).status_code == 422
    made = c.post(API + "/borrowers", json=body)
    assert made.status_code == 201, made.text
    b = made.json()
    assert (b["credit_code"], b["little_giant"], b["version"]) == (code(7), True, 1)
    assert c.post(API + "/borrowers", json=body).json()["field"] == "credit_code"
    url = f"{API}/borrowers/{b['id']}"
    changed = c.put(url, json={**body, "industry": "新材料", "version": 1})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert c.put(url, json={**body, "version": 1}).status_code == 409
    assert [x["id"] for x in c.get(API + "/borrowers?q=新材料&little_giant=true").json()] == [b["id"]]
    assert c.get(API + "/borrowers?little_giant=false").json() == []
    assert c.get(API + f"/borrowers?credit_code={code(7)[-6:].lower()}").json()[0]["id"] == b["id"]

    bureau = api_login(app_client, "cs_ip_fin")  # sees every bank's borrowers, writes none
    assert bureau.get(url).json()["industry"] == "新材料"
    assert bureau.put(url, json={**body, "version": 2}).status_code == 403
    outsider = api_login(app_client, "js_loan")
    assert outsider.get(API + "/borrowers").json() == []
    assert outsider.get(url).status_code == 404
    assert outsider.put(url, json={**body, "version": 2}).status_code == 404
    assert outsider.delete(url + "?version=2").status_code == 404

    c = api_login(app_client, "cs_loan")
    add_loan(db, b["id"])
    refused = c.delete(url + "?version=2")
    assert refused.status_code == 409 and "已有 1 笔质押贷款" in refused.json()["detail"]
    page = c.get(f"{B}/{b['id']}")
    assert "ZY-2024-001" in page.text and "15,000,000.00" in page.text and "已放款" in page.text
    assert "不能删除" in page.text
    second = c.post(API + "/borrowers", json={**body, "credit_code": code(8)}).json()
    assert c.delete(f"{API}/borrowers/{second['id']}?version=1").status_code == 204
    assert c.get(f"{API}/borrowers/{second['id']}").status_code == 404
    assert audited(db, "finance_borrowers") == ["insert", "update", "insert", "delete"]


def test_the_rules_page_shows_percent_wan_and_yuan_works_the_example_out_and_edits_with_the_version(
    app_client: TestClient, db: Database
) -> None:
    people(db)
    lender = api_login(app_client, "cs_loan")
    page = lender.get("/finance/rules")
    assert page.status_code == 200 and "<td>30%</td>" in page.text and "新建风险补偿规则" not in page.text
    for shown in ("<td>45%</td>", "5,000,000.00", ">500<", "540 万元", "按 500 万元补偿", "共 580 万元", "即 120 万元"):
        assert shown in page.text, shown
    assert "贷款本金至多 300 万元" in page.text  # 30 % of the example's 1,000万 of patents
    assert lender.post("/finance/rules/ceilings", data={"patent_type": "invention", "ceiling": "50"}).status_code == 403

    c = api_login(app_client, "cs_ip_fin")
    c.follow_redirects = False  # each saved form answers 303
    assert "新建风险补偿规则" in c.get("/finance/rules").text
    zero = c.post("/finance/rules/ceilings", data={"patent_type": "invention", "ceiling": "0"})
    assert zero.status_code == 422 and "（字段：ceiling）" in zero.text
    assert c.post("/finance/rules/ceilings", data={"patent_type": "invention", "ceiling": "50"}).is_redirect
    shown = c.get("/finance/rules").text
    assert "加权的 42%" in shown and "贷款本金至多 420 万元" in shown  # (600 × 50 % + 400 × 30 %) ÷ 1,000
    stale = c.post("/finance/rules/ceilings", data={"patent_type": "all", "ceiling": "35", "version": "9"})
    assert stale.status_code == 409 and "已被他人修改" in stale.text
    assert c.post("/finance/rules/ceilings", data={"patent_type": "all", "ceiling": "35", "version": "1"}).is_redirect
    keep_all = c.post("/finance/rules/ceilings/all/delete", data={"version": "2"})
    assert keep_all.status_code == 422 and "（字段：patent_type）" in keep_all.text
    assert c.post("/finance/rules/ceilings/invention/delete", data={"version": "1"}).is_redirect

    rule = {"code": "hunan-2025", "name": "新规则", "pool_share": "50", "lender_share": "45", "valuer_share": "10"}
    over = c.post("/finance/rules/risk-pool", data={**rule, "per_firm_cap": "800"})
    assert over.status_code == 422 and "（字段：pool_share）" in over.text and "105%" in over.text
    assert 'value="hunan-2025"' in over.text  # the add form keeps what was typed
    rule["pool_share"] = "45"
    assert c.post("/finance/rules/risk-pool", data={**rule, "per_firm_cap": "800.5"}).is_redirect
    with db.reading() as s:
        new = s.scalar(select(RiskPoolRule).where(RiskPoolRule.code == "hunan-2025"))
        assert new is not None and new.per_firm_cap == Decimal("8005000.00") and new.pool_share == 0.45
        new_id = new.id
    edit = {**rule, "pool_share": "40", "lender_share": "50", "per_firm_cap": "", "version": "1"}
    assert c.post(f"/finance/rules/risk-pool/{new_id}", data=edit).is_redirect
    assert c.post(f"/finance/rules/risk-pool/{new_id}", data=edit).status_code == 409
    assert c.post(f"/finance/rules/risk-pool/{new_id}/retire", data={"version": "2"}).is_redirect
    shown = c.get("/finance/rules").text
    assert "不设上限" in shown and "已停用" in shown and "示例（新规则）" not in shown
    assert c.post(f"/finance/rules/risk-pool/{new_id}/restore", data={"version": "3"}).is_redirect
    assert "示例（新规则）" in c.get("/finance/rules").text
    assert audited(db, "finance_pledge_ceilings") == ["insert", "update", "delete"]
    assert audited(db, "finance_risk_pool_rules") == ["insert", "update", "update", "update"]


def test_the_rules_api_sets_and_removes_ceilings_and_keeps_the_numbers_of_a_rule_that_shared_a_loss(
    app_client: TestClient, db: Database
) -> None:
    people(db)
    c = api_login(app_client, "cs_ip_fin")
    rules = c.get(API + "/rules").json()
    assert rules["ceilings"] == [
        {
            "patent_type": "all",
            "label": "全部类型（默认）",
            "ceiling": 0.3,
            "note": rules["ceilings"][0]["note"],
            "version": 1,
        }
    ]
    hunan = rules["risk_pool_rules"][0]
    assert (hunan["code"], hunan["pool_share"], hunan["per_firm_cap"]) == ("hunan-2023", 0.45, "5000000.00")
    assert c.put(API + "/ceilings/utility", json={"ceiling": 0.25, "note": "实用新型"}).json()["version"] == 1
    no_version = c.put(API + "/ceilings/utility", json={"ceiling": 0.2})
    assert no_version.status_code == 422 and no_version.json()["field"] == "version"
    for kind, ceiling, field in (("plant", 0.2, "patent_type"), ("design", 1.5, "ceiling"), ("design", 0, "ceiling")):
        r = c.put(f"{API}/ceilings/{kind}", json={"ceiling": ceiling})
        assert r.status_code == 422 and r.json()["field"] == field, r.text
    assert c.put(API + "/ceilings/utility", json={"ceiling": 0.2, "version": 1}).json()["ceiling"] == 0.2
    assert c.delete(API + "/ceilings/all?version=1").json()["field"] == "patent_type"
    assert c.delete(API + "/ceilings/utility?version=1").status_code == 409
    assert c.delete(API + "/ceilings/utility?version=2").status_code == 204
    assert c.delete(API + "/ceilings/utility?version=2").status_code == 404

    rule = {"code": "xj-2024", "name": "湘江新区补偿", "pool_share": 0.4, "lender_share": 0.5, "valuer_share": 0.1}
    for field, value in (("pool_share", 0.5), ("valuer_share", -0.1), ("per_firm_cap", "-1"), ("per_firm_cap", 0.001)):
        r = c.post(API + "/risk-pool-rules", json={**rule, field: value})
        assert r.status_code == 422 and r.json()["field"] == field, (field, r.text)
    assert c.post(API + "/risk-pool-rules", json={**rule, "code": "Bad Code"}).json()["field"] == "code"
    made = c.post(API + "/risk-pool-rules", json={**rule, "per_firm_cap": 3000000})
    assert made.status_code == 201 and made.json()["per_firm_cap"] == "3000000.00"
    assert c.post(API + "/risk-pool-rules", json=rule).json()["field"] == "code"
    url = f"{API}/risk-pool-rules/{made.json()['id']}"
    retired = c.put(url, json={**{k: v for k, v in rule.items() if k != "code"}, "retired": True, "version": 1})
    assert retired.json()["retired"] is True and retired.json()["version"] == 2

    lender = api_login(app_client, "cs_loan")
    borrower = lender.post(API + "/borrowers", json={"name": "违约企业", "credit_code": code(9)}).json()
    assert lender.put(API + "/ceilings/design", json={"ceiling": 0.2}).status_code == 403
    add_loan(db, borrower["id"], "hunan-2023")
    c = api_login(app_client, "cs_ip_fin")
    body = {"name": "湖南省风险补偿（修订名称）", "pool_share": 0.45, "lender_share": 0.45, "valuer_share": 0.1}
    fixed = c.put(
        f"{API}/risk-pool-rules/{hunan['id']}", json={**body, "pool_share": 0.5, "lender_share": 0.4, "version": 1}
    )
    assert fixed.status_code == 409 and "停用该规则并新建" in fixed.json()["detail"]
    renamed = c.put(f"{API}/risk-pool-rules/{hunan['id']}", json={**body, "per_firm_cap": "5000000", "version": 1})
    assert renamed.status_code == 200 and renamed.json()["name"] == body["name"]
    assert "已用于分担违约损失" in c.get("/finance/rules").text
