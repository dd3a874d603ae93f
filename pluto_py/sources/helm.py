"""Helm charts, rendered for the target cluster.

A directory with a ``Chart.yaml`` is a chart: its ``templates/`` are Go templates, not YAML.
It is rendered the way the target cluster would see it, so that ``semverCompare ... .Capabilities
.KubeVersion.GitVersion`` and ``.Capabilities.APIVersions.Has "policy/v1/PodDisruptionBudget"``
branches resolve as they would there:

* ``.Capabilities.KubeVersion`` is the target (``v1.25.0``);
* ``.Capabilities.APIVersions`` is given every group/version *and* group/version/kind the target
  release serves (``data/served_apis.yaml``).

Engines, in order:

1. the ``helm`` binary on PATH (``helm template --kube-version --api-versions --include-crds``);
2. the ``helm-python-sdk`` package (Helm's own Go engine as a library: ``pip install 'kdeprecate[helm]'``);
3. a static fallback that reads the template text: apiVersions written literally are found,
   computed ones are not, and findings from conditional branches are marked
   ``context["conditional"] = "true"``. It is reported as a warning.

Helm adds ``--api-versions`` to its built-in default set (the group/versions its client library
knows), so a bare group/version check such as ``.Capabilities.APIVersions.Has "policy/v1beta1"``
stays true whatever the target (helm issue 10479); checks by group/version/kind are exact.

Values: the chart's defaults, then each ``--values`` file, then each ``--set``, like helm.
Subcharts, hooks and ``crds/`` are included. A finding's ``template`` is the template path as helm
names it (``shop/templates/pdb.yaml``) and ``context["chart"]`` the chart directory. When the
``apiVersion:`` line of the template file can be located, ``path`` is that file (also in
``context["template_file"]``) and the line is its line (``context["line_in"] = "template"``); else
``path`` is the chart directory and the line is the line in the rendered output of that template
(``line_in = "rendered"``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from pluto_py.core.model import SOURCE_HELM_TEMPLATE, Document, NodePath, Position, ScanError
from pluto_py.core.parse import DocumentError, compose_yaml, parse_yaml_stream, split_documents
from pluto_py.core.userfiles import UserFileError, read_bounded, read_user_text
from pluto_py.core.versions import KubeVersion, VersionError, parse_version
from pluto_py.sources import HELM_ENGINE_ENV, SourceRequest
from pluto_py.sources.files import ChartInput
from pluto_py.sources.helm_checks import HELM_HOOKS, unknown_hooks

ENGINE_BINARY = "helm"
ENGINE_SDK = "helm-python-sdk"
ENGINE_STATIC = "static"
ENGINES = (ENGINE_BINARY, ENGINE_SDK, ENGINE_STATIC)
# Forces one engine (e.g. KDEPRECATE_HELM_ENGINE=static); unset: the first one available.
ENGINE_ENV = HELM_ENGINE_ENV

RELEASE_NAME = "release-name"  # what `helm template` calls the release when none is given
HELM_TIMEOUT_SECONDS = 300
MAX_TEMPLATE_BYTES = 8 * 1024 * 1024
MAX_ERROR_CHARS = 800

_NOTES_SUFFIX = "NOTES.txt"
_API_VERSION_LINE = re.compile(r"^(?P<indent>[ \t]*)apiVersion:[ \t]*(?P<value>[^#\r\n]*?)[ \t]*(?:#.*)?$")


class HelmUnavailableError(RuntimeError):
    """The chosen engine cannot be used here (not installed, cannot load)."""


# --- what the target serves -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CapabilitiesApis:
    """``.Capabilities.APIVersions`` for one release, and how it was chosen."""

    release: KubeVersion  # the release whose data is used
    api_versions: tuple[str, ...]  # group/versions and group/version/kinds, sorted
    note: str | None = None  # set when the data does not cover the target exactly


def served_apis(target: KubeVersion) -> CapabilitiesApis:
    """Group/versions and group/version/kinds that release ``target`` serves.

    Outside the data's range the nearest release it covers is used, and ``note`` says so.
    Raises ValueError when the shipped data is missing or broken.
    """
    from pluto_py.core.served import SERVED_FILE, load_served
    from pluto_py.core.table import TableError

    try:
        served = load_served()
    except TableError as exc:
        raise ValueError(f"shipped {SERVED_FILE} is broken: {exc}") from None
    if served is None:
        raise ValueError(f"shipped {SERVED_FILE} is missing: the installation is broken")
    release, note = served.covered_release(target)
    if note is not None:
        note = note.replace("using the APIs", "rendering with the APIs")
    return CapabilitiesApis(release, served.api_versions_at(release), note)


# --- values ----------------------------------------------------------------------------------


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Helm's merge of values files: maps merge recursively, anything else replaces."""
    for key, value in override.items():
        current = base.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            base[key] = _merge(dict(current), value)
        else:
            base[key] = value
    return base


