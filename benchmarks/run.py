"""orgtui on large organizations: the benchmark (one command; not part of the test suite).

For each size, a synthetic organization (tests/support/bigorg.py: up to 1,000 OUs five
levels deep, tags on half the accounts, delegated administrators, SCPs and tag policies)
is served by moto behind FaultServer (tests/support/faults.py) with a per-request latency
and a cap on requests in flight (TooManyRequestsException beyond it). Then, in one run:

1. `orgtui audit --report json --endpoint-url URL --concurrency C` as a subprocess: wall
   time, requests the server answered against the minimum the API allows, throttled
   requests, the child's peak memory (getrusage), and a check that the report is whole;
2. the same with orgtui's default concurrency (4), for reference;
3. benchmarks/sequential.py, a careful one-call-at-a-time boto3 script taking the same
   inventory, for the speed ratio;
4. at the sizes given by --tui-sizes, the TUI (benchmarks/tui_bench.py) painted from the
   cache the audit saved: first frame and filter keystrokes.

    python benchmarks/run.py                       # 1,000 accounts (a few minutes)
    python benchmarks/run.py --sizes 1000,5000,10000 --markdown benchmarks/latest.md
    python benchmarks/run.py --compare-modes 1000  # limiter on/off x standard/adaptive

moto's backend scans lists on every request; benchmarks/motoindex.py gives it indexes in
this process so that the server's time does not swamp the client's at 10,000 accounts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import motoindex  # noqa: E402
from tests.support.bigorg import minimum_calls, seed_org  # noqa: E402
from tests.support.faults import FaultServer  # noqa: E402

TARGET_CALL_RATIO = 1.1
TARGET_SPEEDUP = 5.0
TARGET_MEMORY_MB = 400
TARGET_FIRST_FRAME_S = 1.5
TARGET_KEY_MS = 100


def child_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "XDG_"))}
    for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        env[var] = str(home / var.lower())
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=str(home / "aws-config"),
               AWS_SHARED_CREDENTIALS_FILE=str(home / "aws-credentials"),
               PYTHONPATH=str(ROOT))
    return env


def run_child(argv: list[str], env: dict[str, str], timeout: float) -> dict[str, Any]:
    """Run a child; wall time, exit code, stdout, and its own peak RSS (wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=ROOT)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        wall = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"wall_s": wall, "code": proc.returncode, "stdout": out.read().decode(),
                "stderr": err.read().decode()[-2000:],
                "peak_mb": usage.ru_maxrss / 1024,  # ru_maxrss is in KiB on Linux
                "cpu_s": usage.ru_utime + usage.ru_stime}


def served(server: FaultServer) -> tuple[int, int]:
    """(answered requests, throttled requests) since the last clear."""
    throttled = server.injector.throttled
    return server.injector.total - throttled, throttled


def bench_orgtui(server: FaultServer, env: dict[str, str], n: int, concurrency: int,
                 timeout: float) -> dict[str, Any]:
    server.injector.clear()
    server.injector.peak_in_flight = 0
    result = run_child([sys.executable, "-m", "orgtui", "audit", "--report", "json",
                        "--endpoint-url", server.url, "--concurrency", str(concurrency)],
                       env, timeout)
    calls, throttled = served(server)
    whole = False
    if result["code"] == 0:
        doc = json.loads(result["stdout"])
        whole = doc["summary"]["accounts"] == n == len(doc["accounts"])
    return {"wall_s": round(result["wall_s"], 1), "code": result["code"], "whole": whole,
            "calls": calls, "throttled": throttled, "peak_mb": round(result["peak_mb"]),
            "server_peak_in_flight": server.injector.peak_in_flight,
            "stderr": "" if result["code"] == 0 else result["stderr"]}


def bench_sequential(server: FaultServer, env: dict[str, str], n: int,
                     timeout: float) -> dict[str, Any]:
    server.injector.clear()
    result = run_child([sys.executable, str(ROOT / "benchmarks" / "sequential.py"),
                        "--endpoint-url", server.url], env, timeout)
    calls, throttled = served(server)
    whole = False
    if result["code"] == 0:
        whole = json.loads(result["stdout"])["accounts"] == n
    return {"wall_s": round(result["wall_s"], 1), "code": result["code"], "whole": whole,
            "calls": calls, "throttled": throttled, "peak_mb": round(result["peak_mb"]),
            "stderr": "" if result["code"] == 0 else result["stderr"]}


