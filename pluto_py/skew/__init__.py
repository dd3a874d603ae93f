"""Version skew checker and upgrade planner (`kdeprecate skew`).

The policy is data (``data/skew_policy.yaml``, loaded by ``core/skew_policy.py``); this package
checks a cluster state against it and plans upgrades that stay inside it. Nothing here prints or exits.
"""

from __future__ import annotations

from pluto_py.core.skew_policy import COMPONENTS, Policy, PolicyError, Rule, load_builtin_policy, load_policy
from pluto_py.skew.check import allowed_for, check, constraints_for, is_valid
from pluto_py.skew.inputs import InputError, build_state, load_nodes, load_version_info
from pluto_py.skew.model import ClusterState, Instance, VersionRange, Violation
from pluto_py.skew.plan import Plan, PlanError, Step, plan_upgrade
from pluto_py.skew.report import SkewReport, analyze, render_json, render_text

__all__ = [
    "COMPONENTS",
    "ClusterState",
    "InputError",
    "Instance",
    "Plan",
    "PlanError",
    "Policy",
    "PolicyError",
    "Rule",
    "SkewReport",
    "Step",
    "VersionRange",
    "Violation",
    "allowed_for",
    "analyze",
    "build_state",
    "check",
    "constraints_for",
    "is_valid",
    "load_builtin_policy",
    "load_nodes",
    "load_policy",
    "load_version_info",
    "plan_upgrade",
    "render_json",
    "render_text",
]
