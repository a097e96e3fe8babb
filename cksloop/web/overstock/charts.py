"""The overstock charts' drawing instructions: the domain's geometry turned into what the SVG macros draw."""
from __future__ import annotations

from typing import Any

from flask_babel import format_percent, gettext

from cksloop.domain.overstock_charts import (Frame, bars, label_positions, plan_series, points_attribute, polyline,
                                             ticks, x_for)
from cksloop.services.overstock_pages import ChartSeries

FRAME = Frame()


def _pct(value: float | None) -> str:
    return "—" if value is None else format_percent(value)


def _week_axis(weeks: int) -> list[tuple[float, str]]:
    return [(x_for(FRAME, w, weeks), str(w)) for w in label_positions(weeks, 4)]


def pictures(series: ChartSeries) -> dict[str, Any]:
    """The three charts of a collection or style: sell-through against plan, stock age, markdown depth."""
    weeks = series.weeks
    actual = polyline(FRAME, series.sell_through, weeks)
    last = next((v for _, v in reversed(series.sell_through) if v is not None), None)
    depth_last = next((v for _, v in reversed(series.depth) if v is not None), None)
    planned = series.plan[min(len(series.sell_through), len(series.plan)) - 1] if series.sell_through else None
    labels = [(f"{low}–{high}" if high is not None else f"{low}+") for low, high, _ in series.ages]
    age_bars = bars(FRAME, [n for _, _, n in series.ages])
    slot = FRAME.plot_width / max(len(age_bars), 1)
    grid = [(y, format_percent(v)) for y, v in ticks(FRAME)]
    return {
        "frame": FRAME,
        "sell_through": {
            "title": gettext("Sell-through against the plan, by week of the season"),
            "summary": gettext("Week %(week)s: sell-through %(actual)s, plan %(planned)s.",
                               week=len(series.sell_through), actual=_pct(last), planned=_pct(planned)),
            "plan": points_attribute(polyline(FRAME, plan_series(series.plan, weeks), weeks)),
            "actual": points_attribute(actual), "dots": actual, "grid": grid, "axis": _week_axis(weeks),
        },
        "ages": {
            "title": gettext("Stock age: units on hand by weeks since receipt"),
            "summary": ", ".join(gettext("%(weeks)s weeks: %(units)s", weeks=label, units=bar.value)
                                 for label, bar in zip(labels, age_bars)),
            "bars": [(bar, label, bar.x + bar.width / 2) for bar, label in zip(age_bars, labels)],
            "slot": slot,
        },
        "depth": {
            "title": gettext("Markdown depth of the stock on hand, by week of the season"),
            "summary": gettext("Week %(week)s: average markdown depth %(depth)s.", week=len(series.depth),
                               depth=_pct(depth_last)),
            "line": points_attribute(polyline(FRAME, series.depth, weeks)),
            "dots": polyline(FRAME, series.depth, weeks), "grid": grid, "axis": _week_axis(weeks),
        },
    }
