"""Bulk import of requests (批量导入) from an ``.xlsx`` or ``.csv`` file, validate-first.

Each data row is one request taken in exactly as the clerk's form takes it: the row's cells are read (the
category by code, name or path, the type and channel by code or label, numbers, yes/no cells, times), then the row
goes through ``intake.receive_request`` itself, so every rule of intake holds (road code, kilometre range,
coordinates in China, description length and no HTML, the reporter's phone, anonymity) and the reporter is stored
encrypted. Each row runs inside a savepoint, so a bad row does not stop the checking of the next ones; if any row is
bad, ``ImportRejected`` lists every problem as (row, column, reason) and the caller's unit of work is rolled back —
nothing is imported. Otherwise all the rows are written in the caller's one unit of work.

Columns (Chinese header, or the English field name, in any order): 诉求类型, 问题分类 and 诉求内容 are required;
收到时间 (default: now), 渠道 (default 批量导入), 标题, 地址, 路线编号, 起点桩号, 止点桩号, 纬度, 经度, 反映人姓名,
联系电话, 匿名, 紧急 and 所在区域 (a unit code) are optional. The importer's unit is the intake unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid
from zhengwu.core.imports import ImportRejected, RowError, map_header
from zhengwu.core.matters.imports.rows import Bad, clean, moment
from zhengwu.core.matters.imports.sheets import Sheet
from zhengwu.core.matters.service import DEFAULT_TZ
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.core.org.tables import Unit
from zhengwu.requests.model import RECEIVE, CategoryKind, Channel, RequestType
from zhengwu.requests.service.intake import receive_request
from zhengwu.requests.tables import RequestCategory

#: field → the column's Chinese header (either may head a column)
COLUMNS = {
    "received_at": "收到时间",
    "channel": "渠道",
    "type": "诉求类型",
    "category": "问题分类",
    "title": "标题",
    "description": "诉求内容",
    "address": "地址",
    "road_code": "路线编号",
    "km_from": "起点桩号",
    "km_to": "止点桩号",
    "latitude": "纬度",
    "longitude": "经度",
    "reporter_name": "反映人姓名",
    "reporter_phone": "联系电话",
    "anonymous": "匿名",
    "urgent": "紧急",
    "area": "所在区域",
}
REQUIRED = ("type", "category", "description")
#: intake's field names → this file's columns
SERVICE_FIELDS = COLUMNS | {"category_id": "问题分类", "area_unit_id": "所在区域"}
MAX_ROWS = 2000
YES = frozenset({"是", "1", "true", "yes", "y", "匿名", "紧急"})
NO = frozenset({"否", "", "0", "false", "no", "n"})
PATH_SEPARATORS = ("›", ">", "／", "、")


@dataclass(frozen=True)
class Categories:
    """The active subject categories by code, by path (交通运输/公路养护) and by name (when the name is unique)."""

    by_key: dict[str, int]
    ambiguous: frozenset[str]
    inactive: frozenset[str]

    @classmethod
    def load(cls, session: Session) -> Categories:
        rows = list(session.scalars(select(RequestCategory).where(RequestCategory.kind == CategoryKind.SUBJECT)))
        by_id = {r.id: r for r in rows}

        def path(r: RequestCategory) -> str:
            parent = by_id.get(r.parent_id) if r.parent_id is not None else None
            return f"{path(parent)}/{r.name}" if parent is not None else r.name

        by_key: dict[str, int] = {}
        names: dict[str, list[int]] = {}
        inactive: set[str] = set()
        for r in rows:
            keys = (r.code, path(r))
            if not r.active:
                inactive.update(keys)
                inactive.add(r.name)
                continue
            by_key.update(dict.fromkeys(keys, r.id))
            names.setdefault(r.name, []).append(r.id)
        ambiguous = {n for n, ids in names.items() if len(ids) > 1}
        by_key.update({n: ids[0] for n, ids in names.items() if len(ids) == 1 and n not in by_key})
        return cls(by_key, frozenset(ambiguous), frozenset(inactive - set(by_key)))

    def find(self, text: str) -> int:
        key = text
        for sep in PATH_SEPARATORS:
            key = key.replace(sep, "/")
        key = "/".join(part.strip() for part in key.split("/"))
        if key in self.by_key:
            return self.by_key[key]
        if key in self.ambiguous:
            raise Bad(f"有多个名为“{key}”的分类，请写完整路径（如 交通运输/公路养护）或分类编码")
        if key in self.inactive:
            raise Bad(f"分类“{key}”已停用")
        raise Bad(f"分类“{key}”不存在，请按诉求分类目录填写编码、名称或路径（如 交通运输/公路养护）")


def _header(header: list[str]) -> tuple[dict[int, str], list[RowError]]:
    """Column position → field, and the header's problems (row 1)."""
    return map_header(header, COLUMNS, REQUIRED)


