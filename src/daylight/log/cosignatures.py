"""The log's side of witnessing: ask witnesses to cosign the latest checkpoint (C2SP
tlog-witness ``add-checkpoint``), keep the cosignature lines they return, and give the
checkpoint with them (what ``log export`` publishes, so that readers can require a quorum).

A witness that does not know the log's latest size answers 409 with the size it cosigned last;
the log then sends a consistency proof from that size, once. The transport is a seam
(``Transport``): ``http_post`` speaks HTTP with the standard library; tests may pass another.
A witness's answer is kept as received: checking a cosignature needs the witness's key, which
the reader holds (``verify_cosignatures``), not the log.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from daylight.core.clock import Clock, utc_now, utc_text
from daylight.core.errors import DaylightError, InputError
from daylight.core.urls import http_url
from daylight.log.note import Note, NoteSignature
from daylight.log.service import TransparencyLog
from daylight.log.store import StoredCheckpoint
from daylight.log.witness import (
    SIZE_CONTENT_TYPE,
    AddCheckpoint,
    OldSizeConflictError,
    WitnessService,
)
from daylight.log.witness_store import CollectedCosignature, WitnessStore

Transport = Callable[[str, bytes], tuple[int, str, bytes]]
"""POST ``body`` to a URL; returns (status, content type, body). Raises OSError if unreachable."""

TIMEOUT_S = 10.0
MAX_ANSWER_BYTES = 64 * 1024


def verify_witness_url(url: str) -> str:
    """``url`` if it is an http(s) URL prefix with a host and no credentials (they would be
    printed and stored with the witness's answers), else InputError naming ``--witness``."""
    http_url(url, where="--witness")
    return url


def http_post(url: str, body: bytes) -> tuple[int, str, bytes]:
    """POST with the standard library, at most ``TIMEOUT_S`` seconds, answers up to 64 KiB;
    InputError for a URL that ``verify_witness_url`` refuses."""
    import urllib.error  # with http.client and ssl, ~10 ms: loaded when a witness is asked
    import urllib.request

    verify_witness_url(url)
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"content-type": "text/plain; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return (response.status, response.headers.get("content-type", ""),
                    response.read(MAX_ANSWER_BYTES))
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("content-type", ""), error.read(MAX_ANSWER_BYTES)


def local_transport(service: WitnessService) -> Transport:
    """A transport to a witness running in this process (the demo's), answering what its HTTP
    service would: 200 and the cosignature line, 409 and the size it cosigned last, or the
    refusal's status and message."""

    def post(url: str, body: bytes) -> tuple[int, str, bytes]:
        try:
            return 200, "text/plain; charset=utf-8", service.add_checkpoint(body).encode()
        except OldSizeConflictError as error:
            return 409, SIZE_CONTENT_TYPE, f"{error.latest_size}\n".encode()
        except DaylightError as error:
            return error.status, "text/plain; charset=utf-8", error.message.encode()

    return post


@dataclass(frozen=True)
class WitnessAnswer:
    """What one witness answered for one checkpoint."""

    url: str
    tree_size: int
    cosigned: bool
    status: int | None
    witnesses: tuple[str, ...] = ()
    error: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"url": self.url, "tree_size": self.tree_size, "cosigned": self.cosigned,
                "status": self.status, "witnesses": list(self.witnesses), "error": self.error}


def _add_checkpoint_url(url: str) -> str:
    return url.rstrip("/") + "/add-checkpoint"


def _ask(log: TransparencyLog, checkpoint: StoredCheckpoint, url: str,
         transport: Transport) -> tuple[int, bytes]:
    old_size, proof = 0, tuple[bytes, ...]()
    for _ in range(2):
        request = AddCheckpoint(old_size, proof, checkpoint.note)
        status, content_type, answer = transport(_add_checkpoint_url(url), request.to_body())
        if status != 409 or not content_type.startswith(SIZE_CONTENT_TYPE):
            return status, answer
        text = answer.decode("ascii", "replace").strip()
        if not text.isdigit() or int(text) > checkpoint.tree_size:
            return status, answer  # the witness cosigned a larger tree of this log: a fork
        old_size = int(text)
        proof = log.consistency_proof(old_size, checkpoint.tree_size).proof if old_size else ()
    return status, answer


