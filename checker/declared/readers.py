"""The declaration readers. Exactly one may recognise a document (checker/declared/loader.py
refuses a document two recognise), so their order only orders the formats in messages."""

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
"""The order the "formats accepted" error lists them in."""
