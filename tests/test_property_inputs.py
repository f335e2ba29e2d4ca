"""Property tests of the input readers: the YAML loader of declared files and the JSON state loader.

For arbitrary bytes and for generated documents (deep nesting, odd scalars, anchors, aliases
and merge keys, duplicate keys, NaN, lone surrogates, huge numbers), `load_file`,
`load_declared` and `SnapshotSource` have two outcomes only: a result, or an InputError whose
problems are one line each. Never another exception, and within a deadline per example.

Examples are derandomized (the same on every run and in CI) and few enough to take seconds.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.declared.loader import load_declared, load_file
from checker.errors import InputError
from checker.jsonsafe import load_json
from checker.model import DeclaredUpdate, LiveUpdate
from checker.servicemodel import validate_entry, validate_live
from checker.sources.snapshot import SnapshotSource
from checker.yamlsafe import load_located

settings.register_profile(
    "ota-drift-inputs",
    derandomize=True,
    database=None,
    deadline=timedelta(seconds=2),  # generous for a busy CI; a hang or a blow-up takes longer
    max_examples=120,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
INPUTS = settings.get_profile("ota-drift-inputs")
"""One profile for every property here: reproducible, a few seconds in all."""

# botocore's model loads on first use (~0.3 s): not inside the first example's deadline.
list(validate_entry({}))
list(validate_live({}))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the module: function-scoped fixtures do not mix with @given."""
    return tmp_path_factory.mktemp("inputs")


def only_input_errors(call: Any) -> Any:
    """The result of `call`, or its InputError, which must say something, one line a problem."""
    try:
        return call()
    except InputError as exc:
        assert exc.problems, "an InputError must carry at least one problem"
        for problem in exc.problems:
            assert problem.message, problem
            assert "\n" not in str(problem), problem
            assert problem.line is None or problem.line >= 1, problem
        return exc


NESTING = st.sampled_from([1, 2, 63, 64, 65, 66, 1500])
"""Extra levels of nesting around a node: both sides of the limit, and far beyond."""

# --- arbitrary YAML ---------------------------------------------------------------------------

GOOD_SCALARS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text(max_size=12).map(json.dumps),  # JSON strings are YAML double-quoted scalars
    st.text(alphabet="abcxyz-_./", min_size=1, max_size=10),
)
ODD_SCALARS = st.sampled_from(
    [
        "0755",
        "-010",
        "00",
        "07",
        "08",
        "0o17",
        "0x1F",
        "0b101",
        "1_000",
        "10:00",
        "1:30.5",
        "190:20:30",
        ".nan",
        ".inf",
        "-.inf",
        "1.0e+400",
        "1e400",
        "~",
        "null",
        "yes",
        "No",
        "on",
        "2026-11-20",
        "2026-13-45",
        "2026-11-20T10:00:00Z",
        "!!binary aGVsbG8=",
        "!!binary '???'",
        "!!python/object:os.system x",
        "!!str 5",
        "!!int 12",
        "!!float x",
        "!custom x",
        '"\\ud800"',
        '"\\x1b[31m"',
        "'it''s'",
        "9" * 5000,
        "''",
        "-",
        "|",
        ">",
        "&",
        "*",
        "10:00 UTC",
    ]
)
YAML_SCALARS = st.one_of(GOOD_SCALARS, GOOD_SCALARS, ODD_SCALARS)
YAML_KEYS = st.one_of(
    st.sampled_from(
        [
            "otaUpdateId",
            "targets",
            "files",
            "roleArn",
            "protocols",
            "fileName",
            "awsJobPresignedUrlConfig",
            "expiresInSec",
            "codeSigning",
            "x-shared",
            "<<",
            "a",
            "a",
            "b",
            "0755",
            "10:00",
            "[a]",
            "{a: 1}",
            '"a"',
        ]
    ),
    YAML_SCALARS,
)


def _flow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(children, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(YAML_KEYS, children), max_size=4).map(
            lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
        ),
        st.tuples(st.integers(1, 3), children).map(lambda t: f"&a{t[0]} {t[1]}"),
        st.integers(1, 3).map(lambda n: f"*a{n}"),
        st.tuples(st.integers(1, 3), children).map(lambda t: f"{{<<: *a{t[0]}, k: {t[1]}}}"),
        st.tuples(NESTING, children).map(lambda t: "[" * t[0] + t[1] + "]" * t[0]),
    )


