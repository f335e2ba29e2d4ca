"""Stage 4b: policy rules. One module per rule, each a `Rule`; all listed in `registry.py`."""
