"""Help as people read it: placeholders such as ``PATH`` or ``VERSION``, never Python types.

typer prints the annotation of a parameter beside its name (``PATH <list[str]>``, ``--kubectl
<str>``). ``install()`` makes arguments show their name alone, options their metavar (or, without
one, their name in capitals, as argparse does), and the usage line name arguments as click does
(``PATH...``, ``[PATH]...``). Only help output changes; if typer changes shape, nothing is patched.
"""

from __future__ import annotations

from typing import Any

_INSTALLED = "__kdeprecate_help__"


def install() -> bool:
    try:
        from typer import core
    except ImportError:
        return False
    argument, option = getattr(core, "TyperArgument", None), getattr(core, "TyperOption", None)
    if argument is None or option is None or not all(
            hasattr(argument, name) for name in ("display_type_rich", "_usage_display_name", "display_name_raw")):
        return False
    if getattr(argument, _INSTALLED, False):
        return True

    def argument_type(self: Any, ctx: Any) -> str | None:
        return None  # the argument's name (its metavar) says what it is

    def option_type(self: Any, ctx: Any) -> str | None:
        if self.metavar is not None:
            return str(self.metavar)
        return str(self.name or "value").upper()

    def usage_name(self: Any) -> str:
        name = str(self.display_name_raw)
        if not self.required:
            name = f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")

    argument.display_type_rich = argument_type
    argument._usage_display_name = usage_name
    option.display_type_rich = option_type
    setattr(argument, _INSTALLED, True)
    return True
