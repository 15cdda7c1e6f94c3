"""Headless Debian Chromium for the browser test, and a `streamlit run` server on a free local port."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> Path:
    """/usr/bin/chromium, installed from Debian if missing and we may; else the test is skipped, saying why.

    Playwright's own browser download does not work here, so it is never attempted."""
    if CHROMIUM.exists():
        return CHROMIUM
    apt = shutil.which("apt-get")
    if apt and os.geteuid() == 0:
        for cmd in (
            [apt, "install", "-y", "-q", "chromium"],
            [apt, "update", "-q"],
            [apt, "install", "-y", "-q", "chromium"],
        ):
            subprocess.run(cmd, capture_output=True, timeout=300, check=False)
            if CHROMIUM.exists():
                return CHROMIUM
    why = "not root" if os.geteuid() != 0 else "no apt-get" if not apt else "apt-get install chromium failed"
    pytest.skip(f"browser test skipped: {CHROMIUM} is missing and could not be installed ({why})")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float = 60.0) -> float:
    """Seconds until `url`/_stcore/health answers ok (the server is up)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} not healthy after {timeout_s}s")


@contextlib.contextmanager
def streamlit_server(env: dict[str, str], log: Path) -> Iterator[str]:
    """`streamlit run app/scorecard.py` as `./vitals scorecard` starts it (app/serve.py), headless on 127.0.0.1
    and a free port; yields its base URL."""
    port = free_port()
    cmd = [
        sys.executable, "-m", "app.serve", "--server.headless", "true",
        "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_healthy(url, proc)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
