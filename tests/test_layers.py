"""The layers of DESIGN.md, read from the source: no import cycle anywhere in orgtui
(type-only and deferred imports counted), and the UI reaches AWS and files only through
`orgtui.backend` (the `Services` object)."""

from __future__ import annotations

import ast

from tests.support.modules import MODULES

# What the UI must never import: AWS (boto3, botocore, orgtui.aws), files and the cache
# (orgtui.files, orgtui.loading) and the demo; `orgtui.backend` is its way to all of them.
UI_FORBIDDEN = ("boto3", "botocore", "orgtui.aws", "orgtui.files", "orgtui.loading", "orgtui.demo")


def imports_of(name: str) -> set[str]:
    """Every module `name` imports, wherever the import is (top, TYPE_CHECKING, inside a
    function): `from orgtui.x import y` counts as orgtui.x.y when that is a module, and
    as orgtui.x otherwise."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            submodules = {f"{target}.{alias.name}" for alias in node.names}
            found.update(submodules & MODULES.keys())
            # `from package import module` imports the module (its package is loading
            # or loaded already); any other name is the target's own.
            if submodules - MODULES.keys():
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    return {m: {d for d in imports_of(m) if d in MODULES and d != m} for m in MODULES}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
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


def test_the_checker_sees_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_checker_counts_type_only_and_deferred_imports():
    edges = graph()
    # aws/loader imports aws/details at the top; cli imports the UI inside a function.
    assert "orgtui.aws.details" in edges["orgtui.aws.loader"]
    assert "orgtui.ui.run" in edges["orgtui.cli"]


def test_no_import_cycle_in_orgtui():
    found = cycles(graph())
    assert found == [], "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_the_ui_reaches_aws_and_files_only_through_the_backend():
    bad = []
    for name in MODULES:
        if not name.startswith("orgtui.ui"):
            continue
        for target in imports_of(name):
            if any(target == f or target.startswith(f + ".") for f in UI_FORBIDDEN):
                bad.append(f"{name} imports {target}")
    assert bad == []
