"""kdeprecate: a static linter for Kubernetes upgrades."""

__version__ = "0.1.0"
