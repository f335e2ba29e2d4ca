"""CloudFormation's intrinsic functions, resolved as far as they can be before deployment.

A template's values are resolved before its names are mapped, so nothing after this module
sees an intrinsic: only plain values, and `Unknown` where a value exists only once deployed (a
`!GetAtt` of another resource, an `!ImportValue`, a parameter nobody set). A function with any
unknown part is unknown as a whole: ota-drift never guesses. A malformed function is an
InputError at its line, since CloudFormation would refuse the template too. A branch that
`!If` does not choose is not evaluated, as CloudFormation does not evaluate it: it is only
checked for what would be wrong whatever the parameters (an unknown function, a name that is in
no section of the template).

Text is the one value a template can multiply (`!Sub` of `!Sub`, a long parameter in many
places), so all the text one template's functions give is bounded by `MAX_BUILT_CHARS`.

The YAML short forms arrive here as their long forms (`checker.yamlsafe`), so only the long
forms (`Ref`, `Fn::*`, and `Condition` inside conditions) are handled.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from botocore.loaders import Loader

from checker.declared.interface import ReadOptions
from checker.errors import InputError, Problem, did_you_mean
from checker.files import MAX_NUMBER_CHARS
from checker.model import Path, Unknown, nearest_line


class _NoValue:
    """`!Ref AWS::NoValue`: the key or list item holding it is removed."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Final = _NoValue()

CONDITION_FUNCTIONS = ("Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Condition")
DEPLOY_TIME_FUNCTIONS = ("Fn::Transform", "Fn::ToJsonString", "Fn::Length")
"""Valid with a transform (AWS::LanguageExtensions, a macro), applied only when deployed."""
MAX_CONDITION_CHAIN = 100
"""Conditions naming conditions, each evaluated inside the last: a bound on the recursion."""
MAX_BUILT_CHARS = 5 * 2**20
"""The most text one template's functions may give in all, counting each `Ref`, `!Sub`,
`!Join`, `!Select`, `!Split`, `!FindInMap` and `!Base64` result: five times the largest template
CloudFormation deploys (1 MB), and as much as the largest declaration file ota-drift reads
(`loader.MAX_FILE_BYTES`). No declared value comes near it; six nested `!Sub`s of a short
string, or one long parameter substituted thousands of times, would otherwise build gigabytes
before any check could refuse them."""
NO_ECHO = Unknown("a NoEcho parameter")
"""A NoEcho parameter's value, default or given: CloudFormation masks it, so must every report."""
_SSM_TYPE = "AWS::SSM::Parameter::Value<"
_LIST_TYPES = ("CommaDelimitedList", "List<")
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_NUMBER = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")
_EXPRESSION_CHARS = 100
"""Unknown values show what was written, abbreviated beyond this."""


@functools.cache
def url_suffixes() -> dict[str, str]:
    """`AWS::URLSuffix` of each partition, from botocore's own endpoint data."""
    data = Loader().load_data("endpoints")
    return {p["partition"]: p["dnsSuffix"] for p in data.get("partitions", ())}


@dataclass(frozen=True)
class Template:
    """What a template's values may refer to."""

    file: str
    lines: Mapping[Path, int]
    parameters: Mapping[str, Any]
    """Each parameter's value: text, a list of text (list types), or Unknown."""
    mappings: Mapping[str, Any]
    conditions: Mapping[str, Any]
    """Each condition as written; evaluated when first used."""
    resources: frozenset[str]
    options: ReadOptions = field(default_factory=ReadOptions)


# --- parameters --------------------------------------------------------------------------


def parameter_values(
    declared: Any, given: Mapping[str, str], file: str, lines: Mapping[Path, int]
) -> tuple[dict[str, Any], list[Problem]]:
    """Each parameter's value: `--parameter` over its Default, Unknown with neither.

    `declared` is the template's `Parameters` section. A `--parameter` it does not declare is
    for another template; the loader refuses one that no template declares.
    """
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        where = ("Parameters", name)
        if not isinstance(spec, dict) or not isinstance(spec.get("Type"), str):
            line = nearest_line(lines, where) or 1
            problems.append(Problem(file, line, f"parameter {name!r} needs a Type"))
            continue
        try:
            values[str(name)] = _parameter_value(str(name), spec, given, file, lines)
        except InputError as exc:
            problems.extend(exc.problems)
    return values, problems


