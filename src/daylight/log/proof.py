"""Verification of inclusion and consistency proofs, exactly as RFC 9162 §2.1.3.2 and §2.1.4.2.

Stricter than the RFC in one way, on purpose: every hash (leaf, root, proof element) must be
32 bytes, even where an equality check alone would decide. Failures raise ``ProofError`` carrying
the claimed and computed values as evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from daylight.core.errors import ProofError
from daylight.log.merkle import HASH_SIZE, node_hash


@dataclass(frozen=True)
class InclusionProof:
    """A proof that the leaf at ``leaf_index`` is in the tree of ``tree_size`` leaves."""

    leaf_index: int
    tree_size: int
    hashes: tuple[bytes, ...]


@dataclass(frozen=True)
class ConsistencyProof:
    """A proof that the tree of ``old_size`` leaves is a prefix of the tree of ``new_size``."""

    old_size: int
    new_size: int
    hashes: tuple[bytes, ...]


def _check_sizes(named: Sequence[tuple[str, bytes]], proof: Sequence[bytes]) -> None:
    for name, value in named:
        if len(value) != HASH_SIZE:
            raise ProofError(f"{name} is {len(value)} bytes, expected {HASH_SIZE}",
                             evidence={name: value})
    for i, value in enumerate(proof):
        if len(value) != HASH_SIZE:
            raise ProofError(f"proof[{i}] is {len(value)} bytes, expected {HASH_SIZE}",
                             evidence={f"proof[{i}]": value})


def root_from_inclusion_proof(
    leaf_index: int, tree_size: int, leaf_hash: bytes, proof: Sequence[bytes]
) -> bytes:
    """The root that ``proof`` implies for ``leaf_hash`` at ``leaf_index`` (RFC 9162 §2.1.3.2)."""
    if tree_size < 1 or not 0 <= leaf_index < tree_size:
        raise ProofError(f"leaf_index {leaf_index} is not below tree_size {tree_size}")
    _check_sizes([("leaf_hash", leaf_hash)], proof)
    fn, sn, r = leaf_index, tree_size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofError(f"inclusion proof has {len(proof)} hashes, too many for the tree")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"inclusion proof has {len(proof)} hashes, too few for the tree")
    return r


def verify_inclusion(
    leaf_index: int,
    tree_size: int,
    leaf_hash: bytes,
    proof: Sequence[bytes],
    root_hash: bytes,
) -> None:
    """Raise ProofError unless ``proof`` shows ``leaf_hash`` at ``leaf_index`` under ``root_hash``."""
    _check_sizes([("root_hash", root_hash)], ())
    computed = root_from_inclusion_proof(leaf_index, tree_size, leaf_hash, proof)
    if computed != root_hash:
        raise ProofError(
            f"inclusion proof for leaf {leaf_index} in tree of size {tree_size} "
            "leads to a different root",
            evidence={"root_hash": root_hash, "computed_root": computed, "leaf_hash": leaf_hash},
        )


def verify_consistency(
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
) -> None:
    """Raise ProofError unless ``proof`` shows the tree of ``old_size`` is a prefix of ``new_size``.

    As transparency-dev/merkle: an old size of 0 proves nothing and is refused; equal sizes need
    an empty proof and equal roots.
    """
    _check_sizes([("old_root", old_root), ("new_root", new_root)], proof)
    if old_size < 1:
        raise ProofError(f"consistency with a tree of size {old_size} proves nothing")
    if old_size > new_size:
        raise ProofError(f"old_size {old_size} is larger than new_size {new_size}")
    if old_size == new_size:
        if proof:
            raise ProofError("trees of equal size need an empty consistency proof")
        if old_root != new_root:
            raise ProofError(
                f"two different roots for the tree of size {old_size}",
                evidence={"old_root": old_root, "new_root": new_root},
            )
        return
    # RFC 9162 §2.1.4.2, steps 1-7.
    if not proof:
        raise ProofError("empty consistency proof for different sizes")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError(f"consistency proof has {len(proof)} hashes, too many")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"consistency proof has {len(proof)} hashes, too few")
    if fr != old_root:
        raise ProofError(
            f"consistency proof does not lead to the root of size {old_size}",
            evidence={"old_root": old_root, "computed_old_root": fr},
        )
    if sr != new_root:
        raise ProofError(
            f"consistency proof does not lead to the root of size {new_size}",
            evidence={"new_root": new_root, "computed_new_root": sr},
        )
