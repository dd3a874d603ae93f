"""`kdeprecate podsecurity`: Pod Security Standards per namespace across an upgrade.

Kubernetes 1.25 removed PodSecurityPolicy. A namespace whose pods a PodSecurityPolicy constrained
and that carries no `pod-security.kubernetes.io/enforce` label loses its pod security silently at
the upgrade. This package evaluates every pod template of the input against the Pod Security
Standards of the target release (controls/, facts in data/pod_security.yaml), maps each
PodSecurityPolicy that applied (through RBAC `use` grants) to its closest level, and judges each
namespace's labels: `analyze` returns the per-namespace records, `fix` writes suggested labels.

This module imports nothing: the CLI registers the command cheaply.
"""