def _parameter_value(
    name: str,
    spec: Mapping[str, Any],
    given: Mapping[str, str],
    file: str,
    lines: Mapping[Path, int],
) -> Any:
    """One parameter's value as `Ref` gives it: text (a Number too), or a list of text."""
    kind: str = spec["Type"]
    where: Path = ("Parameters", name)
    secret = (_text(spec.get("NoEcho")) or "").lower() == "true"
    text: str | None
    if name in given:
        text = given[name]
        source = f"--parameter {name}" + ("" if secret else f"={_shown(text, plain=True)}")
    elif "Default" in spec:
        text = _text(spec["Default"])
        source = "its Default" if secret else f"Default {_shown(spec['Default'])}"
        where = (*where, "Default")
    else:
        return Unknown(f"!Ref {name}")
    line = nearest_line(lines, where) or 1
    if text is None:
        raise InputError.one(file, line, f"parameter {name}'s Default must be text or a number")
    if kind.startswith(_SSM_TYPE):
        return Unknown(f"!Ref {name}")  # the value is read from SSM when deployed
    items = text.split(",") if kind.startswith(_LIST_TYPES) else [text]
    allowed = spec.get("AllowedValues")
    for item in items:
        if isinstance(allowed, list) and item not in [_text(a) for a in allowed]:
            shown = ", ".join(str(_text(a)) for a in allowed)
            message = f"parameter {name}: {source} is not one of its AllowedValues ({shown})"
            raise InputError.one(file, line, message)
        if kind in ("Number", "List<Number>") and len(item.strip()) > MAX_NUMBER_CHARS:
            message = f"parameter {name}: {source} is {_too_long(item.strip())}"
            raise InputError.one(file, line, message)
        if kind in ("Number", "List<Number>") and not _is_number(item):
            raise InputError.one(file, line, f"parameter {name}: {source} is not a number")
    if secret:
        return NO_ECHO
    return items if kind.startswith(_LIST_TYPES) else text


def _shown(value: Any, plain: bool = False) -> str:
    """A value in a message, cut short (as repr, or `plain` as typed): a message is one line."""
    shown = str(value) if plain else repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _too_long(number: str) -> str:
    """As `checker.yamlsafe` says it of a number literal."""
    return (
        f"a number of {len(number):,} characters, too long "
        f"(numbers have at most {MAX_NUMBER_CHARS} characters)"
    )


