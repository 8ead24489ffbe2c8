"""A survey design as plain data, and binding it to a frame.

:class:`DesignSpec` holds what the command line's design flags and a plan's ``[design]``
and ``[weighting]`` sections say (two spellings of one specification); :func:`bind`
turns it into a :class:`~survey.design.SurveyFrame` as R's ``svydesign`` /
``svrepdesign`` / ``as.svrepdesign``, then weights it (``rake``, ``postStratify``,
``calibrate``). A Parquet file written by ``survey weight`` carries its own weighted
design (``stored``): binding replays it instead.

:mod:`survey.weighting` (numpy, scipy.sparse) and :mod:`survey.design` load only when
a design is bound: ``survey --help`` reads this module.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from survey._typing import replicate_type_guide
from survey.bind._where import resolve_columns
from survey.errors import DataWarning, SpecError

if TYPE_CHECKING:
    from survey.design import SurveyFrame
    from survey.weighting import Margins

__all__ = [
    "LONELY_PSU",
    "REPLICATE_TYPES",
    "UNWEIGHTED",
    "DesignSpec",
    "Weighting",
    "bind",
    "join_population",
    "needs_replicate_type",
    "read_population",
    "stored_columns",
]

REPLICATE_TYPES = {"jk1": "JK1", "jkn": "JKn", "jk2": "JK2", "brr": "BRR", "fay": "Fay",
                   "bootstrap": "bootstrap", "subbootstrap": "subbootstrap",
                   "mrbbootstrap": "mrbbootstrap", "successive-difference": "successive-difference",
                   "acs": "ACS", "other": "other", "auto": "auto"}
"""Replicate types by their lower-case spelling (the CLI's), as R names them."""
SUPPLIED_ONLY = ("JK2", "successive-difference", "ACS", "other")
"""Types R's ``svrepdesign`` reads from supplied columns but ``as.svrepdesign`` never makes."""
LONELY_PSU = ("fail", "remove", "adjust", "average", "certainty")


@dataclass(frozen=True)
class Weighting:
    """One weighting step: rake, post-stratify or calibrate to the margins of a
    ``variable,category,population`` file (``survey.weighting.read_margins``).

    ``variables`` picks margins of the file (``"division:gender"`` is a crossed one);
    ``partial`` lets post-stratification leave cells the file lacks.
    """

    method: Literal["rake", "poststratify", "calibrate"]
    margins: str | Path
    variables: tuple[str, ...] = ()
    partial: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "margins", Path(self.margins))
        object.__setattr__(self, "variables", tuple(self.variables))

    def read(self) -> Margins:
        """The margins this step weights to."""
        from survey.weighting import read_margins

        m = read_margins(self.margins)
        return m.select(*self.variables) if self.variables else m

    def describe(self) -> str:
        """``rake to FILE (division, gender)``."""
        names = f" ({', '.join(self.variables)})" if self.variables else ""
        return f"{self.method} to {self.margins}{names}"


