"""Published transparency-log vectors (tests/vectors, provenance in tests/vectors/SOURCES.md)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from daylight.core.errors import InputError, ProofError
from daylight.log import merkle
from daylight.log.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from daylight.log.note import (
    CosignatureSigner,
    CosignatureVerifier,
    Note,
    Signer,
    sign_note,
    verifier_from_vkey,
    verify_note,
)
from daylight.log.proof import verify_consistency, verify_inclusion
from daylight.log.tiles import (
    TileId,
    encode_entry_bundle,
    encode_index,
    parse_tile_path,
    tiles_for_size,
)
from daylight.log.tree import TileNodes, TileRows, integrate

VECTORS = Path(__file__).parent / "vectors"
GOLDEN = json.loads((VECTORS / "extracted" / "golden_vectors.json").read_text())
MERKLE = VECTORS / "transparency-dev-merkle" / "testdata"


def b64(text: str | None) -> bytes:
    return base64.b64decode(text or "")


# -- RFC 6962 hashing -------------------------------------------------------------------------


def test_rfc6962_reference_tree_roots_for_every_size() -> None:
    tree = GOLDEN["rfc6962_reference_tree"]
    leaves = [bytes.fromhex(x) for x in tree["leaf_inputs_hex"]]
    hashes = [merkle.leaf_hash(x) for x in leaves]
    assert [h.hex() for h in hashes] == tree["leaf_hashes_hex"]
    for size, want in enumerate(tree["root_by_size_hex"]):
        assert merkle.root_from_leaf_hashes(hashes[:size]).hex() == want
        if size:
            assert merkle.root_hash(merkle.LeafHashes(hashes[:size]), size).hex() == want


def test_rfc6962_hasher_units() -> None:
    cases = GOLDEN["rfc6962_hasher_unit"]["cases"]
    assert merkle.EMPTY_ROOT.hex() == cases[0]["want_hex"]
    assert merkle.leaf_hash(b"").hex() == cases[1]["want_hex"]
    assert merkle.leaf_hash(b"L123456").hex() == cases[2]["want_hex"]
    assert merkle.node_hash(b"N123", b"N456").hex() == cases[3]["want_hex"]


# -- transparency-dev/merkle probes -----------------------------------------------------------

# Where our verifier is deliberately stricter than the probes: it refuses hashes that are not
# 32 bytes even when sizes are equal and the roots merely compare equal. Never the reverse.
STRICTER = {"consistency/additional/sizes-are-equal-one-and-proof-is-empty.json"}


def _probe_files(kind: str) -> list[Path]:
    return sorted((MERKLE / kind).rglob("*.json"))


@pytest.mark.parametrize("path", _probe_files("inclusion"), ids=lambda p: str(p.relative_to(MERKLE)))
def test_inclusion_probe(path: Path) -> None:
    probe = json.loads(path.read_text())
    proof = [b64(h) for h in probe["proof"] or []]

    def run() -> None:
        verify_inclusion(probe["leafIdx"], probe["treeSize"], b64(probe["leafHash"]), proof,
                         b64(probe["root"]))

    if probe["wantErr"]:
        with pytest.raises(ProofError):
            run()
    else:
        run()


@pytest.mark.parametrize("path", _probe_files("consistency"), ids=lambda p: str(p.relative_to(MERKLE)))
def test_consistency_probe(path: Path) -> None:
    probe = json.loads(path.read_text())
    proof = [b64(h) for h in probe["proof"] or []]

    def run() -> None:
        verify_consistency(probe["size1"], probe["size2"], b64(probe["root1"]), b64(probe["root2"]),
                           proof)

    if probe["wantErr"] or str(path.relative_to(MERKLE)) in STRICTER:
        with pytest.raises(ProofError):
            run()
    else:
        run()


def test_positive_probes_are_also_what_we_generate() -> None:
    """Our proof construction yields exactly the published happy-path proofs."""
    leaves = [merkle.leaf_hash(bytes.fromhex(x))
              for x in GOLDEN["rfc6962_reference_tree"]["leaf_inputs_hex"]]
    source = merkle.LeafHashes(leaves)
    checked = 0
    for path in _probe_files("inclusion"):
        probe = json.loads(path.read_text())
        if path.name == "happy-path.json" and probe["treeSize"] <= 8:
            assert merkle.inclusion_proof(source, probe["leafIdx"], probe["treeSize"]) == [
                b64(h) for h in probe["proof"] or []]
            checked += 1
    for path in _probe_files("consistency"):
        probe = json.loads(path.read_text())
        if path.name == "happy-path.json" and probe["size1"] > 0 and probe["size2"] <= 8:
            assert merkle.consistency_proof(source, probe["size1"], probe["size2"]) == [
                b64(h) for h in probe["proof"] or []]
            checked += 1
    assert checked >= 8


# -- signed notes -----------------------------------------------------------------------------


def test_c2sp_signed_note_example_verifies() -> None:
    case = GOLDEN["signed_note_c2sp_example"]
    verifier = verifier_from_vkey(case["vkey"])
    note = Note.from_text(case["note"])
    assert verify_note(note, [verifier])
    assert note.to_text() == case["note"]


def test_go_note_example_is_reproduced_byte_for_byte() -> None:
    case = GOLDEN["signed_note_go_example"]
    signer = Signer.from_skey(case["skey"])
    assert signer.verifier().vkey == case["vkey"]
    assert signer.to_skey() == case["skey"]
    assert sign_note(case["text"], [signer]).to_text() == case["signed"]
    verify_note(Note.from_text(case["signed"]), [verifier_from_vkey(case["vkey"])])


def test_real_sum_golang_org_checkpoint_verifies() -> None:
    case = GOLDEN["sumdb_real_checkpoint"]
    signed = open_checkpoint(case["note"], verifier_from_vkey(case["vkey"]),
                             origin="go.sum database tree")
    assert signed.checkpoint.tree_size == 6476701


def test_sumdb_tree_note_body_format() -> None:
    case = GOLDEN["sumdb_tree_note_format"]
    body = Checkpoint("go.sum database tree", case["tree_size"],
                      merkle.leaf_hash(b"hello world")).to_text()
    assert body == case["golden"]
    assert Checkpoint.from_text(body).to_text() == body


def test_note_signed_by_another_key_is_refused() -> None:
    case = GOLDEN["signed_note_c2sp_example"]
    other = Signer.generate("example.com/foo").verifier()
    from daylight.core.errors import SignatureError
    with pytest.raises(SignatureError):
        verify_note(Note.from_text(case["note"]), [other])


# -- tessera's test log: 16 checkpoints and tiles, byte for byte ------------------------------


TESSERA = VECTORS / "tessera-testdata-log"


class TesseraReplay:
    """Tessera's entries through the same tree, tile and signing code the log service uses (the
    service itself accepts only canonical JSON entries, and tessera's are plain words)."""

    def __init__(self) -> None:
        self.signer = Signer.from_skey(GOLDEN["tessera_testdata_log"]["skey"])
        self.stored: dict[tuple[int, int], TileRows] = {}
        self.nodes = TileNodes(lambda level, index: self.stored.get((level, index)))
        self.size = 0

    def append(self, entry: bytes) -> None:
        for tile in integrate(self.nodes, self.size, [merkle.leaf_hash(entry)]):
            self.stored[(tile.level, tile.index)] = tile
        self.size += 1

    def checkpoint(self) -> str:
        root = merkle.root_hash(self.nodes, self.size) if self.size else merkle.EMPTY_ROOT
        checkpoint = Checkpoint(self.signer.name, self.size, root)
        return sign_checkpoint(checkpoint, self.signer).to_text()


