"""Pulumi stack exports: every `aws-native:iot:OtaUpdate` in `pulumi stack export` output.

The export is the stack's state, `{"version": 3, "deployment": {"resources": [...]}}`, or
version 4 with a `features` list when the stack uses something older Pulumis cannot read. A
resource's `inputs` are what the program declared (the provider schema's camelCase names, tags
as `{key, value}`); its `outputs` are what the provider answered, so only the inputs are read.
Pulumi's special values can stand in them. Where they hold no value ota-drift may read, they are
unknown values: they never drift and never break a rule by guesswork.

- A secret, `{SIG_KEY: SECRET_SIG, "ciphertext": ...}`, or `"plaintext"` (JSON text) under
  `--show-secrets`. It is never decrypted, and its plain text is never read: a report must not
  print a secret.
- `COMPUTED`, the engine's placeholder for a value not known yet (an output of a resource that
  does not exist yet, as in a preview).
- An output value (version 4's `outputDependencies`) is its `value`; it is a secret when marked
  `secret`, and not known yet when it has no `value`.

The others (an asset, an archive, a resource reference, version 4's `byteString` text that is not
UTF-8, a NaN) are errors: no OtaUpdate input holds one.

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
from checker.errors import InputError, Problem, did_you_mean
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
REFUSED = Unknown("a Pulumi special value no OtaUpdate input holds")
"""Stands where a refused special value was, so the rest of the resource is still checked."""
OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
"""An output value with its dependencies (sdk/go/common/resource/sig/sig.go)."""
_OTHER_SIGNATURES = {
    "c44067f5952c0a294b673a41bacd8c17": "an asset",
    "0def7320c3a5731c473e5ecbe6d01bc7": "an archive",
    "5cf8f73096256a8f31e491e813e4eb8e": "a resource reference",
    "803fd3297a5875dc03ca845dda5d2a98": "text that is not UTF-8 (byteString)",
    "8ad145fe-0d11-4827-bfd7-1abcbf086f5c": "a NaN or infinite number",
}
"""Special values no OtaUpdate input can hold: the API takes UTF-8 text and finite numbers."""
_VERSIONS = (1, 2, 3, 4)
"""Deployment versions Pulumi reads: `pulumi stack export` writes 3, or 4 when the stack uses
one of `FEATURES`. Their resources all carry `urn`, `type` and `inputs` alike."""
FEATURES = frozenset(
    {
        "refreshBeforeUpdate",
        "views",
        "hooks",
        "taint",
        "replaceWith",
        "snippets-prototype",
        "extensionParameterization",
        "byteString",
        "outputDependencies",
    }
)
"""The version 4 features this reader knows: Pulumi's `supportedFeatures`
(pkg/resource/stack/deployment.go, August 2026) and `outputDependencies` (output values in the
state, behind an engine option). Most are resource options that leave the inputs as they are;
`byteString` and `outputDependencies` add special values, read above. Any other may change what
an export means, so an export listing one is refused, as Pulumi refuses a feature it does not
know."""
TOP_KEYS = ("version", "features", "deployment")
"""What `pulumi stack export` writes at the top (apitype.UntypedDeployment)."""

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
        problems = _top_problems(document)
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
    entry, key_lines, special, naming = _entry(inputs, lines, root, frozenset(unknowns))
    return entry, key_lines, special + naming


def _entry(
    inputs: Mapping[str, Any], lines: Mapping[Path, int], root: Path, unknowns: frozenset[str]
) -> tuple[Any, dict[Path, int], Problems, Problems]:
    """`api_entry`, with the problems of special values apart from those of names: a refused
    special value stands as an unknown value, so the rest of the entry can still be checked."""
    known, special = _special_values(inputs, (), unknowns)
    entry, key_lines, naming = to_api_names(known, lines, root, "pulumi")
    problems = [((*root, *path), f"{display(path)} {message}") for path, message in special]
    return _integers(entry, create_ota_update_shape()), key_lines, problems, naming


def _top_problems(document: Document) -> list[Problem]:
    """Keys `pulumi stack export` never writes at the top, and version 4's features: with a
    feature this reader does not know, the export is not read further."""
    problems = [
        _problem(
            document,
            (key,),
            f"unknown top-level key {key!r} in a Pulumi stack export (it holds "
            f"{', '.join(TOP_KEYS)}){did_you_mean(str(key), TOP_KEYS)}",
        )
        for key in document.value
        if key not in TOP_KEYS
    ]
    features = document.value.get("features", [])
    if document.value.get("version") != 4:
        return problems  # Pulumi reads features only in version 4
    if not isinstance(features, list) or not all(isinstance(f, str) for f in features):
        message = "'features' must be a list of feature names (Pulumi deployment version 4)"
        raise InputError([*problems, _problem(document, ("features",), message)])
    unknown = [feature for feature in features if feature not in FEATURES]
    if unknown:
        message = (
            f"the export needs Pulumi features ota-drift does not read: "
            f"{', '.join(map(repr, unknown))} (it reads {', '.join(sorted(FEATURES))}); what "
            "they change in the export cannot be told, so it is refused"
        )
        raise InputError([*problems, _problem(document, ("features",), message)])
    return problems


def _resources(document: Document) -> list[tuple[int, Any]]:
    """Each resource of the export by index; an InputError if the export is not one."""
    version = document.value["version"]
    if type(version) is not int or version not in _VERSIONS:
        message = f"Pulumi deployment version {version!r} is not one ota-drift reads (1 to 4)"
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
    entry, key_lines, special, naming = _entry(inputs, document.lines, root, frozenset({COMPUTED}))
    found = [_problem(document, path, named + message) for path, message in special + naming]
    if naming:
        return found  # a misspelt input would be reported again as a missing one
    result = declared_update(
        entry,
        file=document.file,
        line=document.line(root),
        key_lines=key_lines,
        resource=urn,
        named=named,
        blobs="base64",  # aws-native takes a blob as base64 text, as CloudFormation does
        style="pulumi",
    )
    if isinstance(result, DeclaredUpdate) and not found:
        return result
    return found + (result if isinstance(result, list) else [])


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
        return _signed(value, path, unknowns)
    pairs = {key: _special_values(item, (*path, key), unknowns) for key, item in value.items()}
    return {key: item for key, (item, _) in pairs.items()}, [
        p for _, found in pairs.values() for p in found
    ]


def _signed(value: Mapping[str, Any], path: Path, unknowns: frozenset[str]) -> tuple[Any, Problems]:
    """A special value as an Unknown, or a problem. A special value refused stands as an
    unknown value too, so that the rest of the resource is still checked."""
    signature = value[SIG_KEY]
    if signature == OUTPUT_SIG:
        return _output_value(value, path, unknowns)
    if signature != SECRET_SIG:
        kind = _OTHER_SIGNATURES.get(signature) if isinstance(signature, str) else None
        what = kind or f"a special value of signature {_shown(signature)}"
        return REFUSED, [(path, f"is {what} in Pulumi's encoding: no OtaUpdate input holds one")]
    forms = [form for form in ("ciphertext", "plaintext") if isinstance(value.get(form), str)]
    if len(forms) != 1:
        return SECRET, [
            (path, "is a malformed Pulumi secret: it needs 'ciphertext' or 'plaintext'")
        ]
    return SECRET, []


def _output_value(
    value: Mapping[str, Any], path: Path, unknowns: frozenset[str]
) -> tuple[Any, Problems]:
    """An output value (`outputDependencies`): its `value` if known and not secret."""
    secret = value.get("secret", False)
    if not isinstance(secret, bool):
        return REFUSED, [
            (path, "is a malformed Pulumi output value: 'secret' must be true or false")
        ]
    if secret:
        return SECRET, []
    if "value" not in value:
        return NOT_YET_KNOWN, []
    return _special_values(value["value"], path, unknowns)


def _shown(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


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
