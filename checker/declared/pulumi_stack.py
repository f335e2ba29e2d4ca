"""Pulumi stack exports: every `aws-native:iot:OtaUpdate` in `pulumi stack export` output.

The export is the stack's state, `{"version": 3, "deployment": {"resources": [...]}}`. A
resource's `inputs` are what the program declared (the provider schema's camelCase names, tags
as `{key, value}`); its `outputs` are what the provider answered, so only the inputs are read.
Two of Pulumi's special values can stand in them, and both are unknown values: they never drift
and never break a rule by guesswork.

- A secret, `{SIG_KEY: SECRET_SIG, "ciphertext": ...}`, or `"plaintext"` (JSON text) under
  `--show-secrets`. It is never decrypted, and its plain text is never read: a report must not
  print a secret.
- `COMPUTED`, the engine's placeholder for a value not known yet (an output of a resource that
  does not exist yet, as in a preview).

Pulumi has one number type, float64: an integral number is an integer where the API wants one.
`api_entry` is shared with the CrossGuard pack, which sees the same inputs over gRPC.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from checker.declared.entries import declared_update
from checker.declared.interface import Document, ReadOptions
from checker.declared.names import to_api_names
from checker.errors import InputError, Problem
from checker.model import DeclaredUpdate, Path, Unknown, display
from checker.servicemodel import create_ota_update_shape

OTA_UPDATE_TYPE = "aws-native:iot:OtaUpdate"
SIG_KEY = "4dabf18193072939515e22adb298388d"
"""The key that marks a Pulumi special value (sdk/go/common/resource/properties.go)."""
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
COMPUTED = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""`computedValuePlaceholder` of pkg/resource/stack: a value not known until deployed."""
SECRET = Unknown("a Pulumi secret")
NOT_YET_KNOWN = Unknown("a Pulumi output not known before deployment")
_OTHER_SIGNATURES = {
    "c44067f5952c0a294b673a41bacd8c17": "an asset",
    "0def7320c3a5731c473e5ecbe6d01bc7": "an archive",
    "5cf8f73096256a8f31e491e813e4eb8e": "a resource reference",
}
_VERSIONS = (1, 2, 3)
"""Deployment versions Pulumi still reads; `pulumi stack export` writes 3. Their resources
all carry `urn`, `type` and `inputs` alike."""

Problems = list[tuple[Path, str]]


class PulumiStackReader:
    name = "pulumi-stack"
    described = "a Pulumi stack export (pulumi stack export: deployment.resources)"
    accepts_intrinsic_tags = False

    def recognises(self, document: Document) -> bool:
        value = document.value
        return isinstance(value, dict) and "deployment" in value and "version" in value

    def parameter_names(self, document: Document) -> frozenset[str]:
        return frozenset()

    def read(self, document: Document, options: ReadOptions) -> list[DeclaredUpdate]:
        problems: list[Problem] = []
        updates: list[DeclaredUpdate] = []
        for index, resource in _resources(document):
            if not isinstance(resource, dict):
                message = f"deployment.resources[{index}] must be a mapping (a Pulumi resource)"
                problems.append(_problem(document, ("deployment", "resources", index), message))
            elif resource.get("type") == OTA_UPDATE_TYPE and _managed(resource):
                result = _declared(document, index, resource)
                if isinstance(result, DeclaredUpdate):
                    updates.append(result)
                else:
                    problems.extend(result)
        if problems:
            raise InputError(problems)
        return updates


def api_entry(
    inputs: Mapping[str, Any],
    lines: Mapping[Path, int],
    root: Path,
    unknowns: Collection[str] = (COMPUTED,),
) -> tuple[Any, dict[Path, int], Problems]:
    """An OtaUpdate's `inputs` (at `root` in their document) as create_ota_update kwargs, with
    the line of each key by API path and the problems by document path. `unknowns` are the
    strings that stand for a value not known yet (CrossGuard has one for each type)."""
    known, special = _special_values(inputs, (), frozenset(unknowns))
    entry, key_lines, naming = to_api_names(known, lines, root, "pulumi")
    problems = [((*root, *path), f"{display(path)} {message}") for path, message in special]
    return _integers(entry, create_ota_update_shape()), key_lines, problems + naming