def _choice(enum: Any, text: str) -> str:
    """An enum's value from its code or Chinese label.

    >>> _choice(Channel, "电话"), _choice(RequestType, "complaint")
    ('phone', 'complaint')
    """
    for member in enum:
        if text in (member.value, member.label):
            return str(member.value)
    raise Bad(f"“{text}”无效，可选：{'、'.join(m.label for m in enum)}")


def _yes_no(text: str) -> bool:
    """A yes/no cell (blank is no).

    >>> _yes_no("是"), _yes_no(""), _yes_no("TRUE")
    (True, False, True)
    """
    if text.lower() in YES:
        return True
    if text.lower() in NO:
        return False
    raise Bad(f"“{text}”应填 是 或 否")


def _number(text: str) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise Bad(f"“{text}”不是数字（填写十进制度数，如 28.07）") from None


@dataclass
class _Context:
    categories: Categories
    units: dict[str, int]
    tz: tzinfo


def _parse(cells: dict[str, Any], ctx: _Context, line: int) -> tuple[dict[str, Any], list[RowError]]:
    """The row's arguments for ``receive_request`` and the problems of its cells."""
    args: dict[str, Any] = {"channel": Channel.IMPORT.value}
    errors: list[RowError] = []
    for field, value in cells.items():
        text = value if isinstance(value, str) else str(value)
        try:
            if field == "received_at":
                if value != "":
                    args["received_at"] = moment(value, ctx.tz)[0]
            elif field == "channel":
                if text:
                    args["channel"] = _choice(Channel, text)
            elif field == "type":
                args["type"] = _choice(RequestType, text) if text else ""
                if not text:
                    raise Bad("请填写诉求类型")
            elif field == "category":
                if not text:
                    raise Bad("请填写问题分类")
                args["category_id"] = ctx.categories.find(text)
            elif field in ("latitude", "longitude"):
                args[field] = _number(text)
            elif field in ("anonymous", "urgent"):
                args[field] = _yes_no(text)
            elif field == "area":
                if text:
                    if text not in ctx.units:
                        raise Bad(f"单位编码“{text}”不存在")
                    args["area_unit_id"] = ctx.units[text]
            else:
                args[field] = text
        except Bad as exc:
            errors.append(RowError(line, COLUMNS[field], str(exc)))
    return args, errors


