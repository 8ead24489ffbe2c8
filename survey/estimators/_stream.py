"""Totals, means, proportions and ratios on a lazy design: one GROUP BY where the rows are.

The engine (:mod:`survey.estimators._engine`) needs the PSU x domain totals ``P`` and,
for supplied replicate columns, the replicate x domain totals. Here they come from one
aggregation over the rows, streamed by polars or run by Spark
(:class:`~survey.design.LazySurveyFrame`'s backend), grouped by

* stratum and PSU (linearisation, or replicates made from the PSUs), and the units of
  every later stage with an fpc (R's ``multistage``: their totals give its later terms);
* the ``by`` columns (rows with a null one, or outside ``where``, are dropped first);
* every categorical analysis variable: its categories' totals are the group sums,

with sums of the weight, of the weight times each numeric column, of each supplied
replicate weight times the same, and counts of rows of non-zero weight. The small
result is then laid out as the in-memory engine lays out its arrays and finished by
the same numpy code (:func:`~survey.estimators._engine.finish_ratios`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from survey.design import LazySurveyFrame, Sum, subset_df
from survey.design._frame import DOM, full_rank_from_head, gram_rank
from survey.errors import EstimationError
from survey.estimators._engine import (
    _CENSUS,
    Domains,
    Fit,
    finish_ratios,
    ratio_jacobian,
    taylor_vcov,
)
from survey.estimators._items import LazyCol, _Item
from survey.estimators._stream_pps import pps_rows_fit

__all__ = [
    "Reduced",
    "fit_lazy",
    "lazy_categories",
    "lazy_items",
    "lazy_ratio_item",
    "reduce_lazy",
    "row_stratum_factors",
]

MAX_CODES = 50


def lazy_categories(lsf: LazySurveyFrame, column: str, *, codes: bool = False
                    ) -> list[object] | None:
    """Categories of ``column`` in R's factor order (as :func:`~survey.estimators.categories`),
    or None for a numeric column; ``codes``: a numeric column of at most 50 integer codes
    counts as categories labelled by the codes (as ``proportion`` reads it)."""
    dt = lsf.schema.get(column)
    if dt is None:
        raise EstimationError(f"column {column!r} is not in the data", location=column)
    if isinstance(dt, pl.Enum):
        return list(dt.categories.to_list())
    if dt == pl.Boolean:
        return [False, True]
    if dt == pl.String or isinstance(dt, pl.Categorical):
        return sorted(lsf.backend.distinct(column).drop_nulls().cast(pl.String).to_list())
    if not dt.is_numeric():
        raise EstimationError(f"column {column!r} is {dt}: neither numeric nor categorical",
                              location=column)
    if not codes:
        return None
    values = lsf.backend.distinct(column).drop_nulls().sort()
    if values.len() > MAX_CODES or (dt.is_float() and (values != values.round(0)).any()):
        raise EstimationError(f"proportion() needs categories; {column!r} is {dt} with "
                              f"{values.len()} distinct values", location=column,
                              hint="use mean() for a numeric variable")
    return [str(int(v)) for v in values.to_list()]


def lazy_items(lsf: LazySurveyFrame, names: Sequence[str], *, codes: bool = False
               ) -> list[_Item]:
    """The analysis variables as base columns of the reduction."""
    out = []
    for v in names:
        cats = lazy_categories(lsf, v, codes=codes)
        if cats is None:
            spec: tuple[LazyCol, ...] = (LazyCol("sum", v, factors=(("col", v),)),
                                         LazyCol("sum", v, factors=(("notnull", v),)))
        elif lsf.schema[v] == pl.Boolean:  # sums, not a key: many options stay one group
            spec = (LazyCol("sum", v, factors=(("false", v),)),
                    LazyCol("sum", v, factors=(("true", v),)),
                    LazyCol("sum", v, factors=(("notnull", v),)))
        else:
            key = "code" if lsf.schema[v].is_numeric() else "text"
            spec = (*(LazyCol("category", v, c, key) for c in cats), LazyCol("valid", v))
        out.append(_Item(v, None if cats is None else tuple(cats), (), pl.lit(True), None, spec))
    return out


def lazy_ratio_item(numerator: str, denominator: str) -> _Item:
    """``numerator / denominator`` over rows answering both."""
    guard = (("notnull", numerator), ("notnull", denominator))
    spec = (LazyCol("sum", numerator, factors=(("col", numerator), *guard)),
            LazyCol("sum", denominator, factors=(("col", denominator), *guard)))
    return _Item(f"{numerator}/{denominator}", None, (), pl.lit(True), None, spec)


def _validity(it: _Item) -> tuple[tuple[str, str], ...] | str:
    """What makes a row answer ``it``: factors (numeric), or the key column (categories)."""
    first = it.spec[0]
    if first.kind == "sum":
        return tuple(dict.fromkeys(f for c in it.spec for f in c.factors if f[0] == "notnull"))
    return first.column


@dataclass(frozen=True)
class Reduced:
    """What one aggregation over the rows leaves of an estimate."""

    dom: Domains
    P: np.ndarray  # PSU (stratum, when rows are PSUs; 1, supplied replicates) x domain x k
    replicates: np.ndarray | None  # (R, D * k): supplied replicate columns
    squares: np.ndarray | None  # (H, D, k, k): sums of w^2 x x' when rows are PSUs
    counts: tuple[np.ndarray, np.ndarray, np.ndarray]  # n (D, items), df (D,), rows (D,)
    squares_of: dict[int, np.ndarray] | None = None  # numeric item -> sum w x^2 per domain
    extra: dict[str, np.ndarray] = field(default_factory=dict)  # products' sums per domain
    stages: tuple[np.ndarray, ...] = ()  # unit x domain x k totals of stages 2, 3 ... (fpc)
    present: np.ndarray | None = None  # (n_psu, D): PSUs holding rows of each domain
    pps: tuple[np.ndarray, np.ndarray] | None = None  # rows as PPS PSUs: pi S, pi P


def reduce_lazy(lsf: LazySurveyFrame, items: list[_Item], *, by: Sequence[str],
                where: Any, squares: bool = False,
                products: dict[str, tuple[tuple[str, str], ...]] | None = None) -> Reduced:
    """The domains, PSU x domain totals, replicate totals (supplied columns) or sums of
    squares (rows as PSUs), and counts ``(n, df, rows)`` of ``items``, from one
    aggregation over the rows."""
    missing = [c for c in by if c not in lsf.schema]
    if missing:
        raise EstimationError(f"by= columns {missing} are not in the frame", location="by")
    w = lsf.weights
    wf: tuple[Any, ...] = lsf.weight_factors
    nzf: tuple[Any, ...] = (("nonzero", w),) if w else ()
    reps = lsf._reps
    supplied = lsf.supplied
    rep_cols = list(reps.columns) if (reps is not None and supplied) else []
    rep_w = () if (reps is None or reps.combined) else wf
    cats = list(dict.fromkeys(c.column for it in items for c in it.spec if c.kind != "sum"))
    keys = list(dict.fromkeys([*lsf.psu_columns, *by, *cats]))
    sums = [Sum("__w", wf or (("one", ""),)), Sum("__nz", nzf or (("one", ""),))]
    spec = [c for it in items for c in it.spec]
    for j, c in enumerate(spec):
        if c.kind == "sum":
            sums.append(Sum(f"__x{j}", (*wf, *c.factors)))
            sums.extend(Sum(f"__x{j}_r{r}", (("col", rc), *rep_w, *c.factors))
                        for r, rc in enumerate(rep_cols))
    plain = {i: it.spec[0].column for i, it in enumerate(items)  # numeric variables
             if it.labels is None and len(it.spec) == 2
             and it.spec[0].factors == (("col", it.spec[0].column),)}
    for i, it in enumerate(items):
        valid = _validity(it)
        if not isinstance(valid, str):
            sums.append(Sum(f"__n{i}", (*(nzf or (("one", ""),)), *valid)))
        if squares and i in plain:  # for design effects: sum w x^2 of answering rows
            sums.append(Sum(f"__xx{i}", (*wf, ("square", plain[i]), ("notnull", plain[i]))))
    sums.extend(Sum(f"__w_r{r}", (("col", rc), *rep_w)) for r, rc in enumerate(rep_cols))
    sums.extend(Sum(f"__p_{name}", (*wf, *f)) for name, f in (products or {}).items())
    if supplied:
        sums.extend(lsf.replicate_sums())
    rows_psu = lsf.rows_are_psus
    numeric = [j for j, c in enumerate(spec) if c.kind == "sum"]
    pps = lsf.pps_rows
    # second moments of the rows: the within-stratum variance of PSU totals; a PPS design
    # adds them times each row's probability pi, and the totals times pi
    for tag, extra in (("", ()), *((("p", (pps.pi,)),) if pps is not None else ())):
        if not rows_psu:
            break
        sums.append(Sum(f"__w2{tag}", (*wf, *wf, *extra) or (("one", ""),)))
        for a, j in enumerate(numeric):
            sums.append(Sum(f"__q{tag}{j}", (*wf, *wf, *extra, *spec[j].factors)))
            sums.extend(Sum(f"__q{tag}{j}_{i}", (*wf, *wf, *extra, *spec[j].factors,
                                                 *spec[i].factors)) for i in numeric[a:])
        if tag:
            sums.append(Sum("__wp", (*wf, *extra) or (("one", ""),)))
            sums.extend(Sum(f"__xp{j}", (*wf, *extra, *spec[j].factors)) for j in numeric)
    try:
        L = lsf.backend.aggregate(keys, sums, where=where, notnull=list(by), step="estimate")
    except Exception as exc:
        if isinstance(exc, EstimationError):
            raise
        raise EstimationError(f"cannot evaluate the domain: {exc}", location="where") from exc
    if L.height == 0:
        raise EstimationError("the domain is empty: no row passes where=/by=", location="where")
    if supplied:
        lsf.check_replicates(L)
    dom, d_g = _domains(L, by)
    D, G = dom.count, L.height
    k = len(spec)
    V = np.zeros((G, k))
    wsum = L["__w"].to_numpy()
    match = [_match(L, c) for c in spec]
    for j, c in enumerate(spec):
        V[:, j] = L[f"__x{j}"].to_numpy() if c.kind == "sum" else wsum * match[j]
    squares_rows = None
    stages: list[np.ndarray] = []
    present = None
    if supplied:
        P = np.zeros((1, D, k))
        np.add.at(P[0], d_g, V)
        psu = None
    elif rows_psu and not lsf.psu_columns:
        P = np.zeros((1, D, k))
        np.add.at(P[0], d_g, V)
        psu = np.zeros(G, dtype=np.int64)
    else:
        coded = L.join(lsf.psu_keys, on=list(lsf.psu_columns), how="left",
                       maintain_order="left", nulls_equal=True)
        psu = coded[lsf.psu_code].to_numpy().astype(np.int64)
        P = np.zeros((lsf.n_strata if rows_psu else lsf.n_psu, D, k))
        np.add.at(P, (psu, d_g), V)
        if getattr(lsf.design, "adjust_domain_lonely", False):  # PSUs holding each domain
            present = np.zeros((lsf.n_psu, D), dtype=bool)
            present[psu, d_g] = True
        if lsf.stage_codes and not lsf.is_replicate:  # R's multistage: later stages' units
            small = lsf.small
            assert small is not None and small._stage2 is not None
            for c, st in zip(lsf.stage_codes, (small._stage2, *small._deeper), strict=True):
                Z = np.zeros((st.ssu_psu.shape[0], D, k))
                np.add.at(Z, (coded[c].to_numpy().astype(np.int64), d_g), V)
                stages.append(Z)
    pps_sums = None
    if rows_psu:
        assert psu is not None
        squares_rows = np.zeros((P.shape[0], D, k, k))
        np.add.at(squares_rows, (psu, d_g), _moments(L, "", k, numeric, match))
        if pps is not None:  # sum pi w^2 x x' and sum pi w x by stratum and domain
            Sp = np.zeros((P.shape[0], D, k, k))
            np.add.at(Sp, (psu, d_g), _moments(L, "p", k, numeric, match))
            Vp = np.zeros((G, k))
            for j in range(k):
                Vp[:, j] = (L[f"__xp{j}"].to_numpy() if j in numeric
                            else L["__wp"].to_numpy() * match[j])
            Up = np.zeros((P.shape[0], D, k))
            np.add.at(Up, (psu, d_g), Vp)
            pps_sums = (Sp, Up)
    Tr = None
    if rep_cols:
        R = len(rep_cols)
        WR = L.select(f"__w_r{r}" for r in range(R)).to_numpy()
        T3 = np.zeros((D, k, R))
        for j, c in enumerate(spec):
            part = (L.select(f"__x{j}_r{r}" for r in range(R)).to_numpy() if c.kind == "sum"
                    else WR * match[j][:, None])
            np.add.at(T3[:, j, :], d_g, part)
        Tr = T3.reshape(D * k, R).T
    counts = _counts(lsf, L, items, d_g, D, by, where, psu)
    xx = None
    if squares:
        xx = {}
        for i in plain:
            xx[i] = np.zeros(D)
            np.add.at(xx[i], d_g, L[f"__xx{i}"].to_numpy())
    extra = {}
    for name in products or {}:
        extra[name] = np.zeros(D)
        np.add.at(extra[name], d_g, L[f"__p_{name}"].to_numpy())
    return Reduced(dom, P, Tr, squares_rows, counts, xx, extra, tuple(stages), present,
                   pps_sums)


def _moments(L: pl.DataFrame, tag: str, k: int, numeric: list[int], match: list[np.ndarray]
             ) -> np.ndarray:
    """Each group's sums of ``w^2 x x'`` (``tag="p"``: times pi) from the pass's sums."""
    w2 = L[f"__w2{tag}"].to_numpy()
    Q = np.zeros((L.height, k, k))
    ind = [j for j in range(k) if j not in numeric]
    for a in ind:  # a row has one value of each category: products of indicators
        for b in ind:
            Q[:, a, b] = match[a] * match[b] * w2
    for j in numeric:
        q = L[f"__q{tag}{j}"].to_numpy()
        for b in ind:
            Q[:, j, b] = Q[:, b, j] = q * match[b]
        for i in numeric:
            if i >= j:
                Q[:, j, i] = Q[:, i, j] = L[f"__q{tag}{j}_{i}"].to_numpy()
    return Q


