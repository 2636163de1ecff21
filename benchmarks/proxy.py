"""Several app processes behind HAProxy with sticky sessions (`--processes 2`).

Streamlit keeps a session's state in the process that serves its WebSocket, and the
sign-in's one-time code (/_crm/session) lives in the process that issued it, so a browser
must keep talking to one process: HAProxy inserts a cookie naming the process on the first
response and routes on it afterwards (an office behind one NAT address would all land on
one process with source-address hashing). docs/deploy.md shows the production variant of
the same configuration (TLS, headers).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

HAPROXY = "haproxy"
STICKY_COOKIE = "crm_node"


def haproxy_config(listen_port: int, backend_ports: list[int], host: str = "127.0.0.1") -> str:
    """The configuration the benchmark runs: one frontend on `host:listen_port`, every
    path (pages, /_stcore/ with its WebSocket, /_crm/) to one sticky backend."""
    if not backend_ports:
        raise ValueError("at least one app process is needed")
    servers = "\n".join(
        f"    server app{n} {host}:{port} check cookie app{n}"
        for n, port in enumerate(backend_ports, start=1))
    return f"""global
    maxconn 2000

defaults
    mode http
    option forwardfor
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    # the WebSocket (/_stcore/stream) stays open as long as the tab
    timeout tunnel 1h

frontend crm
    bind {host}:{listen_port}
    # process metrics without a login: never through the proxy
    http-request return status 404 if {{ path_end /_stcore/metrics }}
    default_backend app

backend app
    balance roundrobin
    # stickiness: the process that served a browser's first response keeps it
    cookie {STICKY_COOKIE} insert indirect nocache httponly attr "SameSite=Lax"
    option httpchk GET /_stcore/health
    # A busy process answers its health check late (its event loop waits for the GIL):
    # with HAProxy's defaults (2 s) both were marked down under load and every browser
    # got 503. Down only after 30 s without an answer.
    timeout check 10s
    default-server inter 10s fall 3 rise 1
{servers}
"""


def available() -> bool:
    return shutil.which(HAPROXY) is not None or Path("/usr/sbin/haproxy").exists()


def _exe() -> str:
    return shutil.which(HAPROXY) or "/usr/sbin/haproxy"


def check(config_path: Path) -> tuple[bool, str]:
    """`haproxy -c`: does HAProxy accept the configuration?"""
    out = subprocess.run([_exe(), "-c", "-f", str(config_path)], capture_output=True, text=True)
    return out.returncode == 0, (out.stdout + out.stderr).strip()


def start(listen_port: int, backend_ports: list[int], workdir: Path) -> tuple[subprocess.Popen, str]:
    """HAProxy in the foreground on loopback; returns (process, base URL) once the app
    answers through it."""
    cfg = workdir / "haproxy.cfg"
    cfg.write_text(haproxy_config(listen_port, backend_ports))
    ok, why = check(cfg)
    if not ok:
        raise RuntimeError(f"haproxy refused its configuration: {why}")
    log = open(workdir / "haproxy.log", "wb")  # noqa: SIM115 - the child holds it
    proc = subprocess.Popen([_exe(), "-db", "-f", str(cfg)], stdout=log, stderr=subprocess.STDOUT)
    log.close()
    base = f"http://127.0.0.1:{listen_port}"
    from tests.browserkit import wait_healthy

    wait_healthy(proc, base, workdir / "haproxy.log", "haproxy", 20)
    return proc, base
