"""ChainReader: what `--verify` reads for each file, once per distinct resource, and what a
missing resource or a failed read becomes. The calls are a fake here; the real ones (rate
limits, retries, answer checks) are AwsSource's, tested against LocalCloud elsewhere."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from checker.chain import chain_gaps, chain_problems, file_refs, next_read
from checker.model import SourceError
from checker.sources.chain import ChainReader, Unanswered

SIGNED = datetime(2026, 10, 1, tzinfo=UTC)
NOT_AFTER = datetime(2027, 10, 1, tzinfo=UTC)
CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"


class Stopped(Exception):
    pass


class FakeAws:
    """Answers by (operation, identity); an Unanswered for the codes in `fail`."""

    def __init__(self, delay: float = 0.0) -> None:
        self.calls: Counter[tuple[str, str]] = Counter()
        self.fail: dict[tuple[str, str], str] = {}
        self.delay = delay
        self.lock = threading.Lock()

    def call(self, operation: str, ota_id: str, kwargs: dict[str, Any]) -> Any:
        name = str(next(iter(kwargs.values())) if operation != "HeadObject" else kwargs["Key"])
        with self.lock:
            self.calls[operation, name] += 1
        time.sleep(self.delay)
        code = self.fail.get((operation, name))
        if code is not None:
            raise Unanswered(SourceError(ota_id, operation, code, "it said no"))
        if operation == "DescribeSigningJob":
            return {
                "jobId": name,
                "status": "Succeeded",
                "profileName": "fw-profile",
                "completedAt": SIGNED,
                "signingMaterial": {"certificateArn": CERT},
            }
        if operation == "GetSigningProfile":
            return {"profileName": name, "status": "Active"}
        if operation == "DescribeCertificate":
            return {
                "Certificate": {
                    "CertificateArn": name,
                    "Status": "ISSUED",
                    "NotAfter": NOT_AFTER,
                    "ExtendedKeyUsages": [{"Name": "CODE_SIGNING"}],
                }
            }
        if operation == "DescribeStream":
            return {
                "streamInfo": {
                    "streamId": name,
                    "files": [{"fileId": 0, "s3Location": {"bucket": "b", "key": "s.bin"}}],
                }
            }
        return {"ContentLength": 10, "ETag": '"e"', "VersionId": kwargs["VersionId"]}


def signed_file(job: str, key: str = "fw.bin") -> dict[str, Any]:
    return {
        "fileName": key,
        "fileLocation": {"s3Location": {"bucket": "b", "key": key, "version": "v1"}},
        "codeSigning": {"awsSignerJobId": job},
    }


def never_stop() -> None:
    return None


def test_a_signed_file_reads_job_then_profile_then_certificate_then_object() -> None:
    fake = FakeAws()
    reader = ChainReader(fake.call, never_stop)
    (entry,) = reader.read("fw-1", {"otaUpdateFiles": [signed_file("job-1")]})
    assert list(entry) == ["signingJob", "signingProfile", "certificate", "object"]
    assert entry["signingJob"]["profileName"] == "fw-profile"
    assert entry["certificate"] == {
        "certificateArn": CERT,
        "found": True,
        "status": "ISSUED",
        "notAfter": NOT_AFTER,
        "extendedKeyUsages": ["CODE_SIGNING"],
    }
    assert entry["object"] == {
        "bucket": "b",
        "key": "fw.bin",
        "version": "v1",
        "found": True,
        "deleteMarker": False,
        "size": 10,
        "etag": '"e"',
    }
    assert list(chain_problems([entry])) == []
    assert list(chain_gaps(signed_file("job-1"), entry)) == []


def test_shared_resources_are_read_once_even_when_asked_at_the_same_time() -> None:
    """40 updates over 8 threads, one profile and one certificate: each read once."""
    fake = FakeAws(delay=0.01)
    reader = ChainReader(fake.call, never_stop)
    infos = [{"otaUpdateFiles": [signed_file(f"job-{i}", f"fw-{i}.bin")]} for i in range(40)]
    with ThreadPoolExecutor(8) as pool:
        chains = list(pool.map(lambda i: reader.read(f"fw-{i}", infos[i]), range(40)))
    assert fake.calls["GetSigningProfile", "fw-profile"] == 1
    assert fake.calls["DescribeCertificate", CERT] == 1
    assert sum(n for (op, _), n in fake.calls.items() if op == "DescribeSigningJob") == 40
    assert reader.calls == 40 + 1 + 1 + 40
    assert all(c[0]["certificate"]["status"] == "ISSUED" for c in chains)


def test_a_resource_that_does_not_exist_is_a_link_not_an_error() -> None:
    fake = FakeAws()
    fake.fail["DescribeSigningJob", "job-gone"] = "ResourceNotFoundException"
    fake.fail["HeadObject", "fw.bin"] = "404"
    reader = ChainReader(fake.call, never_stop)
    (entry,) = reader.read("fw-1", {"otaUpdateFiles": [signed_file("job-gone")]})
    assert entry == {
        "signingJob": {"jobId": "job-gone", "found": False},
        "object": {"bucket": "b", "key": "fw.bin", "version": "v1", "found": False},
    }


def test_a_delete_marker_is_a_link_marked_so() -> None:
    fake = FakeAws()
    fake.fail["HeadObject", "fw.bin"] = "405"
    reader = ChainReader(fake.call, never_stop)
    (entry,) = reader.read("fw-1", {"otaUpdateFiles": [signed_file("job-1")]})
    assert entry["object"] == {
        "bucket": "b",
        "key": "fw.bin",
        "version": "v1",
        "found": False,
        "deleteMarker": True,
    }


def test_an_unreadable_resource_is_an_error_of_every_update_resting_on_it_read_once() -> None:
    fake = FakeAws()
    fake.fail["GetSigningProfile", "fw-profile"] = "AccessDeniedException"
    reader = ChainReader(fake.call, never_stop)
    errors = []
    for ota_id in ("fw-1", "fw-2"):
        with pytest.raises(Unanswered) as raised:
            reader.read(ota_id, {"otaUpdateFiles": [signed_file(f"job-{ota_id}")]})
        errors.append(raised.value.error)
    assert errors == [
        SourceError(
            ota_id,
            "GetSigningProfile",
            "AccessDeniedException",
            "signing profile 'fw-profile': it said no",
        )
        for ota_id in ("fw-1", "fw-2")
    ]
    assert fake.calls["GetSigningProfile", "fw-profile"] == 1


def test_s3_403_says_that_a_missing_version_reads_so_without_list_bucket() -> None:
    fake = FakeAws()
    fake.fail["HeadObject", "fw.bin"] = "403"
    reader = ChainReader(fake.call, never_stop)
    with pytest.raises(Unanswered) as raised:
        reader.read("fw-1", {"otaUpdateFiles": [signed_file("job-1")]})
    assert raised.value.error.message == (
        "s3://'b'/'fw.bin' version 'v1': it said no (S3 also answers 403 for a version that "
        "does not exist when s3:ListBucket is not granted on the bucket)"
    )


def test_a_stream_file_leads_to_its_object_only_when_it_names_a_version() -> None:
    fake = FakeAws()
    reader = ChainReader(fake.call, never_stop)
    file = {"fileName": "s", "fileLocation": {"stream": {"streamId": "st-1", "fileId": 0}}}
    (entry,) = reader.read("fw-1", {"otaUpdateFiles": [file]})
    assert entry == {
        "stream": {
            "streamId": "st-1",
            "found": True,
            "files": [{"fileId": 0, "bucket": "b", "key": "s.bin"}],
        }
    }
    assert ("HeadObject", "s.bin") not in fake.calls


def test_a_file_without_signing_or_version_reads_nothing() -> None:
    fake = FakeAws()
    reader = ChainReader(fake.call, never_stop)
    file = {"fileName": "a", "fileLocation": {"s3Location": {"bucket": "b", "key": "a"}}}
    assert reader.read("fw-1", {"otaUpdateFiles": [file, "junk"]}) == [{}, {}]
    assert reader.read("fw-2", {}) == []
    assert fake.calls == Counter()


def test_start_signing_parameters_name_profile_and_certificate() -> None:
    file = {
        "fileName": "a",
        "codeSigning": {
            "startSigningJobParameter": {
                "signingProfileName": "p",
                "signingProfileParameter": {"certificateArn": CERT},
            }
        },
    }
    refs = file_refs(file)
    first = next_read(refs, {})
    assert first is not None and (first.link, first.identity) == ("signingProfile", ("p",))
    entry = {"signingProfile": {"profileName": "p", "found": True}}
    second = next_read(refs, entry)
    assert second is not None and (second.link, second.identity) == ("certificate", (CERT,))


def test_a_waiter_ends_when_the_source_stops() -> None:
    """A thread waiting for another's read of the same resource ends when the source stops,
    instead of waiting on a read that will never finish."""
    release = threading.Event()
    stopping = threading.Event()

    def call(operation: str, ota_id: str, kwargs: dict[str, Any]) -> Any:
        release.wait(5)
        raise Stopped

    def check_stop() -> None:
        if stopping.is_set():
            raise Stopped

    reader = ChainReader(call, check_stop)
    info = {"otaUpdateFiles": [signed_file("job-1")]}
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(reader.read, "fw-1", info)
        time.sleep(0.05)
        second = pool.submit(reader.read, "fw-2", info)
        time.sleep(0.05)
        stopping.set()
        with pytest.raises(Stopped):
            second.result(timeout=2)
        release.set()
        with pytest.raises(Stopped):
            first.result(timeout=2)


def test_snapshot_chain_gaps_name_a_link_taken_out_or_added() -> None:
    file = signed_file("job-1")
    fake = FakeAws()
    (entry,) = ChainReader(fake.call, never_stop).read("fw-1", {"otaUpdateFiles": [file]})
    without = {k: v for k, v in entry.items() if k != "certificate"}
    assert list(chain_gaps(file, without)) == [
        f"has no certificate link, yet the file names {CERT}"
    ]
    other = {**entry, "signingJob": {**entry["signingJob"], "jobId": "job-2"}}
    assert list(chain_gaps(file, other)) == [
        "signingJob is about another resource than the file names (job-1)"
    ]
    extra = {**entry, "stream": {"streamId": "s", "found": False}}
    assert list(chain_gaps(file, extra)) == ["has a stream link that the file does not name"]


@pytest.mark.parametrize(
    ("operation", "answer", "message"),
    [
        (
            "DescribeSigningJob",
            {"jobId": "job-1", "profileName": "p"},
            "signing job 'job-1': has no 'status', which a found signingJob always has",
        ),
        (
            "DescribeSigningJob",
            {"jobId": "job-1", "status": "Succeeded"},
            "signing job 'job-1': has no 'profileName', which a found signingJob always has",
        ),
        (
            "DescribeCertificate",
            {"Certificate": {"CertificateArn": CERT, "Status": "ISSUED"}},
            f"certificate {CERT!r}: has no 'notAfter', which a found certificate always has",
        ),
        (
            "GetSigningProfile",
            {"profileName": "fw-profile"},
            "signing profile 'fw-profile': has no 'status', which a found signingProfile "
            "always has",
        ),
        (
            "HeadObject",
            {"VersionId": "v1"},
            "s3://'b'/'fw.bin' version 'v1': has no 'size', which a found object always has",
        ),
    ],
)
def test_an_answer_without_what_the_rules_judge_is_malformed_not_a_pass(
    operation: str, answer: dict[str, Any], message: str
) -> None:
    """botocore's models require none of these members: an answer without one must not read
    as a job without a status (no OTA121) or a certificate without an end (no OTA127)."""
    fake = FakeAws()
    real = fake.call

    def call(op: str, ota_id: str, kwargs: dict[str, Any]) -> Any:
        return answer if op == operation else real(op, ota_id, kwargs)

    reader = ChainReader(call, never_stop)
    with pytest.raises(Unanswered) as raised:
        reader.read("fw-1", {"otaUpdateFiles": [signed_file("job-1")]})
    error = raised.value.error
    assert (error.operation, error.code, error.message) == (operation, "MalformedResponse", message)