def load_values_file(path: str) -> dict[str, Any]:
    """One ``--values`` file as a mapping. Raises ValueError with the file's name."""
    try:
        text = read_user_text(path, limit=MAX_TEMPLATE_BYTES)
    except UserFileError as exc:
        raise ValueError(f"--values {exc}") from None
    try:
        data, _ = compose_yaml(text, 1)
    except DocumentError as exc:
        where = f":{exc.line}" if exc.line else ""
        raise ValueError(f"--values {path}{where}: {exc.message}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"--values {path}: must be a mapping of values, not {type(data).__name__}")
    return data


def check_set_expression(expression: str) -> None:
    """A ``--set`` is ``key=value[,key=value...]``. Raises ValueError."""
    if "=" not in expression or expression.startswith("="):
        raise ValueError(f"--set {expression!r}: expected key=value")


# --- rendered output to documents -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rendered:
    """A chart's rendered templates: helm's template name -> rendered text."""

    engine: str
    manifests: Mapping[str, str]
    warnings: tuple[str, ...] = ()


def _relative_to_chart(helm_name: str, chart_dir: Path) -> Path | None:
    """The file behind helm's template name (``shop/charts/redis/templates/x.yaml``), if it exists."""
    parts = PurePosixPath(helm_name).parts
    if len(parts) < 2 or ".." in parts:
        return None
    candidate = chart_dir.joinpath(*parts[1:])
    try:
        if candidate.is_file() and candidate.resolve().is_relative_to(chart_dir.resolve()):
            return candidate
    except OSError:
        return None
    return None


def _api_version_lines(source: str) -> list[tuple[int, int, str]]:
    """(line, column of the value, value as written) of every ``apiVersion:`` key in a template."""
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        match = _API_VERSION_LINE.match(line)
        if match:
            found.append((number, match.start("value") + 1, match.group("value").strip()))
    return found


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def locate_api_version(source: str, api_version: str, occurrence: int,
                       rendered: str | None = None) -> Position | None:
    """The template line that wrote ``apiVersion: <api_version>`` for one rendered object.

    ``occurrence`` is how many earlier objects of the same template rendered the same
    apiVersion. A literal match wins; else the only templated ``apiVersion:`` line; else unknown.
    With the ``rendered`` output of the template, a literal line inside an if/with/range branch whose
    own literal lines the output does not hold (a branch not taken) is never picked.
    """
    lines = _api_version_lines(source)
    literal = [(line, column) for line, column, value in lines if _unquote(value) == api_version]
    if rendered is not None and literal:
        taken = _taken_lines(source, rendered)
        literal = [(line, column) for line, column in literal if line in taken]
        if len(literal) <= occurrence:
            return None  # the line that wrote it cannot be told: the rendered output's line is used
    if literal:
        return literal[min(occurrence, len(literal) - 1)]
    templated = [(line, column) for line, column, value in lines if "{{" in value]
    if len(templated) == 1:
        return templated[0]
    return None


_BRANCH_ACTION = re.compile(r"\{\{-?\s*(?P<word>if|else|with|range|define|block|end)\b[^}]*?-?\}\}", re.DOTALL)


def _taken_lines(source: str, rendered: str) -> set[int]:
    """Lines (1-based) of ``source`` outside any branch, or in branches that each look taken: every line
    written literally in the branch itself (not in branches nested in it) is a line of ``rendered``."""
    present = {line.strip() for line in rendered.splitlines() if line.strip()}
    line_starts = [0, *(match.end() for match in re.finditer("\n", source))]
    source_lines = source.splitlines()

    def line_of(offset: int) -> int:
        import bisect

        return bisect.bisect_right(line_starts, offset)

    segments: list[tuple[int, int, int | None]] = []  # a branch's body: (first line, last line, parent)
    open_segments: list[int] = []
    for match in _BRANCH_ACTION.finditer(source):
        word = match.group("word")
        start_line, end_line = line_of(match.start()), line_of(match.end() - 1)
        if word not in ("else", "end"):  # a block opens: its body starts below the action
            segments.append((end_line + 1, len(source_lines), open_segments[-1] if open_segments else None))
            open_segments.append(len(segments) - 1)
        elif open_segments:  # the open body ends above the action; an else opens its sibling
            current = open_segments.pop()
            first, _last, parent = segments[current]
            segments[current] = (first, start_line - 1, parent)
            if word == "else":
                segments.append((end_line + 1, len(source_lines), parent))
                open_segments.append(len(segments) - 1)
    innermost: dict[int, int] = {}
    for index, (first, last, _parent) in enumerate(segments):  # later (nested) segments overwrite
        for number in range(first, last + 1):
            innermost[number] = index
    own_lines: dict[int, list[str]] = {}
    for number, index in innermost.items():
        text = source_lines[number - 1].strip() if number - 1 < len(source_lines) else ""
        if text and "{{" not in text and "}}" not in text and not text.startswith(("#", "---")):
            own_lines.setdefault(index, []).append(text)

    def taken(index: int | None) -> bool:
        while index is not None:
            if not all(line in present for line in own_lines.get(index, [])):
                return False
            index = segments[index][2]
        return True

    return {number for number in range(1, len(source_lines) + 1) if taken(innermost.get(number))}


def documents_from_rendered(chart: ChartInput, rendered: Rendered, *,
                            extra_context: Mapping[str, str] | None = None) -> Iterator[Document | ScanError]:
    """Documents of each rendered template, pointed back at the template files."""
    base_context = {"chart": chart.display, "engine": rendered.engine, **(extra_context or {})}
    index = 0
    for name in sorted(rendered.manifests):
        text = rendered.manifests[name]
        base = PurePosixPath(name).name
        if base.startswith("_") or base.endswith(_NOTES_SUFFIX) or not text.strip():
            continue
        template_file = _relative_to_chart(name, chart.path)
        source_text: str | None = None
        if template_file is not None:
            try:
                source_text = _read_chart_text(template_file)
            except (OSError, ValueError):
                source_text = None
        seen: dict[str, int] = {}
        for item in parse_yaml_stream(text, chart.display, SOURCE_HELM_TEMPLATE):
            if isinstance(item, ScanError):
                yield ScanError(chart.display, None, f"{name}: rendered output is not valid YAML: "
                                f"{item.message} (line {item.line} of the rendered template)")
                continue
            if item.data is None or unknown_hooks(item.data):
                continue  # Helm 3/4 skip objects of hooks they do not know (Helm 2's crd-install)
            context = dict(base_context)
            positions = dict(item.positions)
            api_version = item.data.get("apiVersion") if isinstance(item.data, dict) else None
            located: Position | None = None
            if source_text is not None and isinstance(api_version, str):
                occurrence = seen.get(api_version, 0)
                seen[api_version] = occurrence + 1
                located = locate_api_version(source_text, api_version, occurrence, text)
            path = chart.display
            if located is not None and template_file is not None:
                positions[("apiVersion",)] = located
                # Editors and code scanning jump to path:line: the template file, when the line is its own.
                path = context["template_file"] = _display_join(chart.display, template_file.relative_to(chart.path))
                context["line_in"] = "template"
            else:
                context["line_in"] = "rendered"
            # How the output was read (a key given twice), said of the chart: the output is no file.
            notices = tuple(replace(notice, path=chart.display, line=None, column=None,
                                    message=f"{name}: {notice.message} (line {notice.line} of the rendered template)")
                            for notice in item.notices)
            yield Document(path=path, index=index, line=located[0] if located else item.line,
                           data=item.data, positions=positions, source=SOURCE_HELM_TEMPLATE, template=name,
                           context=context, notices=notices)
            index += 1


def _display_join(display: str, relative: Path) -> str:
    return relative.as_posix() if display in ("", ".") else f"{display.rstrip('/')}/{relative.as_posix()}"


# --- engines -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RenderRequest:
    chart: Path
    kube_version: str  # "v1.25.0"
    api_versions: tuple[str, ...]
    values_files: tuple[str, ...] = ()
    set_values: tuple[str, ...] = ()
    release_name: str = RELEASE_NAME
    namespace: str = "default"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 3] + "..."


