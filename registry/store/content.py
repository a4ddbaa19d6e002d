"""ContentStore: submissions, approvals and withdrawals written to git, crash-safe and one at a time.

How a write is ordered
----------------------
Every write first stores objects (blobs, trees, the commit, the tag object). Objects that no
ref names are invisible: reads and clones never reach them and `git gc` prunes them after two
weeks. Then, holding the store's flock, one `git update-ref --stdin` transaction changes every
ref at once, each with compare-and-swap against the value read under the same lock. Git applies
the transaction all or nothing against other writers, and its commit phase writes updates in
the order given before any deletion, so a crash inside that phase can leave only a prefix of
the list below (plus git's `.lock` file for each ref not yet written).

The tag comes first because it is the truth for a version: a crash can leave main behind an
approved version, which is mended from the tag, but never main showing files no tag approved.

Approval, and the refs that exist after a crash at each step:

====  ====================================================  =========================================
step  what happens                                          refs after a crash here
====  ====================================================  =========================================
1     check the tag is absent; read branch, main, versions  branch, old main: nothing happened
2     write the name/publisher/packs/root trees and commit  same; the new objects are unreachable
3     write the annotated tag object                        same
4     transaction: create the tag ref                       tag, branch, old main: the version IS
                                                            approved (the tag is the truth); main is
                                                            behind and the branch is finished
5     transaction: move main (newest version only)          tag, new main, branch: branch finished
6     transaction: delete the submission branch             tag, new main: done
====  ====================================================  =========================================

After 4 or 5, calling approve() again with the same submission finishes the job and returns
the same tag, and approved_submission() finds the approval for a caller that lost its own
record of it. `reconcile()` lists the drift and `repair()` mends it from the tags: main gets
each pack's newest tagged tree (a fast-forward to the tag's commit when it sits on main) and
finished branches are deleted. A ref lock file left by a crash inside git is listed too, and
repair removes it once it is older than a minute, while holding the store's lock.

Submission: write blobs and the pack tree (no lock, nothing visible), then under the lock write
the root trees and commit on top of main and create `submissions/<id>`. After a crash the
branch exists or it does not. Withdraw and reject delete the branch, one ref, CAS.

A submission "branch" is the ref `refs/submissions/<id>`: a commit like a branch's, but outside
refs/heads/ and refs/tags/, so that no clone, fetch or documented mirror push carries it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from . import trees
from .errors import Conflict, NotFound, StoreError
from .messages import (
    approval_commit_message,
    approval_tag_message,
    clean_approver,
    clean_note,
    submission_message,
)
from .models import ApprovedVersion, GcReport, SubmissionRef
from .names import (
    MAIN_REF,
    TAG_PREFIX,
    check_submission_id,
    check_version,
    submission_ref,
    tag_ref,
    version_key,
)
from .reader import StoreReader, check_pack
from .reconcile import ReconcileReport, build_report
from .repo import ZERO_OID


class ContentStore(StoreReader):
    """The git content store: the source of truth for every pack file."""

    def init(self) -> None:
        """Create the bare repository (idempotent); main is created by the first approval."""
        self.repo.init()

    # -- submissions --------------------------------------------------------------------------

    def submit(
        self,
        submission_id: int | str,
        publisher: str,
        name: str,
        files: Mapping[str, trees.FileContent],
        *,
        replace: bool = False,
    ) -> SubmissionRef:
        """Store files as the submission ref refs/submissions/<id>, on top of main.

        Each file's content is bytes, or a size and chunks (trees.BlobSource) whose blob is
        written a chunk at a time.

        An existing branch for the id is a Conflict unless it holds the same files (a retry).
        replace=True is for a caller that has just issued the id: whatever branch has it is an
        orphan of a crashed submit (SQLite reuses rolled-back ids) and is replaced, by CAS.
        """
        publisher, name = check_pack(publisher, name)
        sid = check_submission_id(submission_id)
        folder = trees.check_files(files)
        self._require_repo()
        with self.repo.adding_objects():
            return self._submit(sid, publisher, name, folder, replace)

    def _submit(
        self, sid: str, publisher: str, name: str, folder: trees.Folder, replace: bool
    ) -> SubmissionRef:
        db = self.repo.db
        # Outside the write lock: blobs are invisible until the ref names them.
        tree = trees.write_folder(db, folder)
        branch = submission_ref(sid)
        with self.repo.writing():
            existing = self.repo.resolve(branch)
            if existing is not None and not replace:
                current = self._submission(sid, existing)
                if (current.publisher, current.name, current.tree) == (publisher, name, tree):
                    return current  # a retry of the same upload
                raise Conflict(f"submission {sid} is already in the store with other files")
            main = self.repo.resolve(MAIN_REF)
            root = self.repo.read_commit(main).tree if main else None
            commit = self.repo.write_commit(
                trees.replace_pack(db, root, publisher, name, tree),
                [main] if main else [],
                submission_message(publisher, name, sid),
            )
            self.repo.update_refs([(branch, commit, existing or ZERO_OID)])
        return SubmissionRef(sid, publisher, name, branch, commit, tree, main)

    def drop_submission(self, submission_id: int | str) -> bool:
        """Delete a submission branch (withdraw or reject); False when there was none."""
        branch = submission_ref(check_submission_id(submission_id))
        with self.repo.writing():
            commit = self.repo.resolve(branch)
            if commit is None:
                return False
            self.repo.update_refs([(branch, "", commit)])
        return True

    # -- approval -----------------------------------------------------------------------------

    def approve(
        self,
        submission_id: int | str,
        publisher: str,
        name: str,
        version: str,
        *,
        approver: str,
        note: str = "",
    ) -> ApprovedVersion:
        """Tag the submission as <publisher>/<name>/v<version>, update main if newest, drop the branch.

        Calling it again for the same submission after a crash (or a lost reply) completes the
        approval and returns the same tag; a different submission for the version is a Conflict.
        """
        publisher, name = check_pack(publisher, name)
        version = check_version(version)
        sid = check_submission_id(submission_id)
        approver, note = clean_approver(approver), clean_note(note)
        self._require_repo()
        tag = tag_ref(publisher, name, version)
        db = self.repo.db
        with self.repo.writing():
            if self.repo.resolve(tag) is not None:
                return self._approved_again(sid, publisher, name, version)
            branch = submission_ref(sid)
            branch_commit = self.repo.resolve(branch)
            if branch_commit is None:
                raise NotFound(f"submission {sid} is not pending in the content store")
            tree = self.repo.pack_tree(branch_commit, publisher, name)
            if tree is None:
                raise NotFound(f"submission {sid} holds no pack {publisher}/{name}")
            newest = self._is_newest(publisher, name, version)
            main = self.repo.resolve(MAIN_REF)
            root = self.repo.read_commit(main).tree if main else None
            commit = self.repo.write_commit(
                trees.replace_pack(db, root, publisher, name, tree),
                [main] if main else [],
                approval_commit_message(publisher, name, version, sid),
            )
            message = approval_tag_message(publisher, name, version, approver, note, sid)
            tag_object = self.repo.write_tag(commit, tag[len(TAG_PREFIX) :], message)
            changes = [(tag, tag_object, ZERO_OID)]  # first: see the table in the module docstring
            if newest:
                changes.append((MAIN_REF, commit, main or ZERO_OID))
            changes.append((branch, "", branch_commit))
            self.repo.update_refs(changes)
        return ApprovedVersion(publisher, name, version, tag, tag_object, commit, tree, newest)

    def _is_newest(self, publisher: str, name: str, version: str) -> bool:
        """True when version outranks every approved one; equal precedence is a Conflict."""
        key = version_key(version)
        approved = self.versions(publisher, name)
        for other in approved:
            if version_key(other) == key:
                raise Conflict(
                    f"{publisher}/{name} {other} is already approved and {version} differs from "
                    "it only in build metadata; choose a new version number"
                )
        return not approved or key > version_key(approved[-1])

    def _approved_again(self, sid: str, publisher: str, name: str, version: str) -> ApprovedVersion:
        try:
            info = self.tag_info(publisher, name, version)
        except NotFound:
            raise Conflict(
                f"a tag for {publisher}/{name} {version} exists that the registry did not write; "
                "`cmsreg-server check` lists it"
            ) from None
        if info.submission_id != sid:
            raise Conflict(
                f"{publisher}/{name} {version} is already approved (submission "
                f"{info.submission_id}); an approved version never changes, use a new version"
            )
        # The same approval again: finish what an interrupted one left (main, branch).
        self._sync_main(publisher, name)
        branch = submission_ref(sid)
        leftover = self.repo.resolve(branch)
        if leftover is not None:
            self.repo.update_refs([(branch, "", leftover)])
        main = self.repo.resolve(MAIN_REF)
        on_main = main is not None and self.repo.pack_tree(main, publisher, name) == info.tree
        return ApprovedVersion(
            publisher, name, version, info.tag, info.tag_object, info.commit, info.tree, on_main
        )

    # -- keeping main in step with the tags ---------------------------------------------------

    def _sync_main(self, publisher: str, name: str) -> bool:
        """Make main hold the pack's newest tagged tree (or no pack); caller holds the lock."""
        approved = self.versions(publisher, name)
        target = self._version(publisher, name, approved[-1]) if approved else None
        main = self.repo.resolve(MAIN_REF)
        root = self.repo.read_commit(main).tree if main else None
        current = trees.tree_at(self.repo.db, root, ["packs", publisher, name]) if root else None
        wanted = target.tree if target else None
        if current == wanted:
            return False
        tagged = self.repo.read_commit(target.commit) if target else None
        if tagged and tagged.parents == ((main,) if main else ()):
            new = tagged.oid  # the approval stopped between its tag and main: fast-forward
        else:
            what = f"{approved[-1]}" if approved else "no approved version"
            new = self.repo.write_commit(
                trees.replace_pack(self.repo.db, root, publisher, name, wanted),
                [main] if main else [],
                f"Sync {publisher}/{name} on main to {what}\n",
            )
        self.repo.update_refs([(MAIN_REF, new, main or ZERO_OID)])
        return True

    def reconcile(self) -> ReconcileReport:
        """Report where main, submission branches or ref locks disagree with the tags."""
        return build_report(self)

    def repair(self) -> list[str]:
        """Mend everything reconcile() reports that git can mend; return what was done."""
        done = []
        with self.repo.writing():
            report = build_report(self)  # again, under the lock: nothing moves meanwhile
            for lock in report.stale_locks:
                Path(lock).unlink(missing_ok=True)
                done.append(f"removed stale lock {lock}")
            for drift in report.main_drift:
                if self._sync_main(drift.publisher, drift.name):
                    target = drift.version or "nothing (no approved version)"
                    done.append(f"main now holds {drift.publisher}/{drift.name} {target}")
            for sub in report.finished_submissions:
                self.repo.update_refs([(sub.branch, "", sub.commit)])
                done.append(f"deleted the ref of approved submission {sub.submission_id}")
            for ref, oid in report.foreign_branches:
                try:
                    self.repo.update_refs([(ref, "", oid)])
                    done.append(f"deleted {ref}, which the registry did not write")
                except StoreError as exc:
                    done.append(f"could not delete {ref!r}: {exc}; remove it by hand")
        return done

    def remove_version(self, publisher: str, name: str, version: str) -> bool:
        """Delete the tag of a version no standing approval backs, and take it off main.

        Only check --repair calls this, for a tag a crash left behind an approval that the
        database refused (rejected, withdrawn, or never recorded). False when there was no tag.
        """
        publisher, name = check_pack(publisher, name)
        tag = tag_ref(publisher, name, check_version(version))
        with self.repo.writing():
            tag_object = self.repo.resolve(tag)
            if tag_object is None:
                return False
            commit = self._version(publisher, name, version).commit
            main = self.repo.resolve(MAIN_REF)
            changes = [(tag, "", tag_object)]
            parents = self.repo.read_commit(commit).parents
            if main == commit and len(parents) <= 1:
                # The approval was the last thing on main: step back, so the refused files
                # leave main's history too and the next gc prunes them.
                changes.append((MAIN_REF, parents[0], main) if parents else (MAIN_REF, "", main))
            self.repo.update_refs(changes)
            self._sync_main(publisher, name)
        self.archives.forget(tag_object)
        return True

    # -- maintenance --------------------------------------------------------------------------

    def gc(self) -> GcReport:
        """Prune what no tag, main or pending submission reaches, now; drop stale archives."""
        before = self.repo.size()
        self.repo.gc()
        keep = {tag.tag_object for tag in self.all_tags()}
        archives = self.archives.prune(keep)
        return GcReport(before, self.repo.size(), archives)

    def _require_repo(self) -> None:
        if not self.repo.exists():
            raise StoreError(f"no content repository at {self.repo.path}; run init first")
