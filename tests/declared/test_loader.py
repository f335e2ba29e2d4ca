"""Declared files that load: values, 1-based lines, anchors, discovery and blob encoding."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.declared.loader import declared_files, load_declared, load_file
from checker.errors import InputError, Problem
from checker.model import DeclaredUpdate, Location
from checker.yamlsafe import load_located

ROLE = "arn:aws:iam::123456789012:role/ota"
GROUP = "arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors"

SENSORS = f"""\
# Sensor fleet: one update, written the long way.

otaUpdates:
  - otaUpdateId: sensor-fw-1
    description: Sensor firmware 1.0
    targets:
      - {GROUP}
      - arn:aws:iot:eu-west-1:123456789012:thing/sensor-01
    protocols: [MQTT, HTTP]
    awsJobPresignedUrlConfig:
      expiresInSec: 600
    files:
      - fileName: fw.bin
        fileVersion: "1.0"
        fileLocation:
          s3Location:
            bucket: firmware
            key: sensors/fw.bin
    roleArn: {ROLE}

  - otaUpdateId: sensor-fw-2
    targets: [{GROUP}]
    files:
      - fileName: fw2.bin
    roleArn: {ROLE}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def entry(ota_update_id: str, indent: str = "  ") -> str:
    """A minimal valid entry as YAML list item text (4 lines)."""
    return (
        f"{indent}- otaUpdateId: {ota_update_id}\n"
        f"{indent}  targets: [{GROUP}]\n"
        f"{indent}  files: [{{fileName: fw.bin}}]\n"
        f"{indent}  roleArn: {ROLE}\n"
    )


def load_one(path: Path) -> DeclaredUpdate:
    [update] = load_declared([str(path)])
    return update


# --- lines ---------------------------------------------------------------------------------


def test_entry_location_is_its_first_line(tmp_path, monkeypatch):
    """Each update's location is the file (relative, forward slashes) and its `- ` line."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "ota" / "sensors.yaml", SENSORS)
    first, second = load_declared([str(tmp_path / "ota" / "sensors.yaml")])
    assert (first.ota_update_id, first.location) == (
        "sensor-fw-1",
        Location("ota/sensors.yaml", 4),
    )
    assert (second.ota_update_id, second.location) == (
        "sensor-fw-2",
        Location("ota/sensors.yaml", 21),
    )
    assert str(first.location) == "ota/sensors.yaml:4"


def test_key_lines_hold_every_key_and_item_of_the_entry(tmp_path, monkeypatch):
    """key_lines maps every path inside the entry, nested keys and list items, to its line."""
    monkeypatch.chdir(tmp_path)
    first, second = load_declared([str(write(tmp_path / "sensors.yaml", SENSORS))])
    assert dict(first.key_lines) == {
        ("otaUpdateId",): 4,
        ("description",): 5,
        ("targets",): 6,
        ("targets", 0): 7,
        ("targets", 1): 8,
        ("protocols",): 9,
        ("protocols", 0): 9,
        ("protocols", 1): 9,
        ("awsJobPresignedUrlConfig",): 10,
        ("awsJobPresignedUrlConfig", "expiresInSec"): 11,
        ("files",): 12,
        ("files", 0): 13,
        ("files", 0, "fileName"): 13,
        ("files", 0, "fileVersion"): 14,
        ("files", 0, "fileLocation"): 15,
        ("files", 0, "fileLocation", "s3Location"): 16,
        ("files", 0, "fileLocation", "s3Location", "bucket"): 17,
        ("files", 0, "fileLocation", "s3Location", "key"): 18,
        ("roleArn",): 19,
    }
    assert second.key_lines[("files", 0, "fileName")] == 24
    assert second.key_lines[("roleArn",)] == 25


def test_config_is_the_entry_as_written(tmp_path, monkeypatch):
    """config holds exactly the create_ota_update kwargs written, with YAML types resolved."""
    monkeypatch.chdir(tmp_path)
    first, _ = load_declared([str(write(tmp_path / "sensors.yaml", SENSORS))])
    assert first.config == {
        "otaUpdateId": "sensor-fw-1",
        "description": "Sensor firmware 1.0",
        "targets": [GROUP, "arn:aws:iot:eu-west-1:123456789012:thing/sensor-01"],
        "protocols": ["MQTT", "HTTP"],
        "awsJobPresignedUrlConfig": {"expiresInSec": 600},
        "files": [
            {
                "fileName": "fw.bin",
                "fileVersion": "1.0",
                "fileLocation": {"s3Location": {"bucket": "firmware", "key": "sensors/fw.bin"}},
            }
        ],
        "roleArn": ROLE,
    }


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (("awsJobPresignedUrlConfig", "expiresInSec"), 11),
        (("files", 0, "fileLocation", "s3Location", "key"), 18),
        (("targets", 1), 8),
        # Absent keys fall back to the nearest ancestor that is written in the file.
        (("awsJobPresignedUrlConfig", "notThere"), 10),
        (("files", 0, "codeSigning", "awsSignerJobId"), 13),
        (("files", 0, "fileLocation", "s3Location", "version"), 16),
        (("files", 3, "fileName"), 12),
        (("awsJobExecutionsRolloutConfig", "maximumPerMinute"), 4),
        ((), 4),
    ],
)
def test_location_of_uses_the_key_or_its_nearest_written_ancestor(
    tmp_path, monkeypatch, path, line
):
    """location_of gives the key's own line, else its nearest ancestor's, else the entry's."""
    monkeypatch.chdir(tmp_path)
    first, _ = load_declared([str(write(tmp_path / "sensors.yaml", SENSORS))])
    assert first.location_of(path) == Location("sensors.yaml", line)


