"""Seed an instance with the example packs in content_repo/, through the same services.

Idempotent: organisations that exist are kept, versions already approved are skipped, and the
versions content_repo/yanks.yaml names are yanked once.
"""

from __future__ import annotations

import io
from pathlib import Path

import yaml
from sqlalchemy import select

from registry.db.models import Membership, Organisation, Pack, Version
from registry.errors import Conflict, RegistryError
from registry.packs.archive import read_pack
from registry.packs.build import build_zip
from registry.packs.manifest import MANIFEST_NAME
from registry.packs.versions import SemVer
from registry.packs.vocabulary import load_vocabularies
from registry.services import accounts, moderation, publish, yanking
from registry.services.accounts import Actor
from registry.services.context import Registry


def seed(reg: Registry, content_repo: Path | None = None, log=print) -> tuple[int, int]:
    """Create the example organisations and publish and approve every example pack."""
    root = Path(content_repo or reg.settings["CONTENT_REPO"])
    orgs = yaml.safe_load((root / "organisations.yaml").read_text(encoding="utf-8")) or []
    with reg.db.session() as session:
        for org in orgs:
            found = session.scalar(select(Organisation).where(Organisation.slug == org["slug"]))
            if found is None:
                found = accounts._create_org(  # within this one transaction
                    session,
                    org["slug"],
                    org["name"],
                    org["type"],
                    org.get("gss_code"),
                    org.get("dfe_number"),
                )
            # Its packs are examples, not the council's own work, unless people publish for it
            # (an organisation an operator made for real, before or after seeding).
            if not session.scalar(select(Membership.user_id).filter_by(organisation_id=found.id)):
                found.example = True
    # One seeding actor publishes for every example organisation, another moderates every
    # supplier: no one approves a submission of their own organisation, not even the seed.
    seeder = Actor("seed", frozenset({"publish"}), organisations=frozenset(o["slug"] for o in orgs))
    moderator = Actor(
        "seed-moderator",
        frozenset({"moderate"}),
        suppliers=frozenset(load_vocabularies()["supplier"].slugs),
    )
    published = skipped = 0
    for folder in publishing_order(root):
        pack = read_pack(folder, reg.limits)
        meta = yaml.safe_load(pack.files[MANIFEST_NAME])
        if _approved(reg, meta["publisher"], meta["name"], str(meta["version"])):
            skipped += 1
            continue
        data = build_zip(pack.files).data
        try:
            sub = publish.submit(
                reg, seeder, io.BytesIO(data), f"{folder.name}.zip", rate_limited=False
            )
        except RegistryError as exc:
            details = (exc.errors or {}).get("problems", []) + (exc.errors or {}).get(
                "findings", []
            )
            lines = "; ".join(
                f"{d.get('where') or d.get('file')}:{d.get('line') or ''} {d.get('message')}"
                for d in details
            )
            raise RegistryError(f"{folder}: {exc.message} {lines}") from None
        warnings = [f["id"] for f in sub.report["findings"] if f["severity"] == "warn"]
        warnings += [f["id"] for f in sub.report.get("flags", [])]
        moderation.approve(
            reg,
            moderator,
            sub.id,
            note="Example pack seeded from content_repo/",
            acknowledge=warnings,
        )
        log(f"seeded {meta['publisher']}/{meta['name']} {meta['version']}")
        published += 1
    _yank(reg, root, seeder, log)
    return published, skipped


def _yank(reg: Registry, root: Path, seeder: Actor, log) -> None:
    """Yank the versions yanks.yaml names (once: a version already yanked is left as it is)."""
    path = root / "yanks.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    for entry in entries or []:
        pack, _, version = entry["pack"].partition("@")
        publisher, _, name = pack.partition("/")
        try:
            yanking.yank(reg, seeder, publisher, name, version, entry["reason"])
        except Conflict:
            continue  # yanked by an earlier seed
        log(f"yanked {publisher}/{name} {version}")


def publishing_order(root: Path) -> list[Path]:
    """The example pack folders, each after the packs it depends on, older versions first.

    The registry refuses a dependency it does not have, so a pack's dependencies are seeded
    before it; a cycle, or a dependency outside content_repo/, is left for `submit` to refuse.
    """
    packs: dict[str, list[tuple[SemVer, Path, dict]]] = {}
    for manifest_path in sorted(root.glob(f"*/*/{MANIFEST_NAME}")):
        meta = yaml.safe_load(manifest_path.read_text(encoding="utf-8")) or {}
        key = f"{meta.get('publisher')}/{meta.get('name')}"
        version = SemVer.parse(str(meta.get("version")))
        packs.setdefault(key, []).append((version, manifest_path.parent, meta))
    order: list[Path] = []
    done: set[str] = set()

    def visit(key: str, seen: tuple[str, ...]) -> None:
        if key in done or key in seen or key not in packs:
            return
        for entry in packs[key]:
            for target in entry[2].get("depends") or {}:
                visit(target, (*seen, key))
        done.add(key)
        order.extend(folder for _, folder, _ in sorted(packs[key], key=lambda e: e[0]))

    for key in sorted(packs):
        visit(key, ())
    return order


def _approved(reg: Registry, publisher: str, name: str, version: str) -> bool:
    with reg.db.session() as session:
        return (
            session.scalar(
                select(Version.id)
                .join(Pack)
                .join(Organisation)
                .where(
                    Organisation.slug == publisher, Pack.name == name, Version.version == version
                )
            )
            is not None
        )