def import_requests(
    uow: UnitOfWork,
    principal: Principal | None,
    sheet: Sheet,
    *,
    intake_unit_id: int | None = None,
    tz: tzinfo = DEFAULT_TZ,
) -> list[int]:
    """Take in every row of ``sheet`` as a request of the intake unit (default: the importer's own); returns the
    new requests' ids in row order. Raises ``ImportRejected`` listing every problem when any row is bad."""
    require(principal, RECEIVE)
    session = uow.session
    fields, errors = _header(sheet.header)
    if errors:
        raise ImportRejected(errors)
    ctx = _Context(
        Categories.load(session), {code: id_ for code, id_ in session.execute(select(Unit.code, Unit.id))}, tz
    )
    created: list[int] = []
    rows = 0
    for line, raw in sheet.rows:
        cells = {field: clean(raw[i]) if i < len(raw) else "" for i, field in fields.items()}
        if all(v == "" for v in cells.values()):
            continue
        rows += 1
        if rows > MAX_ROWS:
            raise ImportRejected([RowError(line, "文件", f"一次最多导入 {MAX_ROWS} 行，请分批导入")])
        args, bad = _parse(cells, ctx, line)
        if bad:
            errors.extend(bad)
            continue
        try:
            with session.begin_nested():
                request = receive_request(uow, principal, intake_unit_id=intake_unit_id, **args)
                created.append(request.id)
        except Invalid as exc:
            errors.append(RowError(line, SERVICE_FIELDS.get(exc.field or "", exc.field or "—"), exc.message))
    if not rows:
        raise ImportRejected([RowError(2, "文件", "文件中没有数据行")])
    if errors:
        raise ImportRejected(errors)
    return created


# ------------------------------------------------------------------------------------------------ template

EXAMPLE = {
    "received_at": "2024-06-20 08:30",
    "channel": "电话",
    "type": "求助",
    "category": "交通运输/公路养护",
    "title": "S256腊尔山段路面湿滑",
    "description": "S256线腊尔山乌巢河至大马段水泥路面老化，雨天湿滑，车辆容易打滑，请求修补。",
    "address": "凤凰县腊尔山镇乌巢河至大马段",
    "road_code": "S256",
    "km_from": "K12+300",
    "km_to": "K27+900",
    "latitude": 28.0712,
    "longitude": 109.4563,
    "reporter_name": "张三",
    "reporter_phone": "13800000000",
    "anonymous": "否",
    "urgent": "否",
    "area": "fh-les",
}
NOTES = {
    "received_at": "YYYY-MM-DD HH:MM（北京时间）；不填为导入时间",
    "channel": "、".join(c.label for c in Channel) + "；不填为“批量导入”",
    "type": "、".join(t.label for t in RequestType),
    "category": "分类编码、名称或完整路径（见“问题分类”工作表）",
    "description": "不超过 4000 字，不能包含 HTML",
    "road_code": "如 G209、S256、X041；填桩号时必填",
    "km_from": "如 K12+300；起止须同时填写",
    "km_to": "不小于起点桩号",
    "latitude": "十进制度数，须在中国境内；与经度同时填写",
    "reporter_phone": "不匿名时必填",
    "anonymous": "是 或 否；匿名时不填姓名和电话",
    "urgent": "是 或 否；紧急事项 2 个工作小时内办理",
    "area": "问题所在区域的单位编码，如 fh-les",
}


def template_xlsx(categories: list[tuple[str, str]]) -> bytes:
    """The import template: the columns with one example row, a sheet explaining them, and the categories
    (code, path) a row may name."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "诉求"
    sheet.append(list(COLUMNS.values()))
    sheet.append([EXAMPLE.get(f, "") for f in COLUMNS])
    notes = book.create_sheet("填写说明")
    notes.append(["列", "是否必填", "说明"])
    for field, label in COLUMNS.items():
        notes.append([label, "必填" if field in REQUIRED else "选填", NOTES.get(field, "")])
    cats = book.create_sheet("问题分类")
    cats.append(["编码", "路径"])
    for row in categories:
        cats.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def category_paths(session: Session) -> list[tuple[str, str]]:
    """(code, path) of every active subject category, by path."""
    found = Categories.load(session)
    rows = session.execute(
        select(RequestCategory.code, RequestCategory.id).where(
            RequestCategory.kind == CategoryKind.SUBJECT, RequestCategory.active.is_(True)
        )
    ).all()
    paths = {i: key for key, i in found.by_key.items() if "/" in key}
    names = {i: key for key, i in found.by_key.items() if key not in {c for c, _ in rows}}
    return sorted(((code, paths.get(i) or names.get(i, code)) for code, i in rows), key=lambda r: r[1])