def _text(value: Any) -> str | None:
    """A scalar as CloudFormation passes it on: every scalar becomes text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _is_number(text: str) -> bool:
    """What CloudFormation takes for a Number: an integer or a decimal (no `nan`, no `inf`)."""
    return _NUMBER.fullmatch(text.strip()) is not None


# --- rendering ---------------------------------------------------------------------------


def render(value: Any) -> str:
    """`value` as written in short form, cut short: the expression an Unknown shows. An `!If`
    shows only its condition, which is what is unknown about it."""
    arg = value.get("Fn::If") if function_of(value) == "Fn::If" else None
    if isinstance(arg, list) and arg:
        return _cut(itertools.chain(["!If ["], _render_pieces(arg[0]), [", ...]"]))
    return _cut(_render_pieces(value))


def _cut(pieces: Iterator[str]) -> str:
    """The text of `pieces`, read only as far as `_EXPRESSION_CHARS`: an expression may be
    as long as its template, and each unknown around it would render it again."""
    out: list[str] = []
    size = 0
    for piece in pieces:
        out.append(piece[: _EXPRESSION_CHARS + 1])
        size += len(out[-1])
        if size > _EXPRESSION_CHARS:
            break
    full = "".join(out)
    if len(full) <= _EXPRESSION_CHARS:
        return full
    return full[: _EXPRESSION_CHARS - 3] + "..."


def _render_pieces(value: Any) -> Iterator[str]:
    function = function_of(value)
    if function is not None:
        arg = value[function]
        yield _short_name(function) + " "
        dotted = isinstance(arg, list) and len(arg) == 2 and all(isinstance(a, str) for a in arg)
        if function == "Fn::GetAtt" and dotted:
            yield from _render_pieces(arg[0])
            yield "."
            yield from _render_pieces(arg[1])
        else:
            yield from _render_pieces(arg)
    elif isinstance(value, list):
        yield "["
        for index, item in enumerate(value):
            yield ", " if index else ""
            yield from _render_pieces(item)
        yield "]"
    elif isinstance(value, dict):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield f"{', ' if index else ''}{key}: "
            yield from _render_pieces(item)
        yield "}"
    elif value == "":
        yield "''"
    else:
        yield str(_text(value) if _text(value) is not None else value)


def _short_name(function: str) -> str:
    return "!" + function.removeprefix("Fn::")


def function_of(value: Any) -> str | None:
    """The intrinsic function `value` is a call of (a one-key mapping `Ref` or `Fn::*`)."""
    if isinstance(value, dict) and len(value) == 1:
        (key,) = value
        if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
            return str(key)
    return None


# --- resolution --------------------------------------------------------------------------

_Handler = Callable[["Resolver", Any, Path, Path, dict[Path, int]], Any]


@dataclass
class _Budget:
    """What is left of `MAX_BUILT_CHARS` for one template."""

    left: int = MAX_BUILT_CHARS
    reported: bool = False
    """Past it, the first function says so; the others stop without saying it again."""


class Resolver:
    """Resolves one template's values; remembers each condition once evaluated."""

    def __init__(self, template: Template, budget: _Budget | None = None) -> None:
        self.template = template
        self._decided: dict[str, bool | None] = {}
        self._deciding: list[str] = []
        self._budget = budget or _Budget()
        self._unevaluated: Resolver | None = None

    def check_unevaluated(self, value: Any, written: Path) -> None:
        """A branch CloudFormation will not evaluate (`!If`'s other one, or both when the
        condition is known only at deploy time): checked as if no parameter and no pseudo
        parameter had a value, so what depends on them (an index past the end of a list
        parameter, a key a Mapping lacks for this stage) is no error, while a function or a
        name that exists in no case still is."""
        if self._unevaluated is None:
            template = self.template
            unknown = {name: Unknown(f"!Ref {name}") for name in template.parameters}
            options = ReadOptions(partition=template.options.partition)
            blind = dataclasses.replace(template, parameters=unknown, options=options)
            self._unevaluated = Resolver(blind, self._budget)
            self._unevaluated._unevaluated = self._unevaluated
        self._unevaluated.argument(value, written)

    def spend(self, size: int, here: Path, what: str) -> None:
        """Count `size` characters of text that `what` gives against the template's budget,
        before building it."""
        budget = self._budget
        budget.left -= size
        if budget.left < 0 and budget.reported:
            raise InputError([])
        if budget.left < 0:
            budget.reported = True
            raise self.fail(
                here,
                f"{what} takes the text this template's functions give past "
                f"{MAX_BUILT_CHARS:,} characters: no declaration holds that much (a template "
                "CloudFormation deploys has at most 1 MB)",
            )

    def resolve(self, value: Any, written: Path) -> tuple[Any, dict[Path, int]]:
        """`value`, written at `written` in the document, with every intrinsic resolved, and the
        line of each key and item of the result by its path (rooted at `written` too): an item
        removed by AWS::NoValue or a branch chosen by Fn::If moves what follows it."""
        lines: dict[Path, int] = {}
        return self._value(value, written, written, lines), lines

    def place(self, value: Any, written: Path, out: Path, lines: dict[Path, int]) -> Any:
        """`value` resolved as it will stand at `out`, its keys' lines recorded there."""
        return self._value(value, written, out, lines)

    def _value(self, value: Any, written: Path, out: Path, lines: dict[Path, int]) -> Any:
        function = function_of(value)
        if function is not None:
            return self._call(function, value, (*written, function), out, lines)
        if isinstance(value, dict):
            result: dict[Any, Any] = {}
            for key, item in value.items():
                resolved = self._placed(item, (*written, key), (*out, key), lines)
                if resolved is not NO_VALUE:
                    result[key] = resolved
            return result
        if isinstance(value, list):
            items: list[Any] = []
            for index, item in enumerate(value):
                resolved = self._placed(item, (*written, index), (*out, len(items)), lines)
                if resolved is not NO_VALUE:
                    items.append(resolved)
            return items
        return value

    def _placed(self, value: Any, written: Path, out: Path, lines: dict[Path, int]) -> Any:
        """A key's value or an item, with its line recorded unless AWS::NoValue removed it."""
        resolved = self._value(value, written, out, lines)
        line = self.template.lines.get(written)
        if resolved is not NO_VALUE and line is not None:
            lines[out] = line
        return resolved

    def argument(self, value: Any, written: Path) -> Any:
        """A function's argument, resolved; where its parts were written does not matter."""
        return self._value(value, written, written, {})

    def fail(self, where: Path, message: str) -> InputError:
        return InputError.one(
            self.template.file, nearest_line(self.template.lines, where) or 1, message
        )

    def _call(self, function: str, call: Any, here: Path, out: Path, lines: dict[Path, int]) -> Any:
        handler = _HANDLERS.get(function)
        if handler is not None:
            result = handler(self, call[function], here, out, lines)
            if function in _PASSED_ON:
                self.spend(_size(result, self._budget.left + 1), here, function)
            return result
        if function in DEPLOY_TIME_FUNCTIONS:
            return Unknown(render(call))
        if function in CONDITION_FUNCTIONS:
            raise self.fail(here, f"{function} is a condition function: use it in Conditions")
        known = [*_HANDLERS, *DEPLOY_TIME_FUNCTIONS]
        hint = did_you_mean(function, known)
        raise self.fail(here, f"unknown intrinsic function {function!r}{hint}")

    # --- Ref and pseudo parameters -------------------------------------------------------

    def ref(self, name: Any, here: Path, what: str = "Ref") -> Any:
        """What `!Ref name` gives: a parameter's value, a pseudo parameter, or Unknown for a
        resource (its physical ID exists once it is created)."""
        template = self.template
        if not isinstance(name, str):
            raise self.fail(here, f"{what} takes the name of a parameter or resource")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name.startswith("AWS::"):
            return self._pseudo(name, here)
        if name in template.parameters:
            return template.parameters[name]
        if name in template.resources:
            return Unknown(f"!Ref {name}")
        hint = did_you_mean(name, [*template.parameters, *template.resources])
        raise self.fail(
            here, f"{what}: {name!r} is no parameter or resource of this template{hint}"
        )

    def _pseudo(self, name: str, here: Path) -> Any:
        options = self.template.options
        known: dict[str, str | None] = {
            "AWS::Region": options.region,
            "AWS::AccountId": options.account_id,
            "AWS::Partition": options.partition,
            "AWS::StackName": options.stack_name,
            "AWS::URLSuffix": url_suffixes().get(options.partition),
            "AWS::StackId": None,
            "AWS::NotificationARNs": None,
        }
        if name not in known:
            hint = did_you_mean(name, [*known, "AWS::NoValue"])
            raise self.fail(here, f"unknown pseudo parameter {name!r}{hint}")
        value = known[name]
        return Unknown(f"!Ref {name}") if value is None else value

    # --- conditions ----------------------------------------------------------------------

    def condition(self, name: Any, here: Path) -> bool | None:
        """Whether condition `name` holds: True, False, or None when it depends on a value
        known only at deploy time."""
        conditions = self.template.conditions
        if not isinstance(name, str) or name not in conditions:
            hint = did_you_mean(str(name), [str(c) for c in conditions])
            raise self.fail(here, f"no condition named {name!r} in Conditions{hint}")
        if name in self._decided:
            return self._decided[name]
        if name in self._deciding:
            cycle = " -> ".join([*self._deciding[self._deciding.index(name) :], name])
            raise self.fail(("Conditions", name), f"conditions refer to each other: {cycle}")
        if len(self._deciding) >= MAX_CONDITION_CHAIN:
            message = f"conditions refer to conditions more than {MAX_CONDITION_CHAIN} deep"
            raise self.fail(("Conditions", name), message)
        self._deciding.append(name)
        try:
            decided = self.truth(conditions[name], ("Conditions", name))
        finally:
            self._deciding.pop()
        self._decided[name] = decided
        return decided

    def truth(self, expression: Any, where: Path) -> bool | None:
        """A condition function's value; None when unknown before deployment."""
        function = function_of(expression)
        if function is None and isinstance(expression, dict) and list(expression) == ["Condition"]:
            function = "Condition"
        if function not in CONDITION_FUNCTIONS:
            names = ", ".join(CONDITION_FUNCTIONS)
            raise self.fail(where, f"a condition must be one of {names}")
        assert function is not None
        here = (*where, function)
        arg = expression[function]
        if function == "Condition":
            return self.condition(arg, here)
        if function == "Fn::Equals":
            return self._equals(arg, here)
        counts = {"Fn::Not": (1, 1), "Fn::And": (2, 10), "Fn::Or": (2, 10)}[function]
        if not isinstance(arg, list) or not counts[0] <= len(arg) <= counts[1]:
            wanted = "a list of one condition" if counts[0] == 1 else "a list of 2 to 10 conditions"
            raise self.fail(here, f"{function} takes {wanted}")
        values = [self.truth(item, (*here, index)) for index, item in enumerate(arg)]
        if function == "Fn::Not":
            return None if values[0] is None else not values[0]
        decisive = function == "Fn::Or"  # Or is decided by one True, And by one False
        if decisive in values:
            return decisive
        return None if None in values else not decisive

    def _equals(self, arg: Any, here: Path) -> bool | None:
        if not isinstance(arg, list) or len(arg) != 2:
            raise self.fail(here, "Fn::Equals takes a list of two values")
        left, right = (self.argument(item, (*here, i)) for i, item in enumerate(arg))
        if _has_unknown(left) or _has_unknown(right):
            return None
        return bool(_comparable(left) == _comparable(right))


