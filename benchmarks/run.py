"""orgtui on large organizations: the benchmark (one command; not part of the test suite).

For each size, a synthetic organization (tests/support/bigorg.py: up to 1,000 OUs five
levels deep, tags on half the accounts, delegated administrators, SCPs and tag policies)
is served by moto behind FaultServer (tests/support/faults.py) with a per-request latency
and a cap on requests in flight (TooManyRequestsException "another request is already in
progress" beyond it). Then, in one run:

1. `orgtui audit --report json --endpoint-url URL` as a subprocess, with orgtui's default
   settings (no --concurrency: `auto`): wall time against the floor (the minimum calls x
   latency / the requests in flight the server allows), requests the server answered
   against the minimum the API allows (the load's and the impact checks', counted apart),
   throttled requests, the child's peak memory (getrusage), and a check that the report is
   whole;
2. the same with `--concurrency 16` (a fixed ceiling above the cap) and `--concurrency 4`
   (the old default), for reference;
3. benchmarks/sequential.py, a careful one-call-at-a-time boto3 script taking the same
   inventory (without the impact checks), for the speed ratio;
4. at the sizes given by --low-cap-sizes, `auto` and `--concurrency 4` against the same
   organization served with a cap of --low-cap (2) requests in flight, --low-cap-repeats
   (3) times each, taking turns (auto, 4, auto, 4, ...) so that a change in the machine's
   load falls on both; the two medians are compared (one run each differs by more, from
   run to run, than the two settings do);
5. at the sizes given by --cold-sizes, the TUI's cold start (benchmarks/tui_bench.py, no
   cache): the tree painted with the structure vs the full load; at the sizes given by
   --tui-sizes, the TUI painted from the cache the audit saved: first frame, filter and
   navigation keys on the tree and the table, with the background refresh held and
   running.

    python benchmarks/run.py                       # 1,000 accounts (a few minutes)
    python benchmarks/run.py --sizes 1000,10000 --markdown benchmarks/latest.md
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
import statistics
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
from benchmarks.peak import vm_hwm_kb  # noqa: E402
from benchmarks.terminal_frame import time_to_marker  # noqa: E402
from tests.support.bigorg import (  # noqa: E402
    impact_minimum_calls,
    issue34_org,
    minimum_calls,
    seed_org,
)
from tests.support.faults import FaultServer, Served  # noqa: E402

TARGET_CALL_RATIO = 1.1
TARGET_SPEEDUP = 5.0
TARGET_MEMORY_MB = 400
TARGET_FIRST_FRAME_S = 1.5
TARGET_KEY_MS = 100
TERMINAL_RUNS = 3  # `orgtui audit` in a pty, per cache size


def child_env(home: Path, orgtui_path: Path = ROOT) -> dict[str, str]:
    """The children's environment: fake credentials, their own config and cache dirs, and
    `orgtui_path` first on the path (another tree's orgtui can be measured the same way).
    Bytecode is kept under `home`, as an installed package has it."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "XDG_")) and k != "PYTHONDONTWRITEBYTECODE"
    }
    for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        env[var] = str(home / var.lower())
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=str(home / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "aws-credentials"),
        PYTHONPATH=os.pathsep.join(dict.fromkeys([str(orgtui_path), str(ROOT)])),
        PYTHONPYCACHEPREFIX=str(home / "pycache"),
    )
    return env


def warm_up(server: FaultServer, env: dict[str, str]) -> None:
    """What a first run would pay and no user's run does: moto builds a service's backend
    on its first request (CloudFormation's takes a second), and the children's bytecode is
    compiled once (an installed package has it). Neither is counted or timed."""
    for service, call in (
        ("cloudformation", "list_stack_sets"),
        ("sso-admin", "list_instances"),
        ("ram", "get_resource_shares"),
    ):
        args = {"resourceOwner": "SELF"} if service == "ram" else {}
        getattr(server.client(service), call)(**args)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import orgtui.cli, orgtui.loading, orgtui.report, "
            "orgtui.aws.loader, orgtui.aws.impact, orgtui.progress",
        ],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=120,
    )


def warm_bytecode(env: dict[str, str], orgtui_path: Path) -> None:
    """Compile orgtui, Textual and rich into the children's bytecode cache
    (PYTHONPYCACHEPREFIX), as an installed package has them: what the TUI imports while it
    paints its first frame (Textual's widgets load when first used) must not be compiled
    inside the timing. Not timed."""
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import compileall, pathlib, sys, rich, textual; "
            "[compileall.compile_dir(d, quiet=1, workers=0) for d in sys.argv[1:] + "
            "[str(pathlib.Path(m.__file__).parent) for m in (textual, rich)]]",
            str(orgtui_path / "orgtui"),
        ],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=300,
    )


def cpu_gauge() -> float:
    """Seconds a fixed pure-Python loop takes here, now: this machine's speed of the
    moment. A virtual machine's CPUs slow down under sustained load (here: the same loop
    0.83 s rested, 1.52 s after 25 minutes of benchmarks, the process's CPU time with it)
    and speed up again after a minute's rest; a row's figures are only comparable with
    another's at a like gauge."""
    started = time.perf_counter()
    total = 0
    for i in range(2_000_000):
        total += i
    return round(time.perf_counter() - started, 3)


