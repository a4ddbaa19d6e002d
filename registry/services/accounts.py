"""Organisations, users, memberships, moderator scopes and API tokens.

Every public function takes the Registry and owns its transaction; the `_`-prefixed versions
work inside a caller's session (other services use them within their own transactions).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from registry.db.models import ApiToken, Membership, ModeratorScope, Organisation, User
from registry.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized
from registry.packs.manifest import SLUG_RE
from registry.packs.vocabulary import load_vocabularies
from registry.services import audit, faults
from registry.services.context import Registry

TOKEN_PREFIX = "cmsreg_"  # noqa: S105 (a public prefix, not a secret)
SCOPES = ("publish", "moderate", "admin")
GSS_RE = re.compile(r"^E(06|08|09|10)\d{6}\Z")
DFE_RE = re.compile(r"^\d{3}\Z")
USERNAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?\Z")
# A token is "cmsreg_" and 43 URL-safe characters (32 random bytes); anything else is not ours.
TOKEN_RE = re.compile(r"^cmsreg_[A-Za-z0-9_-]{43}\Z")


@dataclass
class Actor:
    """Who is making a request, and what their token lets them do."""

    username: str
    scopes: frozenset[str] = frozenset()
    organisations: frozenset[str] = frozenset()  # slugs the user publishes under
    suppliers: frozenset[str] = frozenset()  # suppliers the user moderates
    is_admin: bool = False
    token_id: int | None = field(default=None, repr=False)

    def require(self, scope: str) -> None:
        """Raise Forbidden unless the token carries scope."""
        if scope not in self.scopes:
            raise Forbidden(
                f"This needs a token with the `{scope}` scope; ask an admin for one (cmsreg-server create-token USER --scope {scope})."
            )

    def may_publish_for(self, publisher: str) -> bool:
        """True when the token may submit, withdraw and yank under publisher."""
        return "publish" in self.scopes and publisher in self.organisations

    def may_moderate(self, supplier: str) -> bool:
        """True when the token may review packs for supplier."""
        return "moderate" in self.scopes and (
            supplier in self.suppliers or ("admin" in self.scopes and self.is_admin)
        )


def hash_token(token: str) -> str:
    """The stored form of a token: its SHA-256 (hex)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _create_org(
    session: Session,
    slug: str,
    name: str,
    type_: str,
    gss_code: str | None = None,
    dfe_number: str | None = None,
) -> Organisation:
    """Create an organisation; the slug is what packs name as their publisher."""
    errors = {}
    if not SLUG_RE.match(slug):
        errors["slug"] = ["use lower-case letters, digits and hyphens, e.g. hertfordshire"]
    if not name.strip() or len(name) > 200:
        errors["name"] = ["give the organisation's name (at most 200 characters)"]
    if load_vocabularies()["organisation_type"].resolve(type_) is None:
        errors["type"] = [f"one of: {', '.join(load_vocabularies()['organisation_type'].slugs)}"]
    if gss_code and not GSS_RE.match(gss_code):
        errors["gss_code"] = [
            "an ONS GSS code of a council with social care duties: E06, E08, E09 or E10 and six digits"
        ]
    if dfe_number and not DFE_RE.match(dfe_number):
        errors["dfe_number"] = ["the three-digit DfE LA number, e.g. 919"]
    if errors:
        raise BadRequest("The organisation has invalid fields.", errors=errors)
    if session.scalar(select(Organisation).where(Organisation.slug == slug)):
        raise Conflict(f"An organisation called {slug} exists already.")
    org = Organisation(
        slug=slug,
        name=name.strip(),
        type=load_vocabularies()["organisation_type"].resolve(type_).slug,
        gss_code=gss_code,
        dfe_number=dfe_number,
    )
    session.add(org)
    session.flush()
    audit.record(session, "system", "org-created", slug)
    return org


def get_org(session: Session, slug: str) -> Organisation:
    """Return the organisation with this slug or raise NotFound."""
    org = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise NotFound(f"No organisation called {slug}.")
    return org


def _create_user(
    session: Session, username: str, org_slug: str | None = None, is_admin: bool = False
) -> User:
    """Create a user, optionally a member of an organisation."""
    if not USERNAME_RE.match(username):
        raise BadRequest(
            "A username uses lower-case letters, digits, dots, hyphens and underscores.",
            errors={"username": ["e.g. jo.smith"]},
        )
    if session.scalar(select(User).where(User.username == username)):
        raise Conflict(f"A user called {username} exists already.")
    user = User(username=username, is_admin=is_admin)
    session.add(user)
    session.flush()
    if org_slug:
        session.add(Membership(user_id=user.id, organisation_id=get_org(session, org_slug).id))
    audit.record(session, "system", "user-created", username, org=org_slug)
    session.flush()
    session.refresh(user)
    return user


