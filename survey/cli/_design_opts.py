"""DATA loading and survey-design flags shared by the analysis commands.

Every command that estimates under a design (``survey stats ...``, and later
``survey crosstab``, ``survey stats logit``, ``survey weight``) takes the same DATA
argument and design flags, collected into one :class:`DesignArgs`::

    @stats.command("mean")
    @design_options                   # DATA, --schema, --weight, --strata, --psu, --fpc ...
    @where_option                     # --where "SQL condition"
    def mean_cmd(design: DesignArgs, where: str | None, ...) -> None:
        sf = load_design(design, columns=["api00"])            # -> SurveyFrame
        # or, when the codebook is needed too:
        data = load_data(design, columns=[...]); sf = bind_design(data.frame, design)

DATA is a csv, xlsx or (typed) Parquet file, or ``--store DIR [--wave ID]``.

A further option group (e.g. weighting's ``--rake``/``--poststratify``) is one
:class:`OptionGroup` appended to :data:`EXTRA_GROUPS` in this module (commands take the
groups present when they are defined): its flags join every design command, its values
arrive in ``DesignArgs.extra[group.name]``, and its ``apply`` step runs on the bound
design, after binding and before replicate weights are created. Keep the group's heavy
imports inside ``apply``: ``survey --help`` and ``survey stats`` load this module.
"""

from __future__ import annotations

import re

import difflib
import fnmatch
import functools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
import polars as pl

from survey.cli import _weight_opts

if TYPE_CHECKING:
    from survey.codebook import Codebook
    from survey.design import SurveyFrame

__all__ = [
    "EXTRA_GROUPS",
    "Data",
    "DesignArgs",
    "Source",
    "OptionGroup",
    "bind_design",
    "design_options",
    "design_summary",
    "inspect_data",
    "load_data",
    "load_design",
    "parse_where",
    "resolve_columns",
    "split_commas",
    "split_option",
    "where_option",
]

F = TypeVar("F", bound=Callable[..., Any])

META_CODEBOOK = "survey.codebook"
"""Parquet metadata key of the codebook (``survey.frames.META_CODEBOOK``; read here without
importing ``survey.frames``, whose spreadsheet readers cost ~0.7 s of start-up)."""

REPLICATE_TYPES = {"jk1": "JK1", "jkn": "JKn", "jk2": "JK2", "brr": "BRR", "fay": "Fay",
                   "bootstrap": "bootstrap", "subbootstrap": "subbootstrap",
                   "mrbbootstrap": "mrbbootstrap", "successive-difference": "successive-difference",
                   "acs": "ACS", "other": "other"}
SUPPLIED_ONLY = ("JK2", "successive-difference", "ACS", "other")
"""Types R's ``svrepdesign`` reads from supplied columns but ``as.svrepdesign`` never makes."""
LONELY = ("fail", "remove", "adjust", "average", "certainty")


@dataclass(frozen=True)
class OptionGroup:
    """Flags added to every design command, and the step that applies them.

    ``options`` are ``click.option(...)`` decorators; ``apply(sf, values)`` returns the
    adjusted design (``values``: this group's parameters by name); ``columns(values)``
    names the data columns the step reads, so they are loaded too.
    """

    name: str
    options: tuple[Callable[[F], F], ...]
    apply: Callable[[SurveyFrame, Mapping[str, Any]], SurveyFrame]
    columns: Callable[[Mapping[str, Any]], Iterable[str]] = lambda values: ()

    def params(self) -> list[str]:
        """Parameter names of the group's flags."""
        names: list[str] = []
        for deco in self.options:
            names.extend(p.name for p in _params_of(deco) if p.name)
        return names


EXTRA_GROUPS: list[OptionGroup] = [
    OptionGroup("weighting", _weight_opts.OPTIONS, _weight_opts.apply, _weight_opts.columns),
]
"""Option groups contributed by other layers, applied in order: weighting's
``--rake``/``--poststratify`` (:mod:`survey.cli._weight_opts`)."""


