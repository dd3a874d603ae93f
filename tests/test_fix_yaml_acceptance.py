"""fix reads what scan reads (issue 11): a block scalar led by a short line of spaces, which ruamel.yaml
refuses and libyaml and Helm accept, is composed from a copy with that line emptied; the edits must
still land at the right offsets of the file as written."""

from __future__ import annotations

from tests.test_fix_helpers import fix

LED_BY_SPACES = ("apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: web\n  annotations:\n"
                 "    note: |\n  \n      text\n")


def test_fix_edits_after_a_block_scalar_led_by_a_line_of_spaces() -> None:
    text = LED_BY_SPACES + "spec:\n  backend:\n    serviceName: web\n    servicePort: 80\n"
    result = fix(text, "1.22")
    assert [o.outcome for o in result.objects] == ["migrated"]
    assert result.fixed.decode() == (
        LED_BY_SPACES.replace("extensions/v1beta1", "networking.k8s.io/v1")
        + "spec:\n  defaultBackend:\n    service:\n      name: web\n      port:\n        number: 80\n")