_PASSED_ON = ("Ref", "Fn::Select", "Fn::FindInMap")
"""Functions that give a value that exists already: one long parameter or Mapping value may be
given in many places, so each use counts. The functions that build text count it themselves."""


def _size(value: Any, limit: int) -> int:
    """The characters of text in `value` (a scalar other than text, a list or a mapping
    counts as one), counted only as far as `limit`: the walk itself must stay cheap."""
    todo, size = [value], 0
    while todo and size <= limit:
        item = todo.pop()
        if isinstance(item, str):
            size += len(item)
        elif isinstance(item, list):
            size += 1
            todo.extend(item)
        elif isinstance(item, dict):
            size += 1 + sum(len(key) for key in item if isinstance(key, str))
            todo.extend(item.values())
        else:
            size += 1
    return size


def _has_unknown(value: Any) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, list):
        return any(_has_unknown(item) for item in value)
    if isinstance(value, dict):
        return any(_has_unknown(item) for item in value.values())
    return False


def _comparable(value: Any) -> Any:
    """Scalars as the text CloudFormation compares: `1` equals `"1"`."""
    text = _text(value)
    if text is not None:
        return text
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    return value


# --- the functions -----------------------------------------------------------------------


def _ref(resolver: Resolver, arg: Any, here: Path, out: Path, lines: dict[Path, int]) -> Any:
    return resolver.ref(arg, here)


