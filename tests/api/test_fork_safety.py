"""The API process forks MCP children (uvloop spawns with fork()) while threads run numpy.

With OpenBLAS's thread pool, fork's pre-fork handler joins the BLAS workers while a product in
another thread waits for the GIL the forking thread holds: the process froze for good (a start-up
spawning the spare Promotion child while the escalation bank was calibrated; `api/__init__.py`).
Here the same race runs 300 times in a child process that imports `api` first, as `python -m api`
does; without the one-thread setting it froze in 2 of 3 runs of 200 spawns.
"""

from __future__ import annotations

import os
import subprocess
import sys

from core.settings import ROOT

RACE = """
import asyncio, threading
import api  # first, as `python -m api` and uvicorn's factory import it
import numpy as np
import uvloop

def products() -> None:
    a = np.random.rand(300, 384).astype(np.float32)
    while True:
        a @ a.T

async def spawn(times: int) -> None:
    for _ in range(times):
        child = await asyncio.create_subprocess_exec("/bin/true")
        await child.wait()

threading.Thread(target=products, daemon=True).start()
uvloop.run(spawn(300))
print("spawned 300")
"""


def test_spawning_children_while_a_thread_multiplies_matrices_never_freezes() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}  # as a shell's
    done = subprocess.run(
        [sys.executable, "-c", RACE], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "spawned 300" in done.stdout
