"""The academy 2025 crosstab workbook, checked cell by cell against numbers computed
here directly from the typed frame (polars, scipy, statsmodels), not by survey.tables."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner
from scipy import stats
from scipy.optimize import linprog
from statsmodels.stats.multitest import multipletests

from survey.cli import cli
from survey.codebook import load_codebook
from survey.frames import read_survey

ROOT = Path(__file__).resolve().parents[2]
XLSX = ROOT / "sample_data/academy_2025.xlsx"
SCHEMA = ROOT / "schemas/academy_member_survey.yaml"
BANNER = ["division", "age_band", "institution_type"]
K = 10  # --min-cell


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    out = tmp_path_factory.mktemp("xt") / "academy_2025_crosstab.xlsx"
    r = CliRunner().invoke(cli, ["crosstab", str(XLSX), "--schema", str(SCHEMA), "--rows", "all",
                                 "--banner", ",".join(BANNER), "--out", str(out)],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    cb = load_codebook(SCHEMA)
    frame = read_survey(XLSX, cb).frame
    return openpyxl.load_workbook(out), frame, cb


def _sheet(wb, qid):
    for ws in wb.worksheets:
        if ws.title.startswith("Table_") and str(ws["A2"].value).startswith(f"{qid}. "):
            return ws
    raise KeyError(qid)


def _parse(ws):
    """Header -> [(group, label, value column)], body -> {row label: excel row}."""
    cols = []
    c = 2
    while ws.cell(4, c).value not in (None, ""):
        cols.append((ws.cell(3, c).value, ws.cell(4, c).value, c))
        c += 2
    rows = {}
    r = 6
    while ws.cell(r, 1).value not in (None, "", "Notes"):
        rows[ws.cell(r, 1).value] = r
        r += 1
    return cols, rows


def _columns(frame, cb):
    """Column masks: Total, then each banner category (header labels as in the sheet)."""
    out = [("Total", "Total", pl.lit(True))]
    for b in BANNER:
        q = cb.question(b)
        for lab in q.labels:
            out.append((q.text_en, lab, pl.col(b) == lab))
    return out


SINGLE = ["division", "institution_type", "age_band", "gender", "offer_received", "intent",
          "push_seniority_pay", "push_funding", "push_collaboration", "support_perf_pay"]


def _expected(frame, q):
    """Per stub label: respondent mask (within the base), and the base mask."""
    miss = f"{q.id}__missing"
    has_miss = miss in frame.columns
    base = pl.col(q.id).is_not_null() | (pl.col(miss).is_not_null() if has_miss else False)
    rows = {lab: pl.col(q.id) == lab for lab in q.labels}
    for m in q.missing_codes:
        rows[m.label] = pl.col(miss) == m.label
    if q.type == "ordinal" and len(q.options) == 5:
        rows["Top 2 box (4-5)"] = pl.col(q.id).is_in(q.labels[3:])
        rows["Bottom 2 box (1-2)"] = pl.col(q.id).is_in(q.labels[:2])
    return base, rows


@pytest.mark.parametrize("qid", SINGLE)
def test_bases_percentages_letters_and_suppression(book, qid):
    wb, frame, cb = book
    q = cb.question(qid)
    ws = _sheet(wb, qid)
    cols, rows = _parse(ws)
    colmasks = _columns(frame, cb)
    assert [(g, lab) for g, lab, _ in cols] == [(g, lab) for g, lab, _ in colmasks]
    base_expr, stub = _expected(frame, q)
    base_label = next(lab for lab in rows if lab.startswith("Base:"))
    counts, bases = {}, {}
    for (g, lab, xc), (_, _, m) in zip(cols, colmasks):
        sub = frame.filter(m.fill_null(False) & base_expr.fill_null(False))
        bases[xc] = sub.height
        for slab, e in stub.items():
            counts[(slab, xc)] = sub.filter(e.fill_null(False)).height
    # bases: published unless the column is below the threshold
    for xc, n in bases.items():
        v = ws.cell(rows[base_label], xc).value
        if n < K:
            assert v == "[c]"
        elif v != "[c]":  # a whole column may be hidden as a secondary suppression
            assert v == n
    # percentages and primary suppression
    for (slab, xc), n in counts.items():
        v = ws.cell(rows[slab], xc).value
        base = bases[xc]
        primary = 0 < n < K or 0 < base - n < K or base < K
        if primary:
            assert v == "[c]", (slab, xc, n, base)
        elif v != "[c]":
            assert ws.cell(rows[slab], xc).data_type == "n"
            assert v == pytest.approx(n / base, abs=1e-12) if base else v == "[z]"
    # no line hides exactly one cell: columns, and each banner group against Total
    body = [lab for lab in stub if "box" not in lab]
    for _, _, xc in cols:
        k = sum(ws.cell(rows[s], xc).value == "[c]" for s in body)
        k += ws.cell(rows[base_label], xc).value == "[c]"
        assert k != 1, (qid, xc)
    for g in dict.fromkeys(g for g, _, _ in cols[1:]):
        gc = [xc for gg, _, xc in cols if gg == g]
        for s in [*body, base_label]:
            k = sum(ws.cell(rows[s], xc).value == "[c]" for xc in [cols[0][2], *gc])
            assert k != 1, (qid, s, g)
    _check_letters(ws, cols, rows, stub, counts, bases)
    scale = list(q.labels) if q.type == "ordinal" and len(q.options) == 5 else []
    _check_protected(ws, cols, rows, body, base_label, counts, bases, scale)


def _check_letters(ws, cols, rows, stub, counts, bases):
    """Pooled z (= uncorrected chi-square) between columns with base >= 30 in a banner
    group, Holm within row and group; lower case p < 0.05, upper case p < 0.01."""
    groups = {}
    for g, lab, xc in cols[1:]:
        groups.setdefault(g, []).append(xc)
    letter = {xc: ws.cell(5, xc).value.strip("()") for _, _, xc in cols[1:]}
    for slab in stub:
        for g, gc in groups.items():
            testable = [xc for xc in gc if bases[xc] >= 30]
            pairs = list(itertools.combinations(testable, 2))
            pv = []
            for a, b in pairs:
                xa, xb = counts[(slab, a)], counts[(slab, b)]
                if xa / bases[a] == xb / bases[b]:
                    pv.append(1.0)
                    continue
                t = [[xa, bases[a] - xa], [xb, bases[b] - xb]]
                pv.append(stats.chi2_contingency(t, correction=False)[1])
            adj = multipletests(pv, method="holm")[1] if pv else []
            want = {xc: "" for xc in gc}
            for (a, b), p in zip(pairs, adj):
                va, vb = ws.cell(rows[slab], a).value, ws.cell(rows[slab], b).value
                if p >= 0.05 or "[c]" in (va, vb):
                    continue
                hi, lo = (a, b) if counts[(slab, a)] / bases[a] > counts[(slab, b)] / bases[b] else (b, a)
                want[hi] += letter[lo].upper() if p < 0.01 else letter[lo].lower()
            for xc in gc:
                got = ws.cell(rows[slab], xc + 1).value or ""
                if ws.cell(rows[slab], xc).value == "[c]":
                    assert got == ""
                    continue
                assert sorted(got) == sorted(want[xc]), (slab, xc, got, want[xc])


def _check_protected(ws, cols, rows, body, base_label, counts, bases, scale):
    """Linear programming: no hidden count of a banner group is pinned down by the
    published counts (percentage x base), the row and column totals, and, for rating
    scales, each published mean m (sum (code - m) n = 0) and SD s
    (sum ((code - m)^2 - s^2) n = -s^2)."""
    for g in dict.fromkeys(g for g, _, _ in cols[1:]):
        gc = [cols[0][2]] + [xc for gg, _, xc in cols if gg == g]
        cells = [(s, xc) for s in [*body, base_label] for xc in gc]
        true = {(s, xc): (bases[xc] if s == base_label else counts[(s, xc)]) for s, xc in cells}
        hidden = [c for c in cells if ws.cell(rows[c[0]], c[1]).value == "[c]"]
        if not hidden:
            continue
        idx = {c: i for i, c in enumerate(hidden)}
        A, b = [], []

        def rel(parts, total, weights=None, const=0.0):
            coef, rhs = np.zeros(len(hidden)), const
            for p, wt in zip(parts, weights or [1.0] * len(parts)):
                if p in idx:
                    coef[idx[p]] += wt
                else:
                    rhs -= wt * true[p]
            if total is None:
                pass
            elif total in idx:
                coef[idx[total]] -= 1
            else:
                rhs += true[total]
            A.append(coef)
            b.append(rhs)

        for xc in gc:
            rel([(s, xc) for s in body], (base_label, xc))
        for s in [*body, base_label]:
            rel([(s, xc) for xc in gc[1:]], (s, gc[0]))
        mean_row = next((r for lab, r in rows.items() if str(lab).startswith("Mean (")), None)
        for xc in gc if scale and mean_row else []:
            m, sd = ws.cell(mean_row, xc).value, ws.cell(mean_row + 1, xc).value
            codes = np.arange(1, len(scale) + 1, dtype=float)
            if isinstance(m, float):
                rel([(s, xc) for s in scale], None, list(codes - m))
                if isinstance(sd, float):
                    rel([(s, xc) for s in scale], None, list((codes - m) ** 2 - sd**2), -sd**2)
        for c, i in idx.items():
            obj = np.zeros(len(hidden))
            obj[i] = 1
            lo = linprog(obj, A_eq=np.array(A), b_eq=b, bounds=(0, None)).fun
            hi = -linprog(-obj, A_eq=np.array(A), b_eq=b, bounds=(0, None)).fun
            assert hi - lo >= 0.5, (c, lo, hi)


def test_gender_small_cells_are_suppressed(book):
    wb, frame, cb = book
    ws = _sheet(wb, "gender")
    cols, rows = _parse(ws)
    for lab in ("Engineering", "Agriculture & Fisheries", "Policy Research"):
        xc = next(c for _, la, c in cols if la == lab)
        assert ws.cell(rows["Female"], xc).value == "[c]"  # 4, 2 and 2 women
        assert ws.cell(rows["Male"], xc).value == "[c]"  # their complements
    ns = next(c for _, la, c in cols if la == "Natural Sciences")
    assert ws.cell(rows["Female"], ns).value == pytest.approx(14 / 62)


def test_workbook_structure(book):
    wb, _, _ = book
    assert wb.sheetnames[:2] == ["Cover", "Contents"] and wb.sheetnames[-1] == "Notes"
    tables = [s for s in wb.sheetnames if s.startswith("Table_")]
    assert len(tables) == 15
    contents = wb["Contents"]
    links = [c.hyperlink.location for c in contents["A"][2:] if c.hyperlink]
    assert links == [f"'{t}'!A1" for t in tables]
    for name in tables:
        ws = wb[name]
        assert ws["A1"].value and ws.freeze_panes == "B6"
    notes = " ".join(str(c.value) for c in wb["Notes"]["B"] if c.value)
    assert "Holm" in notes and "p < 0.05" in notes and "suppressed" in notes
    assert "Rao-Scott" in notes


def test_means_exclude_dont_know(book):
    wb, frame, cb = book
    ws = _sheet(wb, "push_short_term_eval")
    cols, rows = _parse(ws)
    mean_row = next(r for lab, r in rows.items() if lab.startswith("Mean ("))
    q = cb.question("push_short_term_eval")
    for (_, _, xc), (_, _, m) in zip(cols, _columns(frame, cb)):
        v = ws.cell(mean_row, xc).value
        if v == "[c]":
            continue
        sub = frame.filter(m.fill_null(False) & pl.col(q.id).is_not_null())
        scores = sub[q.id].to_physical().cast(pl.Float64) + 1
        assert v == pytest.approx(scores.mean(), rel=1e-12)
