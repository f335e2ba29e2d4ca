"""Bad declared input: exit code 2, `FILE:LINE: message` on stderr, no traceback, no report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from checker.cli import main
from checker.declared.loader import MAX_FILE_BYTES, load_declared
from checker.errors import InputError, Problem
from checker.yamlsafe import MAX_DEPTH, MAX_EXPANDED_NODES

ENTRY = """\
  - otaUpdateId: fw-1
    targets:
      - arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors
    protocols: [MQTT]
    roleArn: arn:aws:iam::123456789012:role/ota
    files:
      - fileName: fw.bin
        fileLocation:
          s3Location: {bucket: firmware, key: fw.bin}
"""
"""A valid entry: lines 2-10 of a file that starts with `otaUpdates:`."""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run_check(tmp_path: Path, capsys: pytest.CaptureFixture[str], *paths: str) -> list[str]:
    """Run `ota-drift check` with --output; assert the input-error contract; return stderr lines."""
    state = write(tmp_path / "state" / "snapshot.json", '{"version": 1, "otaUpdates": []}\n')
    output = tmp_path / "out" / "report.json"
    code = main(
        ["check", *paths, "--state", str(state), "--format", "json", "--output", str(output)]
    )
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert "Traceback" not in captured.err
    assert "internal error" not in captured.err
    assert captured.out == ""
    assert not output.exists()
    assert not output.parent.exists()
    lines = captured.err.splitlines()
    assert lines, "an input error must say what is wrong"
    return lines


def assert_problem(line: str, where: str, *words: str) -> None:
    """`line` is `where: message` (where = FILE or FILE:LINE) and the message has every word."""
    assert line.startswith(f"{where}: "), line
    message = line[len(where) + 2 :]
    for word in words:
        assert word in message, f"{word!r} not in {line!r}"


def problems_of(*paths: str) -> tuple[Problem, ...]:
    with pytest.raises(InputError) as caught:
        load_declared(list(paths))
    return caught.value.problems


# --- YAML itself ---------------------------------------------------------------------------


def test_yaml_syntax_error_names_file_and_line(tmp_path, monkeypatch, capsys):
    """A YAML syntax error is reported at the line of the offending token."""
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path / "ota" / "bad.yaml",
        "otaUpdates:\n  - otaUpdateId: fw-1\n     targets: [a]\n",
    )
    [line] = run_check(tmp_path, capsys, str(tmp_path / "ota" / "bad.yaml"))
    assert_problem(line, "ota/bad.yaml:3", "YAML syntax error", "mapping values are not allowed")


def test_yaml_syntax_error_problem_through_load_declared(tmp_path, monkeypatch):
    """load_declared raises one Problem carrying the file, line 3 and a syntax-error message."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "bad.yaml", "otaUpdates:\n  - otaUpdateId: fw-1\n     targets: [a]\n")
    [problem] = problems_of("bad.yaml")
    assert (problem.file, problem.line) == ("bad.yaml", 3)
    assert problem.message.startswith("YAML syntax error: ")


def test_undefined_alias_is_an_error(tmp_path, monkeypatch, capsys):
    """An alias to an anchor that does not exist is an error at the alias's line."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.yaml", "otaUpdates:\n  - otaUpdateId: fw-1\n    files: *nope\n")
    [line] = run_check(tmp_path, capsys, "a.yaml")
    assert_problem(line, "a.yaml:3", "alias *nope refers to no anchor")


def test_two_yaml_documents_in_one_file_are_an_error(tmp_path, monkeypatch, capsys):
    """A second `---` document is refused rather than silently ignored."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.yaml", "otaUpdates: []\n---\notaUpdates: []\n")
    [line] = run_check(tmp_path, capsys, "a.yaml")
    assert_problem(line, "a.yaml:2", "expected a single YAML document, found another")


