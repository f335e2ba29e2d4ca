"""ota-drift inside Pulumi: the program, the `OtaUpdate` dynamic provider, the CrossGuard pack."""
