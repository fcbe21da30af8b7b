"""Data scopes through the one choke-point ``restrict()``, the in-transaction write re-check, and delegation."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import principal, role_ids
from zhengwu.core.db import Actor, Database
from zhengwu.core.errors import Forbidden, NotFound
from zhengwu.core.org import service
from zhengwu.core.org.access import get_scoped, restrict
from zhengwu.core.org.lists import UNITS, USERS
from zhengwu.core.org.model import (
    ROLE_MANAGE,
    UNIT_MANAGE,
    UNIT_VIEW,
    USER_MANAGE,
    USER_VIEW,
    Principal,
    system_principal,
)
from zhengwu.core.org.tables import Role, Unit, User
from zhengwu.demo import ALL_CORE, ALL_REQUESTS
from zhengwu.finance.model import ALL_FINANCE
from zhengwu.inspection.people import ALL_INSPECTION
from zhengwu.valuation.model import ALL_VALUATION
from zhengwu.web.listing import fetch_page

FH = {"fh", "fh-jw", "fh-gl", "fh-wj", "fh-jy", "fh-ny", "fh-mz", "fh-les", "fh-sj"}
JS = {"js", "js-jw", "js-gl"}
ADMIN = Actor(1, "系统管理员")


def ids(db: Database) -> dict[str, int]:
    with db.reading() as s:
        return {code: id_ for code, id_ in s.execute(select(Unit.code, Unit.id))}


def visible_units(db: Database, p: Principal) -> set[str]:
    with db.reading() as s:
        return set(s.scalars(restrict(select(Unit.code), p, UNIT_VIEW, Unit)))


def listed_units(db: Database, p: Principal) -> set[str]:
    with db.reading() as s:
        page = fetch_page(s, UNITS, p, {}, 500)
    return {row.code for row in page.rows}


def listed_users(db: Database, p: Principal) -> set[str]:
    with db.reading() as s:
        page = fetch_page(s, USERS, p, {}, 500)
    return {row.username for row in page.rows}


def add_unit(db: Database, code: str, parent: str, kind: str = "village") -> int:
    with db.uow(ADMIN) as uow:
        unit = service.create_unit(
            uow, system_principal(), code=code, name=f"单位{code}", kind=kind, parent_id=ids(db)[parent]
        )
        uow.commit()
    return unit.id


def user_with_role(db: Database, username: str, unit: str, grants: list[service.GrantInput]) -> Principal:
    with db.uow(ADMIN) as uow:
        role = service.save_role(
            uow,
            system_principal(),
            None,
            version=None,
            code=f"r-{username}",
            name="测试角色",
            description="",
            grants=grants,
        )
        service.create_user(
            uow,
            system_principal(),
            username=username,
            full_name="测试用户",
            unit_id=ids(db)[unit],
            password="Secret123",
            role_ids=[role.id],
        )
        uow.commit()
    return principal(db, username)


def count(db: Database, entity: type, *where: object) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(entity).where(*where)) or 0  # type: ignore[arg-type]


# ---------------------------------------------------------------- reading


def test_a_county_admin_lists_exactly_the_units_of_their_county(db: Database) -> None:
    assert listed_units(db, principal(db, "fh_admin")) == FH
    assert listed_units(db, principal(db, "js_admin")) == JS


def test_a_county_admin_cannot_open_a_unit_of_another_county(db: Database) -> None:
    unit = ids(db)
    with db.reading() as s:
        with pytest.raises(NotFound):
            get_scoped(s, principal(db, "fh_admin"), UNIT_VIEW, Unit, unit["js-gl"])
        with pytest.raises(NotFound):
            get_scoped(s, principal(db, "js_admin"), UNIT_VIEW, Unit, unit["fh"])
        assert get_scoped(s, principal(db, "fh_admin"), UNIT_VIEW, Unit, unit["fh-gl"]).code == "fh-gl"


def test_a_county_admin_sees_only_the_users_of_their_county(db: Database) -> None:
    assert listed_users(db, principal(db, "fh_admin")) == {
        "fh_admin",
        "fh_jw",
        "fh_rx",
        "fh_gl",
        "fh_road",
        "fh_weijian",
        "fh_jiaoyu",
        "fh_nongye",
        "fh_minzheng",
        "fh_les",
        "fh_sj",
    }
    assert listed_users(db, principal(db, "js_admin")) == {"js_admin"}
    js_admin = principal(db, "js_admin")
    with db.reading() as s, pytest.raises(NotFound):
        get_scoped(s, principal(db, "fh_admin"), USER_VIEW, User, js_admin.user_id)


def test_a_subtree_scope_reaches_grandchildren_and_below(db: Database) -> None:
    add_unit(db, "fh-les-a", "fh-les")
    add_unit(db, "fh-les-a-1", "fh-les-a", kind="other")
    fh_admin = principal(db, "fh_admin")
    assert {"fh-les-a", "fh-les-a-1"} <= listed_units(db, fh_admin)
    assert {"fh-les-a", "fh-les-a-1"}.isdisjoint(listed_units(db, principal(db, "js_admin")))


def test_a_commission_supervisor_sees_only_the_commissions_own_subtree(db: Database) -> None:
    add_unit(db, "xx-jw-1", "xx-jw", kind="office")
    assert listed_units(db, principal(db, "xx_jw")) == {"xx-jw", "xx-jw-1"}
    assert listed_users(db, principal(db, "xx_jw")) == {"xx_jw"}


def test_a_clerk_sees_their_own_unit_and_only_themselves(db: Database) -> None:
    fh_gl = principal(db, "fh_gl")
    assert listed_units(db, fh_gl) == {"fh-gl"}
    assert listed_users(db, fh_gl) == {"fh_gl"}
    fh_admin = principal(db, "fh_admin")
    with db.reading() as s, pytest.raises(NotFound):
        get_scoped(s, fh_gl, USER_VIEW, User, fh_admin.user_id)


def test_the_system_administrator_sees_everything(db: Database) -> None:
    assert listed_units(db, principal(db, "admin")) == set(ids(db))
    assert count(db, User) == len(listed_users(db, principal(db, "admin")))


def test_a_listed_scope_reaches_exactly_the_listed_units_and_not_their_children(db: Database) -> None:
    unit = ids(db)
    p = user_with_role(
        db,
        "listed",
        "xt-ipc",
        [
            service.GrantInput(UNIT_VIEW, "listed", (unit["fh"], unit["js-gl"])),
            service.GrantInput(USER_VIEW, "listed", (unit["fh"],)),
        ],
    )
    assert visible_units(db, p) == {"fh", "js-gl"}
    assert listed_users(db, p) == {"fh_admin", "fh_rx"}


def test_a_principal_without_the_grant_or_not_logged_in_is_refused(db: Database) -> None:
    with pytest.raises(Forbidden):
        restrict(select(Unit), principal(db, "fh_gl"), UNIT_MANAGE)
    with pytest.raises(Forbidden, match="请先登录"):
        restrict(select(Unit), None, UNIT_VIEW)


# ---------------------------------------------------------------- writing


def test_a_county_admin_cannot_create_a_unit_in_another_county(db: Database) -> None:
    with pytest.raises(Forbidden), db.uow(ADMIN) as uow:
        service.create_unit(
            uow, principal(db, "fh_admin"), code="js-new", name="越权新建", kind="department", parent_id=ids(db)["js"]
        )
        uow.commit()
    assert count(db, Unit, Unit.code == "js-new") == 0


def test_a_county_admin_cannot_move_a_unit_of_their_county_into_another(db: Database) -> None:
    unit = ids(db)
    with db.reading() as s:
        before = s.get(Unit, unit["fh-les"])
        assert before is not None
    for moved in ("fh-les", "fh"):
        with db.reading() as s:
            current = s.get(Unit, unit[moved])
            assert current is not None
        with pytest.raises(Forbidden), db.uow(ADMIN) as uow:
            service.update_unit(
                uow,
                principal(db, "fh_admin"),
                unit[moved],
                version=current.version,
                name=current.name,
                kind=current.kind.value,
                parent_id=unit["js"],
                active=True,
            )
            uow.commit()
    with db.reading() as s:
        after = s.get(Unit, unit["fh-les"])
        assert after is not None
        assert (after.parent_id, after.path, after.version) == (before.parent_id, before.path, before.version)
    assert "fh-les" not in listed_units(db, principal(db, "js_admin"))


def test_a_county_admin_cannot_reach_into_another_county_to_edit(db: Database) -> None:
    unit = ids(db)
    with pytest.raises(NotFound), db.uow(ADMIN) as uow:
        service.update_unit(
            uow,
            principal(db, "fh_admin"),
            unit["js-gl"],
            version=None,
            name="改名",
            kind="centre",
            parent_id=unit["js"],
            active=True,
        )


def test_a_county_admin_cannot_create_or_move_a_user_into_another_county(db: Database) -> None:
    unit = ids(db)
    fh_admin = principal(db, "fh_admin")
    with pytest.raises(Forbidden), db.uow(ADMIN) as uow:
        service.create_user(
            uow,
            fh_admin,
            username="js_new",
            full_name="越权用户",
            unit_id=unit["js-gl"],
            password="Secret123",
            role_ids=[],
        )
        uow.commit()
    assert count(db, User, User.username == "js_new") == 0
    fh_gl = principal(db, "fh_gl")
    with pytest.raises(Forbidden), db.uow(ADMIN) as uow:
        service.update_user(
            uow,
            fh_admin,
            fh_gl.user_id,
            version=None,
            full_name=fh_gl.full_name,
            unit_id=unit["js-gl"],
            active=True,
            role_ids=[role_ids(db)["clerk"]],
        )
        uow.commit()
    assert count(db, User, User.username == "fh_gl", User.unit_id == unit["fh-gl"]) == 1


def test_moving_a_unit_carries_its_whole_subtree_into_the_new_scope(db: Database) -> None:
    unit = ids(db)
    add_unit(db, "fh-les-a", "fh-les")
    add_unit(db, "fh-les-a-1", "fh-les-a", kind="other")
    with db.reading() as s:
        current = s.get(Unit, unit["fh-les"])
        assert current is not None
    with db.uow(ADMIN) as uow:
        service.update_unit(
            uow,
            principal(db, "admin"),
            unit["fh-les"],
            version=current.version,
            name=current.name,
            kind=current.kind.value,
            parent_id=unit["js"],
            active=True,
        )
        uow.commit()
    moved = {"fh-les", "fh-les-a", "fh-les-a-1"}
    assert moved <= listed_units(db, principal(db, "js_admin"))
    assert moved.isdisjoint(listed_units(db, principal(db, "fh_admin")))
    with db.reading() as s:
        paths = {u.code: u for u in s.scalars(select(Unit).where(Unit.code.in_(moved | {"js"})))}
    for code in moved:
        parent = paths[code].parent_id
        parent_path = next(u.path for u in paths.values() if u.id == parent)
        assert paths[code].path == f"{parent_path}{paths[code].id}/"


# ---------------------------------------------------------------- delegation


def test_a_county_admin_may_assign_a_narrower_role_but_not_a_wider_one(db: Database) -> None:
    roles = role_ids(db)
    fh_admin = principal(db, "fh_admin")
    fh_gl = principal(db, "fh_gl")
    with pytest.raises(Forbidden, match="不超过您本人权限"), db.uow(ADMIN) as uow:
        service.update_user(
            uow,
            fh_admin,
            fh_gl.user_id,
            version=None,
            full_name=fh_gl.full_name,
            unit_id=fh_gl.unit_id,
            active=True,
            role_ids=[roles["clerk"], roles["admin"]],
        )
        uow.commit()
    assert {g.action for g in principal(db, "fh_gl").grants} == {UNIT_VIEW, USER_VIEW}
    with db.uow(ADMIN) as uow:
        service.update_user(
            uow,
            fh_admin,
            fh_gl.user_id,
            version=None,
            full_name=fh_gl.full_name,
            unit_id=fh_gl.unit_id,
            active=True,
            role_ids=[roles["clerk"], roles["supervisor"]],
        )
        uow.commit()
    assert len(principal(db, "fh_gl").grants) == 4


def test_a_county_admin_may_edit_a_user_who_holds_a_role_they_could_not_grant(db: Database) -> None:
    roles = role_ids(db)
    system = principal(db, "admin")
    fh_gl = principal(db, "fh_gl")
    with db.uow(ADMIN) as uow:  # the system administrator gave fh_gl the auditor role
        service.update_user(
            uow,
            system,
            fh_gl.user_id,
            version=None,
            full_name=fh_gl.full_name,
            unit_id=fh_gl.unit_id,
            active=True,
            role_ids=[roles["clerk"], roles["auditor"]],
        )
        uow.commit()
    with db.uow(ADMIN) as uow:  # the county admin renames fh_gl, keeping roles they could not hand out themselves
        service.update_user(
            uow,
            principal(db, "fh_admin"),
            fh_gl.user_id,
            version=None,
            full_name="养护中心经办人（新）",
            unit_id=fh_gl.unit_id,
            active=True,
            role_ids=[roles["clerk"], roles["auditor"]],
        )
        uow.commit()
    with db.reading() as s:
        user = s.get(User, fh_gl.user_id)
        assert user is not None and user.full_name == "养护中心经办人（新）"
        assert {r.code for r in user.roles} == {"clerk", "auditor"}


def test_a_role_manager_cannot_grant_wider_scopes_than_their_own(db: Database) -> None:
    unit = ids(db)
    manager = user_with_role(
        db,
        "fh_roles",
        "fh",
        [
            service.GrantInput(ROLE_MANAGE, "subtree"),
            service.GrantInput(UNIT_VIEW, "subtree"),
            service.GrantInput(USER_MANAGE, "unit"),
        ],
    )
    refused = {
        "wider scope": [service.GrantInput(UNIT_VIEW, "all")],
        "action not held": [service.GrantInput(UNIT_MANAGE, "unit")],
        "listed needs all": [service.GrantInput(UNIT_VIEW, "listed", (unit["fh-gl"],))],
        "wider scope of a held action": [service.GrantInput(USER_MANAGE, "subtree")],
    }
    for reason, grants in refused.items():
        with pytest.raises(Forbidden), db.uow(ADMIN) as uow:
            service.save_role(
                uow, manager, None, version=None, code="too-wide", name=reason, description="", grants=grants
            )
            uow.commit()
    assert count(db, Role, Role.code == "too-wide") == 0
    with db.uow(ADMIN) as uow:
        service.save_role(
            uow,
            manager,
            None,
            version=None,
            code="narrow",
            name="窄角色",
            description="",
            grants=[service.GrantInput(UNIT_VIEW, "unit"), service.GrantInput(USER_MANAGE, "self")],
        )
        uow.commit()
    assert count(db, Role, Role.code == "narrow") == 1


def test_a_unit_admin_without_role_management_cannot_edit_roles(db: Database) -> None:
    with pytest.raises(Forbidden), db.uow(ADMIN) as uow:
        service.save_role(
            uow,
            principal(db, "fh_admin"),
            None,
            version=None,
            code="mine",
            name="自建角色",
            description="",
            grants=[service.GrantInput(UNIT_VIEW, "unit")],
        )


def test_a_role_manager_cannot_edit_a_role_holding_more_than_they_do(db: Database) -> None:
    narrow = user_with_role(
        db,
        "fh_roles",
        "fh",
        [service.GrantInput(ROLE_MANAGE, "subtree"), service.GrantInput(UNIT_VIEW, "subtree")],
    )
    admin_role = role_ids(db)["admin"]
    with pytest.raises(Forbidden, match="超出您本人权限"), db.uow(ADMIN) as uow:
        service.save_role(
            uow, narrow, admin_role, version=None, code="admin", name="系统管理员", description="", grants=[]
        )
        uow.commit()
    with db.reading() as s:
        role = s.get(Role, admin_role)
        untouched = len(ALL_CORE) + len(ALL_REQUESTS) + len(ALL_INSPECTION) + len(ALL_VALUATION) + len(ALL_FINANCE)
        assert role is not None and len(role.grants) == untouched
