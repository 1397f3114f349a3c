"""A signer's receipt: the commitment, its salt, and an offline proof that the log holds the
entry that counted the signature, as a C2SP ``tlog-proof`` (``log/tlog_proof.py``) whose
``extra`` line carries the entry itself, so that the record hash can be rebuilt offline (the
spec's use of extra data); like the spec says, it is not trusted by itself: the verifier
recomputes the leaf hash from it and checks that it holds the commitment.

``verify_receipt`` is what a signer runs: their identity and salt give the commitment; the entry
holds it; the proof puts the entry under the checkpoint's root; the log's key signed the
checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from daylight.core.canonical import parse_json_object
from daylight.core.entry_types import VOICE_OBJECTION_SIGNATURE
from daylight.core.errors import InputError, ProofError
from daylight.log.checkpoint import open_checkpoint
from daylight.log.merkle import leaf_hash
from daylight.log.note import b64encode_canonical, verifier_from_vkey
from daylight.log.proof import verify_inclusion
from daylight.log.tlog_proof import TlogProof
from daylight.voice.privacy import commitment, unb64


@dataclass(frozen=True)
class Receipt:
    """What a signer keeps to show, alone, that their signature was counted."""

    objection_id: str
    commitment: bytes
    salt: bytes
    leaf_index: int
    tree_size: int
    inclusion_proof: tuple[bytes, ...]
    entry: bytes
    checkpoint: str

    @property
    def tlog_proof(self) -> TlogProof:
        return TlogProof(self.leaf_index, self.inclusion_proof, self.checkpoint, self.entry)

    def to_json(self) -> dict[str, Any]:
        """The shape `daylight objection sign` prints."""
        return {"objection_id": self.objection_id, "commitment": b64encode_canonical(self.commitment),
                "salt": b64encode_canonical(self.salt), "leaf_index": self.leaf_index,
                "tree_size": self.tree_size,
                "inclusion_proof": [b64encode_canonical(h) for h in self.inclusion_proof],
                "tlog_proof": self.tlog_proof.to_text()}

    @classmethod
    def from_json(cls, value: Any, *, where: str = "receipt") -> Receipt:
        """Read the shape ``to_json`` writes; InputError naming the field otherwise."""
        keys = {"objection_id", "commitment", "salt", "leaf_index", "tree_size",
                "inclusion_proof", "tlog_proof"}
        if not isinstance(value, dict) or set(value) != keys:
            raise InputError(f"expected an object with exactly {', '.join(sorted(keys))}",
                             where=where)
        for name in ("objection_id", "commitment", "salt", "tlog_proof"):
            if not isinstance(value[name], str):
                raise InputError("expected a string", where=f"{where}: {name}")
        for name in ("leaf_index", "tree_size"):
            if isinstance(value[name], bool) or not isinstance(value[name], int):
                raise InputError("expected a whole number", where=f"{where}: {name}")
        hashes = value["inclusion_proof"]
        if not isinstance(hashes, list) or not all(isinstance(h, str) for h in hashes):
            raise InputError("expected a list of base64 hashes", where=f"{where}: inclusion_proof")
        proof = TlogProof.from_text(value["tlog_proof"], where=f"{where}: tlog_proof")
        listed = tuple(unb64(h, where=f"{where}: inclusion_proof", size=32) for h in hashes)
        if proof.extra is None or proof.index != value["leaf_index"] \
                or proof.inclusion_proof != listed:
            raise InputError("tlog_proof does not match leaf_index and inclusion_proof, or has "
                             "no entry", where=where)
        return cls(value["objection_id"], unb64(value["commitment"], where=f"{where}: commitment",
                                                size=32),
                   unb64(value["salt"], where=f"{where}: salt"), value["leaf_index"],
                   value["tree_size"], listed, proof.extra, proof.checkpoint)


def verify_receipt(receipt: Receipt, identity: str, vkey: str) -> None:
    """Raise unless ``receipt`` shows that ``identity`` (canonical) signed ``objection_id`` and
    that the log whose verifier key is ``vkey`` holds the entry that counted it."""
    expected = commitment("objection", receipt.objection_id, identity, receipt.salt)
    if expected != receipt.commitment:
        raise ProofError("the commitment is not this identity's with this salt",
                         evidence={"commitment": receipt.commitment, "computed": expected})
    entry = parse_json_object(receipt.entry, where="receipt entry")
    payload = entry.get("payload")
    if entry.get("type") != VOICE_OBJECTION_SIGNATURE or not isinstance(payload, dict) \
            or payload.get("objection_id") != receipt.objection_id \
            or payload.get("commitment") != b64encode_canonical(receipt.commitment):
        raise ProofError("the logged entry does not hold this objection's commitment",
                         evidence={"entry": receipt.entry})
    signed = open_checkpoint(receipt.checkpoint, verifier_from_vkey(vkey))
    if signed.checkpoint.tree_size != receipt.tree_size:
        raise ProofError(f"the checkpoint is of size {signed.checkpoint.tree_size}, the receipt "
                         f"says {receipt.tree_size}")
    verify_inclusion(receipt.leaf_index, receipt.tree_size, leaf_hash(receipt.entry),
                     list(receipt.inclusion_proof), signed.checkpoint.root_hash)
