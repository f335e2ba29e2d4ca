"""The rules, which drift (stage 4a), `checker.evaluate` (stage 4b) and the policy stage raise.
One module per rule, each a `Rule` or a drift or policy-stage `RuleMeta`; all listed in
`registry.py`."""
