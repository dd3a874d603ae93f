"""The layers of docs/architecture.md hold: imports go one way, and the document shows the real graph."""

from __future__ import annotations

import importlib.util
import sys
import tomllib

from tests.conftest import REPO_ROOT

PACKAGE_DIR = REPO_ROOT / "pluto_py"


def _layers() -> list[str]:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return [name.strip() for layer in contract["layers"] for name in layer.split("|")]


def _import_graph_script() -> object:
    spec = importlib.util.spec_from_file_location("import_graph", REPO_ROOT / "scripts" / "import_graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_import_contract_is_kept() -> None:
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(REPO_ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0


def test_the_layers_are_exactly_the_packages_top_level_modules() -> None:
    top = {path.name for path in PACKAGE_DIR.iterdir() if path.is_dir() and (path / "__init__.py").is_file()}
    top |= {path.stem for path in PACKAGE_DIR.glob("*.py") if path.stem not in ("__init__", "__main__")}
    assert sorted(f"pluto_py.{name}" for name in top) == sorted(_layers())


def test_architecture_doc_shows_the_actual_import_graph() -> None:
    script = _import_graph_script()
    block = script.render()  # type: ignore[attr-defined]
    doc = (REPO_ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert block in doc, "docs/architecture.md is stale: run python scripts/import_graph.py --write"


def test_no_layer_imports_upward_in_the_graph() -> None:
    """The same rule, read off the graph the document shows (a second, independent check)."""
    rank = {"core": 0, "sources": 1, "addons": 2, "pipeline": 3, "report": 4, "fix": 5, "skew": 5, "podsecurity": 6,
            "bluegreen": 6, "preflight": 7, "cli": 8}
    assert sorted(rank) == sorted(name.removeprefix("pluto_py.") for name in _layers())
    for importer, imported in _import_graph_script().edges().items():  # type: ignore[attr-defined]
        for target in imported:
            assert rank[target] < rank[importer], f"{importer} imports {target}"


def test_python_dash_m_and_the_entry_point_still_resolve() -> None:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["project"]["scripts"]["kdeprecate"] == "pluto_py.cli:main"
    assert (PACKAGE_DIR / "__main__.py").read_text(encoding="utf-8").startswith("from pluto_py.cli import main")
    assert "pluto_py" in sys.modules or importlib.util.find_spec("pluto_py") is not None