def test_non_utf8_file_names_the_line_of_the_bad_byte(tmp_path, monkeypatch, capsys):
    """A byte that is not UTF-8 is reported with the line it is on and its value."""
    monkeypatch.chdir(tmp_path)
    data = b"otaUpdates:\n  - otaUpdateId: fw-1\n    description: caf\xe9\n"
    (tmp_path / "latin1.yaml").write_bytes(data)
    [line] = run_check(tmp_path, capsys, "latin1.yaml")
    assert_problem(line, "latin1.yaml:3", "not UTF-8", "0xe9")


def test_non_utf8_problem_through_load_declared(tmp_path, monkeypatch):
    """load_declared's Problem for a UTF-16 file is at line 1 of that file."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "utf16.yaml").write_bytes("otaUpdates: []\n".encode("utf-16"))
    [problem] = problems_of("utf16.yaml")
    assert (problem.file, problem.line) == ("utf16.yaml", 1)
    assert "not UTF-8" in problem.message


# --- top level -----------------------------------------------------------------------------


def test_top_level_list_is_an_error(tmp_path, monkeypatch, capsys):
    """A file whose top level is a list, not a mapping, is refused at line 1."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "list.yaml", "- otaUpdateId: fw-1\n- otaUpdateId: fw-2\n")
    [line] = run_check(tmp_path, capsys, "list.yaml")
    assert_problem(
        line,
        "list.yaml:1",
        "is not a declaration in any format ota-drift reads",
        "'otaUpdates' list",
        "--cli-input-json",
    )


def test_top_level_mapping_without_ota_updates_is_an_error(tmp_path, monkeypatch, capsys):
    """A mapping without an `otaUpdates` key is refused (nothing to check is not 'clean')."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.yaml", "updates:\n" + ENTRY)
    [line] = run_check(tmp_path, capsys, "a.yaml")
    assert_problem(
        line,
        "a.yaml:1",
        "is not a declaration in any format ota-drift reads",
        "'otaUpdates' list",
        "--cli-input-json",
    )


def test_top_level_scalar_is_an_error(tmp_path, monkeypatch):
    """A file holding one plain string is refused at line 1."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.yaml", "just some text\n")
    [problem] = problems_of("a.yaml")
    assert (problem.file, problem.line) == ("a.yaml", 1)
    assert "an ota-drift file (a mapping with an 'otaUpdates' list)" in problem.message


def test_empty_file_is_an_error(tmp_path, monkeypatch, capsys):
    """An empty file declares nothing and is refused at line 1."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "empty.yaml", "")
    [line] = run_check(tmp_path, capsys, "empty.yaml")
    assert_problem(
        line,
        "empty.yaml:1",
        "is not a declaration in any format ota-drift reads",
        "'otaUpdates' list",
        "--cli-input-json",
    )


def test_comment_only_file_is_an_error(tmp_path, monkeypatch):
    """A file of only comments is as empty as an empty file."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "c.yaml", "# nothing yet\n# still nothing\n")
    [problem] = problems_of("c.yaml")
    assert (problem.file, problem.line) == ("c.yaml", 1)
    assert "'otaUpdates'" in problem.message


def test_ota_updates_not_a_list_is_an_error(tmp_path, monkeypatch, capsys):
    """`otaUpdates` holding a mapping is reported at the `otaUpdates:` line."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.yaml", "# sensors\n\notaUpdates:\n  otaUpdateId: fw-1\n")
    [line] = run_check(tmp_path, capsys, "a.yaml")
    assert_problem(line, "a.yaml:3", "'otaUpdates' must be a list")


def test_ota_updates_null_is_an_error(tmp_path, monkeypatch):
    """`otaUpdates:` with nothing after it is null, not an empty list, and is refused."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.yaml", "otaUpdates:\n")
    assert problems_of("a.yaml") == (Problem("a.yaml", 1, "'otaUpdates' must be a list"),)


def test_unknown_top_level_key_is_an_error(tmp_path, monkeypatch, capsys):
    """A top-level key other than `otaUpdates` or `x-...` is an error at its line."""
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path / "a.yaml",
        "x-rollout: &rollout\n  maximumPerMinute: 5\nrollout: 3\notaUpdates:\n" + ENTRY,
    )
    [line] = run_check(tmp_path, capsys, "a.yaml")
    assert_problem(line, "a.yaml:3", "unknown top-level key 'rollout'", "'otaUpdates'", "'x-'")


