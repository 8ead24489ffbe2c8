"""Estimates on a lazy design (rows streamed by polars) equal those on the rows in memory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from survey import estimators
from survey.design import (
    Design,
    LazySurveyFrame,
    PPSMatrix,
    Progress,
    ReplicateDesign,
    Sum,
    SurveyFrame,
    as_replicate,
)
from survey.errors import DesignError, NotStreamable
from tests.estimators._rfixtures import FIXTURES, bind, cases, dataset

LINEAR = ("mean", "total", "ratio", "proportion")
PLAIN = {"var", "by", "where", "numerator", "denominator", "method", "level", "df", "sort",
         "deff"}


def lazy_bind(spec: dict[str, Any], frame: pl.LazyFrame | None = None) -> LazySurveyFrame:
    """The fixtures' designs (``_rfixtures.bind``) on a LazyFrame."""
    if "supplied" in spec:
        s = spec["supplied"]
        df = dataset(s["data"])
        cols = tuple(c for c in df.columns if c.startswith(s["prefix"]))
        return LazySurveyFrame(df.lazy() if frame is None else frame, ReplicateDesign(
            weights=s["weights"], repweights=cols, type=s["type"], scale=s.get("scale")))
    lsf = LazySurveyFrame(dataset(spec["data"]).lazy() if frame is None else frame,
                          Design(**_design_kw(spec)))
    return lsf.as_replicate(**spec["replicate"]) if "replicate" in spec else lsf


def _design_kw(spec: dict[str, Any]) -> dict[str, Any]:
    """A fixture's design (``pps.json``'s too: PPS, variance, R's domain lonely-PSU
    adjustment, a joint-inclusion matrix) as :class:`Design` arguments."""
    kw = {k: v for k, v in spec.items() if k not in ("data", "joint", "replicate")}
    for k in ("ids", "fpc"):
        if isinstance(kw.get(k), list):
            kw[k] = tuple(kw[k])
    if "joint" in spec:
        kw["pps"] = PPSMatrix(np.loadtxt(FIXTURES / f"{spec['joint']}.csv", delimiter=","))
    return kw


def memory_bind(spec: dict[str, Any]) -> SurveyFrame:
    """The same design on the rows in memory."""
    if "supplied" in spec:
        return bind(spec)
    sf = SurveyFrame(dataset(spec["data"]), Design(**_design_kw(spec)))
    return as_replicate(sf, **spec["replicate"]) if "replicate" in spec else sf


def _linear_cases() -> list[Any]:
    out = []
    for f in sorted(FIXTURES.glob("*.json")):
        try:
            found = cases(f.name)
        except (KeyError, TypeError):
            continue
        out += [pytest.param(c, id=c["id"]) for c in found
                if c.get("fn") in LINEAR and "design" in c and set(c["args"]) <= PLAIN]
    return out


CASES = _linear_cases()


def _call(case: dict[str, Any], sf: Any) -> estimators.Estimates:
    args = dict(case["args"])
    if "where" in args:
        args["where"] = pl.sql_expr(args["where"])
    fn = getattr(estimators, case["fn"])
    return fn(sf, args.pop("var"), **args) if "var" in args else fn(sf, **args)


def assert_same(a: pl.DataFrame, b: pl.DataFrame, tol: float = 1e-12, *,
                zero: float | None = None) -> None:
    """Equal tables: numbers to ``tol`` relative; a standard error that is zero but for
    rounding (below ``zero`` times the largest estimate, default ``tol``) compares as
    zero. When rows are PSUs a zero variance comes from sums of squares less their
    means' squares: its rounding, about 1e-16 of those sums, is ~1e-8 of the estimate
    once square-rooted (docs/scale.md)."""
    assert a.columns == b.columns and a.height == b.height
    est = np.abs(a["estimate"].to_numpy()) if "estimate" in a.columns else np.ones(1)
    scale = float(np.nanmax(est)) if np.isfinite(est).any() else 1.0
    small = (tol if zero is None else zero) * scale
    for c in a.columns:
        if a[c].dtype.is_float():
            x, y = a[c].to_numpy(), b[c].to_numpy()
            both = np.isnan(x) & np.isnan(y)
            atol = 1e-300 if c in ("estimate", "deff", "deft", "cv") else small
            if c in ("deff", "deft", "cv"):  # of a variance that is zero but for rounding
                both |= np.isclose(a["std_error"].to_numpy(), 0, atol=small)
            assert np.allclose(x[~both], y[~both], rtol=tol, atol=atol), c
        else:
            assert a[c].to_list() == b[c].to_list(), c


