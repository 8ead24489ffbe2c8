"""`survey weight rake|poststratify|calibrate|adjust`: weights that meet population
margins, and nonresponse adjustment.

A thin shell over :mod:`survey.weighting`: read the data, bind the design, weight,
print the diagnostics, write Parquet with the weights and, as metadata, the design
and weighting steps (so a later command rebuilds the calibrated design and its SEs).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click
from rich.table import Table

from survey.bind import DesignSpec, bind, open_source
from survey.cli._data import _apply, _limits, limit_options
from survey.cli._design_opts import echo_notes, flag_words, split_commas, split_option
from survey.cli._render import console
from survey.design import SurveyFrame
from survey.weighting import (
    Margins,
    WeightDiagnostics,
    calibrate,
    poststratify,
    rake,
    read_margins,
    trim_weights,
    weight_diagnostics,
    write_weighted,
)

__all__ = ["weight"]

_FILE = click.Path(dir_okay=False)


_MARGINS_OPTION = click.option(
    "--margins", "-m", "margins_file", type=_FILE,
    help="Population margins: CSV with variable,category,population "
         "(default: the codebook's population section).")

_common = [
    click.argument("data", type=_FILE, required=False),
    click.option("--store", type=click.Path(file_okay=False),
                 help="Read harmonised waves from this store instead of DATA."),
    click.option("--wave", "waves", help="Waves to read from --store, comma-separated (default: all)."),
    _MARGINS_OPTION,
    click.option("--margin", "selected", multiple=True,
                 help="Use only this margin of the file (repeatable; e.g. division:gender)."),
    click.option("--out", "-o", required=True, type=_FILE, help="Parquet file to write."),
    click.option("--schema", "-s", type=_FILE,
                 help="Codebook, for a spreadsheet DATA (typed Parquet carries its own)."),
    click.option("--sheet", help="Sheet to read, for a spreadsheet DATA."),
    click.option("--weights", "-w", help="Sampling-weight column (default: equal weights)."),
    click.option("--strata", help="Stratum column."),
    click.option("--ids", help="Cluster (PSU) column(s), first stage first, comma-separated."),
    click.option("--fpc", help="Finite population correction column (population size or fraction)."),
    click.option("--lonely-psu", type=click.Choice(["fail", "remove", "adjust", "average",
                                                    "certainty"]),
                 default="fail", show_default=True, help="Strata with one PSU (R's survey.lonely.psu)."),
    click.option("--weight-column", default="weight", show_default=True,
                 help="Column the new weights are written to."),
    click.option("--trim-lower", type=float, help="Then trim weights below this (R's trimWeights)."),
    click.option("--trim-upper", type=float, help="Then trim weights above this."),
    click.option("--recalibrate", is_flag=True,
                 help="After trimming, weight to the margins again (R's trimWeights, then "
                      "the same step), so the margins hold exactly."),
    click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                 show_default=True, help="Diagnostics output."),
    limit_options,
]


@click.group()
def weight() -> None:
    """Weights that reproduce known population counts, with R's calibrated SEs.

    \b
    Examples:
      survey weight poststratify wave2025.parquet -m sample_data/population_2025.csv --margin division:gender -o weighted.parquet
      survey weight rake wave2025.parquet -m sample_data/population_2025.csv --margin division --margin gender -o weighted.parquet
      survey weight calibrate data.csv -m margins.csv --calfun logit --bounds 0.5,2 -o weighted.parquet
    """


@weight.command("poststratify")
@_apply(_common)
@click.option("--partial", is_flag=True,
              help="Drop population cells with no respondents (R's partial=TRUE).")
def poststratify_cmd(partial: bool, **kw: Any) -> None:
    """Post-stratify DATA to one margin (cross variables as a:b in the file)."""
    _run(kw, lambda sf, ms, col: poststratify(sf, ms, partial=partial, weight_column=col))


@weight.command("rake")
@_apply(_common)
@click.option("--epsilon", type=float, default=1.0, show_default=True,
              help="Convergence: largest change of a weighted cell count (R's default 1).")
@click.option("--maxit", type=click.IntRange(min=1), default=10, show_default=True,
              help="Largest number of raking sweeps (R's default).")
def rake_cmd(epsilon: float, maxit: int, **kw: Any) -> None:
    """Rake DATA to several margins (iterative proportional fitting, as R's rake)."""
    _run(kw, lambda sf, ms, col: rake(sf, ms, epsilon=epsilon, maxit=maxit, weight_column=col))


@weight.command("calibrate")
@_apply(_common)
@click.option("--calfun", type=click.Choice(["linear", "raking", "logit", "sinh"]),
              default="linear", show_default=True, help="Calibration distance (R's calfun).")
@click.option("--bounds", help="Bounds on the weight ratio g, LOW,HIGH (needed for logit, sinh).")
@click.option("--maxit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--epsilon", type=float, default=1e-7, show_default=True)
@click.option("--aggregate-stage", type=click.IntRange(min=1),
              help="Integrated calibration: one ratio per cluster of this stage (1: the "
                   "--ids clusters, e.g. households), as R's aggregate.stage.")
def calibrate_cmd(calfun: str, bounds: str | None, maxit: int, epsilon: float,
                  aggregate_stage: int | None, **kw: Any) -> None:
    """Calibrate DATA to margins and numeric totals (GREG, as R's calibrate)."""
    lo, hi = float("-inf"), float("inf")
    if bounds:
        try:
            lo, hi = (float(x) for x in bounds.split(","))
        except ValueError:
            raise click.BadParameter("give two numbers, LOW,HIGH", param_hint="--bounds") from None
    _run(kw, lambda sf, ms, col: calibrate(sf, ms, calfun=calfun,  # type: ignore[arg-type]
                                           bounds=(lo, hi), maxit=maxit, epsilon=epsilon,
                                           aggregate_stage=aggregate_stage,
                                           weight_column=col))


@weight.command("standardize")
@_apply(_common)
@click.option("--by", "by", required=True,
              help="Variable whose distribution is fixed to the margin of that name in --margins.")
@click.option("--over", help="Groups within which --by is standardised (default: the sample).")
def standardize_cmd(by: str, over: str | None, **kw: Any) -> None:
    """Direct standardisation of DATA, as R's svystandardize: within every --over group,
    --by follows the distribution of its margin in --margins (normalised to shares)."""
    from survey.weighting import standardize

    def method(sf: SurveyFrame, margins: Margins, column: str) -> SurveyFrame:
        m = margins.select(by).margins[0]
        return standardize(sf, by, {c[0]: p for c, p in zip(m.categories, m.population,
                                                           strict=True)},
                           over=over, weight_column=column)

    _run(kw, method, own_margins=True)


@weight.command("adjust")
@_apply([o for o in _common if o is not _MARGINS_OPTION])
@click.option("--status", required=True,
              help="Column of response dispositions: respondent, nonrespondent, ineligible, "
                   "unknown (or rr, nr, in, uk; other codes with --code).")
@click.option("--code", "codes", multiple=True, metavar="VALUE=DISPOSITION",
              help="What a value of --status means, e.g. --code 1=respondent (repeatable).")
@click.option("--classes", callback=split_option,
              help="Weighting-class column(s), comma-separated (crossed). Default: one class.")
@click.option("--propensity", callback=split_option,
              help="Frame variables of a logistic model of responding; the nonresponse step "
                   "then uses classes of equal size by estimated propensity.")
@click.option("--propensity-classes", type=click.IntRange(min=1), default=5, show_default=True,
              help="Number of propensity classes (quantiles).")
@click.option("--margins", "-m", "margins_file", type=_FILE,
              help="Then weight the respondents to these margins (with --then).")
@click.option("--then", "then", type=click.Choice(["poststratify", "rake"]),
              help="Then post-stratify or rake the respondents to --margins (or the "
                   "codebook's population section).")
@click.option("--normalize", metavar="n|TOTAL",
              help="Finally rescale the weights to sum to the sample size (n) or to TOTAL.")
def adjust_cmd(status: str, codes: tuple[str, ...], classes: tuple[str, ...],
               propensity: tuple[str, ...], propensity_classes: int, then: str | None,
               normalize: str | None, **kw: Any) -> None:
    """Nonresponse adjustment of DATA's weights (weighting classes, as R's nonresponse()).

    \b
    Unknown-eligibility cases pass their weight to the known cases of their class,
    nonrespondents to the respondents; the output holds the respondents with the
    adjusted weights, optionally post-stratified or raked, then normalised.
    Examples:
      survey weight adjust sample.csv --weights w --status disposition --classes region -o nr.parquet
      survey weight adjust sample.csv --weights w --status disposition --propensity age,urban --then rake -m margins.csv -o w.parquet
    """
    from survey.weighting import adjust_nonresponse, normalize_weights

    mapping: dict[str, Any] = {}
    for c in codes:
        value, sep, disp = c.partition("=")
        if not sep or disp.strip() not in ("respondent", "nonrespondent", "ineligible", "unknown"):
            raise click.BadParameter(f"{c!r}: give VALUE=respondent|nonrespondent|ineligible|"
                                     "unknown", param_hint="--code")
        mapping[value.strip()] = disp.strip()
    target: str | float | None = None
    if normalize is not None:
        try:
            target = "n" if normalize == "n" else float(normalize)
        except ValueError:
            raise click.BadParameter("give n or a number", param_hint="--normalize") from None
    col = kw["weight_column"]

    def method(sf: SurveyFrame, margins: Margins | None, column: str) -> SurveyFrame:
        adjusted = adjust_nonresponse(
            sf, status, classes=list(classes) or None, propensity=list(propensity) or None,
            n_classes=propensity_classes, codes=mapping or None,  # type: ignore[arg-type]
            weight_column=column if then is None and target is None else "nr_weight")
        if then is not None:
            assert margins is not None
            step = poststratify if then == "poststratify" else rake
            adjusted = step(adjusted, margins, weight_column=column)
        if target is not None:
            adjusted = normalize_weights(adjusted, to=target, weight_column=column)  # type: ignore[arg-type]
        return adjusted

    _run({**kw, "weight_column": col}, method, margins_needed=then is not None)


_bind = flag_words({"weights": "--weights", "strata": "--strata", "ids": "--ids",
                    "fpc": "--fpc", "lonely_psu": "--lonely-psu"})(bind)
""":func:`survey.bind.bind`, its errors naming `survey weight`'s own design flags."""


def _run(kw: dict[str, Any], method: Callable[[SurveyFrame, Margins, str], SurveyFrame], *,
         margins_needed: bool = True, own_margins: bool = False) -> None:
    """Load, bind, weight, diagnose and write; ``own_margins``: the diagnostics compare
    the weights with the margins the last step made (standardisation), not the file's."""
    out = kw.pop("out")
    if not out.endswith(".parquet"):
        raise click.BadParameter("the output file must end in .parquet", param_hint="--out")
    data, store = kw.pop("data"), kw.pop("store")
    if (data is None) == (store is None):
        raise click.UsageError("give DATA (a file) or --store DIR [--wave IDS], one of them")
    source = open_source(data, schema=kw.pop("schema"), store=store, waves=kw.pop("waves"),
                         sheet=kw.pop("sheet"), limits=_limits(kw))
    spec = DesignSpec(weights=kw["weights"], strata=kw["strata"], ids=split_commas(kw["ids"]),
                      fpc=split_commas(kw["fpc"]), lonely_psu=kw["lonely_psu"])
    frame = source.read()
    echo_notes(source)
    codebook = source.codebook
    sf = _bind(frame, spec)
    margins: Margins | None = None
    if kw["margins_file"] is not None:
        margins = read_margins(kw["margins_file"])
    elif codebook is not None and codebook.population:
        margins = Margins.from_codebook(codebook) if margins_needed else None
    elif margins_needed:
        raise click.UsageError("give --margins FILE: the data's codebook has no population section")
    if kw["selected"] and margins is not None:
        margins = margins.select(*kw["selected"])
    col = kw["weight_column"]
    weighted = method(sf, margins, col)  # type: ignore[arg-type]
    if kw["trim_lower"] is not None or kw["trim_upper"] is not None:
        weighted = trim_weights(weighted, lower=kw["trim_lower"] if kw["trim_lower"] is not None
                                else float("-inf"), upper=kw["trim_upper"]
                                if kw["trim_upper"] is not None else float("inf"),
                                weight_column=col)
        if kw["recalibrate"]:
            weighted = method(weighted, margins, col)  # type: ignore[arg-type]
    diag = weight_diagnostics(weighted, None if own_margins else margins)
    write_weighted(weighted, out, codebook=codebook, diagnostics=diag.to_dict())
    if kw["fmt"] == "json":
        click.echo(json.dumps({"out": out, **diag.to_dict()}, ensure_ascii=False, indent=2))
    else:
        _render(diag)
        click.echo(f"wrote {out}: {weighted.frame.height} rows, weights in {col!r}")


def _render(diag: WeightDiagnostics) -> None:
    con = console()
    con.print(diag.summary())
    if not diag.margins.height:
        return
    t = Table("margin", "category", "n", "target", "before", "after", "difference")
    for r in diag.margins.iter_rows(named=True):
        gap = 0.0 if abs(r["difference"]) < 1e-9 * max(r["target"], 1.0) else r["difference"]
        t.add_row(r["margin"], r["category"], str(r["n"]), f"{r['target']:,.1f}",
                  f"{r['initial']:,.1f}", f"{r['achieved']:,.1f}", f"{gap:,.3g}")
    con.print(t)
