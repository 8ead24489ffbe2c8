"""One road from a file to a bound design: the command line, analysis plans and
notebooks all travel it.

- :func:`open_source` opens a typed Parquet file (with its codebook), a csv/xlsx export
  (typed by a codebook or as-is) or a wave store, and reads only the columns needed;
- :class:`DesignSpec` is the sampling design as plain data (the CLI's design flags and a
  plan's ``[design]``/``[weighting]`` sections are two spellings of it), and :func:`bind`
  binds it to a frame as R's ``svydesign``/``svrepdesign``/``as.svrepdesign``, then
  weights it (``rake``, ``postStratify``, ``calibrate``);
- :func:`parse_where` translates an SQL condition (a subpopulation), quoting dotted
  column names and checking every column it names;
- :func:`find_variables` finds analysis variables as the data hold them (a column, or a
  multiple-choice question's option columns), and :func:`codes_as_categories` reads
  integer codes as categories.

What ``survey stats proportion wave.parquet --var offer_countries --strata division
--fpc-file population.csv --where "offer_received = 'Yes'"`` does::

    from survey.bind import DesignSpec, load_design, parse_where
    sf = load_design("wave.parquet", DesignSpec(strata="division", fpc_file="population.csv"))
    proportion(sf, "offer_countries", where=parse_where("offer_received = 'Yes'", sf))

Mistakes raise :class:`~survey.errors.SpecError` naming the specification field at
fault (``where``, ``fpc_file`` ...); the command line re-spells them as its flags.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from survey.bind._lazy import (
    Engine,
    column_bounds,
    is_parquet_source,
    parquet_rows,
    scan_design,
    scan_parquet,
    spark_session,
)
from survey.bind._source import (
    META_CODEBOOK,
    META_WEIGHTING,
    Source,
    imputation_paths,
    open_source,
    stored_weighting,
)
from survey.bind._spec import (
    LONELY_PSU,
    REPLICATE_TYPES,
    DesignSpec,
    Weighting,
    bind,
    join_population,
    read_population,
)
from survey.bind._variables import (
    Variables,
    codes_as_categories,
    find_variables,
    formula_columns,
    small_integer_codes,
)
from survey.bind._where import parse_sql, parse_where, quote_names, resolve_columns

if TYPE_CHECKING:
    from survey.design import SurveyFrame

__all__ = [
    "LONELY_PSU",
    "META_CODEBOOK",
    "META_WEIGHTING",
    "REPLICATE_TYPES",
    "DesignSpec",
    "Engine",
    "Source",
    "Variables",
    "Weighting",
    "bind",
    "codes_as_categories",
    "column_bounds",
    "find_variables",
    "formula_columns",
    "imputation_paths",
    "is_parquet_source",
    "join_population",
    "load_design",
    "open_source",
    "parquet_rows",
    "parse_sql",
    "parse_where",
    "quote_names",
    "read_population",
    "resolve_columns",
    "scan_design",
    "scan_parquet",
    "small_integer_codes",
    "spark_session",
    "stored_weighting",
]


def load_design(data: str | Path | None = None, spec: DesignSpec | None = None, *,
                columns: Iterable[str] = ("*",), schema: str | Path | None = None,
                store: str | Path | None = None, waves: Iterable[str] | str | None = None,
                sheet: str | None = None) -> SurveyFrame:
    """Open ``data`` (or ``store``), read ``columns`` and the design's, and bind ``spec``.

    A Parquet file written by ``survey weight`` carries its weighted design, replayed
    here without a spec (as ``survey stats`` does).

    >>> sf = load_design("sample_data/academy_2025.parquet",
    ...                  DesignSpec(strata="division",
    ...                             fpc_file="sample_data/population_2025.csv"))  # doctest: +SKIP
    """
    source = open_source(data, schema=schema, store=store, waves=waves, sheet=sheet)
    return source.design(spec, columns=columns)
