"""Imports as pages: the plan and the household register previewed with their counts before
anything is written, then committed."""

from __future__ import annotations

import io

from tests.households.people import as_csv
from tests.pages.conftest import SQLITE_ONLY
from tests.pages.helpers import text_of

pytestmark = SQLITE_ONLY

PLAN = ("三、整改内容\n(一)饮水安全\n"
        "1.饮水安全 排查内容。排查农户饮水是否安全。整改措施。逐户核实。责任单位:村(社区)\n"
        "2.住房安全 排查内容。排查危房。整改措施。限期改造。责任单位:村(社区)\n")


def _plan(person, town, step: str, text: str = PLAN):
    return person.post("/imports/plan", {"campaign_id": str(town.campaign_id), "step": step, "text": text})


def test_the_plan_preview_counts_what_it_would_create_and_writes_nothing(browser, town):
    leader = browser("leader")
    preview = text_of(_plan(leader, town, "preview"))
    # The counts are numbers (a template once printed a dict's method for "update").
    assert "新建 2 项,更新 0 项,未变 0 项,保留人工修改 0 项。" in preview
    assert "尚未写入任何内容" in preview and "排查农户饮水是否安全" in preview
    assert "新建 2 项" in text_of(_plan(leader, town, "preview"))  # still nothing written
    committed = text_of(_plan(leader, town, "commit"))
    assert "方案已导入" in committed and "新建 2 项" in committed
    again = text_of(_plan(leader, town, "preview", PLAN.replace("逐户核实", "逐户核实并登记")))
    assert "新建 0 项,更新 1 项,未变 1 项" in again
    assert "与现有排查项不同:整改措施" in again  # the field by its name on the page, not its key


def test_the_register_preview_counts_rows_then_the_commit_writes_them(browser, town):
    leader = browser("leader")
    data = as_csv([{"户编号": "QS01-0001", "户主姓名": "王建国", "村(社区)": "T-V1"},
                   {"户编号": "QS01-0002", "户主姓名": "李秀英", "村(社区)": "T-V1"}],
                  headers=("户编号", "户主姓名", "村(社区)"))
    preview = leader.post("/imports/households", {"file": (io.BytesIO(data), "花名册.csv")})
    page = text_of(preview)
    assert preview.status_code == 200, page[:2000]
    assert "新增 2 户,更新 0 户,未变 0 户。" in page
    sha = page.split('name="sha256" value="')[1].split('"')[0]
    committed = text_of(leader.post("/imports/households", {"step": "commit", "sha256": sha}))
    assert "新增 2 户,更新 0 户,未变 0 户。" in committed
    assert "王建国" in text_of(leader.get("/households"))
