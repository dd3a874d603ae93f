"""`-o yaml`: the JSON report's data (same keys, same meaning), as YAML."""

from __future__ import annotations

import io
from typing import Any

from pluto_py.core.model import ScanResult
from pluto_py.report import ReportContext
from pluto_py.report.json_report import report_dict


def yaml_text(data: Any) -> str:
    """``data`` as block YAML, keys in their order (as JSON prints them), long lines unwrapped (scan,
    `list-versions` and `podsecurity -o yaml`)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]  # keep the JSON order
    yaml.width = 4096
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


class YamlReporter:
    def render(self, result: ScanResult, context: ReportContext) -> str:
        return yaml_text(report_dict(result, context))
