"""``survey stats pca|factor``: the dimensions of a scale, as R's svyprcomp and
svyfactanal.

A thin shell over :func:`survey.models.svyprcomp` and
:func:`~survey.models.svyfactanal`: read the items, bind the design (the shared design
flags), decompose, print.
"""

from __future__ import annotations

from typing import Any

import click
import polars as pl

from survey.cli._design_opts import (
    DesignArgs,
    design_options,
    design_summary,
    format_option,
    open_data,
    read_design_where,
    resolve_columns,
    split_option,
    where_caption,
    where_option,
)
from survey.cli._output import emit_frame

__all__ = ["factor_cmd", "pca_cmd"]

_VARS = click.option("--var", "-v", "variables", required=True, multiple=True,
                     callback=split_option, help="The items (numeric; comma list or repeated).")


def _load(design: DesignArgs, variables: tuple[str, ...], where: str | None
          ) -> tuple[Any, list[str], pl.Expr | None]:
    source = open_data(design)
    cols = resolve_columns(list(variables), source.columns, param="--var")
    sf, expr = read_design_where(design, source, cols, where)
    return sf, cols, expr


def _cell(v: Any) -> str:
    return f"{v:.4f}" if isinstance(v, float) else str(v)


def _emit(frame: pl.DataFrame, fmt: str, doc: dict[str, Any], title: str, caption: str) -> None:
    emit_frame(frame, fmt, doc, title=title, caption=caption, cell=lambda _c, v: _cell(v))


@click.command("pca")
@_VARS
@click.option("--standardize", "standardize", is_flag=True,
              help="Components of the standardised items (R's scale.=TRUE; --scale is "
                   "the design flags' replicate scale).")
@where_option
@format_option
@design_options
def pca_cmd(variables: tuple[str, ...], standardize: bool, where: str | None, fmt: str,
            design: DesignArgs) -> None:
    """Design-weighted principal components, as R's svyprcomp.

    Table and csv: the loadings (one row per item, a column per component) under each
    component's sdev and share of the variance; JSON: components with sdev, proportion
    and loadings by variable. Signs of a component are arbitrary, as R's.

    \b
    Examples:
      survey stats pca apiclus2.csv --var api99,api00,ell,hsg,meals,emer --standardize \\
          --psu dnum,snum --fpc fpc1,fpc2
    """
    from survey.models import svyprcomp

    sf, cols, expr = _load(design, variables, where)
    res = svyprcomp(sf, cols, scale=standardize, where=expr)
    doc = {**res.to_dict(), "design": design_summary(design), "where": where}
    shares = pl.DataFrame({"variable": ["sdev", "proportion"],
                           **{c: [float(s), float(p)] for c, s, p in
                              zip(res.table["component"], res.table["sdev"],
                                  res.table["proportion"], strict=True)}})
    frame = res.rotation if fmt == "csv" else pl.concat([shares, res.rotation])
    what = " (standardised)" if standardize else ""
    _emit(frame, fmt, doc, f"principal components{what}, R's svyprcomp",
          f"{where_caption(design, where)}; {res.n} rows")


@click.command("factor")
@_VARS
@click.option("--factors", "-k", type=click.IntRange(min=1), required=True,
              help="Number of factors.")
@click.option("--rotation", type=click.Choice(["varimax", "none"]), default="varimax",
              show_default=True, help="Rotation of the loadings, as R's factanal.")
@where_option
@format_option
@design_options
def factor_cmd(variables: tuple[str, ...], factors: int, rotation: str, where: str | None,
               fmt: str, design: DesignArgs) -> None:
    """Maximum-likelihood factor analysis of the design-weighted correlations, as R's
    svyfactanal: loadings per item and factor, and each item's uniqueness.

    \b
    Examples:
      survey stats factor apiclus2.csv --var api99,api00,hsg,meals,ell,emer --factors 2 \\
          --psu dnum,snum --fpc fpc1,fpc2
    """
    from survey.models import svyfactanal

    sf, cols, expr = _load(design, variables, where)
    res = svyfactanal(sf, cols, factors=factors, rotation=rotation,  # type: ignore[arg-type]
                      where=expr)
    doc = {**res.to_dict(), "design": design_summary(design), "where": where}
    frame = res.loadings if fmt != "table" else res.loadings.pivot(
        on="factor", index=["variable", "uniqueness"], values="loading").select(
        "variable", *[f"Factor{k + 1}" for k in range(factors)], "uniqueness")
    _emit(frame, fmt, doc, f"factor analysis, {factors} factor{'s' if factors > 1 else ''} "
          f"({rotation}), R's svyfactanal", where_caption(design, where))