def collect_cosignatures(log: TransparencyLog, urls: Sequence[str], *,
                         transport: Transport = http_post,
                         clock: Clock = utc_now) -> list[WitnessAnswer]:
    """Ask each witness at ``urls`` to cosign the log's latest checkpoint; keep every
    cosignature returned. One answer per URL, in order; an unreachable witness is an answer
    too (``status`` None)."""
    checkpoint = log.checkpoint()
    answers = []
    for url in urls:
        try:
            status, body = _ask(log, checkpoint, url, transport)
        except OSError as exc:
            answers.append(WitnessAnswer(url, checkpoint.tree_size, False, None,
                                         error=f"unreachable: {exc}"))
            continue
        except InputError as exc:  # the callers check the URLs first: a transport's refusal
            answers.append(WitnessAnswer(url, checkpoint.tree_size, False, None,
                                         error=f"refused: {exc.message}"))
            continue
        if status != 200:
            error = body[:300].decode("utf-8", "replace").strip()
            answers.append(WitnessAnswer(url, checkpoint.tree_size, False, status, error=error))
            continue
        try:
            lines = body.decode("utf-8").splitlines()
            signatures = [NoteSignature.from_line(line) for line in lines if line]
            if not signatures:
                raise InputError("no signature lines")
        except (UnicodeDecodeError, InputError) as exc:
            answers.append(WitnessAnswer(url, checkpoint.tree_size, False, status,
                                         error=f"not cosignature lines: {exc}"))
            continue
        received_at = utc_text(clock())
        with log.database.transaction() as tx:
            store = WitnessStore(tx)
            for signature in signatures:
                store.add_cosignature(CollectedCosignature(
                    checkpoint.tree_size, signature.name, signature.key_hash.hex(),
                    signature.to_line().rstrip("\n"), url, received_at))
        answers.append(WitnessAnswer(url, checkpoint.tree_size, True, status,
                                     tuple(s.name for s in signatures)))
    return answers


@dataclass(frozen=True)
class PublishedCheckpoint:
    """A checkpoint the log signed, with the cosignatures collected and each witness's answer."""

    tree_size: int
    root_hash: bytes
    note: str
    answers: tuple[WitnessAnswer, ...]

    @property
    def refused(self) -> tuple[WitnessAnswer, ...]:
        return tuple(a for a in self.answers if not a.cosigned)

    def to_json(self) -> dict[str, object]:
        """What ``daylight log publish`` prints."""
        return {"tree_size": self.tree_size,
                "root_hash": base64.b64encode(self.root_hash).decode(),
                "checkpoint": self.note, "witnesses": [a.to_json() for a in self.answers]}


def publish_checkpoint(log: TransparencyLog, urls: Sequence[str], *,
                       transport: Transport = http_post) -> PublishedCheckpoint:
    """Sign a checkpoint over every sequenced entry (if there are new ones) and collect the
    cosignatures of the witnesses at ``urls`` on the log's latest checkpoint."""
    log.integrate()
    answers = collect_cosignatures(log, urls, transport=transport)
    checkpoint = log.checkpoint()
    return PublishedCheckpoint(checkpoint.tree_size, checkpoint.root_hash,
                               cosigned_note(log, checkpoint), tuple(answers))


def cosigning_urls(log: TransparencyLog, tree_size: int) -> set[str]:
    """The URLs of the witnesses whose cosignatures of the checkpoint at ``tree_size`` are kept."""
    with log.database.transaction(write=False) as tx:
        return {c.url for c in WitnessStore(tx).cosignatures(tree_size)}


def cosigned_note(log: TransparencyLog, checkpoint: StoredCheckpoint) -> str:
    """The checkpoint's signed note with every cosignature collected for it appended."""
    with log.database.transaction(write=False) as tx:
        collected = WitnessStore(tx).cosignatures(checkpoint.tree_size)
    if not collected:
        return checkpoint.note
    note = Note.from_text(checkpoint.note)
    signatures = list(note.signatures)
    for item in collected:
        signature = NoteSignature.from_line(item.line)
        if signature not in signatures:
            signatures.append(signature)
    return Note(note.text, tuple(signatures)).to_text()
