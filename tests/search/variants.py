"""A larger corpus made from the test packs: more publishers, reworded, for scoring tests."""

from __future__ import annotations

import random
from datetime import timedelta

from registry.search import SearchDocument
from tests.search.corpus import PACKS

PUBLISHERS = ["leeds", "kent", "devon", "essex", "hackney", "wigan", "york", "luton", "bury"]
EXTRA = [
    "Tested with social workers and team managers before go-live.",
    "Map the lookup codes to your own before import.",
    "The child protection plan and review steps follow local procedures.",
    "Looked after children reviews are reported monthly.",
    "Signs of Safety language is used throughout the forms.",
    "Early help and MASH contacts share one screen.",
    "Assessments are authorised by the team manager within timescales.",
]


def variants(copies: int, seed: int = 3) -> list[SearchDocument]:
    """Return `copies` reworded copies of every test pack under other publishers."""
    rng = random.Random(seed)
    out = []
    for i in range(copies):
        for doc in PACKS:
            sentences = rng.sample(EXTRA, rng.randint(0, 4))
            out.append(
                SearchDocument(
                    **{
                        **doc,
                        "publisher": rng.choice(PUBLISHERS),
                        "name": f"{doc['name']}-{i}",
                        "readme": doc["readme"] + "\n\n" + " ".join(sentences),
                        "text": doc["text"]
                        + " "
                        + " ".join(rng.sample(EXTRA, 2)) * rng.randint(0, 3),
                        "updated_at": doc["updated_at"] + timedelta(days=rng.randint(0, 300)),
                        "downloads": rng.randint(0, 500),
                    }
                )
            )
    return out
