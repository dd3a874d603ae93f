"""fix's atomic write changes a file's content and nothing else (issue 11, point 19).

A rename-based rewrite would silently give the file a new owner, a new inode (splitting hard links), a
0444 file a new content, and a symbolic link's target outside the tree a rewrite. kdeprecate keeps owner,
group and mode, and refuses — with a message, exit 2 — what it cannot do faithfully: read-only files,
files with several hard links, links that leave the tree being fixed. Devices and pipes are written in
place (``--output-file /dev/stdout``).
"""

from __future__ import annotations

import os
import stat
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from pluto_py.core.userfiles import WriteRefused, write_atomic
from tests.conftest import CliResult, readme_section

Cli = Callable[..., CliResult]
BEFORE = ("apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: web}\n"
          "spec:\n  backend: {serviceName: s, servicePort: 80}\n")
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX owners, modes and links")


def fix(cli: Cli, *paths: str) -> CliResult:
    return cli("fix", "-t", "1.22", "--no-config", *paths)


def test_owner_group_and_mode_are_kept(tmp_path: Path, cli: Cli) -> None:
    manifest = tmp_path / "app.yaml"
    manifest.write_text(BEFORE)
    os.chmod(manifest, 0o640)
    if os.geteuid() == 0:  # root can give the file away: check that the rewrite gives it back
        os.chown(manifest, 4321, 8765)
    before = os.stat(manifest)
    result = fix(cli, str(tmp_path))
    assert result.code == 1, result.stderr
    after = os.stat(manifest)
    assert "networking.k8s.io/v1" in manifest.read_text()
    assert (after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode)) == (before.st_uid, before.st_gid, 0o640)


def test_a_read_only_file_is_reported_not_rewritten(tmp_path: Path, cli: Cli) -> None:
    manifest = tmp_path / "app.yaml"
    manifest.write_text(BEFORE)
    os.chmod(manifest, 0o444)
    result = fix(cli, str(tmp_path))
    assert result.code == 2
    assert manifest.read_text() == BEFORE
    assert "app.yaml: cannot write: read-only (mode 0444): not rewritten" in result.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".kdeprecate")]


def test_hard_links_are_reported_not_split(tmp_path: Path, cli: Cli) -> None:
    manifest = tmp_path / "tree" / "app.yaml"
    manifest.parent.mkdir()
    manifest.write_text(BEFORE)
    other = tmp_path / "elsewhere.yaml"
    os.link(manifest, other)
    result = fix(cli, str(manifest.parent))
    assert result.code == 2
    assert "2 hard links name this file: not rewritten" in result.stderr
    assert manifest.read_text() == BEFORE == other.read_text()
    assert os.stat(manifest).st_ino == os.stat(other).st_ino


def test_a_symbolic_link_out_of_the_tree_is_refused_one_inside_is_followed(tmp_path: Path, cli: Cli) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(BEFORE)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "shared.yaml").write_text(BEFORE)
    os.symlink(outside, tree / "out.yaml")
    os.symlink("shared.yaml", tree / "in.yaml")
    result = fix(cli, str(tree))
    assert result.code == 2
    assert f"out.yaml: cannot write: a symbolic link to {outside}, outside the tree being fixed" in result.stderr
    assert outside.read_text() == BEFORE
    assert (tree / "out.yaml").is_symlink() and (tree / "in.yaml").is_symlink()
    assert "networking.k8s.io/v1" in (tree / "shared.yaml").read_text()  # through the link inside the tree


def test_a_named_link_is_judged_by_the_working_directory(tmp_path: Path, cli: Cli,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    repo, outside = tmp_path / "repo", tmp_path / "outside.yaml"
    (repo / "k8s").mkdir(parents=True)
    (repo / "base.yaml").write_text(BEFORE)
    outside.write_text(BEFORE)
    os.symlink("../base.yaml", repo / "k8s" / "app.yaml")
    os.symlink(outside, repo / "k8s" / "out.yaml")
    monkeypatch.chdir(repo)
    result = fix(cli, "k8s/app.yaml", "k8s/out.yaml")  # as pre-commit passes them
    assert result.code == 2
    assert "networking.k8s.io/v1" in (repo / "base.yaml").read_text()
    assert outside.read_text() == BEFORE and "k8s/out.yaml: cannot write: a symbolic link" in result.stderr


def test_write_atomic_writes_devices_and_pipes_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    write_atomic(fifo, "report\n")
    reader.join(timeout=30)
    assert received == [b"report\n"] and stat.S_ISFIFO(os.stat(fifo).st_mode)  # still the pipe
    with pytest.raises(IsADirectoryError):
        write_atomic(tmp_path, "x")


def test_write_atomic_refuses_what_it_cannot_keep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "f.yaml"
    target.write_text("old")
    os.chmod(target, 0o600)
    if os.geteuid() == 0:
        os.chown(target, 4321, 4321)

    def not_permitted(*_args: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chown", not_permitted)  # (what os.chown does for a user who is not root)
    if os.geteuid() != 0 and os.stat(target).st_uid == os.geteuid():
        pytest.skip("needs a file owned by someone else")  # pragma: no cover
    with pytest.raises(WriteRefused, match="owned by user 4321, group 4321"):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".kdeprecate")]


def test_the_readme_says_what_fix_will_not_rewrite() -> None:
    section = readme_section("Fixing manifests: `kdeprecate fix`")
    for promise in ("owner", "read-only", "hard links", "symbolic link"):
        assert promise in section, promise
