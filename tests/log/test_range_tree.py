"""``RangeTree``: the inclusion proofs of a window of leaves computed in one walk equal RFC 9162's
PATH for every leaf, window and tree size, and its root is the tree's root."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from daylight.log import merkle


class Leaves:
    def __init__(self, count: int) -> None:
        self.hashes = [merkle.leaf_hash(b"entry %d" % i) for i in range(count)]

    def node(self, level: int, index: int) -> bytes:
        return merkle.root_from_leaf_hashes(self.hashes[index << level:(index + 1) << level])


def test_every_window_of_small_trees_gives_rfc_9162_paths() -> None:
    for size in range(1, 40):
        leaves = Leaves(size)
        for first in range(size):
            tree = merkle.RangeTree(leaves, leaves.hashes[first:], first, size)
            assert tree.root == merkle.root_from_leaf_hashes(leaves.hashes)
            for index in range(first, size):
                assert tree.inclusion_proof(index) == merkle.inclusion_proof(leaves, index, size)


@given(st.integers(min_value=1, max_value=700), st.data())
def test_larger_trees_agree_with_the_recursive_definition(size: int, data: st.DataObject) -> None:
    leaves = Leaves(size)
    first = data.draw(st.integers(min_value=0, max_value=size - 1))
    index = data.draw(st.integers(min_value=first, max_value=size - 1))
    tree = merkle.RangeTree(leaves, leaves.hashes[first:], first, size)
    assert tree.inclusion_proof(index) == merkle.inclusion_proof(leaves, index, size)
