from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pluto_py.core.versions import KubeVersion, VersionError, format_version, parse_version


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.22", (1, 22)),
        ("v1.22", (1, 22)),
        ("1.22.3", (1, 22)),
        ("v1.22.0-eks-1", (1, 22)),
        ("v1.27.8-eks-8cb36c9", (1, 27)),
        ("v1.28.3-gke.1203001", (1, 28)),
        ("v1.27.4+k3s1", (1, 27)),
        ("1.9", (1, 9)),
        (" 1.30 ", (1, 30)),
        ("1.0", (1, 0)),
    ],
)
def test_spellings_mean_major_minor(text: str, expected: tuple[int, int]) -> None:
    assert parse_version(text) == KubeVersion(*expected)


@pytest.mark.parametrize("text", ["", "1", "x1.22", "1.22.", "1..22", "1.22.3.4", "v", "1.022", "latest", "1,22",
                                  "-1.22", "1.22 3"])
def test_bad_versions_are_rejected_with_the_text(text: str) -> None:
    with pytest.raises(VersionError) as info:
        parse_version(text)
    assert repr(text) in str(info.value)


def test_comparison_is_numeric_not_lexical() -> None:
    assert parse_version("1.9") < parse_version("1.10") < parse_version("1.22")


def test_format_and_arithmetic() -> None:
    v = parse_version("1.22")
    assert format_version(v) == "1.22" and format_version(None) is None
    assert v.bump() == KubeVersion(1, 23) and v.bump(-3) == KubeVersion(1, 19)
    assert v.minus(KubeVersion(1, 19)) == 3


@given(st.integers(0, 99), st.integers(0, 999), st.integers(0, 99999),
       st.sampled_from(["", "v"]), st.sampled_from(["", "-eks-1", "+k3s1", "-gke.1203001", "-rc.1"]))
def test_round_trip_through_any_spelling(major: int, minor: int, patch: int, prefix: str, suffix: str) -> None:
    version = parse_version(f"{prefix}{major}.{minor}.{patch}{suffix}")
    assert version == KubeVersion(major, minor)
    assert parse_version(str(version)) == version