def _lazy_or_none(spec: dict[str, Any]) -> LazySurveyFrame | None:
    """The lazy design, or None where it needs the rows (or where binding it in memory
    fails too: a case of R's errors)."""
    try:
        return lazy_bind(spec)
    except NotStreamable:
        return None
    except DesignError:
        with pytest.raises(DesignError):
            memory_bind(spec)
        return None


def test_most_linear_fixture_cases_stream() -> None:
    streamed = sum(_lazy_or_none(p.values[0]["design"]) is not None for p in CASES)
    # those left: replicates made from the rows of a design without clusters (one per
    # row), and joint-inclusion matrices (a row and a column per row)
    assert streamed >= 254


@pytest.mark.parametrize("case", CASES)
def test_lazy_estimate_equals_in_memory(case: dict[str, Any]) -> None:
    lsf = _lazy_or_none(case["design"])
    if lsf is None:
        pytest.skip("the design needs the rows in memory")
    assert_same(_call(case, memory_bind(case["design"])).to_frame(), _call(case, lsf).to_frame(),
                tol=1e-10, zero=1e-7 if lsf.rows_are_psus else None)


def _apiclus(tmp_path: Path) -> tuple[pl.DataFrame, Path]:
    df = dataset("apiclus1")
    out = tmp_path / "hive"
    for (stype,), part in df.group_by("stype"):
        d = out / f"stype={stype}"
        d.mkdir(parents=True)
        part.drop("stype").head(100).write_parquet(d / "a.parquet")
        part.drop("stype").slice(100).write_parquet(d / "b.parquet")
    return df, out


def test_hive_partitioned_dataset_and_glob_equal_the_frame(tmp_path: Path) -> None:
    df, root = _apiclus(tmp_path)
    design = Design(ids="dnum", weights="pw", fpc="fpc")
    hive = pl.scan_parquet(root, hive_partitioning=True)
    # the hive column comes back as text; rows in another order: the same design
    frame = hive.collect()
    want = estimators.mean(SurveyFrame(frame, design), "api00", by="stype",
                           where=pl.col("api00") > 600)
    got = estimators.mean(LazySurveyFrame(hive, design), "api00", by="stype",
                          where=pl.col("api00") > 600)
    assert_same(want.to_frame(), got.to_frame())
    files = pl.scan_parquet(str(root / "*" / "*.parquet"))
    got = estimators.total(LazySurveyFrame(files, design), "enroll")
    assert_same(estimators.total(SurveyFrame(df, design), "enroll").to_frame(), got.to_frame())


def _supplied(n: int, rank: int, seed: int = 3) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    base = rng.uniform(0.5, 2.0, (n, rank)) @ rng.uniform(0.1, 1.0, (rank, 6))
    return pl.DataFrame({"y": rng.integers(0, 3, n), "g": rng.integers(0, 2, n),
                         "w": rng.uniform(1, 3, n),
                         **{f"r{j}": base[:, j] for j in range(6)}})


@pytest.mark.parametrize("rank", [6, 3])
def test_replicate_rank_beyond_the_head_rows(rank: int) -> None:
    # more rows than the head that proves a full rank: a rank-deficient set of replicate
    # weights falls back to the whole Gram matrix, summed by the backend; both as in memory
    frame = _supplied(40_000, rank)
    design = ReplicateDesign(weights="w", repweights=tuple(f"r{j}" for j in range(6)),
                             type="bootstrap", combined_weights=False)
    want = estimators.proportion(SurveyFrame(frame, design), "y", by="g")
    got = estimators.proportion(LazySurveyFrame(frame.lazy(), design), "y", by="g")
    assert got.to_frame()["df"].to_list() == [rank - 1] * 6
    assert_same(want.to_frame(), got.to_frame())
    assert LazySurveyFrame(frame.lazy(), design).df == SurveyFrame(frame, design).df == rank - 1


def test_what_needs_the_rows_says_so() -> None:
    lf = dataset("apistrat").lazy()
    with pytest.raises(NotStreamable, match="without clusters"):
        LazySurveyFrame(lf, Design(strata="stype", weights="pw")).as_replicate(type="JKn")
    joint = PPSMatrix(np.loadtxt(FIXTURES / "election_jointprob.csv", delimiter=","))
    with pytest.raises(NotStreamable, match="joint-inclusion matrix"):  # n x n, row order
        LazySurveyFrame(dataset("election_pps").lazy(), Design(fpc="p", pps=joint))


