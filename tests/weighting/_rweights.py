"""Replay the weighting fixtures: build each weighted design from its Python steps."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from survey.design import SurveyFrame
from survey.weighting import calibrate, poststratify, rake, read_margins, trim_weights
from tests.estimators._rfixtures import FIXTURES, bind

FILE = FIXTURES / "weighting.json"


@cache
def fixture() -> dict[str, Any]:
    return json.loads(FILE.read_text())


def weightings() -> dict[str, dict[str, Any]]:
    return {w["id"]: w for w in fixture()["weightings"]}


def apply_steps(sf: SurveyFrame, steps: list[dict[str, Any]]) -> SurveyFrame:
    for st in steps:
        opts = {k: v for k, v in st.items() if k not in ("method", "margins", "select")}
        if st["method"] == "trim":
            sf = trim_weights(sf, **opts)
            continue
        ms = read_margins(FIXTURES / st["margins"]).select(*st["select"])
        if "bounds" in opts:
            opts["bounds"] = tuple(opts["bounds"])
        fn = {"poststratify": poststratify, "rake": rake, "calibrate": calibrate}[st["method"]]
        sf = fn(sf, ms, **opts)
    return sf


@cache
def weighted(key: str) -> SurveyFrame:
    w = weightings()[key]
    return apply_steps(bind(w["design"]), w["steps"])
