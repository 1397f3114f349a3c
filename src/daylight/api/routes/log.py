"""The transparency log for its readers: the checkpoint and tiles in the C2SP tlog-tiles layout
(``flows/mirror.py``), inclusion and consistency proofs, and ``tlog-proof`` receipts.

Content types and caching follow tlog-tiles: the checkpoint is ``text/plain; charset=utf-8`` and
never cached (it changes with every integration); tiles and entry bundles are
``application/octet-stream``, full ones cached for a year as immutable, partial ones briefly.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel
from starlette.responses import Response

from daylight.api.routes.resources import ERROR_RESPONSES, HomeDep
from daylight.core.errors import InputError
from daylight.flows.mirror import MirrorFile, checkpoint_text, read_tile, tlog_proof

router = APIRouter(tags=["log"], responses=ERROR_RESPONSES)

MAX_INDEX = 2**63 - 1
IMMUTABLE = "public, max-age=31536000, immutable"
PARTIAL = "public, max-age=60"
TEXT = "text/plain; charset=utf-8"
TILE = "application/octet-stream"
Size = Annotated[int, Query(ge=0, le=MAX_INDEX)]


def _tile_response(file: MirrorFile) -> Response:
    return Response(file.data, media_type=TILE,
                    headers={"cache-control": IMMUTABLE if file.full else PARTIAL})


_TEXT_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {TEXT: {"schema": {"type": "string"}}}}}
_TILE_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {TILE: {"schema": {"type": "string", "format": "binary"}}}}}


@router.get("/checkpoint", summary="The latest signed checkpoint", response_class=Response,
            responses=_TEXT_ANSWER)
def get_checkpoint(home: HomeDep) -> Response:
    """The latest checkpoint as a C2SP signed note, with the witnesses' cosignatures."""
    return Response(checkpoint_text(home.log()), media_type=TEXT)


@router.get("/tile/entries/{index:path}", summary="An entry bundle", response_class=Response,
            responses=_TILE_ANSWER)
def get_entry_bundle(index: Annotated[str, Path(description="N, or N.p/W for a partial bundle "
                                                "(N in x-prefixed three-digit groups)")],
                     home: HomeDep) -> Response:
    """Entry bundle N (each entry as a big-endian uint16 length and its bytes)."""
    return _tile_response(read_tile(home.log(), f"tile/entries/{index}"))


@router.get("/tile/{level}/{index:path}", summary="A hash tile", response_class=Response,
            responses=_TILE_ANSWER)
def get_tile(level: Annotated[str, Path(description="The tile level: 0, 1, ...")],
             index: Annotated[str, Path(description="N, or N.p/W for a partial tile")],
             home: HomeDep) -> Response:
    """Hash tile N of a level: up to 256 32-byte hashes."""
    return _tile_response(read_tile(home.log(), f"tile/{level}/{index}"))


class InclusionProofOut(BaseModel):
    """An inclusion proof (hashes in base64), as `daylight log prove inclusion` prints it."""

    leaf_index: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    proof: list[str]


class ConsistencyProofOut(BaseModel):
    """A consistency proof (hashes in base64), as `daylight log prove consistency` prints it."""

    old_size: int
    new_size: int
    old_root: str
    new_root: str
    proof: list[str]


@router.get("/v1/log/proofs/inclusion", summary="An inclusion proof")
def get_inclusion_proof(home: HomeDep, leaf_index: Size,
                        tree_size: Annotated[int | None, Query(ge=0, le=MAX_INDEX)] = None,
                        ) -> InclusionProofOut:
    """Prove the entry at `leaf_index` is in the tree of `tree_size` (default: the latest)."""
    answer = home.log().inclusion_proof(leaf_index, tree_size)
    return InclusionProofOut.model_validate(answer.to_json())


@router.get("/v1/log/proofs/consistency", summary="A consistency proof")
def get_consistency_proof(home: HomeDep, old_size: Size,
                          new_size: Annotated[int | None, Query(ge=0, le=MAX_INDEX)] = None,
                          ) -> ConsistencyProofOut:
    """Prove the tree of `old_size` is a prefix of the tree of `new_size` (default: latest)."""
    answer = home.log().consistency_proof(old_size, new_size)
    return ConsistencyProofOut.model_validate(answer.to_json())


@router.get("/v1/log/entries/{index}/tlog-proof", summary="A tlog-proof receipt for an entry",
            response_class=Response, responses=_TEXT_ANSWER)
def get_tlog_proof(index: Annotated[int, Path(ge=0, le=MAX_INDEX)], home: HomeDep,
                   tree_size: Annotated[int | None, Query(ge=1, le=MAX_INDEX)] = None) -> Response:
    """The entry, its inclusion proof and the checkpoint (of `tree_size`, default the latest)
    as a `c2sp.org/tlog-proof@v1` text, checkable offline with the log's key."""
    if tree_size is not None and index >= tree_size:
        raise InputError(f"entry {index} is not in a tree of size {tree_size}", where="index")
    return Response(tlog_proof(home.log(), index, tree_size), media_type=TEXT)
