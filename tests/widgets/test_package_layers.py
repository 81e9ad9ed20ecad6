"""``widgets.map`` is a library under the window: it never imports the main window, the
tools around it or the workflow, and no screenshot script lives in a library package."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAP = ROOT / "widgets" / "map"
ABOVE_THE_MAP = (
    "widgets.main_window",
    "widgets.window_api",
    "widgets.map_tools",
    "widgets.app",
    "widgets.launch",
    "widgets.panels",
    "widgets.workflow",
)


def _imports(path: Path) -> set[str]:
    """Every module an ``import``/``from`` statement names (TYPE_CHECKING ones too)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return out


def test_no_map_module_names_the_window_or_anything_above_it() -> None:
    modules = sorted(MAP.rglob("*.py"))
    assert len(modules) > 15
    offending = {
        str(p.relative_to(ROOT)): sorted(m for m in _imports(p) if m.startswith(ABOVE_THE_MAP))
        for p in modules
    }
    assert not {k: v for k, v in offending.items() if v}


def test_importing_every_map_module_loads_nothing_above_it() -> None:
    code = (
        "import importlib, json, pkgutil, sys\n"
        "import widgets.map as m\n"
        "for info in pkgutil.walk_packages(m.__path__, 'widgets.map.'):\n"
        "    importlib.import_module(info.name)\n"
        "print(json.dumps(sorted(k for k in sys.modules if k.startswith('widgets'))))\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert "widgets.map.view" in loaded and "widgets.map.export" in loaded
    assert not [m for m in loaded if m.startswith(ABOVE_THE_MAP)], loaded


def test_screenshot_scripts_live_in_docs_tools_not_in_the_packages() -> None:
    in_packages = [
        str(p.relative_to(ROOT)) for p in (ROOT / "widgets").rglob("*.py") if "screenshot" in p.name
    ]
    assert in_packages == []
    tools = {p.name for p in (ROOT / "docs" / "tools").glob("*.py")}
    assert {"map_screenshots.py", "workflow_screenshots.py"} <= tools
