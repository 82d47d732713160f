"""The long fuzz run: the generators of ``tests/fuzz`` with many more examples.

Runs in-process through the CLI (``tests/fuzz/fuzz_cli.run_cli``):

* the format corpus (``tests/fuzz/corpus.py``): every non-chain and chain seed times
  every mutation class, ``--variants`` draws each, through ``vixshield data import``
  into a store that holds one series; the store is hashed before and after;
* ``--edits`` random byte edits of the seeds (any outcome but a crash; a refusal
  must be located and leave the store unchanged);
* the policy corpus and ``--examples`` Hypothesis draws of ``strategies_policy``
  (if present) through ``vixshield policy check``.

Every outcome is classed: ``refused`` (exit 2, one ``error:`` line naming what it
must, no traceback, store unchanged: the only good outcome), ``accepted`` (exit 0),
``unlocated`` (exit 2 but the line misses the file/line/key or there are several),
``crash`` (a traceback or another exit status), ``store-changed`` (exit 2, yet the
store is not byte-identical). A table of the
outcomes by suite and mutation class is printed, then the cases that were not
refused (up to ``--show``).

Run: ``python benchmarks/fuzz_long.py [--variants 12] [--edits 1000] [--examples 300]
[--seed 1]``
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

FUZZ = Path(__file__).resolve().parents[1] / "tests" / "fuzz"
sys.path.insert(0, str(FUZZ))

from corpus import CHAIN_SEEDS, FIXTURES, SEEDS, FormatCase, format_corpus  # noqa: E402
from fuzz_cli import CliOutcome, run_cli  # noqa: E402

OUTCOMES = ("refused", "accepted", "unlocated", "crash", "store-changed")


def digest(home: Path) -> str:
    """sha256 over every file under ``home`` (path and bytes), logs and locks excluded."""
    h = hashlib.sha256()
    for p in sorted(home.rglob("*")):
        rel = p.relative_to(home)
        if p.is_file() and rel.parts[0] != "logs" and not p.name.endswith(".lock"):
            h.update(str(rel).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def classify(out: CliOutcome, must_name: tuple[str, ...], changed: bool) -> str:
    """One of `OUTCOMES` for a run that had to be refused."""
    if "Traceback" in out.stderr + out.stdout or out.code not in (0, 2):
        return "crash"
    if out.code == 0:
        return "accepted"
    if changed:
        return "store-changed"
    lines = out.error_lines
    if len(lines) != 1 or any(n not in lines[0] for n in must_name):
        return "unlocated"
    return "refused"


Case = tuple[str, str, Callable[[], tuple[CliOutcome, tuple[str, ...], bool]]]


def format_cases(root: Path, variants: int, seed: int) -> Iterator[Case]:
    home = root / "home"
    out = run_cli(["data", "import", str(FIXTURES / "VVIX_History.csv"), "--home", str(home)])
    if out.code != 0:
        raise SystemExit(f"could not build the base store:\n{out.describe()}")

    def runner(case: FormatCase) -> Callable[[], tuple[CliOutcome, tuple[str, ...], bool]]:
        def run() -> tuple[CliOutcome, tuple[str, ...], bool]:
            path = Path(tempfile.mkdtemp(dir=root)) / case.file_name
            path.write_bytes(case.data)
            before = digest(home)
            result = run_cli(["data", "import", str(path), "--home", str(home), *case.args])
            return result, case.must_name, digest(home) != before

        return run

    for chains in (False, True):
        suite = "chain files" if chains else "data files"
        for case in format_corpus(random.Random(seed), variants=variants, chains=chains):
            yield suite, case.klass, runner(case)


def edit_cases(root: Path, examples: int, seed: int) -> Iterator[Case]:
    """Random byte edits of every seed (cut some bytes, insert random bytes or text).

    The edited file may still be valid: ``accepted`` is a fine outcome here; a refusal
    must still be one located line with the store unchanged.
    """
    rng = random.Random(seed)
    home = root / "home"
    names = sorted({s.fixture for s in (*SEEDS, *CHAIN_SEEDS)})
    tokens = [b",", b'"', b"\n", b"\r", b",,,\n", b'"\n"', b"1e999", b"\xef\xbb\xbf", b"\x00"]
    for _ in range(examples):
        name = rng.choice(names)
        data = (FIXTURES / name).read_bytes()
        at = rng.randrange(len(data) + 1)
        kind = rng.randrange(3)
        if kind == 0:
            insert = bytes(rng.randrange(256) for _ in range(rng.randrange(41)))
        elif kind == 1:
            insert = "".join(
                chr(rng.randrange(32, 0x2FFF)) for _ in range(rng.randrange(41))
            ).encode()
        else:
            insert = rng.choice(tokens)
        edited = data[:at] + insert + data[at + rng.randrange(41) :]
        args = ("--as-of", "2026-07-01") if "snapshot" in name else ()

        def run(
            name: str = name, edited: bytes = edited, args: tuple[str, ...] = args
        ) -> tuple[CliOutcome, tuple[str, ...], bool]:
            path = Path(tempfile.mkdtemp(dir=root)) / name
            path.write_bytes(edited)
            before = digest(home)
            result = run_cli(["data", "import", str(path), "--home", str(home), *args])
            return result, (name,), digest(home) != before

        yield "random edits", "byte edit", run


def policy_cases(root: Path, examples: int) -> Iterator[Case]:
    try:
        from strategies_policy import PolicyCase, policy_case, policy_corpus
    except ImportError:
        print("(no tests/fuzz/strategies_policy.py: policy suite skipped)")
        return

    def runner(case: PolicyCase) -> Callable[[], tuple[CliOutcome, tuple[str, ...], bool]]:
        def run() -> tuple[CliOutcome, tuple[str, ...], bool]:
            path = Path(tempfile.mkdtemp(dir=root)) / "policy.toml"
            path.write_bytes(case.data)
            return run_cli(["policy", "check", str(path)]), (str(path), *case.must_name), False

        return run

    for case in policy_corpus():
        yield "policy corpus", case.kind, runner(case)
    if examples:
        from hypothesis import HealthCheck, given, settings

        drawn: list[PolicyCase] = []

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(policy_case())
        def collect(case: PolicyCase) -> None:
            drawn.append(case)

        collect()
        for case in drawn:
            yield "policy hypothesis", case.kind, runner(case)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=12, help="draws per seed and class")
    parser.add_argument("--examples", type=int, default=300, help="Hypothesis policy draws")
    parser.add_argument("--edits", type=int, default=1000, help="random byte edits")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=40, help="failed cases listed")
    parser.add_argument("--skip-policy", action="store_true")
    args = parser.parse_args()
    table: dict[tuple[str, str], Counter[str]] = {}
    failures: list[str] = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["VIXSHIELD_HOME"] = str(root / "default-home")  # crash logs stay in tmp
        suites = [
            format_cases(root, args.variants, args.seed),
            edit_cases(root, args.edits, args.seed),
        ]
        if not args.skip_policy:
            suites.append(policy_cases(root, args.examples))
        for cases in suites:
            for suite, klass, run in cases:
                out, must, changed = run()
                outcome = classify(out, must, changed)
                table.setdefault((suite, klass), Counter())[outcome] += 1
                if outcome != "refused" and not (suite == "random edits" and outcome == "accepted"):
                    line = (out.error_lines or [out.stderr.strip()[-200:] or "(no error line)"])[0]
                    failures.append(f"{suite} / {klass}: {outcome}: {line[:160]}")
    wall = time.perf_counter() - t0
    head = f"{'suite':<18} {'class':<18} {'cases':>6} " + " ".join(f"{o:>13}" for o in OUTCOMES)
    print(head)
    print("-" * len(head))
    total: Counter[str] = Counter()
    for (suite, klass), counts in sorted(table.items()):
        total.update(counts)
        n = sum(counts.values())
        cells = " ".join(f"{counts[o]:>13}" for o in OUTCOMES)
        print(f"{suite:<18} {klass:<18} {n:>6} {cells}")
    print("-" * len(head))
    n = sum(total.values())
    print(f"{'all':<37} {n:>6} " + " ".join(f"{total[o]:>13}" for o in OUTCOMES))
    print(f"{n} cases in {wall:.0f} s; {n - total['refused']} not refused")
    for line in failures[: args.show]:
        print(f"  {line}")


if __name__ == "__main__":
    main()
