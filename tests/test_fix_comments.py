"""A comment inside a span that fix rewrites goes with its value to the rewritten field (issue 11)."""

from __future__ import annotations

from tests.test_fix_helpers import fix, objects_of, validate_strict

BEFORE = """\
apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: shop
spec:
  rules:
  - http:
      paths:
      - path: /
        backend:
          serviceName: web   # the storefront
          servicePort: http   # named port
      - path: /api
        backend:
          serviceName: api
          servicePort: 8080 # numbered
"""


def test_trailing_comments_follow_their_values() -> None:
    result = fix(BEFORE, "1.22")
    text = result.fixed.decode()
    assert [o.outcome for o in result.objects] == ["migrated"]
    assert "          service:\n            name: web   # the storefront\n            port:\n" \
           "              name: http   # named port\n" in text
    assert "              number: 8080 # numbered\n" in text
    assert text.count("#") == 3  # each comment once, none left behind
    (after,) = objects_of(result.fixed)
    validate_strict(after, "1.22")


def test_a_comment_whose_value_is_written_twice_stays_on_the_rewritten_field() -> None:
    # "web" is also the Ingress's name: which "web" the comment meant cannot be told by value.
    text = BEFORE.replace("name: shop", "name: web")
    fixed = fix(text, "1.22").fixed.decode()
    assert "          service:   # the storefront\n            name: web\n" in fixed
    assert fixed.count("# the storefront") == 1