def _if(resolver: Resolver, arg: Any, here: Path, out: Path, lines: dict[Path, int]) -> Any:
    """The branch its condition chooses, placed where the `!If` was. CloudFormation does not
    evaluate the other one, so neither does this: it is only checked for what is wrong
    whatever the parameters."""
    if not isinstance(arg, list) or len(arg) != 3:
        raise resolver.fail(here, "Fn::If takes [CONDITION, VALUE_IF_TRUE, VALUE_IF_FALSE]")
    decided = resolver.condition(arg[0], (*here, 0))
    if decided is None:
        resolver.check_unevaluated(arg[1], (*here, 1))
        resolver.check_unevaluated(arg[2], (*here, 2))
        return Unknown(render({"Fn::If": arg}))
    chosen, other = (1, 2) if decided else (2, 1)
    resolver.check_unevaluated(arg[other], (*here, other))
    return resolver.place(arg[chosen], (*here, chosen), out, lines)


def _sub(resolver: Resolver, arg: Any, here: Path, out: Path, lines: dict[Path, int]) -> Any:
    """`${Name}` from the variables, parameters and pseudo parameters; `${Res.Attr}` and
    `${Resource}` are unknown; `${!Literal}` is written as `${Literal}`."""
    if isinstance(arg, str):
        text, variables = arg, {}
    elif isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
        if not isinstance(arg[1], dict):
            raise resolver.fail((*here, 1), "Fn::Sub's variables must be a mapping")
        text = arg[0]
        variables = {k: resolver.argument(v, (*here, 1, k)) for k, v in arg[1].items()}
    else:
        raise resolver.fail(here, "Fn::Sub takes a string or [STRING, {VARIABLES}]")
    unknown = False
    resolver.spend(len(text), here, "Fn::Sub")

    def substitute(match: re.Match[str]) -> str:
        nonlocal unknown
        name = match.group(1)
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        value = variables[name] if name in variables else _sub_name(resolver, name, here)
        if isinstance(value, Unknown):
            unknown = True
            return ""
        piece = _piece(resolver, value, here, f"Fn::Sub's ${{{name}}}")
        resolver.spend(len(piece), here, "Fn::Sub")  # before re.sub holds it
        return piece

    result = _SUB_VARIABLE.sub(substitute, text)
    return Unknown(render({"Fn::Sub": arg})) if unknown else result


