"""The codebook's ``population`` section: known population counts for weighting and fpc.

```yaml
population:
  division: {Natural Sciences: 320, Engineering: 380}
  division:gender: {"Engineering:Male": 350, "Engineering:Female": 30}
```

A crossed margin names its questions joined by ``:`` and its categories likewise,
exactly as the long margins CSV (``variable,category,population``) does.
"""

from __future__ import annotations

from typing import Any

from survey._text import normalize_key
from survey.codebook._model import Question

__all__ = ["SEP", "parse_population", "population_to_dict"]

SEP = ":"


def parse_population(raw: Any, questions: list[Question],
                     problems: list[str]) -> tuple[tuple[str, str, float], ...]:
    """Rows ``(variable, category, population)``; every mistake appended to ``problems``."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        problems.append("population: must be a mapping {question: {category: count}}")
        return ()
    by_id = {q.id: q for q in questions}
    rows: list[tuple[str, str, float]] = []
    for variable, cats in raw.items():
        loc = f"population.{variable}"
        names = str(variable).split(SEP)
        unknown = [n for n in names if n not in by_id]
        if unknown:
            problems.append(f"{loc}: no question {', '.join(map(repr, unknown))}")
            continue
        if not isinstance(cats, dict) or not cats:
            problems.append(f"{loc}: give {{category: count}} for each category")
            continue
        for cat, count in cats.items():
            parts = str(cat).split(SEP)
            if len(parts) != len(names):
                problems.append(f"{loc}.{cat}: a category of {variable} has {len(names)} part(s)")
                continue
            for name, part in zip(names, parts):
                q = by_id[name]
                if q.options and normalize_key(part) not in {normalize_key(o.label) for o in q.options}:
                    problems.append(f"{loc}.{cat}: {part!r} is not an option of {name} "
                                    f"(options: {', '.join(q.labels)})")
            if isinstance(count, bool) or not isinstance(count, (int, float)) or count < 0:
                problems.append(f"{loc}.{cat}: population {count!r} must be a number >= 0")
                continue
            rows.append((str(variable), str(cat), float(count)))
    return tuple(rows)


def population_to_dict(rows: tuple[tuple[str, str, float], ...]) -> dict[str, dict[str, float | int]]:
    out: dict[str, dict[str, float | int]] = {}
    for variable, category, count in rows:
        out.setdefault(variable, {})[category] = int(count) if float(count).is_integer() else count
    return out