def render_with_binary(request: RenderRequest, helm: str) -> Rendered:
    """``helm template`` for the target. Raises RuntimeError with helm's message."""
    command = [helm, "template", request.release_name, str(request.chart), "--namespace", request.namespace,
               "--kube-version", request.kube_version, "--include-crds"]
    if request.api_versions:
        command += ["--api-versions", ",".join(request.api_versions)]
    for values_file in request.values_files:
        command += ["--values", values_file]
    for expression in request.set_values:
        command += ["--set", expression]
    try:
        completed = subprocess.run(command, capture_output=True, timeout=HELM_TIMEOUT_SECONDS, check=False,
                                   stdin=subprocess.DEVNULL, env={**os.environ, "HELM_NO_PLUGINS": "1"})
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"helm template did not finish within {HELM_TIMEOUT_SECONDS} s") from None
    except OSError as exc:
        raise HelmUnavailableError(f"cannot run {helm}: {exc.strerror or exc}") from None
    stderr = completed.stderr.decode("utf-8", "replace")
    if completed.returncode != 0:
        raise RuntimeError(f"helm template failed: {_short(stderr) or f'exit code {completed.returncode}'}")
    return Rendered(ENGINE_BINARY, split_helm_output(completed.stdout.decode("utf-8", "replace")))


