"""Attachments and the public web form through the service layer: evidence needs the handle grant, reading needs
the view grant within scope, the bytes never reach the audit log, intake photos only at intake; the web form acts
for the configured unit, keeps the client address only as a keyed hash, rate-limits per address, and its status
look-up answers only to the right query code."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from tests.support.request_people import SYSTEM, category, setup
from zhengwu.core.attachments import Limits, Purpose
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests
from zhengwu.core.matters.tables import Matter
from zhengwu.core.org.model import Principal, system_principal
from zhengwu.requests import service as requests
from zhengwu.requests.service import attachments as files
from zhengwu.requests.service.public import (
    RatePolicy,
    client_hash,
    forget_sources,
    public_status,
    receive_from_web,
)
from zhengwu.requests.tables import RequestAttachment, RequestMatter, RequestWebReceipt

PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)
PDF = b"%PDF-1.4\n%%EOF\n"
ADDRESS = "203.0.113.7"


@pytest.fixture
def people(db: Database) -> dict[str, Principal]:
    return setup(db)


def fields(db: Database, **changes: Any) -> dict[str, Any]:
    return {"type": "complaint", "category_id": category(db, "traffic.road"), "description": "S256 路面湿滑", **changes}


def web(
    db: Database, photos: list[tuple[str, bytes]] | None = None, address: str = ADDRESS, **changes: Any
) -> tuple[int, str]:
    with db.uow(SYSTEM) as uow:
        created, code = receive_from_web(
            uow,
            unit_code="fh",
            source=client_hash("k", address),
            policy=RatePolicy(limit=2, window_minutes=10),
            limits=Limits(max_bytes=1024, max_files=2),
            photos=photos or [],
            fields=fields(db, **changes),
        )
        uow.commit()
        return created.id, code


def count(db: Database, table: Any) -> int:
    with db.reading() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_a_web_request_is_received_for_the_configured_unit_with_its_photos(db: Database, people: Any) -> None:
    request_id, code = web(db, [("a.jpg", PNG)])
    with db.reading() as s:
        req = s.get(RequestMatter, request_id)
        assert req is not None and req.channel == "web" and req.anonymous
        assert req.owner_unit_id == req.intake_unit_id == people["r_hotline"].unit_id
        receipt = s.get(RequestWebReceipt, request_id)
        assert receipt is not None and ADDRESS not in receipt.source_hash and code not in receipt.query_hash
    with db.reading() as s:
        items = files.list_attachments(s, people["r_hotline"], request_id)
    assert [(a.filename, a.purpose, a.uploader) for a in items] == [("a.png", Purpose.INTAKE, "群众")]


def test_the_rate_limit_counts_one_address_within_the_window(db: Database, people: Any, clock: FakeClock) -> None:
    web(db)
    web(db)
    with pytest.raises(TooManyRequests):
        web(db)
    web(db, address="198.51.100.9")  # another address has its own allowance
    clock.advance(minutes=10, seconds=1)
    web(db)
    assert count(db, RequestWebReceipt) == 4


def test_a_bad_photo_stores_nothing_at_all(db: Database, people: Any) -> None:
    before = (count(db, Matter), count(db, RequestAttachment), count(db, RequestWebReceipt))
    for photos in ([("a.jpg", b"text")], [("a.png", PNG)] * 3, [("big.png", PNG + bytes(2000))]):
        with pytest.raises(Invalid) as err:
            web(db, photos)
        assert err.value.field == "photos"
    assert (count(db, Matter), count(db, RequestAttachment), count(db, RequestWebReceipt)) == before


def test_the_status_answers_only_to_the_right_code(db: Database, people: Any) -> None:
    request_id, code = web(db)
    with db.reading() as s:
        serial = s.get(RequestMatter, request_id).serial  # type: ignore[union-attr]
    with db.uow() as uow:
        found = public_status(uow, serial, code)
        assert found is not None and found.status_label == "待受理" and found.result == ""
        assert public_status(uow, serial, "ABCDEFGHJK") is None
        assert public_status(uow, "诉-2024-999999", code) is None


def test_evidence_needs_the_handle_grant_over_the_request(db: Database, people: Any) -> None:
    request_id, _ = web(db)
    limits = Limits()
    with db.uow(SYSTEM) as uow, pytest.raises(Forbidden):
        files.add_evidence(uow, people["r_hotline"], request_id, [("r.pdf", PDF)], limits)
    with db.uow(SYSTEM) as uow, pytest.raises(NotFound):
        files.add_evidence(uow, people["r_outsider"], request_id, [("r.pdf", PDF)], limits)
    with db.uow(SYSTEM) as uow:
        added = files.add_evidence(uow, system_principal(), request_id, [("r.pdf", PDF)], limits)
        uow.commit()
        assert [a.purpose for a in added] == [Purpose.EVIDENCE]
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid):
        files.add_evidence(uow, system_principal(), request_id, [], limits)


def test_reading_an_attachment_needs_the_view_grant_in_scope(db: Database, people: Any) -> None:
    request_id, _ = web(db, [("a.png", PNG)])
    with db.reading() as s:
        att_id = s.scalar(select(RequestAttachment.id))
        assert att_id is not None
        assert files.get_attachment(s, people["r_hotline"], request_id, att_id).data == PNG
        with pytest.raises(NotFound):
            files.get_attachment(s, people["r_outsider"], request_id, att_id)
        with pytest.raises(NotFound):
            files.get_attachment(s, people["r_hotline"], request_id + 1000, att_id)


def test_the_audit_log_masks_the_bytes(db: Database, people: Any) -> None:
    web(db, [("a.png", PNG)])
    with db.reading() as s:
        entries = list(
            s.scalars(
                select(AuditEntry).where(AuditEntry.table_name.in_(["request_attachments", "request_web_receipts"]))
            )
        )
    values = {e.table_name: json.loads(e.after or "{}") for e in entries}
    assert values["request_attachments"]["data"] == "***" and values["request_attachments"]["sha256"]
    assert (
        values["request_web_receipts"]["source_hash"] == "***" and values["request_web_receipts"]["query_hash"] == "***"
    )


def test_intake_photos_are_only_added_while_the_request_is_received(db: Database, people: Any) -> None:
    request_id, _ = web(db)
    hotline = people["r_hotline"]
    with db.uow(SYSTEM) as uow:
        requests.accept(uow, hotline, request_id, note="受理")
        uow.commit()
    with db.uow(SYSTEM) as uow, pytest.raises(Conflict):
        req = uow.session.get(RequestMatter, request_id)
        assert req is not None
        files.add_intake_photos(uow, hotline, req, [("a.png", PNG)], Limits())


def test_deleting_a_request_removes_its_attachments_and_receipt(db: Database, people: Any) -> None:
    request_id, _ = web(db, [("a.png", PNG)])
    with db.uow(SYSTEM) as uow:
        uow.session.execute(delete(Matter.__table__).where(Matter.__table__.c.id == request_id))  # FK cascades
        uow.commit()
    assert count(db, RequestAttachment) == 0 and count(db, RequestWebReceipt) == 0


def test_address_hashes_older_than_the_window_can_be_forgotten(db: Database, people: Any, clock: FakeClock) -> None:
    old_id, _ = web(db)
    clock.advance(minutes=11)
    new_id, _ = web(db)
    with db.uow(SYSTEM) as uow:
        assert forget_sources(uow, RatePolicy(limit=2, window_minutes=10)) == 1
        uow.commit()
    with db.reading() as s:
        assert s.get(RequestWebReceipt, old_id).source_hash == ""  # type: ignore[union-attr]
        assert s.get(RequestWebReceipt, new_id).source_hash != ""  # type: ignore[union-attr]
