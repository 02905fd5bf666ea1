"""Run `streamlit run` in this process with cProfile on: the event loop thread, and every script run (each in
Streamlit's script-runner threads). On SIGUSR1 (and at exit) the combined statistics are written to
``PEERSIM_PROFILE_OUT``; bench.harness sends SIGUSR1 and waits for the file before it stops a profiled server.

    PEERSIM_PROFILE_OUT=/tmp/server.pstats .venv/bin/python -m bench.profiled serve.py --server.port 8502
    .venv/bin/python -m pstats /tmp/server.pstats   # then: sort cumtime / stats 40

bench.load --profile FILE starts its server this way. py-spy would see native frames too; cProfile is what the
machine has, and it is enough to see which Python functions a rerun spends its time in.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import signal
import sys
import threading
from types import FrameType
from typing import Any

_lock = threading.Lock()
_collected: list[cProfile.Profile] = []


def _install() -> None:
    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.ScriptRunner._run_script

    def profiled(self: Any, rerun_data: Any) -> None:
        profile = cProfile.Profile()
        profile.enable()
        try:
            original(self, rerun_data)
        finally:
            profile.disable()
            with _lock:
                _collected.append(profile)

    script_runner.ScriptRunner._run_script = profiled  # type: ignore[method-assign]


def _dump(main: cProfile.Profile, out: str) -> None:
    main.disable()
    with _lock:
        stats = pstats.Stats(main)
        for profile in _collected:
            stats.add(profile)
    stats.dump_stats(out + ".part")
    os.replace(out + ".part", out)


def main() -> None:
    out = os.environ.get("PEERSIM_PROFILE_OUT", "server.pstats")
    _install()
    main_profile = cProfile.Profile()

    def dump(signum: int, frame: FrameType | None) -> None:
        _dump(main_profile, out)

    signal.signal(signal.SIGUSR1, dump)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    main_profile.enable()
    try:
        cli.main()
    finally:
        _dump(main_profile, out)


if __name__ == "__main__":
    main()
