"""The pre-commit hooks, run by the real `pre-commit` against a snapshot of this project.

The project's files (tracked and untracked, minus what .gitignore ignores) are committed to a
temporary repository; a user repository points at it with `repo:` + `rev:`, so pre-commit builds
the hook environment from the project the way it would from GitHub (only PyPI is reached, for the
build backend and dependencies). One environment serves every run: same repo, same rev.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO_ROOT

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]

REMOVED_INGRESS = """\
apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: web
spec:
  rules: []
"""
CURRENT_SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports: [{port: 80}]
"""
CHART_TEMPLATE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-app
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      containers:
        - name: app
          image: "nginx:{{ .Chart.AppVersion }}"
"""
CERT = """\
apiVersion: cert-manager.io/v1alpha2
kind: Certificate
metadata:
  name: web
spec:
  secretName: web-tls
"""

pytestmark = [pytest.mark.slow, pytest.mark.registry]


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com"}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def snapshot_project(destination: Path) -> str:
    """Commit the working tree of this project (as it is now) into ``destination``; return the sha."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO_ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO_ROOT / name
        if not source.is_file():
            continue  # deleted in the working tree
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    git(destination, "init", "-q")
    git(destination, "add", "-A")
    git(destination, "commit", "-q", "-m", "snapshot")
    return git(destination, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def user_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    base = tmp_path_factory.mktemp("precommit")
    project = base / "kdeprecate"
    project.mkdir()
    sha = snapshot_project(project)
    repo = base / "user"
    repo.mkdir()
    git(repo, "init", "-q")
    config = {"repos": [{"repo": str(project), "rev": sha, "hooks": [
        {"id": "kdeprecate", "args": ["--target", "1.22"], "exclude": "^(cert|charts/prod)/"},
        {"id": "kdeprecate", "alias": "kdeprecate-cert-manager", "files": "^cert/",
         "args": ["--target", "1.22", "--target", "cert-manager=1.6"]},
        # As the README suggests: Helm's engine in the hook environment, so values files take effect.
        {"id": "kdeprecate", "alias": "kdeprecate-helm", "files": "^charts/prod/", "args": ["--target", "1.22"],
         "additional_dependencies": ["helm-python-sdk"]},
        {"id": "kdeprecate-fix", "args": ["--target", "1.22"], "stages": ["manual"]},
    ]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    (repo / "k8s").mkdir()
    (repo / "k8s" / "service.yaml").write_text(CURRENT_SERVICE)
    chart = repo / "charts" / "app"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: app\nversion: 0.1.0\nappVersion: \"1.27\"\n")
    (chart / "values.yaml").write_text("replicas: 2\n")
    (chart / "templates" / "deployment.yaml").write_text(CHART_TEMPLATE)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "clean")
    return repo


def pre_commit(repo: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"), "NO_COLOR": "1",
           "PRE_COMMIT_COLOR": "never"}
    env.pop("GITHUB_ACTIONS", None)
    env.pop("KDEPRECATE_CONFIG", None)
    env.pop("KDEPRECATE_HELM_ENGINE", None)
    return subprocess.run([*PRE_COMMIT, *args], cwd=cwd or repo, env=env, capture_output=True, text=True,
                          timeout=900, check=False)


def test_hooks_file_is_valid_for_pre_commit() -> None:
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(REPO_ROOT / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"kdeprecate", "kdeprecate-fix"}
    assert hooks["kdeprecate"]["entry"] == "kdeprecate scan"
    assert hooks["kdeprecate-fix"]["entry"] == "kdeprecate fix"
    for hook in hooks.values():
        assert hook["language"] == "python"
    # The scan hook also sees a chart's helpers (.tpl): they change what the chart renders.
    assert hooks["kdeprecate"]["types"] == ["file"]
    assert re.search(hooks["kdeprecate"]["files"], "charts/app/templates/_helpers.tpl")
    assert re.search(hooks["kdeprecate"]["files"], "k8s/a.yml") and re.search(hooks["kdeprecate"]["files"], "x.json")
    assert not re.search(hooks["kdeprecate"]["files"], "README.md")
    assert hooks["kdeprecate-fix"]["types_or"] == ["yaml", "json"]
    # Chart.lock changes what a chart renders too; and one process sees all the files, so a chart whose
    # files pre-commit would split into parallel batches is rendered and reported once.
    assert re.search(hooks["kdeprecate"]["files"], "charts/app/Chart.lock")
    assert not re.search(hooks["kdeprecate"]["files"], "charts/app/MyChart.lock")
    assert hooks["kdeprecate"]["require_serial"] is True


def test_a_values_change_renders_the_chart(user_repo: Path) -> None:
    """A change to a chart's values file or helpers reaches the hook and renders the chart, though
    neither is a manifest. (Which engine renders depends on the hook environment: without the
    `helm` extra it is the static reading, which reports the branch as conditional.)"""
    chart = user_repo / "charts" / "web"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("ingress: true\n")
    (chart / "templates" / "ingress.yaml").write_text(
        "{{- if .Values.ingress }}\napiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n"
        "  name: web\nspec:\n  backend: {serviceName: web, servicePort: 80}\n{{- end }}\n")
    (chart / "templates" / "_helpers.tpl").write_text('{{- define "web.name" -}}web{{- end -}}\n')
    git(user_repo, "add", "-A")
    try:
        for changed in ("charts/web/values.yaml", "charts/web/templates/_helpers.tpl"):
            result = pre_commit(user_repo, "run", "--files", changed, "kdeprecate")
            out = result.stdout + result.stderr
            assert result.returncode == 1, out
            assert "Ingress/web extensions/v1beta1: removed in 1.22" in out
            assert f"{changed}: note: part of a Helm chart: scanned by rendering its chart charts/web" in out
    finally:
        shutil.rmtree(chart)
        git(user_repo, "add", "-A")


def test_clean_repository_passes_with_chart_templates(user_repo: Path) -> None:
    # The chart's template is a Go template: passed alone it must be rendered through its chart,
    # not reported as broken YAML.
    result = pre_commit(user_repo, "run", "--all-files", "--verbose", "kdeprecate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout
    assert "not valid YAML" not in result.stdout and "0 errors" in result.stdout
    assert "scanned by rendering its chart charts/app" in result.stdout


def test_removed_api_fails_naming_file_and_line_then_fix_makes_it_pass(user_repo: Path) -> None:
    manifest = user_repo / "k8s" / "ingress.yaml"
    manifest.write_text(REMOVED_INGRESS)
    git(user_repo, "add", "-A")

    failed = pre_commit(user_repo, "run", "--files", "k8s/ingress.yaml", "k8s/service.yaml", "kdeprecate")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "k8s/ingress.yaml:1:13: removed: Ingress/web extensions/v1beta1: removed in 1.22" in failed.stdout
    assert "service.yaml" not in failed.stdout.replace("2 files", "")

    fixed = pre_commit(user_repo, "run", "--hook-stage", "manual", "--files", "k8s/ingress.yaml", "kdeprecate-fix")
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr  # a fixer that changed files fails, as is usual
    assert "ingress.yaml" in fixed.stdout
    assert manifest.read_text().startswith("apiVersion: networking.k8s.io/v1\n")
    git(user_repo, "add", "-A")

    passed = pre_commit(user_repo, "run", "--files", "k8s/ingress.yaml", "kdeprecate")
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_addon_table_ships_in_the_hook_environment(user_repo: Path) -> None:
    (user_repo / "cert").mkdir(exist_ok=True)
    (user_repo / "cert" / "certificate.yaml").write_text(CERT)
    git(user_repo, "add", "-A")
    result = pre_commit(user_repo, "run", "--files", "cert/certificate.yaml", "kdeprecate-cert-manager")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "cert/certificate.yaml:1:13: removed: Certificate/web cert-manager.io/v1alpha2: removed in " \
           "cert-manager 1.6" in result.stdout


NOT_MANIFESTS = {
    "tsconfig.json": '{\n  // compiler settings\n  "compilerOptions": {"strict": true,},\n}\n',
    ".vscode/settings.json": '{\n  /* editor */\n  "editor.formatOnSave": true,\n}\n',
    ".devcontainer.json": '{\n  "name": "dev", // the image\n  "image": "python:3.12"\n}\n',
    "ansible/site.yml": "- hosts: web\n  tasks:\n{% for port in ports %}\n    - name: open {{ port }}\n"
                        "      command: ufw allow {{ port }}\n{% endfor %}\n",
    "helmfile.yaml": "releases:\n  - name: web\n    values: [{{ .Environment.Name }}.yaml]\n",
    "lib/_helpers.tpl": '{{- define "lib.name" -}}\n{{ .Chart.Name }}\n{{- end -}}\n',
    # A Go-templated manifest outside a chart: read statically (a current API: nothing to report).
    "deploy/web.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Name }}\nspec:\n"
                       "  replicas: {{ .Replicas }}\n",
}


def test_files_that_are_no_manifests_never_fail_the_hook(user_repo: Path) -> None:
    for name, text in NOT_MANIFESTS.items():
        (user_repo / name).parent.mkdir(parents=True, exist_ok=True)
        (user_repo / name).write_text(text)
    (user_repo / "k8s" / "broken.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata: [unclosed\n")
    git(user_repo, "add", "-A")
    try:
        passed = pre_commit(user_repo, "run", "--verbose", "kdeprecate", "--files", *NOT_MANIFESTS)
        out = passed.stdout + passed.stderr
        assert passed.returncode == 0, out
        for name in NOT_MANIFESTS:
            if name != "deploy/web.yaml":
                assert f"{name}:" in out and "[not-a-manifest]" in out, name
        assert "deploy/web.yaml: note: a template (Go or Jinja syntax)" in out and "[manifest-template]" in out
        assert "0 errors" in out
        # A file that looks like a manifest and does not parse still fails the hook.
        failed = pre_commit(user_repo, "run", "kdeprecate", "--files", "k8s/broken.yaml", "tsconfig.json")
        assert failed.returncode == 1, failed.stdout  # pre-commit's own code for any failing hook
        assert "exit code: 2" in failed.stdout and "k8s/broken.yaml:3:" in failed.stdout
    finally:
        for name in [*NOT_MANIFESTS, "k8s/broken.yaml"]:
            (user_repo / name).unlink()
        git(user_repo, "add", "-A")


def test_a_charts_values_prod_renders_it_with_helm_from_a_subdirectory(user_repo: Path) -> None:
    """values-prod.yaml handed alone renders the chart with it (Helm's engine in the hook environment),
    so a branch only prod enables is reported; run from a subdirectory of the repository."""
    chart = user_repo / "charts" / "prod"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: prod\nversion: 0.1.0\n")
    (chart / "Chart.lock").write_text("dependencies: []\ndigest: sha256:0\ngenerated: \"2024-01-01T00:00:00Z\"\n")
    (chart / "values.yaml").write_text("ingress: false\n")
    (chart / "values-prod.yaml").write_text("ingress: true\n")
    (chart / "templates" / "ingress.yaml").write_text(
        "{{- if .Values.ingress }}\napiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: web\n"
        "spec:\n  backend: {serviceName: web, servicePort: 80}\n{{- end }}\n")
    git(user_repo, "add", "-A")
    try:
        inside = user_repo / "charts"
        prod = pre_commit(user_repo, "run", "kdeprecate-helm", "--files", "prod/values-prod.yaml", cwd=inside)
        out = prod.stdout + prod.stderr
        assert prod.returncode == 1, out
        assert ("charts/prod/templates/ingress.yaml:2:13 [with charts/prod/values-prod.yaml]: removed: "
                "Ingress/web extensions/v1beta1: removed in 1.22") in out
        assert "values-prod.yaml: note: a values file of the Helm chart charts/prod" in out
        assert "rendered statically" not in out  # Helm's engine rendered it
        for defaults in ("prod/values.yaml", "prod/Chart.lock"):  # the default values enable no Ingress
            passed = pre_commit(user_repo, "run", "--verbose", "kdeprecate-helm", "--files", defaults, cwd=inside)
            assert passed.returncode == 0, passed.stdout + passed.stderr
            assert "scanned by rendering its chart charts/prod" in passed.stdout
    finally:
        shutil.rmtree(chart)
        git(user_repo, "add", "-A")
