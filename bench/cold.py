"""Fresh-process `archive query`: two checkouts timed in turns on the same index, and where a
fresh process spends its time.

    .venv/bin/python bench/cold.py --index DIR [--index DIR2] [--base REV] [--queries FILE]
                                   [--rounds N] [--no-bytecode]
    .venv/bin/python bench/cold.py --phases --index DIR [--queries FILE] [--base REV]

The first form runs every query of the set (bench/out/queries-N.json, written by bench/run.py)
as a fresh `archive query QUERY --index DIR --limit 10` (the command bench/run.py times, stdout
a pipe), once with the code of REV (default: the merge base with main's history, `git archive`
into a temporary folder) and once with this checkout's src/, alternating which goes first,
and prints per index and checkout the p50/p95/mean of wall and CPU time (user + system of the
child, from wait4), the load average before and after, and whether the two printed the same
hits (the header's time left out; --json: the JSON lines, scores included). Both trees are
byte-compiled first, as an installed package is (this sandbox sets PYTHONDONTWRITEBYTECODE,
so nothing else writes .pyc); --no-bytecode runs both without .pyc for the archive package
(site-packages keep theirs).

--phases runs one fresh process per query with this checkout (or the code of --base REV) and
prints, per phase, the median and p95 of wall and CPU milliseconds: interpreter start (`python
-c pass`), importing the CLI (click), importing search and render (whoosh), opening the index,
planning, ranking (feedback included), the hits' snippets, their versions, rendering.
--limit N takes the first N queries of each kind.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

from run import percentile, query_cli_args  # noqa: E402

PYTHON = sys.executable
# The `archive` console script, with the archive package taken from PYTHONPATH.
ARCHIVE_MAIN = "import sys; from archive.cli import main; sys.argv[0] = 'archive'; main()"
_ELAPSED = re.compile(r" in \d+\.\d+ s")


def default_base() -> str:
    """The commit this branch started from: the merge base with main, else HEAD."""
    for cmd in (["git", "merge-base", "HEAD", "main"], ["git", "rev-parse", "HEAD"]):
        out = subprocess.run(cmd, cwd=REPO_DIR, capture_output=True, text=True, check=False)
        if out.returncode == 0:
            return out.stdout.strip()
    raise SystemExit("bench: not a git checkout")


def extract_tree(rev: str, dest: Path) -> Path:
    """`git archive` the src/ of `rev` into `dest`; return the folder to put on PYTHONPATH."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, "src"], cwd=REPO_DIR, capture_output=True,
        check=True,
    )  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest / "src"


def compile_tree(src: Path) -> None:
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(src / "archive")], check=False,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def drop_bytecode(src: Path) -> None:
    for cache in (src / "archive").rglob("__pycache__"):
        shutil.rmtree(cache)


def run_fresh(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """Run `cmd` once: (wall s, CPU s of the child, exit code, stdout)."""
    out = tempfile.TemporaryFile()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, env=env, cwd=REPO_DIR)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    text = out.read().decode("utf-8", "replace")
    out.close()
    return wall, usage.ru_utime + usage.ru_stime, proc.returncode, text


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "mean": statistics.fmean(values),
    }


def compare(args: argparse.Namespace, queries: list[dict[str, Any]]) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="cold-"))
    try:
        trees = {"base": extract_tree(args.base, tmp), "new": REPO_DIR / "src"}
        for src in trees.values():
            (drop_bytecode if args.no_bytecode else compile_tree)(src)
        envs = {}
        for name, src in trees.items():
            env = dict(os.environ, PYTHONPATH=str(src), PYTHONDONTWRITEBYTECODE="1")
            env.pop("ARCHIVE_INDEX", None)
            envs[name] = env
        results: dict[str, Any] = {"base": args.base, "bytecode": not args.no_bytecode}
        for index in args.index:
            load_before = os.getloadavg()
            runs: dict[str, dict[str, list[Any]]] = {
                n: {"wall": [], "cpu": [], "kind": []} for n in trees
            }
            differ: list[str] = []
            for _ in range(args.rounds):
                for i, q in enumerate(queries):
                    cmd = [PYTHON, "-c", ARCHIVE_MAIN, "query", *query_cli_args(q),
                           "--index", index, "--limit", "10",
                           *(["--json"] if args.json else [])]  # fmt: skip
                    order = list(trees) if i % 2 == 0 else list(trees)[::-1]
                    outputs = {}
                    for name in order:
                        wall, cpu, code, text = run_fresh(cmd, envs[name])
                        if code != 0:
                            raise SystemExit(f"bench: {name} exited {code} on {q['q']!r}")
                        runs[name]["wall"].append(wall)
                        runs[name]["cpu"].append(cpu)
                        runs[name]["kind"].append(q["kind"])
                        outputs[name] = _ELAPSED.sub("", text, count=1)
                    if len(set(outputs.values())) > 1 and q["id"] not in differ:
                        differ.append(q["id"])
            results[index] = {
                "queries": len(queries),
                "rounds": args.rounds,
                "load_before": load_before,
                "load_after": os.getloadavg(),
                "same_output": not differ,
                "differ": differ,
                **{
                    name: {
                        "wall": summary(r["wall"]),
                        "cpu": summary(r["cpu"]),
                        "cpu_by_kind": _by_kind(r["kind"], r["cpu"]),
                    }
                    for name, r in runs.items()
                },
            }
        return results
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _by_kind(kinds: list[Any], values: list[float]) -> dict[str, float]:
    """The median per query kind (en-word, fa-multi, ...)."""
    groups: dict[str, list[float]] = {}
    for kind, value in zip(kinds, values, strict=True):
        groups.setdefault(str(kind), []).append(value)
    return {kind: statistics.median(v) for kind, v in groups.items()}


