"""Exporting one log to one mirror more than once (a report build exports before and after it
publishes): the mirror is byte for byte what ``export_mirror`` writes, and a file changed in between is put
right, not trusted."""

from __future__ import annotations

from pathlib import Path

from daylight.log.export import MirrorExporter, export_mirror
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog
from daylight.log.verifier import verify_mirror


def fill(log: TransparencyLog, start: int, count: int) -> None:
    log.append_canonical([b'{"n":%d}' % i for i in range(start, start + count)])


def files(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def test_a_second_export_writes_what_export_mirror_writes(log: TransparencyLog, signer: Signer,
                                                           tmp_path: Path) -> None:
    exporter, plain = MirrorExporter(log, tmp_path / "mirror"), tmp_path / "plain"
    fill(log, 0, 3 * 256 + 3)
    exporter.export()
    export_mirror(log, plain)
    fill(log, 3 * 256 + 3, 2 * 256 + 7)  # what publishing appends between the two exports
    exporter.export()
    export_mirror(log, plain)
    assert files(tmp_path / "mirror") == files(plain)
    verify_mirror(tmp_path / "mirror", signer.verifier())


def test_a_full_bundle_changed_between_exports_is_rewritten(log: TransparencyLog, signer: Signer,
                                                            tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    exporter = MirrorExporter(log, mirror)
    fill(log, 0, 2 * 256 + 1)
    exporter.export()
    bundle, tile = mirror / "tile/entries/000", mirror / "tile/0/001"
    good_bundle, good_tile = bundle.read_bytes(), tile.read_bytes()
    bundle.write_bytes(good_bundle.replace(b'{"n":7}', b'{"n":8}'))
    tile.unlink()
    exporter.export()
    assert bundle.read_bytes() == good_bundle and tile.read_bytes() == good_tile
    verify_mirror(mirror, signer.verifier())
