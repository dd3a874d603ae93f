"""The shipped table's JSON cache (start-up speed) is fresh and says exactly what the YAML says."""

from __future__ import annotations

from pluto_py.core.table import TABLE_FILE, _cached_table_data, _load_yaml_text, builtin_data_path


def test_table_cache_matches_the_yaml() -> None:
    text = builtin_data_path(TABLE_FILE).read_text(encoding="utf-8")
    cached = _cached_table_data(text)
    assert cached is not None, "stale cache: run `python -m pluto_py.core.table --write-cache` and commit it"
    assert cached == _load_yaml_text(text, TABLE_FILE)


def test_a_different_text_never_uses_the_cache() -> None:
    text = builtin_data_path(TABLE_FILE).read_text(encoding="utf-8")
    assert _cached_table_data(text + "# edited\n") is None
    assert _cached_table_data(text.replace('"1.22"', '"1.23"', 1)) is None
