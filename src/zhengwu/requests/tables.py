"""ORM mapping of public requests: the categories dictionary, routing rules, special actions (campaigns) and the
request itself, joined one-to-one to ``matters``.

The reporter's name and phone are encrypted at rest (``EncryptedString``) and masked in the audit log.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import Enum, ForeignKey, Index, LargeBinary, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zhengwu.core.attachments import Purpose
from zhengwu.core.crypto import EncryptedString
from zhengwu.core.db import Base
from zhengwu.core.matters.model import LimitUnit
from zhengwu.core.matters.tables import Matter
from zhengwu.requests.model import KIND_CODE, CategoryKind, DeclineReason, ProjectStatus, RequestType

REPORTER_NAME_CHARS = 50
REPORTER_PHONE_CHARS = 20


def _enum(enum: type[StrEnum], name: str) -> Enum:
    return Enum(enum, name=name, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class RequestCategory(Base):
    """One entry of the editable classification: a request type (咨询 …) or a subject category (交通运输 › 公路养护).

    ``limit_amount``/``limit_unit`` override the handling limit for requests of this category and its children;
    ``urgent`` makes them urgent safety matters (2 working hours).
    """

    __tablename__ = "request_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CategoryKind] = mapped_column(_enum(CategoryKind, "request_category_kind"))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("request_categories.id", ondelete="RESTRICT"))
    level: Mapped[int] = mapped_column(default=1)
    limit_amount: Mapped[int | None]
    limit_unit: Mapped[LimitUnit | None] = mapped_column(_enum(LimitUnit, "request_limit_unit"))
    urgent: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class RequestCampaign(Base):
    """A special action (专项行动) a commission runs; requests it surfaces are tagged with it."""

    __tablename__ = "request_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    commission_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class RequestRoutingRule(Base):
    """Requests of a category (and its children; NULL: any) arising in a unit's subtree (NULL: anywhere) go to
    ``target_unit_id``; the most specific rule wins (``model.suggest_unit``)."""

    __tablename__ = "request_routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("request_categories.id", ondelete="CASCADE"))
    area_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    target_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    priority: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class RequestMatter(Matter):
    """A citizen's request: the matter's own columns. ``matters.body`` holds the description and
    ``matters.channel`` the channel; ``intake_unit_id`` is the hotline that received it (its owner until dispatch
    and again after a send-back)."""

    __tablename__ = "request_matters"
    __audit_mask__: ClassVar[frozenset[str]] = frozenset({"reporter_name", "reporter_phone"})

    id: Mapped[int] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"), primary_key=True)
    type: Mapped[RequestType] = mapped_column(_enum(RequestType, "request_type"))
    category_id: Mapped[int] = mapped_column(ForeignKey("request_categories.id", ondelete="RESTRICT"), index=True)
    intake_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    area_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    address: Mapped[str] = mapped_column(String(200), default="")
    road_code: Mapped[str] = mapped_column(String(8), default="")
    km_from: Mapped[int | None]
    km_to: Mapped[int | None]
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    reporter_name: Mapped[str | None] = mapped_column(EncryptedString(REPORTER_NAME_CHARS))
    reporter_phone: Mapped[str | None] = mapped_column(EncryptedString(REPORTER_PHONE_CHARS))
    anonymous: Mapped[bool] = mapped_column(default=False)
    urgent: Mapped[bool] = mapped_column(default=False)
    handle_amount: Mapped[int]
    handle_unit: Mapped[LimitUnit] = mapped_column(_enum(LimitUnit, "request_handle_unit"))
    result: Mapped[str | None] = mapped_column(Text)
    difficulties_solved: Mapped[int | None]
    callback_solved: Mapped[bool | None]
    callback_satisfied: Mapped[bool | None]
    decline_reason: Mapped[DeclineReason | None] = mapped_column(_enum(DeclineReason, "request_decline_reason"))
    send_back_count: Mapped[int] = mapped_column(default=0)
    send_back_reason: Mapped[str | None] = mapped_column(Text)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("request_campaigns.id", ondelete="RESTRICT"), index=True)

    __mapper_args__ = {"polymorphic_identity": KIND_CODE}  # noqa: RUF012


class RequestCampaignUnit(Base):
    """A department pressed into a special action (专项行动); ``sort_order`` keeps the commission's order."""

    __tablename__ = "request_campaign_units"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("request_campaigns.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), primary_key=True)
    sort_order: Mapped[int] = mapped_column(default=0)


class RequestProject(Base):
    """A rectification project (整改项目) spawned by a request. ``unit_id`` is the request's owner unit when the
    project was created (its data scope); ``expected_on`` is computed by ``model.expected_completion``."""

    __tablename__ = "request_projects"
    __scope_unit__: ClassVar[str] = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("request_matters.id", ondelete="RESTRICT"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    survey: Mapped[str] = mapped_column(Text, default="")
    survey_done_on: Mapped[date | None]
    starts_on: Mapped[date]
    duration_days: Mapped[int]
    working_days: Mapped[bool] = mapped_column(default=False)
    expected_on: Mapped[date]
    completed_on: Mapped[date | None]
    status: Mapped[ProjectStatus] = mapped_column(_enum(ProjectStatus, "request_project_status"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class RequestProjectMeasure(Base):
    """One measure of a project, in order (e.g. 弯道及光滑路面拉毛 15.6 公里)."""

    __tablename__ = "request_project_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("request_projects.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    unit: Mapped[str] = mapped_column(String(16), default="")


class RequestProjectMilestone(Base):
    """A milestone of a project: planned date, percent complete (0–100) and the day it was done."""

    __tablename__ = "request_project_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("request_projects.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    planned_on: Mapped[date]
    percent: Mapped[int] = mapped_column(default=0)
    done_on: Mapped[date | None]


class RequestAttachment(Base):
    """A file attached to a request: a photo taken in at intake or evidence of handling (``purpose``).

    The bytes live in the database (``data``, loaded only on demand) so that one backup holds the request and its
    files together; ``data`` is masked in the audit log. ``content_type`` is what the magic bytes showed, never what
    the client claimed; ``uploaded_by`` is NULL for a citizen's upload through the public form.
    """

    __tablename__ = "request_attachments"
    __audit_mask__: ClassVar[frozenset[str]] = frozenset({"data"})

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[Purpose] = mapped_column(_enum(Purpose, "request_attachment_purpose"))
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime]
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class RequestWebReceipt(Base):
    """What the public web form keeps beside a request it took in: a keyed hash of the submitting client's
    address (for the per-address rate limit; never the address itself) and a hash of the query code the citizen
    was given. Both are masked in the audit log."""

    __tablename__ = "request_web_receipts"
    __audit_mask__: ClassVar[frozenset[str]] = frozenset({"source_hash", "query_hash"})

    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"), primary_key=True)
    source_hash: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime]
    query_hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_request_web_receipts_source", "source_hash", "submitted_at"),)