def test_unknown_top_level_keys_are_all_reported_with_list_error(tmp_path, monkeypatch):
    """Unknown top-level keys and a non-list `otaUpdates` are reported together."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.yaml", "version: 2\notaUpdates: 3\nX-upper: 1\n")
    problems = problems_of("a.yaml")
    assert [(p.file, p.line) for p in problems] == [("a.yaml", 1), ("a.yaml", 3), ("a.yaml", 2)]
    assert "unknown top-level key 'version'" in problems[0].message
    assert "unknown top-level key 'X-upper'" in problems[1].message
    assert problems[2].message == "'otaUpdates' must be a list"


# --- entries against botocore's model ------------------------------------------------------


def test_unknown_key_suggests_the_close_member(tmp_path, monkeypatch, capsys):
    """`protocol` is reported at its own line with a did-you-mean for `protocols`."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.yaml", "otaUpdates:\n" + ENTRY.replace("protocols:", "protocol:"))
    [line] = run_check(tmp_path, capsys, "a.yaml")
    assert_problem(line, "a.yaml:5", "unknown key 'protocol'", "did you mean 'protocols'?")


def test_unknown_key_without_close_member_has_no_suggestion(tmp_path, monkeypatch):
    """A key far from every member name gets no did-you-mean."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.yaml", "otaUpdates:\n" + ENTRY + "    colour: blue\n")
    assert problems_of("a.yaml") == (Problem("a.yaml", 11, "unknown key 'colour'"),)


def test_nested_unknown_key_is_reported_at_its_line(tmp_path, monkeypatch):
    """An unknown key inside `files[0]` names the block and is at its own line."""
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path / "a.yaml",
        "otaUpdates:\n" + ENTRY.replace("      - fileName:", "      - filename:"),
    )
    [problem] = problems_of("a.yaml")
    assert (problem.file, problem.line) == ("a.yaml", 8)
    assert "unknown key 'filename' in files[0]" in problem.message
    assert "did you mean 'fileName'?" in problem.message


def test_wrong_type_is_reported_at_the_key(tmp_path, monkeypatch, capsys):
    """A string where botocore wants a list is reported at that key's line."""
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path / "a.yaml",
        "otaUpdates:\n" + ENTRY.replace("    protocols: [MQTT]", "    protocols: MQTT"),
    )
    [line] = run_check(tmp_path, capsys, "a.yaml")
    assert_problem(line, "a.yaml:5", "protocols must be a list", "a string ('MQTT')")


def test_wrong_types_in_nested_blocks_are_all_reported(tmp_path, monkeypatch):
    """Every type error in one entry is reported, each at its own key's line."""
    monkeypatch.chdir(tmp_path)
    text = (
        "otaUpdates:\n"
        + ENTRY.replace("s3Location: {bucket: firmware, key: fw.bin}", "s3Location: firmware")
        + '        fileType: "1"\n'
    )
    write(tmp_path / "a.yaml", text)
    assert problems_of("a.yaml") == (
        Problem(
            "a.yaml",
            10,
            "files[0].fileLocation.s3Location must be a mapping, not a string ('firmware')",
        ),
        Problem(
            "a.yaml",
            11,
            "files[0].fileType must be an integer, not a string ('1'); "
            "write the number plainly, without quotes or a prefix",
        ),
    )