def _three_stage() -> pl.DataFrame:
    rng = np.random.default_rng(11)
    n = 600
    frame = pl.DataFrame({"h": rng.integers(0, 3, n), "psu": rng.integers(0, 6, n),
                          "ssu": rng.integers(0, 3, n), "tsu": rng.integers(0, 2, n),
                          "y": rng.normal(50, 10, n), "g": rng.integers(0, 2, n)})
    return frame.with_columns(  # population sizes per stratum, PSU and SSU
        (pl.col("h") * 0 + 20).alias("N1"), (pl.col("psu") + 8).alias("N2"),
        (pl.col("ssu") * 2 + 4).alias("N3"))


@pytest.mark.parametrize("weights", ["w", None])
def test_an_fpc_at_three_stages_streams_as_in_memory(weights: str | None) -> None:
    # R's multistage from the (stratum, PSU, SSU, unit) totals; with no weight column the
    # weights come from the fpc at each stage, joined to the rows
    frame = _three_stage().with_columns(pl.col("y").abs().sqrt().alias("w"))
    design = Design(strata="h", ids=("psu", "ssu", "tsu"), fpc=("N1", "N2", "N3"),
                    weights=weights, lonely_psu="adjust")
    for fn, args in ((estimators.mean, ("y",)), (estimators.ratio, ("y", "w"))):
        want = fn(SurveyFrame(frame, design), *args, by="g", where=pl.col("psu") > 0)
        got = fn(LazySurveyFrame(frame.lazy(), design), *args, by="g", where=pl.col("psu") > 0)
        assert_same(want.to_frame(), got.to_frame())
    want = estimators.total(SurveyFrame(frame, design), "y", deff=True)
    assert_same(want.to_frame(),
                estimators.total(LazySurveyFrame(frame.lazy(), design), "y", deff=True).to_frame())


def test_replicate_weights_with_nulls_are_refused_on_the_rows_read() -> None:
    frame = _supplied(50, 6).with_columns(pl.when(pl.col("g") == 1).then(None)
                                          .otherwise(pl.col("r2")).alias("r2"))
    design = ReplicateDesign(weights="w", repweights=tuple(f"r{j}" for j in range(6)),
                             type="bootstrap")
    with pytest.raises(DesignError, match="'r2' has"):
        estimators.mean(LazySurveyFrame(frame.lazy(), design), "y")


def test_progress_reports_rows_read_up_to_the_total() -> None:
    seen: list[Progress] = []
    frame = _supplied(3000, 6)
    design = ReplicateDesign(weights="w", repweights=tuple(f"r{j}" for j in range(6)),
                             type="bootstrap")
    estimators.total(LazySurveyFrame(frame.lazy(), design, progress=seen.append), "y")
    assert seen and seen[-1].rows == seen[-1].total == 3000
    assert [p.rows for p in seen] == sorted(p.rows for p in seen)


def test_multiple_choice_rates_stream() -> None:
    rng = np.random.default_rng(5)
    n = 400
    opts = {f"q__{o}": pl.Series(rng.random(n) < p) for o, p in (("a", 0.3), ("b", 0.6))}
    frame = pl.DataFrame({"psu": rng.integers(0, 40, n), "h": rng.integers(0, 4, n),
                          "w": rng.uniform(1, 4, n), "g": rng.integers(0, 2, n), **opts})
    frame = frame.with_columns(  # some rows did not answer; one option not asked of some
        pl.when(pl.col("psu") < 5).then(None).otherwise(pl.col(c)).alias(c) for c in opts
    ).with_columns(pl.when(pl.col("psu") == 7).then(None).otherwise(pl.col("q__b")).alias("q__b"))
    design = Design(strata="h", ids="psu", weights="w")
    want = estimators.multiple_choice(SurveyFrame(frame, design), "q", by="g",
                                      where=pl.col("h") > 0)
    got = estimators.multiple_choice(LazySurveyFrame(frame.lazy(), design), "q", by="g",
                                     where=pl.col("h") > 0)
    assert_same(want.to_frame(), got.to_frame())


