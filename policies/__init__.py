"""Policy packs shipped with ota-drift; installed as the package data of `checker.policies`."""