def test_entry_that_is_not_a_mapping_is_reported_at_the_item(tmp_path, monkeypatch):
    """A list item that is a plain string is reported at its `-` line."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.yaml", "otaUpdates:\n" + ENTRY + "  - fw-2\n")
    [problem] = problems_of("a.yaml")
    assert (problem.file, problem.line) == ("a.yaml", 11)
    assert "must be a mapping" in problem.message
    assert "'fw-2'" in problem.message


def test_boolean_where_integer_expected_is_an_error(tmp_path, monkeypatch, capsys):
    """`expiresInSec: yes` is a boolean, not an integer, reported at the `expiresInSec:` line."""
    monkeypatch.chdir(tmp_path)
    text = "otaUpdates:\n" + ENTRY + "    awsJobPresignedUrlConfig:\n      expiresInSec: yes\n"
    write(tmp_path / "a.yaml", text)
    [line] = run_check(tmp_path, capsys, "a.yaml")
    assert_problem(
        line,
        "a.yaml:12",
        "awsJobPresignedUrlConfig.expiresInSec must be an integer",
        "a boolean",
    )


def test_enum_violation_lists_the_allowed_values(tmp_path, monkeypatch, capsys):
    """`targetSelection: FOO` is reported at its line with the allowed values."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.yaml", "otaUpdates:\n" + ENTRY + "    targetSelection: FOO\n")
    [line] = run_check(tmp_path, capsys, "a.yaml")
    assert_problem(line, "a.yaml:11", "targetSelection must be one of", "CONTINUOUS", "SNAPSHOT")
    assert "'FOO'" in line


def test_minimum_violation_is_reported_at_the_key(tmp_path, monkeypatch):
    """An empty `files` list breaks botocore's minimum of one item, at the `files:` line."""
    monkeypatch.chdir(tmp_path)
    text = "otaUpdates:\n" + ENTRY.split("    files:", maxsplit=1)[0] + "    files: []\n"
    write(tmp_path / "a.yaml", text)
    assert problems_of("a.yaml") == (Problem("a.yaml", 7, "files must have at least 1 item"),)


def test_missing_required_members_are_reported_at_the_entry(tmp_path, monkeypatch, capsys):
    """Each missing required member is its own problem at the entry's first line."""
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path / "a.yaml",
        "otaUpdates:\n  - otaUpdateId: fw-1\n    description: no targets, files or role\n",
    )
    lines = run_check(tmp_path, capsys, "a.yaml")
    assert lines == [
        "a.yaml:2: missing required key 'targets'",
        "a.yaml:2: missing required key 'files'",
        "a.yaml:2: missing required key 'roleArn'",
    ]


def test_missing_nested_required_member_is_reported_at_its_block(tmp_path, monkeypatch):
    """A required member missing inside a block is reported at that block's key."""
    monkeypatch.chdir(tmp_path)
    text = "otaUpdates:\n" + ENTRY + "    awsJobAbortConfig: {}\n"
    write(tmp_path / "a.yaml", text)
    assert problems_of("a.yaml") == (
        Problem("a.yaml", 11, "missing required key 'abortCriteriaList' in awsJobAbortConfig"),
    )


def test_duplicate_key_names_the_key_and_both_lines(tmp_path, monkeypatch, capsys):
    """A key written twice in one mapping is an error at the second, naming the first line."""
    monkeypatch.chdir(tmp_path)
    text = "otaUpdates:\n" + ENTRY + "    roleArn: arn:aws:iam::123456789012:role/other\n"
    write(tmp_path / "a.yaml", text)
    [line] = run_check(tmp_path, capsys, "a.yaml")
    assert_problem(line, "a.yaml:11", "duplicate key 'roleArn'", "first at line 6")


def test_duplicate_top_level_key_is_an_error(tmp_path, monkeypatch):
    """Two `otaUpdates:` keys are an error, not the last one silently winning."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.yaml", "otaUpdates:\n" + ENTRY + "otaUpdates: []\n")
    assert problems_of("a.yaml") == (
        Problem("a.yaml", 11, "duplicate key 'otaUpdates' (first at line 1)"),
    )


def test_duplicate_key_in_flow_mapping_is_an_error(tmp_path, monkeypatch):
    """Duplicate keys in a `{...}` mapping are caught too."""
    monkeypatch.chdir(tmp_path)
    text = "otaUpdates:\n" + ENTRY.replace("{bucket: firmware, key: fw.bin}", "{key: a, key: b}")
    write(tmp_path / "a.yaml", text)
    assert problems_of("a.yaml") == (
        Problem("a.yaml", 10, "duplicate key 'key' (first at line 10)"),
    )


def test_same_ota_update_id_in_two_files_names_both_places(tmp_path, monkeypatch, capsys):
    """An otaUpdateId declared in two files is an error at the second naming the first."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "ota" / "a.yaml", "otaUpdates:\n" + ENTRY)
    write(tmp_path / "ota" / "b.yaml", "# copy\n\notaUpdates:\n" + ENTRY)
    [line] = run_check(tmp_path, capsys, "ota")
    assert_problem(line, "ota/b.yaml:4", "otaUpdateId 'fw-1'", "declared twice", "ota/a.yaml:2")


