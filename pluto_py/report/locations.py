"""Where code-scanning reports point: paths relative to the repository root, not the working directory.

GitHub (SARIF upload, workflow annotations) and GitLab (Code Quality) resolve a result's path against
the root of the checked-out repository. kdeprecate shows paths as the user named them, relative to
the directory it ran in; a scan run from a subdirectory (``cd deploy && kdeprecate scan .``) would
point at files that do not exist. Reporters that need it (``needs_source_root = True``) get the
root in ``ReportContext.source_root``, found by ``find_source_root``: ``$GITHUB_WORKSPACE`` in GitHub
Actions, ``$CI_PROJECT_DIR`` in GitLab CI, else ``git rev-parse --show-toplevel``, else the working
directory. Finding it costs a ``git`` process, so only those reporters ask for it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

# Variables CI systems set to the directory holding the checked-out repository, in order of trust.
ROOT_VARIABLES = ("GITHUB_WORKSPACE", "CI_PROJECT_DIR")
GIT_TIMEOUT_SECONDS = 5


def find_source_root(cwd: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The absolute path results are made relative to (see the module docstring)."""
    env = os.environ if env is None else env
    here = os.path.abspath(cwd or os.getcwd())
    for name in ROOT_VARIABLES:
        value = env.get(name, "").strip()
        if value and os.path.isdir(value):
            return os.path.abspath(value)
    try:
        done = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=here, capture_output=True, text=True,
                              timeout=GIT_TIMEOUT_SECONDS, check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return here  # no git: the working directory is the best guess
    top = done.stdout.strip()
    if done.returncode == 0 and top and os.path.isdir(top):
        return os.path.abspath(top)
    return here


def root_relative(path: str, root: str | None) -> str | None:
    """``path`` (as shown: relative to the working directory, or absolute) relative to ``root``,
    '/'-separated; None when it lies outside ``root``. Without a root: the path as shown, tidied."""
    if root is None:
        posix = path.replace("\\", "/")
        while posix.startswith("./"):
            posix = posix[2:]
        return None if PurePosixPath(posix).is_absolute() or os.path.isabs(path) else posix
    absolute = Path(os.path.abspath(path))
    base = Path(root)
    for candidate_base in (base, base.resolve()):  # /tmp vs /private/tmp and other symlinked roots
        for candidate in (absolute, absolute.resolve()):
            try:
                return candidate.relative_to(candidate_base).as_posix()
            except ValueError:
                continue
    return None
