"""Stage 1: declared OTA updates, loaded from YAML and validated against botocore's model."""

from checker.declared.loader import load_declared

__all__ = ["load_declared"]