def _domains(L: pl.DataFrame, by: Sequence[str]) -> tuple[Domains, np.ndarray]:
    """Domain codes in the order :func:`~survey.estimators._engine.make_domains` gives:
    each by-column's sorted values, the first column slowest."""
    if not by:
        return Domains(pl.DataFrame(), pl.DataFrame(), ()), np.zeros(L.height, dtype=np.int64)
    order = [pl.col(c).cast(pl.String) if isinstance(L.schema[c], pl.Categorical) else pl.col(c)
             for c in by]
    levels = L.select(by).unique().sort(order)
    code = L.select(by).join(levels.with_row_index(DOM), on=list(by), how="left",
                             maintain_order="left")[DOM].to_numpy().astype(np.int64)
    return Domains(pl.DataFrame(), levels, tuple(by)), code


def _match(L: pl.DataFrame, c: LazyCol) -> np.ndarray:
    """1.0 where a group's key is the column's category (or, ``valid``, not null)."""
    if c.kind == "sum":
        return np.zeros(L.height)
    s = L[c.column]
    if c.kind == "valid":
        return s.is_not_null().to_numpy().astype(float)
    if isinstance(c.label, bool):
        hit = s == c.label
    elif c.key == "code":
        hit = s.cast(pl.Int64).cast(pl.String) == str(c.label)
    else:
        hit = s.cast(pl.String) == str(c.label)
    return hit.fill_null(False).to_numpy().astype(float)


