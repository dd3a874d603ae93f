"""The bottom layer: versions, records, the API table, served-API data, successors, parsers, users' files.

Imports nothing else of pluto_py (docs/architecture.md).
"""
