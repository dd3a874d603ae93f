"""`helm template` output, from files and stdin: every `# Source:` section is a helm-template document."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pluto_py.core.model import Document
from pluto_py.core.parse import parse_text
from tests.conftest import FIXTURES, REPO_ROOT, CliResult

Cli = Callable[..., CliResult]
OUTPUT = "fixtures/helm/shop-1.18.yaml"

# (line, kind, name, status, template) of the 1.18 rendering judged at 1.25
AT_1_25 = [
    (5, "CustomResourceDefinition", "widgets.shop.example.com", "removed", "shop/crds/widgets.yaml"),
    (19, "PodDisruptionBudget", "release-name-redis", "removed", "shop/charts/redis/templates/pdb.yaml"),
    (30, "PodDisruptionBudget", "release-name-shop", "removed", "shop/templates/pdb.yaml"),
    (106, "HorizontalPodAutoscaler", "release-name-shop", "deprecated", "shop/templates/hpa.yaml"),
    (130, "CronJob", "release-name-shop-reports", "removed", "shop/templates/cronjob.yaml"),
    (151, "Ingress", "release-name-shop", "removed", "shop/templates/ingress.yaml"),
    (170, "PodSecurityPolicy", "release-name-shop-migrate", "removed", "shop/templates/hooks/migrate.yaml"),
]


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)


def rows(result: CliResult) -> list[tuple[int, str, str, str, str]]:
    return [(f["line"], f["kind"], f["name"], f["status"], f["template"]) for f in result.json()["findings"]]


def test_helm_template_output_file(cli: Cli) -> None:
    result = cli("scan", OUTPUT, "--target", "1.25", "-o", "json")
    assert result.code == 1 and result.stderr == ""
    assert rows(result) == AT_1_25
    assert {f["source"] for f in result.json()["findings"]} == {"helm-template"}
    assert [f["document"] for f in result.json()["findings"]] == [0, 1, 2, 6, 7, 8, 9]
    lines = (FIXTURES / "helm/shop-1.18.yaml").read_text().splitlines()
    assert all(lines[row[0] - 1].startswith("apiVersion: ") for row in AT_1_25)


def test_helm_template_output_on_stdin(cli: Cli) -> None:
    result = cli("scan", "-", "--target", "1.25", "-o", "json", stdin=(FIXTURES / "helm/shop-1.18.yaml").read_bytes())
    assert result.code == 1
    assert rows(result) == AT_1_25
    assert {(f["path"], f["source"]) for f in result.json()["findings"]} == {("-", "helm-template")}


@pytest.mark.parametrize("text", [
    # helm 3: '---' then the comment
    "---\n# Source: c/templates/a.yaml\napiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: a\n",
    # the first document without '---' (helm 2, --show-only)
    "# Source: c/templates/a.yaml\napiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: a\n",
    # CRLF line ends, blank line before the comment
    "---\r\n\r\n# Source: c/templates/a.yaml\r\napiVersion: batch/v1beta1\r\nkind: CronJob\r\n"
    "metadata:\r\n  name: a\r\n",
])
def test_source_comment_shapes(text: str) -> None:
    [document] = list(parse_text(text, "-", "stdin", json_file=False))
    assert isinstance(document, Document)
    assert (document.source, document.template, document.data["kind"]) == ("helm-template", "c/templates/a.yaml",
                                                                           "CronJob")
    assert document.position(("apiVersion",))[0] == text.replace("\r\n", "\n").splitlines().index(
        "apiVersion: batch/v1beta1") + 1


def test_documents_without_source_comment_stay_plain() -> None:
    text = "---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: A\n---\n# just a note\napiVersion: v1\nkind: B\n"
    documents = [d for d in parse_text(text, "-", "stdin", json_file=False) if isinstance(d, Document)]
    assert [(d.source, d.template) for d in documents] == [("helm-template", "c/templates/a.yaml"), ("stdin", None)]


def test_empty_template_sections_are_no_errors(cli: Cli) -> None:
    text = b"---\n# Source: c/templates/empty.yaml\n---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: A\n"
    result = cli("scan", "-", "-o", "json", stdin=text)
    assert result.code == 0 and result.json()["errors"] == []