def _counts(lsf: LazySurveyFrame, L: pl.DataFrame, items: list[_Item], d_g: np.ndarray, D: int,
            by: Sequence[str], where: Any, psu: np.ndarray | None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per domain, as :func:`~survey.estimators._engine.domain_counts`: rows of non-zero
    weight answering each item, R's ``degf`` of the domain, rows of non-zero weight."""
    nz = L["__nz"].to_numpy()
    n = np.zeros((D, len(items)), dtype=np.int64)
    for i, it in enumerate(items):
        valid = _validity(it)
        per = (nz * L[valid].is_not_null().to_numpy() if isinstance(valid, str)
               else L[f"__n{i}"].to_numpy())
        np.add.at(n[:, i], d_g, np.rint(per).astype(np.int64))
    rows = np.zeros(D, dtype=np.int64)
    np.add.at(rows, d_g, np.rint(nz).astype(np.int64))
    df = np.zeros(D, dtype=np.int64)
    live = nz > 0
    if lsf.rows_are_psus:  # PSUs (rows) minus strata, among rows of non-zero weight
        assert psu is not None
        for d in range(D):
            df[d] = rows[d] - np.unique(psu[live & (d_g == d)]).shape[0]
        return n, df, rows
    if psu is not None:  # linearisation, or replicates made from the PSUs
        small = lsf.small
        assert small is not None
        for d in range(D):
            psus = np.unique(psu[live & (d_g == d)])
            if lsf.is_replicate:
                df[d] = subset_df(small, psus)
            else:
                df[d] = psus.shape[0] - np.unique(small._psu_h[psus]).shape[0]
        return n, df, rows
    reps = lsf._reps
    assert reps is not None
    R = len(reps.columns)
    trace = np.array([lsf.trace_bound(L, d_g == d) for d in range(D)])
    need = []
    for d in range(D):
        if rows[d] == lsf.n:  # every row, each of non-zero weight: the design's
            df[d] = lsf.design_df(L)
        elif rows[d] == 0:
            df[d] = 0
        else:
            need.append(d)
    if not need:
        return n, df, rows
    # one head of the estimate's rows for every domain: its Gram matrix proves most
    # domains' full rank (R's degf of the subset) without another pass
    w = lsf.weights
    head = lsf.backend.head([*by, *reps.columns], HEAD_ROWS, where=where, notnull=list(by),
                            nonzero=w)
    if by:  # the head rows' domain codes, as the aggregate's (from a list: polars reads
        # a numpy array through numpy.ma, whose first import costs 0.03 s)
        code_of = pl.DataFrame({**{c: L[c] for c in by},
                                DOM: pl.Series(DOM, d_g.tolist(), dtype=pl.Int64)}
                               ).unique(subset=list(by))
        hd = head.select(by).join(code_of, on=list(by), how="left",
                                  maintain_order="left")[DOM].to_numpy()
    else:
        hd = np.zeros(head.height, dtype=np.int64)
    m_all = head.select(reps.columns).cast(pl.Float64).to_numpy()
    firsts = None if not by else _levels_of(L, by, d_g, D)
    for d in need:
        m = m_all[hd == d]
        if m.shape[0] == rows[d]:  # the head holds every row of the domain
            df[d] = gram_rank(_gram(m)) - 1
        elif _proves_full_rank(m, float(trace[d])):
            df[d] = R - 1
        else:
            equal = None if firsts is None else firsts[d]
            df[d] = lsf.rank(trace=float(trace[d]), where=where, notnull=list(by),
                             equal=equal) - 1
    return n, df, rows


HEAD_ROWS = 8_192
"""Rows read (at most) to prove the domains' replicate weights of full rank."""


def _gram(m: np.ndarray) -> np.ndarray:
    """``m' m``, single-threaded (einsum): BLAS threads spin on a busy machine."""
    return np.einsum("ij,ik->jk", m, m)


def _proves_full_rank(m: np.ndarray, trace: float) -> bool:
    """:func:`full_rank_from_head` of the rows ``m``: first from a few of them (four per
    column usually suffice, and the Gram matrix of fewer rows is smaller), then all."""
    few = 4 * m.shape[1]
    if m.shape[0] > few and full_rank_from_head(_gram(m[:few]), trace):
        return True
    return full_rank_from_head(_gram(m), trace)


def _levels_of(L: pl.DataFrame, by: Sequence[str], d_g: np.ndarray, D: int
               ) -> list[dict[str, Any]]:
    first = np.full(D, -1)
    first[d_g[::-1]] = np.arange(L.height)[::-1]
    return [{c: L[c][int(first[d])] for c in by} for d in range(D)]


def fit_lazy(lsf: LazySurveyFrame, red: Reduced, num: np.ndarray, den: np.ndarray) -> Fit:
    """The estimates and covariance from the reduced arrays (the engine's numpy)."""
    P, Tr = red.P, red.replicates
    if lsf.is_replicate:
        if Tr is None:  # replicates made from the PSUs: the multipliers times the PSU totals
            reps = lsf._reps
            assert reps is not None and reps.factors is not None
            Tr = reps.factors.T @ P.reshape(P.shape[0], -1)
        return finish_ratios(lsf, P, num, den, replicates=Tr)
    if red.pps is not None:
        return pps_rows_fit(lsf, P, red.squares, *red.pps, num, den)
    if red.squares is not None:
        return _rows_fit(lsf, P, red.squares, num, den)
    # R's multistage: the later stages' terms from their unit totals; R's domain lonely-
    # PSU adjustment from the PSUs each domain's rows lie in
    est, J, T = ratio_jacobian(P, num, den)
    Zs = [Z.reshape(Z.shape[0], -1) @ J.T for Z in red.stages]
    present = None if red.present is None else red.present[:, num // P.shape[2]]
    with np.errstate(invalid="ignore"):  # an empty domain's NaN estimate stays NaN
        v = taylor_vcov(lsf.small, P.reshape(P.shape[0], -1) @ J.T, Zs[0] if Zs else None,
                        deeper=Zs[1:], present=present)
    return Fit(est, v, T)


def row_stratum_factors(lsf: LazySurveyFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """``(n_h, scale_h, centre_h, mult)`` of a design whose rows are its PSUs, as the
    engine's ``_first_stage``: stratum ``h``'s centred sum of squares is scaled by
    ``f_h n_h / (n_h - 1)`` (0 in a census stratum); a lonely PSU is centred on 0 under
    ``adjust`` and left out under ``average``, the others scaled up by ``mult``."""
    st = lsf.row_strata
    assert st is not None
    n_h, f = st.n_psu, st.f
    scale = np.where(n_h > 1, f * n_h / np.maximum(n_h - 1, 1), f)
    scale = np.where(f < _CENSUS, 0.0, scale)
    centre = np.ones_like(scale)
    lonely = (n_h == 1) & (f >= _CENSUS)
    mult = 1.0
    if lonely.any():
        how = lsf.design.lonely_psu  # type: ignore[union-attr]
        if how == "adjust":
            centre = np.where(lonely, 0.0, 1.0)  # centred on the population mean (0)
        elif how == "average":
            scale = np.where(lonely, 0.0, scale)
            mult = n_h.shape[0] / (n_h.shape[0] - int(lonely.sum()))
    return n_h, scale, centre, mult


def _rows_fit(lsf: LazySurveyFrame, P: np.ndarray, S: np.ndarray, num: np.ndarray,
              den: np.ndarray) -> Fit:
    """R's ``svyrecvar`` when every row is a PSU, from stratum totals ``t_h`` and sums
    of squares ``S_hd``: the centred sum of squares of the rows' influence values
    ``z = J (w x)`` in stratum ``h`` is ``sum_d J_d S_hd J_d' - (J t_h)(J t_h)' / n_h``
    (a row lies in one domain), scaled as the engine's ``_first_stage``."""
    est, J, T = ratio_jacobian(P, num, den)
    n_h, scale, centre, mult = row_stratum_factors(lsf)
    D, k = P.shape[1], P.shape[2]
    Sw = np.einsum("h,hdab->dab", scale, S)
    Jd = J.reshape(J.shape[0], D, k)
    with np.errstate(invalid="ignore"):
        inner = np.einsum("mda,dab,ndb->mn", Jd, Sw, Jd)
        Z = P.reshape(P.shape[0], -1) @ J.T  # (H, m): J t_h
        c = scale * centre / np.maximum(n_h, 1)
        v = (inner - (Z * c[:, None]).T @ Z) * mult
    diag = np.einsum("ii->i", v)  # a variance that is 0 but for rounding stays >= 0
    diag[:] = np.where(diag < 0, 0.0, diag)
    return Fit(est, v, T)
