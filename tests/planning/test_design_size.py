"""Sample size, margin of error, allocation and power: textbook values and inverses."""

from __future__ import annotations

import json
import math

import pytest

from survey.design import (
    allocate,
    margin_of_error,
    power_change,
    sample_size,
    sample_size_change,
)
from survey.errors import DesignError
from tests.clirun import run, run_json


# Krejcie & Morgan (1970), Table 1: sample size for a proportion near 0.5 at +-5 points,
# 95%, from a population of N (their formula is Cochran's with the exact fpc); the table
# rounds to the nearest unit, we round up (the margin must be met).
@pytest.mark.parametrize(("population", "published"), [
    (100, 80), (500, 217), (1000, 278), (1100, 285), (3000, 341), (10000, 370), (100000, 383),
])
def test_sample_size_matches_krejcie_morgan_table(population, published):
    assert sample_size(p=0.5, moe=0.05, population=population).n - published in (0, 1)


def test_sample_size_without_population_is_cochrans_n0():
    # the classic 385 for +-5 points at 95%
    assert sample_size(p=0.5, moe=0.05).n == 385


@pytest.mark.parametrize("p", [0.1, 0.3, 0.6, 0.615])
@pytest.mark.parametrize("population", [None, 400, 1100, 50000])
@pytest.mark.parametrize("deff", [1.0, 1.7])
def test_sample_size_is_the_smallest_n_reaching_the_margin(p, population, deff):
    n = sample_size(p=p, moe=0.05, population=population, deff=deff).n
    assert margin_of_error(n, p=p, population=population, deff=deff).moe <= 0.05 + 1e-12
    if n > 1:
        assert margin_of_error(n - 1, p=p, population=population, deff=deff).moe > 0.05


def test_sample_size_for_a_mean_is_the_smallest_n_reaching_the_margin():
    n = sample_size(sd=12, moe=1.5, population=2000).n
    # a mean's fpc: V = (1 - n/N) S^2 / n
    assert 1.959964 * math.sqrt((1 - n / 2000) * 144 / n) <= 1.5
    assert 1.959964 * math.sqrt((1 - (n - 1) / 2000) * 144 / (n - 1)) > 1.5


def test_cv_target_for_a_proportion():
    # cv(p) = sqrt((1 - p) / (n p)): n = (1 - p) / (p cv^2)
    assert sample_size(p=0.2, cv=0.1).n == math.ceil(0.8 / (0.2 * 0.01))


def test_invitations_divide_completes_by_the_response_rate():
    s = sample_size(p=0.6, moe=0.05, population=1100, response_rate=0.4)
    assert s.invitations == math.ceil(s.n / 0.4)


def test_design_effect_scales_n0():
    assert sample_size(p=0.6, moe=0.05, deff=2).n0 == pytest.approx(2 * sample_size(p=0.6, moe=0.05).n0)


def test_allocation_adds_up_and_is_proportional():
    pop = {"A": 320, "B": 380, "C": 190, "D": 110, "E": 100}
    a = allocate(277, pop)
    n = dict(zip(a.table["stratum"], a.table["n"], strict=True))
    assert sum(n.values()) == 277
    for s, N in pop.items():
        assert abs(n[s] - 277 * N / 1100) < 1


def test_allocation_minimum_is_met_and_reshared():
    a = allocate(100, {"A": 600, "B": 300, "C": 100}, min_per_stratum=15)
    n = dict(zip(a.table["stratum"], a.table["n"], strict=True))
    assert n["C"] == 15 and sum(n.values()) == 100
    assert n["A"] / n["B"] == pytest.approx(2, abs=0.1)


def test_neyman_allocation_follows_n_times_sd():
    a = allocate(90, {"A": 100, "B": 100}, method="neyman", sd={"A": 1.0, "B": 2.0})
    assert a.table["n"].to_list() == [30, 60]


def test_allocation_never_exceeds_a_stratum():
    a = allocate(150, {"A": 1000, "B": 20}, method="equal")
    assert a.table["n"].to_list() == [130, 20]