def uptime() -> str:
    """The machine's load, as `uptime` prints it (the machine is shared)."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def run_child(argv: list[str], env: dict[str, str], timeout: float) -> dict[str, Any]:
    """Run a Python child (`argv` without the interpreter: a script, or `-m MODULE`)
    through benchmarks/peak.py: wall time, exit code, stdout, CPU seconds, and its own
    peak RSS (VmHWM at exit, or as last seen while it ran; see peak.py for why not
    wait4's ru_maxrss)."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile(prefix="orgtui-peak-") as peak_file,
    ):
        child_env = {**env, "ORGTUI_BENCH_PEAK": peak_file.name}
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "benchmarks" / "peak.py"), *argv],
            stdout=out,
            stderr=err,
            env=child_env,
            cwd=ROOT,
        )
        deadline = started + timeout
        seen_kb = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            seen_kb = max(seen_kb, vm_hwm_kb(proc.pid) or 0)
            if time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        wall = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        written = Path(peak_file.name).read_text(encoding="ascii").strip()
        peak_kb = int(written) if written.isdigit() else seen_kb
        return {
            "wall_s": wall,
            "code": proc.returncode,
            "stdout": out.read().decode(),
            "stderr": err.read().decode()[-2000:],
            "peak_mb": peak_kb / 1024,
            "cpu_s": usage.ru_utime + usage.ru_stime,
        }


def served(server: FaultServer) -> tuple[int, int]:
    """(answered requests, throttled requests) since the last clear."""
    throttled = server.injector.throttled
    return server.injector.total - throttled, throttled


def impact_answered(server: FaultServer, load_operations: set[str]) -> int:
    """Requests answered for the impact checks: every operation the load's minimum does
    not name (StackSets, Identity Center, RAM, DescribePolicy, ...)."""
    return sum(
        n
        for op, n in server.counts.items()
        if op not in load_operations and not op.startswith("/moto-api")
    )


# The structure walk's operations (the rest of a load is tags, delegation, policies, the
# impact checks: calls no other call waits for).
WALK_OPERATIONS = frozenset(
    {"ListRoots", "ListOrganizationalUnitsForParent", "ListAccountsForParent"}
)
# The SigV4 signing name of a service, where boto3 names the service otherwise.
BOTO3_SERVICE = {"sso": "sso-admin"}


def idle_seconds(log: list[Served], cap: int, start: float, end: float) -> float:
    """Unused server capacity between `start` and `end`, in seconds at the full width:
    the integral of (cap - requests in flight) / cap. Throttled requests hold no slot."""
    events = sorted(
        [(r.started, 1) for r in log if not r.throttled]
        + [(r.ended, -1) for r in log if not r.throttled]
    )
    level, last, unused = 0, start, 0.0
    for at, step in events:
        if at > start:
            span = min(at, end) - last
            if span > 0:
                unused += span * max(0, cap - level)
            last = max(last, min(at, end))
        level += step
        if at >= end:
            break
    if end > last:
        unused += (end - last) * max(0, cap - level)
    return unused / cap


def timeline(log: list[Served], cap: int) -> dict[str, Any]:
    """From the server's log of one run: the walk's length and the capacity left unused
    while it ran (each parent's children can be listed only once the parent is: what a
    client did not fill with other calls meanwhile), and the same over the whole run."""
    answered = [r for r in log if not r.path.startswith("/moto-api")]
    if not answered:
        return {}
    first = min(r.started for r in answered)
    last = max(r.ended for r in answered)
    walk = [r for r in answered if r.operation in WALK_OPERATIONS]
    walk_end = max((r.ended for r in walk), default=first)
    buckets = 20
    width = (last - first) / buckets or 1.0
    profile = [
        round(
            cap
            - idle_seconds(answered, cap, first + i * width, first + (i + 1) * width) * cap / width,
            1,
        )
        for i in range(buckets)
    ]
    return {
        # mean requests in flight at the server over each twentieth of the run
        "profile": profile,
        "walk_s": round(walk_end - first, 2),
        "walk_idle_s": round(idle_seconds(answered, cap, first, walk_end), 2),
        "calls_s": round(last - first, 2),
        "idle_s": round(idle_seconds(answered, cap, first, last), 2),
    }


def replayable(log: list[Served]) -> list[dict[str, Any]]:
    """The answered requests of a run as boto3 calls (service, method, kwargs), in the
    order they reached the server: what the ideal client (benchmarks/ideal.py) makes."""
    import urllib.parse

    import botocore.session
    from botocore import xform_name

    session = botocore.session.get_session()
    calls = []
    for r in log:
        if r.throttled or r.path.startswith("/moto-api") or not r.service:
            continue
        service = BOTO3_SERVICE.get(r.service, r.service)
        model = session.get_service_model(service)
        operation = model.operation_model(r.operation)
        if model.protocol == "query":
            form = urllib.parse.parse_qs(r.body.decode("utf-8"))
            members = operation.input_shape.members if operation.input_shape else {}
            kwargs: dict[str, Any] = {}
            for name, shape in members.items():
                if name in form:
                    value: Any = form[name][0]
                    if shape.type_name in ("integer", "long"):
                        value = int(value)
                    elif shape.type_name == "boolean":
                        value = value == "true"
                    kwargs[name] = value
        else:  # json, rest-json: the body is the parameters
            kwargs = json.loads(r.body or b"{}")
        calls.append({"service": service, "method": xform_name(r.operation), "kwargs": kwargs})
    return calls


def bench_ideal(
    server: FaultServer, env: dict[str, str], log: list[Served], timeout: float
) -> dict[str, Any]:
    """The ideal client (benchmarks/ideal.py) making the calls of `log`, exactly the
    server's cap in flight, in a child process as orgtui runs."""
    server.injector.clear()
    server.injector.log = []
    cap = server.injector.max_in_flight or 1
    load_at_start = os.getloadavg()[0]
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as f:
        json.dump(replayable(log), f)
        f.flush()
        argv = [str(ROOT / "benchmarks" / "ideal.py"), "--endpoint-url", server.url]
        result = run_child([*argv, "--calls", f.name, "--in-flight", str(cap)], env, timeout)
    ideal_log, server.injector.log = server.injector.log, None
    calls, throttled = served(server)
    inner = json.loads(result["stdout"]) if result["code"] == 0 else {}
    return {
        "wall_s": round(result["wall_s"], 2),
        "code": result["code"],
        "calls": calls,
        "throttled": throttled,
        "errors": inner.get("errors", {}),
        "load_avg": round(load_at_start, 2),
        **timeline(ideal_log, cap),
        "stderr": "" if result["code"] == 0 else result["stderr"],
    }


