"""``zhengwu demo`` tells the seed's first story (湖南日报, 2024: 凤凰县纪委挂牌督办公路安全隐患排除) through the
requests services: every figure below is counted from the records the demo wrote, read back through the services.

Reference values, all from the seed article (../shared/seed/): the report received on 20 June about S256 腊尔山乌巢河
至大马段; the 15.6 km section; works started 30 June with a planned duration of 20 days ("预计7月中旬全面完工"); the
special action of the health, education, agriculture and civil-affairs departments that "起底群众反映诉求 39 件次，
解决群众困难 45 件次".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.support.demo_db import DEMO_GROUP
from zhengwu.core.db import Database
from zhengwu.core.matters import supervision
from zhengwu.core.matters.tables import MatterDeadline
from zhengwu.core.org.auth import load_principal
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit, User
from zhengwu.requests import service as rq
from zhengwu.requests.model import Channel, State
from zhengwu.requests.tables import RequestCampaign, RequestMatter

TZ = ZoneInfo("Asia/Shanghai")


#: One worker runs every module counting the demo's records and builds the demo once for all of them.
pytestmark = pytest.mark.xdist_group(DEMO_GROUP)


@pytest.fixture(scope="module")
def demo(demo_dbs: Callable[[str], Database]) -> Database:
    """The demo built once into a fresh SQLite file, opened with the demo's own data key."""
    return demo_dbs("sqlite")


def who(db: Database, username: str) -> Principal:
    with db.reading() as s:
        found = load_principal(s, s.scalar(select(User.id).where(User.username == username)) or 0)
    assert found is not None
    return found


def s256(db: Database) -> RequestMatter:
    with db.reading() as s:
        found = list(s.scalars(select(RequestMatter).where(RequestMatter.title.contains("乌巢河至大马"))))
        assert len(found) == 1
        s.expunge(found[0])
    return found[0]


def test_the_s256_report_was_received_on_20_june_and_closed_after_a_satisfied_call_back(demo: Database) -> None:
    request = s256(demo)
    assert request.received_at.astimezone(TZ).date() == date(2024, 6, 20)
    assert (request.road_code, request.km_from, request.km_to) == ("S256", 12300, 27900)
    assert request.km_to - request.km_from == 15600  # the 15.6 km section
    assert request.status == State.CLOSED
    assert request.callback_solved is True and request.callback_satisfied is True


def test_the_prefecture_commission_listed_s256_and_signed_the_listing_off(demo: Database) -> None:
    request = s256(demo)
    with demo.reading() as s:
        listings = supervision.listings_of(s, who(demo, "xx_jw"), request)
        xx_jw = s.scalar(select(Unit.id).where(Unit.code == "xx-jw"))
        assert [(x.supervising_unit_id, x.status) for x in listings] == [(xx_jw, supervision.SIGNED_OFF)]
        assert listings[0].listed_at.astimezone(TZ).date() == date(2024, 6, 20)
        assert len(supervision.reports(s, who(demo, "xx_jw"), listings[0].id)) >= 3


def test_the_rectification_project_starts_30_june_for_20_days_and_was_completed_mid_july(demo: Database) -> None:
    request = s256(demo)
    with demo.reading() as s:
        (project,) = rq.projects_of_request(s, who(demo, "xx_jw"), request.id)
        view = rq.project_view(s, who(demo, "xx_jw"), project.id)
    assert (project.starts_on, project.duration_days) == (date(2024, 6, 30), 20)
    assert project.expected_on == date(2024, 7, 20)
    assert project.completed_on is not None and date(2024, 7, 11) <= project.completed_on <= date(2024, 7, 20)
    assert [m.quantity for m in view.measures if m.unit == "公里"] == [Decimal("15.6"), Decimal("15.6")]
    assert all(m.percent == 100 for m in view.milestones)


def test_the_campaign_report_counts_39_requests_surfaced_and_45_difficulties_solved(demo: Database) -> None:
    with demo.reading() as s:
        campaign_id = s.scalar(select(RequestCampaign.id))
        assert campaign_id is not None
        report = rq.campaign_report(s, who(demo, "fh_jw"), campaign_id)
        tagged = s.scalar(select(func.count()).where(RequestMatter.campaign_id == campaign_id))
    assert [d.unit_name for d in report.departments] == [
        "凤凰县卫生健康局",
        "凤凰县教育局",
        "凤凰县农业农村局",
        "凤凰县民政局",
    ]
    assert all(d.surfaced > 0 for d in report.departments)
    assert (report.surfaced, report.difficulties_solved) == (39, 45) == (tagged, 45)


def test_the_year_holds_a_few_hundred_requests_over_every_intake_channel_with_late_and_unsatisfied_ones(
    demo: Database,
) -> None:
    with demo.reading() as s:
        total = s.scalar(select(func.count()).select_from(RequestMatter)) or 0
        channels = set(s.scalars(select(RequestMatter.channel).distinct()))
        unsatisfied = s.scalar(select(func.count()).where(RequestMatter.callback_satisfied.is_(False))) or 0
        declined = s.scalar(select(func.count()).where(RequestMatter.status == State.DECLINED)) or 0
        late = (
            s.scalar(
                select(func.count()).where(
                    MatterDeadline.limit_code == "handle", MatterDeadline.met_at > MatterDeadline.due_at
                )
            )
            or 0
        )
        still_open = s.scalar(select(func.count()).where(RequestMatter.status == State.HANDLING)) or 0
    assert 200 <= total <= 400
    assert channels >= {c.value for c in Channel} - {Channel.IMPORT.value}
    assert unsatisfied > 0 and declined > 0 and late > 0 and still_open > 0


def test_reporters_are_encrypted_at_rest(demo: Database) -> None:
    phone = s256(demo).reporter_phone
    assert phone
    with demo.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT reporter_phone FROM request_matters WHERE reporter_phone IS NOT NULL")
        assert all(phone not in row[0] for row in stored)
