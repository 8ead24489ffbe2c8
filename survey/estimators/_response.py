"""Response rates by AAPOR's Standard Definitions (10th edition, 2023).

Each invited case carries a final disposition, as an AAPOR code (``1.1`` complete,
``1.2`` partial, ``2.1x`` refusal or break-off, ``2.2x`` non-contact, ``2.3x`` other,
``3.1x`` unknown if eligible (household/address), ``3.2``-``3.9`` unknown other,
``4.x`` not eligible) or as one of the words those codes stand for. Counts:

``I`` complete, ``P`` partial, ``R`` refusal and break-off, ``NC`` non-contact, ``O``
other, ``UH`` unknown if household/occupied, ``UO`` unknown other, ``NE`` not eligible.

The rates (AAPOR, Standard Definitions, pp. 61-64), with ``U = UH + UO`` and
``E = (I + P) + (R + NC + O)``::

    RR1 = I / (E + U)            RR2 = (I + P) / (E + U)
    RR3 = I / (E + e U)          RR4 = (I + P) / (E + e U)
    RR5 = I / E                  RR6 = (I + P) / E
    COOP1 = I / ((I + P) + R + O)        COOP2 = (I + P) / ((I + P) + R + O)
    COOP3 = I / ((I + P) + R)            COOP4 = (I + P) / ((I + P) + R)
    REF1 = R / (E + U)   REF2 = R / (E + e U)   REF3 = R / E
    CON1 = ((I + P) + R + O) / (E + U)   CON2 = ((I + P) + R + O) / (E + e U)
    CON3 = ((I + P) + R + O) / E

``e`` is the share of unknown-eligibility cases estimated to be eligible. Unless given,
it is the share eligible among the cases whose eligibility is known,
``E / (E + NE)`` (the "proportional allocation" or CASRO estimate AAPOR lists first);
the result states which.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from survey._display import format_number, html_table
from survey.errors import EstimationError

if TYPE_CHECKING:
    from survey.codebook import Codebook

__all__ = ["CATEGORIES", "RATES", "ResponseRates", "codebook_dispositions", "disposition_category",
           "response_rates"]

CATEGORIES: tuple[str, ...] = ("I", "P", "R", "NC", "O", "UH", "UO", "NE")
CATEGORY_LABELS: dict[str, str] = {
    "I": "complete", "P": "partial", "R": "refusal and break-off", "NC": "non-contact",
    "O": "other eligible non-interview", "UH": "unknown if eligible (household/address)",
    "UO": "unknown eligibility, other", "NE": "not eligible",
}
RATES: tuple[str, ...] = (
    "RR1", "RR2", "RR3", "RR4", "RR5", "RR6", "COOP1", "COOP2", "COOP3", "COOP4",
    "REF1", "REF2", "REF3", "CON1", "CON2", "CON3",
)

# Words an export or a hand-made file uses for a final disposition.
_WORDS: dict[str, str] = {
    "complete": "I", "completed": "I", "complete interview": "I", "interview": "I", "i": "I",
    "respondent": "I",
    "partial": "P", "partial interview": "P", "p": "P",
    "refusal": "R", "refused": "R", "break-off": "R", "breakoff": "R", "break off": "R",
    "refusal and break-off": "R", "r": "R",
    "non-contact": "NC", "noncontact": "NC", "no contact": "NC", "nc": "NC",
    "nonrespondent": "NC", "non-respondent": "NC", "no response": "NC",
    "other": "O", "o": "O",
    "unknown household": "UH", "unknown if household": "UH", "uh": "UH",
    "unknown": "UO", "unknown eligibility": "UO", "unknown other": "UO", "uo": "UO",
    "not eligible": "NE", "ineligible": "NE", "out of scope": "NE", "ne": "NE",
}
_CODE = re.compile(r"^\s*([1-4])(?:\.(\d+))?")


def disposition_category(value: object) -> str | None:
    """The AAPOR count a disposition falls in (``I``, ``P``, ... ``NE``), or None if unknown.

    >>> [disposition_category(v) for v in ("1.1", "2.12", "3.21", "4.7", "Refused")]
    ['I', 'R', 'UO', 'NE', 'R']
    """
    if value is None:
        return None
    text = str(value).strip()
    m = _CODE.match(text)
    if m and (m.end() == len(text) or not text[m.end()].isdigit()):
        major, minor = m.group(1), m.group(2) or ""
        if major == "1":
            return {"1": "I", "2": "P"}.get(minor[:1], "I" if not minor else None)
        if major == "2":
            return {"1": "R", "2": "NC", "3": "O"}.get(minor[:1], "O" if not minor else None)
        if major == "3":
            return "UH" if minor[:1] == "1" else "UO"
        return "NE"
    return _WORDS.get(" ".join(text.lower().replace("_", " ").split()))


@dataclass(frozen=True, eq=False)
class ResponseRates:
    """AAPOR rates overall or by group.

    ``table`` holds one row per group and rate: the ``by`` columns, ``rate``
    (``RR1`` ... ``CON3``) and ``estimate``. ``counts`` holds the ``by`` columns, one
    column per AAPOR count (``I`` ... ``NE``), ``cases`` and the ``e`` used.
    """

    table: pl.DataFrame
    counts: pl.DataFrame
    e_method: str
    by: tuple[str, ...] = ()
    unmapped: tuple[str, ...] = field(default=())

    def to_frame(self) -> pl.DataFrame:
        """The rates, one row per group and rate."""
        return self.table

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the counts and rates by group, and how ``e`` was set."""
        rates = self.table.pivot(on="rate", index=list(self.by) or None, values="estimate") if self.by \
            else pl.DataFrame({r: [v] for r, v in zip(self.table["rate"], self.table["estimate"], strict=True)})
        groups = []
        for c, r in zip(self.counts.iter_rows(named=True), rates.iter_rows(named=True), strict=True):
            by = {k: c.pop(k) for k in self.by}
            for k in self.by:
                r.pop(k)
            groups.append({"by": by, "counts": {k: c[k] for k in (*CATEGORIES, "cases")},
                           "e": c["e"], "rates": r})
        return {"statistic": "response_rates", "e_method": self.e_method, "groups": groups}

    def _repr_html_(self) -> str:
        """Jupyter: counts and the sixteen rates, a row per group (``all`` for everyone)."""
        heads = [*(self.by or ["cases"]), "n", *CATEGORIES, "e", *RATES]
        rows = []
        for c in self.counts.iter_rows(named=True):
            mask = pl.lit(True)
            for b in self.by:
                mask = mask & (pl.col(b).is_null() if c[b] is None else pl.col(b) == c[b])
            got = dict(self.table.filter(mask).select("rate", "estimate").iter_rows())
            rows.append([*(("all" if c[b] is None else c[b]) for b in self.by), *([] if self.by else ["all"]),
                         c["cases"], *(c[k] for k in CATEGORIES), f"{c['e']:.3f}",
                         *(format_number(got[r], pct=True) for r in RATES)])
        return html_table(heads, rows, title="Response rates (AAPOR Standard Definitions)",
                          caption=f"e: {self.e_method}",
                          numeric=[False] * max(1, len(self.by)) + [True] * (len(heads) - max(1, len(self.by))))

    def rate(self, name: str, **by: object) -> float:
        """One rate, for the group given by ``column=value`` (overall without)."""
        mask = pl.col("rate") == name
        for k in self.by:  # a group not named is the overall row
            mask = mask & (pl.col(k) == by[k] if k in by else pl.col(k).is_null())
        hit = self.table.filter(mask)["estimate"]
        if hit.len() != 1:
            raise KeyError(f"{hit.len()} rows match {name} {by}")
        return float(hit[0])