def test_tessera_checkpoints_reproduced_byte_for_byte() -> None:
    case = GOLDEN["tessera_testdata_log"]
    replay = TesseraReplay()
    assert replay.signer.verifier().vkey == case["vkey"]
    assert replay.checkpoint() == (TESSERA / "checkpoint.0.txt").read_text()
    for size, word in enumerate(case["entries_ascii_in_order"], start=1):
        replay.append(word.encode())
        assert replay.checkpoint() == (TESSERA / f"checkpoint.{size}.txt").read_text()
    assert replay.checkpoint() == (TESSERA / "checkpoint.txt").read_text()


def test_tessera_tiles_reproduced_byte_for_byte() -> None:
    files = json.loads((TESSERA / "tiles_and_entries.json").read_text())["files"]
    words = [w.encode() for w in GOLDEN["tessera_testdata_log"]["entries_ascii_in_order"]]
    replay = TesseraReplay()
    for size, word in enumerate(words, start=1):
        replay.append(word)
        built = {"0": replay.stored[(0, 0)].bottom_blob(),
                 "entries": encode_entry_bundle(words[:size])}
        for kind, got in built.items():
            want = files[f"testdata/log/tile/{kind}/000.p/{size}"]
            assert hashlib.sha256(got).hexdigest() == want["sha256"]
            assert got == b64(want["base64"])


# -- Sunlight's mirror tiles and cosignatures -------------------------------------------------


SUNLIGHT = VECTORS / "sunlight-skylight-testdata"


def _sunlight_tiles() -> dict[str, bytes]:
    files = json.loads((SUNLIGHT / "mirror_tiles.json").read_text())["files"]
    return {"tile/" + name.split("/tile/", 1)[1]: b64(v["base64"]) for name, v in files.items()}


