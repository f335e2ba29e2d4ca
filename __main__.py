"""The Pulumi program (Pulumi.yaml): the `ota-drift check` audit as a stack. See README: Pulumi."""

import pulumi

from checker.pulumi.program import read_settings, run

run(read_settings(pulumi.Config("ota-drift"), pulumi.Config("aws")))
