"""The scan pipeline: sources -> judge -> hooks (CRD versions) -> suppressions -> ScanResult (run.run_scan)."""
