"""Functions in the simulation core stay short enough to read at once: a process near 20
lines (SimPy's own examples), nothing over 60. A wiring function that grows with every
feature is the sign this test is there to catch."""

import ast
from pathlib import Path

SIM = Path(__file__).resolve().parents[1] / "dcsim" / "sim"
LIMIT = 60


def long_functions(root: Path = SIM) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > LIMIT:
                    found.append(f"{path.name}:{node.lineno} {node.name} ({lines} lines)")
    return found


def test_no_function_in_sim_is_over_60_lines():
    assert not long_functions(), long_functions()


def test_the_check_sees_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(LIMIT))
    (tmp_path / "long.py").write_text(f"class A:\n  def f(self):\n{body}\n")
    (tmp_path / "short.py").write_text("def g():\n    return 1\n")
    assert long_functions(tmp_path) == [f"long.py:2 f ({LIMIT + 1} lines)"]
