"""Start-up time: plain coercion of plain command-line values, without pydantic.

Recent typer versions coerce every parameter value (given or default) through a pydantic
TypeAdapter: the first command run imports pydantic and builds adapters, ~0.1 s — more than
``kdeprecate scan`` needs for a small file, on every pre-commit run. For the annotations our
commands use — ``str`` and ``Path`` values and lists of them, without parsers, choices or
constraints — that coercion is trivial: ``install()`` makes typer use the plain version for them
and leaves every other parameter (and every other typer version) to typer itself. Errors keep
typer's messages: paths are still checked by typer's own ``coerce_cli_path``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args, get_origin

_INSTALLED = "__kdeprecate_plain__"


def install() -> bool:
    """Patch typer's runtime-coercion factory; False (and nothing changed) if typer is not as expected."""
    try:
        from typer import core
        from typer._coercion import RuntimeParam
        from typer._param_types import coerce_cli_path
    except ImportError:
        return False
    original = getattr(core, "build_runtime_param", None)
    if original is None or getattr(original, _INSTALLED, False):
        return original is not None

    class PlainRuntimeParam(RuntimeParam):
        """Coerces a value (or each item of a list) with ``leaf``."""

        def __init__(self, descriptor: Any, leaf: Callable[[Any, Any, Any], Any], many: bool) -> None:
            super().__init__(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation)
            object.__setattr__(self, "leaf", leaf)
            object.__setattr__(self, "many", many)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            leaf: Callable[[Any, Any, Any], Any] = self.leaf  # type: ignore[attr-defined]
            if self.many:  # type: ignore[attr-defined]
                items = value if isinstance(value, list | tuple) else [value]
                return [leaf(item, param, ctx) for item in items]
            return leaf(value, param, ctx)

    def build_runtime_param(descriptor: Any) -> Any:
        plan = _plan(descriptor, coerce_cli_path)
        if plan is None:
            return original(descriptor)
        leaf, many = plan
        if leaf is _as_bool:
            fallback: list[Any] = []  # typer's own coercion, built only for an unusual value

            def as_bool(value: Any, param: Any, ctx: Any) -> Any:
                if isinstance(value, bool):
                    return value
                if not fallback:
                    fallback.append(original(descriptor))
                return fallback[0]._coerce_value(value, param=param, ctx=ctx)

            leaf = as_bool
        return PlainRuntimeParam(descriptor, leaf, many)

    setattr(build_runtime_param, _INSTALLED, True)
    core.build_runtime_param = build_runtime_param  # type: ignore[attr-defined]
    return True


def _plan(descriptor: Any, coerce_cli_path: Callable[..., Any]) -> tuple[Callable[[Any, Any, Any], Any], bool] | None:
    """(leaf coercion, is a list) for a plain str/Path parameter; None leaves it to typer."""
    info = descriptor.parameter_info
    if (getattr(descriptor, "file_annotation", None) is not None or getattr(info, "parser", None) is not None
            or getattr(info, "click_type", None) is not None):
        return None
    annotation = descriptor.annotation
    many = get_origin(annotation) is list
    leaf = get_args(annotation)[0] if many else annotation
    if get_origin(leaf) is not None:
        return None
    if leaf is str:
        return _as_str, many
    if leaf is bool and not many:
        return _as_bool, many
    if (isinstance(leaf, type) and issubclass(leaf, Path) and getattr(info, "path_type", None) is None
            and not getattr(info, "allow_dash", False)):
        path_type = leaf

        def as_path(value: Any, param: Any, ctx: Any) -> Any:
            if isinstance(value, str):
                value = path_type(value)
            return coerce_cli_path(value, info, path_type=path_type, param=param, ctx=ctx)

        return as_path, many
    return None


def _as_str(value: Any, param: Any, ctx: Any) -> Any:
    return value if isinstance(value, str) else str(value)


def _as_bool(value: Any, param: Any, ctx: Any) -> Any:  # replaced by build_runtime_param's as_bool
    return value