def test_allocation_minimum_that_cannot_fit_is_refused():
    with pytest.raises(DesignError, match="min-per-stratum"):
        allocate(20, {"A": 100, "B": 100, "C": 100}, min_per_stratum=10)


def test_power_is_monotone_in_n_and_overlap():
    base = power_change(0.615, 0.494, 200).power
    assert power_change(0.615, 0.494, 300).power > base
    assert power_change(0.615, 0.494, 200, overlap=0.2, correlation=0.5).power > base
    assert power_change(0.615, 0.494, 200, overlap=0.2, correlation=-0.5).power < base


def test_power_of_the_textbook_two_proportion_case():
    # Normal approximation: delta / sqrt(p1q1/n + p2q2/n) - z
    se = math.sqrt((0.615 * 0.385 + 0.494 * 0.506) / 200)
    from statistics import NormalDist
    nd = NormalDist()
    expected = nd.cdf(0.121 / se - nd.inv_cdf(0.975)) + nd.cdf(-0.121 / se - nd.inv_cdf(0.975))
    assert power_change(0.615, 0.494, 200).power == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("overlap", "rho"), [(0, 0), (0.2, 0.5), (0.5, 0.8)])
def test_sample_size_change_is_the_smallest_n_with_the_power(overlap, rho):
    n = sample_size_change(0.615, 0.494, power=0.8, overlap=overlap, correlation=rho).n_needed
    assert power_change(0.615, 0.494, n, overlap=overlap, correlation=rho).power >= 0.8
    assert power_change(0.615, 0.494, n - 1, overlap=overlap, correlation=rho).power < 0.8


def test_bad_inputs_are_refused_with_the_flag_to_fix():
    with pytest.raises(DesignError, match="--p"):
        sample_size(p=1.5, moe=0.05)
    with pytest.raises(DesignError, match="--moe"):
        sample_size(p=0.5)
    with pytest.raises(DesignError, match="--response-rate"):
        sample_size(p=0.5, moe=0.05, response_rate=0)
    with pytest.raises(DesignError, match="no change"):
        power_change(0.5, 0.5, 100)


def test_cli_proportion_json_gives_completes_and_invitations():
    doc = run_json("design-size", "proportion", "--p", "0.6", "--moe", "0.05", "--population", "1100",
                   "--response-rate", "0.4")
    assert (doc["n"], doc["invitations"]) == (sample_size(p=0.6, moe=0.05, population=1100).n,
                                              math.ceil(sample_size(p=0.6, moe=0.05, population=1100).n / 0.4))


def test_cli_allocates_from_a_margins_file():
    from pathlib import Path
    pop = Path(__file__).resolve().parents[2] / "sample_data" / "population_2025.csv"
    doc = run_json("design-size", "allocate", "--n", "277", "--strata", str(pop), "--variable", "division",
                   "--min-per-stratum", "30")
    sizes = {s["stratum"]: s["n"] for s in doc["strata"]}
    assert sum(sizes.values()) == 277 and min(sizes.values()) >= 30


def test_cli_power_table_and_bad_input_exit_code():
    r = run("design-size", "power", "--p1", "0.615", "--p2", "0.494", "--n", "200")
    assert r.exit_code == 0 and "power" in r.output
    r = run("design-size", "power", "--p1", "0.5", "--p2", "0.5", "--n", "200")
    assert r.exit_code == 2 and "Traceback" not in r.output and "no change" in r.output


def test_cli_margins_file_needs_a_variable():
    from pathlib import Path
    pop = Path(__file__).resolve().parents[2] / "sample_data" / "population_2025.csv"
    r = run("design-size", "allocate", "--n", "100", "--strata", str(pop))
    assert r.exit_code == 2 and "--variable" in r.output


def test_cli_moe_json():
    doc = run_json("design-size", "moe", "--n", "200", "--p", "0.615")
    assert doc["moe"] == pytest.approx(margin_of_error(200, p=0.615).moe)
    json.dumps(doc)
