"""What a declaration reader is: it recognises a parsed document by content and reads it.

The loader parses each file once (JSON or YAML, decided by content) into a `Document` with the
line of every key, asks every reader in `READERS` whether the document is its format, and
lets the one that says yes read it (two that say yes mean the document mixes formats).
Every reader yields `DeclaredUpdate`s in API names
(`create_ota_update`'s keyword arguments), with `key_lines` by API path, so nothing after
the readers knows which format a declaration was written in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from checker.model import DeclaredUpdate, Path, nearest_line
from checker.yamlsafe import TagUse

Syntax = Literal["json", "yaml"]
PSEUDO_PARAMETERS = ("AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::StackName")
"""The pseudo parameters `--parameter` may set; others (AWS::URLSuffix, AWS::NoValue) are
the template reader's to know."""


@dataclass(frozen=True)
class ReadOptions:
    """What a template's values may depend on that is not in the file: its parameters and
    the pseudo parameters of the stack it will be deployed as (CloudFormation readers only)."""

    parameters: Mapping[str, str] = field(default_factory=dict)
    """`--parameter NAME=VALUE`, as `aws cloudformation deploy --parameter-overrides`."""
    region: str | None = None
    """`AWS::Region`; unknown (computed at deploy time) when not given."""
    account_id: str | None = None
    """`AWS::AccountId`; unknown when not given."""
    partition: str = "aws"
    """`AWS::Partition`."""
    stack_name: str | None = None
    """`AWS::StackName`; unknown when not given."""


@dataclass(frozen=True)
class Document:
    """One parsed declaration file."""

    file: str
    """The file as messages show it."""
    value: Any
    lines: Mapping[Path, int]
    """The 1-based line of every key and list item, by path from the document's root."""
    syntax: Syntax
    tags: tuple[TagUse, ...] = ()
    """CloudFormation short-form tags the YAML used; only a template reader may accept them."""

    def line(self, path: Path) -> int:
        """The line of `path` or its nearest written ancestor; 1 for the document itself."""
        return nearest_line(self.lines, path) or 1


class Reader(Protocol):
    """One declaration format. Stateless; `recognises` must be cheap and never raise."""

    @property
    def name(self) -> str:
        """`cloudformation`: the format's name in messages and `--format` choices."""
        ...

    @property
    def described(self) -> str:
        """What the format is, for the error naming the formats accepted:
        `a CloudFormation or CDK template (Resources with AWS::IoT::OTAUpdate)`."""
        ...

    @property
    def accepts_intrinsic_tags(self) -> bool:
        """Whether `!Ref` and the other short-form tags mean something in this format."""
        ...

    def recognises(self, document: Document) -> bool:
        """Whether `document` is in this format, by its content."""
        ...

    def read(self, document: Document, options: ReadOptions) -> list[DeclaredUpdate]:
        """Every OTA update the document declares; raises InputError with all its problems."""
        ...

    def parameter_names(self, document: Document) -> frozenset[str]:
        """The template parameters `document` declares, which `--parameter` may set (none but
        in templates): one that no file read declares is an error, never silently unused."""
        ...
