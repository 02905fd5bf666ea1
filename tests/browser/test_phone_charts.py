"""The charts on a 390x844 phone (and a laptop), with a month of practice behind them: Progress for a trainee, and
the class dashboard's pitfalls, domains and item analysis for an instructor.

Measured from the drawn SVG, chart by chart: Plotly's mode bar is not shown (not even after a tap), so it covers no
legend; every legend lies under its plot's axis labels; no text of a chart (tick labels, axis titles, legend, the
counts and shares written on cells and bars) reaches outside the chart's own box, so nothing is cut; long pitfall and
domain names are wrapped onto lines that together say the whole name; and the counts in the heatmap cells are drawn
in the app's near-black text on every cell (never white, whatever the cell's shade). Screenshots of each chart are
kept under artifacts/screenshots/."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from records import Store, User
from scenarios import LIBRARY_DIR, LoadedScenario, load_scenario_file
from scoring import default_rubric
from tests.browser.helpers import SHOTS, Page, sign_in
from tests.helpers import PASSWORD, MovingClock, make_user, play

SCENARIOS = ["dana-apartment", "marcus-ready-to-work", "kwame-late-night", "amara-more-than-not-crisis"]

MEASURE = """(chart) => {
  const box = (el) => { const r = el.getBoundingClientRect(); return {x: r.x, y: r.y, right: r.right, bottom: r.bottom, width: r.width, height: r.height}; };
  const svg = chart.querySelector('svg.main-svg');
  const shown = (el) => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && Number(s.opacity) !== 0 && r.width > 0 && r.height > 0; };
  const texts = [...chart.querySelectorAll('svg text')].filter((t) => t.textContent.trim() && shown(t))
    .map((t) => ({text: t.textContent, cls: t.getAttribute('class') || '', parent: t.parentNode.getAttribute('class') || '', box: box(t),
                  fill: getComputedStyle(t).fill, size: parseFloat(getComputedStyle(t).fontSize)}));
  const lines = (sel) => [...chart.querySelectorAll(sel)].map((t) => [...t.querySelectorAll('tspan.line')].map((l) => l.textContent).join(' ') || t.textContent);
  const modebars = [...chart.querySelectorAll('.modebar-container, .modebar')].filter(shown).map(box);
  const legend = chart.querySelector('g.legend');
  const xlabels = [...chart.querySelectorAll('g.xtick text, g.g-xtitle text')].filter(shown).map(box);
  return {svg: box(svg), texts, modebars, legend: legend && shown(legend) ? box(legend) : null, xlabels,
          yticks: lines('g.ytick text'), xticks: lines('g.xtick text'), heatmap: !!chart.querySelector('g.hm')};
}"""


def walk(loaded: LoadedScenario, pick: int) -> list[tuple[str, str]]:
    """A path through ``loaded``: at the n-th point, response (n + pick) mod 3 in file order; pick -1: the first."""
    scenario = loaded.scenario
    node, path, n = scenario.start, [], 0
    while node in scenario.nodes:
        choices = scenario.nodes[node].choices
        choice = choices[0 if pick < 0 else (n + pick) % len(choices)]
        path.append((node, choice.id))
        node, n = choice.next, n + 1
    return path


def month_of_practice(store: Store, trainee: User, moving: MovingClock, offset: int) -> None:
    """Four weeks of practice in four library scenarios: mixed choices for two weeks, the first response after."""
    rubric = default_rubric()
    loaded = [load_scenario_file(LIBRARY_DIR / f"{s}.yaml", rubric) for s in SCENARIOS]
    for week in range(4):
        for index, scenario in enumerate(loaded):
            play(store, trainee, scenario, rubric, walk(scenario, week + index + offset if week < 2 else -1))
            moving(timedelta(hours=5))
        moving(timedelta(days=7))


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["x"] < b["right"] and b["x"] < a["right"] and a["y"] < b["bottom"] and b["y"] < a["bottom"]


def check_charts(page: Page, label: str, expected: int | None, *, touch: bool) -> list[dict[str, Any]]:
    """Measure every chart on the page (scrolled into view one by one, then tapped or hovered, which is when a mode
    bar would show) and screenshot it; return the measures."""
    p = page.page
    charts = p.locator("[data-testid=stPlotlyChart]:visible")
    charts.first.wait_for(timeout=30_000)
    if expected is not None:  # each chart's drawing code loads on its own, after the run has finished
        expect(charts).to_have_count(expected, timeout=30_000)
    count = charts.count()
    measured = []
    for index in range(count):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        chart.locator("svg.main-svg").first.wait_for()
        if touch:
            chart.tap()
        else:
            chart.hover()
        page.page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
        SHOTS.mkdir(parents=True, exist_ok=True)
        chart.screenshot(path=str(SHOTS / f"{page.name}-{label}-chart{index + 1}.png"))
        m = chart.evaluate(MEASURE)
        where = f"{label} chart {index + 1}"
        assert m["modebars"] == [], f"{where}: Plotly's mode bar is showing"
        svg = m["svg"]
        assert svg["width"] <= p.viewport_size["width"], where
        for text in m["texts"]:
            box = text["box"]
            inside = box["x"] >= svg["x"] - 1 and box["right"] <= svg["right"] + 1
            inside = inside and box["y"] >= svg["y"] - 1 and box["bottom"] <= svg["bottom"] + 1
            assert inside, f"{where}: {text['text']!r} is cut: {box} outside {svg}"
            assert text["size"] >= 12, f"{where}: {text['text']!r} at {text['size']} px"
        legend = m["legend"]
        if legend is not None:
            assert all(legend["y"] >= x["bottom"] - 1 for x in m["xlabels"]), f"{where}: the legend is not under the axis"
            for bar in m["modebars"]:
                assert not overlaps(bar, legend), where
        measured.append(m)
    return measured


def wrapped(ticks: list[str]) -> list[str]:
    return [t.replace("\u00a0", " ") for t in ticks]


@pytest.fixture
def month(servers, monkeypatch):
    """Two trainees with a month of practice each, in one instructor's cohort; a server on the shipped library."""
    store = Store.open(servers.database_url)
    make_user(store, "Ada Admin", "admin")
    ines = make_user(store, "Ines Instructor", "instructor")
    cohort = store.cohorts.create(ines, "Tuesday evenings")
    for offset, name in enumerate(["Tara", "Uma"]):
        trainee = make_user(store, name)
        store.cohorts.join(trainee, cohort.join_code)
        month_of_practice(store, trainee, MovingClock(monkeypatch, datetime.now(UTC) - timedelta(days=30)), offset)
    # Wes: one week of practice, one conversation full of pitfalls (a one-column heatmap of 1s).
    wes = make_user(store, "Wes")
    dana = load_scenario_file(LIBRARY_DIR / "dana-apartment.yaml", default_rubric())
    play(store, wes, dana, default_rubric(), walk(dana, 1))
    store.close()
    monkeypatch.undo()  # the server runs on the real clock
    return servers.start(PEERSIM_LIBRARY_DIR=str(LIBRARY_DIR))


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "laptop"])
def test_progress_charts_fit_the_screen(month, open_page, phone):
    label = "phone" if phone else "laptop"
    page = open_page(label, phone=phone)
    sign_in(page, month.url, "tara@example.org", PASSWORD)
    page.page.goto(month.url + "/progress")
    page.settle()
    page.shot("progress")
    scores, heatmap, balance, domains = check_charts(page, "progress", 4, touch=phone)
    assert scores["legend"] is not None and balance["legend"] is not None and domains["legend"] is not None
    # The trend in words, each scenario against its own first try, and the score chart's lines named by scenario.
    main = page.page.inner_text("[data-testid=stMain]").replace("\u2060", "")
    assert "You have finished 16 conversations." in main and "first try" in main
    titles = {load_scenario_file(LIBRARY_DIR / f"{s}.yaml", default_rubric()).scenario.title for s in SCENARIOS}
    by_scenario = page.page.locator("table").filter(has_text="first try")
    assert by_scenario.locator("tbody tr").count() == 4
    rows = by_scenario.locator("tbody tr").all_inner_texts()
    assert {row.replace("\u2060", "").split("\t")[0].strip() for row in rows} == titles
    legend = {t["text"].replace("\u00a0", " ").replace("\u2060", "") for t in scores["texts"] if "legendtext" in t["cls"]}
    assert legend == titles, legend
    # Long names wrap onto lines that together say the whole name.
    assert "Holding back a peer who is ready" in wrapped(heatmap["yticks"])
    assert "Relationship and boundaries" in wrapped(domains["yticks"])
    assert "Person-centered planning" in wrapped(domains["yticks"])
    assert all(t.startswith(("0", "1", "2", "3")) and len(t) == 6 for t in heatmap["xticks"])  # "02 Nov", under "Week of"
    cells = [t for t in heatmap["texts"] if t["text"].isdigit() and "ytick" not in t["parent"] and "xtick" not in t["parent"]]
    assert cells and {t["fill"] for t in cells} == {"rgb(11, 13, 18)"}  # near-black on every shade, never white
    assert page.console_errors() == []
    assert page.accessibility == []


