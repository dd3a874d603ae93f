"""What `kdeprecate scan FILE` imports: nothing heavy on the path every pre-commit run takes.

(No timings here: benchmarks/run.py measures them. This guards the causes.)
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES

PROBE = """
import json, sys
from pluto_py.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = ("pydantic", "jsonschema", "ruamel", "yaml", "rich", "importlib.resources")
print(json.dumps(sorted({m for m in sys.modules for h in heavy if m == h or m.startswith(h + ".")})), file=sys.stderr)
"""


def test_one_file_scan_imports_nothing_heavy() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE, "scan", str(FIXTURES / "shop" / "pdb.yaml"), "-t", "1.22",
                             "--no-config"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []


def test_plain_options_keep_typer_semantics() -> None:
    """The pydantic-free coercion (pluto_py.cli._typer_fast) still validates paths and lists."""
    missing = subprocess.run([sys.executable, "-m", "pluto_py", "scan", str(FIXTURES / "shop" / "pdb.yaml"),
                              "--extra-table", "/nonexistent/extra.yaml", "--no-config"],
                             capture_output=True, text=True, check=False)
    assert missing.returncode == 2 and "extra.yaml" in missing.stderr
    many = subprocess.run([sys.executable, "-m", "pluto_py", "scan", str(FIXTURES / "shop" / "pdb.yaml"),
                           str(FIXTURES / "shop" / "web.yaml"), "-t", "1.25", "--annotation", "a.io/x",
                           "--annotation", "b.io/y", "-o", "json", "--no-config"],
                          capture_output=True, text=True, check=False)
    assert many.returncode == 1, many.stderr
    assert json.loads(many.stdout)["summary"]["files"] == 2


def test_typer_patch_steps_aside_when_typer_is_not_as_expected(monkeypatch: pytest.MonkeyPatch) -> None:
    """_typer_fast patches a typer internal; on a typer without it, it changes nothing (and says so)."""
    from typer import core

    from pluto_py.cli import _typer_fast

    assert _typer_fast.install() is True
    patched = core.build_runtime_param  # type: ignore[attr-defined]
    assert _typer_fast.install() is True and core.build_runtime_param is patched  # type: ignore[attr-defined]
    monkeypatch.delattr(core, "build_runtime_param")
    assert _typer_fast.install() is False
    assert not hasattr(core, "build_runtime_param")
