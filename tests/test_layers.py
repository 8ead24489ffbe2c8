"""Imports flow one way: codebook -> io -> frames -> store -> design -> estimators ->
weighting/models/tables -> bind -> reports -> plans -> cli (STYLE.md).

``bind`` (a file and a design specification to a bound, weighted design) sits above
weighting because binding replays weighting steps, and below plans and the CLI, which
both travel it."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "survey"
RANK = {
    "errors": 0, "_typing": 0, "_text": 0, "_files": 0, "_meta": 0, "_options": 0, "_display": 0,
    "codebook": 1, "io": 2, "frames": 3, "store": 4, "design": 5, "estimators": 6,
    "weighting": 7, "models": 7, "tables": 7, "bind": 8, "reports": 9, "plans": 10, "cli": 11,
    "__main__": 12,
}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _runtime_imports(tree: ast.AST) -> list[str]:
    """Imports that run at import time (not under `if TYPE_CHECKING:`)."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                found.extend(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.append(child.module)
            visit(child)

    visit(tree)
    return [m for m in found if m.startswith("survey.")]


def test_lower_layers_never_import_higher_ones():
    bad = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG.parent).with_suffix("")
        module = ".".join(rel.parts)
        layer = _layer(module)
        if layer == "__init__" or layer not in RANK:
            continue
        for imported in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            other = _layer(imported)
            if other in RANK and RANK[other] > RANK[layer]:
                bad.append(f"{module} imports {imported}")
            if other in RANK and RANK[other] == RANK[layer] and other != layer:
                bad.append(f"{module} imports its sibling layer {imported}")
    assert not bad, "\n".join(bad)


def test_every_layer_is_known():
    layers = {p.name.removesuffix(".py") for p in PKG.iterdir() if not p.name.startswith("__")}
    assert layers <= set(RANK), layers - set(RANK)
