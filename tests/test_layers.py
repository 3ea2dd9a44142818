"""The direction of imports (docs/architecture.md, "Layers"): a feature imports the features it
builds on, never one built on it; where an earlier feature must let a later one react, it sends a
signal. Read from the source, every import counted, those inside functions too.
"""

import ast
from collections import defaultdict
from pathlib import Path

PORTAL = Path(__file__).resolve().parent.parent / "portal"

# Earliest first: each package may import those before it, and itself. portal.extensions (the
# Flask extensions) belongs with core.
LAYERS = [
    "core",
    "units",
    "auth",
    "ledger",
    "applicants",
    "competitions",
    "entries",
    "judging",
    "awards",
    "nominations",
    "projects",
    "capital",
    "figures",
    "api",
    "admin",
    "main",
    "demo",
]


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every `portal.…` import in one file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "portal":
                found += [(node.lineno, f"portal.{alias.name}") for alias in node.names]
            elif node.module.startswith("portal."):
                found.append((node.lineno, node.module))
                found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("portal.")]
    return found


def package_of(path: Path) -> str | None:
    parts = path.relative_to(PORTAL).with_suffix("").parts
    return parts[0] if len(parts) > 1 or parts[0] == "extensions" else None


def test_every_package_has_a_place_in_the_layers():
    packages = {p.name for p in PORTAL.iterdir() if (p / "__init__.py").exists()}
    assert packages - set(LAYERS) == set(), "add the new package to LAYERS and to the docs"


def test_no_import_runs_back_up():
    rank = {name: i for i, name in enumerate(LAYERS)} | {"extensions": 0}
    backwards: dict[str, str] = {}
    for path in sorted(PORTAL.rglob("*.py")):
        package = package_of(path)
        if package is None:  # portal/__init__.py puts the application together
            continue
        for line, module in imports_of(path):
            target = module.split(".")[1]
            if target in rank and rank[target] > rank[package]:
                backwards.setdefault(f"{path.relative_to(PORTAL)}:{line}", module)
    assert backwards == {}, "an earlier feature imports a later one:\n" + "\n".join(
        f"{where} imports {module}" for where, module in backwards.items()
    )


def _module_name(path: Path) -> str:
    parts = path.relative_to(PORTAL.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_two_modules_import_each_other():
    """Within a feature too: a cycle means one of the two holds what both need."""
    modules = {_module_name(p): p for p in PORTAL.rglob("*.py")}
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for _, module in imports_of(path):
            if module in modules and module != name:
                graph[name].add(module)
    pairs = sorted(
        f"{a} ⇄ {b}"
        for a in graph
        for b in graph[a]
        if a < b
        and a in graph.get(b, ())
        and not b.startswith(a + ".")
        and not a.startswith(b + ".")
    )
    assert pairs == [], "modules that import each other:\n" + "\n".join(pairs)


def test_the_readme_and_the_map_name_every_package():
    root = PORTAL.parent
    readme = (root / "README.md").read_text()
    architecture = (root / "docs" / "architecture.md").read_text()
    packages = sorted(p.name for p in PORTAL.iterdir() if (p / "__init__.py").exists())
    assert [p for p in packages if f"portal/{p}/" not in readme] == []
    assert [p for p in packages if f"\n{p} " not in architecture] == []