def bench_orgtui(
    server: FaultServer,
    env: dict[str, str],
    n: int,
    concurrency: int | None,
    timeout: float,
    minimum: dict[str, dict[str, int]],
    extra: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One `orgtui audit` run; `concurrency` None runs it with no --concurrency (auto).
    The server's log of the run is kept in the result's `log` (not printed)."""
    server.injector.clear()
    server.injector.peak_in_flight = 0
    server.injector.log = []
    argv = ["-m", "orgtui", "audit", "--report", "json", "--endpoint-url", server.url, *extra]
    if concurrency is not None:
        argv += ["--concurrency", str(concurrency)]
    uptime_at_start = uptime()
    load_at_start = os.getloadavg()[0]
    result = run_child(argv, env, timeout)
    log, server.injector.log = server.injector.log, None
    calls, throttled = served(server)
    impact = impact_answered(server, set(minimum["load"]))
    whole = False
    if result["code"] == 0:
        doc = json.loads(result["stdout"])
        whole = doc["summary"]["accounts"] == n == len(doc["accounts"])
    cap = server.injector.max_in_flight or 1
    least = sum(minimum["load"].values()) + sum(minimum["impact"].values())
    floor = least * server.injector.latency / cap
    return {
        "concurrency": concurrency or "auto",
        "cap": cap,
        "wall_s": round(result["wall_s"], 2),
        "floor_s": round(floor, 2),
        "ratio": round(result["wall_s"] / floor, 2) if floor else None,
        "code": result["code"],
        "whole": whole,
        "calls": calls,
        "load_calls": calls - impact,
        "impact_calls": impact,
        "throttled": throttled,
        "peak_mb": round(result["peak_mb"]),
        "cpu_s": round(result["cpu_s"], 1),
        "server_peak_in_flight": server.injector.peak_in_flight,
        "load_avg": round(load_at_start, 2),
        "uptime": uptime_at_start,
        **timeline(log, cap),
        "log": log,
        "stderr": "" if result["code"] == 0 else result["stderr"],
    }


def bench_recovery(
    server: FaultServer, env: dict[str, str], n: int, seeded: Any, args: argparse.Namespace
) -> dict[str, Any]:
    """`orgtui audit --report json --recovery` (issue 32): trusted access for
    account.amazonaws.com turned on, every member's primary email served (the demo's
    boundary adds GetContactInformation and GetPrimaryEmail to moto's account service;
    contact information and alternate contacts unset: each read answers "not set", still a
    request). The floor: every call (the load's minimum, the impact checks', one
    trusted-access read, five per member account and four for the management account) x
    latency / the cap."""
    from orgtui.demo import recovery as demo_recovery

    demo_recovery._emails.update({a: f"root+{a}@example.com" for a in seeded.account_ids})
    server.client("organizations").enable_aws_service_access(ServicePrincipal=demo_recovery.TRUSTED)
    minimum = {"load": minimum_calls(), "impact": impact_minimum_calls()}
    result = bench_orgtui(server, env, n, None, args.timeout, minimum, ("--recovery",))
    log = result.pop("log")
    per = [r for r in log if not r.throttled and r.service == "account"]
    recovery_calls = len(per)
    trusted_reads = sum(
        1 for r in log if not r.throttled and r.operation == "ListAWSServiceAccessForOrganization"
    )
    expected = 5 * (n - 1) + 4
    least = (
        sum(minimum["load"].values())
        + sum(minimum["impact"].values())
        + 1  # the recovery check's trusted-access read
        + expected
    )
    cap = server.injector.max_in_flight or 1
    floor = least * server.injector.latency / cap
    account_ops: dict[str, int] = {}
    for r in per:
        account_ops[r.operation] = account_ops.get(r.operation, 0) + 1
    out = {
        **result,
        "recovery_calls": recovery_calls,
        "recovery_expected": expected,
        "account_operations": account_ops,
        "trusted_access_reads": trusted_reads,
        "floor_s": round(floor, 2),
        "ratio": round(result["wall_s"] / floor, 2),
    }
    print(json.dumps({n: {"recovery": out}}), file=sys.stderr, flush=True)
    return out


def snapshot_of_backend() -> Any:
    """The organization moto holds, as a whole load would read it (a Snapshot made from
    the backend's objects, no call): the snapshot cache of issue 34's 50,000 accounts,
    which a load through the 50 ms server would take many minutes to write."""
    from moto.organizations.models import organizations_backends

    from orgtui.model import Account, Caller, Organization, OrgUnit, Policy, Root, Snapshot
    from orgtui.model import frozen_map as fm
    from tests.support.bigorg import MANAGEMENT_ACCOUNT

    backend = organizations_backends[MANAGEMENT_ACCOUNT]["aws"]
    roots, ous = [], {}
    child_ous: dict[str, list[str]] = {}
    for ou in backend.ou:
        if ou.type == "ROOT":
            types = tuple((t["Type"], t["Status"]) for t in ou.policy_types)
            roots.append(Root(ou.id, "Root", ou.arn, types))
        else:
            ous[ou.id] = OrgUnit(ou.id, ou.name, ou.arn, ou.parent_id)
            child_ous.setdefault(ou.parent_id, []).append(ou.id)
    accounts, child_accounts = {}, {}
    for fake in backend.accounts:
        raw = {**fake.describe(), "JoinedTimestamp": fake.create_time}
        accounts[fake.id] = Account.from_api(raw, fake.parent_id)
        child_accounts.setdefault(fake.parent_id, []).append(fake.id)
    policies = {p.id: Policy(p.id, p.name, p.type, p.aws_managed) for p in backend.policies}
    attachments: dict[str, list[str]] = {}
    for p in backend.policies:
        if not p.aws_managed:
            for target in p.attachments:
                attachments.setdefault(target.id, []).append(p.id)
    parents = [r.id for r in roots] + list(ous)
    return Snapshot(
        organization=Organization.from_api(backend.org.describe()["Organization"]),
        caller=Caller(MANAGEMENT_ACCOUNT, f"arn:aws:iam::{MANAGEMENT_ACCOUNT}:user/bench"),
        roots=tuple(roots),
        ous=fm(ous),
        accounts=fm(accounts),
        child_ous=fm({p: tuple(child_ous.get(p, ())) for p in parents}),
        child_accounts=fm({p: tuple(child_accounts.get(p, ())) for p in parents}),
        loaded_at=datetime.now(timezone.utc),
        tags=fm({a.id: fm(a.tags) for a in backend.accounts if a.tags}),
        delegated=fm({d.account.id: tuple(d.services) for d in backend.admins}),
        policies=fm(policies),
        attachments=fm({k: tuple(v) for k, v in attachments.items()}),
        enriched=True,
    )


def bench_cache_tui(n: int, args: argparse.Namespace) -> dict[str, Any]:
    """The TUI from the snapshot cache at `n` accounts (issue 34's model), the refresh
    held: the first frame, the keys, peak memory (benchmarks/tui_bench.py --held-only).
    The cache is written from moto's backend (`snapshot_of_backend`), under the key the
    child computes for the endpoint; nothing is asked of the endpoint."""
    from orgtui import files

    with (
        tempfile.TemporaryDirectory(prefix="orgtui-bench-") as tmp,
        FaultServer(latency=args.latency, max_in_flight=args.max_in_flight) as server,
    ):
        env = child_env(Path(tmp), args.orgtui_path)
        warm_bytecode(env, args.orgtui_path)
        started = time.monotonic()
        issue34_org(server.client("organizations"), n)
        snap = snapshot_of_backend()
        key = subprocess.run(
            [
                sys.executable,
                "-c",
                "from orgtui import files; from orgtui.aws.session import AwsContext, "
                "SessionOptions; import sys; u = sys.argv[1]; print(files.cache_key(None, u, "
                "None, AwsContext(SessionOptions(endpoint_url=u)).credential_inputs()))",
                server.url,
            ],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        saved_env = {k: os.environ.get(k) for k in env if k.startswith("XDG_")}
        os.environ.update({k: env[k] for k in saved_env})
        try:
            path = files.save_snapshot(key, snap)
        finally:
            for k, v in saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        prepared = time.monotonic() - started
        argv = [str(ROOT / "benchmarks" / "tui_bench.py"), "--endpoint-url", server.url]
        load_at_start, gauge = uptime(), cpu_gauge()
        result = run_child([*argv, "--no-cold", "--held-only"], env, args.timeout)
        if result["code"] != 0:
            return {"accounts": n, "error": result["stderr"]}
        data = json.loads(result["stdout"].strip().splitlines()[-1])
        # As a user meets it: `orgtui audit` in a pty, from the process's start (Python
        # and the imports included) until the cached picture is on the terminal. The
        # refresh then starts against the server; each run is stopped there.
        terminal = [
            time_to_marker(["-m", "orgtui", "audit", "--endpoint-url", server.url], env, str(ROOT))
            for _ in range(TERMINAL_RUNS)
        ]
        data.update(
            terminal_s=[None if t is None else round(t, 3) for t in terminal],
            gauge_s=gauge,
            accounts=n,
            peak_mb=round(result["peak_mb"]),
            cache_mb=round(path.stat().st_size / 1e6, 1),
            prepared_s=round(prepared, 1),
            uptime=load_at_start,
        )
        print(json.dumps({n: {"cache_tui": data}}), file=sys.stderr, flush=True)
        return data


def _cache_tui_lines(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    lines = [
        "The TUI from the snapshot cache, the refresh held (issue 34's model; the cache "
        "written from the server's organization): first frame, keys (median / max ms), "
        "peak memory of the TUI's process; in a terminal: `orgtui audit` in a pty, from the "
        "process's start (Python's start and the imports included) until the cached picture "
        "is on the terminal, three runs; gauge: the seconds a fixed loop took as the row "
        "started (`cpu_gauge`: this machine slows under sustained load).",
        "",
        "| accounts | cache MB | first frame s (idle s) | in a terminal s | tree filter | tree nav "
        "| table filter | table nav | t | tree settle | table settle | peak MB | `uptime` load "
        "| gauge s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['accounts']:,} | error: {r['error'][-300:]!r} ||||||||||||")
            continue
        m = r["cached"]

        def k(name: str, m: dict[str, Any] = m) -> str:
            s = m["keys"].get(name, {"n": 0})
            return f"{s['median_ms']} / {s['max_ms']}" if s["n"] else ""

        load = r["uptime"].split("load average:")[-1].strip()
        terminal = " / ".join("none" if t is None else str(t) for t in r.get("terminal_s", []))
        lines.append(
            f"| {r['accounts']:,} | {r['cache_mb']} | **{m['first_frame_s']}** "
            f"({m.get('first_idle_s', '')}) | {terminal} | {k('tree filter')} | {k('tree nav')} | "
            f"{k('table filter')} | "
            f"{k('table nav')} | {k('t toggle')} | {k('tree settle')} | "
            f"{k('table settle')} | **{r['peak_mb']}** | {load} | {r.get('gauge_s', '')} |"
        )
    return [*lines, ""]


def bench_sequential(
    server: FaultServer, env: dict[str, str], n: int, timeout: float
) -> dict[str, Any]:
    server.injector.clear()
    result = run_child(
        [str(ROOT / "benchmarks" / "sequential.py"), "--endpoint-url", server.url], env, timeout
    )
    calls, throttled = served(server)
    whole = False
    if result["code"] == 0:
        whole = json.loads(result["stdout"])["accounts"] == n
    return {
        "wall_s": round(result["wall_s"], 1),
        "code": result["code"],
        "whole": whole,
        "calls": calls,
        "throttled": throttled,
        "peak_mb": round(result["peak_mb"]),
        "stderr": "" if result["code"] == 0 else result["stderr"],
    }


def bench_tui(
    server: FaultServer, env: dict[str, str], timeout: float, *, cold: bool, keys: bool
) -> dict[str, Any]:
    argv = [str(ROOT / "benchmarks" / "tui_bench.py"), "--endpoint-url", server.url]
    argv += [] if cold else ["--no-cold"]
    argv += [] if keys else ["--no-keys"]
    result = run_child(argv, env, timeout)
    if result["code"] != 0:
        return {"error": result["stderr"]}
    data = json.loads(result["stdout"].strip().splitlines()[-1])
    data["peak_mb"] = round(result["peak_mb"])
    return data


def compare_modes(n: int, args: argparse.Namespace) -> list[dict[str, Any]]:
    """In-process loads under the throttle: botocore standard/adaptive x limiter on/off,
    at `--concurrency auto`.

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
                ctx = AwsContext(
                    SessionOptions(
                        endpoint_url=server.url,
                        region="us-east-1",
                        retry_mode=mode,
                        credentials=("testing", "testing", None),
                    )
                )
                if limiter == "off":  # the limit stays where it starts (8)
                    ctx.limiter.on_throttle = lambda *a, **k: None  # type: ignore[method-assign]
                started = time.monotonic()
                error = ""
                try:
                    snap = Loader(ctx).load()
                    whole = len(snap.accounts) == n
                except Exception as exc:  # a failure is a result here
                    whole, error = False, f"{type(exc).__name__}: {exc}"
                calls, throttled = served(server)
                rows.append(
                    {
                        "retry_mode": mode,
                        "limiter": limiter,
                        "wall_s": round(time.monotonic() - started, 1),
                        "whole": whole,
                        "calls": calls,
                        "minimum": minimum,
                        "throttled": throttled,
                        "decreases": ctx.limiter.decreases,
                        "final_limit": ctx.limiter.current,
                        "error": error,
                    }
                )
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
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "uptime_at_start": uptime(),
    }


LOAD_HEAD = [
    "| accounts | OUs | minimum calls (load + impact) | run | wall s | floor s | wall / floor "
    "| calls (load + impact) | load calls / min | throttled | whole | peak MB | load avg "
    "| speed-up vs sequential |",
    "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|",
]


def _run_label(run: dict[str, Any]) -> str:
    if run.get("label"):
        return str(run["label"])
    if run["concurrency"] == "auto":
        return "orgtui, default settings (`auto`)"
    old = " (the old default)" if run["concurrency"] == 4 else ""
    return f"orgtui --concurrency {run['concurrency']}{old}"


def _load_line(r: dict[str, Any], run: dict[str, Any], seq: dict[str, Any] | None) -> str:
    least = f"{r['minimum']:,} + {r['impact_minimum']}"
    if "load_calls" not in run:  # the sequential script: no impact checks, no floor
        calls, floor, ratio = f"{run['calls']:,}", "", ""
        per_min = run["calls"] / r["minimum"]
    else:
        calls = f"{run['load_calls']:,} + {run['impact_calls']}"
        floor, ratio = f"{run['floor_s']}", f"**{run['ratio']:.2f}**"
        per_min = run["load_calls"] / r["minimum"]
    speedup = (
        f"{seq['wall_s'] / run['wall_s']:.1f}x" if seq and seq["whole"] and run["whole"] else ""
    )
    return (
        f"| {r['accounts']:,} | {r['ous']:,} | {least} | {_run_label(run)} | "
        f"{run['wall_s']} | {floor} | {ratio} | {calls} | {per_min:.3f} | "
        f"{run['throttled']} | {'yes' if run['whole'] else 'NO'} | {run['peak_mb']} | "
        f"{run.get('load_avg', '')} | {speedup} |"
    )


def markdown(
    info: dict[str, Any],
    args: argparse.Namespace,
    results: list[dict[str, Any]],
    modes: list[dict[str, Any]],
) -> str:
    lines = [
        f"Run {info['date']} on {info['nproc']} CPUs, {info['memory_gb']} GB, Python "
        f"{info['python']} ({info['platform']}).",
        f"`uptime` at the start: {info['uptime_at_start']}",
        f"`uptime` at the end: {info.get('uptime_at_end', '')}",
        "",
        f"Server: moto behind FaultServer, latency {args.latency * 1000:.0f} ms per "
        f"request, at most {args.max_in_flight} requests in flight "
        f"(TooManyRequestsException beyond), connections {args.connections}. Floor: minimum "
        "calls (load + impact) x latency / requests in flight allowed. 'load avg': the "
        "1-minute load average as the run started.",
        "",
    ]
    if results:
        lines += LOAD_HEAD
        for r in results:
            seq = r.get("sequential")
            for run in (*r["orgtui"], seq):
                if run:
                    lines.append(_load_line(r, run, seq))
        lines.append("")
    low = [(r, run) for r in results for run in r.get("low_cap", [])]
    if low:
        lines += [
            f"Against a server allowing {args.low_cap} requests in flight:",
            "",
            "| accounts | run | wall s | floor s | wall / floor | calls (load + impact) "
            "| throttled | whole | load avg |",
            "|---:|---|---:|---:|---:|---:|---:|---|---:|",
        ]
        for r, run in low:
            lines.append(
                f"| {r['accounts']:,} | {_run_label(run)} | {run['wall_s']} | "
                f"{run['floor_s']} | **{run['ratio']:.2f}** | "
                f"{run['load_calls']:,} + {run['impact_calls']} | {run['throttled']} "
                f"| {'yes' if run['whole'] else 'NO'} | {run['load_avg']} |"
            )
        lines += ["", *_low_cap_medians(results), ""]
    lines += _ideal_lines(results) + _recovery_lines(results)
    lines += _cache_tui_lines(getattr(args, "cache_tui_rows", []))
    lines += _tui_lines(results) + _mode_lines(modes)
    return "\n".join(lines)


def _ideal_lines(results: list[dict[str, Any]]) -> list[str]:
    """Each default run beside the ideal client that made the same calls right after it."""
    rows = [
        (r, run, ideal)
        for r in results
        for run, ideal in zip(r["orgtui"], r.get("ideal", []), strict=False)
    ]
    if not rows:
        return []
    lines = [
        "The default run (`auto`) and the ideal client (benchmarks/ideal.py: the same calls, "
        "no dependency waits, exactly the cap in flight), taken in turns. Walk: from the "
        "first request to the last answer of the structure walk; idle: the server's "
        "capacity left unused meanwhile, in seconds at full width (the time the walk "
        "spent waiting on parents not yet listed, and the client's own gaps); gauge: "
        "`cpu_gauge` as each started (this machine slows under sustained load).",
        "",
        "| accounts | orgtui s | ideal s | orgtui / ideal | calls (orgtui / ideal) "
        "| throttled (orgtui / ideal) | walk s | walk idle s | idle s, whole run "
        "(orgtui / ideal) | whole | `uptime` load as orgtui started | gauge s (orgtui / ideal) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for r, run, ideal in rows:
        ratio = run["wall_s"] / ideal["wall_s"] if ideal.get("wall_s") else float("nan")
        load = run.get("uptime", "").split("load average:")[-1].strip()
        lines.append(
            f"| {r['accounts']:,} | {run['wall_s']:.2f} | {ideal['wall_s']:.2f} | "
            f"**{ratio:.3f}** | {run['calls']:,} / {ideal['calls']:,} | "
            f"{run['throttled']} / {ideal['throttled']} | {run.get('walk_s', '')} | "
            f"{run.get('walk_idle_s', '')} | {run.get('idle_s', '')} / "
            f"{ideal.get('idle_s', '')} | {'yes' if run['whole'] else 'NO'} | {load} | "
            f"{run.get('gauge_s', '')} / {ideal.get('gauge_s', '')} |"
        )
    return [*lines, ""]


def _recovery_lines(results: list[dict[str, Any]]) -> list[str]:
    rows = [(r, rec) for r in results for rec in r.get("recovery", [])]
    if not rows:
        return []
    lines = [
        "`--recovery` (issue 32): account-service calls against five per member account and "
        "four for the management account; trusted-access reads (the impact check's and the "
        "recovery check's); wall time against the floor (every call x latency / cap).",
        "",
        "| accounts | account calls / expected | trusted-access reads | calls in all "
        "| throttled | wall s | floor s | wall / floor | whole | `uptime` load |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r, rec in rows:
        load = rec.get("uptime", "").split("load average:")[-1].strip()
        lines.append(
            f"| {r['accounts']:,} | {rec['recovery_calls']:,} / {rec['recovery_expected']:,} "
            f"| {rec['trusted_access_reads']} | {rec['calls']:,} | {rec['throttled']} | "
            f"{rec['wall_s']:.2f} | {rec['floor_s']} | **{rec['ratio']:.2f}** | "
            f"{'yes' if rec['whole'] else 'NO'} | {load} |"
        )
    return [*lines, ""]


def _low_cap_medians(results: list[dict[str, Any]]) -> list[str]:
    """Median wall time of each setting against the low cap, and the goal: `auto` no
    slower than `--concurrency 4`."""
    lines = []
    for r in results:
        walls: dict[str, list[float]] = {}
        for run in r.get("low_cap", []):
            walls.setdefault(str(run["concurrency"]), []).append(run["wall_s"])
        if "auto" not in walls or "4" not in walls:
            continue
        auto, four = statistics.median(walls["auto"]), statistics.median(walls["4"])
        verdict = "met" if auto <= four else "missed"
        lines.append(
            f"At {r['accounts']:,} accounts, median of {len(walls['auto'])} runs "
            f"each: `auto` {auto} s, `--concurrency 4` {four} s: **{verdict}** "
            "(the goal: `auto` no slower)."
        )
    return lines


def _tui_lines(results: list[dict[str, Any]]) -> list[str]:
    tuis = [(r["accounts"], r["tui"], r) for r in results if r.get("tui")]
    if not tuis:
        return []
    lines = [
        "Cold start (no cache), the TUI: tree painted with the structure vs the full "
        "load (details painted); the headless audit's wall time beside it.",
        "",
        "| accounts | tree painted s | full load s | tree / full | audit wall s "
        "| badges while reading | complete |",
        "|---:|---:|---:|---:|---:|---|---|",
    ]
    for n, t, r in tuis:
        if "error" in t:
            lines.append(f"| {n:,} | error: {t['error'][-300:]!r} ||||||")
            continue
        c = t.get("cold")
        if c:
            lines.append(
                f"| {n:,} | {c['tree_s']} | {c['full_s']} | "
                f"**{c['tree_over_full']:.2f}** | {r['orgtui'][0]['wall_s']} | "
                f"{'reading' if c['reading_badges'] else 'NOT reading'} | "
                f"{'yes' if c['complete'] else 'NO'} |"
            )
    lines += [
        "",
        "Keys (median / max ms, n keys), from the cache; 'settle' is a query's "
        "last key until its result is on screen (not a key); 'escape', within a filter "
        "cell: that filter key's own median / max (it clears the filter).",
        "",
        "| accounts | refresh | first frame s | tree filter | tree nav | table filter "
        "| table nav | t | tree settle | table settle | rounds | full GCs (n, max ms) "
        "| peak MB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for n, t, _ in tuis:
        for mode, label in (("cached", "held"), ("refreshing", "running")):
            m = t.get(mode)
            if not m:
                continue
            gcs = m.get("gc_full", {})

            def k(name: str, m: dict[str, Any] = m) -> str:
                s = m["keys"].get(name, {"n": 0})
                if not s["n"]:
                    return ""
                cell = f"{s['median_ms']} / {s['max_ms']} ({s['n']})"
                esc = m["keys"].get(name.replace("filter", "escape"), {"n": 0})
                if "filter" in name and esc["n"]:  # escape is a filter key: its share
                    cell += f"; escape {esc['median_ms']} / {esc['max_ms']}"
                return cell

            landed = f", landed at {m['refresh_landed_s']} s" if m.get("refresh_landed_s") else ""
            lines.append(
                f"| {n:,} | {label}{landed} | {m['first_frame_s']} | "
                f"{k('tree filter')} | {k('tree nav')} | {k('table filter')} | "
                f"{k('table nav')} | {k('t toggle')} | {k('tree settle')} | "
                f"{k('table settle')} | {m['rounds']} | "
                f"{gcs.get('n', '')}, {gcs.get('max_ms', '')} | {t['peak_mb']} |"
            )
    return [*lines, ""]


def _mode_lines(modes: list[dict[str, Any]]) -> list[str]:
    if not modes:
        return []
    lines = [
        "| retry mode | limiter | wall s | whole | calls / minimum | throttled | "
        "limiter decreases | final limit |",
        "|---|---|---:|---|---|---:|---:|---:|",
    ]
    for m in modes:
        lines.append(
            f"| {m['retry_mode']} | {m['limiter']} | {m['wall_s']} | "
            f"{'yes' if m['whole'] else 'NO ' + m['error']} | "
            f"{m['calls']:,} / {m['minimum']:,} | {m['throttled']} | "
            f"{m['decreases']} | {m['final_limit']} |"
        )
    return [*lines, ""]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--sizes", default="1000", help="comma-separated account counts (default 1000)"
    )
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument(
        "--max-in-flight",
        type=int,
        default=8,
        help="the server's cap on requests in flight (default 8)",
    )
    parser.add_argument(
        "--concurrency",
        default="16,4",
        help="fixed --concurrency ceilings measured beside the default "
        "(auto) run, for reference (default 16,4; 4 was the old default)",
    )
    parser.add_argument(
        "--low-cap",
        type=int,
        default=2,
        help="the second server's cap on requests in flight (default 2)",
    )
    parser.add_argument(
        "--low-cap-sizes",
        default="1000",
        help="sizes at which auto and --concurrency 4 also run against the "
        "low cap (default 1000; empty: none)",
    )
    parser.add_argument(
        "--low-cap-repeats",
        type=int,
        default=3,
        help="runs of each against the low cap, taking turns; their "
        "medians are compared (default 3)",
    )
    parser.add_argument(
        "--sequential-max",
        type=int,
        default=10_000,
        help="run the sequential script only up to this size",
    )
    parser.add_argument(
        "--tui-sizes", default="", help="sizes at which to time the TUI (default: the largest size)"
    )
    parser.add_argument(
        "--cold-sizes",
        default="",
        help="sizes at which to time the TUI's cold start (no cache): tree "
        "painted vs full load (default: none)",
    )
    parser.add_argument(
        "--compare-modes",
        type=int,
        default=0,
        metavar="N",
        help="also compare retry modes and the limiter at N accounts",
    )
    parser.add_argument(
        "--orgtui-path",
        type=Path,
        default=ROOT,
        help="the tree whose orgtui the children run (default: this one), "
        "to measure another version against the same server",
    )
    parser.add_argument(
        "--model",
        choices=("issue34", "bigorg"),
        default="issue34",
        help="the organization and server: issue34 (default: one OU per ten accounts, an "
        "account over every parent, half with one tag, 2 delegated administrators, 20 "
        "SCPs; a request over the cap refused after the same latency) or bigorg (the "
        "earlier runs' shape, refused at once)",
    )
    parser.add_argument(
        "--no-ideal",
        dest="ideal",
        action="store_false",
        help="skip the ideal client (by default it follows each default run)",
    )
    parser.add_argument(
        "--repeats", type=int, default=1, help="pairs of (default run, ideal client) per size"
    )
    parser.add_argument(
        "--rest",
        type=float,
        default=0.0,
        help="seconds to rest before each default run and each ideal client (this machine "
        "slows under sustained load: see cpu_gauge)",
    )
    parser.add_argument(
        "--recovery-sizes",
        default="",
        help="sizes at which to also run `--recovery` (trusted access on, contacts seeded)",
    )
    parser.add_argument(
        "--cache-tui-sizes",
        default="",
        help="sizes at which to time the TUI from a snapshot cache written from the "
        "server's organization, the refresh held (issue 34: 50,000 accounts)",
    )
    parser.add_argument(
        "--connections",
        choices=("close", "keep-alive"),
        default="close",
        help="the load server's connections: close (default: werkzeug's, as moto_server "
        "serves, a new TCP connection per request) or keep-alive (HTTP/1.1 persistent "
        "connections, as AWS endpoints keep them)",
    )
    parser.add_argument("--markdown", help="write the result tables to this file")
    parser.add_argument("--timeout", type=float, default=3600, help="per child, seconds")
    return parser.parse_args()


def bench_size(
    n: int, args: argparse.Namespace, tui_sizes: set[int], cold_sizes: set[int]
) -> dict[str, Any]:
    """Every run at one size, against one seeded server."""
    fixed = [int(c) for c in args.concurrency.split(",") if c]
    low_sizes = {int(s) for s in args.low_cap_sizes.split(",") if s}
    issue34 = args.model == "issue34"
    with (
        tempfile.TemporaryDirectory(prefix="orgtui-bench-") as tmp,
        FaultServer(
            latency=args.latency,
            max_in_flight=args.max_in_flight,
            throttle_latency=issue34,
            keep_alive=args.connections == "keep-alive",
        ) as server,
    ):
        env = child_env(Path(tmp), args.orgtui_path)
        organizations = server.client("organizations")
        seeded = issue34_org(organizations, n) if issue34 else seed_org(organizations, n)
        minimum = {"load": minimum_calls(), "impact": impact_minimum_calls()}
        warm_up(server, env)
        row: dict[str, Any] = {
            "accounts": n,
            "ous": len(seeded.ou_ids),
            "depth": seeded.depth,
            "minimum": sum(minimum["load"].values()),
            "impact_minimum": sum(minimum["impact"].values()),
            "orgtui": [],
            "low_cap": [],
            "ideal": [],
        }

        def run(concurrency: int | None) -> dict[str, Any]:
            gauge = cpu_gauge()
            result = bench_orgtui(server, env, n, concurrency, args.timeout, minimum)
            result["gauge_s"] = gauge
            log = result.pop("log")
            print(json.dumps({n: result}), file=sys.stderr, flush=True)
            result["log"] = log
            return result

        # The default run and the ideal client making the same calls, in turns, so that
        # each pair shares the machine's load (--repeats pairs).
        # With --rest, each of the two starts on a rested machine (see cpu_gauge).
        for _ in range(max(1, args.repeats)):
            time.sleep(args.rest)
            row["orgtui"].append(run(None))
            if args.ideal:
                time.sleep(args.rest)
                gauge = cpu_gauge()
                ideal = bench_ideal(server, env, row["orgtui"][-1]["log"], args.timeout)
                ideal["gauge_s"] = gauge
                ideal["orgtui_wall_s"] = row["orgtui"][-1]["wall_s"]
                row["ideal"].append(ideal)
                print(json.dumps({n: {"ideal": ideal}}), file=sys.stderr, flush=True)
        if args.recovery_sizes and n in {int(x) for x in args.recovery_sizes.split(",") if x}:
            row["recovery"] = [
                bench_recovery(server, env, n, seeded, args) for _ in range(max(1, args.repeats))
            ]
        if n in tui_sizes or n in cold_sizes:
            row["tui"] = bench_tui(
                server, env, args.timeout, cold=n in cold_sizes, keys=n in tui_sizes
            )
            print(json.dumps({n: {"tui": row["tui"]}}), file=sys.stderr, flush=True)

        row["orgtui"] += [run(c) for c in fixed]
        if n <= args.sequential_max:
            row["sequential"] = bench_sequential(server, env, n, args.timeout)
            row["sequential"]["label"] = "sequential script (no impact checks)"
            print(json.dumps({n: {"sequential": row["sequential"]}}), file=sys.stderr, flush=True)
        if n in low_sizes:
            server.injector.max_in_flight = args.low_cap
            for _ in range(max(1, args.low_cap_repeats)):
                row["low_cap"] += [run(None), run(4)]
            server.injector.max_in_flight = args.max_in_flight
    for r in (*row["orgtui"], *row["low_cap"]):
        r.pop("log", None)
    return row


def main() -> int:
    args = parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    tui_sizes = (
        {int(s) for s in args.tui_sizes.split(",") if s}
        if args.tui_sizes
        else {max(sizes)}
        if sizes
        else set()
    )
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("MOTO_ACCOUNT_ID", "123456789012")
    motoindex.install()
    if args.recovery_sizes:  # before moto's account routes are taken (the first request)
        from orgtui.demo.recovery import install_account_service

        install_account_service()
    info = machine()
    print(json.dumps(info), file=sys.stderr, flush=True)
    cold_sizes = {int(s) for s in args.cold_sizes.split(",") if s}
    results = [bench_size(n, args, tui_sizes, cold_sizes) for n in sizes]
    args.cache_tui_rows = [
        bench_cache_tui(int(n), args)
        for _ in range(max(1, args.repeats))
        for n in args.cache_tui_sizes.split(",")
        if n
    ]
    modes = compare_modes(args.compare_modes, args) if args.compare_modes else []
    info["uptime_at_end"] = uptime()
    text = markdown(info, args, results, modes)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n", encoding="utf-8")
    print(json.dumps({"machine": info, "results": results, "modes": modes}), file=sys.stderr)
    ok = all(run["whole"] for r in results for run in (*r["orgtui"], *r["low_cap"]))
    ok = ok and all(i["code"] == 0 for r in results for i in r.get("ideal", []))
    return 0 if ok else 1


if __name__ == "__main__":
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        resource.setrlimit(
            resource.RLIMIT_NOFILE,
            (min(4096, hard) if hard != resource.RLIM_INFINITY else 4096, hard),
        )
    sys.exit(main())