def test_sunlight_tiles_are_what_our_tree_builds() -> None:
    tiles = _sunlight_tiles()
    assert set(tiles) == {"tile/0/000", "tile/0/001.p/44", "tile/1/000.p/1"}
    hashes = [merkle.leaf_hash(b"record %d" % i) for i in range(300)]
    source = merkle.LeafHashes(hashes)
    built = {
        "tile/0/000": b"".join(hashes[:256]),
        "tile/0/001.p/44": b"".join(hashes[256:300]),
        "tile/1/000.p/1": source.node(8, 0),
    }
    assert built == tiles
    assert [t.path for t in tiles_for_size(300)] == sorted(tiles)


def test_sunlight_mirror_cosignature_verifies_and_tiles_give_its_root() -> None:
    case = GOLDEN["sunlight_skylight_mirror"]
    mirror_vkey = json.loads((SUNLIGHT / "mirror.v0.json").read_text())["verifier_keys"][0]
    verifier = verifier_from_vkey(mirror_vkey)
    assert isinstance(verifier, CosignatureVerifier)
    text = (SUNLIGHT / "mirror_checkpoint.txt").read_text()
    signed = open_checkpoint(text, verifier, origin=case["origin"])
    (signature,) = verify_note(signed.note, [verifier])
    assert CosignatureVerifier.timestamp(signature) == case["cosignature_timestamp"]
    hashes = [merkle.leaf_hash(b"record %d" % i) for i in range(case["tree_size"])]
    assert merkle.root_from_leaf_hashes(hashes) == signed.checkpoint.root_hash


def test_sunlight_cosignature_is_reproduced_from_its_published_seed() -> None:
    case = GOLDEN["sunlight_skylight_mirror"]
    seed = hashlib.sha256(b"skylight test mirror key").digest()
    signer = CosignatureSigner(case["mirror_cosigner_name"], seed)
    text = (SUNLIGHT / "mirror_checkpoint.txt").read_text()
    note = Note.from_text(text)
    signature = signer.cosign(note.text, case["cosignature_timestamp"])
    assert signature.to_line() == note.signatures[0].to_line()


def test_sunlight_witness_cosignature_verifies_beside_an_unknown_log_signature() -> None:
    witness_vkey = json.loads((SUNLIGHT / "witness.v0.json").read_text())["verifier_keys"][0]
    note = Note.from_text((SUNLIGHT / "witness_checkpoint.txt").read_text())
    assert len(note.signatures) == 2  # the log's ECDSA (type 0x05) signature is ignored
    verify_note(note, [verifier_from_vkey(witness_vkey)])


def test_tampered_cosignature_is_refused() -> None:
    mirror_vkey = json.loads((SUNLIGHT / "mirror.v0.json").read_text())["verifier_keys"][0]
    text = (SUNLIGHT / "mirror_checkpoint.txt").read_text().replace("\n300\n", "\n301\n")
    from daylight.core.errors import SignatureError
    with pytest.raises(SignatureError):
        verify_note(Note.from_text(text), [verifier_from_vkey(mirror_vkey)])


# -- tile paths -------------------------------------------------------------------------------


def test_index_encoding_example_of_tlog_tiles() -> None:
    case = GOLDEN["c2sp_tlog_tiles_example"]["index_encoding_example"]
    assert encode_index(case["N"]) == case["path_element"]
    assert parse_tile_path(f"tile/0/{case['path_element']}") == TileId(0, case["N"])


def test_go_sumdb_tile_paths_without_their_height() -> None:
    """Go's paths carry the tile height; tlog-tiles fixes it at 8 and drops it."""
    for case in GOLDEN["sumdb_tile_paths"]["cases"]:
        parts = case["path"].split("/")
        c2sp = "/".join(["tile", *parts[2:]]).replace("/data/", "/entries/")
        if case.get("invalid"):
            with pytest.raises(InputError):
                parse_tile_path(c2sp)
            continue
        partial = ".p/" in c2sp
        tile = parse_tile_path(c2sp)
        assert (tile.level, tile.index) == (case["L"], case["N"])
        assert tile.is_partial == partial
        if partial:
            assert tile.width == case["W"]
        assert tile.path == c2sp


def test_tiles_of_the_tlog_tiles_examples() -> None:
    tiles = list(tiles_for_size(70000))
    level0 = [t for t in tiles if t.level == 0]
    assert len([t for t in level0 if not t.is_partial]) == 273
    assert [t.width for t in level0 if t.is_partial] == [112]
    assert [(t.index, t.width) for t in tiles if t.level == 1] == [(0, 256), (1, 17)]
    assert [(t.index, t.width) for t in tiles if t.level == 2] == [(0, 1)]
    assert [t.path for t in tiles_for_size(256)] == ["tile/0/000", "tile/1/000.p/1"]
