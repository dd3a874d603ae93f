"""`-o yaml`: the JSON report's data (same keys, same meaning), as YAML.

Faithful and printable: a string holding a character that is not printable (a control character, a
bidirectional override, a lone surrogate of a file name that is not UTF-8) is written double-quoted with
that character as a YAML escape (``"\\e[31m"``, ``"\\u202E"``), so it reads back as the same string.
"""

from __future__ import annotations

import io
from typing import Any

from pluto_py.core.model import ScanResult
from pluto_py.report import ReportContext
from pluto_py.report.json_report import report_dict


def _printable_emitter() -> type:
    """ruamel's emitter, writing every string that is not printable double-quoted with escapes (ruamel
    itself leaves format characters such as U+202E raw, and would write a newline as a line break)."""
    from ruamel.yaml.emitter import Emitter

    class PrintableEmitter(Emitter):
        def analyze_scalar(self, scalar: Any) -> Any:
            analysis = super().analyze_scalar(scalar)
            if not scalar.isprintable():
                analysis.allow_flow_plain = analysis.allow_block_plain = False
                analysis.allow_single_quoted = analysis.allow_block = False
            return analysis

        def write_double_quoted(self, text: Any, split: Any = True) -> None:
            if text.isprintable():
                super().write_double_quoted(text, split)
                return
            allow_unicode, self.allow_unicode = self.allow_unicode, False  # every non-ASCII one escaped
            try:
                super().write_double_quoted(text, split)
            finally:
                self.allow_unicode = allow_unicode

    return PrintableEmitter
def yaml_text(data: Any) -> str:
    """``data`` as block YAML, keys in their order (as JSON prints them), long lines unwrapped (scan,
    `list-versions` and `podsecurity -o yaml`)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.Emitter = _printable_emitter()
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]  # keep the JSON order
    yaml.width = 4096
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


class YamlReporter:
    def render(self, result: ScanResult, context: ReportContext) -> str:
        return yaml_text(report_dict(result, context))