YAML_NODES = st.recursive(YAML_SCALARS, _flow, max_leaves=25)
S3_FILE = "{fileName: fw.bin, fileLocation: {s3Location: {bucket: b, key: k, version: v}}}"
ENTRY_FIELDS = {
    # field: (a valid value, odd values)
    "targets": ("[arn:aws:iot:eu-west-1:123456789012:thinggroup/g]", YAML_NODES),
    "files": (
        f"[{S3_FILE}]",
        st.sampled_from(
            [
                "[{fileName: fw.bin, fileLocation: {stream: {streamId: s, fileId: 0755}}}]",
                "[{fileLocation: {stream: {streamId: s, fileId: 10:00}}}]",
                f"[{S3_FILE}, {S3_FILE}]",
                "[]",
            ]
        )
        | YAML_NODES,
    ),
    "roleArn": ("arn:aws:iam::123456789012:role/ota", YAML_NODES),
    "protocols": ("[HTTP, MQTT]", st.sampled_from(["[MQTT]", "MQTT", "[FOO]"]) | YAML_NODES),
    "awsJobPresignedUrlConfig": (
        "{expiresInSec: 900}",
        YAML_NODES.map(lambda n: f"{{expiresInSec: {n}}}"),
    ),
    "awsJobExecutionsRolloutConfig": (
        "{maximumPerMinute: 100}",
        YAML_NODES.map(lambda n: f"{{maximumPerMinute: {n}}}"),
    ),
    "targetSelection": ("CONTINUOUS", YAML_SCALARS),
    "description": ('"rollout of 4.2"', YAML_NODES),
    "additionalParameters": ("{stage: beta}", YAML_NODES),
}
REQUIRED = ("targets", "files", "roleArn")


@st.composite
def declared_documents(draw: st.DrawFn) -> str:
    """A declared file: valid entries, or entries with odd values and shared `x-` anchors."""
    clean = draw(st.booleans())
    shared = [] if clean else draw(st.lists(YAML_NODES, max_size=2))
    lines = [f"x-shared{i}: &a{i + 1} {node}" for i, node in enumerate(shared)]
    entries = draw(st.integers(0, 3))
    for index in range(entries):
        ota_id = f"fw-{index}" if clean else draw(st.sampled_from(["fw-1", "0755", "*a1"]))
        names = list(REQUIRED) if clean else [n for n in REQUIRED if draw(st.booleans())]
        names += draw(st.lists(st.sampled_from(sorted(ENTRY_FIELDS)), max_size=4, unique=True))
        fields = {"otaUpdateId": ota_id}
        for name in names:
            valid, odd = ENTRY_FIELDS[name]
            fields[name] = valid if clean or draw(st.booleans()) else draw(odd)
        if draw(st.booleans()):
            lines.append("  - " + "\n    ".join(f"{k}: {v}" for k, v in fields.items()))
        else:
            lines.append("  - {" + ", ".join(f"{k}: {v}" for k, v in fields.items()) + "}")
    if entries:
        lines.insert(len(shared), "otaUpdates:")
    else:
        lines.append(draw(st.sampled_from(["otaUpdates: []", "otaUpdates:", "other: 1", ""])))
    return "\n".join(lines) + "\n"


plain_data = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=10),
        st.dates(),
        st.binary(max_size=8),
    ),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=6) | st.integers(), children, max_size=4)
    ),
    max_leaves=20,
)


@INPUTS
@given(data=st.binary(max_size=3000))
def test_arbitrary_bytes_as_a_declared_file(folder: Path, data: bytes) -> None:
    """Whatever bytes a declared file holds: its updates, or an InputError."""
    path = folder / "bytes.yaml"
    path.write_bytes(data)
    result = only_input_errors(lambda: load_file(path))
    assert isinstance(result, InputError | list)


@INPUTS
@given(text=declared_documents())
def test_generated_yaml_documents_as_declared_files(folder: Path, text: str) -> None:
    """Generated declared files load to valid updates, or to an InputError with lines."""
    path = folder / "doc.yaml"
    path.write_text(text, encoding="utf-8")
    result = only_input_errors(lambda: load_declared([str(path)]))
    if isinstance(result, InputError):
        assert all(p.file.endswith("doc.yaml") for p in result.problems)
    else:
        assert all(isinstance(u, DeclaredUpdate) for u in result)
        assert all(not list(validate_entry(dict(u.config))) for u in result if u.config)


@INPUTS
@given(node=YAML_NODES)
def test_generated_yaml_nodes_parse_to_plain_data_or_an_input_error(node: str) -> None:
    """Any node (aliases, merges, deep nesting, tags) parses to plain data or an InputError."""
    result = only_input_errors(lambda: load_located(f"x: {node}\n", "n.yaml"))
    if not isinstance(result, InputError):
        value, lines = result
        assert isinstance(value, dict)
        assert all(line >= 1 for line in lines.values())