def split_helm_output(text: str) -> dict[str, str]:
    """``helm template`` output -> template name -> its documents (in order, joined by ``---``)."""
    manifests: dict[str, list[str]] = {}
    for raw in split_documents(text):
        if raw.template is None:
            continue
        body = raw.text
        manifests.setdefault(raw.template, []).append(body)
    return {name: "\n---\n".join(_strip_start(body) for body in bodies) for name, bodies in manifests.items()}


def _strip_start(body: str) -> str:
    lines = body.splitlines(keepends=True)
    while lines and (lines[0].startswith("---") or lines[0].lstrip().startswith("# Source:")):
        lines.pop(0)
    return "".join(lines)


def _sdk_values(request: RenderRequest) -> dict[str, Any]:
    import helm_python

    values: dict[str, Any] = {}
    for values_file in request.values_files:
        values = _merge(values, load_values_file(values_file))
    for expression in request.set_values:
        check_set_expression(expression)
        try:
            values = _merge(values, helm_python.parse_set_string(expression))
        except helm_python.HelmError as exc:
            raise ValueError(f"--set {expression!r}: {_short(str(exc))}") from None
    return values


def render_with_sdk(request: RenderRequest) -> Rendered:
    """Helm's Go engine through helm-python-sdk. Raises HelmUnavailableError / RuntimeError / ValueError."""
    try:
        import helm_python
        from helm_python import _native
    except Exception as exc:  # ImportError, or the native library failing to load
        raise HelmUnavailableError(f"helm-python-sdk cannot be used: {_short(str(exc))}") from None
    values = _sdk_values(request)
    options = {"name": request.release_name, "namespace": request.namespace, "is_install": True,
               "kube_version": request.kube_version, "api_versions": list(request.api_versions)}
    try:
        with helm_python.Chart.load(request.chart) as chart:
            manifests: dict[str, str] = json.loads(_native.call_string(
                "helm_render", chart._raw(), json.dumps(values), json.dumps(options)))
            for crd in chart.crds:
                manifests[str(crd.get("filename") or crd.get("name"))] = str(crd.get("data", ""))
    except helm_python.HelmError as exc:
        raise RuntimeError(f"helm rendering failed: {_short(exc.detail or str(exc))}") from None
    return Rendered(ENGINE_SDK, manifests)


# The static fallback ----------------------------------------------------------------------------

_ACTION = re.compile(r"\{\{-?\s*(?:/\*.*?\*/\s*-?\}\}|(?P<word>if|else|with|range|define|block|end)\b[^}]*-?\}\})",
                     re.DOTALL)
