"""The citizen's public web form end to end: no login, photos checked by their bytes, a receipt with serial and
query code, the status look-up that shows nothing personal, the per-address rate limit, every bad input refused
with nothing stored, and attachments readable only with the grant."""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import PASSWORD, csrf, login
from tests.support.request_people import category, setup
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.matters.tables import Matter
from zhengwu.core.settings import Settings
from zhengwu.requests.tables import RequestAttachment, RequestMatter, RequestWebReceipt

PHONE = "13987654321"
NAME = "李四光"
MAX_BYTES = 4096


def png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG (8-bit greyscale), built by hand per the PNG specification (RFC 2083): signature, IHDR, IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + bytes([0x80] * width) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        database_url=db_url,
        secret_key="test-secret",
        attachment_max_bytes=MAX_BYTES,
        attachment_max_files=3,
        public_rate_limit=3,
        public_rate_window_minutes=10,
        _env_file=None,
    )


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    setup(db)
    from zhengwu.web.app import create_app

    with TestClient(create_app(settings, db)) as c:
        c.get("/public/requests/new")
        yield c


def good_form(db: Database, **changes: str) -> dict[str, str]:
    form = {
        "type": "complaint",
        "category_id": str(category(db, "traffic.road")),
        "description": "S256 腊尔山段路面坑槽多，夜间行车危险",
        "address": "凤凰县腊尔山镇",
        "road_code": "S256",
        "km_from": "K12+300",
        "km_to": "K27+900",
        "latitude": "27.95",
        "longitude": "109.6",
        "reporter_name": NAME,
        "reporter_phone": PHONE,
    }
    form.update(changes)
    return form


def submit(client: TestClient, data: dict[str, str], files: list[tuple[str, bytes, str]] | None = None) -> Any:
    parts = [("photos", f) for f in (files or [])]
    return client.post(
        "/public/requests/new", data={**data, "csrf_token": csrf(client)}, files=parts or None, follow_redirects=False
    )


def counts(db: Database) -> tuple[int, ...]:
    with db.reading() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(t)) or 0
            for t in (Matter, RequestMatter, RequestAttachment, RequestWebReceipt)
        )


def receipt(response: Any) -> tuple[str, str]:
    serial = re.search(r'class="serial">([^<]+)<', response.text)
    code = re.search(r'class="token">([^<]+)<', response.text)
    assert serial and code, response.text
    return serial[1], code[1]


def test_the_form_needs_no_login_and_carries_a_csrf_token(client: TestClient) -> None:
    client.cookies.clear()
    r = client.get("/public/requests/new")
    assert r.status_code == 200
    assert 'name="csrf_token"' in r.text and 'type="file" name="photos"' in r.text
    assert "交通运输 › 公路养护" in r.text and 'class="sidebar"' not in r.text and "/login" not in r.text
    assert "zw_csrf" in r.cookies


def test_a_post_without_the_csrf_token_is_refused(client: TestClient, db: Database) -> None:
    before = counts(db)
    r = client.post("/public/requests/new", data=good_form(db))
    assert r.status_code == 403
    assert counts(db) == before


def test_a_citizen_reports_with_a_photo_and_gets_a_serial_and_query_code(client: TestClient, db: Database) -> None:
    photo = png()
    r = submit(client, good_form(db), [("路面坑槽.jpg", photo, "image/jpeg")])
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    serial, code = receipt(r)
    assert serial.startswith("诉-2024-") and len(code) == 10
    with db.reading() as s:
        req = s.scalar(select(RequestMatter).where(RequestMatter.serial == serial))
        assert req is not None
        assert (req.channel, req.status, req.anonymous, req.reporter_phone) == ("web", "received", False, PHONE)
        files = list(s.scalars(select(RequestAttachment).where(RequestAttachment.matter_id == req.id)))
        assert [(f.filename, f.content_type, f.size, f.purpose.value, f.uploaded_by) for f in files] == [
            ("路面坑槽.png", "image/png", len(photo), "intake", None)
        ]
        assert files[0].data == photo
        receipt_row = s.get(RequestWebReceipt, req.id)
        assert receipt_row is not None and "testclient" not in receipt_row.source_hash
        assert code not in receipt_row.query_hash


def test_the_audit_log_keeps_neither_the_bytes_nor_the_reporter(client: TestClient, db: Database) -> None:
    submit(client, good_form(db), [("a.png", png(), "image/png")])
    with db.reading() as s:
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.table_name.like("request_%"))))
    logged = " ".join(e.after or "" for e in entries)
    attachment = next(json.loads(e.after or "{}") for e in entries if e.table_name == "request_attachments")
    assert attachment["data"] == "***" and attachment["content_type"] == "image/png"
    assert PHONE not in logged and NAME not in logged and "IHDR" not in logged