@INPUTS
@given(value=plain_data, flow=st.booleans())
def test_yaml_written_by_pyyaml_reads_back_or_is_refused(value: Any, flow: bool) -> None:
    """What PyYAML's safe dumper writes loads as the same value, or is an InputError."""
    text = yaml.safe_dump({"x": value}, default_flow_style=flow)
    result = only_input_errors(lambda: load_located(text, "d.yaml"))
    if not isinstance(result, InputError):
        assert _same(result[0], {"x": value})


def _same(a: Any, b: Any) -> bool:
    """Equality that treats NaN as equal to itself."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b and type(a) is type(b))


# --- arbitrary JSON ---------------------------------------------------------------------------

JSON_TOKENS = st.one_of(
    st.sampled_from(
        [
            "0",
            "-0",
            "1",
            "1.5",
            "1e400",
            "-1e400",
            "1e-400",
            "NaN",
            "Infinity",
            "-Infinity",
            "true",
            "false",
            "null",
            '"x"',
            '"\\ud800"',
            '"\\udc00x"',
            '"\\ud83d\\ude00"',
            '"\\u0000"',
            '"2026-11-20T06:00:00Z"',
            '"0001-01-01T00:00:00+01:00"',
            '"9999-12-31T23:59:59-14:00"',
            "1e20",
            "-1e20",
            "253402300800",
            "9" * 5000,
            "1" * 101,
            "[",
            "]",
            "{",
            "}",
            ",",
            ":",
            "",
        ]
    ),
    st.integers().map(str),
    st.floats().map(json.dumps),
    st.text(max_size=8).map(json.dumps),
)
JSON_KEYS = st.one_of(
    st.sampled_from(
        [
            '"otaUpdateId"',
            '"otaUpdates"',
            '"version"',
            '"capturedAt"',
            '"deep"',
            '"region"',
            '"creationDate"',
            '"lastModifiedDate"',
            '"targets"',
            '"otaUpdateFiles"',
            '"awsJobAbortConfig"',
            '"awsJobTimeoutConfig"',
            '"tags"',
            '"otaUpdateInfo"',
            '"Key"',
            '"Value"',
            '"\\ud800"',
            '"a"',
        ]
    ),
    st.text(max_size=6).map(json.dumps),
)


def _json_containers(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(children, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(JSON_KEYS, children), max_size=5).map(
            lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
        ),
        st.tuples(NESTING, children).map(lambda t: "[" * t[0] + t[1] + "]" * t[0]),
    )


JSON_TEXTS = st.recursive(JSON_TOKENS, _json_containers, max_leaves=30)

dates = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(
        lambda d: d.isoformat()
    ),
    st.tuples(
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
        st.integers(min_value=-23 * 60, max_value=23 * 60),
    ).map(lambda t: t[0].replace(tzinfo=timezone(timedelta(minutes=t[1]))).isoformat()),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(),
    st.sampled_from(["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", 1e20, "soon", True]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=12,
)
FILE = {"fileName": "fw.bin", "fileLocation": {"stream": {"streamId": "s", "fileId": 0}}}
ABORT = {
    "abortCriteriaList": [
        {
            "failureType": "FAILED",
            "action": "CANCEL",
            "thresholdPercentage": 20.0,
            "minNumberOfExecutedThings": 10,
        }
    ]
}
sane_dates = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2999, 12, 30), timezones=st.just(UTC)
).map(lambda d: d.isoformat())
INFO_FIELDS = {
    # field: (valid values, odd values)
    "targets": (st.just(["arn:aws:iot:eu-west-1:123456789012:thinggroup/g"]), json_values),
    "otaUpdateFiles": (st.just([FILE]), json_values),
    "creationDate": (sane_dates, dates),
    "lastModifiedDate": (st.integers(0, 32_503_679_999), dates),
    "otaUpdateStatus": (st.sampled_from(["CREATE_COMPLETE", "NEW_STATUS"]), json_values),
    "awsJobAbortConfig": (st.just(ABORT), json_values),
    "awsJobTimeoutConfig": (st.just({"inProgressTimeoutInMinutes": 5}), json_values),
    "tags": (st.just([{"Key": "k", "Value": "v"}]), json_values),
    "futureField": (json_values, json_values),
}


@st.composite
def infos(draw: st.DrawFn, clean: bool) -> dict[str, Any]:
    """An otaUpdateInfo: all values valid when `clean`, else some odd ones."""
    odd = st.sampled_from(["fw-1", ""]) | json_values
    info = {"otaUpdateId": draw(st.sampled_from(["fw-1", "fw-2", "fw-3"]) if clean else odd)}
    for name in draw(st.lists(st.sampled_from(sorted(INFO_FIELDS)), max_size=6, unique=True)):
        valid, weird = INFO_FIELDS[name]
        info[name] = draw(valid if clean or draw(st.booleans()) else weird)
    return info


@st.composite
def snapshots(draw: st.DrawFn) -> Any:
    """A snapshot or saved AWS CLI output; valid throughout, or with odd values mixed in."""
    clean = draw(st.booleans())
    entries = draw(st.lists(infos(clean), max_size=3, unique_by=lambda i: str(i["otaUpdateId"])))
    if draw(st.booleans()):
        return [{"otaUpdateInfo": info} for info in entries]
    doc: dict[str, Any] = {"version": 1 if clean else draw(st.sampled_from([1, 2, "1", True]))}
    doc["otaUpdates"] = entries
    if draw(st.booleans()):
        doc["capturedAt"] = draw(sane_dates if clean else dates)
    if draw(st.booleans()):
        doc["region"] = "eu-west-1" if clean else draw(json_values)
    if draw(st.booleans()):
        doc["deep"] = True if clean else draw(json_values)
    return doc


def _read_snapshot(folder: Path, data: bytes) -> Any:
    path = folder / "state.json"
    path.write_bytes(data)
    return only_input_errors(lambda: list(SnapshotSource(str(path)).fetch()))


@INPUTS
@given(data=st.binary(max_size=3000))
def test_arbitrary_bytes_as_a_state_file(folder: Path, data: bytes) -> None:
    """Whatever bytes a `--state` file holds: live updates, or an InputError."""
    result = _read_snapshot(folder, data)
    assert isinstance(result, InputError | list)


@INPUTS
@given(text=JSON_TEXTS)
def test_generated_json_texts_as_state_files(folder: Path, text: str) -> None:
    """Token soups with NaN, duplicates, surrogates and deep nesting: a result or an InputError."""
    for wrapped in (text, '{"version": 1, "otaUpdates": [' + text + "]}"):
        result = _read_snapshot(folder, wrapped.encode("utf-8", "surrogatepass"))
        assert isinstance(result, InputError | list)


@INPUTS
@given(doc=snapshots(), indent=st.sampled_from([None, 0, 2]), ascii_only=st.booleans())
def test_generated_snapshots_load_or_fail_cleanly(
    folder: Path, doc: Any, indent: int | None, ascii_only: bool
) -> None:
    """Snapshot-shaped documents with odd values give live updates with aware, sane dates."""
    text = json.dumps(doc, indent=indent, ensure_ascii=ascii_only)
    result = _read_snapshot(folder, text.encode("utf-8", "surrogatepass"))
    if isinstance(result, InputError):
        return
    for update in result:
        assert isinstance(update, LiveUpdate)
        for name in ("creationDate", "lastModifiedDate"):
            moment = update.info.get(name)
            if moment is not None:
                assert isinstance(moment, datetime)
                assert datetime(1970, 1, 1, tzinfo=UTC) <= moment < datetime(3000, 1, 1, tzinfo=UTC)


@INPUTS
@given(captured=dates, created=dates, cli=st.booleans())
def test_any_date_loads_inside_the_window_or_fails_cleanly(
    folder: Path, captured: Any, created: Any, cli: bool
) -> None:
    """ISO strings with any offset, epoch numbers of any size: an aware datetime in range, or
    an InputError; never an overflow at the edge of the calendar."""
    info = {"otaUpdateId": "fw-1", "creationDate": created}
    doc: Any = [{"otaUpdateInfo": info}] if cli else {"version": 1, "capturedAt": captured}
    if not cli:
        doc["otaUpdates"] = [info]
    path = folder / "dates.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    source = only_input_errors(lambda: SnapshotSource(str(path)))
    if isinstance(source, InputError):
        return
    moments = [u.info["creationDate"] for u in source.fetch() if isinstance(u, LiveUpdate)]
    if source.captured_at is not None:
        moments.append(source.captured_at)
    for moment in moments:
        assert moment.tzinfo is not None
        assert datetime(1970, 1, 1, tzinfo=UTC) <= moment < datetime(3000, 1, 1, tzinfo=UTC)


@INPUTS
@given(text=JSON_TEXTS)
def test_strict_json_agrees_with_json_loads_whenever_it_accepts(text: str) -> None:
    """load_json never returns anything json.loads would not: it only refuses, never rewrites."""
    result = only_input_errors(lambda: load_json(text, "t.json"))
    if not isinstance(result, InputError):
        assert _same(result, json.loads(text))