_TOP_KEY = re.compile(r"^(?P<key>apiVersion|kind):[ \t]*(?P<value>[^#\r\n]*?)[ \t]*(?:#.*)?$")
_NAME = re.compile(r"^[ \t]+name:[ \t]*(?P<value>[^#\r\n]*?)[ \t]*(?:#.*)?$")
_DOC_SEPARATOR = re.compile(r"^---(?:[ \t]|$)")
_HOOK_LINE = re.compile(r"^[ \t]+[\"']?helm\.sh/hook[\"']?:[ \t]*(?P<value>[^#\r\n]*?)[ \t]*(?:#.*)?$")


def _conditional_offsets(text: str) -> list[tuple[int, int]]:
    """(offset, depth of if/with/range/define blocks) after each template action."""
    marks: list[tuple[int, int]] = []
    depth = 0
    for match in _ACTION.finditer(text):
        word = match.group("word")
        if word in ("if", "with", "range", "define", "block"):
            depth += 1
        elif word == "end":
            depth = max(0, depth - 1)
        marks.append((match.end(), depth))
    return marks


def _depth_at(marks: list[tuple[int, int]], offset: int) -> int:
    depth = 0
    for end, after in marks:
        if end > offset:
            break
        depth = after
    return depth


def static_documents(display: str, helm_name: str, text: str, context: Mapping[str, str]) -> Iterator[Document]:
    """Objects whose apiVersion and kind a template writes literally, one per ``apiVersion:`` line."""
    marks = _conditional_offsets(text)
    offset = 0
    lines = text.splitlines(keepends=True)
    chunk_index = 0
    pending: list[tuple[int, int, int, str]] = []  # (line, column, offset, apiVersion)
    kind: str | None = None
    name: str | None = None
    in_metadata = False
    unknown_hook = False  # a literal helm.sh/hook naming a hook Helm 3/4 skip (crd-install)

    def flush() -> Iterator[Document]:
        if unknown_hook:
            return
        for line, column, at, api_version in pending:
            document_context = dict(context)
            if _depth_at(marks, at) > 0:
                document_context["conditional"] = "true"
            data: dict[str, Any] = {"apiVersion": api_version, "kind": kind}
            if name is not None:
                data["metadata"] = {"name": name}
            positions: dict[NodePath, Position] = {("apiVersion",): (line, column), (): (line, 1)}
            yield Document(path=display, index=chunk_index, line=line, data=data, positions=positions,
                           source=SOURCE_HELM_TEMPLATE, template=helm_name, context=document_context)

    for number, line in enumerate(lines, start=1):
        if _DOC_SEPARATOR.match(line):
            if kind is not None:
                yield from flush()
            pending, kind, name, in_metadata, unknown_hook = [], None, None, False, False
            chunk_index += 1
        else:
            stripped = line.rstrip("\r\n")
            hook = _HOOK_LINE.match(stripped)
            if hook and "{{" not in hook.group("value"):
                hooks = [h.strip().lower() for h in _unquote(hook.group("value")).split(",")]
                unknown_hook = unknown_hook or any(h not in HELM_HOOKS for h in hooks)
            top = _TOP_KEY.match(stripped)
            if top:
                value = _unquote(top.group("value"))
                literal = bool(value) and "{{" not in value
                if top.group("key") == "apiVersion" and literal:
                    pending.append((number, top.start("value") + 1, offset, value))
                elif top.group("key") == "kind" and literal:
                    kind = value
            elif stripped.startswith("metadata:"):
                in_metadata = True
            elif in_metadata and name is None:
                match = _NAME.match(stripped)
                if match and match.group("value") and "{{" not in match.group("value"):
                    name = _unquote(match.group("value"))
            if stripped and not stripped[0].isspace() and not stripped.startswith(("metadata:", "{{", "#")):
                in_metadata = False
        offset += len(line)
    if kind is not None:
        yield from flush()


def _read_chart_text(path: Path) -> str:
    """A chart file's text, bounded (core/userfiles): OSError, or ValueError (too large, not UTF-8)."""
    raw = read_bounded(path, MAX_TEMPLATE_BYTES)
    if len(raw) > MAX_TEMPLATE_BYTES:
        raise ValueError(f"larger than {MAX_TEMPLATE_BYTES // (1024 * 1024)} MiB")
    return raw.decode("utf-8")