def test_an_anonymous_report_needs_neither_name_nor_phone(client: TestClient, db: Database) -> None:
    r = submit(client, good_form(db, reporter_name="", reporter_phone=""))
    assert r.status_code == 200, r.text
    with db.reading() as s:
        req = s.scalar(select(RequestMatter))
        assert req is not None and req.anonymous and req.reporter_phone is None


def test_the_status_page_shows_the_status_and_nothing_personal(client: TestClient, db: Database) -> None:
    serial, code = receipt(submit(client, good_form(db), [("a.png", png(), "image/png")]))
    client.cookies.clear()
    client.get("/public/requests/status")
    r = client.post(
        "/public/requests/status", data={"serial": serial, "code": code.lower(), "csrf_token": csrf(client)}
    )
    assert r.status_code == 200, r.text
    for text in (serial, "待受理", "公路养护", "凤凰县"):
        assert text in r.text, text
    for secret in (PHONE, NAME, PHONE[-4:], "腊尔山镇", "坑槽"):
        assert secret not in r.text, secret


def test_a_wrong_query_code_or_serial_finds_nothing(client: TestClient, db: Database) -> None:
    serial, code = receipt(submit(client, good_form(db)))
    for s, c in ((serial, "ABCDEFGHJK"), ("诉-2024-999999", code), (serial, "")):
        r = client.post("/public/requests/status", data={"serial": s, "code": c, "csrf_token": csrf(client)})
        assert r.status_code == 404 and "没有找到" in r.text and "待受理" not in r.text


def test_the_status_page_shows_the_result_once_resolved(client: TestClient, db: Database) -> None:
    serial, code = receipt(submit(client, good_form(db)))
    with db.uow() as uow:
        req = uow.session.scalar(select(RequestMatter).where(RequestMatter.serial == serial))
        assert req is not None
        req.status, req.result = "resolved", "已完成路面拉毛 15.6 公里"
        uow.commit()
    r = client.post("/public/requests/status", data={"serial": serial, "code": code, "csrf_token": csrf(client)})
    assert "已办结" in r.text and "已完成路面拉毛 15.6 公里" in r.text


def test_past_the_rate_limit_an_address_gets_429_until_the_window_passes(
    client: TestClient, db: Database, clock: FakeClock
) -> None:
    for _ in range(3):
        assert submit(client, good_form(db)).status_code == 200
    before = counts(db)
    r = submit(client, good_form(db))
    assert r.status_code == 429
    assert "最多可提交 3 件" in r.text and r.headers["retry-after"] == "600"
    assert counts(db) == before
    clock.advance(minutes=11)
    assert submit(client, good_form(db)).status_code == 200


TOO_LONG = "路" * 4001
BAD = [
    ("unknown category", {"category_id": "999999"}, None, "category_id", "问题分类"),
    ("coordinates outside China", {"latitude": "51.5", "longitude": "-0.1"}, None, "latitude", "中国境内"),
    ("km range reversed", {"km_from": "K27+900", "km_to": "K12+300"}, None, "km_to", "止点桩号"),
    ("description over 4000", {"description": TOO_LONG}, None, "description", "4000"),
    ("HTML in the description", {"description": "<script>alert(1)</script>"}, None, "description", "HTML"),
    ("HTML in the address", {"address": '<a href="x">凤凰</a>'}, None, "address", "HTML"),
    ("a name without a phone", {"reporter_phone": ""}, None, "reporter_phone", "联系电话"),
    ("a bad phone", {"reporter_phone": "call me"}, None, "reporter_phone", "联系电话"),
    ("a text file named .jpg", {}, [("坑.jpg", b"this is not a picture", "image/jpeg")], "photos", "不是允许的类型"),
    ("a PDF as an intake photo", {}, [("a.pdf", b"%PDF-1.4\n%%EOF", "application/pdf")], "photos", "不是允许的类型"),
    ("an oversized photo", {}, [("big.png", png() + bytes(MAX_BYTES), "image/png")], "photos", "大小上限"),
    ("too many photos", {}, [(f"{i}.png", png(), "image/png") for i in range(4)], "photos", "最多上传 3 个"),
    ("a good photo with a bad field", {"category_id": "0"}, [("a.png", png(), "image/png")], "category_id", "问题分类"),
]


