"""A registry as people would find it: the example packs, a second version, people, submissions
waiting for review, and a pack whose every field is hostile. Built once, copied per test."""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from registry.packs.build import build_zip
from registry.services import accounts, catalogue, moderation, publish, yanking
from registry.services.accounts import Actor
from registry.services.context import Registry
from registry.services.seed import seed
from tests.packs.manifests import pack_files

PASSWORD = "correct horse battery staple"
HOSTILE = '<script>alert("x")</script>'
SOS = ("essex", "signs-of-safety-assessment")
# The example pack as seeded, and the version the world adds on top of it (next minor).
_SEEDED = yaml.safe_load(
    (
        Path(__file__).resolve().parents[2] / "content_repo" / "essex" / SOS[1] / "cmspack.yaml"
    ).read_text(encoding="utf-8")
)["version"]
SOS_BEFORE = str(_SEEDED)
_MAJOR, _MINOR = SOS_BEFORE.split(".")[:2]
SOS_AFTER = f"{_MAJOR}.{int(_MINOR) + 1}.0"


@dataclass(frozen=True)
class Person:
    """Someone who signs in: username, e-mail address, password."""

    username: str
    email: str
    password: str = PASSWORD


SAM = Person("sam", "sam@hertfordshire.example.gov.uk")  # publishes for Hertfordshire; its admin
MORGAN = Person("morgan", "morgan@lcs-users.example.org")  # moderates System C (Liquidlogic)
ALEX = Person("alex", "alex@mosaic-users.example.org")  # moderates The Access Group (Mosaic)
JO = Person("jo", "jo@essex.example.gov.uk")  # publishes for Essex


def _publisher(*orgs: str) -> Actor:
    return Actor("world", frozenset({"publish"}), organisations=frozenset(orgs))


MODERATOR = Actor(
    "world-moderator", frozenset({"moderate"}), suppliers=frozenset({"system-c", "access-group"})
)


def _submit(reg: Registry, files: dict[str, bytes], org: str):
    data = build_zip(files).data
    return publish.submit(reg, _publisher(org), io.BytesIO(data), "pack.zip", rate_limited=False)


def _approve(reg: Registry, sub) -> None:
    warnings = [f["id"] for f in sub.report["findings"] if f["severity"] == "warn"]
    warnings += [f["id"] for f in sub.report.get("flags", [])]
    moderation.approve(reg, MODERATOR, sub.id, note="world", acknowledge=warnings)


def _next_version_of_sos(reg: Registry) -> None:
    """Essex's Signs of Safety pack gets its next minor version: one file changed, one added."""
    files = catalogue.version_detail(reg, *SOS, "latest")
    current = {
        f["path"]: reg.store.read_file(*SOS, files["version"], f["path"]) for f in files["files"]
    }
    meta = yaml.safe_load(current["cmspack.yaml"])
    meta["version"] = SOS_AFTER
    current["cmspack.yaml"] = yaml.safe_dump(meta, sort_keys=False).encode()
    current["README.md"] += (
        f"\n## Changes in {SOS_AFTER}\n\nScaling questions now record who answered.\n".encode()
    )
    current["config/lookups/SOS_ANSWERED_BY.csv"] = (
        b"code,description\nCHILD,Child\nPARENT,Parent\n"
    )
    _approve(reg, _submit(reg, current, "essex"))


def _hostile(reg: Registry) -> None:
    """A pack whose every free-text field is markup, approved; a second version yanked."""
    accounts.create_org(reg, "evil", f"Evil {HOSTILE} Council", "other")
    files = pack_files(
        publisher="evil",
        name="hostile-pack",
        version="1.0.0",
        title=f"Title {HOSTILE}",
        summary='Summary <img src=x onerror=alert("x")>',
        keywords=[f"kw {HOSTILE}"],
        maintainers=[{"name": f"Maintainer {HOSTILE}", "email": "team@evil.example.gov.uk"}],
        depends=...,
    )
    files["README.md"] = (
        f"# Readme\n\n{HOSTILE}\n\n<img src=x onerror=alert(1)>\n\n"
        '[click](javascript:alert(1)) [site](https://example.org "t")\n'
    ).encode()
    files["config/evil.xml"] = f"<config>{HOSTILE}</config>\n".encode()
    _approve(reg, _submit(reg, files, "evil"))
    files["cmspack.yaml"] = files["cmspack.yaml"].replace(b"version: 1.0.0", b"version: 1.0.1")
    _approve(reg, _submit(reg, files, "evil"))
    yanking.yank(reg, MODERATOR, "evil", "hostile-pack", "1.0.1", f"Reason {HOSTILE}")


def pending_pack(
    name: str = "mash-contact-triage", version: str = "1.0.0", **changes
) -> dict[str, bytes]:
    """Hertfordshire's new System C pack, with a postcode a moderator must acknowledge."""
    files = pack_files(
        name=name, version=version, depends=..., title="MASH contact triage", **changes
    )
    files["config/contacts.csv"] = b"team,office\nMASH,County Hall SG13 8DQ\n"
    return files


def build(instance: Path) -> None:
    """Make the world in an empty instance folder."""
    reg = Registry.from_settings({"INSTANCE": str(instance), "RATE_LIMITS": False})
    try:
        reg.init()
        seed(reg, log=lambda _: None)
        _next_version_of_sos(reg)
        _hostile(reg)
        accounts.create_user(
            reg,
            SAM.username,
            "hertfordshire",
            email=SAM.email,
            password=SAM.password,
            org_admin=True,
        )
        accounts.create_user(reg, JO.username, "essex", email=JO.email, password=JO.password)
        accounts.create_user(
            reg,
            MORGAN.username,
            "liquidlogic-user-group",
            email=MORGAN.email,
            password=MORGAN.password,
        )
        accounts.set_moderator(reg, MORGAN.username, "system-c")
        accounts.create_user(
            reg, ALEX.username, "mosaic-user-group", email=ALEX.email, password=ALEX.password
        )
        accounts.set_moderator(reg, ALEX.username, "access-group")
        _submit(reg, pending_pack(), "hertfordshire")  # for MORGAN
        essex = pack_files(
            publisher="essex",
            name="cp-conference-letters",
            supplier="access-group",
            products=[{"id": "mosaic"}],
            depends=...,
            title="CP conference letters",
        )
        _submit(reg, essex, "essex")  # for ALEX, hidden from MORGAN
    finally:
        reg.close()


def copy(template: Path, target: Path) -> Path:
    """A copy of a built world, for one test to change as it likes."""
    shutil.copytree(template, target, symlinks=True)  # the index names its generation by a link
    return target
