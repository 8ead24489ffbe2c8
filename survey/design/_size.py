"""Planning a wave: sample size, margin of error, allocation across strata and power.

The formulas are the textbook ones (Cochran 1977, *Sampling Techniques*, 3rd ed., sections
4.4-4.6 and 5.5-5.9; Kish 1965, *Survey Sampling*, sections 2.8 and 12.4), stated in
docs/design_size.md beside a worked example for the academy:

* sample size for a proportion at margin of error ``d``: ``n0 = z^2 p (1 - p) deff / d^2``;
  for a mean with standard deviation ``S``: ``n0 = z^2 S^2 deff / d^2``; at a coefficient of
  variation ``cv`` instead: ``n0 = (1 - p) deff / (p cv^2)`` and ``n0 = S^2 deff / (mean cv)^2``;
* finite population (Cochran's eq. 4.2 with ``S^2 = N p q / (N - 1)``):
  ``n = n0 / (1 + (n0 - 1) / N)``, and for a mean ``n = n0 / (1 + n0 / N)``;
* invitations: ``ceil(n / response_rate)``;
* allocation: proportional ``n_h = n N_h / N``, Neyman ``n_h = n N_h S_h / sum(N_k S_k)``,
  equal ``n / H``; each stratum then gets at least ``min_per_stratum`` and at most ``N_h``,
  the rest re-allocated by the same rule, rounded by largest remainders so that the sizes
  add up to ``n``;
* a change between two waves of ``n`` each, a share ``overlap`` of members in both and a
  correlation ``rho`` between their answers (Kish 12.4): ``V(p1 - p2) = deff (v1 + v2 -
  2 overlap rho sqrt(v1 v2))`` with ``v = p q / n``; power ``Phi(|delta| / se - z)`` (plus the
  negligible far tail) and the sample size solving it for a target power.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl

from survey._display import html_frame
from survey.errors import DesignError, SpecError, UnreadableInputError

__all__ = [
    "Allocation",
    "ChangePower",
    "MarginOfError",
    "SampleSize",
    "allocate",
    "margin_of_error",
    "power_change",
    "read_strata",
    "sample_size",
    "sample_size_change",
]

AllocationMethod = Literal["proportional", "neyman", "equal"]


def _z(level: float) -> float:
    from statistics import NormalDist

    if not 0 < level < 1:
        raise DesignError(f"level {level!r} is not between 0 and 1", hint="give --level as 0.95, 0.9, ...")
    return NormalDist().inv_cdf(0.5 + level / 2)


def _check_share(value: float, name: str, flag: str, *, closed_low: bool = False) -> None:
    low_ok = value >= 0 if closed_low else value > 0
    if not (low_ok and value <= 1) or math.isnan(value):
        raise DesignError(f"{name} {value!r} is not a share in {'[0' if closed_low else '(0'}, 1]",
                          hint=f"give {flag} as a share, 0.4 for 40%")


def _check_positive(value: float | None, name: str, flag: str) -> None:
    if value is not None and not value > 0:
        raise DesignError(f"{name} {value!r} is not positive", hint=f"give {flag} above 0")


def _fpc_n(n0: float, population: int | None, kind: str) -> float:
    if population is None:
        return n0
    if population < 2:
        raise DesignError(f"population {population} is too small", hint="give --population as the frame size N")
    if kind == "proportion":
        return n0 / (1 + (n0 - 1) / population)
    return n0 / (1 + n0 / population)


class _Record:
    """A one-row planning result: plain data, a one-row frame, a notebook table."""

    _title = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return asdict(self)  # type: ignore[call-overload]

    def to_frame(self) -> pl.DataFrame:
        """One-row polars frame."""
        return pl.DataFrame([self.to_dict()])

    def _repr_html_(self) -> str:
        """Jupyter: one row, as ``survey design-size`` prints it."""
        return html_frame(self.to_frame(), title=self._title)


@dataclass(frozen=True)
class SampleSize(_Record):
    """The completed interviews needed, and the invitations that yield them.

    ``n0`` is the size before the finite population correction (with the design effect),
    ``n`` after it, rounded up; ``invitations`` is ``n`` over the response rate, rounded up.
    """

    _title = "Sample size"

    statistic: str
    n0: float
    n: int
    invitations: int
    level: float
    moe: float | None
    cv: float | None
    deff: float
    population: int | None
    response_rate: float


def sample_size(
    *,
    p: float | None = None,
    sd: float | None = None,
    mean: float | None = None,
    moe: float | None = None,
    cv: float | None = None,
    level: float = 0.95,
    deff: float = 1.0,
    population: int | None = None,
    response_rate: float = 1.0,
) -> SampleSize:
    """Completed interviews needed for a proportion ``p`` or a mean (``sd``) at a margin of error.

    Give ``moe`` (the half-width of the interval: 0.05 for five points) or ``cv`` (the target
    coefficient of variation; a mean also needs ``mean``). ``deff`` inflates the simple random
    sample size (Kish), ``population`` applies Cochran's finite population correction and
    ``response_rate`` turns completes into invitations.

    >>> s = sample_size(p=0.6, moe=0.05, population=1100, response_rate=0.4)
    >>> (s.n, s.invitations)
    (277, 693)
    """
    if (p is None) == (sd is None):
        raise DesignError("give either a proportion or a standard deviation, not both or neither",
                          hint="use --p for a proportion or --sd for a mean")
    if (moe is None) == (cv is None):
        raise DesignError("give either a margin of error or a coefficient of variation",
                          hint="use --moe 0.05 or --cv 0.1")
    _check_positive(moe, "margin of error", "--moe")
    _check_positive(cv, "coefficient of variation", "--cv")
    _check_positive(deff, "design effect", "--deff")
    _check_share(response_rate, "response rate", "--response-rate")
    z = _z(level)
    if p is not None:
        if not 0 < p < 1:
            raise DesignError(f"proportion {p!r} is not between 0 and 1", hint="give --p as 0.6 for 60%")
        kind = "proportion"
        n0 = z * z * p * (1 - p) / moe**2 if moe is not None else (1 - p) / (p * cv**2)
    else:
        kind = "mean"
        _check_positive(sd, "standard deviation", "--sd")
        if cv is not None:
            if mean is None or mean == 0:
                raise DesignError("a target cv for a mean needs the expected mean", hint="add --mean")
            n0 = (sd / (mean * cv)) ** 2
        else:
            n0 = (z * sd / moe) ** 2
    n0 *= deff
    n = _fpc_n(n0, population, kind)
    n_int = math.ceil(n - 1e-9)
    if population is not None:
        n_int = min(n_int, population)
    return SampleSize(kind, n0, n_int, math.ceil(n_int / response_rate - 1e-9), level, moe, cv,
                      deff, population, response_rate)


@dataclass(frozen=True)
class MarginOfError(_Record):
    """The half-width of the interval a sample of ``n`` completes achieves."""

    _title = "Margin of error"

    statistic: str
    n: int
    moe: float
    std_error: float
    level: float
    deff: float
    population: int | None


def margin_of_error(
    n: int,
    *,
    p: float | None = None,
    sd: float | None = None,
    level: float = 0.95,
    deff: float = 1.0,
    population: int | None = None,
) -> MarginOfError:
    """The margin of error of a proportion ``p`` (default 0.5, the widest) or a mean.

    Inverts :func:`sample_size`: ``se^2 = deff (1 - n/N) S^2 / n`` with ``S^2 = N p q /
    (N - 1)`` for a proportion (``p q`` without a population).

    >>> round(margin_of_error(200, p=0.615).moe, 4)
    0.0674
    """
    if n < 1:
        raise DesignError(f"sample size {n} is below 1", hint="give --n as the completed interviews")
    _check_positive(deff, "design effect", "--deff")
    if p is not None and sd is not None:
        raise DesignError("give a proportion or a standard deviation, not both", hint="use --p or --sd")
    z = _z(level)
    if sd is None:
        p = 0.5 if p is None else p
        if not 0 < p < 1:
            raise DesignError(f"proportion {p!r} is not between 0 and 1", hint="give --p as 0.6 for 60%")
        s2 = p * (1 - p)
        kind = "proportion"
        if population is not None:
            s2 *= population / (population - 1)
    else:
        _check_positive(sd, "standard deviation", "--sd")
        s2 = sd * sd
        kind = "mean"
    fpc = 1.0
    if population is not None:
        if n > population:
            raise DesignError(f"sample size {n} exceeds the population {population}",
                              hint="check --n and --population")
        fpc = 1 - n / population
    se = math.sqrt(deff * fpc * s2 / n)
    return MarginOfError(kind, n, z * se, se, level, deff, population)


@dataclass(frozen=True)
class Allocation:
    """Sample sizes by stratum: ``table`` has ``stratum``, ``population``, ``sd`` (Neyman),
    ``n`` and ``invitations``."""

    method: str
    n: int
    table: pl.DataFrame
    response_rate: float

    def to_frame(self) -> pl.DataFrame:
        """The allocation table."""
        return self.table

    def _repr_html_(self) -> str:
        """Jupyter: the sample size of each stratum and its invitations."""
        return html_frame(self.table, title=f"{self.method.capitalize()} allocation of {self.n}",
                          caption=f"invitations at a {self.response_rate:.0%} response rate")

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {"method": self.method, "n": self.n, "response_rate": self.response_rate,
                "strata": self.table.to_dicts()}


def _largest_remainder(shares: list[float], total: int) -> list[int]:
    base = [math.floor(s) for s in shares]
    left = total - sum(base)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - base[i]), i))
    for i in order[:left]:
        base[i] += 1
    return base


def allocate(
    n: int,
    population: Mapping[str, int],
    *,
    method: AllocationMethod = "proportional",
    sd: Mapping[str, float] | None = None,
    min_per_stratum: int = 0,
    response_rate: float = 1.0,
) -> Allocation:
    """Share ``n`` completes across strata of the given population sizes.

    Each stratum gets at least ``min_per_stratum`` (never more than its population) and
    at most its population; what the bounds move is re-shared among the other strata by
    the same rule, and the sizes are rounded by largest remainders so they add up to ``n``.

    >>> a = allocate(100, {"A": 600, "B": 300, "C": 100}, min_per_stratum=15)
    >>> a.table["n"].to_list()
    [57, 28, 15]
    """
    strata = list(population)
    if not strata:
        raise DesignError("no strata to allocate to", hint="give a population file with a row per stratum")
    sizes = [int(population[s]) for s in strata]
    if any(N < 1 for N in sizes):
        raise DesignError("every stratum needs a population of at least 1",
                          hint="check the population file's counts")
    total_pop = sum(sizes)
    if not 0 < n <= total_pop:
        raise DesignError(f"sample size {n} is not between 1 and the population {total_pop}",
                          hint="check --n and the population file")
    _check_share(response_rate, "response rate", "--response-rate")
    if method == "neyman":
        if sd is None or any(s not in sd for s in strata):
            missing = [s for s in strata if sd is None or s not in sd]
            raise DesignError(f"Neyman allocation needs a standard deviation for every stratum; "
                              f"missing: {', '.join(missing)}", hint="add an 'sd' column to the strata file")
        weights = [N * float(sd[s]) for N, s in zip(sizes, strata, strict=True)]
        if sum(weights) <= 0:
            raise DesignError("every stratum's standard deviation is zero", hint="check the 'sd' column")
    elif method == "proportional":
        weights = [float(N) for N in sizes]
    elif method == "equal":
        weights = [1.0] * len(strata)
    else:
        raise DesignError(f"allocation {method!r} is not proportional, neyman or equal",
                          hint="use --method proportional|neyman|equal")
    floor_ = [min(min_per_stratum, N) for N in sizes]
    if sum(floor_) > n:
        raise DesignError(f"a minimum of {min_per_stratum} per stratum needs {sum(floor_)} completes, "
                          f"more than {n}", hint="lower --min-per-stratum or raise --n")
    # Fix strata at a bound one round at a time; share the rest by the rule.
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(len(strata)) if i not in fixed]
        left = n - sum(fixed.values())
        wsum = sum(weights[i] for i in free)
        share = {i: (left * weights[i] / wsum if wsum > 0 else left / len(free)) for i in free}
        low = [i for i in free if share[i] < floor_[i]]
        high = [i for i in free if share[i] > sizes[i]]
        if not low and not high:
            break
        for i in low:
            fixed[i] = floor_[i]
        for i in high:
            fixed[i] = sizes[i]
    exact = [fixed.get(i, share.get(i, 0.0)) for i in range(len(strata))]
    counts = _largest_remainder(exact, n)
    table = pl.DataFrame({
        "stratum": strata,
        "population": sizes,
        "sd": [float(sd[s]) if sd is not None and s in sd else None for s in strata],
        "n": counts,
        "invitations": [min(N, math.ceil(c / response_rate - 1e-9)) for c, N in zip(counts, sizes, strict=True)],
    }, schema={"stratum": pl.String, "population": pl.Int64, "sd": pl.Float64,
               "n": pl.Int64, "invitations": pl.Int64})
    return Allocation(method, n, table, response_rate)


@dataclass(frozen=True)
class ChangePower(_Record):
    """Power to detect a change ``p1 - p2`` (or ``mean1 - mean2``) between two waves."""

    _title = "Power to detect a change"

    estimate_1: float
    estimate_2: float
    n: int
    std_error: float
    power: float
    level: float
    deff: float
    overlap: float
    correlation: float
    n_needed: int | None = None
    target_power: float | None = None


def _change_variance_unit(p1: float, p2: float, sd: float | Sequence[float] | None,
                          overlap: float, rho: float) -> float:
    """``n V(est1 - est2) / deff``: the variance of the change for one completed pair."""
    if sd is None:
        v1, v2 = p1 * (1 - p1), p2 * (1 - p2)
    else:
        s1, s2 = (sd, sd) if isinstance(sd, (int, float)) else tuple(sd)
        v1, v2 = s1 * s1, s2 * s2
    return v1 + v2 - 2 * overlap * rho * math.sqrt(v1 * v2)


def _check_change(p1: float, p2: float, sd: object, overlap: float, rho: float, deff: float) -> None:
    if sd is None and not (0 < p1 < 1 and 0 < p2 < 1):
        raise DesignError(f"proportions {p1!r} and {p2!r} must be between 0 and 1",
                          hint="give --p1 and --p2 as shares, 0.615 for 61.5%")
    if p1 == p2:
        raise DesignError("the two waves' values are equal: there is no change to detect",
                          hint="give different --p1 and --p2")
    _check_share(overlap, "panel overlap", "--overlap", closed_low=True)
    if not -1 <= rho <= 1:
        raise DesignError(f"correlation {rho!r} is not between -1 and 1", hint="give --correlation in [-1, 1]")
    _check_positive(deff, "design effect", "--deff")


def power_change(
    p1: float,
    p2: float,
    n: int,
    *,
    sd: float | Sequence[float] | None = None,
    level: float = 0.95,
    deff: float = 1.0,
    overlap: float = 0.0,
    correlation: float = 0.0,
) -> ChangePower:
    """Power of a two-sided test that two waves of ``n`` completes each differ.

    ``p1``/``p2`` are the two waves' proportions, or their means when ``sd`` is given.
    A share ``overlap`` of the members answer both waves and their answers correlate
    ``correlation``: the covariance lowers the variance of the change (Kish 1965, 12.4).

    >>> round(power_change(0.615, 0.494, 200).power, 3)
    0.689
    """
    _check_change(p1, p2, sd, overlap, correlation, deff)
    if n < 2:
        raise DesignError(f"sample size {n} is below 2", hint="give --n per wave")
    from statistics import NormalDist

    z = _z(level)
    se = math.sqrt(deff * _change_variance_unit(p1, p2, sd, overlap, correlation) / n)
    d = abs(p1 - p2) / se
    nd = NormalDist()
    power = nd.cdf(d - z) + nd.cdf(-d - z)
    return ChangePower(p1, p2, n, se, power, level, deff, overlap, correlation)


def sample_size_change(
    p1: float,
    p2: float,
    *,
    power: float = 0.8,
    sd: float | Sequence[float] | None = None,
    level: float = 0.95,
    deff: float = 1.0,
    overlap: float = 0.0,
    correlation: float = 0.0,
) -> ChangePower:
    """Completes per wave for a two-sided test of the change to reach ``power``.

    ``n = deff (z_{1-a/2} + z_{power})^2 V / delta^2`` with ``V`` the unit variance of the
    change under the panel overlap; the returned record reports the power at that ``n``.

    >>> sample_size_change(0.615, 0.494).n_needed
    261
    """
    _check_change(p1, p2, sd, overlap, correlation, deff)
    if not 0 < power < 1:
        raise DesignError(f"power {power!r} is not between 0 and 1", hint="give --power as 0.8")
    from statistics import NormalDist

    zb = NormalDist().inv_cdf(power)
    z = _z(level)
    unit = _change_variance_unit(p1, p2, sd, overlap, correlation)
    n_needed = max(2, math.ceil(deff * (z + zb) ** 2 * unit / (p1 - p2) ** 2 - 1e-9))
    at = power_change(p1, p2, n_needed, sd=sd, level=level, deff=deff, overlap=overlap,
                      correlation=correlation)
    return ChangePower(p1, p2, n_needed, at.std_error, at.power, level, deff, overlap, correlation,
                       n_needed=n_needed, target_power=power)


def read_strata(path: str | Path, *, variable: str | None = None, sd_column: str | None = None
                ) -> tuple[dict[str, int], dict[str, float] | None]:
    """Strata sizes (and standard deviations, for Neyman) to :func:`allocate` over: a csv
    of ``stratum,population[,sd]``, or a margins file (``variable,category,population``)
    whose margin ``variable`` gives the strata."""
    try:
        df = pl.read_csv(path, infer_schema_length=0)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise UnreadableInputError(f"cannot read the strata file: {str(exc).splitlines()[0]}",
                                   location=str(path)) from None
    cols = set(df.columns)
    if {"variable", "category", "population"} <= cols:
        if variable is None:
            found = df["variable"].unique(maintain_order=True).to_list()
            raise SpecError(f"the file holds margins of {', '.join(found)}: name one",
                            field="variable")
        df = df.filter(pl.col("variable") == variable).rename({"category": "stratum"})
        if df.height == 0:
            raise SpecError(f"no margin {variable!r} in {path}", field="variable")
    elif not {"stratum", "population"} <= cols:
        raise SpecError(f"{path} needs columns stratum,population[,sd] (or a margins file "
                        "variable,category,population)", field="strata")
    if sd_column is not None and sd_column not in df.columns:
        raise SpecError(f"no column {sd_column!r} in {path}", field="sd_column")
    try:
        pop = {r["stratum"]: int(r["population"]) for r in df.iter_rows(named=True)}
        sd = (None if sd_column is None else
              {r["stratum"]: float(r[sd_column]) for r in df.iter_rows(named=True)})
    except (TypeError, ValueError) as exc:
        raise SpecError(f"{path}: a population or sd is not a number ({exc})",
                        field="strata") from None
    return pop, sd