def _rates(c: Mapping[str, pl.Expr], e: pl.Expr) -> dict[str, pl.Expr]:
    ip = c["I"] + c["P"]
    elig = ip + c["R"] + c["NC"] + c["O"]
    unk = c["UH"] + c["UO"]
    contact = ip + c["R"] + c["O"]
    return {
        "RR1": c["I"] / (elig + unk), "RR2": ip / (elig + unk),
        "RR3": c["I"] / (elig + e * unk), "RR4": ip / (elig + e * unk),
        "RR5": c["I"] / elig, "RR6": ip / elig,
        "COOP1": c["I"] / (ip + c["R"] + c["O"]), "COOP2": ip / (ip + c["R"] + c["O"]),
        "COOP3": c["I"] / (ip + c["R"]), "COOP4": ip / (ip + c["R"]),
        "REF1": c["R"] / (elig + unk), "REF2": c["R"] / (elig + e * unk), "REF3": c["R"] / elig,
        "CON1": contact / (elig + unk), "CON2": contact / (elig + e * unk), "CON3": contact / elig,
    }


def codebook_dispositions(codebook: Codebook | None, disposition: str | None = None
                          ) -> tuple[str, dict[str, str]]:
    """The disposition column and the AAPOR count of each of its option labels.

    The column is ``disposition`` when named, else the codebook's question with
    ``role: disposition``, else ``"disposition"``. When it is that question, its option
    labels (what typed data hold) map to the counts of their AAPOR codes, for
    :func:`response_rates`'s ``codes``.
    """
    question = next((q for q in codebook.questions if q.role == "disposition"),
                    None) if codebook is not None else None
    column = disposition or (question.id if question is not None else "disposition")
    codes: dict[str, str] = {}
    if question is not None and question.id == column:
        for o in question.options:
            cat = disposition_category(o.code)
            if cat is not None:
                codes[o.label] = cat
    return column, codes


