"""Every public result with ``to_frame()`` renders as an HTML table in Jupyter
(``_repr_html_``), its numbers formatted as the CLI prints them (survey._display)."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import polars as pl
import pytest

import survey
from survey._display import format_number, p_text
from survey.estimators import box_stats, ecdf, histogram, panel_link
from tests.reports.test_notebook_html import _parse, sf  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("survey", "survey.estimators", "survey.models", "survey.weighting", "survey.design",
          "survey.tables", "survey.frames", "survey.reports")


def test_every_public_result_with_a_frame_renders_html() -> None:
    missing = sorted({f"{m}.{n}" for m in LAYERS for n in importlib.import_module(m).__all__
                      if inspect.isclass(o := getattr(importlib.import_module(m), n))
                      and hasattr(o, "to_frame") and not hasattr(o, "_repr_html_")})
    assert missing == []


def test_two_group_ttest_shows_the_difference_its_interval_and_p(sf) -> None:  # noqa: F811
    t = survey.ttest(sf, "salary_multiple", by="gender")
    p = _parse(t._repr_html_())
    (head, row) = p.rows
    assert head == ["variable", "estimate", "std_error", "95% CI", "t", "df", "p_value", "n"]
    assert row == ["salary_multiple", format_number(t.estimate), format_number(t.std_error),
                   f"{format_number(t.conf_low)} to {format_number(t.conf_high)}",
                   format_number(t.statistic), format_number(t.df), p_text(t.p_value), str(t.n)]
    assert "two-group" in p.captions[0] and any(t.contrast in c for c in p.captions)


def test_rank_tests_show_t_for_two_groups_and_chisq_for_more(sf) -> None:  # noqa: F811
    two = survey.ranktest(sf, "salary_multiple", by="gender")
    head, row = _parse(two._repr_html_()).rows
    assert head[2:6] == ["estimate", "std_error", "t", "df"]
    assert row[4] == format_number(two.statistic) and row[-2] == p_text(two.p_value)
    kw = survey.ranktest(sf, "salary_multiple", by="division", test="kruskalwallis")
    p = _parse(kw._repr_html_())
    head, row = p.rows
    assert head[2:5] == ["Chisq", "df", "ddf"] and "estimate" not in head
    assert row[2:5] == [format_number(kw.statistic), format_number(kw.df), format_number(kw.ddf)]
    assert kw.method in p.captions[0]


def test_panel_link_counts_the_members_in_both_waves() -> None:
    df = pl.DataFrame({"id": [1, 2, 1, 3, 2], "wave": ["a", "a", "b", "b", "b"],
                       "h": ["x", "x", "y", "x", "x"]})
    link = panel_link(df, "id", "wave", "a", "b", strata="h")
    p = _parse(link._repr_html_())
    assert p.rows[1] == ["id", "a and b", "2", "1"]
    assert any("keeps their a one" in c for c in p.captions)


def test_distributions_render_classes_boxes_and_a_shortened_ecdf(sf) -> None:  # noqa: F811
    h = histogram(sf, "salary_multiple")
    head, *body = _parse(h._repr_html_()).rows
    assert head == ["low", "high", "density", "share", "count"] and len(body) == h.share.size
    assert [r[3] for r in body] == [format_number(s, pct=True) for s in h.share]
    b = box_stats(sf, "salary_multiple", by="gender")
    head, *body = _parse(b._repr_html_()).rows
    assert head[0] == "gender" and len(body) == b.table.height
    assert [r[head.index("median")] for r in body] == [format_number(v)
                                                       for v in b.table["median"]]
    e = ecdf(sf, "salary_multiple")
    assert e.table.height > 20
    p = _parse(e._repr_html_())
    assert len(p.rows) - 1 == 20 and p.rows[-1][-1] == format_number(1.0, pct=True)
    assert any(f"20 of {e.table.height} rows" in c for c in p.captions)


def test_model_lrt_and_margins_render(sf) -> None:  # noqa: F811
    from survey.models import anova

    m = survey.svyglm(sf, "offered ~ C(division) + gender", family="binomial")
    lrt = anova(survey.svyglm(sf, "offered ~ gender", family="binomial"), m)
    head, row = _parse(lrt._repr_html_()).rows
    assert head == ["terms", "statistic", "scaled", "df", "ddf", "p_value"]
    assert row[1:] == [format_number(lrt.statistic), format_number(lrt.scaled_statistic),
                       str(lrt.df), format_number(lrt.ddf), p_text(lrt.p_value)]
    mg = survey.predictive_margins(m, "gender")
    head, *body = _parse(mg._repr_html_()).rows
    assert head[0] == "gender" and [r[0] for r in body] == mg.table["level"].to_list()
    assert [r[1] for r in body] == [format_number(v) for v in mg.table["estimate"]]


def test_weighting_diagnostics_show_weights_then_margins(sf) -> None:  # noqa: F811
    from survey.weighting import Margins, poststratify, weight_diagnostics

    margins = Margins.from_dict({"gender": {"Male": 900, "Female": 140}})
    assert _parse(margins._repr_html_()).rows[1:] == [["gender", "Male", "900"],
                                                      ["gender", "Female", "140"]]
    d = weight_diagnostics(poststratify(sf, margins))
    html = d._repr_html_()
    first = _parse(html)
    assert first.rows[1][first.rows[0].index("kish_deff")] == format_number(d.kish_deff)
    second = _parse("<style>" + html.split("<style>")[2])
    assert second.captions[0] == "Margins: target against achieved"
    assert len(second.rows) - 1 == d.margins.height


def test_design_size_results_render_one_row_or_a_stratum_each() -> None:
    from survey.design import allocate, margin_of_error, power_change, sample_size

    moe = margin_of_error(200, p=0.615)
    head, row = _parse(moe._repr_html_()).rows
    assert row[head.index("moe")] == format_number(moe.moe)
    n = sample_size(p=0.5, moe=0.05)
    head, row = _parse(n._repr_html_()).rows
    assert row[head.index("n")] == str(n.n)
    pw = power_change(0.6, 0.5, n=400)
    head, row = _parse(pw._repr_html_()).rows
    assert row[head.index("power")] == format_number(pw.power)
    a = allocate(100, population={"a": 300, "b": 700})
    assert len(_parse(a._repr_html_()).rows) - 1 == 2


def test_validation_report_titles_the_file_and_shortens_long_lists() -> None:
    from survey.frames import ValidationReport
    from survey.frames._report import PROBLEM_SCHEMA

    problems = pl.DataFrame([{"sheet": None, "row": i + 2, "column": "age", "cell": None,
                              "question": "age", "value": str(i), "reason": "not_an_option",
                              "severity": "error" if i % 2 else "warning",
                              "message": f"row {i + 2}: <{i}> is not an option"}
                             for i in range(45)], schema=PROBLEM_SCHEMA)
    rep = ValidationReport("w.csv", None, "csv", "single", 1, "utf-8", 45, 3,
                           problems=problems)
    html = rep._repr_html_()
    p = _parse(html)
    assert p.captions[0] == f"w.csv: {rep.n_errors} errors, {rep.n_warnings} warnings"
    assert p.rows[0] == ["severity", "reason", "row", "column", "value", "message"]
    assert len(p.rows) - 1 == 40 and p.rows[-1][2] == "46"
    assert any("40 of 45 rows shown" in c for c in p.captions)
    assert "&lt;0&gt;" in html


@pytest.mark.filterwarnings("ignore")
def test_labelled_export_lists_the_variables_written(sf, tmp_path: Path) -> None:  # noqa: F811
    from survey.reports import export_labelled

    cb = survey.load_codebook(ROOT / "schemas" / "academy_member_survey.yaml")
    out = export_labelled(sf.frame.drop("offered"), cb, tmp_path / "w.csv")
    head, *body = _parse(out._repr_html_()).rows
    assert head == ["variable", "column"] and len(body) == len(out.variables)
