"""A serving worker is set up for a short latency tail while it serves, and put back after; the
decision answer's body, encoded once per distinct decision, is the decision's JSON."""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import threading
from pathlib import Path

from daylight.api.app import create_app
from daylight.api.durable import FlushTurn
from daylight.api.worker import SWITCH_INTERVAL_S, worker_tuning
from daylight.core.database import Database, migrate
from daylight.home import all_migrations
from daylight.policy.decision import Decision, Reason
from daylight.policy.gate import Gate
from tests.api.conftest import call_gateway


def test_worker_tuning_freezes_start_up_objects_and_shortens_the_switch_interval() -> None:
    before = sys.getswitchinterval()
    long_lived = [[n] for n in range(3)]  # made before: frozen, out of every collection's walk
    with worker_tuning():
        assert sys.getswitchinterval() == SWITCH_INTERVAL_S
        assert gc.get_freeze_count() > 0
        assert not any(o is long_lived for o in gc.get_objects())
        made_after = [[n] for n in range(3)]
        assert any(o is made_after for o in gc.get_objects())
    assert sys.getswitchinterval() == before
    assert gc.get_freeze_count() == 0
    assert any(o is long_lived for o in gc.get_objects())


def test_a_tuned_service_is_tuned_only_while_it_runs(gate: Gate) -> None:
    app = create_app(gate=gate, tune_worker=True)
    before = sys.getswitchinterval()

    async def run() -> tuple[float, int]:
        async with app.api.router.lifespan_context(app.api):
            return sys.getswitchinterval(), gc.get_freeze_count()

    during, frozen = asyncio.run(run())
    assert during == SWITCH_INTERVAL_S and frozen > 0
    assert sys.getswitchinterval() == before and gc.get_freeze_count() == 0
    untuned = create_app(gate=gate)

    async def run_untuned() -> float:
        async with untuned.api.router.lifespan_context(untuned.api):
            return sys.getswitchinterval()

    assert asyncio.run(run_untuned()) == before


def test_answer_bodies_are_the_decisions_json_for_each_distinct_decision(gate: Gate) -> None:
    app = create_app(gate=gate)
    bodies = set()
    for account, operation in [("SYNTHETIC-police", "face.search"), ("SYNTHETIC-shop", "face.search"),
                               ("SYNTHETIC-police", "face.search"), ("SYNTHETIC-nobody", "face.search")]:
        response = call_gateway(app, "POST", "/v1/decisions",
                                json={"account_id": account, "operation": operation})
        expected = gate.engine.decide(account, operation).to_json()
        assert response.json() == expected
        assert response.content == json.dumps(expected).encode()
        bodies.add(response.content)
    assert len(bodies) == 3
    # two equal decisions that are different objects each get their own, equal, body
    first = Decision(False, (Reason("p", "why"),), 1)
    second = Decision(False, (Reason("p", "why"),), 1)
    assert app._answer_body(first) == app._answer_body(second) == json.dumps(first.to_json()).encode()
    other = Decision(True, (), 2)
    assert json.loads(app._answer_body(other)) == other.to_json()


def test_flushes_take_turns_across_processes_on_one_sqlite_file(tmp_path: Path) -> None:
    """A second writer waits for the first one's turn to end (each turn opens the file anew,
    as another worker process would), and is let in as soon as it does."""
    database = Database(f"sqlite:///{tmp_path / 'turns.db'}")
    migrate(database, all_migrations())
    first, second = FlushTurn(database), FlushTurn(database)
    entered = threading.Event()
    order: list[str] = []

    def wait_for_turn() -> None:
        with second.held():
            order.append("second")
            entered.set()

    with first.held():
        waiter = threading.Thread(target=wait_for_turn)
        waiter.start()
        assert not entered.wait(0.3)  # blocked while the first holds its turn
        order.append("first done")
    assert entered.wait(5)
    waiter.join()
    assert order == ["first done", "second"]
    database.close()


def test_flush_turns_are_a_no_op_without_a_database_file(database: Database) -> None:
    """PostgreSQL's writers do not exclude each other, and a database in memory has no file
    and no other process: taking a turn there never waits (nested turns would block)."""
    assert (FlushTurn(database).path is None) == (database.dialect == "postgresql")
    memory = Database("sqlite:///:memory:")
    for owner in ([database] if database.dialect == "postgresql" else []) + [memory]:
        with FlushTurn(owner).held(), FlushTurn(owner).held():
            pass
    memory.close()
