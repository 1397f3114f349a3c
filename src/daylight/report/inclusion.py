"""The rows' proof files checked against the log's tree, which the verifier computes once.

Verifying each row's inclusion proof on its own (RFC 9162 §2.1.3.2) hashes its path up to the
root: about 20 node hashes a row, a million rows at full size. The verifier has the log itself
(the mirror, which ``log.verifier.verify_mirror`` has checked entry by entry against the
checkpoint), so it computes every node that the rows' proofs need once, bottom-up
(``merkle.RangeTree``), and checks that each proof file holds *exactly* its row's proof: its
index is in the tree, its entry's leaf hash is the log's leaf at that index, and its hashes are
the path the tree gives, written in canonical base64. Anything else fails; the caller then
verifies that proof the RFC way to say what is wrong with it. This module reads only
published formats (the mirror's tiles).
"""

from __future__ import annotations

import base64
import hashlib

from daylight.log import merkle
from daylight.log.tiles import TILE_WIDTH
from daylight.log.verifier import MirrorReader


class ProvenTree:
    """The nodes of the tree of ``tree_size`` leaves that the inclusion proofs of the leaves
    from ``first`` on need, from the leaf hashes in the mirror's level-0 tiles; its ``root``
    is the tree's root, which the caller compares with the checkpoint's."""

    def __init__(self, reader: MirrorReader, first: int, tree_size: int) -> None:
        leaves: list[bytes] = []
        for tile in range(first // TILE_WIDTH, (tree_size + TILE_WIDTH - 1) // TILE_WIDTH):
            leaves.extend(reader.hashes(0, tile))
        self.first = first
        self.tree_size = tree_size
        start = first % TILE_WIDTH  # the reader's tree may be larger: take this one's leaves
        self._tree = merkle.RangeTree(reader, leaves[start:start + tree_size - first], first,
                                      tree_size)
        self._leaves = self._tree.levels[0]
        self._base = self._tree.bases[0]
        self._encoded: dict[tuple[int, int], str] = {}

    @property
    def root(self) -> bytes:
        return self._tree.root

    def path_text(self, index: int) -> str:
        """The inclusion proof of the leaf at ``index`` as a tlog-proof writes it: each hash in
        canonical base64, one a line (a node above the leaves is encoded once: it serves many
        proofs)."""
        lines = []
        for node in self._tree.path_nodes(index):
            text = self._encoded.get(node)
            if text is None:
                text = base64.b64encode(self._tree.levels[node[0]][node[1]]).decode()
                if node[0]:
                    self._encoded[node] = text
            lines.append(text)
        return "\n".join(lines)

    def is_proof_of(self, index: int, leaf_hash: bytes, path_sha256: bytes) -> bool:
        """True if ``leaf_hash`` is the log's leaf at ``index`` and ``path_sha256`` is the
        SHA-256 of that leaf's ``path_text`` (which stands for it: a million proof files'
        hashes are held as that digest until the tree is built)."""
        if not self.first <= index < self.tree_size:
            return False
        if leaf_hash != self._leaves[index - self._base]:
            return False
        return hashlib.sha256(self.path_text(index).encode()).digest() == path_sha256
