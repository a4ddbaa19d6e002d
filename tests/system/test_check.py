"""`cmsreg-server check` and `check --repair` on a seeded instance, after hand-made damage."""

from __future__ import annotations

import pytest

from registry.store import ContentStore
from tests.system.conftest import small_pack

pytestmark = pytest.mark.slow

VERSIONS = """
    SELECT v.id, o.slug, p.name, v.version, v."commit", v.zip_sha256, v.tar_sha256
    FROM versions v JOIN packs p ON p.id = v.pack_id JOIN organisations o ON o.id = p.publisher_id
    ORDER BY o.slug, p.name, v.version
"""


def test_check_reports_and_repairs_a_deleted_row_and_a_rogue_branch(instance):
    instance.command("seed")
    check = instance.check()
    assert check.returncode == 0, check.stdout + check.stderr
    assert "git, database and index agree" in check.stdout
    before = instance.sql(VERSIONS)
    assert len(before) >= 10

    # An operator deletes a version row by hand ...
    vid, publisher, name, version = before[len(before) // 2][:4]
    instance.sql("DELETE FROM daily_downloads WHERE version_id = :id", id=vid)
    instance.sql("DELETE FROM versions WHERE id = :id", id=vid)
    # ... and a submission branch has lost its row (as a crash before the database commit does).
    with ContentStore(instance.repo, instance.path / "archives") as store:
        store.submit(999, "hertfordshire", "rogue-pack", small_pack("rogue-pack"))

    check = instance.check()
    assert check.returncode == 1
    assert (
        f"version {publisher}/{name} {version} is tagged in git but missing from the database"
        in check.stdout
    )
    assert (
        "ref refs/submissions/999 exists but the submission is not in the database" in check.stdout
    )
    assert "run `cmsreg-server check --repair`" in check.stderr

    repair = instance.check("--repair")
    assert repair.returncode == 0, repair.stdout + repair.stderr
    assert repair.stdout.rstrip().endswith("git, database and index agree.")
    assert f"repaired: version {publisher}/{name} {version} is tagged in git" in repair.stdout
    assert "repaired: ref refs/submissions/999 exists" in repair.stdout
    after = instance.sql(VERSIONS)
    assert [row[1:] for row in after] == [row[1:] for row in before]  # same commit and checksums
    assert instance.refs("refs/submissions/") == []
    check = instance.check()
    assert check.returncode == 0, check.stdout + check.stderr
    instance.fsck()


@pytest.mark.parametrize("database_kind", ["sqlite"])  # git only
def test_check_reports_and_repairs_a_hand_made_submission_branch(instance):
    tree = instance.git("mktree", stdin="").strip()  # the empty tree
    commit = instance.git(
        "-c",
        "user.name=Someone",
        "-c",
        "user.email=someone@example.org",
        "commit-tree",
        tree,
        "-m",
        "Pushed by hand",
    ).strip()
    instance.git("update-ref", "refs/submissions/999", commit)
    instance.git("update-ref", "refs/heads/someone-elses-work", commit)
    check = instance.check()
    assert check.returncode == 1
    assert "submissions/999" in check.stdout
    repair = instance.check("--repair")
    assert repair.returncode == 0, repair.stdout + repair.stderr
    assert repair.stdout.rstrip().endswith("git, database and index agree.")
    assert instance.refs("refs/submissions/") == []
    assert "someone-elses-work" in check.stdout
    assert [r for r in instance.refs("refs/heads/") if not r.endswith("/main")] == []
