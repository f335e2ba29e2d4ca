"""Stage 5: policy packs: rule severities, parameters, ignored drift and suppressions."""