def response_rates(
    data: pl.DataFrame,
    *,
    disposition: str = "disposition",
    by: str | Sequence[str] | None = None,
    e: float | None = None,
    codes: Mapping[str, str] | None = None,
) -> ResponseRates:
    """AAPOR response, cooperation, refusal and contact rates from final dispositions.

    ``data`` has one row per sampled case and a ``disposition`` column holding AAPOR codes
    (``1.1``, ``2.12``, ...) or their words (``complete``, ``refusal``, ``not eligible``, ...);
    ``codes`` maps further spellings (a codebook's option labels) to a count (``I``, ``P``,
    ``R``, ``NC``, ``O``, ``UH``, ``UO``, ``NE``). ``by`` gives the rates per group (a
    stratum) beside the overall ones. ``e`` fixes the eligible share of the unknowns;
    without it each group's own ``E / (E + NE)`` is used.

    >>> d = pl.DataFrame({"disposition": ["1.1"] * 6 + ["1.2", "2.11", "2.20", "3.10", "4.10"]})
    >>> round(response_rates(d).rate("RR1"), 4)
    0.6
    """
    by_cols = [by] if isinstance(by, str) else list(by or ())
    missing = [c for c in (disposition, *by_cols) if c not in data.columns]
    if missing:
        raise EstimationError(f"no column {', '.join(map(repr, missing))} in the dispositions",
                              hint="name the disposition column with --disposition and groups with --by")
    if e is not None and not 0 <= e <= 1:
        raise EstimationError(f"e {e!r} is not a share in [0, 1]", hint="give --e as 0.8, or leave it out")
    extra = {str(k).strip().lower(): v for k, v in (codes or {}).items()}
    values = data[disposition].cast(pl.String).unique().drop_nulls().to_list()
    mapping: dict[str, str] = {}
    unmapped = []
    for v in values:
        cat = extra.get(v.strip().lower()) or disposition_category(v)
        if cat is None:
            unmapped.append(v)
        else:
            mapping[v] = cat
    if unmapped:
        raise EstimationError(
            f"{len(unmapped)} disposition value(s) are not AAPOR codes or known words: "
            f"{', '.join(map(repr, sorted(unmapped)[:8]))}",
            location=disposition,
            hint="use AAPOR codes (1.1 complete, 1.2 partial, 2.1 refusal, 2.2 non-contact, 2.3 other, "
                 "3.x unknown, 4.x not eligible) or words such as complete, refusal, not eligible")
    nulls = data[disposition].null_count()
    if nulls:
        raise EstimationError(f"{nulls} case(s) have no disposition", location=disposition,
                              hint="give every sampled case a final disposition (3.9x for unknown)")
    if data.height == 0:
        raise EstimationError("the dispositions file has no cases", hint="check the file")
    cat = pl.col(disposition).cast(pl.String).replace_strict(mapping, return_dtype=pl.String)
    count_exprs = [(cat == k).sum().cast(pl.Int64).alias(k) for k in CATEGORIES]
    frames = []
    if by_cols:
        frames.append(data.group_by(by_cols, maintain_order=True).agg(*count_exprs).sort(by_cols))
    overall = data.select(count_exprs)
    if by_cols:
        overall = overall.with_columns(pl.lit(None, dtype=frames[0].schema[b]).alias(b) for b in by_cols)
        counts = pl.concat([frames[0], overall.select(frames[0].columns)])
    else:
        counts = overall
    c = {k: pl.col(k).cast(pl.Float64) for k in CATEGORIES}
    elig = c["I"] + c["P"] + c["R"] + c["NC"] + c["O"]
    e_expr = pl.lit(float(e)) if e is not None else elig / (elig + c["NE"])
    counts = counts.with_columns(pl.sum_horizontal(CATEGORIES).alias("cases"), e_expr.alias("e"))
    rate_exprs = _rates(c, pl.col("e"))
    wide = counts.select(*by_cols, **rate_exprs)
    table = wide.unpivot(index=by_cols or None, on=list(RATES), variable_name="rate",
                         value_name="estimate")
    if by_cols:  # keep groups together, rates in AAPOR's order
        table = (table.with_columns(pl.col("rate").cast(pl.Enum(list(RATES))))
                 .with_row_index("__g").with_columns((pl.col("__g") % counts.height).alias("__g"))
                 .sort("__g", "rate", maintain_order=True).drop("__g")
                 .with_columns(pl.col("rate").cast(pl.String)))
    method = f"given (e = {e:g})" if e is not None else \
        "estimated per group as the eligible share of cases with known eligibility, E / (E + NE)"
    return ResponseRates(table, counts, method, tuple(by_cols))
