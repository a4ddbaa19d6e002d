"""Organisations, users, memberships, moderator scopes, API tokens, passwords and web sessions.

Every public function takes the Registry and owns its transaction; the `_`-prefixed versions
work inside a caller's session (other services use them within their own transactions).
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, select, update
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
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+\Z")
MIN_PASSWORD, MAX_PASSWORD = 12, 1024  # long passphrases welcome; argon2 hashes any length
TOKEN_DAYS = (7, 30, 90, 365)  # the expiries the web pages offer
_HASHER = PasswordHasher()  # Argon2id with argon2-cffi's recommended parameters


@functools.cache
def _dummy_hash() -> str:
    """A hash verified when no user matches, so that an unknown name takes as long as a wrong
    password; made on first use, not at import, which every command and worker would pay."""
    return _HASHER.hash(secrets.token_urlsafe(16))


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
    session: Session,
    username: str,
    org_slug: str | None = None,
    is_admin: bool = False,
    *,
    email: str | None = None,
    password: str | None = None,
    org_admin: bool = False,
    actor: str = "system",
) -> User:
    """Create a user, optionally a member (or an admin) of an organisation, with a password."""
    errors: dict[str, list[str]] = {}
    if not USERNAME_RE.match(username):
        errors["username"] = [
            "use lower-case letters, digits, dots, hyphens and underscores, e.g. jo.smith"
        ]
    email = normal_email(email) if email else None
    if email is not None and not EMAIL_RE.match(email):
        errors["email"] = ["an e-mail address, e.g. jo.smith@council.gov.uk"]
    if password is not None:
        errors.update(password_problems(password, username))
    if org_admin and not org_slug:
        errors["org"] = ["an organisation admin needs an organisation"]
    if errors:
        raise BadRequest("The user has invalid fields.", errors=errors)
    if session.scalar(select(User).where(User.username == username)):
        raise Conflict(f"A user called {username} exists already.")
    if email and session.scalar(select(User).where(User.email == email)):
        raise Conflict("A user with that e-mail address exists already.")
    user = User(
        username=username,
        is_admin=is_admin,
        email=email,
        password_hash=_HASHER.hash(password) if password is not None else None,
    )
    session.add(user)
    session.flush()
    if org_slug:
        org = get_org(session, org_slug)
        session.add(Membership(user_id=user.id, organisation_id=org.id, is_admin=org_admin))
    audit.record(session, actor, "user-created", username, org=org_slug, org_admin=org_admin)
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


def _create_token(
    session: Session,
    username: str,
    scopes: list[str],
    actor: str = "system",
    *,
    name: str | None = None,
    expires_at: datetime | None = None,
) -> str:
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
            name=name,
            expires_at=expires_at,
        )
    )
    audit.record(
        session,
        actor,
        "token-created",
        username,
        scopes=sorted(set(scopes)),
        prefix=token[:12],
        expires_at=expires_at.isoformat() if expires_at else None,
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
    now = datetime.now(UTC)
    if row.expires_at is not None and row.expires_at <= now:
        raise Unauthorized(
            "This token has expired; make a new one on your account page or ask an admin."
        )
    row.last_used_at = now
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
    reg: Registry,
    username: str,
    org_slug: str | None = None,
    is_admin: bool = False,
    *,
    email: str | None = None,
    password: str | None = None,
    org_admin: bool = False,
) -> None:
    """Create a user, optionally a member (or admin) of an organisation, with a password."""
    with reg.db.session() as session:
        _create_user(
            session,
            username,
            org_slug,
            is_admin,
            email=email,
            password=password,
            org_admin=org_admin,
        )


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


# Passwords and web sessions.


def normal_email(email: str) -> str:
    """An e-mail address as stored and compared: stripped and lower-case."""
    return email.strip().lower()


def password_problems(password: str, username: str) -> dict[str, list[str]]:
    """What is wrong with a new password, as field errors (empty when nothing is)."""
    if len(password) < MIN_PASSWORD:
        return {"password": [f"use at least {MIN_PASSWORD} characters, e.g. three random words"]}
    if len(password) > MAX_PASSWORD:
        return {"password": [f"use at most {MAX_PASSWORD} characters"]}
    if password.strip().lower() == username.lower():
        return {"password": ["a password must not be the username"]}
    return {}


@dataclass(frozen=True)
class SessionUser:
    """Who is signed in to the web pages, and what they may do there."""

    id: int
    username: str
    email: str | None
    epoch: int
    organisations: dict[str, str]  # slug: name, of the organisations the user publishes for
    admin_of: frozenset[str]  # slugs of the organisations the user may invite colleagues to
    suppliers: frozenset[str]  # suppliers the user moderates
    is_admin: bool

    @property
    def session_id(self) -> str:
        """What the session cookie remembers: the user and the epoch it was made in."""
        return f"{self.id}:{self.epoch}"

    def actor(self, *, publish: bool = True, moderate: bool = True) -> Actor:
        """The user as an actor of the services, with the scopes their roles give them.

        A web session acts as a token holding publish (for a member of an organisation) and
        moderate (for a moderator) would; never admin. publish=False or moderate=False narrows
        it, e.g. to a moderator's view of the queue.
        """
        scopes = set()
        if publish and self.organisations:
            scopes.add("publish")
        if moderate and self.suppliers:
            scopes.add("moderate")
        return Actor(
            username=self.username,
            scopes=frozenset(scopes),
            organisations=frozenset(self.organisations),
            suppliers=self.suppliers,
            is_admin=self.is_admin,
        )

    def allowed_scopes(self) -> list[str]:
        """The scopes a token this user makes for themselves may carry."""
        return sorted(self.actor().scopes)


def _session_user(user: User) -> SessionUser:
    return SessionUser(
        id=user.id,
        username=user.username,
        email=user.email,
        epoch=user.session_epoch,
        organisations={m.organisation.slug: m.organisation.name for m in user.memberships},
        admin_of=frozenset(m.organisation.slug for m in user.memberships if m.is_admin),
        suppliers=frozenset(s.supplier for s in user.moderator_scopes),
        is_admin=user.is_admin,
    )


def sign_in(reg: Registry, login: str, password: str) -> SessionUser:
    """The user whose username or e-mail address is login, if password is theirs; else 401.

    The refusal is the same whatever was wrong, and takes as long: no one learns from it
    which usernames or addresses exist.
    """
    login = login.strip()
    with reg.db.session() as session:
        user = None
        if login and len(login) <= 254:
            user = session.scalar(
                select(User).where(
                    or_(User.username == login.lower(), User.email == normal_email(login))
                )
            )
        stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
        try:
            _HASHER.verify(stored, password[:MAX_PASSWORD])
            ok = stored is not _dummy_hash()
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok or user is None:
            raise Unauthorized("Enter a correct username or e-mail address and password.")
        if _HASHER.check_needs_rehash(stored):  # parameters raised since it was set
            user.password_hash = _HASHER.hash(password)
        audit.record(session, user.username, "signed-in", user.username)
        return _session_user(user)


def session_user(reg: Registry, session_id: str) -> SessionUser | None:
    """The user a session cookie names, while the session stands (None once signed out)."""
    user_id, _, epoch = session_id.partition(":")
    if not (user_id.isdigit() and epoch.isdigit()) or len(session_id) > 40:
        return None
    with reg.db.session() as session:
        user = session.get(User, int(user_id))
        if user is None or user.session_epoch != int(epoch) or user.password_hash is None:
            return None
        return _session_user(user)


def end_sessions(reg: Registry, user_id: int) -> None:
    """Sign a user out everywhere: every session made before now stops working."""
    with reg.db.session() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("No such user.")
        session.execute(
            update(User)
            .where(User.id == user_id)
            .values(session_epoch=User.session_epoch + 1)
            .execution_options(synchronize_session=False)
        )
        audit.record(session, user.username, "signed-out-everywhere", user.username)


# The account page's tokens.


def create_own_token(
    reg: Registry, user: SessionUser, name: str, scopes: list[str], days: int
) -> str:
    """Make a token for the signed-in user: named, with scopes their roles allow, expiring."""
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name or len(name) > 100:
        errors["name"] = ["say what the token is for, in at most 100 characters"]
    allowed = user.allowed_scopes()
    if not scopes:
        errors["scopes"] = ["choose at least one scope"]
    elif set(scopes) - set(allowed):
        errors["scopes"] = [f"you may choose {' and '.join(allowed) or 'no scope'}"]
    if days not in TOKEN_DAYS:
        errors["days"] = [f"one of {', '.join(map(str, TOKEN_DAYS))} days"]
    if errors:
        raise BadRequest("The token has invalid fields.", errors=errors)
    expires = datetime.now(UTC) + timedelta(days=days)
    with reg.db.session() as session:
        return _create_token(
            session, user.username, scopes, user.username, name=name, expires_at=expires
        )


def own_tokens(reg: Registry, user_id: int) -> list[dict]:
    """The user's tokens, newest first, each with its state: active, expired or revoked."""
    now = datetime.now(UTC)
    with reg.db.session() as session:
        rows = session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
        ).all()
        return [
            {
                "id": t.id,
                "name": t.name,
                "prefix": t.prefix,
                "scopes": t.scopes.split(),
                "created_at": t.created_at,
                "last_used_at": t.last_used_at,
                "expires_at": t.expires_at,
                "state": "revoked"
                if t.revoked_at
                else "expired"
                if t.expires_at and t.expires_at <= now
                else "active",
            }
            for t in rows
        ]


def revoke_own_token(reg: Registry, user: SessionUser, token_id: int) -> None:
    """Revoke one of the user's own tokens (by its id); 404 for anyone else's."""
    with reg.db.session() as session:
        row = session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
        if row is None or row.user_id != user.id:
            raise NotFound("You have no such token.")
        revoked = session.execute(
            update(ApiToken)
            .where(ApiToken.id == row.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
            .execution_options(synchronize_session=False)
        )
        if revoked.rowcount == 1:
            audit.record(session, user.username, "token-revoked", user.username, prefix=row.prefix)


def user_by_email(session: Session, email: str) -> User | None:
    """The user with this e-mail address (compared lower-case), if any."""
    return session.scalar(select(User).where(func.lower(User.email) == normal_email(email)))
