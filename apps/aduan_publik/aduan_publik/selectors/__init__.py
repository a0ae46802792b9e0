"""Reads: querysets and figures for the desk, portal and exports (keyword-only, access-checked)."""
