"""The home wires the settings into the log: batch sizes and pushback come from the table."""

from __future__ import annotations

from pathlib import Path

import pytest

from daylight.core.errors import ConfigError, PushbackError
from daylight.core.settings import build_settings
from daylight.home import Home


def make_home(tmp_path: Path, **flags: object) -> Home:
    home = Home(build_settings({"home": str(tmp_path / "home"), **flags}, {}))
    home.initialise("home.daylight.invalid/log")
    return home


def test_batch_max_entries_bounds_each_integration(tmp_path: Path) -> None:
    home = make_home(tmp_path, batch_max_entries=2)
    log = home.log(writable=True)
    log.append_canonical([b'{"n":%d}' % i for i in range(5)])
    assert [c.tree_size for c in log.checkpoints()] == [0, 2, 4, 5]
    home.close()


def test_the_appender_pushes_back_at_pending_max_entries(tmp_path: Path) -> None:
    home = make_home(tmp_path, batch_interval_ms=5_000, pending_max_entries=1)
    appender = home.appender()
    first = appender.submit(b'{"n":1}')
    with pytest.raises(PushbackError):
        appender.submit(b'{"n":2}')
    appender.close()
    assert first.result() == 0
    home.close()


def test_origins_that_cannot_name_a_key_are_refused(tmp_path: Path) -> None:
    home = Home(build_settings({"home": str(tmp_path / "home")}, {}))
    with pytest.raises(ConfigError):
        home.initialise("two words")
    assert not (tmp_path / "home" / "log.key").exists()


@pytest.mark.parametrize("damage", [b"garbage\n", b"PRIVATE+KEY+home.example/log+abcd+AAAA\n",
                                    b"PRIVATE+KEY+home.example/log+abcd+AQID\n", b"\xff\xfe\x00",
                                    b"PRIVATE+KEY+home.example/log+abcd+!!!!\n", b""])
def test_a_damaged_signing_key_is_named_without_its_bytes(tmp_path: Path, damage: bytes) -> None:
    home = Home(build_settings({"home": str(tmp_path)}, {}))
    home.initialise("home.example/log")
    key = home.settings.key_path
    key.write_bytes(damage)
    with pytest.raises(ConfigError, match="damaged signing key") as raised:
        home.signer()
    assert raised.value.where == str(key)
    assert "AQID" not in str(raised.value) and "AAAA" not in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