@pytest.mark.parametrize("rank", [6, 3])
def test_parquet_statistics_bound_the_rank_as_the_sums_of_squares_do(tmp_path: Path,
                                                                      rank: int) -> None:
    from survey.bind import DesignSpec, column_bounds, scan_design

    frame = _supplied(40_000, rank)
    path = tmp_path / "reps.parquet"
    frame.write_parquet(path, row_group_size=5_000)
    reps = tuple(f"r{j}" for j in range(6))
    assert column_bounds(path, list(reps)) is not None
    lsf = scan_design(path, DesignSpec(weights="w", replicate="bootstrap",
                                       replicate_weights="r*"))
    assert lsf._bounded()
    want = estimators.proportion(SurveyFrame(frame, ReplicateDesign(
        weights="w", repweights=reps, type="bootstrap")), "y", by="g")
    assert_same(want.to_frame(), estimators.proportion(lsf, "y", by="g").to_frame())
    assert lsf.df == rank - 1


def test_an_unweighted_unstratified_design_counts_its_rows() -> None:
    frame = dataset("apisrs").select("api00", "stype")
    want = estimators.mean(SurveyFrame(frame, Design()), "api00", by="stype")
    got = estimators.mean(LazySurveyFrame(frame.lazy(), Design()), "api00", by="stype")
    assert_same(want.to_frame(), got.to_frame())


@pytest.mark.parametrize("design", [Design(strata="h", ids="psu", weights="w"),
                                    Design(strata="h", weights="w"),
                                    Design(strata="h", fpc="pi", pps="brewer"),
                                    Design(strata="h", fpc="pi", pps="overton", variance="YG"),
                                    Design(ids=("psu", "ssu"), fpc=("N1", "N2"))])
def test_share_of_mentions_streams(design: Design) -> None:
    rng = np.random.default_rng(6)
    n = 300
    frame = pl.DataFrame({"psu": rng.integers(0, 30, n), "h": rng.integers(0, 3, n),
                          "w": rng.uniform(1, 4, n), "g": rng.integers(0, 2, n),
                          "pi": rng.uniform(0.05, 0.6, n), "ssu": rng.integers(0, 3, n),
                          **{f"q__{o}": rng.random(n) < p for o, p in (("a", .3), ("b", .5),
                                                                        ("c", .2))}})
    frame = frame.with_columns(pl.lit(60).alias("N1"), (pl.col("psu") % 4 + 5).alias("N2"))
    want = estimators.multiple_choice(SurveyFrame(frame, design), "q", share="mentions", by="g")
    got = estimators.multiple_choice(LazySurveyFrame(frame.lazy(), design), "q",
                                     share="mentions", by="g")
    assert_same(want.to_frame(), got.to_frame())


def test_a_population_file_is_joined_to_streamed_rows_as_in_memory(tmp_path: Path) -> None:
    from survey.bind import DesignSpec, bind, scan_design
    from survey.errors import SpecError

    frame = dataset("apistrat")
    sizes = tmp_path / "population.csv"
    sizes.write_text("variable,category,population\nstype,E,4421\nstype,H,755\nstype,M,1018\n")
    spec = DesignSpec(strata="stype", weights="pw", fpc_file=sizes)
    want = estimators.mean(bind(frame, spec), "api00", by="sch.wide")
    got = estimators.mean(scan_design(frame.lazy(), spec), "api00", by="sch.wide")
    assert_same(want.to_frame(), got.to_frame())
    sizes.write_text("variable,category,population\nstype,E,4421\nstype,H,755\n")
    with pytest.raises(SpecError, match="no population size for stype = 'M'"):
        scan_design(frame.lazy(), spec)


@pytest.mark.parametrize("pps, variance, weights", [
    ("brewer", "HT", None), ("brewer", "HT", "pw"), ("overton", "HT", None),
    ("overton", "YG", "pw")])
def test_pps_with_clusters_streams_as_in_memory(pps: str, variance: str,
                                                weights: str | None) -> None:
    # each PSU's probability is one value of the PSU table (Brewer: the fpc; Overton:
    # 1 / the PSU's weight), so the PSU totals carry the variance as without PPS
    frame = dataset("apiclus1").with_columns(
        (0.05 + (pl.col("dnum") % 7) / 40).alias("pi"), pl.col("dnum").alias("h") % 2)
    design = Design(ids="dnum", strata="h", fpc="pi", pps=pps, variance=variance,
                    weights=weights, lonely_psu="adjust")
    for fn, args in ((estimators.total, ("enroll",)), (estimators.mean, ("api00",))):
        want = fn(SurveyFrame(frame, design), *args, by="stype")
        got = fn(LazySurveyFrame(frame.lazy(), design), *args, by="stype")
        assert_same(want.to_frame(), got.to_frame())