@dataclass(frozen=True)
class DesignSpec:
    """The sampling design of a data set, by column names (R's ``svydesign`` arguments).

    Parameters
    ----------
    weights
        Sampling-weight column (default: every row weighs 1).
    strata
        Stratum column.
    ids
        Cluster (PSU) columns, one per stage (default: each row is its own PSU).
    fpc
        Finite population correction columns, one per stage: population sizes or
        sampling fractions (``fpc_kind``).
    fpc_file
        A ``variable,category,population`` (or ``<variable>,population``) CSV of
        population sizes, joined on ``fpc_by`` (default: ``strata``) as the fpc.
    lonely_psu
        Strata with one PSU, as R's ``options(survey.lonely.psu=)``.
    pps, pps_variance, adjust_domain_lonely
        A without-replacement PPS first stage (``brewer``, ``overton``; the fpc as
        inclusion probabilities), its variance form (``HT``, ``YG``) and R's
        ``survey.adjust.domain.lonely``, as :class:`~survey.design.Design`.
    replicate
        Replicate variance, by R's names: made from the design (``JK1``, ``JKn``,
        ``BRR``, ``Fay``, ``bootstrap``, ``subbootstrap``, ``mrbbootstrap``, ``auto``)
        or, with ``replicate_weights``, the type of the supplied columns (also ``JK2``,
        ``successive-difference``, ``ACS``, ``other``).
    replicate_weights
        Supplied replicate-weight columns, a glob (``"repw*"``); with ``scale``,
        ``rscales`` and ``mse`` as R's ``svrepdesign``.
    replicates, seed, fay_rho
        Number of bootstrap replicates to make, their seed, and Fay's rho.
    weighting
        Weighting steps, applied in order after the replicates are made (so every
        replicate is re-weighted, as R's ``rake(as.svrepdesign(d), ...)``).

    >>> DesignSpec(strata="stype", weights="pw", fpc=("fpc",)).columns()
    ['pw', 'stype', 'fpc']
    """

    weights: str | None = None
    strata: str | None = None
    ids: tuple[str, ...] = ()
    fpc: tuple[str, ...] = ()
    fpc_file: str | Path | None = None
    fpc_by: str | None = None
    fpc_kind: Literal["auto", "population", "fraction"] = "auto"
    lonely_psu: str = "fail"
    pps: str | None = None
    pps_variance: str = "HT"
    adjust_domain_lonely: bool = False
    replicate: str | None = None
    replicates: int = 50
    replicate_weights: str | None = None
    scale: float | None = None
    rscales: tuple[float, ...] | None = None
    fay_rho: float | None = None
    mse: bool = False
    seed: int | None = None
    weighting: tuple[Weighting, ...] = field(default=())

    def __post_init__(self) -> None:  # one spelling of each value, so equal specs compare equal
        for name in ("ids", "fpc"):  # a single name is welcome
            value = getattr(self, name)
            if isinstance(value, str | list):
                object.__setattr__(self, name, (value,) if isinstance(value, str) else tuple(value))
        if self.fpc_file is not None:
            object.__setattr__(self, "fpc_file", Path(self.fpc_file))
            if self.fpc_by is None:
                object.__setattr__(self, "fpc_by", self.strata)
        if self.replicate is not None and self.replicate_type is None:
            raise SpecError(f"`replicate` {self.replicate!r} is not one of "
                            f"{', '.join(sorted(set(REPLICATE_TYPES.values())))}",
                            field="replicate")
        if self.replicate_weights and self.replicate is None and self.scale is None:
            raise needs_replicate_type(self.replicate_weights)
        if self.lonely_psu not in LONELY_PSU:
            raise SpecError(f"`lonely_psu` {self.lonely_psu!r} is not one of "
                            f"{', '.join(LONELY_PSU)}", field="lonely_psu")

    @property
    def replicate_type(self) -> str | None:
        """``replicate`` as R names it (``jk1`` -> ``JK1``)."""
        if self.replicate is None:
            return None
        return REPLICATE_TYPES.get(self.replicate.lower())

    @property
    def population_column(self) -> str | None:
        """The column :func:`join_population` adds from ``fpc_file``."""
        by = self.fpc_by or self.strata
        return f"{by}__population" if self.fpc_file is not None and by else None

    @property
    def fpc_column(self) -> str | tuple[str, ...] | None:
        """The fpc column(s) the design uses: ``fpc`` or the one ``fpc_file`` adds."""
        if self.fpc_file is not None:
            return self.population_column
        return (self.fpc[0] if len(self.fpc) == 1 else self.fpc) or None

    def carries_design(self) -> bool:
        """True when the spec names design columns (which a stored design replaces)."""
        return bool(self.weights or self.strata or self.ids or self.fpc or self.fpc_file
                    or self.replicate_weights)

    def columns(self, stored: str | None = None, *,
                available: Sequence[str] | None = None) -> list[str]:
        """Data columns binding reads (replicate-weight globs kept as globs): the design's,
        the margins' variables, and those of a ``stored`` weighted design.

        With ``available`` (the data's columns) each is checked first: a missing one
        raises :class:`~survey.errors.SpecError` at its field (``weights``, ``strata``
        ...), offering the nearest names.
        """
        named: list[tuple[str, Sequence[str], str]] = [
            ("weights", [self.weights] if self.weights else [], "column"),
            ("strata", [self.strata] if self.strata else [], "column"),
            ("ids", self.ids, "column"), ("fpc", self.fpc, "column"),
            ("replicate_weights", [self.replicate_weights] if self.replicate_weights else [],
             "replicate-weight column"),
            ("fpc_file", [self.fpc_by] if self.fpc_file is not None and self.fpc_by else [],
             "column")]
        for step in self.weighting:
            named.append(("weighting", step.read().variables, "margin variable"))
        if stored is not None:
            named.append(("data", stored_columns(stored), "column of the stored design"))
        if available is not None:
            for name, cols, what in named:
                resolve_columns(cols, available, what=what, field=name)
        return [c for c in dict.fromkeys(c for _, cols, _ in named for c in cols) if c]

    def describe(self, stored: str | None = None, *,
                 columns: Sequence[str] | None = None) -> dict[str, Any]:
        """The design as plain data (JSON output, table captions); a ``stored`` weighted
        design replaces the spec's columns. With the data's ``columns``,
        ``replicate_columns`` counts the columns ``replicate_weights`` matches.
        ``notes`` says what the reader should know (no weights: every row weighs 1,
        as R's ``svydesign`` warns).

        >>> DesignSpec(strata="stype").describe()["notes"]
        ['no `weights`: every respondent weighs 1 (as R warns: equal probability assumed)']
        """
        fpc = self.fpc_column
        out: dict[str, Any] = {"weights": self.weights, "strata": self.strata,
                               "psu": list(self.ids) or None,
                               "fpc": list(fpc) if isinstance(fpc, tuple) else fpc,
                               "lonely_psu": self.lonely_psu}
        if self.pps:
            out["pps"] = self.pps if self.pps == "brewer" else f"{self.pps} ({self.pps_variance})"
        if self.replicate or self.replicate_weights:
            out["replicate"] = self.replicate or "other"
            if self.replicate_weights:
                out["replicate_weights"] = self.replicate_weights
                if columns is not None:
                    out["replicate_columns"] = len(resolve_columns(
                        [self.replicate_weights], columns, what="replicate-weight column",
                        field="replicate_weights"))
        steps = []
        if stored is not None:
            m = json.loads(stored)
            d = m.get("design", {})
            sfpc = d.get("fpc") or []
            out.update({"weights": m.get("weight_column"), "strata": d.get("strata"),
                        "psu": d.get("ids") or None,
                        "fpc": sfpc[0] if len(sfpc) == 1 else sfpc or None,
                        "lonely_psu": d.get("lonely_psu", "fail")})
            for step in m.get("steps", ()):
                names = dict.fromkeys(str(r["variable"]) for r in step.get("margins", ()))
                steps.append(f"{step['method']} ({', '.join(names)}; stored by survey weight)")
        steps.extend(step.describe() for step in self.weighting)
        if steps:
            out["weighting"] = ", then ".join(steps)
        if out["weights"] is None:
            out["notes"] = [UNWEIGHTED if out["fpc"] is None else WEIGHTED_BY_FPC]
        return out