def _resources(document: Document) -> list[tuple[int, Any]]:
    """Each resource of the export by index; an InputError if the export is not one."""
    version = document.value["version"]
    if type(version) is not int or version not in _VERSIONS:
        message = f"Pulumi deployment version {version!r} is not one ota-drift reads (1 to 3)"
        raise InputError([_problem(document, ("version",), message)])
    deployment = document.value["deployment"]
    if not isinstance(deployment, dict):
        message = "'deployment' must be a mapping (the stack's state from pulumi stack export)"
        raise InputError([_problem(document, ("deployment",), message)])
    resources = deployment.get("resources")
    if resources is None:  # Pulumi leaves the key out of a stack with no resources
        return []
    if not isinstance(resources, list):
        message = "'deployment.resources' must be a list (of Pulumi resources)"
        raise InputError([_problem(document, ("deployment", "resources"), message)])
    return list(enumerate(resources))


def _managed(resource: Mapping[str, Any]) -> bool:
    """Whether the stack declares the resource: not an old copy the engine is to delete after a
    replacement (`delete`), nor one it only reads (`external`, from `OtaUpdate.get`)."""
    return resource.get("delete") is not True and resource.get("external") is not True


def _declared(
    document: Document, index: int, resource: Mapping[str, Any]
) -> DeclaredUpdate | list[Problem]:
    here: Path = ("deployment", "resources", index)
    urn = resource.get("urn")
    if not isinstance(urn, str) or not urn:
        return [_problem(document, here, f"an {OTA_UPDATE_TYPE} resource has no 'urn'")]
    named = f"resource {urn}: "
    inputs = resource.get("inputs")
    root: Path = (*here, "inputs")
    if not isinstance(inputs, dict):
        message = f"{named}'inputs' must be a mapping (the OtaUpdate's declared config)"
        return [_problem(document, root if "inputs" in resource else here, message)]
    entry, key_lines, problems = api_entry(inputs, document.lines, root)
    if problems:
        return [_problem(document, path, named + message) for path, message in problems]
    return declared_update(
        entry,
        file=document.file,
        line=document.line(root),
        key_lines=key_lines,
        resource=urn,
        named=named,
        blobs="base64",  # aws-native takes a blob as base64 text, as CloudFormation does
    )


def _special_values(value: Any, path: Path, unknowns: frozenset[str]) -> tuple[Any, Problems]:
    """`value` with secrets and not-yet-known values as `Unknown`; any other special value (an
    asset, an archive, a resource reference) is a problem, by path from the inputs."""
    if isinstance(value, str):
        return (NOT_YET_KNOWN if value in unknowns else value), []
    if isinstance(value, list):
        items = [_special_values(item, (*path, i), unknowns) for i, item in enumerate(value)]
        return [item for item, _ in items], [p for _, found in items for p in found]
    if not isinstance(value, Mapping):
        return value, []
    if SIG_KEY in value:
        return _signed(value, path)
    pairs = {key: _special_values(item, (*path, key), unknowns) for key, item in value.items()}
    return {key: item for key, (item, _) in pairs.items()}, [
        p for _, found in pairs.values() for p in found
    ]


def _signed(value: Mapping[str, Any], path: Path) -> tuple[Any, Problems]:
    signature = value[SIG_KEY]
    if signature != SECRET_SIG:
        kind = _OTHER_SIGNATURES.get(signature) if isinstance(signature, str) else None
        what = kind or f"a special value of signature {signature!r}"
        return value, [(path, f"is {what} in Pulumi's encoding: no OtaUpdate input holds one")]
    forms = [form for form in ("ciphertext", "plaintext") if isinstance(value.get(form), str)]
    if len(forms) != 1:
        return value, [(path, "is a malformed Pulumi secret: it needs 'ciphertext' or 'plaintext'")]
    return SECRET, []


def _integers(value: Any, shape: Shape) -> Any:
    """`value` with integral floats as int where botocore's `shape` wants an integer."""
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        members = shape.members
        return {k: _integers(v, members[k]) if k in members else v for k, v in value.items()}
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [_integers(item, shape.member) for item in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {k: _integers(v, shape.value) for k, v in value.items()}
    integral = type(value) is float and value.is_integer()
    return int(value) if integral and shape.type_name in ("integer", "long") else value


def _problem(document: Document, path: Path, message: str) -> Problem:
    return Problem(document.file, document.line(path), message)