def bench_tui(server: FaultServer, env: dict[str, str], timeout: float) -> dict[str, Any]:
    result = run_child([sys.executable, str(ROOT / "benchmarks" / "tui_bench.py"),
                        "--endpoint-url", server.url], env, timeout)
    if result["code"] != 0:
        return {"error": result["stderr"]}
    data = json.loads(result["stdout"].strip().splitlines()[-1])
    data["peak_mb"] = round(result["peak_mb"])
    return data


def compare_modes(n: int, args: argparse.Namespace) -> list[dict[str, Any]]:
    """In-process loads under the throttle: botocore standard/adaptive x limiter on/off.

    The client shares this process (and its GIL) with the server, so absolute times are
    higher than the subprocess runs; the comparison between rows is what counts.
    """
    from orgtui.aws.loader import Loader
    from orgtui.aws.session import AwsContext, SessionOptions

    rows = []
    with FaultServer(latency=args.latency, max_in_flight=args.max_in_flight) as server:
        seed_org(server.client("organizations"), n)
        minimum = sum(minimum_calls().values())
        for mode in ("standard", "adaptive"):
            for limiter in ("on", "off"):
                server.injector.clear()
                ctx = AwsContext(SessionOptions(
                    endpoint_url=server.url, region="us-east-1", retry_mode=mode,
                    concurrency=args.concurrency, credentials=("testing", "testing", None)))
                if limiter == "off":
                    ctx.limiter.on_throttle = lambda: None  # type: ignore[method-assign]
                started = time.monotonic()
                error = ""
                try:
                    snap = Loader(ctx).load()
                    whole = len(snap.accounts) == n
                except Exception as exc:  # a failure is a result here
                    whole, error = False, f"{type(exc).__name__}: {exc}"
                calls, throttled = served(server)
                rows.append({"retry_mode": mode, "limiter": limiter,
                             "wall_s": round(time.monotonic() - started, 1), "whole": whole,
                             "calls": calls, "minimum": minimum, "throttled": throttled,
                             "decreases": ctx.limiter.decreases,
                             "final_limit": round(ctx.limiter.limit, 1), "error": error})
                print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return rows


def machine() -> dict[str, Any]:
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    load = os.getloadavg()
    return {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "nproc": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "loadavg_at_start": [round(x, 2) for x in load]}


