"""`python -m api.mail`: the handoff mail worker as a process of its own (run any number).

For deployments that keep mail out of the API processes (set MAIL_WORKER_IN_API=false there).
SIGTERM / Ctrl-C stop it gracefully: the mail being sent is finished and recorded first.
"""

from __future__ import annotations

import asyncio
import signal
import sys

from api.mail.run import running_mail_worker
from core.logging import configure_logging, get_logger
from core.redis_clients import async_client, connected
from core.settings import Settings, load_settings

log = get_logger("api.mail")


async def serve(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    redis = async_client(settings, decode_responses=False)
    try:
        await connected(redis)
        async with running_mail_worker(settings, redis, in_api=False):
            await stop.wait()
    finally:
        await redis.aclose()


def main() -> None:
    settings = load_settings()
    configure_logging(settings)
    if not settings.mail_configured:
        print("mail worker: SMTP_HOST is not set; nothing to send with", file=sys.stderr)
        raise SystemExit(2)
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
