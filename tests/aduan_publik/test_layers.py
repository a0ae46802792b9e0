"""Imports run one way, down the layers: views/jobs → services → queueing/models (DEVELOPERS.md).

Read from the source with ``ast`` (imports inside functions included), nothing is imported to
find them: a lazy import inside a function closes a circle just as well as one at the top.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import aduan_publik
import aduan_social

PACKAGES = [Path(aduan_publik.__file__).parent, Path(aduan_social.__file__).parent]
JOB_PATH = re.compile(r"aduan_publik(\.\w+)*\.jobs\.\w+")


def _modules(root: Path) -> dict[str, Path]:
    """Dotted module name → file, for every module of the package (migrations included)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """(dotted target, line) of every import in ``path``, relative ones resolved, names included."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:
                yield f"{target}.{alias.name}", node.lineno


def _graph(root: Path) -> tuple[dict[str, set[str]], dict[tuple[str, str], int]]:
    modules = _modules(root)
    edges: dict[str, set[str]] = {name: set() for name in modules}
    lines: dict[tuple[str, str], int] = {}
    for name, path in modules.items():
        for target, line in _imported(name, path):
            while target and target not in modules:  # a name inside a module: the module
                target = target.rpartition(".")[0]
            if target and target != name:
                edges[name].add(target)
                lines.setdefault((name, target), line)
    return edges, lines


def _circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _is_services(module: str) -> bool:
    parts = module.split(".")
    return "services" in parts[1:]


def _is_jobs(module: str) -> bool:
    return module.split(".")[-1] == "jobs"


@pytest.mark.parametrize("root", PACKAGES, ids=lambda p: p.name)
def test_no_service_module_imports_a_jobs_module(root):
    # Services enqueue follow-up work by the job's dotted path (aduan_publik.queueing); jobs
    # import services, never the other way round.
    edges, lines = _graph(root)
    wrong = [f"{source} imports {target} (line {lines[source, target]})"
             for source, targets in edges.items() if _is_services(source)
             for target in targets if _is_jobs(target)]
    assert wrong == []


@pytest.mark.parametrize("root", PACKAGES, ids=lambda p: p.name)
def test_the_package_has_no_import_circle(root):
    edges, lines = _graph(root)
    circles = _circles(edges)
    described = [[f"{a} -> {b} (line {lines[a, b]})" for a in circle for b in sorted(edges[a]) if b in circle]
                 for circle in circles]
    assert described == []


def test_the_checks_see_a_circle_and_a_service_importing_jobs():
    # The walk must be able to fail: a lazy import inside a function counts.
    edges = {"p.services.a": {"p.jobs"}, "p.jobs": {"p.services.a"}, "p.models": set()}
    assert _circles(edges) == [["p.jobs", "p.services.a"]]
    assert _is_services("p.services.a") and _is_services("p.portal.services") and not _is_services("p.jobs")
    assert _is_jobs("p.broadcasts.jobs") and not _is_jobs("p.jobs_helpers")
    source = "def f():\n    from ..jobs import send_message\n"
    module = ast.parse(source)
    assert any(isinstance(node, ast.ImportFrom) and node.module == "jobs" and node.level == 2
               for node in ast.walk(module))


def test_every_job_path_named_in_the_code_is_a_job():
    # Services name jobs by their dotted paths (queued jobs in Redis name them too): a typo or
    # a renamed job would only fail in a worker, long after the commit.
    named = set()
    for root in PACKAGES:
        for path in root.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and JOB_PATH.fullmatch(node.value):
                    named.add(node.value)
    assert "aduan_publik.jobs.send_message" in named
    missing = []
    for dotted in sorted(named):
        module, _dot, name = dotted.rpartition(".")
        if not callable(getattr(importlib.import_module(module), name, None)):
            missing.append(dotted)
    assert missing == []
