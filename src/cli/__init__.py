"""Operator commands: `uv run python -m src.cli --help`."""