def test_same_ota_update_id_twice_in_one_file(tmp_path, monkeypatch):
    """Within one file the second declaration is reported, naming the first one's line."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.yaml", "otaUpdates:\n" + ENTRY + ENTRY)
    assert problems_of("a.yaml") == (
        Problem("a.yaml", 11, "otaUpdateId 'fw-1' is declared twice (first at a.yaml:2)"),
    )


# --- safe loading --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/object:checker.model.Location {file: a, line: 1}", "!!python/object"),
        ("!!python/name:os.system ''", "!!python/name:os.system"),
        ("!!python/tuple [a, b]", "!!python/tuple"),
        ("!!set {a, b}", "!!set"),
        ("!!omap [a: 1]", "!!omap"),
        ("!Ref SigningProfile", "!Ref"),
    ],
)
def test_non_plain_yaml_tags_are_refused(tmp_path, monkeypatch, capsys, value, tag):
    """Any tag outside plain YAML's types is an error at its line, never constructed."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.yaml", "otaUpdates:\n" + ENTRY + f"    description: {value}\n")
    [line] = run_check(tmp_path, capsys, "a.yaml")
    assert_problem(line, "a.yaml:11", f"YAML tag '{tag}", "not allowed")


def test_python_object_apply_is_never_executed(tmp_path, monkeypatch, capsys):
    """`!!python/object/apply:os.system` is refused and the command never runs."""
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path / "pwn.yaml",
        'otaUpdates:\n  - !!python/object/apply:os.system ["touch PWNED"]\n',
    )
    [line] = run_check(tmp_path, capsys, "pwn.yaml")
    assert_problem(line, "pwn.yaml:2", "YAML tag '!!python/object/apply:os.system'", "not allowed")
    assert not (tmp_path / "PWNED").exists()


def test_python_object_apply_under_x_key_is_never_executed(tmp_path, monkeypatch):
    """A dangerous tag in an `x-` block (never otherwise used) is refused and not executed."""
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path / "pwn.yaml",
        'x-payload: !!python/object/apply:os.system ["touch PWNED"]\notaUpdates:\n' + ENTRY,
    )
    [problem] = problems_of("pwn.yaml")
    assert (problem.file, problem.line) == ("pwn.yaml", 1)
    assert "!!python/object/apply:os.system" in problem.message
    assert not (tmp_path / "PWNED").exists()