def test_load_located_keeps_lines_by_path(tmp_path):
    """load_located returns the value and the 1-based line of every key and item by path."""
    value, lines = load_located("# c\na:\n  - x\n  - {b: 1,\n     c: 2}\nd: null\n", "f.yaml")
    assert value == {"a": ["x", {"b": 1, "c": 2}], "d": None}
    assert lines == {
        ("a",): 2,
        ("a", 0): 3,
        ("a", 1): 4,
        ("a", 1, "b"): 4,
        ("a", 1, "c"): 5,
        ("d",): 6,
    }


def test_empty_ota_updates_list_declares_nothing(tmp_path, monkeypatch):
    """`otaUpdates: []` is valid and declares no update."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "none.yaml", "otaUpdates: []\n")
    assert load_declared(["none.yaml"]) == ()


# --- anchors, aliases and merge keys -------------------------------------------------------

SHARED = f"""\
x-rollout: &rollout
  maximumPerMinute: 10
  exponentialRate:
    baseRatePerMinute: 5
    incrementFactor: 2.0
    rateIncreaseCriteria:
      numberOfSucceededThings: 10
otaUpdates:
  - otaUpdateId: fw-merge-first
    targets: [{GROUP}]
    files: [{{fileName: fw.bin}}]
    roleArn: {ROLE}
    awsJobExecutionsRolloutConfig:
      <<: *rollout
      maximumPerMinute: 60
  - otaUpdateId: fw-merge-last
    targets: [{GROUP}]
    files: [{{fileName: fw.bin}}]
    roleArn: {ROLE}
    awsJobExecutionsRolloutConfig:
      maximumPerMinute: 50
      <<: *rollout
  - otaUpdateId: fw-alias
    targets: [{GROUP}]
    files: [{{fileName: fw.bin}}]
    roleArn: {ROLE}
    awsJobExecutionsRolloutConfig: *rollout
"""

EXPONENTIAL = {
    "baseRatePerMinute": 5,
    "incrementFactor": 2.0,
    "rateIncreaseCriteria": {"numberOfSucceededThings": 10},
}


def test_anchor_shares_a_rollout_block_and_explicit_keys_win(tmp_path, monkeypatch):
    """A merged `<<: *rollout` block is shared; a key written next to it wins, in any order."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "shared.yaml", SHARED)
    first, last, alias = load_declared(["shared.yaml"])
    assert first.config["awsJobExecutionsRolloutConfig"] == {
        "maximumPerMinute": 60,
        "exponentialRate": EXPONENTIAL,
    }
    assert last.config["awsJobExecutionsRolloutConfig"] == {
        "maximumPerMinute": 50,
        "exponentialRate": EXPONENTIAL,
    }
    assert alias.config["awsJobExecutionsRolloutConfig"] == {
        "maximumPerMinute": 10,
        "exponentialRate": EXPONENTIAL,
    }
    assert "x-rollout" not in first.config


