"""Apache Spark is an optional extra: without ``pyspark``, ``--engine spark`` says how to install it.

pyspark stays installed; each test hides it the way Python itself allows, by mapping the module
to ``None`` in ``sys.modules`` (an import of it then raises ``ImportError``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from daylight.core.errors import ConfigError
from daylight.usage.spark import SPARK_MISSING, SparkEngine
from tests.cli.conftest import Cli


@pytest.fixture
def no_pyspark(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)


@pytest.mark.usefixtures("no_pyspark")
def test_the_engine_says_how_to_install_spark() -> None:
    with pytest.raises(ConfigError) as raised:
        SparkEngine("local[1]").start()
    assert "pip install 'pyspark>=3.5'" in str(raised.value)
    assert raised.value.where == "--engine"


@pytest.mark.usefixtures("no_pyspark")
def test_the_command_line_says_how_to_install_spark(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home", None)
    cli("init", "--origin", "spark.daylight.invalid/log")
    refused = cli("usage", "aggregate", "--period", "2026-11", "--engine", "spark", ok=False)
    assert refused.exit_code == 2
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and SPARK_MISSING in lines[0] and "--engine" in lines[0]