def _conditional_subcharts(chart_dir: Path) -> set[str]:
    """Names of the dependencies that Chart.yaml enables by a ``condition`` or ``tags``."""
    try:
        data, _ = compose_yaml(_read_chart_text(chart_dir / "Chart.yaml"), 1)
    except (OSError, ValueError):
        return set()
    dependencies = data.get("dependencies") if isinstance(data, dict) else None
    names = set()
    for dependency in dependencies if isinstance(dependencies, list) else []:
        if isinstance(dependency, dict) and (dependency.get("condition") or dependency.get("tags")):
            names.add(str(dependency.get("alias") or dependency.get("name")))
    return names


def _chart_files(chart_dir: Path, helm_prefix: str,
                 conditional: bool = False) -> Iterator[tuple[str, str, bool, bool] | ScanError]:
    """(helm name, text, is_crd, conditional) of every template and CRD file of a chart and its subcharts."""
    for sub, is_crd in (("templates", False), ("crds", True)):
        root = chart_dir / sub
        if not root.is_dir():
            continue
        unreadable: list[OSError] = []
        found = [Path(directory, name) for directory, _dirs, names in os.walk(root, onerror=unreadable.append)
                 for name in names]
        for exc in unreadable:
            yield ScanError(str(exc.filename or root), None, f"cannot list directory: {exc.strerror or exc}")
        for file in sorted(p for p in found if p.is_file()):
            relative = file.relative_to(chart_dir).as_posix()
            if file.name.startswith("_") or file.name.endswith(_NOTES_SUFFIX):
                continue
            try:
                if file.stat().st_size > MAX_TEMPLATE_BYTES:
                    yield ScanError(str(file), None, "template larger than 8 MiB; not scanned")
                    continue
                yield f"{helm_prefix}/{relative}", file.read_text(encoding="utf-8"), is_crd, conditional
            except (OSError, UnicodeDecodeError) as exc:
                yield ScanError(str(file), None, f"cannot read template: {exc}")
    charts = chart_dir / "charts"
    if charts.is_dir():
        optional = _conditional_subcharts(chart_dir)
        try:
            sub_charts = sorted(charts.iterdir())
        except OSError as exc:
            yield ScanError(str(charts), None, f"cannot list directory: {exc.strerror or exc}")
            sub_charts = []
        for sub_chart in sub_charts:
            if sub_chart.is_dir() and (sub_chart / "Chart.yaml").is_file():
                name = chart_name(sub_chart)
                yield from _chart_files(sub_chart, f"{helm_prefix}/charts/{sub_chart.name}",
                                        conditional or name in optional)
            elif sub_chart.is_file() and sub_chart.name.endswith((".tgz", ".tar.gz")):
                yield from _archive_files(sub_chart, f"{helm_prefix}/charts", conditional or bool(optional))


def _archive_files(archive: Path, helm_prefix: str,
                   conditional: bool) -> Iterator[tuple[str, str, bool, bool] | ScanError]:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar.getmembers():
                parts = PurePosixPath(member.name).parts
                if (not member.isfile() or member.size > MAX_TEMPLATE_BYTES or len(parts) < 3
                        or ".." in parts or parts[1] not in ("templates", "crds")):
                    continue
                base = parts[-1]
                if base.startswith("_") or base.endswith(_NOTES_SUFFIX):
                    continue
                handle = tar.extractfile(member)
                if handle is None:
                    continue
                text = handle.read(MAX_TEMPLATE_BYTES).decode("utf-8", "replace")
                yield f"{helm_prefix}/{'/'.join(parts)}", text, parts[1] == "crds", conditional
    except (OSError, tarfile.TarError, EOFError) as exc:
        yield ScanError(str(archive), None, f"cannot read subchart archive: {exc}")


def chart_name(chart_dir: Path) -> str:
    try:
        data, _ = compose_yaml(_read_chart_text(chart_dir / "Chart.yaml"), 1)
    except (OSError, ValueError):
        return chart_dir.name
    name = data.get("name") if isinstance(data, dict) else None
    return str(name) if isinstance(name, str) and name else chart_dir.name