UNWEIGHTED = "no `weights`: every respondent weighs 1 (as R warns: equal probability assumed)"
"""The note of a design without sampling weights (`weights` spelt by the caller)."""

WEIGHTED_BY_FPC = ("no `weights`: each respondent weighs the inverse of its sampling fraction "
                   "from `fpc` (as R's svydesign)")
"""The note of a design whose weights come from its fpc (R's ``svydesign`` without
``weights`` or ``probs``: ``1 / weights(fpc)``), which R gives without a warning."""

_OPTION_FIELDS = {"mse": "mse", "rscales": "rscales", "rho": "fay_rho", "scale": "scale"}


def needs_replicate_type(pattern: str) -> SpecError:
    """Supplied replicate weights without a type or scale: the variance would be off by
    a factor the data cannot tell (R's ``svrepdesign`` would assume BRR, we assumed
    ``other`` with scale 1 before: 4.5 times the ACS's published SEs). Field names and
    types are in backticks, spelt by the caller (``--replicate acs``)."""
    guide = replicate_type_guide(lambda t: f'`replicate="{t}"`',
                                 lambda o: f"`{_OPTION_FIELDS[o]}`")
    return SpecError(f"{pattern!r} need their replicate type, `replicate=TYPE` (or a "
                     f"`scale`): {guide}",
                     field="replicate_weights")


def stored_columns(meta: str) -> list[str]:
    """Columns a stored weighted design reads: its design columns, the margins'
    variables and the weight column."""
    m = json.loads(meta)
    d = m.get("design", {})
    cols = [d.get("weights"), d.get("strata"), *(d.get("ids") or ()), *(d.get("fpc") or ()),
            m.get("weight_column")]
    for step in m.get("steps", ()):
        for row in step.get("margins", ()):
            cols.extend(str(row["variable"]).split(":"))
    return [c for c in dict.fromkeys(cols) if c]


