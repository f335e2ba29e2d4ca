"""CloudFormation's and Pulumi's property names to the API's, from botocore's own input shape.

`AWS::IoT::OTAUpdate` writes the API's members in PascalCase (`AwsJobPresignedUrlConfig`,
`Tags: [{Key, Value}]`), Pulumi's `aws-native:iot:OtaUpdate` in camelCase (`tags: [{key,
value}]`). Both are the CreateOTAUpdate member of the same name in another case, so a member
is found by a case-insensitive match in `create_ota_update_shape()`. A name that differs in
more than case goes in `RENAMED`, the one table of differences; docs/iac-names.md is generated
from this module (`python -m checker.declared.names`).

Map keys (`attributes`, `additionalParameters`) are the user's data and keep their case.
Values are not touched: an `Unknown` or an unresolved intrinsic stays as it is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal

from botocore.model import ListShape, MapShape, Shape, StructureShape

from checker.errors import did_you_mean
from checker.model import Path
from checker.servicemodel import create_ota_update_shape

Style = Literal["cloudformation", "pulumi"]

RENAMED: dict[Style, dict[Path, str]] = {
    "cloudformation": {},
    "pulumi": {},
}
"""Names that differ from the API's in more than case, by API path (`files` items as `*`):
the written name for each style. Empty: CloudFormation's documentation for AWS::IoT::OTAUpdate
and pulumi-aws-native 1.84.0's `OtaUpdate` both use every member's API name, in their case.
A name added here is read in that style instead of the case-insensitive match."""

STYLE_NAMES = {"cloudformation": "CloudFormation", "pulumi": "Pulumi"}


def written_name(api_path: Path, style: Style) -> str:
    """How `style` writes the last member of `api_path` (`*` for list items on the path)."""
    renamed = RENAMED[style].get(api_path)
    if renamed is not None:
        return renamed
    name = str(api_path[-1])
    if style == "cloudformation":
        return name[:1].upper() + name[1:]
    return name[:1].lower() + name[1:]


def written_path(api_path: Path, style: Style) -> str:
    """`api_path` as `style` writes it (`Files[0].FileLocation`): members in its names, list
    positions in brackets, map keys (the user's data) as they are."""
    out = ""
    shape: Shape | None = create_ota_update_shape()
    pattern: Path = ()
    for step in api_path:
        if isinstance(shape, ListShape) and isinstance(step, int):
            out += f"[{step}]"
            pattern, shape = (*pattern, "*"), shape.member
            continue
        if isinstance(shape, StructureShape) and step in shape.members:
            pattern, shape = (*pattern, step), shape.members[str(step)]
            name = written_name(pattern, style)
        else:
            pattern = (*pattern, step)
            shape = shape.value if isinstance(shape, MapShape) else None
            name = str(step)
        out += f".{name}" if out else name
    return out


def to_api_names(
    value: Any, lines: Mapping[Path, int], root: Path, style: Style
) -> tuple[Any, dict[Path, int], list[tuple[Path, str]]]:
    """`value` (a resource's properties, in `style`'s names, at `root` in its document) in API
    names, the line of each key by API path from the entry, and the problems as (document path,
    message), in `style`'s names: an unknown property, with a did-you-mean, and a property
    written twice in different cases (`OtaUpdateId` and `OTAUpdateId`), which would otherwise
    leave one of the two values silently unread."""
    renamer = _Renamer(lines, style)
    if (line := lines.get(root)) is not None:
        renamer.key_lines[()] = line
    result = renamer.rename(value, create_ota_update_shape(), root, ())
    return result, renamer.key_lines, renamer.problems


class _Renamer:
    def __init__(self, lines: Mapping[Path, int], style: Style) -> None:
        self.lines = lines
        self.style: Style = style
        self.key_lines: dict[Path, int] = {}
        self.problems: list[tuple[Path, str]] = []

    def rename(self, value: Any, shape: Shape, written: Path, api: Path) -> Any:
        """`value` at `written` in the document, `api` in the entry, of botocore `shape`."""
        if isinstance(shape, StructureShape) and isinstance(value, dict):
            return self._structure(value, shape, written, api)
        if isinstance(shape, ListShape) and isinstance(value, list):
            items = []
            for index, item in enumerate(value):
                here, target = (*written, index), (*api, index)
                self._line(here, target)
                items.append(self.rename(item, shape.member, here, target))
            return items
        if isinstance(shape, MapShape) and isinstance(value, dict):
            for key in value:
                self._line((*written, key), (*api, key))
        return value

    def _structure(
        self, value: dict[Any, Any], shape: StructureShape, written: Path, api: Path
    ) -> dict[str, Any]:
        pattern = _pattern(api)
        members = _member_table(shape, pattern, self.style)
        out: dict[str, Any] = {}
        spelt: dict[str, Any] = {}  # the key each member was first written as
        where = f" in {written_path(api, self.style)}" if api else ""
        style = STYLE_NAMES[self.style]
        for key, item in value.items():
            member = members.get(key.lower()) if isinstance(key, str) else None
            here = (*written, key)
            if member is None:
                names = [written_name((*pattern, m), self.style) for m in shape.members]
                hint = did_you_mean(str(key), names)
                self.problems.append((here, f"unknown {style} property {key!r}{where}{hint}"))
                continue
            if member in spelt:
                message = (
                    f"{style} properties {spelt[member]!r} and {key!r}{where} are one property "
                    "(names match in any case): write it once"
                )
                self.problems.append((here, message))
                continue
            spelt[member] = key
            target = (*api, member)
            self._line(here, target)
            out[member] = self.rename(item, shape.members[member], here, target)
        return out

    def _line(self, written: Path, api: Path) -> None:
        if (line := self.lines.get(written)) is not None:
            self.key_lines[api] = line


def _pattern(api: Path) -> Path:
    """`api` with list indexes as `*`, the form `RENAMED` is keyed by."""
    return tuple("*" if isinstance(step, int) else step for step in api)


def _member_table(shape: StructureShape, pattern: Path, style: Style) -> dict[str, str]:
    """Written name, lower-cased, to API member name, for the structure at `pattern`."""
    table = {member.lower(): member for member in shape.members}
    for member in shape.members:
        renamed = RENAMED[style].get((*pattern, member))
        if renamed is not None:
            table.pop(member.lower(), None)
            table[renamed.lower()] = member
    return table


def rows() -> Iterator[tuple[str, str, str]]:
    """(API path, CloudFormation name, Pulumi name) for every member, in the shape's order."""

    def walk(shape: Shape, pattern: Path) -> Iterator[tuple[str, str, str]]:
        if isinstance(shape, ListShape):
            yield from walk(shape.member, pattern)
        elif isinstance(shape, StructureShape):
            for member, child in shape.members.items():
                path = (*pattern, member)
                shown = ".".join(str(step) for step in path).replace(".*", "[]")
                yield (
                    shown,
                    written_name(path, "cloudformation"),
                    written_name(path, "pulumi"),
                )
                step: Path = (*path, "*") if isinstance(child, ListShape) else path
                yield from walk(child, step)

    yield from walk(create_ota_update_shape(), ())


def markdown() -> str:
    """docs/iac-names.md: every API member and its name in CloudFormation and in Pulumi."""
    lines = [
        "# CloudFormation and Pulumi names for CreateOTAUpdate's parameters",
        "",
        "Generated from botocore's `CreateOTAUpdate` input shape and the table of differences in",
        "`checker/declared/names.py` (`python -m checker.declared.names > docs/iac-names.md`).",
        "A CloudFormation `AWS::IoT::OTAUpdate` property or a Pulumi `aws-native:iot:OtaUpdate`",
        "input is matched to the API member of the same name in any case; "
        + (
            "these names differ in more than case: "
            + ", ".join(f"`{n}`" for style in RENAMED.values() for n in style.values())
            if any(RENAMED.values())
            else "no name differs in more than case."
        ),
        "Map keys (`attributes`, `additionalParameters`) are data and keep their case.",
        "",
        "| API (boto3 `create_ota_update`) | CloudFormation | Pulumi aws-native |",
        "|---|---|---|",
    ]
    lines += [f"| `{api}` | `{cfn}` | `{pulumi}` |" for api, cfn, pulumi in rows()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