@dataclass(frozen=True)
class DesignArgs:
    """The DATA argument and design flags of one command line."""

    data: str | None
    schema: str | None = None
    store: str | None = None
    wave: str | None = None
    imputations: str | None = None
    sheet: str | None = None
    weight: str | None = None
    strata: str | None = None
    psu: tuple[str, ...] = ()
    fpc: tuple[str, ...] = ()
    fpc_file: str | None = None
    lonely_psu: str = "fail"
    replicate: str | None = None
    replicates: int = 50
    replicate_weights: str | None = None
    scale: float | None = None
    rscales: tuple[float, ...] | None = None
    fay_rho: float | None = None
    mse: bool = False
    seed: int | None = None
    extra: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def fpc_column(self) -> str | tuple[str, ...] | None:
        """The fpc column(s) the design uses (``--fpc``, one per stage, or the one
        ``--fpc-file`` adds)."""
        if self.fpc_file:
            return f"{self.strata}__population"
        return (self.fpc[0] if len(self.fpc) == 1 else self.fpc) or None

    def columns(self) -> list[str]:
        """Data columns the design reads (replicate-weight patterns kept as globs)."""
        cols = [self.weight, self.strata, *self.psu, *self.fpc, self.replicate_weights]
        for g in EXTRA_GROUPS:
            cols.extend(g.columns(self.extra.get(g.name, {})))
        return [c for c in cols if c]


_FILE = click.Path(dir_okay=False)


