"""DATA and the survey-design flags shared by the analysis commands.

Every command that estimates under a design (``survey stats ...``, ``survey crosstab``,
``survey stats logit``, ``survey weight``) takes the same DATA argument and design flags,
collected into one :class:`DesignArgs`; the work is the library's (:mod:`survey.bind`)::

    @stats.command("mean")
    @design_options                   # DATA, --schema, --weight, --strata, --psu, --fpc ...
    @where_option                     # --where "SQL condition"
    def mean_cmd(design: DesignArgs, where: str | None, ...) -> None:
        source = open_data(design)                      # -> survey.bind.Source
        expr = parse_where(where, source.columns)       # the library's translator
        sf = read_design(design, source, ["api00"])     # -> SurveyFrame

DATA is a csv, xlsx or (typed) Parquet file, or ``--store DIR [--wave ID]``. The flags
are a spelling of :class:`survey.bind.DesignSpec` (:attr:`DesignArgs.spec`); the
library's errors name spec fields, which :data:`FLAGS` re-spells as flags.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import click

from survey.bind import LONELY_PSU, REPLICATE_TYPES, DesignSpec, open_source, stored_weighting
from survey.bind import parse_where as _parse_where
from survey.bind import resolve_columns as _resolve_columns
from survey.cli import _weight_opts
from survey.errors import DesignError, SpecError

if TYPE_CHECKING:
    import polars as pl

    from survey.bind import Source
    from survey.design import SurveyFrame

__all__ = [
    "FLAGS",
    "DesignArgs",
    "bind_design",
    "design_caption",
    "design_options",
    "design_summary",
    "echo_design_notes",
    "echo_notes",
    "flag_words",
    "format_option",
    "in_flag_words",
    "open_data",
    "parse_where",
    "read",
    "read_design",
    "read_design_where",
    "resolve_columns",
    "split_commas",
    "split_option",
    "where_caption",
    "where_option",
]

F = TypeVar("F", bound=Callable[..., Any])

FLAGS = {"data": "DATA", "schema": "--schema", "store": "--store", "waves": "--wave",
         "sheet": "--sheet", "imputations": "--imputations", "weights": "--weight",
         "strata": "--strata", "ids": "--psu", "fpc": "--fpc", "fpc_file": "--fpc-file",
         "lonely_psu": "--lonely-psu", "pps": "--pps", "pps_variance": "--pps-variance",
         "adjust_domain_lonely": "--adjust-domain-lonely", "replicate": "--replicate",
         "replicates": "--replicates", "replicate_weights": "--replicate-weights",
         "scale": "--scale", "rscales": "--rscales", "fay_rho": "--fay-rho", "mse": "--mse",
         "seed": "--seed", "where": "--where", "weighting": "--rake/--poststratify",
         "replicate=TYPE": "--replicate TYPE",
         **{f'replicate="{t}"': f"--replicate {k}" for k, t in REPLICATE_TYPES.items()}}
"""The flag of each :class:`~survey.bind.DesignSpec` field (and source argument), for
the library's errors (``SpecError.named``)."""


@dataclass(frozen=True)
class DesignArgs:
    """The DATA argument and design flags of one command line: where the rows come from,
    and the design the flags spell (the library's :class:`~survey.bind.DesignSpec`)."""

    data: str | None
    schema: str | None = None
    store: str | None = None
    wave: str | None = None
    imputations: str | None = None
    sheet: str | None = None
    spec: DesignSpec = field(default_factory=DesignSpec)


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
    click.argument("data", type=click.Path(), required=False),
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
    click.option("--lonely-psu", type=click.Choice(LONELY_PSU), default="fail", show_default=True,
                 help="Strata with one PSU, as R's survey.lonely.psu."),
    click.option("--pps", type=click.Choice(["brewer", "overton"]),
                 help="PSUs drawn with probability proportional to size without replacement "
                      "(R's svydesign(pps=)); --fpc then gives each PSU's inclusion probability."),
    click.option("--pps-variance", type=click.Choice(["HT", "YG"]), default="HT",
                 show_default=True, help="Horvitz-Thompson or Yates-Grundy (--pps overton)."),
    click.option("--adjust-domain-lonely", is_flag=True,
                 help="A domain's stratum with one PSU is lonely too (R's "
                      "survey.adjust.domain.lonely; with --lonely-psu adjust)."),
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