def _sub_name(resolver: Resolver, name: str, here: Path) -> Any:
    resource, dot, _ = name.partition(".")
    if dot:
        if resource in resolver.template.resources:
            return Unknown(f"!GetAtt {name}")
        raise resolver.fail(here, f"Fn::Sub's ${{{name}}} names no resource {resource!r}")
    if name == "AWS::NoValue":
        raise resolver.fail(here, "Fn::Sub cannot substitute AWS::NoValue")
    return resolver.ref(name, here, what="Fn::Sub")


def _piece(resolver: Resolver, value: Any, here: Path, what: str) -> str:
    """A part of a string being built: text, or a number as its text."""
    text = _text(value) if not isinstance(value, bool) else None
    if text is None:
        raise resolver.fail(here, f"{what} must be text, not {type(value).__name__}")
    return text


def _join(resolver: Resolver, arg: Any, here: Path, out: Path, lines: dict[Path, int]) -> Any:
    if not isinstance(arg, list) or len(arg) != 2:
        raise resolver.fail(here, "Fn::Join takes [DELIMITER, [VALUES]]")
    delimiter = resolver.argument(arg[0], (*here, 0))
    values = resolver.argument(arg[1], (*here, 1))
    if _has_unknown(delimiter) or _has_unknown(values):
        return Unknown(render({"Fn::Join": arg}))
    if not isinstance(delimiter, str):
        raise resolver.fail((*here, 0), "Fn::Join's delimiter must be text")
    if not isinstance(values, list):
        raise resolver.fail((*here, 1), "Fn::Join's values must be a list")
    pieces = [_piece(resolver, v, (*here, 1), "a Fn::Join value") for v in values]
    size = sum(map(len, pieces)) + len(delimiter) * max(len(pieces) - 1, 0)
    resolver.spend(size, here, "Fn::Join")
    return delimiter.join(pieces)


def _select(resolver: Resolver, arg: Any, here: Path, out: Path, lines: dict[Path, int]) -> Any:
    if not isinstance(arg, list) or len(arg) != 2:
        raise resolver.fail(here, "Fn::Select takes [INDEX, [VALUES]]")
    index = resolver.argument(arg[0], (*here, 0))
    values = resolver.argument(arg[1], (*here, 1))
    if isinstance(index, Unknown) or isinstance(values, Unknown):
        return Unknown(render({"Fn::Select": arg}))
    text = _text(index)
    if text is not None and len(text) > MAX_NUMBER_CHARS:
        raise resolver.fail((*here, 0), f"Fn::Select's index is {_too_long(text)}")
    if isinstance(index, bool) or not re.fullmatch(r"\d+", str(text)):
        message = f"Fn::Select's index must be a whole number, not {_shown(index)}"
        raise resolver.fail((*here, 0), message)
    if not isinstance(values, list):
        raise resolver.fail((*here, 1), "Fn::Select's values must be a list")
    position = int(str(text))
    if position >= len(values):
        raise resolver.fail(
            (*here, 0), f"Fn::Select's index {position} is past the end of {len(values)} value(s)"
        )
    return values[position]


def _split(resolver: Resolver, arg: Any, here: Path, out: Path, lines: dict[Path, int]) -> Any:
    if not isinstance(arg, list) or len(arg) != 2:
        raise resolver.fail(here, "Fn::Split takes [DELIMITER, STRING]")
    delimiter = resolver.argument(arg[0], (*here, 0))
    source = resolver.argument(arg[1], (*here, 1))
    if isinstance(delimiter, Unknown) or isinstance(source, Unknown):
        return Unknown(render({"Fn::Split": arg}))
    if not isinstance(delimiter, str) or not delimiter:
        raise resolver.fail((*here, 0), "Fn::Split's delimiter must be non-empty text")
    text = _piece(resolver, source, (*here, 1), "Fn::Split's string")
    resolver.spend(len(text), here, "Fn::Split")
    return text.split(delimiter)