def test_merged_and_explicit_keys_keep_their_own_lines(tmp_path, monkeypatch):
    """An explicit key is located at its own line, a merged key at the line in the anchor."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "shared.yaml", SHARED)
    first, last, alias = load_declared(["shared.yaml"])
    rollout = ("awsJobExecutionsRolloutConfig",)
    rate = (*rollout, "exponentialRate", "baseRatePerMinute")
    assert first.location == Location("shared.yaml", 9)
    assert first.key_lines[rollout] == 13
    assert first.key_lines[(*rollout, "maximumPerMinute")] == 15
    assert first.key_lines[rate] == 4
    assert last.location == Location("shared.yaml", 16)
    assert last.key_lines[rollout] == 20
    # `<<` written after the explicit key must not move the explicit key's line to the anchor.
    assert last.key_lines[(*rollout, "maximumPerMinute")] == 21
    assert last.key_lines[rate] == 4
    assert alias.key_lines[rollout] == 27
    assert alias.key_lines[(*rollout, "maximumPerMinute")] == 2


def test_merge_key_takes_a_list_of_mappings_first_wins(tmp_path, monkeypatch):
    """`<<: [*a, *b]` merges both; for a key in both, the first listed mapping wins."""
    monkeypatch.chdir(tmp_path)
    text = (
        "x-fast: &fast {maximumPerMinute: 100}\n"
        "x-slow: &slow {maximumPerMinute: 1}\n"
        "otaUpdates:\n"
        + entry("fw-1")
        + "    awsJobExecutionsRolloutConfig:\n"
        + "      <<: [*fast, *slow]\n"
    )
    write(tmp_path / "a.yaml", text)
    update = load_one(tmp_path / "a.yaml")
    assert update.config["awsJobExecutionsRolloutConfig"] == {"maximumPerMinute": 100}


def test_x_top_level_keys_are_accepted_and_ignored(tmp_path, monkeypatch):
    """Top-level keys starting with `x-` may hold anything and never become updates."""
    monkeypatch.chdir(tmp_path)
    text = (
        "x-notes: anything at all\n"
        "x-list: [1, 2, 3]\n"
        "x-role: &role " + ROLE + "\n"
        "otaUpdates:\n"
        "  - otaUpdateId: fw-1\n"
        f"    targets: [{GROUP}]\n"
        "    files: [{fileName: fw.bin}]\n"
        "    roleArn: *role\n"
        "x-after: {a: 1}\n"
    )
    write(tmp_path / "a.yaml", text)
    update = load_one(tmp_path / "a.yaml")
    assert update.ota_update_id == "fw-1"
    assert update.location == Location("a.yaml", 5)
    assert update.config["roleArn"] == ROLE
    assert update.key_lines[("roleArn",)] == 8


# --- discovery -----------------------------------------------------------------------------


def _tree(root: Path) -> None:
    write(root / "ota" / "b.yaml", "otaUpdates:\n" + entry("b"))
    write(root / "ota" / "a.yml", "otaUpdates:\n" + entry("a"))
    write(root / "ota" / "zone" / "c.yaml", "otaUpdates:\n" + entry("c"))
    write(root / "ota" / "zone" / "deeper" / "d.yml", "otaUpdates:\n" + entry("d"))
    write(root / "ota" / "zone" / "notes.txt", "otaUpdates: not yaml by name\n")
    write(root / "ota" / "README.md", "# not loaded\n")


def test_directories_are_searched_recursively_in_sorted_order(tmp_path, monkeypatch):
    """A directory yields its `*.yaml` and `*.yml` files at any depth, sorted; others skipped."""
    monkeypatch.chdir(tmp_path)
    _tree(tmp_path)
    assert declared_files(["ota"]) == [
        Path("ota/a.yml"),
        Path("ota/b.yaml"),
        Path("ota/zone/c.yaml"),
        Path("ota/zone/deeper/d.yml"),
    ]
    updates = load_declared(["ota"])
    assert [u.ota_update_id for u in updates] == ["a", "b", "c", "d"]
    assert [str(u.location) for u in updates] == [
        "ota/a.yml:2",
        "ota/b.yaml:2",
        "ota/zone/c.yaml:2",
        "ota/zone/deeper/d.yml:2",
    ]


def test_paths_keep_command_line_order(tmp_path, monkeypatch):
    """Several path arguments load in the order given, each directory sorted inside."""
    monkeypatch.chdir(tmp_path)
    _tree(tmp_path)
    updates = load_declared(["ota/zone", "ota/b.yaml", "ota/a.yml"])
    assert [u.ota_update_id for u in updates] == ["c", "d", "b", "a"]


def test_file_named_explicitly_loads_whatever_its_suffix(tmp_path, monkeypatch):
    """A file given by name is loaded even without a YAML suffix."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "declared.txt", "otaUpdates:\n" + entry("txt"))
    assert [u.ota_update_id for u in load_declared(["declared.txt"])] == ["txt"]


def test_same_file_named_twice_loads_once(tmp_path, monkeypatch):
    """A file named twice, spelled differently or also found in a directory, loads once."""
    monkeypatch.chdir(tmp_path)
    _tree(tmp_path)
    absolute = str(tmp_path / "ota" / "b.yaml")
    updates = load_declared(["ota/b.yaml", "./ota/b.yaml", absolute, "ota", "ota/zone/../b.yaml"])
    assert [u.ota_update_id for u in updates] == ["b", "a", "c", "d"]
    assert updates[0].location == Location("ota/b.yaml", 2)


