"""The layers run one way: no import circle between modules, and the
contracts of pyproject.toml (`[tool.importlinter]`) kept."""

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
# import-linter's command, installed next to this interpreter.
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")
# A module past this is split by what its parts are about.
MAX_SOURCE_LINES = 300

pytestmark = pytest.mark.database_independent


def _circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Groups of modules that import each other, directly or not (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_through_others() -> None:
    # Type-checking imports count: a circle there is a circle of design.
    graph = grimp.build_graph("src", cache_dir=None)

    assert _circles(graph) == []


def test_the_import_contracts_hold() -> None:
    checked = subprocess.run(  # noqa: S603
        [LINT_IMPORTS, "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 broken" in checked.stdout


def test_no_source_file_is_over_300_lines() -> None:
    src = ROOT / "src"
    long = {
        str(path.relative_to(src)): lines
        for path in src.rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > MAX_SOURCE_LINES
    }

    assert long == {}
