"""The declaration readers, in the order they are asked: most specific format first."""

from __future__ import annotations

from checker.declared.cli_input import CliInputReader
from checker.declared.cloudformation import CloudFormationReader
from checker.declared.interface import Reader
from checker.declared.ota_drift import OtaDriftReader
from checker.declared.pulumi_stack import PulumiStackReader

READERS: tuple[Reader, ...] = (
    OtaDriftReader(),
    CloudFormationReader(),
    PulumiStackReader(),
    CliInputReader(),
)
"""The CLI input reader comes last: it knows its documents only by their keys."""
