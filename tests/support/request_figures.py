"""Hand-built requests for the figures tests, with the figures they should give counted by hand.

Dates: June 2024; the Dragon Boat Festival, Monday 10 June, is a holiday (国办发明电〔2023〕7号). The sign-for limit
is 1 working day from dispatch, due at the end of that day. ``NOW`` is 2024-06-20 10:00.

    A  traffic.road  fh-gl   signed 06-03 (on time)  resolved   called back: solved, satisfied      S256 K12+300–K13+000
    B  traffic.road  fh-gl   signed 06-07 (late)     resolved   called back: solved, not satisfied  S256 K13+800–K14+000
    C  health, 求助  fh-wj   signed 06-04 (on time)  resolved   not called back yet                 (27.950, 109.600)
    D  traffic.road  fh-gl   dispatched 06-03, never signed: overdue since the end of 06-04      S256 K40+000
    E  traffic.road  fh-gl   received and dispatched 06-19: still within its sign-for limit      (27.950, 109.600)
    F  traffic.road  web     accepted, not dispatched                                             (27.953, 109.600)
    I  traffic.road  fh-wj   sent back 06-03, then declined: the unit answered, not judged
    G  traffic.road  吉首    received by 吉首's hotline: outside 凤凰县's scope      S256 K12+300–K13+000
    H  traffic.road  fh-gl   received 2024-05-31: outside June                      S256 K13+000–K13+100

For 凤凰县's hotline in June: received A B C D E F I = 7; due for signing A B C (signed) + D (late, unsigned) = 4,
on time A C = 2; called back A B = 2, solved 2, satisfied A = 1; resolved A B C = 3; overdue D = 1.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import unit_id
from tests.support.request_people import SYSTEM, at, category, setup
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.org.model import Principal
from zhengwu.requests import service as requests

NOW = at(2024, 6, 20)


def _step(db: Database, fn: Any, who: Principal, request_id: int, **kw: Any) -> None:
    with db.uow(SYSTEM) as uow:
        fn(uow, who, request_id, **kw)
        uow.commit()


def build(db: Database, clock: FakeClock) -> dict[str, Any]:
    """The records above; returns the people, the request ids by letter and the two units' ids. Leaves the
    clock at ``NOW``."""
    p = setup(db)
    road, health = category(db, "traffic.road"), category(db, "health")
    gl, wj = unit_id(db, "fh-gl"), unit_id(db, "fh-wj")
    ids: dict[str, int] = {}

    def receive(name: str, when: Any, who: str = "r_hotline", **kw: Any) -> int:
        clock.set(when)
        values: dict[str, Any] = {
            "channel": "phone",
            "type": "complaint",
            "category_id": road,
            "description": f"诉求{name}：路面坑槽",
            "reporter_phone": "13812345678",
        }
        values.update(kw)
        with db.uow(SYSTEM) as uow:
            ids[name] = requests.receive_request(uow, p[who], **values).id
            uow.commit()
        return ids[name]

    def dispatched(name: str, unit: int) -> None:
        _step(db, requests.accept, p["r_hotline"], ids[name])
        _step(db, requests.dispatch, p["r_hotline"], ids[name], unit_id=unit)

    signer = {gl: p["r_road"], wj: p["r_health"]}
    for name, unit, kw in (
        ("A", gl, {"road_code": "S256", "km_from": "K12+300", "km_to": "K13+000"}),
        ("B", gl, {"road_code": "S256", "km_from": "K13+800", "km_to": "K14+000"}),
        ("C", wj, {"type": "help", "category_id": health, "latitude": 27.95, "longitude": 109.6}),
        ("D", gl, {"road_code": "S256", "km_from": "K40+000", "km_to": "K40+000"}),
        ("I", wj, {}),
    ):
        receive(name, at(2024, 6, 3), **kw)
        dispatched(name, unit)
    _step(db, requests.sign, signer[gl], ids["A"])
    _step(db, requests.send_back, p["r_health"], ids["I"], reason="不属于卫健局职责")
    _step(db, requests.decline, p["r_hotline"], ids["I"], reason="out_of_scope", note="不属于受理范围")
    clock.set(at(2024, 6, 4))
    _step(db, requests.sign, signer[wj], ids["C"])
    clock.set(at(2024, 6, 5))
    for name in ("A", "C"):
        _step(db, requests.resolve, signer[gl if name == "A" else wj], ids[name], result="已处理")
    _step(db, requests.call_back, p["r_hotline"], ids["A"], solved=True, satisfied=True)
    clock.set(at(2024, 6, 7))
    _step(db, requests.sign, signer[gl], ids["B"])
    clock.set(at(2024, 6, 12))
    _step(db, requests.resolve, signer[gl], ids["B"], result="已处理")
    _step(db, requests.call_back, p["r_hotline"], ids["B"], solved=True, satisfied=False, note="嫌慢")
    receive("E", at(2024, 6, 19), latitude=27.95, longitude=109.6)
    dispatched("E", gl)
    receive("F", at(2024, 6, 19, 11), channel="web", latitude=27.953, longitude=109.6)
    _step(db, requests.accept, p["r_hotline"], ids["F"])
    receive("G", at(2024, 6, 19), who="r_outsider", road_code="S256", km_from="K12+300", km_to="K13+000")
    receive("H", at(2024, 5, 31), road_code="S256", km_from="K13+000", km_to="K13+100")
    clock.set(NOW)
    return {"people": p, "ids": ids, "gl": gl, "wj": wj}