# -- binding ---------------------------------------------------------------------------


def bind(frame: pl.DataFrame, spec: DesignSpec | None = None, *, stored: str | None = None,
         samples_by: str | None = None) -> SurveyFrame:
    """Bind ``frame`` to ``spec``, as R's ``svydesign`` / ``svrepdesign`` /
    ``as.svrepdesign``, then apply its weighting steps.

    ``stored``: the weighted design a Parquet file from ``survey weight`` carries (its
    JSON), replayed in place of the spec's columns. ``samples_by``: a column (``wave``)
    whose values are separate samples: the strata become value x stratum and each
    weighting step weights every value to its own margins.

    >>> import polars as pl
    >>> sf = bind(pl.DataFrame({"y": [1.0, 2.0], "g": ["a", "b"]}), DesignSpec(strata="g"))
    >>> sf.design.strata
    'g'
    """
    from survey.design import Design, ReplicateDesign, SurveyFrame, as_replicate

    spec = spec if spec is not None else DesignSpec()
    rtype = spec.replicate_type
    if rtype == "Fay" and spec.fay_rho is None:
        raise SpecError("`replicate` Fay needs `fay_rho` (e.g. 0.5)", field="fay_rho")
    if stored is not None and spec.carries_design():
        raise SpecError("the data carry the weighted design `survey weight` stored: drop "
                        "`weights`/`strata`/`ids`/`fpc`/`fpc_file`/`replicate_weights`",
                        field="data")
    if spec.fpc_file is not None:
        frame = join_population(frame, spec)
    strata = spec.strata
    if samples_by is not None and frame[samples_by].n_unique() > 1:
        parts = [pl.col(samples_by).cast(pl.String)]
        if strata is not None:
            parts.append(pl.col(strata).cast(pl.String))
        strata = f"__{samples_by}_stratum"
        frame = frame.with_columns(pl.concat_str(parts, separator=":").alias(strata))
    else:
        samples_by = None
    create = rtype is not None and not spec.replicate_weights

    def replicate(base: SurveyFrame) -> SurveyFrame:
        """Replicates made from the unweighted design, as R's as.svrepdesign; the
        weighting steps then re-weight every replicate (R's rake(as.svrepdesign(.)))."""
        if not create:
            return base
        if rtype in SUPPLIED_ONLY:
            raise SpecError(f"`replicate` {spec.replicate} needs `replicate_weights` (R makes "
                            "these only from supplied columns)", field="replicate")
        if base.has_stage2:  # as R's as.svrepdesign, which warns the same
            warnings.warn("replicates use the first stage only; the second-stage fpc is "
                          "dropped", DataWarning, stacklevel=3)
        return as_replicate(base, type=rtype,  # type: ignore[arg-type]
                            fay_rho=spec.fay_rho or 0.0, mse=spec.mse,
                            replicates=spec.replicates, seed=spec.seed)

    if spec.replicate_weights:
        if spec.strata or spec.ids or spec.fpc or spec.fpc_file:
            raise SpecError("`replicate_weights` already carry the design: drop "
                            "`strata`/`ids`/`fpc`", field="replicate_weights")
        reps = tuple(resolve_columns([spec.replicate_weights], frame.columns,
                                     what="replicate-weight column", field="replicate_weights"))
        sf = SurveyFrame(frame, ReplicateDesign(
            weights=spec.weights, repweights=reps, type=rtype or "other",  # type: ignore[arg-type]
            scale=spec.scale, rscales=spec.rscales, rho=spec.fay_rho, mse=spec.mse))
    elif stored is not None:
        from survey.weighting import from_metadata

        sf = from_metadata(frame, stored, prepare=replicate if create else None)
    else:
        sf = replicate(SurveyFrame(frame, Design(
            weights=spec.weights, strata=strata,
            ids=(spec.ids[0] if len(spec.ids) == 1 else spec.ids) or None,
            fpc=spec.fpc_column, fpc_kind=spec.fpc_kind,  # type: ignore[arg-type]
            lonely_psu=spec.lonely_psu,  # type: ignore[arg-type]
            pps=spec.pps, variance=spec.pps_variance,  # type: ignore[arg-type]
            adjust_domain_lonely=spec.adjust_domain_lonely)))
    for step in spec.weighting:
        sf = _weigh(sf, step, samples_by)
    return sf


