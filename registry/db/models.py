"""SQLAlchemy models: accounts, tokens, packs, versions, submissions, reviews, audit, downloads.

Git holds pack content; these tables hold who may do what, what state each submission is in,
and what derives from git (versions) so it can be checked against git and rebuilt from it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints stably."""

    from sqlalchemy import MetaData

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def _now() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp that always comes back timezone-aware in UTC (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


Timestamp = UTCDateTime()


class Organisation(Base):
    """A publisher: a council, a children's trust, a user group, a supplier."""

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32))
    gss_code: Mapped[str | None] = mapped_column(String(9))
    dfe_number: Mapped[str | None] = mapped_column(String(3))
    # Made by `seed` from content_repo/: its packs are examples, not the council's own work.
    example: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=_now)


class User(Base):
    """A person (or a service account) who acts through API tokens, or signs in to the web pages."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)  # stored lower-case
    password_hash: Mapped[str | None] = mapped_column(String(255))  # Argon2id; None: no sign-in
    # Sessions carry the value they were made with; "sign out everywhere" bumps it.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=_now)
    memberships: Mapped[list[Membership]] = relationship(back_populates="user", lazy="selectin")
    moderator_scopes: Mapped[list[ModeratorScope]] = relationship(lazy="selectin")


class Membership(Base):
    """A user belongs to an organisation and may publish under it."""

    __tablename__ = "memberships"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class ModeratorScope(Base):
    """A user moderates submissions for one supplier's packs."""

    __tablename__ = "moderator_scopes"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    supplier: Mapped[str] = mapped_column(String(64), primary_key=True)


class ApiToken(Base):
    """An API token: only its SHA-256 is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(
        String(16)
    )  # the first characters, to recognise it in lists
    scopes: Mapped[str] = mapped_column(String(64))  # space-separated: publish moderate admin
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=_now)
    last_used_at: Mapped[datetime | None] = mapped_column(Timestamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp)
    name: Mapped[str | None] = mapped_column(String(100))  # what its holder said it is for
    expires_at: Mapped[datetime | None] = mapped_column(Timestamp)  # None: until revoked
    user: Mapped[User] = relationship(lazy="joined")


class Invitation(Base):
    """An organisation admin's invitation to a colleague; only the link's SHA-256 is kept."""

    __tablename__ = "invitations"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=_now)
    expires_at: Mapped[datetime] = mapped_column(Timestamp)
    accepted_at: Mapped[datetime | None] = mapped_column(Timestamp)
    accepted_by: Mapped[str | None] = mapped_column(String(64))
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class Pack(Base):
    """A pack name under a publisher; its versions carry the content."""

    __tablename__ = "packs"
    __table_args__ = (UniqueConstraint("publisher_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    publisher_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=_now)
    publisher: Mapped[Organisation] = relationship(lazy="joined")
    versions: Mapped[list[Version]] = relationship(back_populates="pack", lazy="selectin")


class Version(Base):
    """An approved, immutable version: unique per pack, derived from its git tag."""

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("pack_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    pack_id: Mapped[int] = mapped_column(ForeignKey("packs.id"), index=True)
    version: Mapped[str] = mapped_column(String(64))
    manifest: Mapped[dict] = mapped_column(JSON)
    commit: Mapped[str] = mapped_column(String(40))
    tree: Mapped[str] = mapped_column(String(40))
    zip_sha256: Mapped[str] = mapped_column(String(64))
    tar_sha256: Mapped[str] = mapped_column(String(64))
    file_count: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    approved_by: Mapped[str] = mapped_column(String(64))
    approved_at: Mapped[datetime] = mapped_column(Timestamp, default=_now)
    yanked: Mapped[bool] = mapped_column(Boolean, default=False)
    yank_reason: Mapped[str | None] = mapped_column(Text)
    yanked_at: Mapped[datetime | None] = mapped_column(Timestamp)
    downloads: Mapped[int] = mapped_column(Integer, default=0)
    pack: Mapped[Pack] = relationship(back_populates="versions", lazy="joined")


class SubmissionStatus(StrEnum):
    """Where a submission is in review; every change moves from one named state to another."""

    PENDING = "pending"  # waiting for a moderator
    APPROVING = "approving"  # a moderator's approval is being written (git, then database)
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


#: States that hold the version's claim: the version is taken while one of these stands.
LIVE_STATUSES = (SubmissionStatus.PENDING, SubmissionStatus.APPROVING, SubmissionStatus.APPROVED)
STATUS_CHECK = "status IN ({})".format(", ".join(f"'{s.value}'" for s in SubmissionStatus))


class Submission(Base):
    """An upload waiting for, or past, review. `claim` makes one live submission per version."""

    __tablename__ = "submissions"
    __table_args__ = (CheckConstraint(STATUS_CHECK, name="status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    publisher_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    supplier: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # a SubmissionStatus
    # "publisher/name@version" (without build metadata, which SemVer precedence ignores) while the
    # submission is live, NULL otherwise: a unique column, so the database itself refuses a second
    # live submission of one version (NULLs never collide).
    claim: Mapped[str | None] = mapped_column(String(200), unique=True)
    submitted_by: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(Timestamp, default=_now)
    decided_at: Mapped[datetime | None] = mapped_column(Timestamp)
    manifest: Mapped[dict] = mapped_column(JSON)
    report: Mapped[dict] = mapped_column(JSON)  # problems, notices, findings from validation
    commit: Mapped[str | None] = mapped_column(String(40))  # head of refs/submissions/<id>
    reason: Mapped[str | None] = mapped_column(Text)  # why rejected or withdrawn
    publisher: Mapped[Organisation] = relationship(lazy="joined")
    reviews: Mapped[list[Review]] = relationship(lazy="selectin", order_by="Review.id")


class Review(Base):
    """A moderator's decision on a submission, with the warnings they acknowledged."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    moderator: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(16))  # approve reject
    note: Mapped[str | None] = mapped_column(Text)
    acknowledged: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=_now)


class AuditEvent(Base):
    """Append-only record of every state change (triggers refuse UPDATE and DELETE)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(Timestamp, default=_now, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class DailyDownloads(Base):
    """Downloads of one version on one day."""

    __tablename__ = "daily_downloads"
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class DownloadClient(Base):
    """A client that downloaded a version recently: repeated downloads in one window count once.

    The key is a SHA-256 of the version, the window and the client (address and user agent), so
    no address is stored.
    """

    __tablename__ = "download_clients"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime] = mapped_column(Timestamp, default=_now, index=True)


class SearchQueue(Base):
    """Packs whose search entry must be refreshed; one worker at a time drains it."""

    __tablename__ = "search_queue"
    id: Mapped[int] = mapped_column(primary_key=True)
    publisher: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    queued_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


Index("ix_submissions_pack", Submission.publisher_id, Submission.name)