def static_chart_documents(chart: ChartInput) -> Iterator[Document | ScanError]:
    """The static fallback: literal apiVersions of the templates, conditional ones marked."""
    context = {"chart": chart.display, "engine": ENGINE_STATIC}
    index = 0
    for item in _chart_files(chart.path, chart_name(chart.path)):
        if isinstance(item, ScanError):
            yield item
            continue
        helm_name, text, is_crd, conditional = item
        template_file = _relative_to_chart(helm_name, chart.path)
        file_context = dict(context)
        if conditional:
            file_context["conditional"] = "true"  # a subchart enabled by a condition or tags
        path = chart.display  # a template inside a subchart archive has no file of its own
        if template_file is not None:
            path = file_context["template_file"] = _display_join(chart.display,
                                                                 template_file.relative_to(chart.path))
        file_context["line_in"] = "template"
        if is_crd:
            # CRD files are plain YAML, never templated.
            for document in parse_yaml_stream(text, path, SOURCE_HELM_TEMPLATE):
                if isinstance(document, ScanError):
                    yield ScanError(chart.display, document.line, f"{helm_name}: {document.message}")
                    continue
                yield replace(document, index=index, template=helm_name, context=file_context)
                index += 1
            continue
        for document in static_documents(path, helm_name, text, file_context):
            yield replace(document, index=index)
            index += 1


# --- the chart handler ---------------------------------------------------------------------------


def _available_engines(forced: str | None) -> list[str]:
    if forced:
        return [forced]
    return list(ENGINES)


@dataclass
class ChartRenderer:
    """The chart handler for ``iter_documents``: renders each chart for the target.

    Engines are tried in order; ``warnings`` collects what a user must know but that does not
    make the scan incomplete (the static fallback was used, served-API data was clamped, ...).
    """

    engine: str | None = None  # force one engine; default: $KDEPRECATE_HELM_ENGINE, else the first available
    helm_binary: str | None = None  # default: `helm` on PATH
    warnings: list[str] = field(default_factory=list)
    engines_used: dict[str, str] = field(default_factory=dict)  # chart display -> engine

    def __post_init__(self) -> None:
        forced = self.engine or os.environ.get(ENGINE_ENV) or None
        if forced is not None and forced not in ENGINES:
            raise ValueError(f"unknown helm engine {forced!r} (choose from {', '.join(ENGINES)})")
        self.engine = forced

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def __call__(self, chart: ChartInput, options: SourceRequest) -> Iterable[Document | ScanError]:
        value_sets = chart_value_sets(chart, options)
        if value_sets == [()]:
            return list(self._render(chart, options))
        # One render per values set (a chart's values-prod.yaml, the configuration's `charts:`); an
        # object rendered the same way by an earlier set is not reported again.
        produced: list[Document | ScanError] = []
        seen: set[tuple[str | None, str]] = set()
        for value_set in value_sets:
            shown = ", ".join(value_set)
            for item in self._render(chart, options.replace(helm_values=(*value_set, *options.helm_values))):
                if isinstance(item, ScanError):
                    if item not in produced:
                        produced.append(item)
                    continue
                key = (item.template, json.dumps(item.data, sort_keys=True, default=str))
                if key in seen:
                    continue
                seen.add(key)
                context = {**item.context, "values": shown} if shown else item.context
                produced.append(replace(item, index=len(seen) - 1, context=context))
        return produced

    def _request(self, chart: ChartInput, options: SourceRequest) -> RenderRequest | ScanError:
        if options.target is None:
            return ScanError(chart.display, None, "a chart is rendered for a target version; none was given")
        try:
            target = parse_version(options.target)
            served = served_apis(target)
        except (VersionError, ValueError) as exc:
            return ScanError(chart.display, None, str(exc))
        if served.note:
            self._warn(f"{chart.display}: {served.note}")
        return RenderRequest(chart=chart.path, kube_version=f"v{target.major}.{target.minor}.0",
                             api_versions=served.api_versions, values_files=options.helm_values,
                             set_values=options.helm_set)

    def _render(self, chart: ChartInput, options: SourceRequest) -> Iterator[Document | ScanError]:
        request = self._request(chart, options)
        if isinstance(request, ScanError):
            yield request
            return
        from pluto_py.sources.helm_checks import chart_refusals

        refusals = chart_refusals(chart.path, request.kube_version)
        if refusals:  # Helm refuses to render the chart at the target: so does the scan (exit 2)
            for refusal in refusals:
                yield ScanError(chart.display, None, refusal)
            return
        unavailable: list[str] = []
        for engine in _available_engines(self.engine):
            try:
                if engine == ENGINE_BINARY:
                    helm = self.helm_binary or shutil.which("helm")
                    if helm is None:
                        raise HelmUnavailableError("no `helm` on PATH")
                    rendered = render_with_binary(request, helm)
                elif engine == ENGINE_SDK:
                    rendered = render_with_sdk(request)
                else:
                    yield from self._static(chart, options, unavailable)
                    return
            except HelmUnavailableError as exc:
                unavailable.append(f"{engine}: {exc}")
                continue
            except (RuntimeError, ValueError) as exc:
                yield ScanError(chart.display, None, str(exc))
                return
            self.engines_used[chart.display] = engine
            yield from documents_from_rendered(chart, rendered)
            return
        yield ScanError(chart.display, None, "cannot render the chart: " + "; ".join(unavailable))

    def _static(self, chart: ChartInput, options: SourceRequest, unavailable: list[str]) -> Iterator[
            Document | ScanError]:
        for values_file in options.helm_values:
            try:
                load_values_file(values_file)  # still report a broken values file
            except ValueError as exc:
                yield ScanError(chart.display, None, str(exc))
                return
        why = f" ({'; '.join(unavailable)})" if unavailable else ""
        self._warn(f"{chart.display}: rendered statically, without a Helm engine{why}: apiVersions computed by "
                   "templates are not seen, --values/--set are not applied, and findings marked conditional may "
                   "not be rendered at the target")
        self._warn(static_render_hint())  # once per run, however many charts
        self.engines_used[chart.display] = ENGINE_STATIC
        yield from static_chart_documents(chart)