def test_overton_with_weights_varying_within_psus_needs_the_rows() -> None:
    frame = dataset("apiclus2").with_columns((pl.col("dnum") % 5 / 10 + 0.1).alias("pi"),
                                             pl.col("pw") * (1 + pl.col("snum") % 3 / 10))
    with pytest.raises(NotStreamable, match="first row"):
        LazySurveyFrame(frame.lazy(), Design(ids="dnum", fpc="pi", pps="overton",
                                             weights="pw"))


def test_plausible_values_stream_one_pass_each_as_in_memory() -> None:
    rng = np.random.default_rng(4)
    frame = dataset("apistrat").with_columns(
        *[(pl.col("api00") + rng.normal(0, 25, 200)).alias(f"pv{k}") for k in range(1, 4)])
    design = Design(strata="stype", weights="pw", fpc="fpc")
    pv = {"score": ["pv1", "pv2", "pv3"]}
    want = estimators.with_pv(SurveyFrame(frame, design), pv,
                              lambda d: estimators.mean(d, "score", by="sch.wide"))
    got = estimators.with_pv(LazySurveyFrame(frame.lazy(), design), pv,
                             lambda d: estimators.mean(d, "score", by="sch.wide"))
    assert_same(want.to_frame(), got.to_frame())


@pytest.mark.parametrize("design", [
    Design(strata="half", fpc="p", pps="brewer", lonely_psu="adjust"),
    Design(fpc="p", pps="overton", variance="YG"),
    Design(strata="half", fpc="p", pps="overton", weights="w")])
def test_pps_rows_categories_and_design_effects_stream(design: Design) -> None:
    frame = dataset("election_pps").with_columns(
        (1 / pl.col("p")).alias("w"), (pl.col("Kerry") > pl.col("Bush")).alias("kerry"),
        (pl.col("votes") // 150_000).clip(0, 3).alias("size"))
    for fn, var in ((estimators.proportion, "size"), (estimators.total, "kerry")):
        want = fn(SurveyFrame(frame, design), var, by="half")
        got = fn(LazySurveyFrame(frame.lazy(), design), var, by="half")
        assert_same(want.to_frame(), got.to_frame(), tol=1e-10, zero=1e-7)
    want = estimators.mean(SurveyFrame(frame, design), "Bush", deff=True)
    got = estimators.mean(LazySurveyFrame(frame.lazy(), design), "Bush", deff=True)
    assert_same(want.to_frame(), got.to_frame(), tol=1e-10)


@pytest.mark.parametrize("top", [1_000, 2**30])
def test_bounded_32_bit_replicate_weights_total_exactly(top: int) -> None:
    # a 32-bit column is summed in its own type only where rows x bound cannot overflow
    rng = np.random.default_rng(9)
    n = 64
    frame = pl.DataFrame({"g": rng.integers(0, 2, n), "y": rng.integers(0, 2, n),
                          **{f"r{j}": rng.integers(top // 2, top, n) for j in range(4)},
                          "w": rng.integers(top // 2, top, n)},
                         schema_overrides={**{f"r{j}": pl.Int32 for j in range(4)},
                                           "w": pl.Int32})
    design = ReplicateDesign(weights="w", repweights=tuple(f"r{j}" for j in range(4)),
                             type="bootstrap")
    bounds = {c: float(frame[c].abs().max()) for c in (*design.repweights, "w")}
    lsf = LazySurveyFrame(frame.lazy(), design, bounds=bounds)
    want = estimators.total(SurveyFrame(frame, design), "y", by="g").to_frame()
    got = estimators.total(lsf, "y", by="g").to_frame()
    assert_same(want, got)
    sums = lsf.backend.aggregate([], [Sum("r0", (("col", "r0"),))])
    assert sums["r0"][0] == float(frame["r0"].cast(pl.Int64).sum())


@pytest.mark.parametrize("order", ["as_read", "descending", "ascending"])
def test_weights_from_the_fpc_of_strata_without_clusters_go_to_their_strata(order: str) -> None:
    """Each stratum's N_h / n_h joined to its own rows, whatever order the strata come in
    (they were joined in the aggregate's group order, swapping strata's weights)."""
    df = dataset("apistrat")
    if order != "as_read":
        df = df.sort("stype", descending=order == "descending")
    design = Design(strata="stype", fpc="fpc")
    got = estimators.total(LazySurveyFrame(df.lazy(), design), "enroll")
    want = estimators.total(SurveyFrame(df, design), "enroll")
    assert got.table["estimate"][0] == pytest.approx(want.table["estimate"][0], rel=1e-12)
    assert got.table["std_error"][0] == pytest.approx(want.table["std_error"][0], rel=1e-9)
