"""The CrossGuard policy pack (PulumiPolicy.yaml): ota-drift's rules in `pulumi preview`."""

from checker.pulumi.policies import serve

serve()
