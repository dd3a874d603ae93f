"""CustomResourceDefinition apiextensions.k8s.io/v1beta1 → v1."""

from __future__ import annotations

from typing import Any

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj, insert_after, mapping_at

_MINIMAL_SCHEMA = "{type: object, x-kubernetes-preserve-unknown-fields: true}"
_JUNCTORS = ("allOf", "anyOf", "oneOf", "not")
_JUNCTOR_FORBIDDEN = ("type", "description", "default", "additionalProperties", "nullable", "title")


def structural_problems(schema: Any, path: str = "openAPIV3Schema", junctor: bool = False) -> list[str]:
    """Why a schema is not structural (the v1 requirement), as short messages; [] when it is."""
    if not isinstance(schema, dict):
        return [f"{path}: not a schema object"]
    problems: list[str] = []
    if junctor:
        for key in _JUNCTOR_FORBIDDEN:
            if key in schema:
                problems.append(f"{path}: {key} is not allowed inside allOf/anyOf/oneOf/not")
    else:
        escaped = schema.get("x-kubernetes-int-or-string") is True or \
            schema.get("x-kubernetes-preserve-unknown-fields") is True
        if not schema.get("type") and not escaped:
            problems.append(f"{path}: type is missing")
    if "items" in schema and isinstance(schema["items"], list):
        problems.append(f"{path}.items: a list of schemas is not allowed (one schema)")
    if "properties" in schema and "additionalProperties" in schema and schema["additionalProperties"] is not False:
        problems.append(f"{path}: properties and additionalProperties are mutually exclusive")
    if schema.get("uniqueItems") is True:
        problems.append(f"{path}: uniqueItems: true is not allowed")
    for name, sub in (schema.get("properties") or {}).items():
        problems.extend(structural_problems(sub, f"{path}.properties.{name}", junctor))
    if isinstance(schema.get("items"), dict):
        problems.extend(structural_problems(schema["items"], f"{path}.items", junctor))
    if isinstance(schema.get("additionalProperties"), dict):
        problems.extend(structural_problems(schema["additionalProperties"], f"{path}.additionalProperties", junctor))
    for key in _JUNCTORS:
        value = schema.get(key)
        for index, sub in enumerate(value if isinstance(value, list) else [value] if value is not None else []):
            problems.extend(structural_problems(sub, f"{path}.{key}[{index}]" if key != "not" else f"{path}.not",
                                                True))
    return problems


