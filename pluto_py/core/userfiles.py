"""Reading files users hand us besides manifests (extra tables, configuration, a skew policy,
reports to merge): one place for the encoding rules and the one-line errors naming the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class UserFileError(ValueError):
    """A user's file that cannot be read or parsed; the message names the file."""


def read_user_text(path: Path, what: str) -> str:
    """The UTF-8 text of ``path`` (a BOM is allowed); ``what`` names it in errors ("extra table")."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UserFileError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UserFileError(f"{path}: {what} is not UTF-8 text") from None


def parse_user_yaml(text: str, origin: str) -> Any:
    """Safe YAML (no tag constructs an object), for small files users write by hand."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        raise UserFileError(f"{origin}: not valid YAML: {' '.join(str(exc).split())}") from None
