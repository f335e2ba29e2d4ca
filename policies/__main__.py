"""The CrossGuard policy pack (PulumiPolicy.yaml): ota-drift's rules in `pulumi preview`."""

from checker.pulumi.crossguard import serve

serve()
