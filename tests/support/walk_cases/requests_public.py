"""Permission cases of the citizen's public pages (no login) and of request attachments.

The area's records: one request taken in through the public web form with a photo, whose query code is the known
``WALK_CODE`` (its hash is set after intake, since a real code is random).
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.walk import Call, Case, Ids
from zhengwu.core.attachments import Limits
from zhengwu.core.db import Actor, Database
from zhengwu.requests.tables import RequestAttachment, RequestMatter, RequestWebReceipt

WALK_CODE = "WALKCODE23"


def tiny_png() -> bytes:
    """A 1×1 greyscale PNG (PNG specification: signature, IHDR, IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b"")
    )


def public_form(i: Ids) -> dict[str, Any]:
    return {"type": "complaint", "category_id": i["cat:traffic.road"], "description": "网上反映：路灯不亮"}


CASES: dict[tuple[str, str], Case] = {
    ("GET", "/public/requests/new"): Case("public", lambda i: Call("GET", "/public/requests/new")),
    ("POST", "/public/requests/new"): Case(
        "public",
        lambda i: Call(
            "POST", "/public/requests/new", data=public_form(i), files={"photos": ("a.png", tiny_png(), "image/png")}
        ),
    ),
    ("GET", "/public/requests/status"): Case("public", lambda i: Call("GET", "/public/requests/status")),
    ("POST", "/public/requests/status"): Case(
        "public",
        lambda i: Call("POST", "/public/requests/status", data={"serial": i["web_serial"], "code": WALK_CODE}),
    ),
    ("GET", "/requests/{request_id}/attachments/{attachment_id}"): Case(
        "requests.view",
        lambda i: Call("GET", f"/requests/{i['web_request']}/attachments/{i['web_attachment']}"),
        "r_hotline",
        outsider="r_outsider",
    ),
    ("POST", "/requests/{request_id}/attachments"): Case(
        "requests.handle",
        lambda i: Call(
            "POST",
            f"/requests/{i['web_request']}/attachments",
            files={"files": ("验收.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
        ),
        ok=(303,),
        outsider="r_outsider",
    ),
    ("GET", "/api/v1/requests/{request_id}/attachments"): Case(
        "requests.view",
        lambda i: Call("GET", f"/api/v1/requests/{i['web_request']}/attachments"),
        "r_hotline",
        outsider="r_outsider",
        hidden=None,
    ),
}


def prepare(db: Database) -> None:
    """One request through the public form (with a photo), its query code set to ``WALK_CODE``."""
    from zhengwu.core import crypto
    from zhengwu.requests import service as requests
    from zhengwu.requests.service.public import RatePolicy, client_hash, query_hash, receive_from_web

    if crypto.installed(db.engine) is None:
        crypto.install(db.engine, crypto.Keyring(crypto.derive_key("test-secret")))
    with db.uow(Actor(None, "测试数据")) as uow:
        created, _code = receive_from_web(
            uow,
            unit_code="fh",
            source=client_hash("test-secret", "198.51.100.1"),
            policy=RatePolicy(),
            limits=Limits(),
            photos=[("现场.png", tiny_png())],
            fields={
                "type": "complaint",
                "category_id": requests.category_by_code(uow.session, "traffic.road").id,
                "description": "网上反映：S256 路面坑槽",
            },
        )
        receipt = uow.session.get(RequestWebReceipt, created.id)
        assert receipt is not None
        receipt.query_hash = query_hash(created.serial, WALK_CODE)
        uow.commit()


def ids(session: Session) -> Ids:
    web = session.execute(
        select(RequestMatter.id, RequestMatter.serial).join(
            RequestWebReceipt, RequestWebReceipt.matter_id == RequestMatter.id
        )
    ).first()
    assert web is not None
    attachment = session.scalar(select(RequestAttachment.id).where(RequestAttachment.matter_id == web[0]))
    return {"web_request": web[0], "web_serial": web[1], "web_attachment": attachment}