def split_commas(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
    """``"a, b"`` -> ``("a", "b")``; a repeated option's values are split and joined."""
    values = value if isinstance(value, tuple) else (value or "",)
    return tuple(v.strip() for text in values for v in (text or "").split(",") if v.strip())


def split_option(ctx: click.Context, param: click.Parameter, value: Any) -> tuple[str, ...]:
    """Click callback: a comma list (or a repeated option) as a tuple of names."""
    return split_commas(value)


def _floats(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[float, ...] | None:
    if value is None:
        return None
    try:
        return tuple(float(v) for v in value.split(",") if v.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a comma-separated list of numbers") from None


_DATA = [
    click.argument("data", type=_FILE, required=False),
    click.option("--store", type=click.Path(file_okay=False),
                 help="Read from a wave store (`survey waves`) instead of a DATA file."),
    click.option("--wave", help="Wave(s) to load from --store, comma-separated (default: every "
                                "wave; the `wave` column can then be a --by domain)."),
    click.option("--imputations", metavar="GLOB",
                 help="Completed data sets of a multiple imputation, e.g. 'wave_imp*.csv', in "
                      "place of DATA: the analysis runs on each and is combined by Rubin's rules "
                      "(R's MIcombine)."),
    click.option("--schema", "-s", type=_FILE,
                 help="Codebook for a csv/xlsx DATA (typed as `survey ingest` would); "
                      "without it a csv/xlsx is read as-is."),
    click.option("--sheet", help="Sheet of an xlsx DATA."),
]
_DESIGN = [
    click.option("--weight", "-w", help="Sampling-weight column (default: equal weights)."),
    click.option("--strata", help="Stratum column."),
    click.option("--psu", callback=split_option,
                 help="Cluster (PSU) column; a comma list gives one per stage. Default: each row."),
    click.option("--fpc", callback=split_option,
                 help="Finite population correction column: population size (PSUs) or sampling "
                      "fraction per stratum; a comma list gives one per --psu stage (the second "
                      "stage's per PSU, as R's fpc=~fpc1+fpc2)."),
    click.option("--fpc-file", type=_FILE,
                 help="CSV of population sizes per stratum (columns variable,category,population "
                      "as sample_data/population_2025.csv, or <strata>,population); joined on --strata."),
    click.option("--lonely-psu", type=click.Choice(LONELY), default="fail", show_default=True,
                 help="Strata with one PSU, as R's survey.lonely.psu."),
]
_REPLICATE = [
    click.option("--replicate", type=click.Choice(sorted(REPLICATE_TYPES), case_sensitive=False),
                 help="Replicate variance (R's names): created from the design (jk1, jkn, brr, "
                      "fay, bootstrap, subbootstrap, mrbbootstrap), or the type of the "
                      "--replicate-weights columns (also jk2, successive-difference, acs, other)."),
    click.option("--replicates", type=click.IntRange(min=2), default=50, show_default=True,
                 help="Bootstrap replicates to create."),
    click.option("--replicate-weights", metavar="GLOB",
                 help="Supplied replicate-weight columns, e.g. 'repw*'."),
    click.option("--scale", type=float, help="Replicate variance scale (default: R's for the type)."),
    click.option("--rscales", callback=_floats, help="Per-replicate scales, comma-separated (JKn)."),
    click.option("--fay-rho", type=click.FloatRange(0, 1, max_open=True), help="Fay's rho (--replicate fay)."),
    click.option("--mse", is_flag=True, help="Centre replicates on the full-sample estimate."),
    click.option("--seed", type=int, help="Random seed of created bootstrap replicates."),
]
def _params_of(deco: Callable[[F], F]) -> list[click.Parameter]:
    """The click parameters a ``click.option``/``click.argument`` decorator adds."""

    def probe() -> None:  # pragma: no cover - never called
        pass

    deco(probe)  # type: ignore[arg-type]
    return list(getattr(probe, "__click_params__", []))


_CORE_NAMES = [p.name for deco in [*_DATA, *_DESIGN, *_REPLICATE] for p in _params_of(deco)]


def design_options(f: F) -> F:
    """Add DATA, the design flags and every :data:`EXTRA_GROUPS` flag to a command.

    The command receives one ``design: DesignArgs`` parameter instead of the flags.
    """

    @functools.wraps(f)
    def wrapper(*args: Any, **kw: Any) -> Any:
        core = {name: kw.pop(name) for name in _CORE_NAMES}
        extra = {g.name: {p: kw.pop(p) for p in g.params()} for g in EXTRA_GROUPS}
        if core["replicate"]:
            core["replicate"] = core["replicate"].lower()
        given = [k for k in ("data", "store", "imputations") if core[k] is not None]
        if len(given) != 1:
            raise click.UsageError("give a DATA file, --store DIR (with --wave) or "
                                   "--imputations GLOB" + (", only one" if given else ""))
        if core["wave"] and not core["store"]:
            raise click.UsageError("--wave needs --store")
        return f(*args, design=DesignArgs(**core, extra=extra), **kw)

    decos = [*_DATA, *_DESIGN, *_REPLICATE, *(o for g in EXTRA_GROUPS for o in g.options)]
    out: Callable[..., Any] = wrapper
    for deco in reversed(decos):
        out = deco(out)
    return out  # type: ignore[return-value]


def design_summary(args: DesignArgs) -> dict[str, Any]:
    """The design the flags describe, as plain data (JSON output, table captions)."""
    out: dict[str, Any] = {"weights": args.weight, "strata": args.strata,
                           "psu": list(args.psu) or None,
                           "fpc": list(f) if isinstance(f := args.fpc_column, tuple) else f,
                           "lonely_psu": args.lonely_psu}
    if args.replicate or args.replicate_weights:
        out["replicate"] = args.replicate or "other"
        if args.replicate_weights:
            out["replicate_weights"] = args.replicate_weights
    return {**out, **_weight_opts.describe(args.data, args.extra.get("weighting", {}))}


def where_option(f: F) -> F:
    """``--where "SQL condition"``: a subpopulation, estimated as a domain."""
    return click.option(
        "--where", metavar="SQL",
        help="Subpopulation as an SQL condition, e.g. \"offer_received = 'Yes'\" or "
             "\"sch.wide = 'Yes' AND api00 > 600\" (estimated as a domain of the full design).",
    )(f)


# -- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """What DATA holds, learnt without reading its rows (csv, Parquet).

    ``columns`` is empty for spreadsheets and typed csv until they are read whole.
    """

    columns: tuple[str, ...]
    codebook_json: str | None = None
    schema_codebook: Codebook | None = None  # from --schema
    weighting_json: str | None = None  # the design `survey weight` stored

    @functools.cached_property
    def codebook(self) -> Codebook | None:
        """The codebook (a typed Parquet file's is parsed on first use)."""
        if self.schema_codebook is not None or self.codebook_json is None:
            return self.schema_codebook
        from survey.codebook import parse_codebook

        return parse_codebook(json.loads(self.codebook_json), path="DATA#codebook")


@dataclass(frozen=True)
class Data:
    """A loaded DATA file: the frame (only the columns asked for) and where it came from."""

    frame: pl.DataFrame
    source: Source

    @property
    def codebook(self) -> Codebook | None:
        """The data's codebook, if it has one."""
        return self.source.codebook

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column of the file (the frame holds those asked for)."""
        return self.source.columns


def _suffix(path: str) -> str:
    return Path(path).suffix.lower()


def inspect_data(args: DesignArgs) -> Source:
    """The columns of DATA (and a Parquet file's codebook), without reading rows."""
    if args.imputations is not None:  # commands that combine imputations read each file
        raise click.UsageError("--imputations works with `survey stats mean|total|proportion|"
                               "ratio`; give one DATA file here")
    if args.data is None:  # a wave store: loaded whole, harmonised
        return Source(())
    path, ext = args.data, _suffix(args.data)
    if not Path(path).is_file():
        raise click.BadParameter(f"{path!r} is not a file", param_hint="DATA")
    try:
        if ext == ".parquet":
            meta = _weight_opts.parquet_metadata(path)
            return Source(tuple(pl.read_parquet_schema(path)), meta.get(META_CODEBOOK),
                          weighting_json=meta.get(_weight_opts.META_WEIGHTING))
        if ext in (".csv", ".tsv", ".txt") and args.schema is None:
            return Source(tuple(_scan_csv(path).collect_schema()))
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise click.BadParameter(f"cannot read {path}: {str(exc).splitlines()[0]}",
                                 param_hint="DATA") from None
    return Source(())


def _scan_csv(path: str) -> pl.LazyFrame:
    sep = "\t" if _suffix(path) == ".tsv" else ","
    return pl.scan_csv(path, separator=sep, null_values=["", "NA"], infer_schema_length=10_000)


def resolve_columns(wanted: Iterable[str], available: Sequence[str], *, what: str = "column",
                    param: str | None = None) -> list[str]:
    """Expand globs and check names against ``available``; unknown names fail with a hint."""
    out: list[str] = []
    for name in wanted:
        if any(ch in name for ch in "*?["):
            hits = fnmatch.filter(available, name)
            if not hits:
                raise click.BadParameter(f"no {what} matches {name!r}", param_hint=param)
            out.extend(hits)
        elif name in available:
            out.append(name)
        else:
            close = difflib.get_close_matches(name, available, n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise click.BadParameter(f"no {what} {name!r} in the data{hint}", param_hint=param)
    return list(dict.fromkeys(out))


def load_data(args: DesignArgs, *, columns: Iterable[str] = (),
              source: Source | None = None) -> Data:
    """Read DATA: the analysis ``columns`` (names or globs) and the design's columns.

    Parquet from ``survey ingest`` keeps its codebook; a csv/xlsx with ``--schema`` is
    typed and validated (bad cells become nulls, with a warning); without a schema it is
    read as-is. Only the needed columns are read from csv and Parquet files.
    ``source``: the result of :func:`inspect_data`, when the caller has it already.
    """
    src = source if source is not None else inspect_data(args)
    wanted = [*columns, *args.columns(),
              *(_weight_opts.stored_columns(src.weighting_json) if src.weighting_json else ())]
    if src.columns and args.data is not None:
        path, ext = args.data, _suffix(args.data)
        keep = resolve_columns(wanted, src.columns)
        reader = pl.scan_parquet(path) if ext == ".parquet" else _scan_csv(path)
        try:
            frame = reader.select(keep).collect()
        except (OSError, pl.exceptions.PolarsError) as exc:
            raise click.BadParameter(f"cannot read {path}: {str(exc).splitlines()[0]}",
                                     param_hint="DATA") from None
        return Data(_contiguous(frame), src)
    frame, codebook = _read_whole(args)
    keep = resolve_columns(wanted, frame.columns)
    return Data(frame.select(keep), Source(tuple(frame.columns), schema_codebook=codebook))


def _contiguous(frame: pl.DataFrame) -> pl.DataFrame:
    """One chunk per column, a column at a time (a Parquet file arrives in row-group chunks;
    rechunked later, by a frame-level operation, it would briefly cost twice its memory)."""
    cols = frame.get_columns()
    del frame
    for i, col in enumerate(cols):
        cols[i] = col.rechunk()
        del col
    return pl.DataFrame(cols)


def _read_whole(args: DesignArgs) -> tuple[pl.DataFrame, Codebook | None]:
    if args.data is None:
        from survey.store import load

        assert args.store is not None
        waves = [w.strip() for w in args.wave.split(",")] if args.wave else None
        harmonized = load(args.store, waves=waves)
        for wave, notes in harmonized.notes.items():
            for note in notes:
                click.echo(f"note: wave {wave}: {note}", err=True)
        return harmonized.frame, harmonized.codebook
    path, ext = args.data, _suffix(args.data)
    if args.schema is not None:
        from survey.codebook import load_codebook
        from survey.frames import read_survey

        typed = read_survey(path, load_codebook(args.schema), sheet=args.sheet)
        if not typed.report.ok:
            click.echo(f"warning: {typed.report.n_errors} validation error(s); bad cells are "
                       "treated as missing (run `survey validate`)", err=True)
        return typed.frame, typed.codebook
    if ext in (".xlsx", ".xlsm", ".xls"):
        try:
            return pl.read_excel(path, sheet_name=args.sheet), None
        except Exception as exc:  # noqa: BLE001 - fastexcel raises its own error types
            raise click.BadParameter(f"cannot read {path}: {str(exc).splitlines()[0]}",
                                     param_hint="DATA") from None
    raise click.BadParameter(f"{path}: DATA must be .parquet, .csv, .tsv or .xlsx",
                             param_hint="DATA")


# -- binding ---------------------------------------------------------------------------


def bind_design(frame: pl.DataFrame, args: DesignArgs) -> SurveyFrame:
    """Bind ``frame`` to the design the flags describe, as R's ``svydesign`` /
    ``svrepdesign`` / ``as.svrepdesign``; then apply :data:`EXTRA_GROUPS` and create
    replicate weights (``--replicate`` without ``--replicate-weights``)."""
    from survey.design import Design, ReplicateDesign, SurveyFrame, as_replicate
    from survey.errors import DesignError

    rtype = REPLICATE_TYPES[args.replicate] if args.replicate else None
    if rtype == "Fay" and args.fay_rho is None:
        raise click.UsageError("--replicate fay needs --fay-rho (e.g. 0.5)")
    if args.fpc_file:
        frame = _join_population(frame, args)
    stored = _weight_opts.read_stored(args.data)
    if stored is not None and (args.weight or args.strata or args.psu or args.fpc
                               or args.fpc_file or args.replicate_weights):
        raise click.UsageError("DATA carries the weighted design `survey weight` stored: drop "
                               "--weight/--strata/--psu/--fpc/--fpc-file/--replicate-weights")
    try:
        create = rtype is not None and not args.replicate_weights

        def replicate(base: SurveyFrame) -> SurveyFrame:
            """Replicates made from the unweighted design, as R's as.svrepdesign; the
            weighting steps then re-weight every replicate (R's rake(as.svrepdesign(.)))."""
            if not create:
                return base
            if rtype in SUPPLIED_ONLY:
                raise click.UsageError(f"--replicate {args.replicate} needs --replicate-weights "
                                       "(R makes these only from supplied columns)")
            if base.has_stage2:  # as R's as.svrepdesign, which warns the same
                click.echo("note: replicates use the first stage only; the second-stage fpc "
                           "is dropped", err=True)
            return as_replicate(base, type=rtype if rtype != "Fay" else "BRR",  # type: ignore[arg-type]
                                fay_rho=args.fay_rho or 0.0, mse=args.mse,
                                replicates=args.replicates, seed=args.seed)

        if args.replicate_weights:
            if args.strata or args.psu or args.fpc or args.fpc_file:
                raise click.UsageError("--replicate-weights already carry the design: drop "
                                       "--strata/--psu/--fpc")
            reps = tuple(resolve_columns([args.replicate_weights], frame.columns,
                                         what="replicate-weight column",
                                         param="--replicate-weights"))
            sf = SurveyFrame(frame, ReplicateDesign(
                weights=args.weight, repweights=reps, type=rtype or "other", scale=args.scale,
                rscales=args.rscales, rho=args.fay_rho, mse=args.mse))
        elif stored is not None:
            sf = _weight_opts.stored_design(frame, stored, replicate=replicate if create else None)
        else:
            sf = replicate(SurveyFrame(frame, Design(
                weights=args.weight, strata=args.strata,
                ids=(args.psu[0] if len(args.psu) == 1 else args.psu) or None,
                fpc=args.fpc_column, lonely_psu=args.lonely_psu)))  # type: ignore[arg-type]
        for g in EXTRA_GROUPS:
            sf = g.apply(sf, args.extra.get(g.name, {}))
        return sf
    except DesignError as exc:
        if exc.hint and "lonely_psu" in exc.hint:  # the library's hint, in flag words
            hint = re.sub(r"'(adjust|average|remove|certainty)'", r"\1", exc.hint.replace(
                "lonely_psu=", "--lonely-psu ").replace("choose ", "use "))
            raise DesignError(exc.message, location=exc.location, problems=exc.problems,
                              hint=hint) from None
        raise


def load_design(args: DesignArgs, *, columns: Iterable[str] = ()) -> SurveyFrame:
    """Read DATA (the analysis ``columns`` and the design's) and bind the design."""
    return bind_design(load_data(args, columns=columns).frame, args)


def _join_population(frame: pl.DataFrame, args: DesignArgs) -> pl.DataFrame:
    """Join population sizes per stratum from ``--fpc-file`` as the fpc column."""
    if args.strata is None:
        raise click.UsageError("--fpc-file needs --strata (the sizes are per stratum)")
    if args.fpc:
        raise click.UsageError("give --fpc or --fpc-file, not both")
    try:
        pop = pl.read_csv(args.fpc_file, infer_schema_length=None)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise click.BadParameter(f"cannot read {args.fpc_file}: {str(exc).splitlines()[0]}",
                                 param_hint="--fpc-file") from None
    if {"variable", "category", "population"} <= set(pop.columns):
        pop = pop.filter(pl.col("variable") == args.strata).select(
            pl.col("category").cast(pl.String).alias("key"), "population")
    elif pop.width == 2:
        pop = pop.select(pl.col(pop.columns[0]).cast(pl.String).alias("key"),
                         pl.col(pop.columns[1]).alias("population"))
    else:
        raise click.BadParameter("expected columns variable,category,population or "
                                 "<strata>,population", param_hint="--fpc-file")
    if pop.is_empty():
        raise click.BadParameter(f"no population sizes for {args.strata!r}", param_hint="--fpc-file")
    levels = frame[args.strata].drop_nulls().cast(pl.String).unique().to_list()
    missing = sorted(set(levels) - set(pop["key"].to_list()))
    if missing:
        raise click.BadParameter(f"no population size for {args.strata} = "
                                 f"{', '.join(map(repr, missing[:10]))}", param_hint="--fpc-file")
    col = args.fpc_column
    assert col is not None
    sizes = dict(zip(pop["key"].to_list(), pop["population"].to_list(), strict=True))
    return frame.with_columns(pl.col(args.strata).cast(pl.String)
                              .replace_strict(sizes, default=None, return_dtype=pl.Float64).alias(col))


# -- subpopulations --------------------------------------------------------------------


def parse_where(condition: str, columns: Sequence[str]) -> pl.Expr:
    """Translate an SQL condition into a polars expression (``pl.sql_expr``).

    Column names that are not plain SQL identifiers (``sch.wide``) are quoted first,
    so they are read as columns, not as struct fields; every column named must exist.

    >>> parse_where("sch.wide = 'Yes' AND api00 > 600", ["sch.wide", "api00"]).meta.root_names()
    ['sch.wide', 'api00']
    """
    text = _quote_names(condition, columns)
    try:
        expr = pl.sql_expr(text)
        names = expr.meta.root_names()
    except pl.exceptions.PolarsError as exc:
        raise click.BadParameter(f"cannot read the condition {condition!r}: "
                                 f"{str(exc).splitlines()[0]}", param_hint="--where") from None
    resolve_columns(names, columns, param="--where")
    return expr


def _quote_names(sql: str, columns: Sequence[str]) -> str:
    """Double-quote the dotted column names of ``sql``, outside string literals."""
    special = sorted((c for c in columns if "." in c), key=len, reverse=True)
    if not special:
        return sql
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"":  # a literal or an already-quoted name: copy to its closing quote
            j = i + 1
            while j < n and not (sql[j] == ch and not (j + 1 < n and sql[j + 1] == ch)):
                j += 2 if sql[j] == ch else 1
            out.append(sql[i:j + 1])
            i = j + 1
            continue
        if ch.isalpha() or ch == "_":
            j = i
            while j < n and (sql[j].isalnum() or sql[j] in "_."):
                j += 1
            word = sql[i:j]
            out.append(f'"{word}"' if word in special else word)
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out)
