"""Shipped policy presets (TOML files)."""
