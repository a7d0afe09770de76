"""README's moto example runs as written: its commands are read from README.md and run
against a moto server on a free port, the way a newcomer would type them (the server in
one terminal, the rest in another), with only moto[server] and orgtui installed. Also,
README's --fail-on example line is what orgtui says on the demo."""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end >= 0 else None]


def sh_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def bin_dir(tmp_path) -> Path:
    """A PATH folder whose `orgtui`, `python3` and `moto_server` are this checkout's
    code and this interpreter's packages, as `pip install` would give a newcomer."""
    folder = tmp_path / "bin"
    folder.mkdir()
    python = shlex.quote(sys.executable)
    scripts = {
        "orgtui": f'exec {python} -m orgtui "$@"\n',
        "python3": f'exec {python} "$@"\n',
        "moto_server": f'exec {python} -c "from moto.server import main; main()" "$@"\n',
    }
    for name, body in scripts.items():
        path = folder / name
        path.write_text("#!/bin/sh\n" + body)
        path.chmod(0o755)
    return folder


def test_readme_moto_example_runs_as_written(bin_dir, tmp_path):
    install, server, client = sh_blocks(section("Pointing it at another endpoint"))
    assert install.strip() == "pip install 'moto[server]'"
    assert server.strip() == "moto_server -p 5000"
    assert "aws " not in client  # no AWS CLI: a newcomer may not have it
    port = free_port()
    # conftest's isolated_env: no credentials, region or profile of this machine
    env = {k: v for k, v in os.environ.items() if k != "MOTO_ACCOUNT_ID"}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", PYTHONPATH=str(ROOT))
    log = (tmp_path / "moto.log").open("w")
    proc = subprocess.Popen(
        shlex.split(server.strip().replace("5000", str(port))),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 60
        while True:  # the newcomer waits for the server to say it is up
            try:
                urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/moto-api/data.json", timeout=2
                ).read()
                break
            except OSError:
                assert proc.poll() is None, (tmp_path / "moto.log").read_text()
                assert time.monotonic() < deadline, "moto_server did not start"
                time.sleep(0.2)
        result = subprocess.run(
            ["bash", "-e", "-c", client.replace("5000", str(port))],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=180,
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    created = re.search(r"created web-prod (\d{12})", result.stdout)
    assert created, result.stdout
    rows = [line for line in result.stdout.splitlines() if line.startswith("web-prod ")]
    assert len(rows) == 1, result.stdout
    assert created.group(1) in rows[0] and "blocked" in rows[0]
    assert "WAIT_PERIOD_ACTIVE" in result.stdout and "TAGS_WILL_BE_DELETED" in result.stdout
    assert "Root / Workloads" in rows[0]


def test_readme_fail_on_example_is_what_the_demo_says(capsys):
    from orgtui.cli import main

    example = re.search(
        r"^orgtui: note: the management account .*\n^orgtui: --fail-on blocked: .*$",
        section("In CI"),
        flags=re.M,
    )
    assert example
    assert main(["audit", "--demo", "--report", "markdown", "--fail-on", "blocked"]) == 3
    assert capsys.readouterr().err.strip() == example.group(0)


def test_readme_names_the_demo_accounts_aws_refuses(capsys):
    """The README points a newcomer at the sample's accounts that AWS refuses for a
    missing standalone detail: each is in the demo with that refusal, and is `review`
    (its dialog can be confirmed, so the refusal is met)."""
    from orgtui.demo.sample import ORGANIZATION, DemoOU

    def specs(ous: tuple[DemoOU, ...]):
        for ou in ous:
            yield from ou.accounts
            yield from specs(ou.children)

    refusals = {a.name: a.refusal for a in specs(ORGANIZATION) if a.refusal}
    text = " ".join(section("Set up").split())
    named = re.search(r"remove `([\w-]+)` \([^)]*\): AWS refuses it .*?\(([A-Z_]+)\)", text)
    assert named, "the Set up section names no refused account"
    assert refusals.get(named.group(1)) == named.group(2)
    from orgtui.cli import main

    assert main(["audit", "--demo", "--report", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    verdicts = {a["name"]: a["verdict"] for a in report["accounts"]}
    assert verdicts[named.group(1)] == "review"
    assert "`sandbox-carol` is refused for phone verification" in text
    assert refusals["sandbox-carol"] == "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION"
