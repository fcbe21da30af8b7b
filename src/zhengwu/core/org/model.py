"""Pure domain of organisations and access: unit kinds, scopes, the action catalogue and the principal.

No SQLAlchemy, FastAPI or I/O here. A unit's ``path`` lists its ancestors' ids and its own, e.g. ``/1/4/9/``,
so "unit 4 and below" is every path starting with ``/1/4/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zhengwu.core.labels import LabelledEnum


class UnitKind(LabelledEnum):
    GOVERNMENT = "government", "人民政府"
    COMMITTEE = "committee", "党委"
    COMMISSION = "commission", "纪委监委"
    OFFICE = "office", "工作机构"
    DEPARTMENT = "department", "部门"
    CENTRE = "centre", "事业单位"
    TOWN = "town", "乡镇（街道）"
    VILLAGE = "village", "村（社区）"
    ENTERPRISE = "enterprise", "企业"
    OTHER = "other", "其他"


class Scope(LabelledEnum):
    """Data scope of a grant, narrowest first."""

    SELF = "self", "本人"
    UNIT = "unit", "本单位"
    SUBTREE = "subtree", "本单位及下级"
    LISTED = "listed", "指定单位"
    ALL = "all", "全部"


#: The action catalogue: code → Chinese label. Systems add their own with ``register_action``.
ACTIONS: dict[str, str] = {}


def register_action(code: str, label: str) -> str:
    ACTIONS[code] = label
    return code


UNIT_VIEW = register_action("org.unit.view", "查看单位")
UNIT_MANAGE = register_action("org.unit.manage", "管理单位")
USER_VIEW = register_action("org.user.view", "查看用户")
USER_MANAGE = register_action("org.user.manage", "管理用户")
ROLE_MANAGE = register_action("org.role.manage", "管理角色与授权")
CALENDAR_MANAGE = register_action("calendar.manage", "维护节假日")
AUDIT_VIEW = register_action("audit.view", "查看审计日志")


def path_for(parent_path: str | None, unit_id: int) -> str:
    """The ancestors path of a unit.

    >>> path_for(None, 1), path_for("/1/", 4)
    ('/1/', '/1/4/')
    """
    return f"{parent_path or '/'}{unit_id}/"


@dataclass(frozen=True)
class Grant:
    action: str
    scope: Scope
    listed_unit_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ScopeSet:
    """The union of a principal's grants for one action."""

    all: bool = False
    unit_ids: frozenset[int] = frozenset()
    subtree_paths: frozenset[str] = frozenset()
    own_records: bool = False

    def covers(self, unit_id: int | None, unit_path: str | None, owner_id: int | None, user_id: int) -> bool:
        """Whether a record of ``unit_id`` (with ``unit_path``) owned by ``owner_id`` lies in this scope.

        >>> s = ScopeSet(subtree_paths=frozenset({"/1/4/"}))
        >>> s.covers(9, "/1/4/9/", None, 7), s.covers(5, "/1/5/", None, 7)
        (True, False)
        """
        if self.all:
            return True
        if unit_id is not None and unit_id in self.unit_ids:
            return True
        if unit_path is not None and any(unit_path.startswith(p) for p in self.subtree_paths):
            return True
        return self.own_records and owner_id is not None and owner_id == user_id


@dataclass(frozen=True)
class Principal:
    """A logged-in user as access control sees them."""

    user_id: int
    username: str
    full_name: str
    unit_id: int
    unit_path: str
    unit_name: str
    grants: tuple[Grant, ...] = field(default=())

    @property
    def actions(self) -> frozenset[str]:
        return frozenset(g.action for g in self.grants)

    def has(self, action: str) -> bool:
        return action in self.actions

    def scope(self, action: str) -> ScopeSet | None:
        """The scope of ``action`` for this principal, or None without any grant of it.

        >>> p = Principal(7, "li", "李", 4, "/1/4/", "县纪委", (Grant("x", Scope.UNIT), Grant("x", Scope.SELF)))
        >>> p.scope("x").unit_ids, p.scope("x").own_records, p.scope("y")
        (frozenset({4}), True, None)
        """
        grants = [g for g in self.grants if g.action == action]
        if not grants:
            return None
        unit_ids: set[int] = set()
        paths: set[str] = set()
        own = False
        for g in grants:
            if g.scope is Scope.ALL:
                return ScopeSet(all=True)
            if g.scope is Scope.UNIT:
                unit_ids.add(self.unit_id)
            elif g.scope is Scope.SUBTREE:
                paths.add(self.unit_path)
            elif g.scope is Scope.LISTED:
                unit_ids |= g.listed_unit_ids
            else:
                own = True
        return ScopeSet(False, frozenset(unit_ids), frozenset(paths), own)


SCOPE_RANK = {Scope.SELF: 0, Scope.UNIT: 1, Scope.LISTED: 1, Scope.SUBTREE: 2, Scope.ALL: 3}


def can_delegate(principal: Principal, grants: list[Grant]) -> bool:
    """Whether ``principal`` may hand out ``grants`` (to a role or by assigning a role): only what they hold.

    A principal may pass on an action only with a scope no wider than their own; listed scopes need ALL.

    >>> admin = Principal(1, "a", "A", 1, "/1/", "州", (Grant("x", Scope.SUBTREE),))
    >>> can_delegate(admin, [Grant("x", Scope.UNIT)]), can_delegate(admin, [Grant("x", Scope.ALL)])
    (True, False)
    """
    held: dict[str, int] = {}
    for g in principal.grants:
        held[g.action] = max(held.get(g.action, -1), SCOPE_RANK[g.scope] if g.scope is not Scope.LISTED else 0)
    for g in grants:
        need = 3 if g.scope is Scope.LISTED else SCOPE_RANK[g.scope]
        if held.get(g.action, -1) < need:
            return False
    return True


def system_principal() -> Principal:
    """The command line's principal: every action with scope ALL (the CLI runs as the operator of the box)."""
    grants = tuple(Grant(a, Scope.ALL) for a in ACTIONS)
    return Principal(0, "system", "命令行", 0, "/", "系统", grants)
