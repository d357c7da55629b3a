"""Imports run one way: no module of dcsim imports, directly or through others, a module
that imports it back. Every import counts, including those inside functions and under
``TYPE_CHECKING``, because each is a dependency a reader has to hold in mind."""

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[1] / "dcsim"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> nx.DiGraph:
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{anchor}.{base}" if base else anchor
                submodules = [f"{base}.{alias.name}" for alias in node.names]
                named = [module for module in submodules if module in modules]
                # ``from dcsim import growth`` depends on dcsim.growth, not on all of dcsim
                targets = named if len(named) == len(submodules) else [base, *named]
            for target in targets:
                if target in modules and target != name:
                    graph.add_edge(name, target)
    return graph


def test_the_import_graph_sees_the_package():
    graph = import_graph()
    assert graph.has_edge("dcsim.api", "dcsim.sim.model")
    assert graph.number_of_edges() > 50


def test_no_import_cycles():
    cycles = [sorted(c) for c in nx.strongly_connected_components(import_graph()) if len(c) > 1]
    assert not cycles, f"import cycles: {cycles}"


def test_the_cli_sits_above_the_reports():
    """Nothing below the command line imports it: formatting lives in dcsim.formatting."""
    graph = import_graph()
    below = [m for m in graph if not m.startswith("dcsim.cli") and m != "dcsim.__main__"]
    reaching = sorted(
        m for m in below if any(t.startswith("dcsim.cli") for t in nx.descendants(graph, m))
    )
    assert not reaching, f"modules below the CLI that import it: {reaching}"
