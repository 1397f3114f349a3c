"""Hypothesis properties of the tree, proofs and signatures: every proof verifies, and any single
bit flipped in an entry, a proof, a root or a signature is refused."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from daylight.core.errors import InputError, ProofError, SignatureError
from daylight.log import merkle
from daylight.log.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from daylight.log.note import Note, Signer
from daylight.log.proof import verify_consistency, verify_inclusion
from daylight.log.tree import TileNodes, TileRows, integrate

SIGNER = Signer(
    "properties.daylight.invalid/log", hashlib.sha256(b"daylight property-test key").digest()
)


def leaves(n: int) -> list[bytes]:
    return [b"entry %d" % i for i in range(n)]


def flip(data: bytes, bit: int) -> bytes:
    index = bit // 8 % len(data)
    return data[:index] + bytes([data[index] ^ (1 << (bit % 8))]) + data[index + 1 :]


# Sources are built once per size: the properties vary indices and bits, not the tree.
_SOURCES: dict[int, merkle.LeafHashes] = {}


def source(size: int) -> merkle.LeafHashes:
    if size not in _SOURCES:
        _SOURCES[size] = merkle.LeafHashes([merkle.leaf_hash(e) for e in leaves(size)])
    return _SOURCES[size]


sizes = st.integers(min_value=1, max_value=600)


@given(size=sizes, data=st.data())
def test_every_inclusion_proof_verifies(size: int, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, size - 1))
    tree = source(size)
    root = merkle.root_hash(tree, size)
    proof = merkle.inclusion_proof(tree, index, size)
    verify_inclusion(index, size, merkle.leaf_hash(b"entry %d" % index), proof, root)


@given(size=sizes, data=st.data())
def test_every_consistency_proof_verifies(size: int, data: st.DataObject) -> None:
    old = data.draw(st.integers(1, size))
    tree = source(size)
    proof = merkle.consistency_proof(tree, old, size)
    verify_consistency(old, size, merkle.root_hash(tree, old), merkle.root_hash(tree, size), proof)


@given(size=sizes, data=st.data(), bit=st.integers(0, 1 << 20))
def test_a_flipped_bit_in_the_entry_is_refused(size: int, data: st.DataObject, bit: int) -> None:
    index = data.draw(st.integers(0, size - 1))
    tree = source(size)
    entry = b"entry %d" % index
    proof = merkle.inclusion_proof(tree, index, size)
    with pytest.raises(ProofError):
        verify_inclusion(index, size, merkle.leaf_hash(flip(entry, bit)), proof,
                         merkle.root_hash(tree, size))


@given(size=st.integers(2, 600), data=st.data(), bit=st.integers(0, 1 << 20))
def test_a_flipped_bit_in_an_inclusion_proof_is_refused(size: int, data: st.DataObject, bit: int) -> None:
    index = data.draw(st.integers(0, size - 1))
    tree = source(size)
    proof = merkle.inclusion_proof(tree, index, size)
    which = data.draw(st.integers(0, len(proof) - 1))
    proof[which] = flip(proof[which], bit)
    with pytest.raises(ProofError):
        verify_inclusion(index, size, merkle.leaf_hash(b"entry %d" % index), proof,
                         merkle.root_hash(tree, size))


@given(size=sizes, data=st.data(), bit=st.integers(0, 255))
def test_a_flipped_bit_in_the_root_is_refused(size: int, data: st.DataObject, bit: int) -> None:
    index = data.draw(st.integers(0, size - 1))
    tree = source(size)
    proof = merkle.inclusion_proof(tree, index, size)
    with pytest.raises(ProofError):
        verify_inclusion(index, size, merkle.leaf_hash(b"entry %d" % index), proof,
                         flip(merkle.root_hash(tree, size), bit))


@given(size=st.integers(2, 600), data=st.data(), bit=st.integers(0, 1 << 20))
def test_a_flipped_bit_in_a_consistency_proof_or_root_is_refused(
    size: int, data: st.DataObject, bit: int
) -> None:
    old = data.draw(st.integers(1, size - 1))
    tree = source(size)
    proof = merkle.consistency_proof(tree, old, size)
    old_root, new_root = merkle.root_hash(tree, old), merkle.root_hash(tree, size)
    target = data.draw(st.sampled_from(["proof", "old_root", "new_root"]))
    if target == "proof":
        which = data.draw(st.integers(0, len(proof) - 1))
        proof[which] = flip(proof[which], bit)
    elif target == "old_root":
        old_root = flip(old_root, bit)
    else:
        new_root = flip(new_root, bit)
    with pytest.raises(ProofError):
        verify_consistency(old, size, old_root, new_root, proof)


@settings(max_examples=200)
@given(size=st.integers(0, 1 << 40), root=st.binary(min_size=32, max_size=32),
       bit=st.integers(0, 1 << 16))
def test_a_flipped_bit_in_a_signed_checkpoint_is_refused(size: int, root: bytes, bit: int) -> None:
    text = sign_checkpoint(Checkpoint(SIGNER.name, size, root), SIGNER).to_text().encode()
    open_checkpoint(text, SIGNER.verifier())
    tampered = flip(text, bit)
    assume(tampered != text)
    with pytest.raises((SignatureError, InputError)):
        open_checkpoint(tampered, SIGNER.verifier())


@given(size=st.integers(0, 1 << 40), root=st.binary(min_size=32, max_size=32),
       bit=st.integers(0, 64 * 8 - 1))
def test_a_flipped_bit_in_the_signature_bytes_is_refused(size: int, root: bytes, bit: int) -> None:
    signed = sign_checkpoint(Checkpoint(SIGNER.name, size, root), SIGNER)
    (signature,) = signed.note.signatures
    forged = type(signature)(signature.name, signature.key_hash, flip(signature.signature, bit))
    with pytest.raises(SignatureError):
        open_checkpoint(Note(signed.note.text, (forged,)).to_text(), SIGNER.verifier())


@settings(max_examples=60, deadline=None)
@given(batches=st.lists(st.integers(1, 700), min_size=1, max_size=6))
def test_tiles_integrated_in_any_batches_give_the_same_tree(batches: list[int]) -> None:
    """Integrating in batches of any size stores tiles that give the RFC 6962 root of every
    intermediate size and proofs identical to a tree built in one go."""
    stored: dict[tuple[int, int], TileRows] = {}
    nodes = TileNodes(lambda level, index: stored.get((level, index)), cache_tiles=2)
    size = 0
    for count in batches:
        hashes = [merkle.leaf_hash(b"entry %d" % i) for i in range(size, size + count)]
        for tile in integrate(nodes, size, hashes):
            stored[(tile.level, tile.index)] = TileRows.from_blob(
                tile.level, tile.index, tile.width, tile.to_blob())
        size += count
        reference = source(size) if size <= 600 else merkle.LeafHashes(
            [merkle.leaf_hash(e) for e in leaves(size)])
        assert merkle.root_hash(nodes, size) == merkle.root_from_leaf_hashes(
            [merkle.leaf_hash(e) for e in leaves(size)])
        assert merkle.inclusion_proof(nodes, size - 1, size) == merkle.inclusion_proof(
            reference, size - 1, size)