def test_invalid_scalar_for_its_tag_is_an_error(tmp_path, monkeypatch):
    """`!!int abc` cannot be an integer and is reported at its line."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.yaml", "otaUpdates:\n" + ENTRY + "        fileType: !!int abc\n")
    [problem] = problems_of("a.yaml")
    assert (problem.file, problem.line) == ("a.yaml", 11)
    assert problem.message.startswith("invalid !!int value")
    assert "\n" not in problem.message


@pytest.mark.parametrize(
    "value",
    [
        pytest.param('"%%% not base64 %%%"', id="garbage"),
        pytest.param("MEUC-IQDx", id="base64url-dash-silently-dropped"),
    ],
)
def test_invalid_base64_in_binary_is_an_error(tmp_path, monkeypatch, value):
    """A `!!binary` signature that is not valid base64 is a one-line error, never mangled bytes."""
    monkeypatch.chdir(tmp_path)
    text = (
        "otaUpdates:\n"
        + ENTRY
        + "        codeSigning:\n"
        + "          customCodeSigning:\n"
        + "            signature:\n"
        + f"              inlineDocument: !!binary {value}\n"
    )
    write(tmp_path / "a.yaml", text)
    [problem] = problems_of("a.yaml")
    assert (problem.file, problem.line) == ("a.yaml", 14)
    assert "!!binary" in problem.message
    assert "\n" not in problem.message
    assert "<unicode string>" not in problem.message


def _billion_laughs(levels: int = 9) -> str:
    lines = ["x-a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    for level in range(1, levels):
        lines.append(f"x-a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    lines.append(f"otaUpdates: [*a{levels - 1}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_without_expanding(tmp_path, monkeypatch, capsys):
    """A 9-level, 10-alias bomb (10**9 nodes) stops at the expansion cap."""
    monkeypatch.chdir(tmp_path)
    text = _billion_laughs()
    assert len(text) < 1000
    write(tmp_path / "bomb.yaml", text)
    [line] = run_check(tmp_path, capsys, "bomb.yaml")
    # Anchors x-a0..x-a4 (lines 1-5) hold 123,455 nodes; the aliases of x-a5 (line 6) each add
    # 111,111 and cross the cap there, before anything of that size is built.
    assert_problem(line, "bomb.yaml:6", f"more than {MAX_EXPANDED_NODES:,} nodes", "alias bomb")


def test_merge_key_bomb_is_refused(tmp_path, monkeypatch):
    """Nested `<<: [*a, *a, ...]` merges count towards the same expansion cap."""
    monkeypatch.chdir(tmp_path)
    lines = ["x-a0: &a0 {" + ", ".join(f"k{i}: {i}" for i in range(10)) + "}"]
    for level in range(1, 10):
        aliases = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"x-a{level}: &a{level} {{<<: [{aliases}]}}")
    lines.append("otaUpdates: []")
    write(tmp_path / "bomb.yaml", "\n".join(lines) + "\n")
    [problem] = problems_of("bomb.yaml")
    assert problem.file == "bomb.yaml"
    assert problem.line == 6  # as in the billion laughs: the aliases of x-a5 cross the cap
    assert "alias bomb" in problem.message


def test_recursive_alias_is_an_error(tmp_path, monkeypatch, capsys):
    """An anchor that contains an alias to itself is an error at the alias's line."""
    monkeypatch.chdir(tmp_path)
    text = (
        "otaUpdates:\n"
        "  - otaUpdateId: fw-1\n"
        "    files: &files\n"
        "      - fileName: fw.bin\n"
        "        again: *files\n"
    )
    write(tmp_path / "loop.yaml", text)
    [line] = run_check(tmp_path, capsys, "loop.yaml")
    assert_problem(line, "loop.yaml:5", "recursive alias *files")


