"""Crosstabs of a Spark DataFrame (local mode) equal those of the rows in memory, to 1e-9
relative; design-based column tests on Spark are not there yet and say so.

Starting Spark takes seconds, so one session serves both tests. Without pyspark (the
``survey[spark]`` extra) or Java, they skip and say which is missing.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from survey.bind import DesignSpec, bind, scan_design
from survey.errors import NotStreamable
from survey.tables import crosstabs
from tests.tables.test_crosstab_stream import ROWS, assert_same, data  # noqa: F401 - fixture

if importlib.util.find_spec("pyspark") is None:
    pytest.skip("pyspark is not installed (pip install 'survey[spark]')", allow_module_level=True)
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs Java 17 (apt-get install openjdk-17-jre-headless)",
                allow_module_level=True)

SPEC = DesignSpec(strata="st", ids=("psu",), weights="w", fpc="fpc")


@pytest.fixture(scope="module")
def spark_rows(data, tmp_path_factory: pytest.TempPathFactory) -> Any:  # noqa: F811
    from survey.bind import spark_session

    try:
        session = spark_session("local[1]")
    except Exception as exc:  # noqa: BLE001 - the JVM did not start: say why
        if "JAVA" in str(exc).upper():
            pytest.skip(f"Spark could not start Java: {str(exc).splitlines()[0]}")
        raise
    path = Path(tmp_path_factory.mktemp("spark")) / "rows.parquet"
    data[0].write_parquet(path)
    yield session.read.parquet(str(path))
    session.stop()


def test_a_weighted_spark_frame_equals_the_rows_in_memory(data, spark_rows) -> None:  # noqa: F811
    df, cb = data
    opts = dict(banner=["g", "region"], codebook=cb, weight="w")
    assert_same(crosstabs(df, ROWS, where=pl.col("v") > 3, **opts),
                crosstabs(spark_rows, ROWS, where="v > 3", **opts))


def test_a_design_on_spark_tabulates_and_refuses_its_tests(data, spark_rows) -> None:  # noqa: F811
    df, cb = data
    lsf = scan_design(spark_rows, SPEC, engine="spark")
    opts = dict(banner=["g"], codebook=cb, significance=None)
    assert_same(crosstabs(bind(df, SPEC), ROWS, **opts), crosstabs(lsf, ROWS, **opts))
    with pytest.raises(NotStreamable, match="on Spark"):
        crosstabs(lsf, ROWS, banner=["g"], codebook=cb)
