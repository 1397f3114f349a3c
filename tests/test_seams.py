"""The seams between layers are values: no public function of a domain or flow module returns
``Any`` or a bare JSON dict (methods that build JSON, ``to_json`` and the like, are where JSON
belongs and are not looked at)."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil

import daylight

LAYERS = ("core", "log", "registry", "policy", "usage", "report", "flows")
JSON_DOCUMENTS = {
    # parses arbitrary JSON text: Any is what it returns
    "daylight.core.canonical.parse_json",
    "daylight.core.canonical.parse_json_object",
    # Cedar's JSON entity format, handed to cedarpy
    "daylight.policy.entities.entity_json",
    # database rows, used only inside the registry layer (store and service)
    "daylight.registry.store.org_row",
    "daylight.registry.store.rel_row",
    # a request context is a JSON object by definition (it reaches Cedar as such)
    "daylight.policy.context.normalize_context",
    "daylight.policy.context.parse_context_json",
    # the failing corpus cases, as printed and as VerificationError evidence
    "daylight.policy.corpus.failures",
    # FollowTheMoney entities as JSON, the export's lines
    "daylight.registry.ftm.ftm_entities",
    # a stored classification as of a day, as `accounts show` prints it (docs/registry.md)
    "daylight.registry.support.classification_during",
    # a classification log entry's `supports` (docs/registry.md, log entries)
    "daylight.registry.classification.logged_supports",
    # the offline reference build's manifest.json
    "daylight.registry.reference.build.manifest",
    "daylight.registry.reference.build.write_reference",
    # the transparency report's published rows, log entry payloads and Data Package are JSON
    # documents by definition (docs/report.md)
    "daylight.report.data.evidence_record",
    "daylight.report.data.organization_record",
    "daylight.report.data.usage_record",
    "daylight.report.data.support_record",
    "daylight.report.data.decision_record",
    "daylight.report.data.datapackage",
    "daylight.report.formats.entry_payload",
    "daylight.report.formats.records_in_order",
    # Vega-Lite specifications, handed to vl-convert to render the report's charts
    "daylight.report.chart.usage_over_time_spec",
    "daylight.report.chart.counts_bar_spec",
}
BARE = ("Any", "dict[str, Any]", "list[dict[str, Any]]", "tuple[Any, ...]",
        "Iterator[dict[str, Any]]")


def _modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(daylight.__path__, "daylight."):
        if info.name.split(".")[1] in LAYERS:
            names.append(info.name)
    return names


def test_public_functions_return_values_not_bare_json() -> None:
    bare = []
    for name in _modules():
        module = importlib.import_module(name)
        for attribute, function in vars(module).items():
            if attribute.startswith("_") or not inspect.isfunction(function) \
                    or function.__module__ != name:
                continue
            returned = function.__annotations__.get("return")  # text: modules defer annotations
            qualified = f"{name}.{attribute}"
            if returned in BARE and qualified not in JSON_DOCUMENTS:
                bare.append(qualified)
    assert bare == []


BARE_FIELDS = (*BARE, "tuple[dict[str, Any], ...]", "list[Any]")
JSON_FIELDS = {
    # a setting's default is whatever its parser returns
    "daylight.core.settings.Setting.default",
    # log entry and digest payloads are JSON documents by definition (canonical JSON, RFC 8785)
    "daylight.log.entry.LogEntry.payload",
    "daylight.policy.digest.DecisionDigest.payload",
    "daylight.usage.digest.UsageDigest.payload",
    # a policy pack's manifest as published with the version (docs/policy.md)
    "daylight.flows.publish.PolicyListing.packs",
    "daylight.policy.store.PolicyVersion.packs",
    # the registry's stored classification: path steps and support verdicts as docs/registry.md
    # shows them (registry.support.classification_during), carried into audit findings as is
    "daylight.registry.facts.AccountClassification.supports",
    "daylight.registry.resolution.Classification.supports",
    "daylight.policy.audit.FindingSupport.path",
    "daylight.policy.audit.FindingSupport.weight",
    "daylight.policy.audit.FindingSupport.kinds",
    # rows hashed into the registry's fingerprint: compared, never read field by field
    "daylight.registry.facts.RegistryFingerprint.accounts",
    "daylight.registry.facts.RegistryFingerprint.screened",
    "daylight.registry.facts.RegistryFingerprint.classified",
    "daylight.registry.facts.RegistryFingerprint.corrected",
    "daylight.registry.facts.RegistryFingerprint.loaded",
    # a matcher's features, and a rejected input row, as they are printed
    "daylight.registry.resolution.Resolution.features",
    "daylight.usage.schema.Rejection.row",
}


def test_public_dataclasses_carry_values_not_bare_json() -> None:
    """What crosses a seam inside a result (an audit's findings and summary, say) is typed too."""
    bare = []
    for name in _modules():
        module = importlib.import_module(name)
        for attribute, cls in vars(module).items():
            if attribute.startswith("_") or not isinstance(cls, type) \
                    or not dataclasses.is_dataclass(cls) or cls.__module__ != name:
                continue
            for field in dataclasses.fields(cls):
                qualified = f"{name}.{attribute}.{field.name}"
                if field.type in BARE_FIELDS and qualified not in JSON_FIELDS:
                    bare.append(qualified)
    assert bare == []