def _columns(columns: Any, where: str, ctx: MigrationContext) -> Any:
    if not isinstance(columns, list):
        return columns
    renamed = False
    for column in columns:
        if isinstance(column, dict) and "JSONPath" in column:
            ctx.rename(column, "JSONPath", "jsonPath", column["JSONPath"])
            renamed = True
    if renamed:
        ctx.change(f"{where}[].JSONPath → jsonPath")
    return columns


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    spec = mapping_at(obj, "spec")
    if spec is None:
        ctx.human("spec is missing")
        return
    versions = spec.get("versions")
    version = spec.get("version")
    if not isinstance(versions, list) or not versions:
        if not isinstance(version, str):
            ctx.human("neither spec.version nor spec.versions names a version")
            return
        versions = [{"name": version, "served": True, "storage": True}]
        ctx.rename(spec, "version", "versions", versions)
        ctx.change("spec.version → spec.versions[{name, served: true, storage: true}]")
    elif "version" in spec:
        del spec["version"]
        ctx.change("spec.version removed (spec.versions lists it)")
    if "scope" not in spec:
        insert_after(spec, "group", "scope", "Namespaced")
        ctx.change("spec.scope: Namespaced written (the v1beta1 default; v1 requires it)")

    validation = spec.pop("validation", None)
    top_schema = validation.get("openAPIV3Schema") if isinstance(validation, dict) else None
    subresources = spec.pop("subresources", None)
    columns = _columns(spec.pop("additionalPrinterColumns", None), "spec.additionalPrinterColumns", ctx)
    for index, entry in enumerate(versions):
        if not isinstance(entry, dict):
            continue
        first = index == 0
        if isinstance(entry.get("additionalPrinterColumns"), list):
            _columns(entry["additionalPrinterColumns"], f"spec.versions[{index}].additionalPrinterColumns", ctx)
        if validation is not None and "schema" not in entry:
            entry["schema"] = validation if first else ctx.copy(validation)
        if subresources is not None and "subresources" not in entry:
            entry["subresources"] = subresources if first else ctx.copy(subresources)
        if columns is not None and "additionalPrinterColumns" not in entry:
            entry["additionalPrinterColumns"] = columns if first else ctx.copy(columns)
    if validation is not None:
        ctx.change("spec.validation → spec.versions[].schema")
    if subresources is not None:
        ctx.change("spec.subresources → spec.versions[].subresources")
    if columns is not None:
        ctx.change("spec.additionalPrinterColumns → spec.versions[].additionalPrinterColumns")

    for index, entry in enumerate(versions):
        if not isinstance(entry, dict):
            continue
        schema = entry.get("schema", {}).get("openAPIV3Schema") if isinstance(entry.get("schema"), dict) else None
        name = entry.get("name", index)
        if schema is None:
            ctx.human(f"version {name} has no openAPIV3Schema; v1 requires a structural schema for every version. "
                      f"Describe your fields, or keep v1beta1's accept-anything behaviour with the minimal "
                      f"schema: openAPIV3Schema: {_MINIMAL_SCHEMA}")
            continue
        problems = structural_problems(schema)
        if problems:
            shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
            ctx.human(f"version {name}: the schema is not structural, which v1 requires: {shown}")
    del top_schema

    conversion = spec.get("conversion")
    if isinstance(conversion, dict) and ("webhookClientConfig" in conversion or
                                         "conversionReviewVersions" in conversion):
        webhook: dict[str, Any] = {}
        if "webhookClientConfig" in conversion:
            webhook["clientConfig"] = conversion["webhookClientConfig"]
        review = conversion.get("conversionReviewVersions")
        if review is None and conversion.get("strategy") == "Webhook":
            review = ["v1beta1"]
            ctx.note("conversion.webhook.conversionReviewVersions: [v1beta1] written (the v1beta1 default, v1 "
                     "requires it); add v1 first if your conversion webhook understands ConversionReview v1")
        if review is not None:
            webhook["conversionReviewVersions"] = review
        items = [(k, v) for k, v in conversion.items() if k not in ("webhookClientConfig", "conversionReviewVersions")]
        first_key = next(k for k in conversion if k in ("webhookClientConfig", "conversionReviewVersions"))
        rebuilt: dict[str, Any] = {}
        ctx.origins.renamed(conversion, first_key, "webhook")
        for key, value in conversion.items():
            if key == first_key:
                rebuilt["webhook"] = webhook
            elif (key, value) in items:
                rebuilt[key] = value
        conversion.clear()
        conversion.update(rebuilt)
        ctx.change("spec.conversion.webhookClientConfig/conversionReviewVersions → spec.conversion.webhook")

    preserve = spec.get("preserveUnknownFields")
    if preserve is not False:
        if preserve is True:
            del spec["preserveUnknownFields"]
            ctx.change("spec.preserveUnknownFields: true removed (v1 does not allow it)")
        ctx.note("v1 prunes fields that the schema does not declare (v1beta1 kept them: preserveUnknownFields "
                 "defaulted to true). If your custom resources carry undeclared fields, declare them or mark "
                 "their parent with x-kubernetes-preserve-unknown-fields: true")


MIGRATION = Migration(
    family="crd",
    changes="spec.version → spec.versions; spec.validation → spec.versions[].schema; spec.subresources and "
            "spec.additionalPrinterColumns moved into every version (JSONPath → jsonPath); "
            "conversion.webhookClientConfig → conversion.webhook.clientConfig (conversionReviewVersions "
            "kept, or its old default written); preserveUnknownFields: true removed; scope written if unset",
    undecided="a version without a schema, or a schema that is not structural (reported with the paths to fix "
              "and the minimal schema that keeps the old behaviour); pruning of undeclared fields (reported)",
    migrate=migrate,
)
