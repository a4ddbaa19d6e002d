"""A valid manifest to start from; tests change one thing at a time."""

from __future__ import annotations

import copy

import yaml

VALID = {
    "name": "family-safeguarding-cp-workflow",
    "publisher": "hertfordshire",
    "version": "1.2.0",
    "title": "Family Safeguarding child protection workflow",
    "summary": "Workflow steps and forms for the Family Safeguarding model in LCS.",
    "licence": "OGL-UK-3.0",
    "supplier": "system-c",
    "products": [{"id": "lcs", "versions": ">=2023.1"}],
    "service_areas": ["childrens-social-care"],
    "practice_models": ["family-safeguarding"],
    "organisation_structures": ["locality-teams", "mash"],
    "kinds": ["workflow", "form"],
    "keywords": ["child protection", "section 47"],
    "maintainers": [{"name": "CSC Systems Team", "email": "csc-systems@example.gov.uk"}],
    "depends": {"hertfordshire/family-safeguarding-forms": ">=1.0.0,<2"},
}


def manifest(**changes: object) -> dict:
    """Return a copy of VALID with fields changed (a value of ... deletes the field)."""
    data = copy.deepcopy(VALID)
    for key, value in changes.items():
        if value is ...:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def manifest_bytes(**changes: object) -> bytes:
    """VALID (with changes) as cmspack.yaml bytes."""
    return yaml.safe_dump(manifest(**changes), sort_keys=False).encode()


README = b"# Family Safeguarding workflow\n\nHow to install it in LCS: import the steps.\n"


def pack_files(**changes: object) -> dict[str, bytes]:
    """A small valid pack as path -> bytes."""
    return {
        "cmspack.yaml": manifest_bytes(**changes),
        "README.md": README,
        "config/steps.xml": b"<steps><step code='CP1'>Strategy discussion</step></steps>\n",
        "docs/install.md": b"# Install\n\nImport config/steps.xml in the step designer.\n",
    }
