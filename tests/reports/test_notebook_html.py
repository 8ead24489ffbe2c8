"""Results render as HTML tables in Jupyter (_repr_html_), formatted as the CLI prints them."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest

import survey

ROOT = Path(__file__).resolve().parents[2]


class _Cells(HTMLParser):
    """Rows of cell texts, and the caption paragraphs, of the first table."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.captions: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.rows[-1].append("")
            self._in = "cell"
        elif tag == "p":
            self.captions.append("")
            self._in = "p"
        elif tag == "caption":
            self.captions.append("")
            self._in = "p"

    def handle_endtag(self, tag):
        if tag in ("td", "th", "p", "caption"):
            self._in = None

    def handle_data(self, data):
        if self._in == "cell":
            self.rows[-1][-1] += data
        elif self._in == "p":
            self.captions[-1] += data


def _parse(html: str) -> _Cells:
    p = _Cells()
    p.feed(html)
    return p


@pytest.fixture(scope="module")
def sf():
    cb = survey.load_codebook(ROOT / "schemas" / "academy_member_survey.yaml")
    frame = survey.read_survey(ROOT / "sample_data" / "academy_2025.xlsx", cb).frame
    return survey.svydesign(frame.with_columns((pl.col("offer_received") == "Yes").alias("offered")))


def test_proportion_renders_as_the_cli_formats_it(sf):
    est = survey.proportion(sf, "offer_received")
    p = _parse(est._repr_html_())
    head, *body = p.rows
    assert head == ["variable", "category", "estimate", "std_error", "95% CI", "n"]
    assert len(body) == est.table.height
    yes = next(r for r in body if r[1] == "Yes")
    row = est.table.filter(category="Yes").row(0, named=True)
    assert yes[2] == f"{row['estimate'] * 100:.1f}%" == "61.5%"
    assert yes[4] == f"{row['conf_low'] * 100:.1f}% to {row['conf_high'] * 100:.1f}%"
    assert any("design: simple random sample" in c and "logit 95% intervals" in c for c in p.captions)


def test_domain_means_show_the_domain_and_the_design(sf):
    strat = survey.svydesign(sf.frame, strata="division")
    est = survey.mean(strat, "salary_multiple", by="division")
    p = _parse(est._repr_html_())
    assert p.rows[0][0] == "division" and len(p.rows) - 1 == est.table.height
    assert any("strata division (5)" in c for c in p.captions)


def test_text_is_escaped(sf):
    est = survey.proportion(sf, "division")
    html = est._repr_html_()
    assert "Medicine &amp; Pharmacy" in html and "Medicine & Pharmacy" not in html


def test_model_renders_terms_with_odds_ratios(sf):
    m = survey.svyglm(sf, "offered ~ C(division)", family="binomial")
    p = _parse(m._repr_html_())
    head, *body = p.rows
    assert head[:4] == ["term", "estimate", "std_error", "95% CI"] and "odds ratio" in head
    assert [r[0] for r in body] == m.terms["term"].to_list()
    assert any("binomial family, logit link" in c for c in p.captions)


def test_crosstab_renders_every_stub_row_and_banner_column(sf):
    ct = survey.crosstab(sf, "offer_received", banner=["division"])
    p = _parse(ct._repr_html_())
    head, *body = p.rows
    assert len(head) == 1 + len(ct.columns) and len(body) == len(ct.rows)
    assert any(r[1].endswith("%") for r in body)


def test_response_rates_render_one_row_per_group():
    rr = survey.response_rates(pl.read_csv(ROOT / "sample_data" / "dispositions_2025.csv",
                                           infer_schema_length=0), by="division")
    p = _parse(rr._repr_html_())
    assert len(p.rows) - 1 == rr.counts.height and p.rows[-1][0] == "all"
    assert p.rows[-1][p.rows[0].index("RR1")] == f"{rr.rate('RR1') * 100:.1f}%"


def test_the_notebook_session_in_the_docs_runs(tmp_path, monkeypatch):
    import re

    text = (ROOT / "docs" / "notebook.md").read_text(encoding="utf-8")
    code = "\n".join(re.findall(r"```python\n(.*?)```", text, flags=re.S))
    code = code.replace('"wave2025.sav"', repr(str(tmp_path / "wave2025.sav")))
    monkeypatch.chdir(ROOT)
    scope: dict = {}
    exec(compile(code, "docs/notebook.md", "exec"), scope)  # noqa: S102 - our own docs
    assert scope["rates"].rate("RR1") == pytest.approx(200 / 477)
    assert "<table" in scope["model"]._repr_html_()
    assert (tmp_path / "wave2025.sav").exists()
