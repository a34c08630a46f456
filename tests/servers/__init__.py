"""Real servers for the tests: started on free loopback ports with their data in a temporary folder,
stopped when the session ends. Nothing here is a mock."""

import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(process: subprocess.Popen, *, grace: float = 10) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until(ready, *, process: subprocess.Popen, log: Path, timeout: float, what: str) -> None:
    """Poll ready() until it answers True; fail with the server's own log if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if ready():
                return
        except Exception:  # noqa: S110 - not up yet; the loop tries again
            pass
        time.sleep(0.2)
    stop(process)
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    raise RuntimeError(f"{what} did not start within {timeout:.0f} s. Its log ends with:\n{tail}")
