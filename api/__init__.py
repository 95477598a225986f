"""The Litestar API (`python -m api`).

One BLAS thread per process, set before anything imports numpy: uvloop spawns MCP children with
fork(), and OpenBLAS's pre-fork handler joins its worker threads; with a pool, a matrix product
running in a worker thread (the escalation matcher) at that moment deadlocked the whole process
(fork waits on the BLAS thread, the product waits on the GIL the forking thread holds). Seen at
start-up (spare MCP child spawning while the example bank was calibrated) and possible on any MCP
restart. Our products are a few hundred rows: a pool buys nothing on 2 cores.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
