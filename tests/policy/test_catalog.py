"""The service catalog: the shipped default as issue 4 specifies it, and strict validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from daylight.core.errors import InputError, NotFoundError
from daylight.policy.catalog import default_catalog, load_catalog, parse_catalog

REQUIRED_OPERATIONS = {
    "face.detect", "face.compare", "face.search", "face.index", "person.recognize",
    "video.stream_analysis", "video.track_person", "emotion.analyze", "text.ocr", "labels.detect",
    "compute.instance", "storage.object", "analytics.query",
}
REQUIRED_CAPABILITIES = {
    "biometric_identification", "biometric_verification",
    "real_time_remote_biometric_identification", "emotion_recognition", "person_tracking",
    "infrastructure", "data_analytics",
}
REQUIRED_EVENTS = {
    ("rekognition.amazonaws.com", "SearchFacesByImage"): "face.search",
    ("rekognition.amazonaws.com", "SearchFaces"): "face.search",
    ("rekognition.amazonaws.com", "CompareFaces"): "face.compare",
    ("rekognition.amazonaws.com", "DetectFaces"): "face.detect",
    ("rekognition.amazonaws.com", "IndexFaces"): "face.index",
    ("rekognition.amazonaws.com", "RecognizeCelebrities"): "person.recognize",
    ("ec2.amazonaws.com", "RunInstances"): "compute.instance",
    ("s3.amazonaws.com", "PutObject"): "storage.object",
    ("s3.amazonaws.com", "GetObject"): "storage.object",
}

MINIMAL = """
version = 1
[capabilities.infrastructure]
description = "general-purpose infrastructure"
[services.compute]
title = "Compute"
[operations."compute.instance"]
service = "compute"
title = "Run instances"
capabilities = ["infrastructure"]
[events."ec2.amazonaws.com"]
RunInstances = "compute.instance"
"""


def test_default_catalog_has_the_operations_capabilities_and_events_of_issue_4() -> None:
    catalog = default_catalog()
    assert set(catalog.operations) >= REQUIRED_OPERATIONS
    assert set(catalog.capabilities) >= REQUIRED_CAPABILITIES
    for (source, name), operation in REQUIRED_EVENTS.items():
        assert catalog.operation_for_event(source, name) == operation


def test_default_catalog_tags_the_sensitive_operations() -> None:
    catalog = default_catalog()
    identification = {op.id for op in catalog.operations_with("biometric_identification")}
    assert {"face.search", "face.index", "person.recognize"} <= identification
    assert "face.detect" not in identification
    assert catalog.operation("face.compare").has("biometric_verification")
    assert catalog.operation("video.stream_analysis").has("real_time_remote_biometric_identification")
    assert catalog.operation("video.track_person").has("person_tracking")
    assert catalog.operation("emotion.analyze").has("emotion_recognition")
    assert catalog.operation("compute.instance").has("infrastructure")
    assert catalog.operation("analytics.query").has("data_analytics")


def test_every_operation_belongs_to_a_declared_service() -> None:
    catalog = default_catalog()
    services = catalog.service_of_operations()
    assert set(services) == set(catalog.operations)
    assert set(services.values()) <= set(catalog.services)
    assert services["face.search"] == "vision"


def test_unknown_names_are_not_found() -> None:
    catalog = default_catalog()
    with pytest.raises(NotFoundError, match=r"`face\.unknown`"):
        catalog.operation("face.unknown")
    with pytest.raises(NotFoundError, match="`telepathy`"):
        catalog.operations_with("telepathy")
    assert catalog.operation_for_event("ec2.amazonaws.com", "DescribeInstances") is None


def test_a_minimal_catalog_loads_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text(MINIMAL)
    catalog = load_catalog(path)
    assert list(catalog.operations) == ["compute.instance"]
    assert catalog.operation_for_event("ec2.amazonaws.com", "RunInstances") == "compute.instance"


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (('version = 1', 'version = 2'), "version", "unsupported catalog version"),
        (('title = "Compute"', 'title = "Compute"\ncolour = "red"'), "services.compute.colour",
         "unknown key `colour`"),
        (('service = "compute"', 'service = "storage"'), "operations.compute.instance.service",
         "unknown service `storage`"),
        (('capabilities = ["infrastructure"]', 'capabilities = ["telepathy"]'),
         "operations.compute.instance.capabilities", "unknown capability `telepathy`"),
        (('capabilities = ["infrastructure"]', 'capabilities = []'),
         "operations.compute.instance.capabilities", "non-empty array"),
        (('RunInstances = "compute.instance"', 'RunInstances = "compute.vm"'),
         "events.ec2.amazonaws.com.RunInstances", "unknown operation `compute.vm`"),
        (('[operations."compute.instance"]', '[operations."ComputeInstance"]'),
         "operations.ComputeInstance", "operation id `ComputeInstance`"),
        (('title = "Run instances"\n', ''), "operations.compute.instance.title", "missing key `title`"),
        (('title = "Compute"', 'title = 3'), "services.compute.title", "expected a non-empty string"),
    ],
)
def test_invalid_catalogs_are_refused_naming_the_key(change: tuple[str, str], where: str,
                                                     message: str) -> None:
    old, new = change
    assert old in MINIMAL
    with pytest.raises(InputError, match=message) as caught:
        parse_catalog(MINIMAL.replace(old, new, 1), where="test.toml")
    assert caught.value.where == f"test.toml: {where}"


def test_invalid_toml_and_missing_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="invalid TOML") as caught:
        parse_catalog("version = = 1", where="broken.toml")
    assert caught.value.where == "broken.toml"
    with pytest.raises(NotFoundError, match="no catalog file"):
        load_catalog(tmp_path / "absent.toml")