def print_compare(results: dict[str, Any]) -> None:
    print(f"base {results['base'][:12]} against this checkout; .pyc: {results['bytecode']}")
    for index, r in results.items():
        if not isinstance(r, dict):
            continue
        differ = " " + ",".join(r["differ"]) if r["differ"] else ""
        print(f"{index}: {r['queries']} queries x {r['rounds']}, load "
              f"{r['load_before'][0]:.2f} -> {r['load_after'][0]:.2f}; same output: "
              f"{r['same_output']}{differ}")  # fmt: skip
        for name in ("base", "new"):
            w, c = r[name]["wall"], r[name]["cpu"]
            print(f"  {name:4}  wall p50 {w['p50']:.3f}  p95 {w['p95']:.3f}  "
                  f"mean {w['mean']:.3f}   CPU p50 {c['p50']:.3f}  p95 {c['p95']:.3f}  "
                  f"mean {c['mean']:.3f} s")  # fmt: skip
        kinds = r["base"]["cpu_by_kind"]
        print("  CPU p50 by kind, base -> new: " + ", ".join(
            f"{k} {kinds[k]:.3f}->{r['new']['cpu_by_kind'][k]:.3f}" for k in kinds))  # fmt: skip


# --------------------------------------------------------------------------- phases

PHASES = ("interpreter", "import cli", "import search", "open index", "plan", "rank",
          "snippets", "versions", "render")  # fmt: skip
# bench/cold_child.py prints the phases after "interpreter", in this order.


def phases(args: argparse.Namespace, queries: list[dict[str, Any]]) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="cold-"))
    try:
        src = extract_tree(args.base, tmp) if args.base else REPO_DIR / "src"
        print(f"code: {args.base or 'this checkout'}")
        _phases(args, queries, src)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _phases(args: argparse.Namespace, queries: list[dict[str, Any]], src: Path) -> None:
    compile_tree(src)
    env = dict(os.environ, PYTHONPATH=str(src))
    for index in args.index:
        by_phase: dict[str, list[tuple[float, float]]] = {p: [] for p in PHASES}
        load_before = os.getloadavg()
        for q in queries:
            wall, cpu, _, _ = run_fresh([PYTHON, "-c", "pass"], env)
            by_phase["interpreter"].append((1000 * wall, 1000 * cpu))
            cmd = [PYTHON, str(BENCH_DIR / "cold_child.py"), index, *query_cli_args(q)]
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
            for name, (w, c) in json.loads(out.stdout.strip().splitlines()[-1]).items():
                by_phase[name].append((w, c))
        print(f"{index}: {len(queries)} fresh processes, load {load_before[0]:.2f} -> "
              f"{os.getloadavg()[0]:.2f} (ms: wall p50 / p95, CPU p50 / p95)")  # fmt: skip
        total_w = total_c = 0.0
        for name in PHASES:
            w = [v[0] for v in by_phase[name]]
            c = [v[1] for v in by_phase[name]]
            total_w += statistics.median(w)
            total_c += statistics.median(c)
            print(f"  {name:14} {statistics.median(w):7.1f} / {percentile(w, 95):7.1f}"
                  f"   {statistics.median(c):7.1f} / {percentile(c, 95):7.1f}")  # fmt: skip
        print(f"  {'sum of p50s':14} {total_w:7.1f}             {total_c:7.1f}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", action="append", required=True, help="a kept index (repeat)")
    parser.add_argument("--queries", default=str(BENCH_DIR / "out" / "queries-16000.json"))
    parser.add_argument("--base", help="the revision to compare with (default: merge base); "
                        "with --phases, measure that revision instead of this checkout")
    parser.add_argument("--rounds", type=int, default=1, help="passes over the query set")
    parser.add_argument("--no-bytecode", action="store_true", help="no .pyc for archive")
    parser.add_argument("--json", action="store_true", help="`--json` output (scores compared)")
    parser.add_argument("--phases", action="store_true", help="where a fresh process spends")
    parser.add_argument("--limit", type=int, help="only the first N queries of each kind")
    args = parser.parse_args(argv)
    queries = json.loads(Path(args.queries).read_text(encoding="utf-8"))
    if args.limit:
        kinds: dict[str, list[dict[str, Any]]] = {}
        for q in queries:
            kinds.setdefault(q["kind"], []).append(q)
        queries = [q for group in kinds.values() for q in group[: args.limit]]
    if args.phases:
        phases(args, queries)
        return 0
    args.base = args.base or default_base()
    results = compare(args, queries)
    print_compare(results)
    out = BENCH_DIR / "out" / "cold.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