def test_load_file_reads_one_file(tmp_path, monkeypatch):
    """load_file returns the updates of one file, located relative to the current directory."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "sub" / "one.yaml", "# one\notaUpdates:\n" + entry("one"))
    [update] = load_file(tmp_path / "sub" / "one.yaml")
    assert (update.ota_update_id, update.location) == ("one", Location("sub/one.yaml", 3))


# --- blobs ---------------------------------------------------------------------------------


def _signed(inline_document: str) -> str:
    return (
        "otaUpdates:\n"
        + entry("signed")
        + "    files:\n"
        + "      - fileName: fw.bin\n"
        + "        codeSigning:\n"
        + "          customCodeSigning:\n"
        + "            signature:\n"
        + f"              inlineDocument: {inline_document}\n"
        + "            certificateChain:\n"
        + "              certificateName: acme\n"
        + "              inlineDocument: /certs/acme.pem\n"
    ).replace("    files: [{fileName: fw.bin}]\n", "")


def _code_signing(update: DeclaredUpdate) -> dict:
    return update.config["files"][0]["codeSigning"]["customCodeSigning"]


def test_binary_signature_becomes_its_bytes(tmp_path, monkeypatch):
    """A `!!binary` signature is the decoded bytes in config."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.yaml", _signed("!!binary AAEC/w=="))
    update = load_one(tmp_path / "a.yaml")
    assert _code_signing(update)["signature"]["inlineDocument"] == b"\x00\x01\x02\xff"
    assert update.key_lines[("files", 0, "codeSigning", "customCodeSigning", "signature")] == 9
    assert (
        update.location_of(
            ("files", 0, "codeSigning", "customCodeSigning", "signature", "inlineDocument")
        ).line
        == 10
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("MEUCIQDx", b"MEUCIQDx"),
        ('"signé par Acme"', "signé par Acme".encode()),
    ],
)
def test_plain_text_signature_becomes_its_utf8_bytes(tmp_path, monkeypatch, written, expected):
    """A plain-string signature is its UTF-8 bytes, as boto3 would send it (not base64-decoded)."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.yaml", _signed(written))
    signing = _code_signing(load_one(tmp_path / "a.yaml"))
    assert signing["signature"]["inlineDocument"] == expected
    assert type(signing["signature"]["inlineDocument"]) is bytes
    # The certificate chain's inlineDocument is a string in the model and stays one.
    assert signing["certificateChain"] == {
        "certificateName": "acme",
        "inlineDocument": "/certs/acme.pem",
    }


def test_shared_binary_signature_via_anchor(tmp_path, monkeypatch):
    """A signing block shared through an anchor gives each update the same bytes."""
    monkeypatch.chdir(tmp_path)
    text = (
        "x-signing: &signing\n"
        "  customCodeSigning:\n"
        "    signature: {inlineDocument: !!binary AAEC/w==}\n"
        "otaUpdates:\n"
    )
    for name in ("one", "two"):
        text += (
            f"  - otaUpdateId: {name}\n"
            f"    targets: [{GROUP}]\n"
            f"    roleArn: {ROLE}\n"
            "    files:\n"
            "      - fileName: fw.bin\n"
            "        codeSigning: *signing\n"
        )
    write(tmp_path / "a.yaml", text)
    one, two = load_declared(["a.yaml"])
    for update in (one, two):
        assert _code_signing(update)["signature"]["inlineDocument"] == b"\x00\x01\x02\xff"
    assert one.key_lines[("files", 0, "codeSigning")] == 10
    assert two.key_lines[("files", 0, "codeSigning")] == 16


# --- problems across files -----------------------------------------------------------------


def test_problems_from_two_bad_files_are_reported_together(tmp_path, monkeypatch):
    """Problems in two files come in one InputError, in file order, each at its own line."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "ota" / "a.yaml", "otaUpdates:\n" + entry("a") + "    protocol: [MQTT]\n")
    write(
        tmp_path / "ota" / "b.yaml",
        "otaUpdates:\n" + entry("b") + "    targetSelection: FOO\n" + entry("good"),
    )
    write(tmp_path / "ota" / "c.yaml", "otaUpdates:\n" + entry("c"))
    with pytest.raises(InputError) as caught:
        load_declared(["ota"])
    assert caught.value.problems == (
        Problem("ota/a.yaml", 6, "unknown key 'protocol'; did you mean 'protocols'?"),
        Problem("ota/b.yaml", 6, "targetSelection must be one of CONTINUOUS, SNAPSHOT, not 'FOO'"),
    )
    assert str(caught.value).splitlines() == [
        "ota/a.yaml:6: unknown key 'protocol'; did you mean 'protocols'?",
        "ota/b.yaml:6: targetSelection must be one of CONTINUOUS, SNAPSHOT, not 'FOO'",
    ]