@pytest.mark.parametrize(("case", "changes", "files", "field", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(
    client: TestClient,
    db: Database,
    case: str,
    changes: dict[str, str],
    files: list[tuple[str, bytes, str]] | None,
    field: str,
    message: str,
) -> None:
    before = counts(db)
    r = submit(client, good_form(db, **changes), files)
    assert r.status_code == 422, r.text
    assert message in r.text and f"（字段：{field}）" in r.text
    assert counts(db) == before


def test_bad_input_does_not_count_against_the_rate_limit(client: TestClient, db: Database) -> None:
    for _ in range(5):
        assert submit(client, good_form(db, category_id="999999")).status_code == 422
    assert submit(client, good_form(db)).status_code == 200


def _attachment(db: Database) -> tuple[int, int]:
    with db.reading() as s:
        row = s.execute(select(RequestAttachment.matter_id, RequestAttachment.id)).one()
    return row[0], row[1]


def test_downloading_an_attachment_needs_the_view_grant_over_the_request(client: TestClient, db: Database) -> None:
    photo = png()
    submit(client, good_form(db), [("a.png", photo, "image/png")])
    matter_id, att_id = _attachment(db)
    url = f"/requests/{matter_id}/attachments/{att_id}"
    client.cookies.clear()
    assert client.get(url, follow_redirects=False).status_code == 303
    login(client, "r_outsider", "Secret123")
    assert client.get(url).status_code == 404
    client.cookies.clear()
    login(client, "r_hotline", "Secret123")
    r = client.get(url)
    assert r.status_code == 200 and r.content == photo
    assert r.headers["content-type"] == "image/png"
    assert r.headers["content-disposition"].startswith("attachment;")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert client.get(f"/requests/{matter_id}/attachments/{att_id + 999}").status_code == 404


def test_handling_evidence_needs_the_handle_grant(client: TestClient, db: Database) -> None:
    submit(client, good_form(db))
    with db.reading() as s:
        matter_id = s.scalar(select(RequestMatter.id))
    pdf = ("验收单.pdf", b"%PDF-1.4\n1 0 obj\n%%EOF\n", "application/pdf")

    def upload(username: str, password: str = "Secret123") -> Any:
        client.cookies.clear()
        login(client, username, password)
        return client.post(
            f"/requests/{matter_id}/attachments",
            data={"csrf_token": csrf(client)},
            files=[("files", pdf)],
            follow_redirects=False,
        )

    assert upload("r_hotline").status_code == 403  # views and receives, does not handle
    assert upload("r_outsider").status_code == 404
    r = upload("admin", PASSWORD)
    assert r.status_code == 303, r.text
    with db.reading() as s:
        row = s.scalar(select(RequestAttachment))
        assert row is not None and (row.purpose.value, row.content_type) == ("evidence", "application/pdf")
        assert row.uploaded_by is not None


def test_the_clerk_can_attach_photos_when_registering(client: TestClient, db: Database) -> None:
    client.cookies.clear()
    login(client, "r_hotline", "Secret123")
    form = {**good_form(db), "channel": "phone", "csrf_token": csrf(client)}
    r = client.post(
        "/requests/new", data=form, files=[("photos", ("x.png", png(), "image/png"))], follow_redirects=False
    )
    assert r.status_code == 303, r.text
    with db.reading() as s:
        row = s.scalar(select(RequestAttachment))
        assert row is not None and row.uploaded_by is not None and row.purpose.value == "intake"
    before = counts(db)
    bad = client.post("/requests/new", data=form, files=[("photos", ("x.jpg", b"text", "image/jpeg"))])
    assert bad.status_code == 422 and "不是允许的类型" in bad.text
    assert counts(db) == before


def test_the_attachments_panel_lists_download_links_and_offers_evidence_upload_to_handlers(
    client: TestClient, db: Database
) -> None:
    from tests.support.request_people import TZ
    from zhengwu.core.org.model import system_principal
    from zhengwu.requests.service.attachments import attachments_panel

    submit(client, good_form(db), [("现场.png", png(), "image/png")])
    matter_id, att_id = _attachment(db)
    app: Any = client.app
    template = app.state.templates.get_template("requests/_attachments.html")
    with db.reading() as s:
        panel = attachments_panel(s, system_principal(), matter_id)
    html = template.render(**panel, tz=TZ, csrf_field="csrf_token", csrf_token="t")
    assert f'href="/requests/{matter_id}/attachments/{att_id}"' in html and "现场.png" in html and "受理照片" in html
    assert f'action="/requests/{matter_id}/attachments"' in html and 'name="files"' in html
    with db.reading() as s:
        from tests.conftest import principal

        hotline = attachments_panel(s, principal(db, "r_hotline"), matter_id)
    assert not hotline["can_add_evidence"]


def test_a_nul_character_is_refused_on_the_form_itself(client: TestClient, db: Database) -> None:
    before = counts(db)
    r = submit(client, good_form(db, address="凤凰\x00县"))
    assert r.status_code == 422 and "（字段：address）" in r.text and "我要反映" in r.text
    assert counts(db) == before
