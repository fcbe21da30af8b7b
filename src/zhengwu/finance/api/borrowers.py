"""JSON API of finance: Borrowers (借款企业), under ``/api/v1/finance``: list with filters and read one
(``finance.view`` over the borrower's unit), record one on the caller's unit, edit it with the version read and delete
one without loans (``finance.loan.manage`` over its unit). A borrower outside the caller's scope is answered 404."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from zhengwu.core.org.api.schemas import MAX_ID, Input, Text
from zhengwu.finance.service import borrowers as service
from zhengwu.finance.tables import Borrower
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/finance", tags=["知识产权质押融资"], responses=PROBLEMS)
BorrowerId = Annotated[int, Path(ge=1, le=MAX_ID, description="借款企业 ID")]
Version = Annotated[int, Field(ge=1, le=MAX_ID, description="读取时的版本号；记录已被他人修改则返回 409")]


class BorrowerFields(Input):
    name: Text = Field(max_length=200, description="企业名称")
    credit_code: Text = Field(max_length=40, description="统一社会信用代码（18 位，含校验位），如 91350100M000100Y43")
    industry: Text = Field("", max_length=100, description="所属行业")
    address: Text = Field("", max_length=200, description="地址")
    little_giant: bool = Field(False, description="是否专精特新“小巨人”企业")
    note: Text = Field("", max_length=2000, description="备注")


class BorrowerUpdate(BorrowerFields):
    version: Version


class BorrowerOut(BaseModel):
    id: int
    unit_id: int
    name: str
    credit_code: str
    industry: str
    address: str
    little_giant: bool
    note: str
    created_at: datetime
    version: int


def _out(b: Borrower) -> BorrowerOut:
    return BorrowerOut(
        id=b.id,
        unit_id=b.unit_id,
        name=b.name,
        credit_code=b.credit_code,
        industry=b.industry,
        address=b.address,
        little_giant=b.little_giant,
        note=b.note,
        created_at=b.created_at,
        version=b.version,
    )


def _fields(body: BorrowerFields) -> dict[str, Any]:
    return body.model_dump(exclude={"version"})


@router.get("/borrowers", summary="借款企业列表（按名称）")
def list_borrowers(
    principal: User,
    db: Db,
    q: Annotated[str | None, Query(max_length=100, description="企业名称（或行业、地址、备注）包含的文字")] = None,
    credit_code: Annotated[str | None, Query(max_length=40, description="统一社会信用代码包含的字符")] = None,
    little_giant: Annotated[bool | None, Query(description="只列“小巨人”企业（true）或非“小巨人”（false）")] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT, description="至多返回多少条")] = 200,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="跳过多少条")] = 0,
) -> list[BorrowerOut]:
    with db.reading() as session:
        rows = service.list_borrowers(
            session,
            principal,
            q=(q or "").replace("\x00", ""),
            credit_code=(credit_code or "").replace("\x00", ""),
            little_giant=little_giant,
            limit=limit,
            offset=offset,
        )
        return [_out(b) for b in rows]


@router.post("/borrowers", status_code=201, summary="登记借款企业（登记在本人所在单位）")
def add_borrower(body: BorrowerFields, principal: User, db: Db) -> BorrowerOut:
    with uow_for(db, principal) as uow:
        borrower = service.add_borrower(uow, principal, _fields(body))
        uow.commit()
        return _out(borrower)


@router.get("/borrowers/{borrower_id}", summary="一家借款企业")
def get_borrower(borrower_id: BorrowerId, principal: User, db: Db) -> BorrowerOut:
    with db.reading() as session:
        return _out(service.get_borrower(session, principal, borrower_id))


@router.put("/borrowers/{borrower_id}", summary="修改借款企业")
def update_borrower(borrower_id: BorrowerId, body: BorrowerUpdate, principal: User, db: Db) -> BorrowerOut:
    with uow_for(db, principal) as uow:
        borrower = service.update_borrower(uow, principal, borrower_id, _fields(body), version=body.version)
        uow.commit()
        return _out(borrower)


@router.delete(
    "/borrowers/{borrower_id}", status_code=204, response_class=Response, summary="删除借款企业（没有质押贷款时）"
)
def delete_borrower(
    borrower_id: BorrowerId,
    principal: User,
    db: Db,
    version: Annotated[int, Query(ge=1, le=MAX_ID, description="读取时的版本号")],
) -> Response:
    with uow_for(db, principal) as uow:
        service.delete_borrower(uow, principal, borrower_id, version=version)
        uow.commit()
    return Response(status_code=204)
