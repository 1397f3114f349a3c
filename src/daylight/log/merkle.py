"""RFC 6962 / RFC 9162 Merkle tree hashing and proof construction.

Leaf hash: SHA-256(0x00 || entry). Node hash: SHA-256(0x01 || left || right). The empty tree's
root is SHA-256(""). Proofs follow the PATH and SUBPROOF definitions of RFC 9162 §2.1.3.1 and
§2.1.4.1 literally; the hashes they need come from a ``NodeSource`` that knows every *perfect*
subtree (2^level leaves starting at a multiple of 2^level), so no proof recomputes the tree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256


def leaf_hash(entry: bytes) -> bytes:
    """SHA-256(0x00 || entry)."""
    return _sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return _sha256(b"\x01" + left + right).digest()


def split_point(size: int) -> int:
    """The largest power of two strictly less than ``size`` (``size`` >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes, computed from scratch (for small trees and tests)."""
    if not hashes:
        return EMPTY_ROOT
    # Fold perfect subtrees bottom-up, then merge the right edge right-to-left.
    level = list(hashes)
    carry: list[bytes] = []
    while len(level) > 1:
        if len(level) % 2:
            carry.append(level.pop())
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    root = level[0]
    # `carry` holds right-edge nodes from lowest to highest level; each sits right of `root`'s
    # corresponding ancestor, so they combine from the bottom up.
    acc: bytes | None = None
    for node in carry:
        acc = node if acc is None else node_hash(node, acc)
    return root if acc is None else node_hash(root, acc)


class NodeSource(Protocol):
    """Hashes of perfect subtrees: ``node(level, index)`` covers leaves
    [index * 2^level, (index + 1) * 2^level)."""

    def node(self, level: int, index: int) -> bytes: ...


def range_hash(source: NodeSource, begin: int, end: int) -> bytes:
    """MTH(D[begin:end]) for a range that RFC 6962 decomposition produces (``begin`` aligned)."""
    size = end - begin
    if size == 0:
        return EMPTY_ROOT
    if size & (size - 1) == 0:
        level = size.bit_length() - 1
        return source.node(level, begin >> level)
    k = split_point(size)
    return node_hash(range_hash(source, begin, begin + k), range_hash(source, begin + k, end))


def root_hash(source: NodeSource, size: int) -> bytes:
    """MTH of the first ``size`` leaves."""
    return range_hash(source, 0, size)


def inclusion_proof(source: NodeSource, leaf_index: int, tree_size: int) -> list[bytes]:
    """PATH(leaf_index, D[0:tree_size]) of RFC 9162 §2.1.3.1, leaf-side first."""
    if not 0 <= leaf_index < tree_size:
        raise ValueError(f"leaf_index {leaf_index} is not below tree_size {tree_size}")
    proof: list[bytes] = []
    begin, end, m = 0, tree_size, leaf_index
    # Walk from the root down, collecting siblings; reverse at the end (PATH lists leaf-side first).
    while end - begin > 1:
        k = split_point(end - begin)
        if m < k:
            proof.append(range_hash(source, begin + k, end))
            end = begin + k
        else:
            proof.append(range_hash(source, begin, begin + k))
            begin, m = begin + k, m - k
    proof.reverse()
    return proof


def consistency_proof(source: NodeSource, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) of RFC 9162 §2.1.4.1."""
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    proof: list[bytes] = []
    begin, end, m, complete = 0, new_size, old_size, True
    while True:
        size = end - begin
        if m == size:
            if not complete:
                proof.append(range_hash(source, begin, end))
            break
        k = split_point(size)
        if m <= k:
            proof.append(range_hash(source, begin + k, end))
            end = begin + k
        else:
            proof.append(range_hash(source, begin, begin + k))
            begin, m, complete = begin + k, m - k, False
    proof.reverse()
    return proof


class LeafHashes:
    """A ``NodeSource`` over an in-memory list of leaf hashes (tests, small trees, verifiers)."""

    def __init__(self, hashes: Sequence[bytes]) -> None:
        self._levels: list[list[bytes]] = [list(hashes)]
        while len(self._levels[-1]) > 1:
            below = self._levels[-1]
            self._levels.append(
                [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            )

    def node(self, level: int, index: int) -> bytes:
        return self._levels[level][index]


class RangeTree:
    """Every node of the tree of ``tree_size`` leaves that the inclusion proofs of the leaves
    from ``first`` on need, computed once, bottom-up, from those leaves' hashes: the proofs of a
    batch of neighbouring leaves (a report's rows) in one walk of the tree instead of one
    decomposition each.

    A level is the list of its nodes in the *promoted* form of the RFC 6962 tree: node ``j`` of
    level ``k + 1`` hashes nodes ``2j`` and ``2j + 1`` of level ``k``, and a last node without a
    right neighbour is carried up unchanged; this is the same tree as RFC 9162's recursive
    definition, and a leaf's audit path is the sibling at every level that has one. Nodes left of
    the window (perfect subtrees) come from ``source``."""

    def __init__(self, source: NodeSource, leaf_hashes: Sequence[bytes], first: int,
                 tree_size: int) -> None:
        if not 0 <= first < tree_size or len(leaf_hashes) != tree_size - first:
            raise ValueError(f"expected the hashes of leaves {first} to {tree_size - 1}")
        self.tree_size = tree_size
        self.bases: list[int] = []
        self.levels: list[list[bytes]] = []
        base, level, count = first, list(leaf_hashes), tree_size
        while True:
            if base % 2 and count > 1:  # the left half of the window's first pair
                level.insert(0, source.node(len(self.levels), base - 1))
                base -= 1
            self.bases.append(base)
            self.levels.append(level)
            if count == 1:
                break
            prefix = b"\x01"
            above = [_sha256(prefix + level[i] + level[i + 1]).digest()
                     for i in range(0, len(level) - 1, 2)]
            if len(level) % 2:
                above.append(level[-1])
            base, level, count = base >> 1, above, (count + 1) >> 1

    @property
    def root(self) -> bytes:
        return self.levels[-1][0]

    def path_nodes(self, leaf_index: int) -> list[tuple[int, int]]:
        """(level, position in ``levels[level]``) of each hash of the audit path, leaf side
        first."""
        found = []
        index, count = leaf_index, self.tree_size
        for level, base in enumerate(self.bases[:-1]):
            sibling = index ^ 1
            if sibling < count:
                found.append((level, sibling - base))
            index, count = index >> 1, (count + 1) >> 1
        return found

    def inclusion_proof(self, leaf_index: int) -> list[bytes]:
        """PATH(leaf_index, D[0:tree_size]) of RFC 9162, leaf side first."""
        if not self.bases[0] <= leaf_index < self.tree_size:
            raise ValueError(f"leaf_index {leaf_index} is outside this range tree")
        return [self.levels[level][position] for level, position in self.path_nodes(leaf_index)]
