"""The demo campaign: a township, its 13 villages and offices, a user per role, a few cases.

Its inspection items are imported from samples/inspection-plan.txt, a real township plan; loading
it twice is a no-op. The cases' deadlines count from the day the demo is loaded, so some are already overdue
and some due within two days whenever anyone runs it.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.campaigns import service as campaigns
from casework.campaigns import plan_import
from casework.campaigns.models import Campaign, InspectionItem
from casework.paths import sample_plan
from casework.cases import service as cases
from casework import demo_files
from casework.cases import evidence
from casework.units import service as units
from casework.units.models import Unit
from casework.vocabulary import UnitKind
from casework.users import service as users
from casework.users.models import User

CAMPAIGN_CODE = "QS"
VILLAGES = ["青山村", "石桥村", "柳溪村", "桃源村", "枫林村", "新田村", "龙泉村",
            "白沙社区", "红星村", "金竹村", "长岭村", "河口村", "云台村"]
# The inspection items the demo's cases are found under, by their place in the sample plan.
ITEM_CODES = ["三.(一).1", "三.(一).3", "三.(一).5", "三.(一).6", "三.(二).1", "三.(二).2"]

DEMO_USERS = [
    # username, display name, unit code, role
    ("admin", "系统管理员", "QS", "admin"),
    ("leader", "镇党委书记 王书记", "QS", "leader"),
    ("vleader", "青山村联村组长 李组长", "QS-V01", "leader"),
    ("clerk", "青山村扶贫专干 赵专干", "QS-V01", "unit"),
    ("station", "镇扶贫工作站 孙站长", "QS-FPZ", "unit"),
    ("team", "青山村驻村工作队 周队长", "QS-V01-T", "unit"),
    ("officer", "帮扶责任人 吴干部", "QS-V01-P01", "unit"),
    ("auditor", "镇纪委 郑督查", "QS", "auditor"),
]


def _units(session: Session) -> dict[str, Unit]:
    made: dict[str, Unit] = {}
    root = units.create(session=session, name="清水镇", kind=UnitKind.TOWNSHIP, code="QS")
    made["QS"] = root
    made["QS-FPZ"] = units.create(session=session, name="镇扶贫工作站", kind=UnitKind.OFFICE, parent=root, code="QS-FPZ")
    made["QS-DJB"] = units.create(session=session, name="基层党建办", kind=UnitKind.OFFICE, parent=root, code="QS-DJB")
    for number, name in enumerate(VILLAGES, start=1):
        code = f"QS-V{number:02d}"
        made[code] = units.create(session=session, name=name, kind=UnitKind.VILLAGE, parent=root, code=code)
    for code in ("QS-V01", "QS-V02"):
        village = made[code]
        made[f"{code}-T"] = units.create(session=session, name=f"{village.name}驻村工作队",
                                         kind=UnitKind.WORK_TEAM, parent=village, code=f"{code}-T")
    made["QS-V01-P01"] = units.create(session=session, name="帮扶责任人 吴干部", kind=UnitKind.ASSISTANCE_OFFICER,
                                      parent=made["QS-V01"], code="QS-V01-P01")
    return made


def _evidence(session: Session, storage, work_dir, case_id: int, kind: str, filename: str, content: bytes,
              user: User) -> None:
    evidence.attach(session=session, storage=storage, case_id=case_id, actor=user, kind=kind,
                    upload=io.BytesIO(content), filename=filename, limits=evidence.Limits(10 * 2**20, 100 * 2**20),
                    work_dir=work_dir)


def _drive(session: Session, case_id: int, steps: list[tuple[User, str, dict]]) -> None:
    for actor, event, fields in steps:
        case = session.get_one(cases.Case, case_id)
        cases.fire(session=session, case_id=case_id, event=event, actor=actor, version=case.version, fields=fields)


def load(*, session: Session, password: str, storage, work_dir, today: date | None = None) -> int:
    """Load the demo into an empty-enough database; how many cases it opened (0: already there).

    Its evidence is real files (generated photos with EXIF) kept in `storage`.
    """
    today = today or date.today()

    def days(n: int) -> date:
        return today + timedelta(days=n)

    if session.scalars(select(Campaign.id).where(Campaign.code == CAMPAIGN_CODE)).first():
        return 0
    unit = _units(session)
    people = {
        name: users.create(session=session, username=name, password=password, display_name=display,
                           memberships=[(unit[code], role)])
        for name, display, code, role in DEMO_USERS
    }
    campaign = campaigns.create(session=session, name="迎全省脱贫攻坚考核大排查、大整改", code=CAMPAIGN_CODE,
                                starts_on=days(-28), ends_on=days(33), leader_unit=unit["QS"])
    # The items come from the sample plan, read by the same importer leaders use; they keep the
    # plan's dates, while the cases' deadlines count from today.
    imported = plan_import.import_plan(session=session, campaign=campaign, commit=True,
                                       text=sample_plan().read_text(encoding="utf-8"))
    by_code = {outcome.code: outcome.item_id for outcome in imported.items}
    items = [session.get(InspectionItem, by_code[code]) for code in ITEM_CODES]
    leader, vleader, clerk = people["leader"], people["vleader"], people["clerk"]
    team, officer, station = people["team"], people["officer"], people["station"]

    def open_(item: int, code: str, title: str, by: User = leader, **extra) -> int:
        case = cases.open_case(session=session, actor=by, campaign_id=campaign.id, unit_id=unit[code].id,
                               item_id=items[item].id, title=title, village=extra.pop("village", None), **extra)
        return case.id

    open_(2, "QS-V03", "柳溪村3户贫困户系统信息与实际不一致", village="柳溪村", deadline=days(-4),
          description="全国扶贫开发信息系统中3户家庭人口数与实际不符。")
    open_(1, "QS-V01", "青山村3户危房改造资料缺失", village="青山村", deadline=days(-2), severity="high",
          description="3户危房改造验收资料、补助发放记录未归档。")
    assigned = open_(3, "QS-V02", "石桥村部分农户对驻村工作队不知晓", village="石桥村", deadline=days(1))
    _drive(session, assigned, [(leader, "assign", {})])
    rectifying = open_(1, "QS-V01", "青山村扶贫手册走访信息漏项", village="青山村", severity="high", deadline=days(1))
    _drive(session, rectifying, [(leader, "assign", {"assignee_id": clerk.id}), (clerk, "start", {}),
                                 (clerk, "note", {"comment": "已核查12户,补填走访记录8份。"})])
    evidenced = open_(0, "QS-V01", "青山村2户收入调查表与扶贫手册数据不一致", village="青山村", deadline=days(5))
    _drive(session, evidenced, [(leader, "assign", {"assignee_id": clerk.id}), (clerk, "start", {}),
                                (clerk, "submit", {"comment": "已重新核算收入并经户主确认。"})])
    verified = open_(2, "QS-FPZ", "扶贫项目信息录入不完整", by=station, description="自查发现2023年产业项目未录入。",
                     deadline=days(3))
    _drive(session, verified, [(leader, "assign", {}), (station, "start", {}), (station, "submit", {}),
                               (leader, "verify", {"comment": "已核实录入完整。"})])
    dismissed = open_(3, "QS-V05", "枫林村群众反映帮扶不到位", village="枫林村", deadline=days(-1))
    _drive(session, dismissed, [(leader, "dismiss", {"reason": "经核实,反映对象非建档立卡户,不属于本次排查范围。"})])
    team_case = open_(4, "QS-V01-T", "驻村工作队10月考勤与钉钉打卡记录不一致", village="青山村", deadline=days(-1))
    _drive(session, team_case, [(leader, "assign", {}), (team, "start", {})])
    taken = datetime.combine(today, time(9, 30))
    _evidence(session, storage, work_dir, team_case, "photo", "考勤表.jpg",
              demo_files.photo(seed=1, taken_at=taken, gps=(28.2282, 112.9388)), team)
    _drive(session, team_case, [(team, "submit", {}), (vleader, "village_verify", {})])
    household = open_(5, "QS-V01-P01", "青山村某户一户一策未得到户主认可", village="青山村", deadline=days(2))
    _drive(session, household, [(leader, "assign", {}), (officer, "start", {})])
    _evidence(session, storage, work_dir, household, "photo", "入户走访.jpg",
              demo_files.photo(seed=2, taken_at=taken, gps=(28.2301, 112.9402)), officer)
    return len(session.scalars(select(cases.Case.id).where(cases.Case.campaign_id == campaign.id)).all())
