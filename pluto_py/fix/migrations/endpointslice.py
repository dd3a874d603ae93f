"""EndpointSlice discovery.k8s.io/v1alpha1 and v1beta1 → v1."""

from __future__ import annotations

import ipaddress
from typing import Any

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj, insert_after

_HOSTNAME = "kubernetes.io/hostname"
_ZONES = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")


def _family(addresses: list[Any]) -> str | None:
    families = set()
    for address in addresses:
        try:
            families.add("IPv6" if isinstance(ipaddress.ip_address(str(address)), ipaddress.IPv6Address) else "IPv4")
        except ValueError:
            return None
    return families.pop() if len(families) == 1 else None


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    endpoints = obj.get("endpoints")
    if obj.get("addressType") == "IP":
        addresses = [a for e in endpoints or [] if isinstance(e, dict) for a in e.get("addresses") or []]
        family = _family(addresses)
        if family is None:
            ctx.human("addressType IP must become IPv4 or IPv6, and the addresses do not say which")
        else:
            obj["addressType"] = family
            ctx.change(f"addressType IP → {family} (from the addresses)")
    if not isinstance(endpoints, list):
        return
    for index, endpoint in enumerate(endpoints):
        if not isinstance(endpoint, dict) or not isinstance(endpoint.get("topology"), dict):
            continue
        topology: dict[str, Any] = dict(endpoint["topology"])
        node = topology.pop(_HOSTNAME, None)
        zone = None
        for key in _ZONES:
            if key in topology and zone is None:
                zone = topology.pop(key)
        fields: list[tuple[str, Any]] = []
        if node is not None and "nodeName" not in endpoint:
            fields.append(("nodeName", node))
        if zone is not None and "zone" not in endpoint:
            fields.append(("zone", zone))
        if topology:
            fields.append(("deprecatedTopology", topology))
            ctx.note(f"endpoints[{index}]: topology keys {sorted(topology)} have no v1 field; kept in "
                     "deprecatedTopology, which v1 only reads")
        if fields:
            first_key, first_value = fields[0]
            ctx.rename(endpoint, "topology", first_key, first_value)
            previous = first_key
            for key, value in fields[1:]:
                insert_after(endpoint, previous, key, value)
                previous = key
        else:
            del endpoint["topology"]
        ctx.change(f"endpoints[{index}].topology → nodeName/zone")


MIGRATION = Migration(
    family="endpointslice",
    changes="endpoints[].topology → nodeName (kubernetes.io/hostname) and zone (topology.kubernetes.io/zone), "
            "other keys → deprecatedTopology; v1alpha1 addressType IP → IPv4/IPv6 from the addresses",
    undecided="addressType IP with mixed or non-IP addresses",
    migrate=migrate,
)