def markdown(info: dict[str, Any], args: argparse.Namespace,
             results: list[dict[str, Any]], modes: list[dict[str, Any]]) -> str:
    lines = [
        f"Run {info['date']} on {info['nproc']} CPUs, {info['memory_gb']} GB, Python "
        f"{info['python']} ({info['platform']}); load average at start "
        f"{info['loadavg_at_start']}.",
        f"Server: moto behind FaultServer, latency {args.latency * 1000:.0f} ms per "
        f"request, at most {args.max_in_flight} requests in flight "
        "(TooManyRequestsException beyond).",
        "",
    ]
    if results:
        lines += [
            "| accounts | OUs | minimum calls | run | wall s | calls | calls / min | "
            "throttled | whole | peak MB | speed-up vs sequential |",
            "|---:|---:|---:|---|---:|---:|---:|---:|---|---:|---:|",
        ]
        for r in results:
            seq = r.get("sequential")
            for label, run in (
                (f"orgtui --concurrency {args.concurrency}", r["orgtui"]),
                ("orgtui (default concurrency 4)", r.get("orgtui_default")),
                ("sequential script", seq),
            ):
                if not run:
                    continue
                speedup = (f"{seq['wall_s'] / run['wall_s']:.1f}x"
                           if seq and seq["whole"] and run["whole"] else "")
                lines.append(
                    f"| {r['accounts']:,} | {r['ous']:,} | {r['minimum']:,} | {label} | "
                    f"{run['wall_s']} | {run['calls']:,} | "
                    f"{run['calls'] / r['minimum']:.3f} | {run['throttled']} | "
                    f"{'yes' if run['whole'] else 'NO'} | {run['peak_mb']} | {speedup} |")
        lines.append("")
    tuis = [(r["accounts"], r["tui"]) for r in results if r.get("tui")]
    if tuis:
        lines += ["| accounts | import s | first frame s (cached) | key median ms | "
                  "key max ms | first frame s (refresh running) | key median / max ms "
                  "(refresh running) | peak MB |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for n, t in tuis:
            if "error" in t:
                lines.append(f"| {n:,} | error: {t['error'][-200:]!r} |||||||")
                continue
            c, f = t["cached"], t["refreshing"]
            lines.append(f"| {n:,} | {t['import_s']} | {c['first_frame_s']} | "
                         f"{c['key_median_ms']} | {c['key_max_ms']} | {f['first_frame_s']} | "
                         f"{f['key_median_ms']} / {f['key_max_ms']} | {t['peak_mb']} |")
        lines.append("")
    if modes:
        lines += ["| retry mode | limiter | wall s | whole | calls / minimum | throttled | "
                  "limiter decreases | final limit |",
                  "|---|---|---:|---|---|---:|---:|---:|"]
        for m in modes:
            lines.append(f"| {m['retry_mode']} | {m['limiter']} | {m['wall_s']} | "
                         f"{'yes' if m['whole'] else 'NO ' + m['error']} | "
                         f"{m['calls']:,} / {m['minimum']:,} | {m['throttled']} | "
                         f"{m['decreases']} | {m['final_limit']} |")
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000",
                        help="comma-separated account counts (default 1000)")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--max-in-flight", type=int, default=8,
                        help="the server's cap on requests in flight (default 8)")
    parser.add_argument("--concurrency", type=int, default=16,
                        help="orgtui's --concurrency (default 16, above the cap, so that "
                        "the limiter has to find it)")
    parser.add_argument("--no-default-run", action="store_true",
                        help="skip the reference run at orgtui's default concurrency")
    parser.add_argument("--sequential-max", type=int, default=10_000,
                        help="run the sequential script only up to this size")
    parser.add_argument("--tui-sizes", default="",
                        help="sizes at which to time the TUI (default: the largest size)")
    parser.add_argument("--compare-modes", type=int, default=0, metavar="N",
                        help="also compare retry modes and the limiter at N accounts")
    parser.add_argument("--markdown", help="write the result tables to this file")
    parser.add_argument("--timeout", type=float, default=3600, help="per child, seconds")
    args = parser.parse_args()

    sizes = [int(s) for s in args.sizes.split(",") if s]
    tui_sizes = ({int(s) for s in args.tui_sizes.split(",") if s} if args.tui_sizes
                 else {max(sizes)} if sizes else set())
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("MOTO_ACCOUNT_ID", "123456789012")
    motoindex.install()
    info = machine()
    print(json.dumps(info), file=sys.stderr, flush=True)
    results = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="orgtui-bench-") as tmp, \
                FaultServer(latency=args.latency, max_in_flight=args.max_in_flight) as server:
            env = child_env(Path(tmp))
            seeded = seed_org(server.client("organizations"), n)
            minimum = sum(minimum_calls().values())
            row: dict[str, Any] = {"accounts": n, "ous": len(seeded.ou_ids),
                                   "depth": seeded.depth, "minimum": minimum}
            row["orgtui"] = bench_orgtui(server, env, n, args.concurrency, args.timeout)
            print(json.dumps({n: row["orgtui"]}), file=sys.stderr, flush=True)
            if n in tui_sizes:
                row["tui"] = bench_tui(server, env, args.timeout)
                print(json.dumps({n: {"tui": row["tui"]}}), file=sys.stderr, flush=True)
            if not args.no_default_run:
                row["orgtui_default"] = bench_orgtui(server, env, n, 4, args.timeout)
                print(json.dumps({n: {"default": row["orgtui_default"]}}), file=sys.stderr,
                      flush=True)
            if n <= args.sequential_max:
                row["sequential"] = bench_sequential(server, env, n, args.timeout)
                print(json.dumps({n: {"sequential": row["sequential"]}}), file=sys.stderr,
                      flush=True)
            results.append(row)
    modes = compare_modes(args.compare_modes, args) if args.compare_modes else []
    text = markdown(info, args, results, modes)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n", encoding="utf-8")
    print(json.dumps({"machine": info, "results": results, "modes": modes}),
          file=sys.stderr)
    ok = all(r["orgtui"]["whole"] for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE,
                           (min(4096, hard) if hard != resource.RLIM_INFINITY else 4096, hard))
    sys.exit(main())
