"""Stage 1: declared OTA updates, loaded from YAML and validated against botocore's model."""

from checker.declared.loader import declared_files, load_declared

__all__ = ["declared_files", "load_declared"]
