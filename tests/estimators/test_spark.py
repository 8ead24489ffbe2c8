"""The Spark backend (local mode) gives the polars path's estimates, to 1e-9 relative.

Few and small: starting Spark takes seconds, so one session serves every test. Without
pyspark (the ``survey[spark]`` extra) or Java, the tests skip and say which is missing.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from survey import estimators
from survey.bind import DesignSpec, scan_design
from tests.estimators._rfixtures import FIXTURES, dataset

if importlib.util.find_spec("pyspark") is None:
    pytest.skip("pyspark is not installed (pip install 'survey[spark]')", allow_module_level=True)
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs Java 17 (apt-get install openjdk-17-jre-headless)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def spark() -> Any:
    from survey.bind import spark_session

    try:
        session = spark_session("local[1]")
    except Exception as exc:  # noqa: BLE001 - the JVM did not start: say why
        if "JAVA" in str(exc).upper():
            pytest.skip(f"Spark could not start Java: {str(exc).splitlines()[0]}")
        raise
    yield session
    session.stop()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("spark")
    out = {}
    strat = dataset("apistrat")  # districts as PSUs within the school-type strata
    out["clustered"] = root / "clustered.parquet"
    strat.write_parquet(out["clustered"])
    out["pps"] = root / "pps.parquet"
    dataset("election_pps").write_parquet(out["pps"])
    out["two_stage"] = root / "two_stage.parquet"
    dataset("apiclus2").write_parquet(out["two_stage"])
    sdr = pl.read_csv(FIXTURES / "apistrat_jk2_sdr.csv")
    out["sdr"] = root / "sdr.parquet"
    sdr.write_parquet(out["sdr"])
    return out


def same(a: estimators.Estimates, b: estimators.Estimates) -> None:
    x, y = a.to_frame(), b.to_frame()
    assert x.height == y.height
    for c in ("estimate", "std_error", "conf_low", "conf_high"):
        assert np.allclose(x[c].to_numpy(), y[c].to_numpy(), rtol=1e-9, atol=0), c
    assert x["n"].to_list() == y["n"].to_list() and x["df"].to_list() == y["df"].to_list()


def test_stratified_cluster_design_with_fpc_on_spark(spark: Any, files: dict[str, Path]) -> None:
    spec = DesignSpec(strata="stype", ids=("dnum",), weights="pw", fpc=("fpc",),
                      lonely_psu="adjust")
    local = scan_design(files["clustered"], spec)
    remote = scan_design(files["clustered"], spec, engine="spark", spark=spark)
    same(estimators.mean(local, "api00", by="sch.wide", where=pl.col("enroll") > 300),
         estimators.mean(remote, "api00", by="sch.wide", where="enroll > 300"))
    same(estimators.ratio(local, "api00", "api99"), estimators.ratio(remote, "api00", "api99"))


def test_two_stage_design_weighted_by_its_fpc_on_spark(spark: Any,
                                                       files: dict[str, Path]) -> None:
    # an fpc at both stages and no weight column: R's multistage term from the
    # (PSU, SSU) totals, the weights joined to the rows (a broadcast join on Spark)
    spec = DesignSpec(ids=("dnum", "snum"), fpc=("fpc1", "fpc2"))
    local = scan_design(files["two_stage"], spec)
    remote = scan_design(files["two_stage"], spec, engine="spark", spark=spark)
    same(estimators.mean(local, "api00", by="stype", where=pl.col("enroll") > 300),
         estimators.mean(remote, "api00", by="stype", where="enroll > 300"))
    same(estimators.total(local, "enroll"), estimators.total(remote, "enroll"))


def test_pps_rows_on_spark(spark: Any, files: dict[str, Path]) -> None:
    # each row its own PSU with its own probability: sums weighted by pi (and 1 / pi)
    for pps, variance in (("brewer", "HT"), ("overton", "YG")):
        spec = DesignSpec(fpc=("p",), pps=pps, pps_variance=variance, strata="half")
        local = scan_design(files["pps"], spec)
        remote = scan_design(files["pps"], spec, engine="spark", spark=spark)
        same(estimators.total(local, "Bush", by="big"), estimators.total(remote, "Bush", by="big"))


def test_supplied_successive_difference_design_on_spark(spark: Any,
                                                        files: dict[str, Path]) -> None:
    spec = DesignSpec(weights="pw", replicate="successive-difference",
                      replicate_weights="sdr_*")
    local = scan_design(files["sdr"], spec)
    remote = scan_design(files["sdr"], spec, engine="spark", spark=spark)
    same(estimators.proportion(local, "sch.wide", by="stype", where=pl.col("api00") > 600),
         estimators.proportion(remote, "sch.wide", by="stype", where="api00 > 600"))
    same(estimators.total(local, "enroll"), estimators.total(remote, "enroll"))


def test_cli_engine_spark_equals_the_streamed_polars_path(spark: Any,
                                                          files: dict[str, Path]) -> None:
    from tests.clirun import stats_json

    args = ["proportion", str(files["sdr"]), "--var", "stype", "--by", "sch.wide", "--where",
            "api00 > 600 AND sch.wide = 'Yes' OR api99 < 500", "--weight", "pw", "--replicate", "successive-difference",
            "--replicate-weights", "sdr_*"]
    a = stats_json(*args, "--engine", "stream")["estimates"]
    b = stats_json(*args, "--engine", "spark")["estimates"]
    assert [(r["by"], r["category"], r["n"], r["df"]) for r in a] == \
        [(r["by"], r["category"], r["n"], r["df"]) for r in b]
    for x, y in zip(a, b, strict=True):
        for f in ("estimate", "std_error", "conf_low", "conf_high"):
            assert np.isclose(x[f], y[f], rtol=1e-9, atol=0)
