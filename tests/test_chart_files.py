"""Which chart a changed file belongs to (pre-commit passes a chart's files one by one)."""

from __future__ import annotations

from pathlib import Path

from pluto_py.sources.files import chart_of_file


def make_chart(path: Path) -> Path:
    (path / "templates").mkdir(parents=True)
    (path / "Chart.yaml").write_text(f"apiVersion: v2\nname: {path.name}\nversion: 0.1.0\n")
    return path


def test_files_that_change_what_a_chart_renders(tmp_path: Path) -> None:
    app = make_chart(tmp_path / "app")
    redis = make_chart(app / "charts" / "redis")
    (app / "crds").mkdir()
    files = {
        app / "Chart.yaml": app, app / "values.yaml": app, app / "values-prod.yml": app,
        app / "values.schema.json": app, app / "templates" / "_helpers.tpl": app,
        app / "templates" / "sub" / "deploy.yaml": app, app / "crds" / "crd.yaml": app,
        redis / "values.yaml": app, redis / "templates" / "pdb.yaml": app,  # vendored subchart: its parent
        app / "README.md": None, app / "ci" / "test-values.yaml": None, tmp_path / "k8s.yaml": None,
    }
    for path, chart in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x: 1\n")
        assert chart_of_file(path) == (chart.resolve() if chart else None), path


def test_a_chart_outside_a_charts_folder_is_its_own(tmp_path: Path) -> None:
    outer = make_chart(tmp_path / "outer")
    inner = make_chart(outer / "templates" / "weird")  # not vendored under charts/: render the nearest
    (inner / "values.yaml").write_text("a: 1\n")
    assert chart_of_file(inner / "values.yaml") == inner.resolve()
