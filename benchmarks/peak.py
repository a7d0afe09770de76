"""Run a Python module (`-m NAME`) or script, then write its own peak memory to the file
named by ORGTUI_BENCH_PEAK (kB, the process's VmHWM).

Why not `os.wait4`'s `ru_maxrss`: Linux records the high-water mark of the address space a
process leaves at exec, so a child forked by the benchmark process (which holds moto and
the whole organization) reports the benchmark's resident size when that is larger than its
own. VmHWM is the child's own address space only.

    python benchmarks/peak.py -m orgtui audit --report json ...
"""

from __future__ import annotations

import atexit
import os
import runpy
import sys


def vm_hwm_kb(pid: int | str = "self") -> int | None:
    """The peak resident size of a process's own address space (kB), if Linux says."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def _write_peak() -> None:
    path = os.environ.get("ORGTUI_BENCH_PEAK")
    peak = vm_hwm_kb()
    if path and peak is not None:
        with open(path, "w", encoding="ascii") as out:
            out.write(str(peak))


def main() -> None:
    atexit.register(_write_peak)
    # orgtui's console script ends with os._exit (no interpreter teardown), which skips
    # atexit: write the peak on that path too.
    end = os._exit

    def _exit(code: int) -> None:
        _write_peak()
        end(code)

    os._exit = _exit  # type: ignore[assignment]
    if sys.argv[1] == "-m":
        module = sys.argv[2]
        sys.argv = [module, *sys.argv[3:]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    else:
        script = sys.argv[1]
        sys.argv = sys.argv[1:]
        sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
        runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
