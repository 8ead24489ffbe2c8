"""Drawing a sample (`survey.design.draw_sample`, `survey sample`): exact inclusion
probabilities, their sum, and a seeded simulation check.

The simulation tests are deterministic (fixed seeds). Their tolerance: every unit's
selection frequency within 5 Monte Carlo standard errors ``sqrt(pi (1 - pi) / R)`` of
its inclusion probability; with a fixed seed the outcome never changes, and a correct
method clears it by a wide margin (the largest of 20-30 standardised deviations is
about 2-3).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from survey.design import draw_sample, pps_probabilities, simulate_inclusion
from survey.design._sample import select
from survey.errors import DesignError
from tests.clirun import run

FRAME = pl.DataFrame({"id": range(24), "g": ["a"] * 14 + ["b"] * 10,
                      "x": [float(v) for v in (3, 1, 8, 2, 5, 9, 4, 7, 1, 6, 2, 8, 3, 5,
                                               12, 1, 4, 2, 9, 3, 6, 1, 2, 5)],
                      "psu": [i // 3 for i in range(24)]})


def test_pps_probabilities_cap_certainty_units_and_sum_to_n() -> None:
    pi = pps_probabilities(np.array([1.0, 2.0, 3.0, 30.0, 4.0]), 3)
    assert pi[3] == 1.0
    assert pi.sum() == pytest.approx(3.0)
    assert pi[[0, 1, 2, 4]] == pytest.approx(2 * np.array([1, 2, 3, 4]) / 10)


@pytest.mark.parametrize("method", ["srs", "systematic", "pps-systematic", "pps-brewer"])
def test_probabilities_sum_to_the_stratum_sizes(method: str) -> None:
    d = draw_sample(FRAME, n=9, strata="g", method=method, size="x", seed=5)
    alloc = {r["stratum"]: r for r in d.allocation.iter_rows(named=True)}
    assert alloc["a"]["n"] + alloc["b"]["n"] == 9 == d.rows.shape[0]
    for r in alloc.values():
        assert r["sum_prob"] == pytest.approx(r["n"], abs=1e-12)
    assert d.sample["weight"].to_numpy() == pytest.approx(1 / d.sample["inclusion_prob"].to_numpy())


def test_proportional_allocation_is_design_size_allocate() -> None:
    from survey.design import allocate

    d = draw_sample(FRAME, n=9, strata="g", seed=1)
    want = allocate(9, {"a": 14, "b": 10}).table["n"].to_list()
    assert d.allocation["n"].to_list() == want


def test_the_same_seed_draws_the_same_sample() -> None:
    a = draw_sample(FRAME, n=6, method="pps-brewer", size="x", seed=42)
    b = draw_sample(FRAME, n=6, method="pps-brewer", size="x", seed=42)
    assert a.rows.tolist() == b.rows.tolist()


def test_systematic_selection_is_exact_over_the_random_start() -> None:
    pi = pps_probabilities(FRAME["x"].to_numpy(), 7)
    hits = np.zeros(pi.shape[0])
    starts = (np.arange(20_000) + 0.5) / 20_000  # the start's distribution, on a fine grid

    class Fixed:  # a generator whose uniform() returns the grid's next start
        def __init__(self) -> None:
            self.i = -1

        def uniform(self) -> float:
            self.i += 1
            return float(starts[self.i])

    g = Fixed()
    for _ in starts:
        hits[select(pi, "pps-systematic", g)] += 1  # type: ignore[arg-type]
    assert hits / starts.shape[0] == pytest.approx(pi, abs=1e-4)


def test_brewer_is_exact_by_enumerating_its_draws() -> None:
    # every ordered sequence of draws with its probability, by Brewer's step rule
    # (Tille 2006, algorithm 7.3), written out independently of the implementation
    pi = pps_probabilities(np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), 3)
    n, incl = 3, np.zeros(6)
    for seq in itertools.permutations(range(6), n):
        prob, a, taken = 1.0, 0.0, np.zeros(6, dtype=bool)
        for i, k in enumerate(seq, start=1):
            w = np.array([0.0 if taken[j] else
                          pi[j] * (n - a - pi[j]) / (n - a - pi[j] * (n - i + 1))
                          for j in range(6)])
            prob *= w[k] / w.sum()
            taken[k], a = True, a + pi[k]
        incl[list(seq)] += prob
    assert incl == pytest.approx(pi, abs=1e-12)


@pytest.mark.parametrize("method", ["srs", "systematic", "pps-systematic", "pps-brewer"])
def test_simulation_hits_the_inclusion_probabilities(method: str) -> None:
    sim = simulate_inclusion(FRAME, replicates=3000, seed=2026, n=9, strata="g",
                             method=method, size="x")
    assert float(sim["z"].abs().max()) < 5
    assert float(sim["frequency"].sum()) == pytest.approx(9.0)


def test_two_stage_probabilities_multiply() -> None:
    d = draw_sample(FRAME, n=2, psu="psu", n_psu=3, method="pps-brewer", seed=3)
    s = d.sample
    assert s.height == 6 and s["psu"].n_unique() == 3
    assert (s["inclusion_prob"] - s["prob_psu"] * s["prob_unit"]).abs().max() < 1e-15
    assert d.probabilities.sum() == pytest.approx(6.0)
    sim = simulate_inclusion(FRAME, replicates=3000, seed=7, n=2, psu="psu", n_psu=3,
                             method="pps-brewer")
    assert float(sim["z"].abs().max()) < 5


def test_pps_needs_a_size() -> None:
    with pytest.raises(DesignError, match="size"):
        draw_sample(FRAME, n=3, method="pps-brewer", seed=1)


def test_cli_writes_the_sample_and_reports_the_sum(tmp_path: Path) -> None:
    frame = tmp_path / "frame.csv"
    FRAME.write_csv(frame)
    out = tmp_path / "s.csv"
    r = run("sample", str(frame), "--n", "9", "--strata", "g", "--method", "pps-systematic",
            "--size", "x", "--seed", "11", "--out", str(out), "--simulate", "200",
            "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["sum_prob"] == pytest.approx(9.0) and doc["simulation"]["replicates"] == 200
    got = pl.read_csv(out)
    assert got.height == 9 and {"inclusion_prob", "weight"} <= set(got.columns)


def test_cli_refuses_more_than_the_stratum_holds(tmp_path: Path) -> None:
    frame = tmp_path / "frame.csv"
    FRAME.head(5).write_csv(frame)
    r = run("sample", str(frame), "--n", "9", "--seed", "1", "--out", str(tmp_path / "s.csv"))
    assert r.exit_code in (1, 2) and "Traceback" not in r.output
