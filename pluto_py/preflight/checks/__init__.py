"""Preflight checks, one module per subject; registered in pluto_py.preflight.registry."""