def get_user(session: Session, username: str) -> User:
    """Return the user or raise NotFound."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"No user called {username}.")
    return user


def _set_moderator(session: Session, username: str, supplier: str) -> None:
    """Let a user moderate one supplier's packs (idempotent)."""
    term = load_vocabularies()["supplier"].resolve(supplier)
    if term is None:
        raise BadRequest(
            f"'{supplier}' is not a supplier; use one of {', '.join(load_vocabularies()['supplier'].slugs)}."
        )
    user = get_user(session, username)
    if not any(s.supplier == term.slug for s in user.moderator_scopes):
        session.add(ModeratorScope(user_id=user.id, supplier=term.slug))
        audit.record(session, "system", "moderator-set", username, supplier=term.slug)
    session.flush()


def _create_token(session: Session, username: str, scopes: list[str], actor: str = "system") -> str:
    """Create a token with scopes and return it; only its hash is kept, so it is shown once."""
    bad = [s for s in scopes if s not in SCOPES]
    if bad or not scopes:
        raise BadRequest(f"Scopes are {', '.join(SCOPES)}; got {', '.join(bad) or 'none'}.")
    user = get_user(session, username)
    if "admin" in scopes and not user.is_admin:
        user.is_admin = True  # an admin token makes its holder an admin: the operator said so
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=hash_token(token),
            prefix=token[:12],
            scopes=" ".join(sorted(set(scopes))),
        )
    )
    audit.record(
        session, actor, "token-created", username, scopes=sorted(set(scopes)), prefix=token[:12]
    )
    session.flush()
    return token


def _revoke_token(session: Session, token: str, actor: str = "system") -> None:
    """Revoke a token (given in full); using it afterwards answers 401."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None:
        raise NotFound("No such token: give the whole token, as it was shown when created.")
    faults.crash_point("revoke-before-write")
    # One statement checks and revokes, so two revocations at once audit one event.
    revoked = session.execute(
        update(ApiToken)
        .where(ApiToken.id == row.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    if revoked.rowcount == 1:
        audit.record(session, actor, "token-revoked", row.user.username, prefix=row.prefix)
    session.flush()


def _authenticate(session: Session, header: str | None) -> Actor | None:
    """Turn an Authorization header into an Actor; None when there is none; 401 when bad."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() not in ("bearer", "token") or not TOKEN_RE.match(token):
        raise Unauthorized("Send your token as `Authorization: Bearer cmsreg_…`.")
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        raise Unauthorized("This token is unknown or revoked; ask an admin for a new one.")
    row.last_used_at = datetime.now(UTC)
    user = row.user
    return Actor(
        username=user.username,
        scopes=frozenset(row.scopes.split()),
        organisations=frozenset(m.organisation.slug for m in user.memberships),
        suppliers=frozenset(s.supplier for s in user.moderator_scopes),
        is_admin=user.is_admin,
        token_id=row.id,
    )


def create_org(
    reg: Registry,
    slug: str,
    name: str,
    type_: str,
    gss_code: str | None = None,
    dfe_number: str | None = None,
) -> None:
    """Create an organisation; the slug is what packs name as their publisher."""
    with reg.db.session() as session:
        _create_org(session, slug, name, type_, gss_code, dfe_number)


def create_user(
    reg: Registry, username: str, org_slug: str | None = None, is_admin: bool = False
) -> None:
    """Create a user, optionally a member of an organisation."""
    with reg.db.session() as session:
        _create_user(session, username, org_slug, is_admin)


def set_moderator(reg: Registry, username: str, supplier: str) -> None:
    """Let a user moderate one supplier's packs (idempotent)."""
    with reg.db.session() as session:
        _set_moderator(session, username, supplier)


def create_token(reg: Registry, username: str, scopes: list[str], actor: str = "system") -> str:
    """Create a token with scopes and return it; only its hash is kept, so it is shown once."""
    with reg.db.session() as session:
        return _create_token(session, username, scopes, actor)


def revoke_token(reg: Registry, token: str, actor: str = "system") -> None:
    """Revoke a token (given in full); using it afterwards answers 401."""
    with reg.db.session() as session:
        _revoke_token(session, token, actor)


def authenticate(reg: Registry, header: str | None) -> Actor | None:
    """Turn an Authorization header into an Actor; None when there is none; 401 when bad."""
    if not header:
        return None  # no token: no transaction either (public reads are most requests)
    with reg.db.session() as session:
        return _authenticate(session, header)
