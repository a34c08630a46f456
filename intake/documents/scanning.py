"""Malware scanning with ClamAV's daemon, spoken to directly over its socket.

clamd's INSTREAM command takes the file as length-prefixed blocks and answers "stream: OK" or
"stream: <signature> FOUND". The protocol is four lines of code, so no client library is needed
(the `clamd` package on PyPI has not been released since 2014).

Settings: CLAMD_SOCKET (a unix socket path) or CLAMD_HOST and CLAMD_PORT; CLAMD_TIMEOUT in seconds.
Neither set means "no scanner": documents are kept as "not scanned" and a system check warns in
production.
"""

import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

# clamd's default StreamMaxLength is 25 MB; our files are at most UPLOAD_MAX_FILE_MB.
BLOCK = 64 * 1024


class ScannerUnavailable(Exception):
    """clamd did not answer, or answered with an error: the file could not be scanned now."""


@dataclass(frozen=True)
class Verdict:
    infected: bool
    signature: str = ""


def configured() -> bool:
    return bool(settings.CLAMD_SOCKET or settings.CLAMD_HOST)


def _connect() -> socket.socket:
    timeout = settings.CLAMD_TIMEOUT
    if settings.CLAMD_SOCKET:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(settings.CLAMD_SOCKET)
        return sock
    return socket.create_connection((settings.CLAMD_HOST, settings.CLAMD_PORT), timeout=timeout)


def _blocks(chunks: Iterable[bytes]):
    for chunk in chunks:
        for start in range(0, len(chunk), BLOCK):
            yield chunk[start : start + BLOCK]


def scan(chunks: Iterable[bytes]) -> Verdict:
    """Send the file to clamd and return its verdict, or raise ScannerUnavailable."""
    if not configured():
        raise ScannerUnavailable("No virus scanner is configured.")
    try:
        with _connect() as sock:
            sock.sendall(b"zINSTREAM\0")
            for block in _blocks(chunks):
                if block:
                    sock.sendall(struct.pack(">I", len(block)) + block)
            sock.sendall(struct.pack(">I", 0))
            reply = bytearray()
            while not reply.endswith(b"\0"):
                data = sock.recv(4096)
                if not data:
                    break
                reply += data
    except OSError as e:
        raise ScannerUnavailable(f"clamd could not be reached: {e}") from None
    return _verdict(reply.rstrip(b"\0").decode("utf-8", "replace").strip())


def _verdict(reply: str) -> Verdict:
    # "stream: OK", "stream: Eicar-Test-Signature FOUND", or "... ERROR" (e.g. size limit exceeded)
    body = reply.split(":", 1)[1].strip() if ":" in reply else reply
    if body == "OK":
        return Verdict(infected=False)
    if body.endswith(" FOUND"):
        return Verdict(infected=True, signature=body.removesuffix(" FOUND").strip())
    raise ScannerUnavailable(f"clamd could not scan the file: {reply or 'no answer'}")


def ping() -> bool:
    """Whether clamd answers, for status pages and the tests."""
    if not configured():
        return False
    try:
        with _connect() as sock:
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False
