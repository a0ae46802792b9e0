"""moto in server mode: a real S3-compatible HTTP server on a free 127.0.0.1 port.

Used by the storage, backup and several-machines tests::

    with moto_s3() as config:          # the site's "storage" key, pointing at the server
        private_storage(config, "/unused")
        bucket_objects(config)          # {key: bytes} of everything in the bucket
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

BUCKET = "aduan-private"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_listening(port: int, process: subprocess.Popen[Any], name: str = "moto_server") -> None:
    """Until the server accepts connections (a start-up wait, not an assertion on time)."""
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not start listening")


def s3_client(config: dict[str, Any]) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=config["endpoint_url"], aws_access_key_id=config["access_key"],
                        aws_secret_access_key=config["secret_key"], region_name=config["region"])


@contextmanager
def moto_s3(bucket: str = BUCKET) -> Iterator[dict[str, Any]]:
    """Start moto_server, create ``bucket``, yield the site's ``storage`` config; stop it afterwards."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port, process)
        config = {"backend": "s3", "bucket": bucket, "endpoint_url": f"http://127.0.0.1:{port}",
                  "access_key": "test-access", "secret_key": "test-secret-do-not-show", "region": "us-east-1"}
        s3_client(config).create_bucket(Bucket=bucket)
        yield config
    finally:
        process.kill()
        process.wait()


def bucket_objects(config: dict[str, Any]) -> dict[str, bytes]:
    """Every object in the config's bucket, ``{key: content}``."""
    client = s3_client(config)
    listed = client.list_objects_v2(Bucket=config["bucket"]).get("Contents", [])
    return {item["Key"]: client.get_object(Bucket=config["bucket"], Key=item["Key"])["Body"].read()
            for item in listed}