def test_recursive_alias_in_flow_style(tmp_path, monkeypatch):
    """A one-line self-referencing mapping is caught the same way."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "loop.yaml", "x-loop: &loop {self: *loop}\notaUpdates: []\n")
    assert problems_of("loop.yaml") == (
        Problem("loop.yaml", 1, "recursive alias *loop: it refers to itself"),
    )


def test_deep_nesting_is_an_error_at_the_first_level_too_deep(tmp_path, monkeypatch, capsys):
    """100 nested block mappings are refused at the line of the first level past the limit."""
    monkeypatch.chdir(tmp_path)
    nested = ["  " * level + "k:" for level in range(1, 100)] + ["  " * 100 + "k: v"]
    write(tmp_path / "deep.yaml", "x-deep:\n" + "\n".join(nested) + "\notaUpdates: []\n")
    [line] = run_check(tmp_path, capsys, "deep.yaml")
    # The root mapping is level 0 at line 1, level d starts at line d + 1.
    assert_problem(line, f"deep.yaml:{MAX_DEPTH + 2}", f"deeper than {MAX_DEPTH} levels")


def test_nesting_exactly_at_the_limit_is_accepted(tmp_path, monkeypatch):
    """Nesting down to MAX_DEPTH itself is allowed: the limit is not off by one."""
    monkeypatch.chdir(tmp_path)
    # Levels 1..MAX_DEPTH-1 are mappings; the scalar at the bottom is level MAX_DEPTH.
    nested = ["  " * level + "k:" for level in range(1, MAX_DEPTH - 1)]
    nested.append("  " * (MAX_DEPTH - 1) + "k: v")
    write(tmp_path / "deep.yaml", "x-deep:\n" + "\n".join(nested) + "\notaUpdates: []\n")
    assert load_declared(["deep.yaml"]) == ()


def test_extremely_deep_flow_nesting_fails_cleanly(tmp_path):
    """A small file of a million nested `[` is refused with exit 2, not a crash.

    Run in a child process: a stack overflow in the YAML composer would kill pytest itself.
    """
    depth = 1_000_000
    deep = tmp_path / "deep.yaml"
    deep.write_text("x-deep: " + "[" * depth + "]" * depth + "\notaUpdates: []\n")
    assert deep.stat().st_size < MAX_FILE_BYTES
    state = write(tmp_path / "snapshot.json", '{"version": 1, "otaUpdates": []}\n')
    output = tmp_path / "report.json"
    command = [sys.executable, "-m", "checker", "check", "deep.yaml"]
    result = subprocess.run(
        [*command, "--state", str(state), "--output", str(output)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, (result.returncode, result.stderr[-500:])
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("deep.yaml:1: "), result.stderr[-500:]
    assert "nest" in result.stderr
    assert not output.exists()


# --- files and paths -----------------------------------------------------------------------


def _padded(size: int) -> bytes:
    """A valid declared file of exactly `size` bytes: no entries, then a long comment."""
    head = b"otaUpdates: []\n#"
    return head + b"x" * (size - len(head) - 1) + b"\n"


def test_file_over_5_mib_is_refused(tmp_path, monkeypatch, capsys):
    """A file of 5 MiB + 1 byte is refused before parsing, naming the limit."""
    monkeypatch.chdir(tmp_path)
    assert MAX_FILE_BYTES == 5 * 2**20
    data = _padded(MAX_FILE_BYTES + 1)
    assert len(data) == 5 * 2**20 + 1
    (tmp_path / "big.yaml").write_bytes(data)
    [line] = run_check(tmp_path, capsys, "big.yaml")
    assert_problem(line, "big.yaml", "5 MiB limit")


def test_file_of_exactly_5_mib_is_accepted(tmp_path, monkeypatch):
    """The limit is inclusive: a 5 MiB file still loads."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "big.yaml").write_bytes(_padded(MAX_FILE_BYTES))
    assert (tmp_path / "big.yaml").stat().st_size == MAX_FILE_BYTES
    assert load_declared(["big.yaml"]) == ()


def test_nonexistent_path_is_an_error(tmp_path, monkeypatch, capsys):
    """A path that does not exist is reported even when other paths are fine."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "ok.yaml", "otaUpdates:\n" + ENTRY)
    [line] = run_check(tmp_path, capsys, "ok.yaml", str(tmp_path / "missing.yaml"))
    assert line == "missing.yaml: no such file or directory"


def test_directory_without_yaml_files_is_an_error(tmp_path, monkeypatch, capsys):
    """A directory holding no `*.yaml`/`*.yml` file is an error, not an empty clean audit."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "ota" / "README.md", "# nothing declared here\n")
    write(tmp_path / "ota" / "sub" / "notes.txt", "otaUpdates: []\n")
    (tmp_path / "ota" / "dir.yaml").mkdir()
    [line] = run_check(tmp_path, capsys, "ota")
    assert line == "ota: no declaration files (*.yaml, *.yml, *.json, *.template)"


