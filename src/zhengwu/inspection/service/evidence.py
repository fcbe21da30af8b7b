"""Evidence (佐证材料) of rectification items: add files to the item's current cycle, list them (every cycle) and read
one back. Adding needs ``inspection.rectify`` over the item and the item still being rectified; reading needs
``inspection.view`` over it. Every file of a submission is checked (count, size, magic bytes) before any is written;
the bytes are masked in the audit log (``ItemEvidence.__audit_mask__``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhengwu.core.attachments import CheckedFile, Limits, Purpose, check_count, check_file, size_label
from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Conflict, Invalid, NotFound
from zhengwu.core.matters import service as matters
from zhengwu.core.org.access import check_write
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import User
from zhengwu.inspection.kinds import ITEM
from zhengwu.inspection.model import RECTIFY
from zhengwu.inspection.model.workflows import ItemState
from zhengwu.inspection.tables import ItemEvidence, ItemMatter

#: A submitted file: the name the client gave and its bytes.
Upload = tuple[str, bytes]


@dataclass(frozen=True)
class EvidenceInfo:
    """What lists show of a file of evidence (never its bytes)."""

    id: int
    item_id: int
    cycle: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    uploader: str

    @property
    def size_label(self) -> str:
        return size_label(self.size)

    @property
    def url(self) -> str:
        return f"/inspection/items/{self.item_id}/evidence/{self.id}"

    @property
    def cycle_label(self) -> str:
        return "首次整改" if self.cycle == 0 else f"第 {self.cycle} 次退回后重新整改"


def _load(session: Session, principal: Principal | None, item_id: int) -> ItemMatter:
    item = matters.load(session, principal, ITEM, item_id)
    assert isinstance(item, ItemMatter)
    return item


def check_uploads(files: Sequence[Upload], limits: Limits, field: str) -> list[CheckedFile]:
    """Every file checked (count first), or ``Invalid`` naming ``field``; nothing is written."""
    present = [(name, data) for name, data in files if name or data]
    check_count(present, limits, field)
    return [check_file(name, data, Purpose.EVIDENCE, limits, field) for name, data in present]


def add_evidence(
    uow: UnitOfWork,
    principal: Principal | None,
    item_id: int,
    files: Sequence[Upload],
    limits: Limits,
    field: str = "files",
) -> list[ItemEvidence]:
    """Files of evidence (photos or PDF) for the item's current rectification cycle."""
    item = _load(uow.session, principal, item_id)
    check_write(uow.session, principal, RECTIFY, item)
    checked = check_uploads(files, limits, field)
    if not checked:
        raise Invalid("请选择要上传的佐证材料。", field=field)
    if item.status != ItemState.RECTIFYING.value:
        raise Conflict("只有整改中的事项可以上传佐证材料；已提交的事项如需补充，须退回重新整改。")
    now = uow.clock.now()
    uploader = principal.user_id if principal is not None and principal.user_id else None
    rows = [
        ItemEvidence(
            item_id=item.id,
            cycle=item.cycle,
            filename=f.filename,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
            data=f.data,
            uploaded_by=uploader,
            uploaded_at=now,
        )
        for f in checked
    ]
    uow.session.add_all(rows)
    uow.flush()
    return rows


def evidence_count(session: Session, item_id: int, cycle: int) -> int:
    """How many files of evidence the item has in ``cycle``."""
    stmt = select(func.count()).select_from(ItemEvidence).where(ItemEvidence.item_id == item_id)
    return int(session.scalar(stmt.where(ItemEvidence.cycle == cycle)) or 0)


def evidence_names(session: Session, item_id: int, cycle: int) -> list[str]:
    """The file names of the item's evidence in ``cycle``, oldest first."""
    stmt = select(ItemEvidence.filename).where(ItemEvidence.item_id == item_id, ItemEvidence.cycle == cycle)
    return list(session.scalars(stmt.order_by(ItemEvidence.id)))


def list_evidence(session: Session, principal: Principal | None, item_id: int) -> list[EvidenceInfo]:
    """The item's evidence of every cycle within the principal's view scope, oldest first, without the bytes."""
    _load(session, principal, item_id)
    rows = session.execute(
        select(
            ItemEvidence.id,
            ItemEvidence.item_id,
            ItemEvidence.cycle,
            ItemEvidence.filename,
            ItemEvidence.content_type,
            ItemEvidence.size,
            ItemEvidence.sha256,
            ItemEvidence.uploaded_at,
            User.full_name,
        )
        .outerjoin(User, User.id == ItemEvidence.uploaded_by)
        .where(ItemEvidence.item_id == item_id)
        .order_by(ItemEvidence.id)
    )
    return [EvidenceInfo(*row[:8], row[8] or "") for row in rows]


def get_evidence(session: Session, principal: Principal | None, item_id: int, evidence_id: int) -> ItemEvidence:
    """One file with its bytes, if the item lies in the principal's view scope (NotFound otherwise)."""
    _load(session, principal, item_id)
    found = session.scalar(select(ItemEvidence).where(ItemEvidence.id == evidence_id, ItemEvidence.item_id == item_id))
    if found is None:
        raise NotFound("佐证材料不存在。")
    _ = found.data  # load the deferred bytes while the session is open
    return found