# Where the paths source keeps a request's values sets per chart: SourceRequest.settings["paths"]["charts"],
# {resolved chart directory: ((values file, ...), ...)}; each set is one render, () the chart's defaults.
CHART_VALUES_SETTING = "charts"


def chart_value_sets(chart: ChartInput, options: SourceRequest) -> list[tuple[str, ...]]:
    """The values sets ``chart`` is rendered with: those the request names for it, else its defaults."""
    own = options.settings.get("paths", {})
    sets = own.get(CHART_VALUES_SETTING, {}) if isinstance(own, Mapping) else {}
    try:
        key = str(chart.path.resolve())
    except OSError:
        return [()]
    found = sets.get(key) if isinstance(sets, Mapping) else None
    return [tuple(value_set) for value_set in found] if found else [()]
# Where helm-python-sdk publishes wheels (sys.platform, platform.machine()): the same platforms as the
# environment markers of its dependency in pyproject.toml.
HELM_SDK_WHEEL_PLATFORMS = frozenset({("linux", "x86_64"), ("linux", "aarch64"), ("darwin", "arm64"),
                                      ("win32", "AMD64")})


def static_render_hint() -> str:
    """What to install to render charts with Helm's own engine, on this platform."""
    import platform
    import sys

    if (sys.platform, platform.machine()) in HELM_SDK_WHEEL_PLATFORMS and platform.libc_ver()[0] != "":
        return ("to render charts with Helm's own engine, put the helm binary on PATH or install Helm's engine "
                "for Python: python3 -m pip install 'kdeprecate[helm]'")
    return (f"to render charts with Helm's own engine, put the helm binary on PATH (helm-python-sdk publishes no "
            f"wheel for {sys.platform}/{platform.machine()})")


def chart_handler(renderer: ChartRenderer | None = None) -> ChartRenderer:
    """A renderer to pass as ``iter_documents(..., chart_handler=...)``."""
    return renderer or ChartRenderer()


__all__: Sequence[str] = (
    "ENGINES",
    "CapabilitiesApis",
    "ChartRenderer",
    "RenderRequest",
    "Rendered",
    "chart_handler",
    "documents_from_rendered",
    "load_values_file",
    "locate_api_version",
    "render_with_binary",
    "render_with_sdk",
    "served_apis",
    "split_helm_output",
    "static_chart_documents",
)
