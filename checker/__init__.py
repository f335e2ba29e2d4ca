"""ota-drift: audit and drift checker for AWS IoT over-the-air (OTA) updates."""

__version__ = "0.1.0"