def test_path_problems_are_all_reported_together(tmp_path, monkeypatch):
    """Every missing path and empty directory is reported in one InputError."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    assert problems_of("nope.yaml", "empty", "also/nope.yml") == (
        Problem("nope.yaml", None, "no such file or directory"),
        Problem("empty", None, "no declaration files (*.yaml, *.yml, *.json, *.template)"),
        Problem("also/nope.yml", None, "no such file or directory"),
    )


def test_problems_in_several_files_are_reported_in_one_run(tmp_path, monkeypatch, capsys):
    """Syntax, encoding and model errors in three files all appear in one run, in file order."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "ota" / "a.yaml", "otaUpdates:\n  - otaUpdateId: fw-1\n     targets: [a]\n")
    (tmp_path / "ota" / "b.yaml").write_bytes(b"otaUpdates: []\n# \xff\n")
    write(tmp_path / "ota" / "c.yaml", "otaUpdates:\n" + ENTRY.replace("protocols", "protocol"))
    lines = run_check(tmp_path, capsys, "ota")
    assert len(lines) == 3
    assert_problem(lines[0], "ota/a.yaml:3", "YAML syntax error")
    assert_problem(lines[1], "ota/b.yaml:2", "not UTF-8")
    assert_problem(lines[2], "ota/c.yaml:5", "unknown key 'protocol'", "'protocols'")


def test_error_in_explicit_key_beside_a_later_merge_is_at_the_explicit_line(tmp_path, monkeypatch):
    """A bad value written next to a `<<:` that follows it is reported at its own line."""
    monkeypatch.chdir(tmp_path)
    text = (
        "x-rollout: &rollout\n"
        "  maximumPerMinute: 10\n"
        "otaUpdates:\n"
        + ENTRY
        + "    awsJobExecutionsRolloutConfig:\n"
        + "      maximumPerMinute: 0\n"
        + "      <<: *rollout\n"
    )
    write(tmp_path / "a.yaml", text)
    assert problems_of("a.yaml") == (
        Problem(
            "a.yaml",
            14,
            "awsJobExecutionsRolloutConfig.maximumPerMinute must be at least 1, not 0",
        ),
    )


@pytest.mark.parametrize(
    "value",
    [
        "!!timestamp x",
        '!!timestamp ""',
        "!!bool maybe",
        '!!int ""',
        "!!int _",
        '!!int "-"',
        '!!float ""',
        "!!float _",
    ],
)
def test_explicitly_tagged_scalar_that_cannot_be_read_is_a_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    """A plain-YAML tag PyYAML's builders choke on (`!!bool maybe`) is `FILE:LINE`, exit 2."""
    write(tmp_path / "ota.yaml", f"otaUpdates: []\nx-a: {value}\n")
    (line,) = run_check(tmp_path, capsys, str(tmp_path / "ota.yaml"))
    tag, text = value.split(maxsplit=1)
    expected = f"ota.yaml:2: invalid {tag} value: cannot read {text.strip(chr(34))!r} as one"
    assert line.endswith(expected)


@pytest.mark.parametrize(
    ("ota_id", "words"),
    [
        ("fw.1", "must be letters, digits, '_' or '-'"),
        ("'fw 1'", "must be letters, digits, '_' or '-'"),
        ('"fw\\e1"', "must be letters, digits, '_' or '-'"),
        ("f" * 129, "must have 1 to 128 characters, not 129"),
    ],
)
def test_an_ota_update_id_outside_the_models_pattern_is_an_error(
    tmp_path, monkeypatch, ota_id, words
):
    """Reports key suites, suppressions and fingerprints by id: `a.b` or `a b` is refused at its
    line, as the service would refuse it at create."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.yaml", "otaUpdates:\n" + ENTRY.replace("fw-1", ota_id))
    [problem] = problems_of("a.yaml")
    assert (problem.file, problem.line) == ("a.yaml", 2)
    assert words in problem.message, problem.message


def test_the_longest_ota_update_id_the_model_allows_is_accepted(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.yaml", "otaUpdates:\n" + ENTRY.replace("fw-1", "A_z-9" * 25 + "abc"))
    (update,) = load_declared(["a.yaml"])
    assert len(update.ota_update_id) == 128
