"""The academy sample waves as a plan's ``[plan]`` and ``[[inputs.wave]]`` tables, for
tests that write plans over them."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_WAVES = {
    "2023": (f"{ROOT}/sample_data/academy_2023.csv", f"{ROOT}/schemas/academy_member_survey_2023.yaml"),
    "2025": (f"{ROOT}/sample_data/academy_2025.xlsx", f"{ROOT}/schemas/academy_member_survey.yaml"),
}


def plan_head(title: str, *waves: str) -> str:
    """``[plan]`` titled ``title`` and one ``[[inputs.wave]]`` per wave id (default 2025)."""
    out = f'[plan]\ntitle = "{title}"\n'
    for wave in waves or ("2025",):
        file, codebook = _WAVES[wave]
        out += f'\n[[inputs.wave]]\nid = "{wave}"\nfile = "{file}"\ncodebook = "{codebook}"\n'
    return out


ACADEMY_DESIGN = f'''
[design]
strata = "division"
fpc = {{ population = "{ROOT}/sample_data/population_2025.csv", variable = "division" }}

[weighting]
method = "poststratify"
margins = "{ROOT}/sample_data/population_2025.csv"
variables = ["division:gender"]
'''
"""The flagship plan's design (analyses/brain_drain_2025.toml): strata division with the
membership as fpc, post-stratified to division x gender."""