def _weigh(sf: SurveyFrame, step: Weighting, samples_by: str | None) -> SurveyFrame:
    """One weighting step, with R's defaults; every sample to its own margins."""
    import survey.weighting as sw

    margins = step.read()
    if samples_by is not None:
        values = sf.frame[samples_by].cast(pl.String).unique(maintain_order=True).to_list()
        margins = sw.Margins.from_dict({
            f"{samples_by}:{m.name}": {f"{v}:{':'.join(c)}": p for v in values
                                        for c, p in zip(m.categories, m.population, strict=True)}
            for m in margins.margins})
    column = _free_name(sf.frame.columns, getattr(sf.design, "weights", None))
    if step.method == "rake":
        return sw.rake(sf, margins, weight_column=column)
    if step.method == "poststratify":
        return sw.poststratify(sf, margins, partial=step.partial, weight_column=column)
    return sw.calibrate(sf, margins, weight_column=column)


def _free_name(existing: list[str], design_weight: str | None) -> str:
    """``weight`` for the new weights, unless the data use that name for something else."""
    name = "weight"
    while name in existing and name != design_weight:
        name = f"_{name}"
    return name


# -- population sizes ------------------------------------------------------------------


def read_population(path: str | Path, variable: str) -> dict[str, float]:
    """Population sizes of ``variable``'s categories from a CSV: ``variable,category,
    population`` rows (as ``sample_data/population_2025.csv``), or two columns
    ``<variable>,population``."""
    name = Path(path).name
    try:
        pop = pl.read_csv(path, infer_schema_length=0)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise SpecError(f"cannot read {name}: {str(exc).splitlines()[0]}",
                        field="fpc_file") from None
    if {"variable", "category", "population"} <= set(pop.columns):
        rows = pop.filter(pl.col("variable") == variable).select(
            pl.col("category").alias("key"), "population")
        if rows.is_empty():
            known = sorted(set(pop["variable"].drop_nulls().to_list()))
            raise SpecError(f"{name} has no population sizes for {variable!r} (it has "
                            f"{', '.join(known)})", field="fpc_file")
    elif pop.width == 2:
        rows = pop.select(pl.col(pop.columns[0]).alias("key"),
                          pl.col(pop.columns[1]).alias("population"))
    else:
        raise SpecError(f"{name} needs the columns variable,category,population or "
                        f"<variable>,population; it has {','.join(pop.columns)}",
                        field="fpc_file")
    sizes = rows.with_columns(pl.col("population").str.strip_chars()
                              .cast(pl.Float64, strict=False).alias("size"))
    bad = sizes.filter(pl.col("size").is_null())
    if bad.height:
        key, value = bad.row(0)[:2]
        raise SpecError(f"{name}: population {value!r} of {variable} = {key} is not a number",
                        field="fpc_file")
    return dict(zip(sizes["key"].to_list(), sizes["size"].to_list(), strict=True))


def join_population(frame: pl.DataFrame, spec: DesignSpec) -> pl.DataFrame:
    """``frame`` with the population size of each row's ``fpc_by`` (``strata``) category
    from ``spec.fpc_file``, as the column :attr:`DesignSpec.population_column`."""
    by = spec.fpc_by or spec.strata
    if by is None:
        raise SpecError("`fpc_file` needs `strata` (the sizes are per stratum)",
                        field="fpc_file")
    if spec.fpc:
        raise SpecError("give `fpc` or `fpc_file`, not both", field="fpc_file")
    col = spec.population_column
    assert col is not None and spec.fpc_file is not None
    if col in frame.columns:  # joined already
        return frame
    resolve_columns([by], frame.columns, field="strata")
    sizes = read_population(spec.fpc_file, by)
    levels = frame[by].drop_nulls().cast(pl.String).unique().sort().to_list()
    missing = [v for v in levels if v not in sizes]
    if missing:
        raise SpecError(f"no population size for {by} = {', '.join(map(repr, missing[:10]))}",
                        field="fpc_file")
    return frame.with_columns(pl.col(by).cast(pl.String)
                              .replace_strict(sizes, default=None, return_dtype=pl.Float64)
                              .alias(col))

