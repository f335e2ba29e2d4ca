"""CloudFormation templates and `cdk synth` output: each `AWS::IoT::OTAUpdate` is a declared update.

A template is known by its content (a `Resources` mapping, or `AWSTemplateFormatVersion`),
JSON or YAML. Its values are resolved first (`checker.declared.intrinsics`), then its PascalCase
property names are mapped to the API's (`checker.declared.names`), then CloudFormation's loose
scalars are read as the API's types, since CloudFormation hands every scalar to the resource
handler as text: `ExpiresInSec: "600"`, or a Number parameter, is the number 600.

A template without OTA updates declares nothing: a CDK cloud assembly holds other stacks too.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from checker.declared.entries import declared_update
from checker.declared.interface import Document, ReadOptions
from checker.declared.intrinsics import (
    NO_VALUE,
    Resolver,
    Template,
    function_of,
    parameter_values,
)
from checker.declared.names import to_api_names, written_path
from checker.errors import InputError, Problem, did_you_mean
from checker.files import MAX_NUMBER_CHARS
from checker.model import DeclaredUpdate, Path, Unknown, nearest_line
from checker.servicemodel import create_ota_update_shape

OTA_TYPE = "AWS::IoT::OTAUpdate"
RESOURCE_ATTRIBUTES = (
    "Type",
    "Properties",
    "Condition",
    "DependsOn",
    "Metadata",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "CreationPolicy",
    "UpdatePolicy",
)
"""What a resource may hold besides its properties; only Condition changes what is declared."""
TEMPLATE_SECTIONS = (
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
    "Hooks",
    "Globals",
)
"""The top-level keys of a template (`Hooks` for CodeDeploy blue/green deployments, `Globals`
for the AWS::Serverless transform). Any other is refused: a misspelt `Resource:` would leave
its updates silently unread."""
_SECTIONS = ("Parameters", "Mappings", "Conditions", "Resources")
"""The sections this reader reads, which must be mappings."""
_CDK_PATH = "aws:cdk:path"
_INTEGER = re.compile(r"[-+]?[0-9]+")
_NUMBER = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")


class CloudFormationReader:
    """Templates as `aws cloudformation deploy` takes them, and as `cdk synth` writes them."""

    name = "cloudformation"
    described = "a CloudFormation or CDK template (Resources holding AWS::IoT::OTAUpdate)"
    accepts_intrinsic_tags = True

    def recognises(self, document: Document) -> bool:
        value = document.value
        return isinstance(value, dict) and (
            isinstance(value.get("Resources"), dict) or "AWSTemplateFormatVersion" in value
        )

    def parameter_names(self, document: Document) -> frozenset[str]:
        parameters = document.value.get("Parameters")
        return frozenset(map(str, parameters)) if isinstance(parameters, dict) else frozenset()

    def read(self, document: Document, options: ReadOptions) -> list[DeclaredUpdate]:
        problems = _shape_problems(document)
        if problems:
            raise InputError(problems)
        template = document.value
        updates = [
            logical_id
            for logical_id, resource in template["Resources"].items()
            if resource.get("Type") == OTA_TYPE
        ]
        if not updates:
            return []
        parameters, problems = parameter_values(
            template.get("Parameters", {}), options.parameters, document.file, document.lines
        )
        if problems:
            raise InputError(problems)  # else each use of a bad parameter is reported too
        resolver = Resolver(
            Template(
                file=document.file,
                lines=document.lines,
                parameters=parameters,
                mappings=template.get("Mappings", {}),
                conditions=template.get("Conditions", {}),
                resources=frozenset(str(key) for key in template["Resources"]),
                options=options,
            )
        )
        declared: list[DeclaredUpdate] = []
        for logical_id in updates:
            result = _read_resource(document, resolver, logical_id)
            if isinstance(result, list):
                problems.extend(result)
            elif result is not None:
                declared.append(result)
        if problems:
            raise InputError(problems)
        return declared


def _shape_problems(document: Document) -> list[Problem]:
    """The template's sections must be mappings, and every resource a mapping with a Type:
    otherwise nobody can tell whether it is an OTA update."""
    template, file = document.value, document.file
    problems = [
        Problem(
            file,
            document.line((key,)),
            f"unknown template section {key!r} (a template's top level holds only its "
            f"sections){did_you_mean(str(key), TEMPLATE_SECTIONS)}",
        )
        for key in template
        if key not in TEMPLATE_SECTIONS
    ]
    problems += [
        Problem(file, document.line((section,)), f"{section} must be a mapping")
        for section in _SECTIONS
        if section in template and not isinstance(template[section], dict)
    ]
    if "Resources" not in template:
        problems.append(Problem(file, 1, "a CloudFormation template needs a Resources mapping"))
    if problems:
        return problems
    for logical_id, resource in template["Resources"].items():
        line = document.line(("Resources", logical_id))
        if isinstance(logical_id, str) and logical_id.startswith("Fn::ForEach"):
            message = f"{logical_id} (AWS::LanguageExtensions) is not supported: expand it first"
            problems.append(Problem(file, line, message))
        elif not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
            message = f"resource {logical_id} must be a mapping with a Type"
            problems.append(Problem(file, line, message))
        elif resource["Type"] != OTA_TYPE and _loosely(resource["Type"]) == _loosely(OTA_TYPE):
            message = (
                f"resource {logical_id}: Type {resource['Type']!r} is no CloudFormation type "
                f"(types are case-sensitive, without spaces); did you mean {OTA_TYPE!r}?"
            )
            problems.append(
                Problem(file, document.line(("Resources", logical_id, "Type")), message)
            )
    return problems


def _loosely(type_name: str) -> str:
    """A Type without case or whitespace: `AWS::IoT::OtaUpdate` and `AWS::IoT::OTAUpdate ` are
    meant as the OTA update type, and are no type CloudFormation deploys."""
    return "".join(type_name.split()).lower()


def _read_resource(
    document: Document, resolver: Resolver, logical_id: str
) -> DeclaredUpdate | list[Problem] | None:
    """One AWS::IoT::OTAUpdate resource; None when its Condition is false."""
    root: Path = ("Resources", logical_id)
    resource: dict[str, Any] = document.value["Resources"][logical_id]
    named = f"resource {logical_id}: "
    problems = _attribute_problems(document, logical_id, resource)
    if "Condition" in resource:
        try:
            holds = resolver.condition(resource["Condition"], (*root, "Condition"))
        except InputError as exc:
            return [*problems, *exc.problems]
        if holds is False:
            return problems or None
        if holds is None:
            problems.append(_undecided(document, logical_id, resource["Condition"]))
    properties = resource.get("Properties")
    props_root: Path = (*root, "Properties")
    if not isinstance(properties, dict):
        where = props_root if "Properties" in resource else root
        what = "has no Properties" if properties is None else "Properties must be a mapping"
        return [*problems, Problem(document.file, document.line(where), named + what)]
    value, lines, unresolved = _resolve_properties(document, resolver, properties, props_root)
    entry, key_lines, renamed = to_api_names(value, lines, props_root, "cloudformation")
    problems += unresolved + [
        Problem(document.file, nearest_line(lines, path) or document.line(root), named + message)
        for path, message in renamed
    ]
    entry, converted = _as_api_types(entry)
    problems += [
        Problem(document.file, nearest_line(key_lines, p) or document.line(root), named + m)
        for p, m in converted
    ]
    if problems:
        return problems
    return declared_update(
        entry,
        file=document.file,
        line=document.line(root),
        key_lines=key_lines,
        resource=_resource_name(logical_id, resource),
        named=named,
        style="cloudformation",
    )


def _attribute_problems(
    document: Document, logical_id: str, resource: Mapping[str, Any]
) -> list[Problem]:
    """A misspelt resource attribute (`Propertes`) would otherwise leave the update empty."""
    return [
        Problem(
            document.file,
            document.line(("Resources", logical_id, key)),
            f"resource {logical_id}: unknown resource attribute {key!r}"
            + did_you_mean(str(key), RESOURCE_ATTRIBUTES),
        )
        for key in resource
        if key not in RESOURCE_ATTRIBUTES
    ]


def _undecided(document: Document, logical_id: str, condition: str) -> Problem:
    """A resource that may or may not be deployed cannot be audited as either."""
    return Problem(
        document.file,
        document.line(("Resources", logical_id, "Condition")),
        f"resource {logical_id}: whether condition {condition!r} holds is known only at "
        "deploy time: give the values it depends on (--parameter NAME=VALUE, --region)",
    )


def _resolve_properties(
    document: Document, resolver: Resolver, properties: dict[str, Any], root: Path
) -> tuple[dict[str, Any], dict[Path, int], list[Problem]]:
    """Each property resolved on its own, so that every malformed one is reported at once.
    `Properties: !If [...]` is resolved whole, and must give a mapping."""
    lines: dict[Path, int] = {}
    if (line := document.lines.get(root)) is not None:
        lines[root] = line
    if function_of(properties) is not None:
        try:
            whole, whole_lines = resolver.resolve(properties, root)
        except InputError as exc:
            return {}, lines, list(exc.problems)
        if isinstance(whole, dict):
            return whole, lines | whole_lines, []
        message = f"resource {root[1]}: Properties must be a mapping, not {whole}"
        return {}, lines, [Problem(document.file, document.line(root), message)]
    resolved: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in properties.items():
        here = (*root, key)
        try:
            item, item_lines = resolver.resolve(value, here)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if item is NO_VALUE:
            continue
        resolved[key] = item
        lines.update(item_lines)
        if (line := document.lines.get(here)) is not None:
            lines[here] = line
    return resolved, lines, problems


def _resource_name(logical_id: str, resource: Mapping[str, Any]) -> str:
    """`logical ID Firmware`, with the construct path for CDK output."""
    metadata = resource.get("Metadata")
    path = metadata.get(_CDK_PATH) if isinstance(metadata, dict) else None
    name = f"logical ID {logical_id}"
    return f"{name} ({_CDK_PATH} {path})" if isinstance(path, str) else name


def _as_api_types(entry: Any) -> tuple[Any, list[tuple[Path, str]]]:
    """`entry` (API names) with CloudFormation's text scalars as the API member's type: "600"
    for an integer, a whole number for a string, base64 text for the signature blob."""
    problems: list[tuple[Path, str]] = []
    return _convert(entry, create_ota_update_shape(), (), problems), problems


def _convert(value: Any, shape: Shape, path: Path, problems: list[tuple[Path, str]]) -> Any:
    if isinstance(value, Unknown):
        return value
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        return {
            key: _convert(item, shape.members[key], (*path, key), problems)
            if key in shape.members
            else item
            for key, item in value.items()
        }
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [_convert(item, shape.member, (*path, i), problems) for i, item in enumerate(value)]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {k: _convert(v, shape.value, (*path, k), problems) for k, v in value.items()}
    return _scalar(value, shape.type_name, path, problems)


def _scalar(value: Any, kind: str, path: Path, problems: list[tuple[Path, str]]) -> Any:
    if isinstance(value, str) and kind in ("integer", "long", "float", "double"):
        return _number(value, kind, path, problems)
    if isinstance(value, str) and kind == "boolean" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, int) and not isinstance(value, bool) and kind == "string":
        return str(value)
    if isinstance(value, str) and kind == "blob":
        try:
            return base64.b64decode("".join(value.split()), validate=True)
        except binascii.Error:
            message = (
                f"{written_path(path, 'cloudformation')} must be base64 text: "
                "CloudFormation's InlineDocument is the signature's bytes in base64"
            )
            problems.append((path, message))
    return value


def _number(value: str, kind: str, path: Path, problems: list[tuple[Path, str]]) -> Any:
    """Text where the API wants a number: the number, or `value` as it is for validation to
    refuse. A longer number than any input may hold is refused before Python converts it."""
    text = value.strip()
    if len(text) > MAX_NUMBER_CHARS and _NUMBER.fullmatch(text):
        message = (
            f"{written_path(path, 'cloudformation')} is a number of {len(text):,} characters, "
            f"too long (numbers have at most {MAX_NUMBER_CHARS} characters)"
        )
        problems.append((path, message))
    elif _INTEGER.fullmatch(text):
        return int(text)
    elif kind in ("float", "double") and _NUMBER.fullmatch(text):
        return float(text)
    return value