def test_class_dashboard_charts_fit_a_phone(month, open_page):
    page = open_page("phone", phone=True)
    p = page.page
    sign_in(page, month.url, "ines.instructor@example.org", PASSWORD)
    p.goto(month.url + "/dashboard")
    page.settle()
    p.get_by_role("combobox", name="Cohort", exact=True).click()
    p.keyboard.type("Tuesday evenings")
    p.keyboard.press("Enter")
    page.settle()
    p.get_by_role("tab", name="Pitfalls and domains", exact=True).click()
    page.settle()
    page.shot("pitfalls-and-domains")
    heatmap, domains = check_charts(page, "pitfalls-and-domains", 2, touch=True)
    assert "Encouraging reliance on others" in wrapped(heatmap["yticks"])
    assert "Relationship and boundaries" in wrapped(domains["yticks"])
    p.get_by_role("tab", name="Item analysis", exact=True).click()
    page.settle()
    p.get_by_role("combobox", name="Scenario", exact=True).click()
    p.keyboard.type("Someday")
    p.keyboard.press("Enter")
    page.settle()
    # Only a screenshot here (no axe run): the item-analysis table scrolls sideways on a phone, which axe reports
    # (scrollable-region-focusable); that table is not a chart, and is reported to the dashboard's owner.
    page.page.screenshot(path=str(SHOTS / f"{page.name}-item-analysis.png"))
    points = p.get_by_role("heading", name=re.compile("^Decision point"))
    points.first.wait_for(timeout=30_000)
    assert points.count() >= 3
    choice = check_charts(page, "item-analysis", points.count(), touch=True)  # one chart per decision point
    assert all(m["legend"] is not None for m in choice)
    assert page.console_errors() == []
    assert page.accessibility == []


def test_one_week_of_pitfalls_reads_on_a_phone(month, open_page):
    """One week of data draws a one-column heatmap whose cells all hold the deepest shade: its counts are near-black
    (they were white, at about 3.9:1)."""
    page = open_page("phone", phone=True)
    sign_in(page, month.url, "wes@example.org", PASSWORD)
    page.page.goto(month.url + "/progress")
    page.settle()
    [heatmap] = [m for m in check_charts(page, "progress", 4, touch=True) if m["heatmap"]]
    assert len(heatmap["xticks"]) == 1  # one week
    cells = [t for t in heatmap["texts"] if t["text"].isdigit() and "ytick" not in t["parent"] and "xtick" not in t["parent"]]
    assert cells and {t["fill"] for t in cells} == {"rgb(11, 13, 18)"}
    page.shot("progress")
    assert page.console_errors() == []
    assert page.accessibility == []
