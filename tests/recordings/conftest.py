"""Both storage back-ends run the same tests: the filesystem under a temporary folder, and S3
through moto's server (a real S3-speaking HTTP server on 127.0.0.1, started here)."""
from __future__ import annotations

import io
import wave

import pytest
from django.core.files.storage import storages

from tests.delivery_engine.receiver import receiver  # noqa: F401 (a fixture)

BUCKET = "hub-recordings"


@pytest.fixture(scope="session")
def moto_s3():
    pytest.importorskip("moto")
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _s3_storage(endpoint: str) -> dict:
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": BUCKET, "endpoint_url": endpoint, "region_name": "us-east-1", "access_key": "test",
        "secret_key": "test", "location": "recordings", "file_overwrite": True, "querystring_auth": True,
        "querystring_expire": 7 * 86400, "signature_version": "s3v4", "addressing_style": "path"}}


@pytest.fixture(params=["filesystem", "s3"])
def recordings_backend(request, settings, tmp_path):
    """Points the "recordings" storage at a fresh filesystem folder or a fresh S3 bucket."""
    stores = dict(settings.STORAGES)
    if request.param == "filesystem":
        stores["recordings"] = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                "OPTIONS": {"location": str(tmp_path / "stored"), "base_url": None}}
    else:
        import boto3

        endpoint = request.getfixturevalue("moto_s3")
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                          aws_secret_access_key="test")
        bucket = s3.list_objects_v2(Bucket=BUCKET) if BUCKET in [b["Name"] for b in s3.list_buckets()["Buckets"]] \
            else s3.create_bucket(Bucket=BUCKET) and {}
        for obj in bucket.get("Contents", []):
            s3.delete_object(Bucket=BUCKET, Key=obj["Key"])
        stores["recordings"] = _s3_storage(endpoint)
    settings.STORAGES = stores
    yield request.param
    storages._backends = {}


def wav_bytes(seconds: float = 1.0, *, rate: int = 8000, tone: int = 7) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        frames = int(seconds * rate)
        w.writeframes(bytes((i * tone) % 251 for i in range(frames * 2)))
    return out.getvalue()
