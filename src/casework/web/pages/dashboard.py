"""The leader's dashboard (/dashboard): the numbers of the cases in the reader's scope, each a link to
the case list filtered to exactly those cases; charts drawn on the server."""

from __future__ import annotations

from datetime import date

from flask import request, url_for

from casework.campaigns import service as campaigns
from casework.reports import dashboard as numbers
from casework.web.context import current_user, db
from casework.web.pages.blueprint import bp
from casework.web.pages.case_actions import parse_id
from casework.web.pages.case_list import state_labels
from casework.web.pages.charts import bar, line, split_bar
from casework.web.pages.render import day, page, t
from casework.web.rules import OVERSEES, rule
from casework.web.rules import page as on_page


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


@bp.route("/dashboard")
@rule(on_page(OVERSEES))
def dashboard():
    """Cases by state, village and unit, overdue now, the completion rate over 30 days, and the
    units and items with most overdue cases — of one campaign or all."""
    me, session = current_user(), db()
    chosen = request.args.get("campaign_id") or None
    campaign = campaigns.visible(session=session, user=me, campaign_id=parse_id(chosen, "campaign_id")) \
        if chosen else None
    board = numbers.build(session=session, user=me, campaign_id=campaign.id if campaign else None)
    kept = {"campaign_id": campaign.id} if campaign else {}

    def cases(**filters) -> str:
        return url_for(".case_list", **kept, **filters)

    counts = board.counts
    labels = state_labels(session)
    most_state = max(counts.by_state.values(), default=0)
    states = [{"label": labels.get(key, key), "count": n, "url": cases(state=key), "bar": bar(n, most_state)}
              for key, n in sorted(counts.by_state.items(), key=lambda kv: list(labels).index(kv[0])
                                   if kv[0] in labels else len(labels))]
    most_village = max((v["total"] for v in counts.by_village), default=0)
    villages = [{**v, "rate": _percent(v["completion_rate"]),
                 "url": cases(unit_id=v["unit_id"]) if v["unit_id"] else None,
                 "late_url": cases(unit_id=v["unit_id"], overdue="true") if v["unit_id"] else None,
                 "bar": split_bar([(v["verified"], "green"), (v["total"] - v["verified"] - v["dismissed"] - v["overdue"],
                                                               "blue"), (v["overdue"], "red")], most_village)}
                for v in counts.by_village]
    units = [{"row": u, "rate": _percent(u.completion_rate), "url": cases(unit_id=u.unit_id),
              "late_url": cases(unit_id=u.unit_id, overdue="true")} for u in board.units]
    most_late = max((u.overdue for u in board.worst_units), default=0)
    worst_units = [{"name": u.name, "overdue": u.overdue, "url": cases(unit_id=u.unit_id, overdue="true"),
                    "bar": bar(u.overdue, most_late, "red")} for u in board.worst_units]
    most_item = max((i["overdue"] for i in board.worst_items), default=0)
    worst_items = [{**i, "url": cases(item_id=i["item_id"], overdue="true"), "bar": bar(i["overdue"], most_item, "red")}
                   for i in board.worst_items]
    rates = [d["completion_rate"] for d in board.trend]
    first, last = date.fromisoformat(board.trend[0]["date"]), date.fromisoformat(board.trend[-1]["date"])
    trend = {"chart": line(rates, label=t("page_dash_trend_label", start=day(first), end=day(last),
                                          rate=_percent(rates[-1]))),
             "start": day(first), "end": day(last), "now": _percent(rates[-1]),
             "closed": sum(d["verified"] for d in board.trend), "opened": sum(d["opened"] for d in board.trend)}
    return page("dashboard.html", counts=counts, rate=_percent(counts.completion_rate), states=states,
                villages=villages, units=units, worst_units=worst_units, worst_items=worst_items, trend=trend,
                campaign=campaign, campaign_options=[(c.id, c.name) for c in campaigns.visible_list(session=session,
                                                                                                   user=me)],
                all_url=cases(), late_url=cases(overdue="true"))
