"""Stage 2: live state. One module per source, each behind `StateSource`."""