def _find_in_map(
    resolver: Resolver, arg: Any, here: Path, out: Path, lines: dict[Path, int]
) -> Any:
    if not isinstance(arg, list) or len(arg) != 3:
        raise resolver.fail(here, "Fn::FindInMap takes [MAP, TOP_LEVEL_KEY, SECOND_LEVEL_KEY]")
    keys = [resolver.argument(item, (*here, i)) for i, item in enumerate(arg)]
    found: Any = resolver.template.mappings
    what = "Mappings"
    for position, key in enumerate(keys):
        if isinstance(key, Unknown):  # the keys before it are still checked
            return Unknown(render({"Fn::FindInMap": arg}))
        text = _piece(resolver, key, (*here, position), "a Fn::FindInMap key")
        table = {str(_text(k)): v for k, v in found.items()} if isinstance(found, dict) else {}
        if text not in table:
            hint = did_you_mean(text, list(table))
            raise resolver.fail((*here, position), f"{what} has no key {text!r}{hint}")
        found, what = table[text], f"{what}.{text}"
    return found  # Mappings hold literal values only


def _base64(resolver: Resolver, arg: Any, here: Path, out: Path, lines: dict[Path, int]) -> Any:
    value = resolver.argument(arg, here)
    if isinstance(value, Unknown):
        return Unknown(render({"Fn::Base64": arg}))
    data = _piece(resolver, value, here, "Fn::Base64's value").encode("utf-8")
    resolver.spend(4 * ((len(data) + 2) // 3), here, "Fn::Base64")
    return base64.b64encode(data).decode("ascii")


def _get_att(resolver: Resolver, arg: Any, here: Path, out: Path, lines: dict[Path, int]) -> Any:
    """Unknown: another resource's attribute exists once it is created. As in CloudFormation,
    the attribute's name may be a `Ref` (to a parameter), the resource's may not."""
    if isinstance(arg, str) and "." in arg:
        arg = arg.split(".", 1)
    shapes = isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)
    if not shapes or not (isinstance(arg[1], str) or function_of(arg[1]) == "Ref"):
        raise resolver.fail(
            here, "Fn::GetAtt takes [RESOURCE, ATTRIBUTE] (only a Ref may give the ATTRIBUTE)"
        )
    resource, attribute = arg
    if resource not in resolver.template.resources:
        hint = did_you_mean(resource, list(resolver.template.resources))
        raise resolver.fail(here, f"Fn::GetAtt names no resource {resource!r}{hint}")
    if isinstance(attribute, dict):
        attribute = resolver.ref(attribute["Ref"], (*here, 1, "Ref"))
        if isinstance(attribute, Unknown):
            return Unknown(render({"Fn::GetAtt": arg}))
        if not isinstance(attribute, str):
            raise resolver.fail((*here, 1), "Fn::GetAtt's ATTRIBUTE must be text")
    return Unknown(f"!GetAtt {resource}.{attribute}")


def _import_value(
    resolver: Resolver, arg: Any, here: Path, out: Path, lines: dict[Path, int]
) -> Any:
    """Another stack's export: unknown, shown by its name when that is known."""
    name = resolver.argument(arg, here)
    if isinstance(name, Unknown):
        return Unknown(render({"Fn::ImportValue": arg}))
    return Unknown(f"!ImportValue {_piece(resolver, name, here, 'Fn::ImportValue name')}")


def _get_azs(resolver: Resolver, arg: Any, here: Path, out: Path, lines: dict[Path, int]) -> Any:
    region = resolver.argument(arg, here)
    if not isinstance(region, str | Unknown):
        raise resolver.fail(here, "Fn::GetAZs takes a region name, or '' for the stack's")
    return Unknown(render({"Fn::GetAZs": arg}))


def _cidr(resolver: Resolver, arg: Any, here: Path, out: Path, lines: dict[Path, int]) -> Any:
    if not isinstance(arg, list) or len(arg) != 3:
        raise resolver.fail(here, "Fn::Cidr takes [IP_BLOCK, COUNT, CIDR_BITS]")
    for index, item in enumerate(arg):
        resolver.argument(item, (*here, index))
    return Unknown(render({"Fn::Cidr": arg}))


_HANDLERS: dict[str, _Handler] = {
    "Ref": _ref,
    "Fn::If": _if,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::FindInMap": _find_in_map,
    "Fn::Base64": _base64,
    "Fn::GetAtt": _get_att,
    "Fn::ImportValue": _import_value,
    "Fn::GetAZs": _get_azs,
    "Fn::Cidr": _cidr,
}
