"""Permission cases of the bulk import of requests: the upload page, the upload and the template.

The area's records: none of its own (it uses requests_intake's people and the seed categories).
"""

from __future__ import annotations

from tests.support.walk import Call, Case

ONE_ROW = "诉求类型,问题分类,诉求内容,联系电话\n求助,traffic.road,权限测试导入,13900000000\n".encode()

CASES: dict[tuple[str, str], Case] = {
    ("GET", "/requests/import"): Case("requests.receive", lambda i: Call("GET", "/requests/import"), "r_hotline"),
    ("POST", "/requests/import"): Case(
        "requests.receive",
        lambda i: Call("POST", "/requests/import", files={"file": ("导入.csv", ONE_ROW, "text/csv")}),
        "r_hotline",
        ok=(303,),
    ),
    ("GET", "/requests/import/template.xlsx"): Case(
        "requests.receive", lambda i: Call("GET", "/requests/import/template.xlsx"), "r_hotline"
    ),
}