_CORE = [*_DATA, *_DESIGN, *_REPLICATE, *_weight_opts.OPTIONS]
_CORE_NAMES = [p.name for deco in _CORE for p in _params_of(deco)]
_WEIGHTING_NAMES = [p.name for deco in _weight_opts.OPTIONS for p in _params_of(deco)]


def design_options(f: F) -> F:
    """Add DATA, the design flags and the weighting flags to a command.

    The command receives one ``design: DesignArgs`` parameter instead of the flags.
    """

    @functools.wraps(f)
    def wrapper(*args: Any, **kw: Any) -> Any:
        core = {name: kw.pop(name) for name in _CORE_NAMES}
        weighting = _weight_opts.steps({k: core.pop(k) for k in _WEIGHTING_NAMES})
        source = {k: core.pop(k) for k in ("data", "schema", "store", "wave", "imputations",
                                           "sheet")}
        given = [k for k in ("data", "store", "imputations") if source[k] is not None]
        if len(given) != 1:
            raise click.UsageError("give a DATA file, --store DIR (with --wave) or "
                                   "--imputations GLOB" + (", only one" if given else ""))
        if source["wave"] and not source["store"]:
            raise click.UsageError("--wave needs --store")
        spec = in_flag_words(DesignSpec)(
            weights=core["weight"], strata=core["strata"], ids=core["psu"], fpc=core["fpc"],
            fpc_file=core["fpc_file"], lonely_psu=core["lonely_psu"], pps=core["pps"],
            pps_variance=core["pps_variance"], adjust_domain_lonely=core["adjust_domain_lonely"],
            replicate=core["replicate"].lower() if core["replicate"] else None,
            replicates=core["replicates"], replicate_weights=core["replicate_weights"],
            scale=core["scale"], rscales=core["rscales"], fay_rho=core["fay_rho"],
            mse=core["mse"], seed=core["seed"], weighting=weighting)
        return f(*args, design=DesignArgs(**source, spec=spec), **kw)

    out: Callable[..., Any] = wrapper
    for deco in reversed(_CORE):
        out = deco(out)
    return out  # type: ignore[return-value]


def where_option(f: F) -> F:
    """``--where "SQL condition"``: a subpopulation, estimated as a domain."""
    return click.option(
        "--where", metavar="SQL",
        help="Subpopulation as an SQL condition, e.g. \"offer_received = 'Yes'\" or "
             "\"sch.wide = 'Yes' AND api00 > 600\" (estimated as a domain of the full design).",
    )(f)


def format_option(f: F) -> F:
    """``--format table|json|csv``, as ``fmt`` (default: table)."""
    return click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]),
                        default="table", show_default=True)(f)


# -- calling the library (survey.bind) -------------------------------------------------


def flag_words(flags: dict[str, str]) -> Callable[[F], F]:
    """A decorator re-spelling the library's errors for a command whose design flags are
    ``flags`` (spec field -> flag): spec fields as flags (``fpc_file`` -> ``--fpc-file``),
    and the design's lonely-PSU hint as the flag."""

    def decorate(f: F) -> F:
        @functools.wraps(f)
        def wrapper(*args: Any, **kw: Any) -> Any:
            try:
                return f(*args, **kw)
            except SpecError as exc:
                raise exc.named(flags) from None
            except DesignError as exc:
                if not (exc.hint and re.search(r"lonely_psu|type='", exc.hint)):
                    raise
                hint = re.sub(r"'(adjust|average|remove|certainty)'", r"\1", exc.hint.replace(
                    "lonely_psu=", flags["lonely_psu"] + " ").replace("choose ", "use "))
                hint = re.sub(r"type='(\w+)'", lambda m: f"--replicate {m[1].lower()}", hint)
                raise DesignError(exc.message, location=exc.location, problems=exc.problems,
                                  hint=hint) from None

        return wrapper  # type: ignore[return-value]

    return decorate


in_flag_words = flag_words(FLAGS)
"""The library's errors in the words of the design flags of `survey stats` and the
commands that share them (:func:`design_options`)."""


@in_flag_words
def open_data(args: DesignArgs, *, limits: Any = None) -> Source:
    """DATA or ``--store``, opened (no rows read yet where the format allows)."""
    if args.imputations is not None:  # commands that combine imputations read each file
        raise click.UsageError("--imputations works with `survey stats mean|total|proportion|"
                               "ratio|logit|ologit|glm`; give one DATA file here")
    return open_source(args.data, schema=args.schema, store=args.store, waves=args.wave,
                       sheet=args.sheet, limits=limits)


