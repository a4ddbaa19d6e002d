"""Submit, approve, withdraw: the branches, tags and main a user of the mirror would see."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.store import Conflict, ContentStore, NotFound, StoreError

from .helpers import approve, git, pack, ref_exists


def test_init_is_idempotent_and_creates_a_bare_repository(tmp_path: Path) -> None:
    with ContentStore(tmp_path / "content.git") as store:
        store.init()
        store.init()
        assert git(store, "rev-parse", "--is-bare-repository").strip() == "true"
        assert git(store, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
        assert store.head() is None  # main appears with the first approval
        assert store.is_ready()
        assert (tmp_path / "content.git.lock").exists()  # the write lock sits beside it


def test_init_refuses_a_folder_that_is_not_a_repository(tmp_path: Path) -> None:
    (tmp_path / "content.git").mkdir()
    (tmp_path / "content.git" / "notes.txt").write_text("mine")
    with ContentStore(tmp_path / "content.git") as store, pytest.raises(StoreError):
        store.init()


def test_submit_makes_a_branch_on_top_of_main(store: ContentStore) -> None:
    first = approve(store, 1, "hertfordshire", "cp-workflow", "1.0.0")
    ref = store.submit(2, "hertfordshire", "cp-workflow", pack("1.1.0"))
    assert ref.branch == "refs/submissions/2"
    assert git(store, "rev-parse", ref.branch).strip() == ref.commit
    assert ref.parent == first.commit == store.head()
    # Diffing against its parent shows only the pack's own changes.
    changed = git(store, "diff", "--name-only", first.commit, ref.commit).split()
    assert changed == ["packs/hertfordshire/cp-workflow/cmspack.yaml"]
    assert store.submission(2) == ref
    assert store.submission_files(2, "hertfordshire", "cp-workflow") == pack("1.1.0")


def test_first_submission_has_no_parent(store: ContentStore) -> None:
    ref = store.submit(1, "essex", "roles", pack())
    assert ref.parent is None
    assert git(store, "rev-list", "--count", ref.commit).strip() == "1"


def test_approval_tags_moves_main_and_deletes_the_branch(store: ContentStore) -> None:
    store.submit(7, "essex", "roles", pack("1.0.0"))
    done = store.approve(7, "essex", "roles", "1.0.0", approver="Ann Moderator", note="Checked")
    assert done.tag == "refs/tags/essex/roles/v1.0.0"
    assert done.on_main
    assert store.head() == done.commit
    assert git(store, "cat-file", "-t", "essex/roles/v1.0.0").strip() == "tag"  # annotated
    assert git(store, "rev-parse", "essex/roles/v1.0.0^{commit}").strip() == done.commit
    assert git(store, "rev-parse", "main:packs/essex/roles").strip() == done.tree
    assert not ref_exists(store, "refs/submissions/7")
    assert store.submissions() == []
    assert store.versions("essex", "roles") == ["1.0.0"]


def test_tag_message_names_approver_note_and_submission(store: ContentStore) -> None:
    store.submit(12, "essex", "roles", pack())
    store.approve(
        12, "essex", "roles", "1.0.0", approver="ann.moderator", note="Forms checked.\nGood."
    )
    info = store.tag_info("essex", "roles", "1.0.0")
    assert (info.approver, info.note, info.submission_id) == (
        "ann.moderator",
        "Forms checked.\nGood.",
        "12",
    )
    body = git(store, "cat-file", "tag", "essex/roles/v1.0.0")
    assert "Approved-by: ann.moderator\nSubmission: 12\n" in body
    assert "Forms checked." in body
    assert info.commit == store.head()
    assert info.tagger.startswith("cmsreg registry <")


def test_approval_replaces_only_that_packs_subtree(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0")
    approve(store, 2, "essex", "forms", "1.0.0")
    approve(store, 3, "kent", "roles", "2.0.0")
    before = {
        p: git(store, "rev-parse", f"main:packs/{p}").strip() for p in ("essex/forms", "kent")
    }
    approve(store, 4, "essex", "roles", "1.1.0", extra__new=b"x")
    after = {p: git(store, "rev-parse", f"main:packs/{p}").strip() for p in ("essex/forms", "kent")}
    assert after == before  # untouched packs keep their tree ids
    changed = git(store, "diff", "--name-only", "main~1", "main").split()
    assert changed == ["packs/essex/roles/cmspack.yaml", "packs/essex/roles/extra/new"]


def test_approval_writes_only_the_trees_on_the_path(store: ContentStore) -> None:
    for i in range(20):
        approve(store, i + 1, "essex", f"pack-{i}", "1.0.0")
    store.submit(99, "essex", "pack-5", pack("1.1.0"))
    approve(store, 100, "essex", "pack-7", "1.1.0")  # main moves on after the submission

    def loose() -> int:
        return int(git(store, "count-objects").split()[0])

    before = loose()
    store.approve(99, "essex", "pack-5", "1.1.0", approver="m")
    # Publisher, packs and root trees, the commit and the tag: the pack's own tree came with
    # the submission, and no other tree was rewritten.
    assert loose() - before == 5


def test_withdraw_deletes_the_branch(store: ContentStore) -> None:
    store.submit(3, "essex", "roles", pack())
    assert store.drop_submission(3) is True
    assert not ref_exists(store, "refs/submissions/3")
    assert store.drop_submission(3) is False
    with pytest.raises(NotFound):
        store.approve(3, "essex", "roles", "1.0.0", approver="m")
    # The version can be submitted again under a new submission.
    approve(store, 4, "essex", "roles", "1.0.0")


def test_submit_again_with_the_same_files_is_a_retry(store: ContentStore) -> None:
    first = store.submit(5, "essex", "roles", pack())
    assert store.submit("5", "essex", "roles", pack()) == first
    with pytest.raises(Conflict):
        store.submit(5, "essex", "roles", pack("2.0.0"))


def test_an_approved_version_never_changes(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0")
    store.submit(2, "essex", "roles", pack("1.0.0", other=b"different bytes"))
    with pytest.raises(Conflict, match="already approved"):
        store.approve(2, "essex", "roles", "1.0.0", approver="m")
    assert store.files("essex", "roles", "1.0.0") == pack("1.0.0")
    # Build metadata does not make a new version: 1.0.0+b has 1.0.0's precedence.
    with pytest.raises(Conflict, match="build metadata"):
        store.approve(2, "essex", "roles", "1.0.0+b", approver="m")


def test_approving_the_same_submission_again_returns_the_same_tag(store: ContentStore) -> None:
    first = approve(store, 1, "essex", "roles", "1.0.0")
    again = store.approve(1, "essex", "roles", "1.0.0", approver="someone else")
    assert again == first
    assert store.tag_info("essex", "roles", "1.0.0").approver == "moderator"


def test_an_older_version_approved_later_leaves_main_on_the_newest(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0")
    newest = approve(store, 2, "essex", "roles", "1.1.0")
    store.submit(3, "essex", "roles", pack("1.0.1", fix=b"patch"))
    older = store.approve(3, "essex", "roles", "1.0.1", approver="m")
    assert not older.on_main
    assert store.head() == newest.commit
    assert git(store, "show", "main:packs/essex/roles/cmspack.yaml").endswith("version: 1.1.0\n")
    # The older tag still has its own files at the pack's path; its commit sits beside main.
    assert store.files("essex", "roles", "1.0.1") == pack("1.0.1", fix=b"patch")
    assert git(store, "rev-parse", "essex/roles/v1.0.1^{commit}^").strip() == newest.commit
    assert store.versions("essex", "roles") == ["1.0.0", "1.0.1", "1.1.0"]
    # A pre-release of the next version does not outrank 1.1.0 either.
    approve(store, 4, "essex", "roles", "1.2.0-rc.1")
    assert store.head() != newest.commit
    approve(store, 5, "essex", "roles", "1.1.1")
    assert store.versions("essex", "roles")[-1] == "1.2.0-rc.1"
    assert "1.2.0-rc.1" in git(store, "show", "main:packs/essex/roles/cmspack.yaml")


def test_approve_needs_the_pack_the_submission_holds(store: ContentStore) -> None:
    store.submit(1, "essex", "roles", pack())
    with pytest.raises(NotFound, match="holds no pack essex/forms"):
        store.approve(1, "essex", "forms", "1.0.0", approver="m")


def test_all_tags_lists_every_version(store: ContentStore) -> None:
    a = approve(store, 1, "essex", "roles", "1.0.0")
    b = approve(store, 2, "kent", "forms", "0.1.0")
    tags = {(t.publisher, t.name, t.version): (t.tag_object, t.commit) for t in store.all_tags()}
    assert tags == {
        ("essex", "roles", "1.0.0"): (a.tag_object, a.commit),
        ("kent", "forms", "0.1.0"): (b.tag_object, b.commit),
    }


def test_a_store_object_can_be_reopened_after_close(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0")
    store.close()
    assert store.versions("essex", "roles") == ["1.0.0"]
    assert store.read_file("essex", "roles", "1.0.0", "README.md").startswith(b"# CP")


def test_replace_takes_over_an_orphan_branch(store: ContentStore) -> None:
    # A submit whose database row was rolled back leaves a branch under an id the database
    # will hand out again; the caller that just issued the id may replace it.
    orphan = store.submit(9, "essex", "roles", pack("1.0.0"))
    with pytest.raises(Conflict):
        store.submit(9, "kent", "forms", pack("0.1.0"))
    fresh = store.submit(9, "kent", "forms", pack("0.1.0"), replace=True)
    assert fresh.commit != orphan.commit
    assert store.submission(9) == fresh
    assert store.submission_files(9, "kent", "forms") == pack("0.1.0")


def test_an_approved_submission_is_still_found_by_its_tag(store: ContentStore) -> None:
    approve(store, 1, "essex", "roles", "1.0.0")
    store.submit(2, "essex", "roles", pack("1.1.0"))
    store.approve(2, "essex", "roles", "1.1.0", approver="m")
    approve(store, 3, "essex", "roles", "1.2.0")
    found = store.approved_submission(2, "essex", "roles")
    assert found is not None and found.version == "1.1.0"
    assert store.approved_submission(4, "essex", "roles") is None
    # The branch is gone, but a caller that missed the approval still reads its files and diff.
    assert store.submission_files(2, "essex", "roles") == pack("1.1.0")
    result = store.diff_submission(2, "essex", "roles")
    assert result.from_version == "1.0.0"
    assert [c.path for c in result.changed] == ["cmspack.yaml"]
    with pytest.raises(NotFound):
        store.submission_files(4, "essex", "roles")
