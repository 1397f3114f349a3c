"""``ProvenTree``: the verifier's tree, computed once from a mirror, accepts exactly the RFC 9162
inclusion proof of each leaf, with that leaf's entry, and nothing else."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from daylight.log import merkle
from daylight.log.export import export_mirror
from daylight.log.proof import verify_inclusion
from daylight.log.service import TransparencyLog
from daylight.log.verifier import MirrorReader
from daylight.report.inclusion import ProvenTree

SIZE = 2 * 256 + 37  # two full tiles and a partial one


def digest(hashes: list[bytes]) -> bytes:
    """What a proof file's hash lines are held as: the SHA-256 of their text."""
    return hashlib.sha256("\n".join(base64.b64encode(h).decode() for h in hashes).encode()).digest()


def test_each_leafs_own_proof_is_accepted_and_nothing_else(log: TransparencyLog,
                                                           tmp_path: Path) -> None:
    entries = [b'{"n":%d}' % i for i in range(SIZE + 5)]
    log.append_canonical(entries[:SIZE])
    root = log.checkpoint().root_hash
    log.append_canonical(entries[SIZE:])  # the mirror is larger than the proven tree
    export_mirror(log, tmp_path)
    reader = MirrorReader(tmp_path, SIZE + 5)
    for first in (0, 255, 256, 301):
        tree = ProvenTree(reader, first, SIZE)
        assert tree.root == root
        for index in range(first, SIZE, 7):
            proof = merkle.inclusion_proof(reader, index, SIZE)
            leaf = merkle.leaf_hash(entries[index])
            verify_inclusion(index, SIZE, leaf, proof, root)
            assert tree.is_proof_of(index, leaf, digest(proof))
            assert tree.path_text(index) == "\n".join(base64.b64encode(h).decode() for h in proof)
            assert not tree.is_proof_of(index, merkle.leaf_hash(entries[index - 1]), digest(proof))
            assert not tree.is_proof_of(index, leaf, digest(proof[:-1]))
            assert not tree.is_proof_of(index, leaf, digest([proof[0][::-1], *proof[1:]]))
        assert not tree.is_proof_of(SIZE, merkle.leaf_hash(entries[SIZE]), digest([]))
        if first:
            below = merkle.inclusion_proof(reader, first - 1, SIZE)
            assert not tree.is_proof_of(first - 1, merkle.leaf_hash(entries[first - 1]),
                                        digest(below))  # outside the window: the caller's RFC check