@in_flag_words
def read(source: Source, columns: Iterable[str] = ("*",), args: DesignArgs | None = None
         ) -> pl.DataFrame:
    """The rows of ``columns`` (and those of the flags' design); what reading noted is
    shown on stderr."""
    frame = source.read(columns, spec=args.spec if args is not None else None)
    echo_notes(source)
    return frame


@in_flag_words
def read_design(args: DesignArgs, source: Source, columns: Iterable[str] = ("*",)) -> SurveyFrame:
    """Read ``columns`` and the design's, and bind the design the flags describe (or
    the one a `survey weight` file stored)."""
    sf = source.design(args.spec, columns=columns)
    echo_notes(source)
    echo_design_notes(args, source)
    return sf


@in_flag_words
def read_design_where(args: DesignArgs, source: Source, columns: Iterable[str],
                      where: str | None) -> tuple[SurveyFrame, pl.Expr | None]:
    """:func:`read_design` over ``columns`` and those the ``--where`` condition names, and
    the condition parsed (``None`` without one)."""
    expr = parse_where(where, source.columns) if where else None
    wanted = [*columns, *(expr.meta.root_names() if expr is not None else [])]
    return read_design(args, source, wanted), expr


@in_flag_words
def bind_design(frame: pl.DataFrame, args: DesignArgs, source: Source | None = None) -> SurveyFrame:
    """Bind a frame already read (e.g. recoded) to the flags' design."""
    from survey.bind import bind

    stored = source.weighting if source is not None else stored_weighting(args.data)
    sf = bind(frame, args.spec, stored=stored)
    echo_design_notes(args, source)
    return sf


def echo_notes(source: Source) -> None:
    """Show (once) what reading the source noted and warned."""
    for note in source.notes:
        click.echo(f"note: {note}", err=True)
    for warning in source.warnings:
        click.echo(f"warning: {warning}", err=True)
    source.notes.clear()
    source.warnings.clear()


def design_summary(args: DesignArgs, source: Source | None = None) -> dict[str, Any]:
    """The design the flags describe, as plain data (JSON output, table captions); a
    design stored by `survey weight` replaces the flags'. With --replicate-weights,
    ``replicate_columns`` counts the columns the pattern matched; ``notes`` are in the
    flags' words (no --weight: every respondent weighs 1)."""
    stored = source.weighting if source is not None else stored_weighting(args.data)
    columns = None
    if args.spec.replicate_weights:
        columns = source.columns if source is not None else _columns_of(args)
    out = args.spec.describe(stored, columns=columns)
    if "notes" in out:
        out["notes"] = [_in_flags(n) for n in out["notes"]]
    return out


def design_caption(args: DesignArgs) -> str:
    """``design: weights pw, replicate acs, replicate_weights wgtp* (80 columns)``, the line
    under a table (``simple random sample`` when the flags give no design; notes go to
    stderr, not here)."""
    d = design_summary(args)
    count = d.pop("replicate_columns", None)
    if count is not None:
        d["replicate_weights"] = f"{d['replicate_weights']} ({count} columns)"
    parts = [f"{k} {'+'.join(v) if isinstance(v, list) else v}" for k, v in d.items()
             if v and k not in ("lonely_psu", "notes")]
    return "design: " + (", ".join(parts) if parts else "simple random sample")


def where_caption(args: DesignArgs, where: str | None) -> str:
    """:func:`design_caption` followed by ``; where CONDITION`` when there is one."""
    return design_caption(args) + (f"; where {where}" if where else "")


@functools.cache
def _columns_of(args: DesignArgs) -> tuple[str, ...]:
    return open_data(args).columns


def _in_flags(text: str) -> str:
    return re.sub(r"`([^`\s]+)`", lambda m: FLAGS.get(m[1], m[0]), text)


def echo_design_notes(args: DesignArgs, source: Source | None = None) -> None:
    """The design's notes on stderr (``note: no --weight: every respondent weighs 1``)."""
    for note in design_summary(args, source).get("notes", ()):
        click.echo(f"note: {note}", err=True)


@in_flag_words
def parse_where(condition: str, columns: Iterable[str]) -> pl.Expr:
    """``--where``: the library's SQL translator (errors name the flag)."""
    return _parse_where(condition, list(columns))


@in_flag_words
def resolve_columns(wanted: Iterable[str], available: Iterable[str], *, what: str = "column",
                    param: str | None = None) -> list[str]:
    """Check names (or globs) of a flag ``param`` against the data's columns."""
    return _resolve_columns(wanted, list(available), what=what, field=param)
