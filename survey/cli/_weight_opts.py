"""Weighting on every design command: ``--rake FILE`` / ``--poststratify FILE`` (with
``--margin NAME``), spelt as the library's weighting steps (:class:`survey.bind.Weighting`).

The steps run on the bound design, after replicate weights are made, so the estimators
use the calibration residuals (R's ``svyrecvar``) and every replicate is re-weighted. A
Parquet file written by ``survey weight ... --out`` carries its own weighted design,
which :mod:`survey.bind` replays without flags.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from survey.bind import Weighting

__all__ = ["OPTIONS", "steps"]

_FILE = click.Path(exists=True, dir_okay=False)

OPTIONS = (
    click.option("--rake", "rake_file", type=_FILE, metavar="FILE",
                 help="Rake the weights to the margins of FILE (variable,category,population; "
                      "as R's rake): every margin, or those --margin names."),
    click.option("--poststratify", "poststratify_file", type=_FILE, metavar="FILE",
                 help="Post-stratify the weights to one margin of FILE (as R's postStratify); "
                      "pick it with --margin when FILE has several."),
    click.option("--margin", "margin_names", multiple=True, metavar="NAME",
                 help="A margin of the --rake/--poststratify file (repeatable), e.g. "
                      "division:gender (crossed) or division."),
)


def steps(values: Mapping[str, Any]) -> tuple[Weighting, ...]:
    """The weighting step the flags ask for (none, or one)."""
    rake, post = values.get("rake_file"), values.get("poststratify_file")
    names = tuple(values.get("margin_names") or ())
    if rake and post:
        raise click.UsageError("give --rake or --poststratify, not both")
    if not rake and not post:
        if names:
            raise click.UsageError("--margin picks margins of a --rake or --poststratify file")
        return ()
    return (Weighting("rake" if rake else "poststratify", rake or post, names),)
