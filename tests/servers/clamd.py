"""A real ClamAV daemon with a signature database made on the spot from the EICAR test string.

No internet and no freshclam: `sigtool --hex-dump` turns the EICAR string into a body signature that
matches anywhere in a file, so EICAR inside a file that starts like a PDF is found too.
"""

import os
import shutil
import socket
import subprocess
from contextlib import contextmanager
from pathlib import Path

from tests.servers import stop, wait_until

# The standard anti-virus test file: harmless, and detected by every scanner as if it were a virus.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE_NAME = "Eicar-Test-Signature"


def _binary(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if not found:
        raise RuntimeError(f"`{name}` is missing: `make test` installs Debian's clamav-daemon.")
    return found


def signature_database(folder: Path) -> None:
    hexed = (
        subprocess.run([_binary("sigtool"), "--hex-dump"], input=EICAR, capture_output=True, check=True)
        .stdout.decode()
        .strip()
    )
    # name:target type (0 = any file):offset (* = anywhere):hex bytes
    (folder / "eicar.ndb").write_text(f"{SIGNATURE_NAME}:0:*:{hexed}\n")


def ping(socket_path: Path) -> bool:
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(2)
        s.connect(str(socket_path))
        s.sendall(b"zPING\0")
        return s.recv(16).startswith(b"PONG")


@contextmanager
def clamd(folder: Path):
    """Run clamd in the foreground with its own config, database and unix socket under `folder`."""
    database = folder / "db"
    database.mkdir(parents=True, exist_ok=True)
    signature_database(database)
    socket_path = folder / "clamd.sock"
    log = folder / "clamd.log"
    config = folder / "clamd.conf"
    lines = [
        f"LocalSocket {socket_path}",
        f"DatabaseDirectory {database}",
        f"TemporaryDirectory {folder}",
        f"LogFile {log}",
        "Foreground yes",
        # Larger than any upload we accept, so a big file is scanned rather than cut short.
        "StreamMaxLength 64M",
    ]
    if os.geteuid() == 0:
        lines.append("User root")  # clamd would otherwise switch to a `clamav` user that may not exist
    config.write_text("\n".join(lines) + "\n")
    with open(folder / "clamd.out", "wb") as out:
        process = subprocess.Popen(
            [_binary("clamd"), f"--config-file={config}"], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_until(lambda: ping(socket_path), process=process, log=log, timeout=60, what="clamd")
        yield socket_path
    finally:
        stop(process)
