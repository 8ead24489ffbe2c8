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


def _imports_click(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "click" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "click":
            return True
    return False


def test_only_the_command_line_imports_click():
    """The library raises its own errors and never parses options: click stays in cli/."""
    found = [str(p.relative_to(PKG.parent)) for p in PKG.rglob("*.py")
             if "cli" not in p.relative_to(PKG).parts[:1]
             and _imports_click(ast.parse(p.read_text(encoding="utf-8")))]
    assert not found, found


def test_the_command_line_reads_no_files_itself():
    """Opening data is the library's (survey.bind, survey.io ...): no polars reader in cli/."""
    import re

    calls = re.compile(r"\bpl\.(read|scan)_\w+\(")
    found = [f"{p.name}:{i}" for p in (PKG / "cli").glob("*.py")
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if calls.search(line)]
    assert not found, found
