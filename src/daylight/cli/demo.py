"""`daylight demo`: build a small world end to end and show that it verifies.

For now the world is the transparency log alone: create a home, append SYNTHETIC sample
entries in two batches, print the signed checkpoint and a verified inclusion proof, export the
log as a static mirror and verify it, including consistency with the first checkpoint.
"""

from __future__ import annotations

import base64
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.panel import Panel

from daylight.core.database import Database, migrate
from daylight.core.errors import ConflictError
from daylight.home import all_migrations
from daylight.log import merkle
from daylight.log.export import export_mirror
from daylight.log.note import Signer
from daylight.log.proof import verify_consistency, verify_inclusion
from daylight.log.service import TransparencyLog
from daylight.log.verifier import verify_mirror

MARKER = ".daylight-demo"
DEMO_ORIGIN = "demo.daylight.invalid/log"


def _prepare(out: Path) -> None:
    if out.exists():
        if not (out / MARKER).is_file():
            raise ConflictError(f"`{out}` exists and is not a Daylight demo directory: "
                                "refusing to overwrite it")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("SYNTHETIC: written by `daylight demo`; safe to delete.\n")


def _sample_entries(start: int, count: int) -> list[dict[str, object]]:
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    return [
        {"type": "demo.sample", "time": now, "synthetic": True,
         "payload": {"note": f"SYNTHETIC sample entry {start + i}: not a real organisation's data"}}
        for i in range(count)
    ]


def demo(
    out: Annotated[Path, typer.Option(help="Directory for the demo's home and mirror; "
                                           "replaced if it holds an earlier demo.")] = Path("daylight-demo"),
    entries: Annotated[int, typer.Option(min=2, help="How many sample entries to append.")] = 1000,
) -> None:
    """Run the main job on the embedded SQLite default and show the results."""
    console = Console()
    _prepare(out)
    home = out / "home"
    home.mkdir()
    signer = Signer.generate(DEMO_ORIGIN)
    (home / "log.key").touch(mode=0o600)
    (home / "log.key").write_text(signer.to_skey() + "\n")
    with Database(f"sqlite:///{home / 'daylight.db'}") as database:
        migrate(database, all_migrations())
        log = TransparencyLog.create(database, signer)
        first_batch = entries // 3
        log.append(_sample_entries(0, first_batch))
        first_checkpoint = log.checkpoint()
        result = log.append(_sample_entries(first_batch, entries - first_batch))
        latest = log.checkpoint()
        console.print(Panel(latest.note.rstrip("\n"), title="signed checkpoint (C2SP)",
                            subtitle=signer.verifier().vkey))

        index = result.first_index + (result.count // 2)
        answer = log.inclusion_proof(index)
        leaf = merkle.leaf_hash(log.entry(index))
        verify_inclusion(index, answer.tree_size, leaf, answer.proof, latest.root_hash)
        console.print(f"entry {index}: {log.entry(index).decode()}")
        console.print(f"[green]✓[/] inclusion proof of entry {index} in tree of size "
                      f"{answer.tree_size}: {len(answer.proof)} hashes, verified against the root")

        consistency = log.consistency_proof(first_checkpoint.tree_size, latest.tree_size)
        verify_consistency(consistency.old_size, consistency.new_size, first_checkpoint.root_hash,
                           latest.root_hash, consistency.proof)
        console.print(f"[green]✓[/] consistency proof from size {consistency.old_size} to "
                      f"{consistency.new_size}: {len(consistency.proof)} hashes, verified")

        mirror = out / "mirror"
        export_mirror(log, mirror)
        report = verify_mirror(mirror, signer.verifier(), since=first_checkpoint.note)
        console.print(f"[green]✓[/] mirror {mirror}: {report.entries_checked} entries and every "
                      f"tile verified; consistent with the checkpoint of size "
                      f"{report.consistent_with}")
        console.print(f"root hash {base64.b64encode(report.root_hash).decode()}")
    console.print(f"SYNTHETIC demo data in {out}: re-run with "
                  f"`daylight --home {home} log verify {mirror}`")
