"""Debian's nginx with deploy/nginx/switchboard.conf, run by the test as the current user.

`render` is envsubst with an explicit list (what docs/deploy.md tells an operator to run), the
certificate comes from a throwaway CA the client is told to trust, and nginx gets its own prefix,
pid, logs and temp folders under a tmp dir, so it needs no root and touches nothing of the
machine's.
"""

from __future__ import annotations

import datetime as dt
import getpass
import ipaddress
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from core.settings import ROOT
from tests.mcp_http import free_port

TEMPLATE = ROOT / "deploy" / "nginx" / "switchboard.conf"
NGINX = "/usr/sbin/nginx"
PLACEHOLDERS = (
    "SERVER_NAME", "PUBLIC_URL", "HTTP_PORT", "HTTPS_PORT", "TLS_CERT", "TLS_KEY",
    "API_SERVERS", "CACHE_DIR", "LOG_DIR",
)  # fmt: skip


def render(template: str, values: Mapping[str, str]) -> str:
    """`envsubst '$A $B ...'`: only the listed `${NAME}`/`$NAME` change; nginx's own stay."""
    missing = set(PLACEHOLDERS) - set(values)
    assert not missing, f"no value for {sorted(missing)}"
    names = "|".join(PLACEHOLDERS)
    return re.sub(
        rf"\$(?:\{{({names})\}}|({names})\b)",
        lambda m: values[m.group(1) or m.group(2)],
        template,
    )


@dataclass
class Tls:
    ca: Path
    cert: Path
    key: Path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_tls(folder: Path) -> Tls:
    """A CA and a leaf for localhost / 127.0.0.1 signed by it (a day long)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Switchboard test CA"))
        .issuer_name(_name("Switchboard test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    alt = x509.SubjectAlternativeName(
        [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(alt, critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    tls = Tls(folder / "ca.pem", folder / "fullchain.pem", folder / "privkey.pem")
    tls.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    tls.cert.write_bytes(
        leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM)
    )
    tls.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return tls


@dataclass
class Proxy:
    http_url: str
    https_url: str
    tls: Tls
    folder: Path
    process: subprocess.Popen[bytes]

    @property
    def access_log(self) -> Path:
        return self.folder / "logs" / "switchboard.access.log"


def main_conf(folder: Path, site: Path) -> str:
    """The few top-level lines Debian's /etc/nginx/nginx.conf would hold, all under `folder`."""
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / 'tmp' / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "logs" / "error.log"} info;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {folder / "logs" / "access.log"};
{temp}
    include {site};
}}
"""


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nginx did not open port {port}")


@contextmanager
def running_nginx(folder: Path, upstreams: list[str]) -> Iterator[Proxy]:
    """nginx in the foreground with the rendered site in front of `upstreams` (host:port)."""
    for sub in ("logs", "tmp", "cache"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    tls = make_tls(folder)
    http_port, https_port = free_port(), free_port()
    site = folder / "switchboard.conf"
    site.write_text(
        render(
            TEMPLATE.read_text(),
            {
                "SERVER_NAME": "localhost",
                "PUBLIC_URL": f"https://localhost:{https_port}",
                "HTTP_PORT": f"127.0.0.1:{http_port}",
                "HTTPS_PORT": f"127.0.0.1:{https_port}",
                "TLS_CERT": str(tls.cert),
                "TLS_KEY": str(tls.key),
                "API_SERVERS": " ".join(
                    f"server {u} max_fails=1 fail_timeout=10s;" for u in upstreams
                ),
                "CACHE_DIR": str(folder / "cache"),
                "LOG_DIR": str(folder / "logs"),
            },
        )
    )
    conf = folder / "nginx.conf"
    conf.write_text(main_conf(folder, site))
    args = ["-e", str(folder / "logs" / "error.log"), "-p", str(folder), "-c", str(conf)]
    checked = subprocess.run([NGINX, "-t", *args], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    out = (folder / "logs" / "nginx.out").open("wb")
    process = subprocess.Popen(
        [NGINX, *args, "-g", "daemon off;"],
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(http_port, process)
        wait_for_port(https_port, process)
        yield Proxy(
            f"http://127.0.0.1:{http_port}", f"https://localhost:{https_port}", tls, folder, process
        )
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # fast: open SSE streams would hold SIGQUIT
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
