"""Banner tables: bases, percentages, nets, means, letters, low bases, design tests."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy import stats

from survey.codebook import parse_codebook
from survey.design import svydesign
from survey.errors import EstimationError
from survey.estimators import difference, mean
from survey.tables import Disclosure, Significance, crosstab, crosstabs

OFF = Disclosure(min_cell=0)
LIKERT = ["1 Strongly disagree", "2 Disagree", "3 Neutral", "4 Agree", "5 Strongly agree"]


def _codebook():
    opts = [{"code": i + 1, "label": lab} for i, lab in enumerate(LIKERT)]
    return parse_codebook({
        "survey": "t", "version": "1",
        "questions": [
            {"id": "g", "type": "single", "column": "G", "options": [{"code": "x", "label": "x"},
                                                      {"code": "y", "label": "y"}]},
            {"id": "s", "type": "ordinal", "column": "S", "options": opts,
             "missing_codes": [{"code": 8, "label": "Don't know"}]},
            {"id": "m", "type": "multiple", "column": "M", "options": [{"code": c, "label": c.upper()}
                                                        for c in ("a", "b", "c")]},
            {"id": "v", "type": "number", "column": "V"},
        ]})


def _frame(n=240, seed=5):
    rng = np.random.default_rng(seed)
    g = rng.choice(["x", "y"], n)
    s = rng.choice(LIKERT, n).astype(object)
    dk = rng.random(n) < 0.1
    s[dk] = None
    m = rng.random((n, 3)) < np.array([0.5, 0.3, 0.2])
    unanswered = rng.random(n) < 0.1
    mcols = {f"m__{c}": pl.Series([None if u else bool(v) for v, u in zip(m[:, j], unanswered)],
                                  dtype=pl.Boolean) for j, c in enumerate("abc")}
    return pl.DataFrame({
        "g": pl.Series(g).cast(pl.Enum(["x", "y"])),
        "s": pl.Series(s.tolist(), dtype=pl.String).cast(pl.Enum(LIKERT)),
        "s__missing": pl.Series(["Don't know" if d else None for d in dk], dtype=pl.String),
        **mcols,
        "v": rng.normal(5, 2, n),
        "w": rng.lognormal(0, 0.4, n),
    })


@pytest.fixture(scope="module")
def data():
    return _frame(), _codebook()


def test_single_choice_bases_and_column_percentages(data):
    df, cb = data
    t = crosstab(df, "s", banner=["g"], codebook=cb, disclosure=OFF)
    assert t.cell("base", "total")["n"] == df.height  # DK included in the base
    for grp in ("x", "y"):
        sub = df.filter(pl.col("g") == grp)
        assert t.cell("base", f"g={grp}")["n"] == sub.height
        for lab in LIKERT:
            k = sub.filter(pl.col("s") == lab).height
            assert t.cell(f"cat:{lab}", f"g={grp}")["value"] == pytest.approx(k / sub.height)
        dk = sub["s__missing"].is_not_null().sum()
        assert t.cell("missing:Don't know", f"g={grp}")["n"] == dk


def test_top_two_box_and_mean_exclude_dont_know(data):
    df, cb = data
    t = crosstab(df, "s", banner=["g"], codebook=cb, disclosure=OFF)
    top = df.filter(pl.col("s").is_in(LIKERT[3:])).height
    assert t.cell("net:Top 2 box (4-5)", "total")["value"] == pytest.approx(top / df.height)
    scores = df["s"].drop_nulls().to_physical().cast(pl.Float64) + 1
    assert t.cell("mean", "total")["value"] == pytest.approx(scores.mean())
    assert t.cell("mean_base", "total")["n"] == scores.len()
    assert t.cell("sd", "total")["value"] == pytest.approx(scores.std())


def test_weighted_bases_effective_base_is_kish():
    df = pl.DataFrame({"q": ["a", "b"] * 50, "g": ["x"] * 100,
                       "w": [1.0] * 50 + [2.0] * 50})
    t = crosstab(df, "q", banner=["g"], weight="w", disclosure=OFF)
    assert t.cell("base_weighted", "total")["value"] == 150
    assert t.cell("base_effective", "total")["value"] == pytest.approx(90.0)  # 150^2 / 250
    assert t.cell("base", "total")["value"] == 100


def test_multiple_choice_respondents_mentions_and_nets(data):
    df, cb = data
    t = crosstab(df, "m", banner=["g"], codebook=cb, disclosure=OFF,
                 nets={"m": {"A or B": ["a", "b"]}})
    answered = df.filter(pl.col("m__a").is_not_null())
    n = answered.height
    assert t.cell("base", "total")["n"] == n
    a = answered["m__a"].sum()
    mentions = sum(answered[f"m__{c}"].sum() for c in "abc")
    assert t.cell("cat:A", "total")["value"] == pytest.approx(a / n)
    assert t.cell("mentions:A", "total")["value"] == pytest.approx(a / mentions)
    assert t.cell("total_mentions", "total")["n"] == mentions
    either = answered.filter(pl.col("m__a") | pl.col("m__b")).height  # each person once
    assert t.cell("net:A or B", "total")["n"] == either
    assert either < answered["m__a"].sum() + answered["m__b"].sum()
    assert {r.section for r in t.rows} >= {"% of respondents", "% of mentions"}


def test_an_option_one_wave_was_not_asked_is_not_applicable_there(data):
    df, cb = data
    wave = pl.Series("wave", ["old"] * 120 + ["new"] * 120).cast(pl.Enum(["old", "new"]))
    # the old wave did not offer option c: null beside its answers
    df = df.with_columns(wave, pl.when(wave == "old").then(None).otherwise(pl.col("m__c"))
                         .alias("m__c"))
    t = crosstab(df, "m", banner=["wave"], codebook=cb, disclosure=OFF)
    assert t.cell("cat:C", "wave=old")["value"] is None
    assert t.cell("mentions:C", "wave=old")["value"] is None
    new = df.filter((pl.col("wave") == "new") & pl.col("m__a").is_not_null())
    assert t.cell("cat:C", "wave=new")["value"] == pytest.approx(new["m__c"].mean())
    assert t.cell("cat:C", "total")["value"] == pytest.approx(new["m__c"].mean())  # of those asked
    old = df.filter((pl.col("wave") == "old") & pl.col("m__a").is_not_null())
    assert t.cell("cat:A", "wave=old")["value"] == pytest.approx(old["m__a"].mean())
    assert any("Not asked of every respondent" in n and ": C." in n for n in t.notes)


def test_numeric_mean_and_welch_letters(data):
    df, cb = data
    df = df.with_columns(v=pl.when(pl.col("g") == "x").then(pl.col("v") + 1.5)
                         .otherwise(pl.col("v")))
    t = crosstab(df, "v", banner=["g"], codebook=cb, disclosure=OFF)
    x = df.filter(pl.col("g") == "x")["v"].to_numpy()
    y = df.filter(pl.col("g") == "y")["v"].to_numpy()
    assert t.cell("mean", "g=x")["value"] == pytest.approx(x.mean())
    p = stats.ttest_ind(x, y, equal_var=False).pvalue
    assert p < 0.01
    assert t.cell("mean", "g=x")["sig"] == "B"


def _two_groups(px, py, n=200):
    kx, ky = round(px * n), round(py * n)
    q = ["yes"] * kx + ["no"] * (n - kx) + ["yes"] * ky + ["no"] * (n - ky)
    return pl.DataFrame({"q": q, "g": ["x"] * n + ["y"] * n})


@pytest.mark.parametrize("px,py,want", [(0.60, 0.45, "B"), (0.55, 0.45, "b"), (0.50, 0.47, None)])
def test_letter_case_follows_the_two_levels(px, py, want):
    df = _two_groups(px, py)
    p = stats.chi2_contingency([[px * 200, 200 - px * 200], [py * 200, 200 - py * 200]],
                               correction=False)[1]
    assert (p < 0.01) == (want == "B") and ((0.01 <= p < 0.05) == (want == "b"))
    t = crosstab(df, "q", banner=["g"], disclosure=OFF)
    assert t.cell("cat:yes", "g=x")["sig"] == want
    assert t.cell("cat:yes", "g=y")["sig"] is None


def test_small_effective_base_flagged_and_not_tested():
    df = pl.concat([_two_groups(0.9, 0.1, n=100).filter(pl.col("g") == "x"),
                    _two_groups(0.9, 0.1, n=20).filter(pl.col("g") == "y")])
    t = crosstab(df, "q", banner=["g"], disclosure=OFF)
    assert t.cell("cat:yes", "g=y")["flag"] == "low_base"
    assert t.cell("cat:yes", "g=x")["sig"] is None
    t = crosstab(df, "q", banner=["g"], disclosure=OFF, significance=Significance(min_base=10))
    assert t.cell("cat:yes", "g=x")["sig"] == "B"


def test_bonferroni_is_stricter_than_none():
    df = _two_groups(0.55, 0.45)
    df = pl.concat([df, _two_groups(0.5, 0.5).with_columns(g=pl.lit("z"))])
    none = crosstab(df, "q", banner=["g"], disclosure=OFF, significance=Significance(correction="none"))
    bonf = crosstab(df, "q", banner=["g"], disclosure=OFF,
                    significance=Significance(correction="bonferroni"))
    assert none.cell("cat:yes", "g=x")["sig"] == "b"
    assert bonf.cell("cat:yes", "g=x")["sig"] is None
    assert any("Bonferroni" in n for n in bonf.notes)


def test_design_path_uses_the_design_variance(data):
    df, cb = data
    df = df.with_columns(stratum=pl.int_range(pl.len()) % 4,
                         psu=pl.int_range(pl.len()) // 6)
    sf = svydesign(df, strata="stratum", ids="psu", weights="w")
    t = crosstab(sf, "s", banner=["g"], codebook=cb, disclosure=OFF,
                 significance=Significance(correction="none", levels=(0.5001, 0.99)))
    plain = crosstab(df, "s", banner=["g"], codebook=cb, weight="w", disclosure=OFF)
    lab = LIKERT[3]
    assert t.cell(f"cat:{lab}", "g=x")["value"] == pytest.approx(
        plain.cell(f"cat:{lab}", "g=x")["value"])
    ind = (pl.when(pl.col("s").is_not_null() | pl.col("s__missing").is_not_null())
           .then((pl.col("s") == lab).fill_null(False).cast(pl.Float64)))
    est = mean(sf.with_columns(ind.alias("i")), "i", by="g")
    d = difference(est, {"g": "x"}, {"g": "y"})
    z = abs(d.estimate[0] / d.std_error[0])
    p = 2 * stats.t.sf(z, sf.df)
    got = t.cell(f"cat:{lab}", "g=x")["sig"] or t.cell(f"cat:{lab}", "g=y")["sig"]
    assert (got is not None) == (p < 0.4999)
    assert "design" in " ".join(t.notes)
    assert t.tests["method"][0].startswith("Rao-Scott")


def test_where_restricts_the_base(data):
    df, cb = data
    t = crosstab(df, "s", banner=["g"], codebook=cb, where=pl.col("v") > 5, disclosure=OFF)
    assert t.cell("base", "total")["n"] == df.filter(pl.col("v") > 5).height


def test_all_rows_and_to_frame(data):
    df, cb = data
    cs = crosstabs(df, "all", banner=["g"], codebook=cb)
    assert [t.question for t in cs.tables] == ["g", "s", "m", "v"]
    long = cs.to_frame()
    assert {"question", "row_label", "column_label", "value", "sig", "suppressed"} <= set(long.columns)


def test_bad_input_is_reported_with_the_value(data):
    df, cb = data
    with pytest.raises(EstimationError, match="'nope'"):
        crosstab(df, "s", banner=["nope"], codebook=cb)
    with pytest.raises(EstimationError, match="levels"):
        Significance(levels=(0.99, 0.95))
    with pytest.raises(EstimationError, match="cells"):
        crosstab(df, "s", banner=["g"], cells=["pct"])  # type: ignore[list-item]


@pytest.mark.parametrize("test", ["wilcoxon", "median"])
def test_ordinal_rows_can_be_tested_by_a_design_rank_test(data, test):
    from survey.estimators import ranktest

    df, cb = data
    df = df.with_columns(stratum=pl.int_range(pl.len()) % 4, psu=pl.int_range(pl.len()) // 6)
    sf = svydesign(df, strata="stratum", ids="psu", weights="w")
    t = crosstab(sf, "s", banner=["g"], codebook=cb, disclosure=OFF,
                 significance=Significance(ordinal=test))
    want = ranktest(sf, "s", by="g", test=test)  # "don't know" is null in s: left out
    row = t.tests.row(0, named=True)
    assert row["method"] == want.method
    assert row["statistic"] == pytest.approx(want.statistic, rel=1e-12)
    assert row["p_value"] == pytest.approx(want.p_value, rel=1e-12)
    assert row["ddf"] == want.df
    single = crosstab(sf, "g", banner=["s"], codebook=cb, disclosure=OFF,
                      significance=Significance(ordinal=test))
    assert single.tests["method"][0].startswith("Rao-Scott")  # not an ordinal row


def test_ordinal_test_name_is_checked():
    with pytest.raises(EstimationError, match="ordinal='sign'"):
        Significance(ordinal="sign")
