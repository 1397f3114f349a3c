"""Objections: filing counts the filer's signature, co-signers get receipts that an independent
verifier (tlog-scales, which nobody here wrote) accepts, the threshold opens a review, a review
is resolved once, and every bad input is refused with nothing written. Refusals are counted,
never named."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from tlog_scales import signing, tiles, tlog

from daylight.core.database import Database
from daylight.core.errors import ConfigError, ConflictError, InputError, NotFoundError, ProofError
from daylight.flows.declare import DeclarationRequest, declare
from daylight.flows.object import (
    ObjectionRequest,
    RefusalRequest,
    ResolutionRequest,
    SignatureRequest,
    file_objection,
    list_objections,
    record_refusal,
    resolve_objection,
    show_objection,
    sign_objection,
    unseal_signers,
)
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import Catalog
from daylight.voice.identity import canonical_identity
from daylight.voice.objection import MAX_STATEMENT_CHARS, default_threshold
from daylight.voice.privacy import VoiceKeys, generate_review_key
from daylight.voice.reads import read_objections, read_refusal_counts
from daylight.voice.receipt import Receipt, verify_receipt
from tests.voice.conftest import NOW, ReviewKey, counts, declaration_file


def _file(voice: Database, log: TransparencyLog, catalog: Catalog, keys: VoiceKeys,
          about: str = "account:SYNTHETIC-shop", threshold: int | None = 3,
          by: str = "filer@provider.example", statement: str = "SYNTHETIC: stop this") -> str:
    return file_objection(voice, log, catalog, keys, ObjectionRequest(by, about, statement,
                                                                      threshold),
                          10, NOW).objection_id


def _independently_verified(receipt: dict[str, object], vkey: str, identity: str) -> None:
    """Check a printed receipt with tlog-scales and hashlib only, reading the tlog-proof text
    as its spec describes it."""
    text = str(receipt["tlog_proof"])
    head, checkpoint_text = text.split("\n\n", 1)
    lines = head.split("\n")
    assert lines[0] == "c2sp.org/tlog-proof@v1"
    assert lines[1].startswith("extra ") and lines[2] == f"index {receipt['leaf_index']}"
    entry = base64.b64decode(lines[1][len("extra "):])
    hashes = [base64.b64decode(line) for line in lines[3:]]
    assert [base64.b64encode(h).decode() for h in hashes] == receipt["inclusion_proof"]
    checkpoint = tlog.Checkpoint.from_text(checkpoint_text)
    checkpoint.verify(signing.Vkey.from_string(vkey))
    assert checkpoint.size == receipt["tree_size"]
    tlog.InclusionProof(int(str(receipt["leaf_index"])), checkpoint.size, hashes).check(
        tiles.leaf_hash(entry), checkpoint.root_hash)
    # the entry holds the commitment, and the commitment is this identity's with this salt
    payload = json.loads(entry)["payload"]
    assert payload["commitment"] == receipt["commitment"]
    salt = base64.b64decode(str(receipt["salt"]))
    recomputed = hashlib.sha256(b"\x00".join([b"daylight/voice/v1", b"objection",
                                              str(receipt["objection_id"]).encode(),
                                              identity.encode(), salt])).digest()
    assert base64.b64encode(recomputed).decode() == receipt["commitment"]


def test_signers_get_receipts_an_independent_verifier_accepts(
        voice: Database, log: TransparencyLog, catalog: Catalog, keys: VoiceKeys,
        signer: Signer) -> None:
    filed = file_objection(voice, log, catalog, keys, ObjectionRequest(
        "Filer@Provider.example", "capability:biometric_identification", "SYNTHETIC", 5), 10, NOW)
    vkey = signer.verifier().vkey
    _independently_verified(filed.receipt.to_json(), vkey, "filer@provider.example")
    receipts = [sign_objection(voice, log, keys, SignatureRequest(filed.objection_id,
                                                                  f"e{i}@provider.example"), NOW)
                for i in range(3)]
    for i, receipt in enumerate(receipts):
        printed = receipt.to_json()
        _independently_verified(printed, vkey, f"e{i}@provider.example")
        parsed = Receipt.from_json(json.loads(json.dumps(printed)))
        assert parsed == receipt  # round trip
        verify_receipt(parsed, f"e{i}@provider.example", vkey)
        with pytest.raises(ProofError, match="not this identity's"):
            verify_receipt(parsed, "someone.else@provider.example", vkey)
    # a receipt stays valid as the log grows: its checkpoint is the one it was issued with
    sign_objection(voice, log, keys, SignatureRequest(filed.objection_id, "late@provider.example"),
                   NOW)
    _independently_verified(receipts[0].to_json(), vkey, "e0@provider.example")
    tampered = dict(receipts[0].to_json(), salt=base64.b64encode(b"x" * 32).decode())
    with pytest.raises(ProofError):
        verify_receipt(Receipt.from_json(tampered), "e0@provider.example", vkey)


def test_the_threshold_opens_a_review_and_the_review_is_resolved_once(
        voice: Database, log: TransparencyLog, catalog: Catalog, keys: VoiceKeys) -> None:
    objection_id = _file(voice, log, catalog, keys, threshold=3)
    with pytest.raises(ConflictError, match="review has not opened"):
        resolve_objection(voice, log, keys, ResolutionRequest(objection_id, "r@provider.example",
                                                              "none", "too early"), NOW)
    sign_objection(voice, log, keys, SignatureRequest(objection_id, "a@provider.example"), NOW)
    assert show_objection(voice, objection_id).status == "open"
    sign_objection(voice, log, keys, SignatureRequest(objection_id, "b@provider.example"), NOW)
    shown = show_objection(voice, objection_id).to_json()
    assert (shown["signatures"], shown["threshold"], shown["status"]) == (3, 3, "review")
    sign_objection(voice, log, keys, SignatureRequest(objection_id, "c@provider.example"), NOW)
    with pytest.raises(ConflictError, match="signer of the objection may not resolve"):
        resolve_objection(voice, log, keys, ResolutionRequest(objection_id, "A@provider.example",
                                                              "x", "y"), NOW)
    resolved = resolve_objection(voice, log, keys, ResolutionRequest(
        objection_id, "ombuds@provider.example", "SYNTHETIC: account suspended", "it broke "
        "the rules"), NOW)
    shown = resolved.to_json()
    assert (shown["status"], shown["outcome"], shown["signatures"]) == (
        "resolved", "SYNTHETIC: account suspended", 4)
    before = counts(voice, log)
    with pytest.raises(ConflictError, match="already resolved"):
        resolve_objection(voice, log, keys, ResolutionRequest(objection_id, "ombuds@provider.example",
                                                              "again", "again"), NOW)
    with pytest.raises(ConflictError, match="resolved"):
        sign_objection(voice, log, keys, SignatureRequest(objection_id, "d@provider.example"), NOW)
    assert counts(voice, log) == before
    types = [json.loads(log.entry(i))["type"] for i in range(log.tree_size())]
    assert types == ["voice.objection", "voice.objection_signature", "voice.objection_signature",
                     "voice.objection_signature", "voice.objection_review",
                     "voice.objection_signature", "voice.objection_resolution"]
    assert [o.status for o in read_objections(voice)] == ["resolved"]
    assert [o.objection_id for o in list_objections(voice)] == [objection_id]


@pytest.mark.parametrize("spelling", ["FILER@provider.example", " filer@provider.example ",
                                      "ｆｉｌｅｒ@provider.example", "filer@PROVIDER.EXAMPLE"])
def test_a_second_signature_under_another_spelling_is_refused(
        voice: Database, log: TransparencyLog, catalog: Catalog, keys: VoiceKeys,
        spelling: str) -> None:
    objection_id = _file(voice, log, catalog, keys)
    before = counts(voice, log)
    with pytest.raises(ConflictError, match="already signed"):
        sign_objection(voice, log, keys, SignatureRequest(objection_id, spelling), NOW)
    assert counts(voice, log) == before
    assert show_objection(voice, objection_id).signatures == 1


@pytest.mark.parametrize("by, about, statement, threshold, error, match", [
    ("", "account:SYNTHETIC-shop", "s", None, InputError, "empty"),
    ("   ", "account:SYNTHETIC-shop", "s", None, InputError, "empty"),
    ("a\x07b@provider.example", "account:SYNTHETIC-shop", "s", None, InputError, "control"),
    ("a\u200bb@provider.example", "account:SYNTHETIC-shop", "s", None, InputError, "invisible"),
    ("a b@provider.example", "account:SYNTHETIC-shop", "s", None, InputError, "white space"),
    ("e@provider.example", "account:SYNTHETIC-nobody", "s", None, NotFoundError, "no account"),
    ("e@provider.example", "organization:SYNTHETIC-none", "s", None, NotFoundError,
     "no organization"),
    ("e@provider.example", "capability:mind_reading", "s", None, NotFoundError, "no capability"),
    ("e@provider.example", "declaration:decl-0", "s", None, NotFoundError, "no declaration"),
    ("e@provider.example", "policy:no-such-pack/rule", "s", None, NotFoundError, "no policy"),
    ("e@provider.example", "customer:SYNTHETIC-shop", "s", None, InputError, "KIND:ID"),
    ("e@provider.example", "account:", "s", None, InputError, "an id"),
    ("e@provider.example", "account:SYNTHETIC-shop", "x" * (MAX_STATEMENT_CHARS + 1), None,
     InputError, "at most 4000"),
    ("e@provider.example", "account:SYNTHETIC-shop", " ", None, InputError, "statement"),
    ("e@provider.example", "account:SYNTHETIC-shop", "a\x00b", None, InputError, "control"),
    ("e@provider.example", "account:SYNTHETIC-shop", "s", 0, InputError, "from 1"),
])
def test_bad_objections_are_refused_and_nothing_is_written(
        voice: Database, log: TransparencyLog, catalog: Catalog, keys: VoiceKeys, by: str,
        about: str, statement: str, threshold: int | None, error: type[Exception],
        match: str) -> None:
    before = counts(voice, log)
    with pytest.raises(error, match=match) as caught:
        _file(voice, log, catalog, keys, about, threshold, by, statement)
    assert "\n" not in str(caught.value)
    assert counts(voice, log) == before


def test_objections_about_policies_and_declarations_name_what_exists(
        voice: Database, log: TransparencyLog, catalog: Catalog, keys: VoiceKeys) -> None:
    _file(voice, log, catalog, keys, "policy:employee-demands")
    _file(voice, log, catalog, keys, "policy:azure-face-limited-access/not-by-or-for-us-police")
    declaration_id = declare(voice, log, catalog, DeclarationRequest(
        "SYNTHETIC-office", "biometric_identification",
        declaration_file("touchless_access_control")), NOW).declaration_id
    _file(voice, log, catalog, keys, f"declaration:{declaration_id}")
    _file(voice, log, catalog, keys, "organization:SYNTHETIC-org-SYNTHETIC-office")
    assert sorted(o.about.kind for o in list_objections(voice)) == [
        "declaration", "organization", "policy", "policy"]


def test_the_review_key_holder_alone_reads_who_signed(
        voice: Database, log: TransparencyLog, catalog: Catalog, keys: VoiceKeys,
        review_key: ReviewKey) -> None:
    objection_id = _file(voice, log, catalog, keys, by="Filer@provider.example")
    sign_objection(voice, log, keys, SignatureRequest(objection_id, "Second@provider.example"), NOW)
    records = unseal_signers(voice, objection_id, review_key.private)
    assert [(r.position, r.identity, r.commitment_matches) for r in records] == [
        (1, "filer@provider.example", True), (2, "second@provider.example", True)]
    _, other = generate_review_key()
    with pytest.raises(Exception, match="does not open"):
        unseal_signers(voice, objection_id, other)


def test_refusals_are_counted_and_never_named(
        voice: Database, log: TransparencyLog, catalog: Catalog, keys: VoiceKeys) -> None:
    for who in ("a@provider.example", "b@provider.example"):
        recorded = record_refusal(voice, log, catalog, keys, RefusalRequest(
            who, "account:SYNTHETIC-eu-police", "SYNTHETIC: I will not build this"), NOW)
    assert recorded.to_json()["refusals"] == 2
    before = counts(voice, log)
    with pytest.raises(ConflictError, match="already recorded"):
        record_refusal(voice, log, catalog, keys, RefusalRequest(
            "A@Provider.example", "account:SYNTHETIC-eu-police"), NOW)
    with pytest.raises(NotFoundError):
        record_refusal(voice, log, catalog, keys, RefusalRequest("c@provider.example",
                                                                 "account:nobody"), NOW)
    assert counts(voice, log) == before
    [count] = read_refusal_counts(voice)
    assert count.to_json()["about"] == "account:SYNTHETIC-eu-police" and count.refusals == 2
    text = b"".join(log.entry(i) for i in range(log.tree_size()))
    assert b"provider.example" not in text and b"will not build" not in text


@pytest.mark.parametrize("setting, employees, expected", [("10", None, 10), ("2%", 1000, 20),
                                                           ("2%", 10, 1), ("0.5%", 1001, 6)])
def test_the_threshold_setting_is_a_number_or_a_share(setting: str, employees: int | None,
                                                      expected: int) -> None:
    assert default_threshold(setting, employees) == expected


def test_a_share_without_an_employee_count_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="employee_count"):
        default_threshold("2%", None)


@pytest.mark.parametrize("text, canonical", [
    ("A.Kim@Provider.Example", "a.kim@provider.example"),
    ("  a.kim@provider.example\t", "a.kim@provider.example"),
    ("ａ.ｋｉｍ@provider.example", "a.kim@provider.example"),
    ("STRASSE@provider.example", "strasse@provider.example"),
    ("straße@provider.example", "strasse@provider.example"),
])
def test_the_canonical_identity(text: str, canonical: str) -> None:
    assert canonical_identity(text) == canonical
