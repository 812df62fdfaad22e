"""The shape of the code: dependencies point one way (DESIGN.md, "Shape of the code").

Walks the imports of src/casework with `ast`: no cycle between packages, the workflow engine and
the vocabulary import no domain package, and nothing under web/ or the CLI touches SQLAlchemy
or a models module (queries live in the domain packages, where pages and jobs reuse them).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "casework"


def _modules() -> dict[str, Path]:
    found = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(path: Path, module: str) -> set[str]:
    """Every module `module` imports, anywhere in the file (function-level imports count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def _package(module: str) -> str:
    """casework.cases.service → casework.cases; top-level modules are their own node."""
    parts = module.split(".")
    return ".".join(parts[:2])


GRAPH = {name: _imports(path, name) for name, path in _modules().items()}


def _package_edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    known = set(GRAPH)
    for module, imported in GRAPH.items():
        for target in imported:
            if target in known and _package(target) != _package(module):
                edges.setdefault(_package(module), set()).add(_package(target))
    return edges


def _find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_packages_form_no_cycle():
    cycle = _find_cycle(_package_edges())
    assert cycle is None, "package import cycle: " + " → ".join(cycle or [])


@pytest.mark.parametrize("leaf", ["casework.vocabulary", "casework.workflows"])
def test_engine_and_vocabulary_import_no_domain_package(leaf):
    domain = {"casework.units", "casework.users", "casework.cases", "casework.campaigns",
              "casework.evidence", "casework.trail", "casework.audit", "casework.web", "casework.jobs"}
    reached = _package_edges().get(leaf, set())
    assert not reached & domain, f"{leaf} imports {sorted(reached & domain)}"


def test_web_and_cli_run_no_queries():
    offenders = []
    for module, imported in GRAPH.items():
        if not (module.startswith("casework.web") or module == "casework.cli"):
            continue
        for name in imported:
            if name == "sqlalchemy" or name.startswith("sqlalchemy.") or ".models" in name or name == "casework.models":
                offenders.append(f"{module} imports {name}")
    assert not offenders, "\n".join(sorted(offenders))


def test_the_walker_sees_a_cycle():
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
