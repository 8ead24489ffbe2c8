"""``--compare`` and its companions for ``survey stats``: panel links between waves
(``--panel-id``, or the store's member key), ``--independent``, ``--relative``; and
``--imputations`` (one analysis per completed data set, combined as R's MIcombine).

The statistics live in the library (:func:`survey.estimators.panel_design`,
:func:`~survey.estimators.panel_link`, :func:`~survey.estimators.differences`,
:func:`~survey.estimators.mi_combine`); this module only reads options and calls them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

import click
import polars as pl

from survey.bind import imputation_paths
from survey.cli._design_opts import DesignArgs, in_flag_words, open_data, split_option
from survey.design import SurveyFrame
from survey.estimators import Estimates

if TYPE_CHECKING:  # pragma: no cover
    from survey.estimators import PanelLink

__all__ = ["CompareArgs", "Panel", "combine_imputations", "compare_options",
           "emit_imputed_models", "imputation_files"]

F = TypeVar("F", bound=Callable[..., Any])

STRATA_RULE = ("a member whose stratum differs between the waves takes the stratum (and fpc) "
               "of their row in the first wave compared")


@dataclass(frozen=True)
class CompareArgs:
    """``--compare FIRST,SECOND`` with ``--relative``, ``--panel-id`` and ``--independent``."""

    values: tuple[str, ...] = ()
    relative: bool = False
    panel_id: str | None = None
    independent: bool = False

    def member(self, design: DesignArgs) -> str | None:
        """The member column linking the compared waves, or None (independent samples):
        ``--panel-id``, else the store's panel key when reading ``--store``."""
        if not self.values or self.independent:
            return None
        if self.panel_id:
            return self.panel_id
        if design.store:
            return open_data(design).panel_key
        return None


@dataclass(frozen=True)
class Panel:
    """The panel design in use and how the waves are linked."""

    link: PanelLink
    strata: str | None

    def to_dict(self) -> dict[str, Any]:
        return {**self.link.to_dict(), "strata_rule": STRATA_RULE if self.strata else None}

    def caption(self) -> str:
        moved = (f"; {self.link.moved_strata} changed stratum (kept their {self.link.first} one)"
                 if self.link.moved_strata else "")
        return (f"panel: {self.link.members_in_both} members in both waves, clustered by "
                f"{self.link.member}{moved}")


def compare_options(f: F) -> F:
    """Add ``--compare``, ``--relative``, ``--panel-id``, ``--independent``; the command
    receives one ``compare: CompareArgs``."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kw: Any) -> Any:
        c = CompareArgs(kw.pop("compare_values"), kw.pop("relative"), kw.pop("panel_id"),
                        kw.pop("independent"))
        if (c.relative or c.panel_id or c.independent) and not c.values:
            raise click.UsageError("--relative, --panel-id and --independent go with "
                                   "--compare FIRST,SECOND")
        if c.panel_id and c.independent:
            raise click.UsageError("give --panel-id or --independent, not both")
        return f(*args, compare=c, **kw)

    for deco in reversed([
        click.option("--compare", "compare_values", metavar="FIRST,SECOND", callback=split_option,
                     help="Differences between two values of the first --by column, e.g. "
                          "--by wave --compare 2025,2023: FIRST minus SECOND for every "
                          "estimate, with standard errors from the full covariance "
                          "(R's svycontrast)."),
        click.option("--relative", is_flag=True,
                     help="With --compare: the relative change FIRST / SECOND - 1 (delta method)."),
        click.option("--panel-id", metavar="COLUMN",
                     help="With --compare: the member column linking the waves; members in "
                          "both are clusters, so the change uses the covariance between the "
                          "waves (R: svydesign(ids=~member) over the stacked waves). From "
                          "--store the codebook's panel key is used without this flag."),
        click.option("--independent", is_flag=True,
                     help="With --compare: treat the waves as independent samples even when "
                          "members link them."),
    ]):
        wrapper = deco(wrapper)
    return wrapper  # type: ignore[return-value]


def panel(sf: SurveyFrame, compare: CompareArgs, member: str | None, by: tuple[str, ...],
          design: DesignArgs, where: pl.Expr | None) -> tuple[SurveyFrame, Panel | None]:
    """The design to estimate on: clustered by member when the waves are linked."""
    if member is None:
        return sf, None
    if not by:
        raise click.UsageError("--compare needs --by: it compares two values of the first "
                               "--by column (e.g. --by wave --compare 2025,2023)")
    if len(compare.values) != 2:
        raise click.BadParameter("give two values, FIRST,SECOND", param_hint="--compare")
    from survey.errors import EstimationError
    from survey.estimators import panel_design, panel_link

    first, second = compare.values
    if member not in sf.frame.columns:
        raise click.BadParameter(f"no column {member!r} in the data", param_hint="--panel-id")
    link = panel_link(sf.frame, member, by[0], first, second, strata=design.spec.strata, where=where)
    prefer = pl.col(by[0]).cast(pl.String) == first
    try:
        linked = panel_design(sf, member, prefer=prefer)
    except EstimationError as exc:  # the library's hint, in flag words
        raise EstimationError(exc.message, location=exc.location,
                              hint="drop --psu/--replicate, or add --independent to compare "
                                   "the waves as independent samples") from None
    return linked, Panel(link, design.spec.strata)


def imputation_files(design: DesignArgs) -> list[DesignArgs]:
    """One DesignArgs per completed data set of ``--imputations`` (sorted by name)."""
    if design.imputations is None:
        return [design]
    return [replace(design, data=f, imputations=None)
            for f in in_flag_words(imputation_paths)(design.imputations)]


def combine_imputations(runs: list[list[Estimates]]) -> list[Estimates]:
    """Rubin's rules over the runs (one list of results per completed data set)."""
    if len(runs) == 1:
        return runs[0]
    from survey.estimators import mi_combine

    return [mi_combine([run[i] for run in runs]) for i in range(len(runs[0]))]


def emit_imputed_models(fit: Callable[[DesignArgs], Any], fmt: str, design: DesignArgs,
                        where: str | None) -> None:
    """``survey stats logit|ologit|glm --imputations``: one fit per completed data set,
    combined by Rubin's rules; coefficients (link scale) with ``df`` and ``missinfo``,
    and for logit and log links their exponentials (odds ratios, ratios) with intervals."""
    from survey.estimators import mi_combine

    fits = [fit(args) for args in imputation_files(design)]
    emit_combined_models(fits, mi_combine(fits), fmt, design, where)


def emit_combined_models(fits: list[Any], est: Estimates, fmt: str, design: DesignArgs,
                         where: str | None) -> None:
    """Models combined by Rubin's rules (imputations, plausible values), as one table."""
    from survey.cli._stats import _emit

    t = est.table
    if all(f.link in ("logit", "log") for f in fits):
        t = t.with_columns(
            pl.col("estimate").exp().alias("exp_estimate"),
            pl.col("conf_low").exp().alias("exp_conf_low"),
            pl.col("conf_high").exp().alias("exp_conf_high"))
    _emit([Estimates(est.statistic, t, est.vcov, est.level, est.by, est.method)], fmt, design,
          where)
