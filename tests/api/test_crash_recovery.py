"""`daylight serve` killed with SIGKILL while it answers decisions, again and again: every
decision it acknowledged (a 200) is in the database after the crash (durable decision records,
group commit). The home's registry and policies are SYNTHETIC."""

from __future__ import annotations

import http.client
import json
import signal
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

from daylight.core.database import Database
from tests.cli.conftest import Cli
from tests.policy.conftest import WORLD, add_registry_accounts
from tests.servers import daylight_command, free_port, serving

KILLS = 3
REQUESTS = [("SYNTHETIC-shop", "face.search"), ("SYNTHETIC-police", "face.search"),
            ("SYNTHETIC-shop", "compute.instance"), ("SYNTHETIC-nobody", "face.detect")]
Key = tuple[str, str, str]


def _client(url: str, token: str, stop: threading.Event, acknowledged: Counter[Key],
            lock: threading.Lock, offset: int) -> None:
    n = offset
    while not stop.is_set():
        account, operation = REQUESTS[n % len(REQUESTS)]
        n += 1
        body = json.dumps({"account_id": account, "operation": operation}).encode()
        request = urllib.request.Request(url, data=body,
                                         headers={"content-type": "application/json",
                                                  "authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                decision = json.loads(answer.read())
        except (OSError, ValueError, http.client.HTTPException):
            continue  # refused, reset or cut off by the kill: not acknowledged
        with lock:
            acknowledged[(account, operation, "allow" if decision["allowed"] else "deny")] += 1


def _stored(home: Path) -> Counter[Key]:
    database = Database(f"sqlite:///{home / 'daylight.db'}")
    try:
        with database.transaction(write=False) as tx:
            rows = tx.query("SELECT account_id, operation, outcome, SUM(decisions) "
                            "FROM policy_decision_count GROUP BY account_id, operation, outcome")
    finally:
        database.close()
    return Counter({(str(a), str(o), str(c)): int(n) for a, o, c, n in rows})


def test_nothing_acknowledged_is_lost_when_the_service_is_killed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    cli = Cli(home, None)
    cli("init", "--origin", "crash.daylight.invalid/log")
    database = Database(f"sqlite:///{home / 'daylight.db'}")
    add_registry_accounts(database, WORLD)
    database.close()
    cli("policy", "publish", "employee-demands")
    gateway = cli("token", "create", "--role", "gateway").stdout.splitlines()[-1]
    acknowledged: Counter[Key] = Counter()
    lock = threading.Lock()
    for round_number in range(KILLS):
        port = free_port()
        command = daylight_command(home, "serve", "--port", str(port), "--durable-decisions")
        with serving(command, port, tmp_path / f"serve-{round_number}.stderr") as server:
            stop = threading.Event()
            clients = [threading.Thread(target=_client, args=(
                f"{server.url}/v1/decisions", gateway, stop, acknowledged, lock, i))
                for i in range(8)]
            for client in clients:
                client.start()
            time.sleep(1.0 + 0.37 * round_number)  # killed mid-stream, at a different moment
            server.process.send_signal(signal.SIGKILL)
            server.process.wait(timeout=30)
            stop.set()
            for client in clients:
                client.join(timeout=30)
        assert server.process.returncode == -signal.SIGKILL
        stored = _stored(home)
        assert sum(acknowledged.values()) > 0, server.errors()
        lost = {key: n - stored[key] for key, n in acknowledged.items() if stored[key] < n}
        assert not lost, f"round {round_number}: acknowledged but not stored: {lost}"
