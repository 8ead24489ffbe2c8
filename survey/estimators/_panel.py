"""Waves answered by the same members: one design over the stacked waves with the member
as the cluster, so a change between waves carries the covariance between them.

R's recipe: ``svydesign(ids=~member, strata=..., weights=..., data=stacked)``, then
``svycontrast(svyby(~y, ~wave, design, svymean, covmat=TRUE), ...)``. A member's two
answers fall in one PSU, so their covariance enters the variance of the change; a
member in one wave only is a PSU of one row, as under independence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from survey._display import html_table
from survey.design import Design, SurveyFrame
from survey.design._frame import W
from survey.errors import EstimationError

__all__ = ["PanelLink", "panel_design", "panel_link"]

_ID, _WT, _STRATUM, _FPC = "__panel_member", "__panel_weight", "__panel_stratum", "__panel_fpc"


@dataclass(frozen=True)
class PanelLink:
    """How two waves are linked: ``members_in_both`` answered both (within the
    analysed rows), ``moved_strata`` of them had a different stratum in the other wave."""

    member: str
    first: str
    second: str
    members_in_both: int
    moved_strata: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {"member": self.member, "first": self.first, "second": self.second,
                "members_in_both": self.members_in_both, "moved_strata": self.moved_strata}

    def _repr_html_(self) -> str:
        """Jupyter: the members linking the two waves."""
        return html_table(["member", "waves", "members_in_both", "moved_strata"],
                          [[self.member, f"{self.first} and {self.second}",
                            self.members_in_both, self.moved_strata]],
                          title="Panel link", numeric=[False, False, True, True],
                          caption=f"a member whose stratum differs keeps their {self.first} one"
                          if self.moved_strata else None)


def panel_design(sf: SurveyFrame, member: str, *, strata: str | None = None,
                 prefer: pl.Expr | None = None) -> SurveyFrame:
    """The design of stacked waves with each member as a cluster (R's
    ``svydesign(ids=~member, strata=~strata, weights=..., fpc=..., data=stacked)``).

    Parameters
    ----------
    sf
        A linearisation design over the stacked waves, without clusters: its weights
        (calibrated or post-stratified weights included, with their calibration),
        strata, fpc and lonely-PSU rule are kept.
    member
        The column linking a member's rows across waves; rows where it is null are
        each their own cluster.
    strata
        The stratum column of the panel design (default: the design's). It must not
        contain the wave: a member's rows have to share a stratum.
    prefer
        Rows whose stratum (and fpc) a member keeps when their strata differ between
        waves (e.g. ``pl.col("wave") == "2025"``: the first wave compared); without it,
        or for a member with no such row, their first row's. The sample design of the
        preferred wave decides, and the others are moved into it.

    Returns
    -------
    SurveyFrame
        The same rows and weights, clustered by member.

    Examples
    --------
    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> df = pl.DataFrame({"id": [1, 2, 1, 3], "wave": ["a", "a", "b", "b"],
    ...                    "y": [1.0, 2.0, 2.0, 5.0]})
    >>> panel_design(svydesign(df), "id").n_psu
    3
    """
    d = sf.design
    if not isinstance(d, Design):
        raise EstimationError("a panel design needs a linearisation design, not replicate "
                              "weights", location=member,
                              hint="compare the waves as independent samples")
    if d.stage_ids:
        raise EstimationError(f"the design already has clusters ({', '.join(d.stage_ids)}); "
                              "a panel design makes the member the cluster", location=member,
                              hint="drop the clusters, or compare as independent samples")
    if member not in sf.frame.columns:
        raise EstimationError(f"the member column {member!r} is not in the data",
                              location=member)
    strata = d.strata if strata is None else strata
    fpc = d.stage_fpc[0] if d.stage_fpc else None
    # the cluster: the member's dense code; a row without a member is a cluster of its own
    code = sf.frame.select(pl.col(member).rank("dense").cast(pl.Int64)).to_series()
    top = int(code.max() or 0)  # type: ignore[arg-type]
    rows = pl.int_range(1, sf.frame.height + 1, dtype=pl.Int64, eager=True)
    cluster = code.fill_null(rows + top).alias(_ID)
    frame = sf.frame.with_columns(sf._data[W].alias(_WT), cluster)
    if strata is not None or fpc is not None:
        keep = [(c, a) for c, a in ((strata, _STRATUM), (fpc, _FPC)) if c is not None]
        chosen = [pl.col(c).first().over(_ID) for c, _ in keep]
        if prefer is not None:  # the member's row in the preferred wave, else their first
            chosen = [pl.col(c).filter(prefer.fill_null(False)).first().over(_ID)
                      .fill_null(other) for (c, _), other in zip(keep, chosen, strict=True)]
        frame = frame.with_columns(e.alias(a) for e, (_, a) in zip(chosen, keep, strict=True))
    new = SurveyFrame(frame, Design(
        weights=_WT, strata=_STRATUM if strata is not None else None, ids=_ID,
        fpc=_FPC if fpc is not None else None, fpc_kind=d.fpc_kind, lonely_psu=d.lonely_psu))
    return SurveyFrame._derived(new, domain=sf.domain, calibration=sf.calibration)


def panel_link(frame: pl.DataFrame, member: str, by: str, first: object, second: object, *,
               strata: str | None = None, where: pl.Expr | None = None) -> PanelLink:
    """Count the members answering both ``by == first`` and ``by == second`` (within
    ``where``), and those of them whose ``strata`` value differs between the two.

    >>> import polars as pl
    >>> df = pl.DataFrame({"id": [1, 2, 1, 3], "wave": ["a", "a", "b", "b"]})
    >>> panel_link(df, "id", "wave", "a", "b").members_in_both
    1
    """
    for c in (member, by, *([strata] if strata else [])):
        if c not in frame.columns:
            raise EstimationError(f"column {c!r} is not in the data", location=c)
    rows = frame.lazy().filter(pl.col(member).is_not_null()
                               & pl.col(by).cast(pl.String).is_in([str(first), str(second)]))
    if where is not None:
        rows = rows.filter(where.fill_null(False))
    agg = rows.group_by(member).agg(
        pl.col(by).cast(pl.String).n_unique().alias("waves"),
        *([pl.col(strata).n_unique().alias("strata")] if strata else []))
    both = agg.filter(pl.col("waves") == 2).collect()
    moved = int((both["strata"] > 1).sum()) if strata else 0
    return PanelLink(member, str(first), str(second), both.height, moved)
