"""Ingress and IngressClass → networking.k8s.io/v1."""

from __future__ import annotations

from typing import Any

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj, mapping_at


def _backend(backend: Any, where: str, ctx: MigrationContext) -> Any:
    if not isinstance(backend, dict) or ("serviceName" not in backend and "servicePort" not in backend):
        return backend
    name = backend.get("serviceName")
    port = backend.get("servicePort")
    service: dict[str, Any] = {}
    if name is not None:
        service["name"] = name
    if isinstance(port, bool) or port is None:
        ctx.human(f"{where}.servicePort is missing or not a port: give service.port.number or service.port.name")
    elif isinstance(port, int):
        service["port"] = {"number": port}
    elif isinstance(port, str) and port.isdigit():
        service["port"] = {"number": int(port)}
        ctx.note(f"{where}.servicePort {port!r} was a quoted number; written as port.number {int(port)}")
    else:
        service["port"] = {"name": str(port)}
    ordered: dict[str, Any] = {}
    placed = False
    for key, value in backend.items():
        if key in ("serviceName", "servicePort"):
            if not placed:
                ordered["service"] = service
                placed = True
        else:
            ordered[key] = value
    ctx.origins.renamed(ordered, "serviceName" if "serviceName" in backend else "servicePort", "service")
    ctx.change(f"{where}: serviceName/servicePort → service.name/service.port")
    return ordered


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    if ctx.kind != "Ingress" or ctx.target_api != "networking.k8s.io/v1":
        return
    spec = mapping_at(obj, "spec")
    if spec is None:
        return
    if "backend" in spec:
        ctx.rename(spec, "backend", "defaultBackend", _backend(spec["backend"], "spec.backend", ctx))
        ctx.change("spec.backend → spec.defaultBackend")
    rules = spec.get("rules")
    added_path_type = 0
    for r, rule in enumerate(rules if isinstance(rules, list) else []):
        paths = rule.get("http", {}).get("paths") if isinstance(rule, dict) and isinstance(rule.get("http"),
                                                                                           dict) else None
        for p, path in enumerate(paths if isinstance(paths, list) else []):
            if not isinstance(path, dict):
                continue
            where = f"spec.rules[{r}].http.paths[{p}].backend"
            if "backend" in path:
                path["backend"] = _backend(path["backend"], where, ctx)
            if "pathType" not in path:
                items = list(path.items())
                path.clear()
                index = next((i for i, (k, _) in enumerate(items) if k == "path"), -1)
                items.insert(index + 1, ("pathType", "ImplementationSpecific"))
                path.update(items)
                added_path_type += 1
    if added_path_type:
        ctx.change(f"pathType: ImplementationSpecific added to {added_path_type} path(s) (the v1beta1 behaviour)")
        ctx.note("pathType ImplementationSpecific keeps the old matching; Prefix or Exact are portable across "
                 "ingress controllers if you want to choose")
    annotations = mapping_at(obj, "metadata", "annotations")
    if annotations and "kubernetes.io/ingress.class" in annotations and "ingressClassName" not in spec:
        ctx.note("the kubernetes.io/ingress.class annotation is kept (it still works); networking.k8s.io/v1 "
                 "prefers spec.ingressClassName naming an IngressClass object")


MIGRATION = Migration(
    family="ingress",
    changes="spec.backend → spec.defaultBackend; serviceName/servicePort → service.name + port.number (an "
            "integer) or port.name (a string); pathType: ImplementationSpecific added where missing; "
            "IngressClass: apiVersion only",
    undecided="a backend without a port; whether to replace the kubernetes.io/ingress.class annotation by "
              "spec.ingressClassName (reported)",
    migrate=migrate,
)
