"""Build the front end (`web/`) when, and only when, its inputs changed.

`make run` and the browser tests call `ensure_built`. The inputs are every source file of
`web/` (not `node_modules`, `dist` or the generated `src/api/schema.d.ts`) plus the API's
OpenAPI document: the page's types are generated from it (openapi-typescript) and checked by
`vue-tsc`, so a renamed field breaks this build, not a page in a browser. Their SHA-256 is kept
in `var/web/build.json`; the same inputs skip the build. `npm ci` runs only when
`package-lock.json` changed since the last install (its SHA-256 is written into `node_modules`
after a successful install, so a deleted or half-written `node_modules` installs again).
One build at a time per checkout: a file lock (`var/web/build.lock`) serialises `make run`,
`make test` and parallel test processes, which would otherwise wipe each other's `node_modules`.
After Vite, each asset gets a `.gz` twin that `api/web/static.py` serves to gzip clients.

    python -m api.web.build [--force]
"""

from __future__ import annotations

import argparse
import fcntl
import gzip
import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.progress import Phase, Progress
from core.settings import ROOT, VAR_DIR

WEB = ROOT / "web"
DIST = WEB / "dist"
GENERATED_TYPES = WEB / "src" / "api" / "schema.d.ts"
STATE = VAR_DIR / "web" / "build.json"
LOCK = VAR_DIR / "web" / "build.lock"
INSTALLED = WEB / "node_modules" / ".switchboard-lock.sha256"
OPENAPI = VAR_DIR / "web" / "openapi.json"
SKIPPED_DIRS = {"node_modules", "dist", ".vite", "coverage", "test-results"}
COMPRESSED = {".js", ".css", ".svg", ".html", ".json"}


class WebBuildError(RuntimeError):
    """npm or the build failed; the message carries the tail of its output."""


def openapi_document() -> bytes:
    """The API's OpenAPI document as the server publishes it (stable key order)."""
    from api.app import create_app

    schema = create_app().openapi_schema.to_schema()
    return json.dumps(schema, ensure_ascii=False, sort_keys=True, indent=1).encode()


def source_files() -> list[Path]:
    files = []
    for path in WEB.rglob("*"):
        relative = path.relative_to(WEB)
        if relative.parts[0] in SKIPPED_DIRS or not path.is_file() or path == GENERATED_TYPES:
            continue
        files.append(path)
    return sorted(files)


def fingerprint(openapi: bytes) -> str:
    digest = hashlib.sha256(openapi)
    for path in source_files():
        digest.update(str(path.relative_to(WEB)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _run(command: list[str]) -> None:
    npm = shutil.which(command[0])
    if npm is None:
        raise WebBuildError(f"{command[0]} not found: install Node.js 20.19+ with npm")
    done = subprocess.run([npm, *command[1:]], cwd=WEB, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-30:])
        raise WebBuildError(f"`{' '.join(command)}` failed:\n{tail}")


def _lock_digest() -> str:
    return hashlib.sha256((WEB / "package-lock.json").read_bytes()).hexdigest()


def npm_install_needed() -> bool:
    return not INSTALLED.is_file() or INSTALLED.read_text().strip() != _lock_digest()


@contextmanager
def build_lock() -> Iterator[None]:
    """One install/build at a time in this checkout (other processes wait their turn)."""
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with LOCK.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_types(openapi: bytes) -> None:
    """schema.d.ts from the OpenAPI document (rewritten only when it changes)."""
    OPENAPI.parent.mkdir(parents=True, exist_ok=True)
    OPENAPI.write_bytes(openapi)
    _run(["npx", "--no-install", "openapi-typescript", str(OPENAPI), "-o", str(GENERATED_TYPES)])


def compress(dist: Path = DIST) -> int:
    count = 0
    for path in dist.rglob("*"):
        if path.suffix in COMPRESSED and path.is_file():
            path.with_name(path.name + ".gz").write_bytes(
                gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)
            )
            count += 1
    return count


def install_packages(phase: Phase | None = None) -> bool:
    """`npm ci` if the lock file changed since the last install; says whether it ran."""
    with build_lock():
        return _install_if_needed(phase)


def _install_if_needed(phase: Phase | None) -> bool:
    """(Under the build lock.)"""
    if not npm_install_needed():
        return False
    if phase is not None:
        phase.update("npm ci (packages from the lock file)")
    _run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"])
    INSTALLED.write_text(_lock_digest())
    return True


def ensure_built(
    progress: Progress | None = None, *, force: bool = False, openapi: bytes | None = None
) -> str:
    """Build `web/dist` if its inputs changed; says what it did ("up to date" / "built").

    `openapi` is the API's document when the caller already has the app loaded (`python -m
    api` builds while its bootstrap runs); otherwise it is made here."""
    progress = progress or Progress("web", 1)
    with progress.phase("web", "checking the console's sources") as phase, build_lock():
        openapi = openapi if openapi is not None else openapi_document()
        digest = fingerprint(openapi)
        state = json.loads(STATE.read_text()) if STATE.is_file() else {}
        if not force and state.get("fingerprint") == digest and (DIST / "index.html").is_file():
            phase.done("up to date, build skipped")
            return "up to date"
        _install_if_needed(phase)
        phase.update("generating API types from the OpenAPI document")
        write_types(openapi)
        phase.update("type-checking and bundling (vue-tsc, vite)")
        _run(["npm", "run", "build", "--silent"])
        files = compress()
        STATE.parent.mkdir(parents=True, exist_ok=True)
        STATE.write_text(json.dumps({"fingerprint": fingerprint(openapi)}))
        phase.done(f"built web/dist ({files} files gzipped)")
        return "built"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m api.web.build", description=__doc__)
    parser.add_argument("--force", action="store_true", help="build even if nothing changed")
    args = parser.parse_args(argv)
    try:
        ensure_built(force=args.force)
    except WebBuildError as exc:
        print(f"web build failed: {exc}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
