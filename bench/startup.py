"""Start-up time of the command line: `daylight --help` and `daylight log checkpoint`.

Each command runs N times as a fresh process: wall clock (median and best) and the median CPU
time (user + system, which other work on the machine disturbs less). For scale, so do a bare
interpreter (`python -c pass`) and a typer app with one option, the floor any typer command line
pays (typer 0.29 imports pydantic to convert option values), and that app's `--help` (typer's
Rich help formatter: no pydantic, but rich and markdown-it). Bytecode is cached before timing
(one warm-up run), as in an installed package: the environment's PYTHONDONTWRITEBYTECODE is
dropped for the measured processes. `--before SRC` also times another checkout's `src` (e.g.
`git archive main src | tar -x -C /tmp/before`) run by the same interpreter, each of its runs
alternating with one of this tree's, so that both see the same load. Target: under 0.3 s each.

Run from the repository root: .venv/bin/python -m bench.startup [--runs N] [--before SRC]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TYPER_FLOOR = """
import typer
app = typer.Typer()
@app.command()
def main(count: int = 0) -> None:
    print(count)
app(ARGS)
"""


def machine() -> str:
    load = os.getloadavg()
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, load average {load[0]:.2f} at start")


def environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith("DAYLIGHT_")}


def timed(commands: list[tuple[list[str], dict[str, str]]], runs: int
          ) -> list[tuple[float, float, float]]:
    """Median and best wall-clock seconds, and median CPU seconds (user + system, which other
    work on the machine disturbs less), of each command over ``runs`` alternating runs, after one
    warm-up run of each."""
    for command, env in commands:
        subprocess.run(command, env=env, check=True, capture_output=True)
    walls: list[list[float]] = [[] for _ in commands]
    cpus: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for (command, env), wall, cpu in zip(commands, walls, cpus, strict=True):
            used = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True)
            wall.append(time.perf_counter() - start)
            now = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(now.ru_utime + now.ru_stime - used.ru_utime - used.ru_stime)
    return [(statistics.median(w), min(w), statistics.median(c)) for w, c in zip(walls, cpus, strict=True)]


def ms(figures: tuple[float, float, float]) -> str:
    return " | ".join(f"{f * 1000:.0f} ms" for f in figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--before", type=Path, help="Another checkout's src directory to compare.")
    args = parser.parse_args()
    python = sys.executable
    daylight = str(Path(python).parent / "daylight")
    launcher = "import sys; from daylight.cli.main import main; sys.argv[0] = 'daylight'; main()"
    print(f"machine: {machine()}")
    print(f"daylight: {daylight}; {args.runs} runs each after one warm-up, wall clock")
    with tempfile.TemporaryDirectory() as scratch:
        home = str(Path(scratch) / "home")
        subprocess.run([daylight, "--home", home, "init", "--origin", "startup.daylight.invalid/log"],
                       env=environment(), check=True, capture_output=True)
        rows = [
            ("`python -c pass` (the interpreter alone)", [python, "-c", "pass"], False),
            ("a one-option typer app (the floor of a typer CLI)",
             [python, "-c", TYPER_FLOOR.replace("ARGS", '["--count", "1"]')], False),
            ("its `--help` (typer's Rich help: the floor of `daylight --help`)",
             [python, "-c", TYPER_FLOOR.replace("ARGS", '["--help"]')], False),
            ("`daylight --help`", ["--help"], True),
            ("`daylight log checkpoint` (SQLite home, empty log)",
             ["--home", home, "log", "checkpoint"], True),
        ]
        before = {**environment(), "PYTHONPATH": str(args.before)} if args.before else None
        print("| command | median | best | CPU |"
              + (" before: median | before: best | before: CPU |" if before else ""))
        print("|---|---|---|---|" + ("---|---|---|" if before else ""))
        for name, command, is_daylight in rows:
            commands = [([daylight, *command] if is_daylight else command, environment())]
            if before is not None and is_daylight:
                commands.append(([python, "-c", launcher, *command], before))
            figures = timed(commands, args.runs)
            line = f"| {name} | {ms(figures[0])} |"
            if before is not None:
                line += f" {ms(figures[1])} |" if len(figures) > 1 else " | | |"
            print(line, flush=True)
    print("target: under 300 ms each for `daylight --help` and `daylight log checkpoint`")


if __name__ == "__main__":
    main()
