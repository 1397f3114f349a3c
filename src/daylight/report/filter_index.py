"""Pagefind's filter index, rewritten in a stable order so that the same pages give the same bytes.

Pagefind 1.5 builds its filter index from hash maps (``hashbrown::HashMap``, seeded at random per
process: its own source says ``TODO: Change filter indexes to BTree to give them a stable hash``),
so each run writes a filter's values, and the list of filters in the language's metadata, in a
different order. The files are named by a hash of their content, so every run also gives them,
the metadata file and ``pagefind-entry.json`` new names. Everything else Pagefind writes (pages,
words, fragments) is already sorted.

``stabilise(bundle)`` runs after Pagefind: it sorts each ``filter/*.pf_filter`` by value and the
metadata's filters (and sorts) by name, and names the rewritten files as Pagefind names them
(``LANG_`` + the first hex digits of its SHA-1 of the CBOR), so the result is what Pagefind would
write if it iterated in order. The files are Pagefind's ``pagefind_dcd`` signature and CBOR
(arrays, text, unsigned integers), gzipped; they are decoded and re-encoded here (shortest
lengths, as Pagefind's encoder writes them), and a file that does not round-trip byte for byte is
an error rather than a guess, so a new Pagefind format is noticed before anything is published.
The rewritten files are gzipped by Python's zlib (level 9, no time stamp): the same pages give the
same bytes on the same installation.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from pathlib import Path
from typing import TypeAlias

from daylight.core.errors import DaylightError

__all__ = ["CborValue", "decode", "encode", "read_index", "stabilise"]

CborValue: TypeAlias = int | str | list["CborValue"]
"""What Pagefind's index files hold: unsigned integers, text and arrays."""

SIGNATURE = b"pagefind_dcd"
_FILTER_DIGITS = 7  # hex digits after `LANG_` in a filter file's name (the metadata's: len(LANG) + 8)


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if value < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, value)
    raise ValueError(f"integer {value} too large for CBOR")


def encode(value: CborValue) -> bytes:
    """CBOR of unsigned integers, text and arrays, with the shortest heads."""
    if isinstance(value, bool) or not isinstance(value, int | str | list):  # typed callers aside
        raise ValueError(f"cannot encode {type(value).__name__}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("negative integer")
        return _head(0, value)
    if isinstance(value, str):
        data = value.encode()
        return _head(3, len(data)) + data
    return _head(4, len(value)) + b"".join(encode(item) for item in value)


def decode(data: bytes) -> CborValue:
    """The one CBOR item of ``data`` (unsigned integers, text, arrays); ValueError otherwise."""
    value, end = _item(data, 0)
    if end != len(data):
        raise ValueError(f"{len(data) - end} bytes after the item")
    return value


def _item(data: bytes, at: int) -> tuple[CborValue, int]:
    major, info = data[at] >> 5, data[at] & 31
    at += 1
    if info < 24:
        length = info
    elif info <= 27:
        size = 1 << (info - 24)
        length = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise ValueError(f"unsupported CBOR head {data[at - 1]:#x}")
    if major == 0:
        return length, at
    if major == 3:
        return data[at : at + length].decode(), at + length
    if major == 4:
        items: list[CborValue] = []
        for _ in range(length):
            item, at = _item(data, at)
            items.append(item)
        return items, at
    raise ValueError(f"unsupported CBOR major type {major}")


def read_index(path: Path) -> CborValue:
    """The value in one of Pagefind's index files (gzip, signature, CBOR); DaylightError naming the
    file when it is not one, or does not re-encode to the same bytes."""
    try:
        raw = gzip.decompress(path.read_bytes())
        if not raw.startswith(SIGNATURE):
            raise ValueError("no pagefind_dcd signature")
        body = raw[len(SIGNATURE):]
        value = decode(body)
        if encode(value) != body:
            raise ValueError("it does not re-encode to the same bytes")
    except (OSError, ValueError, EOFError, IndexError, UnicodeDecodeError) as exc:
        raise DaylightError(f"cannot read Pagefind's index file: {exc}", where=str(path)) from exc
    return value


def _write(folder: Path, prefix: str, digits: int, suffix: str, value: CborValue) -> Path:
    """Write ``value`` gzipped as Pagefind does, named ``prefix`` + the first ``digits`` of its
    hash + ``suffix`` (one more digit while a name is taken, as Pagefind resolves collisions)."""
    body = encode(value)
    digest = _full_hash(body)
    while (path := folder / f"{prefix}{digest[:digits]}{suffix}").exists() and digits < len(digest):
        digits += 1
    path.write_bytes(gzip.compress(SIGNATURE + body, compresslevel=9, mtime=0))
    return path


def _full_hash(data: bytes) -> str:
    # Pagefind writes each byte of the SHA-1 with `{:x?}`: no leading zero.
    return "".join(f"{b:x}" for b in hashlib.sha1(data, usedforsecurity=False).digest())


def _array(value: CborValue, where: Path, *, at_least: int = 0) -> list[CborValue]:
    if not isinstance(value, list) or len(value) < at_least:
        raise DaylightError(f"Pagefind's index is not shaped as Pagefind 1.5 writes it: an array of "
                            f"at least {at_least} items expected", where=str(where))
    return value


def _text(value: CborValue, where: Path) -> str:
    if not isinstance(value, str):
        raise DaylightError("Pagefind's index is not shaped as Pagefind 1.5 writes it: text "
                            "expected", where=str(where))
    return value


def _named(value: CborValue, where: Path) -> list[tuple[str, list[CborValue]]]:
    """``[[name, ...], ...]`` as (name, item) pairs, sorted by name (as UTF-8 bytes)."""
    items = [_array(item, where, at_least=1) for item in _array(value, where)]
    return sorted(((_text(item[0], where), item) for item in items), key=lambda p: p[0].encode())


def stabilise(bundle: Path) -> None:
    """Rewrite the filter index of the Pagefind bundle in ``bundle`` in a stable order (see the
    module's docstring); a bundle without filters is left as it is."""
    entry_path = bundle / "pagefind-entry.json"
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        languages = entry["languages"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DaylightError(f"cannot read Pagefind's entry file: {exc}", where=str(entry_path)) from exc
    changed = False
    for language, about in sorted(languages.items()):
        meta_path = bundle / f"pagefind.{about['hash']}.pf_meta"
        meta = _array(read_index(meta_path), meta_path, at_least=5)
        filters, sorts = _named(meta[3], meta_path), _named(meta[4], meta_path)
        if not filters and len(sorts) < 2:
            continue
        old = {name: bundle / "filter" / f"{_text(item[1], meta_path)}.pf_filter"
               for name, item in filters}
        indexes = {name: _array(read_index(path), path, at_least=2) for name, path in old.items()}
        for path in old.values():
            path.unlink()
        renamed: list[CborValue] = []
        for name in sorted(indexes, key=str.encode):
            index = indexes[name]
            index[1] = [item for _, item in _named(index[1], old[name])]
            path = _write(bundle / "filter", f"{language}_", _FILTER_DIGITS, ".pf_filter", index)
            renamed.append([name, path.name.removesuffix(".pf_filter")])
        meta[3] = renamed
        meta[4] = [item for _, item in sorts]
        meta_path.unlink()
        path = _write(bundle, f"pagefind.{language}_", len(language) + 8, ".pf_meta", meta)
        about["hash"] = path.name.removeprefix("pagefind.").removesuffix(".pf_meta")
        changed = True
    if changed:
        entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")),
                              encoding="utf-8")
