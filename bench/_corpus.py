"""A deterministic, realistic corpus of configuration packs and queries for the benchmarks.

Packs are assembled from topics councils actually configure (conference letters, S47
workflows, CIN census extracts, DoLS, Three Conversations ...), tagged the way the market
looks (System C in over half the councils, Mosaic in about a third, Eclipse in a handful),
with READMEs and artefact text (Mosaic form XML, SQL extracts, CSV lookups) of realistic size.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from registry.search import SearchDocument

COUNCILS = [
    "barnet",
    "bexley",
    "brent",
    "bromley",
    "camden",
    "croydon",
    "ealing",
    "enfield",
    "greenwich",
    "hackney",
    "haringey",
    "harrow",
    "havering",
    "hillingdon",
    "hounslow",
    "islington",
    "lambeth",
    "lewisham",
    "merton",
    "newham",
    "redbridge",
    "southwark",
    "sutton",
    "wandsworth",
    "westminster",
    "barnsley",
    "bolton",
    "bradford",
    "bury",
    "calderdale",
    "doncaster",
    "dudley",
    "gateshead",
    "kirklees",
    "knowsley",
    "leeds",
    "liverpool",
    "manchester",
    "newcastle",
    "oldham",
    "rochdale",
    "rotherham",
    "salford",
    "sandwell",
    "sefton",
    "sheffield",
    "solihull",
    "stockport",
    "sunderland",
    "tameside",
    "trafford",
    "wakefield",
    "walsall",
    "wigan",
    "wirral",
    "wolverhampton",
    "bedford",
    "blackpool",
    "bristol",
    "cornwall",
    "darlington",
    "derby",
    "durham",
    "halton",
    "hartlepool",
    "leicester",
    "luton",
    "middlesbrough",
    "milton-keynes",
    "north-somerset",
    "nottingham",
    "peterborough",
    "plymouth",
    "portsmouth",
    "reading",
    "rutland",
    "slough",
    "southampton",
    "southend",
    "stockton",
    "swindon",
    "telford",
    "thurrock",
    "torbay",
    "warrington",
    "wiltshire",
    "york",
    "buckinghamshire",
    "cambridgeshire",
    "derbyshire",
    "devon",
    "east-sussex",
    "essex",
    "gloucestershire",
    "hampshire",
    "hertfordshire",
    "kent",
    "lancashire",
    "leicestershire",
    "lincolnshire",
    "norfolk",
    "north-yorkshire",
    "nottinghamshire",
    "oxfordshire",
    "somerset",
    "staffordshire",
    "suffolk",
    "surrey",
    "warwickshire",
    "west-sussex",
    "worcestershire",
]

# (supplier, products, weight): the market shares of DOMAIN.md, roughly.
SUPPLIERS = [
    ("system-c", ["lcs"], 30),
    ("system-c", ["las"], 12),
    ("system-c", ["ehm"], 8),
    ("system-c", ["lcs", "ehm"], 4),
    ("system-c", ["controcc"], 2),
    ("access-group", ["mosaic"], 33),
    ("olm", ["eclipse"], 5),
    ("olm", ["carefirst"], 1),
    ("civica", ["paris"], 1),
    ("azeus", ["azeus-care"], 1),
    ("tpp", ["systmone"], 1),
    ("careworks", ["other"], 1),
    ("in-house", ["other"], 1),
]


@dataclass(frozen=True)
class Topic:
    """One kind of configuration a council shares, and how it is described."""

    titles: tuple[str, ...]
    summary: str
    words: tuple[str, ...]  # the topic's own vocabulary, used in READMEs and artefacts
    kinds: tuple[str, ...]
    areas: tuple[str, ...]
    adults: bool = False


TOPICS = [
    Topic(
        ("Initial child protection conference invitation letters", "ICPC invitation letter"),
        "Letter templates inviting parents and agencies to an initial child protection "
        "conference, with merge fields for the conference date, chair and venue.",
        (
            "ICPC",
            "conference chair",
            "invitation",
            "child protection plan",
            "parents",
            "agency report",
            "merge field",
        ),
        ("document-template",),
        ("childrens-social-care",),
    ),
    Topic(
        ("Review child protection conference workflow", "RCPC scheduling and minutes"),
        "Steps and forms to schedule review conferences, record minutes and update the "
        "child protection plan.",
        (
            "RCPC",
            "review conference",
            "minutes",
            "core group",
            "child protection plan",
            "timescales",
        ),
        ("workflow", "form"),
        ("childrens-social-care",),
    ),
    Topic(
        ("Section 47 enquiry workflow", "S47 strategy discussion"),
        "Strategy discussion, section 47 enquiry and outcome steps with police and health "
        "contributions recorded.",
        (
            "strategy discussion",
            "S47",
            "section 47 enquiry",
            "police",
            "health",
            "outcome",
            "significant harm",
        ),
        ("workflow", "form"),
        ("childrens-social-care",),
    ),
    Topic(
        ("Signs of Safety assessment and plan", "Signs of Safety mapping form"),
        "Assessment form in the three columns with danger statements, safety goals and "
        "scaling questions.",
        (
            "danger statements",
            "safety goals",
            "scaling questions",
            "what are we worried about",
            "what's working well",
            "safety network",
            "words and pictures",
        ),
        ("form",),
        ("childrens-social-care",),
    ),
    Topic(
        ("Looked after children review workflow", "LAC review and IRO monitoring"),
        "Statutory reviews for children looked after, IRO recommendations and care plan updates.",
        (
            "CLA review",
            "IRO",
            "care plan",
            "placement",
            "looked after",
            "statutory visit",
            "permanence",
        ),
        ("workflow", "form"),
        ("childrens-social-care",),
    ),
    Topic(
        ("MASH contact and referral triage", "Front door triage workflow"),
        "Contact screening, RAG rating and threshold decisions at the front door, with "
        "partner agency checks.",
        (
            "MASH",
            "front door",
            "triage",
            "RAG rating",
            "threshold",
            "contact",
            "referral",
            "partner checks",
        ),
        ("workflow", "rules-thresholds"),
        ("childrens-social-care", "early-help"),
    ),
    Topic(
        ("Early help assessment", "Team around the family plan"),
        "Early help assessment and TAF review forms for family support workers.",
        (
            "early help assessment",
            "TAF",
            "lead practitioner",
            "family support",
            "outcomes",
            "step down",
        ),
        ("form", "workflow"),
        ("early-help",),
    ),
    Topic(
        ("Children in need census return", "CIN census extract"),
        "SQL extract producing the CIN census XML with validation against the DfE rules.",
        (
            "CIN census",
            "XML",
            "validation rules",
            "factors identified",
            "referral date",
            "DfE",
            "child in need",
        ),
        ("data-extract", "report"),
        ("childrens-social-care",),
    ),
    Topic(
        ("SSDA903 return extract", "Looked after children statistical return"),
        "Episodes, reviews, missing and UASC tables for the SSDA903 return.",
        ("SSDA903", "episodes", "legal status", "placement type", "UASC", "missing", "OC2"),
        ("data-extract", "report"),
        ("childrens-social-care",),
    ),
    Topic(
        ("Deprivation of liberty safeguards workflow", "DoLS authorisation tracker"),
        "Standard authorisation requests, best interests assessments and renewals.",
        (
            "DoLS",
            "best interests assessor",
            "standard authorisation",
            "mental capacity",
            "renewal",
            "supervisory body",
        ),
        ("workflow", "report"),
        ("adults-social-care",),
        adults=True,
    ),
    Topic(
        ("Three Conversations case recording", "Three conversations innovation site forms"),
        "Conversation one, two and three recording with the innovation site measures.",
        (
            "conversation one",
            "listen and connect",
            "crisis",
            "long-term plan",
            "innovation site",
            "strengths",
        ),
        ("form", "workflow"),
        ("adults-social-care",),
        adults=True,
    ),
    Topic(
        ("Family group conference referral", "FGC coordinator workflow"),
        "Referral, coordinator allocation and family plan for family group conferences.",
        ("FGC", "family plan", "coordinator", "private family time", "network"),
        ("workflow", "form"),
        ("childrens-social-care", "early-help"),
    ),
    Topic(
        ("Public law outline letters", "PLO letter before proceedings"),
        "Letter before proceedings and pre-proceedings meeting templates.",
        ("PLO", "letter before proceedings", "pre-proceedings", "legal gateway", "solicitor"),
        ("document-template",),
        ("childrens-social-care",),
    ),
    Topic(
        ("EHCP needs assessment workflow", "Education health and care plan annual review"),
        "Needs assessment requests, 20-week timescales and annual reviews for EHC plans.",
        ("EHCP", "needs assessment", "20 week", "annual review", "SENCO", "provision"),
        ("workflow", "form"),
        ("send",),
    ),
    Topic(
        ("Pathway plan for care leavers", "Care leavers pathway plan review"),
        "Pathway plan sections, personal adviser visits and staying put.",
        ("pathway plan", "personal adviser", "staying put", "local offer"),
        ("form",),
        ("care-leavers",),
    ),
    Topic(
        ("Foster carer assessment Form F", "Fostering panel workflow"),
        "Form F assessment stages, panel and agency decision for foster carers.",
        ("Form F", "fostering panel", "agency decision maker", "supervising social worker"),
        ("workflow", "form"),
        ("fostering",),
    ),
    Topic(
        ("Exploitation screening tool", "Child exploitation risk assessment"),
        "Screening for CSE and CCE with contextual safeguarding mapping of peers and places.",
        ("CSE", "CCE", "county lines", "peer mapping", "missing episodes", "NRM"),
        ("form", "rules-thresholds"),
        ("childrens-social-care", "youth-justice"),
    ),
    Topic(
        ("UASC age assessment", "Unaccompanied asylum seeking children workflow"),
        "Age assessment and National Transfer Scheme steps for UASC.",
        ("UASC", "age assessment", "National Transfer Scheme", "Home Office"),
        ("workflow", "form"),
        ("childrens-social-care",),
    ),
    Topic(
        ("Continuing healthcare checklist", "CHC joint funding workflow"),
        "CHC checklist, decision support tool and joint funding agreements.",
        ("CHC", "checklist", "decision support tool", "ICB", "joint funding"),
        ("workflow", "form"),
        ("continuing-healthcare", "adults-social-care"),
        adults=True,
    ),
    Topic(
        ("Role and permission profiles", "Worker roles and step permissions"),
        "Role profiles with browse, read and edit rights per step for each team.",
        ("role profile", "permissions", "restricted", "team manager", "business support"),
        ("roles-permissions",),
        ("childrens-social-care", "adults-social-care"),
    ),
    Topic(
        ("Case note types and categories", "Case note type lookup"),
        "Case note types, categories and restrictions agreed with practice leads.",
        ("case note", "category", "management oversight", "supervision"),
        ("case-note-types", "reference-data"),
        ("childrens-social-care",),
    ),
    Topic(
        ("Annex A Ofsted lists", "Ofsted inspection data extract"),
        "Lists 1 to 11 of Annex A for inspection of local authority children's services.",
        ("Annex A", "ILACS", "list 6", "Ofsted"),
        ("data-extract", "report"),
        ("childrens-social-care",),
    ),
    Topic(
        ("Caseload and timeliness dashboard", "Performance dashboard for team managers"),
        "Caseloads, visit timeliness and assessment durations by team.",
        ("caseload", "timeliness", "visits", "assessment duration", "KPI"),
        ("dashboard", "report"),
        ("childrens-social-care", "adults-social-care"),
    ),
    Topic(
        ("CMS procurement specification", "Case management system tender evaluation"),
        "Requirements and evaluation criteria for re-procuring a social care CMS.",
        ("specification", "evaluation criteria", "tender", "requirements", "migration"),
        ("procurement",),
        ("childrens-social-care", "adults-social-care"),
    ),
    Topic(
        ("Carers assessment", "Carer support plan"),
        "Carers assessment and support plan under the Care Act.",
        ("carer", "Care Act", "eligibility", "support plan", "wellbeing"),
        ("form",),
        ("adults-social-care",),
        adults=True,
    ),
    Topic(
        ("Safeguarding adults enquiry", "Section 42 enquiry workflow"),
        "Section 42 concerns, enquiries and Making Safeguarding Personal outcomes.",
        ("section 42", "concern", "enquiry", "making safeguarding personal", "outcomes"),
        ("workflow", "form"),
        ("adults-social-care",),
        adults=True,
    ),
    Topic(
        ("Financial assessment and charging", "Residential care charging"),
        "Financial assessment, disregards and charging for residential and home care.",
        ("financial assessment", "disregard", "contribution", "charging", "payments"),
        ("workflow", "form", "integration"),
        ("finance", "adults-social-care"),
        adults=True,
    ),
]

CHILDREN_MODELS = [
    "signs-of-safety",
    "family-safeguarding",
    "restorative-practice",
    "systemic-practice",
    "contextual-safeguarding",
    "trauma-informed-practice",
    "safe-and-together",
    "family-group-conferencing",
    "no-wrong-door",
    "supporting-families",
    "relationship-based-practice",
    "mockingbird",
]
ADULT_MODELS = [
    "three-conversations",
    "strengths-based-practice",
    "making-safeguarding-personal",
    "motivational-interviewing",
    "transitional-safeguarding",
]
STRUCTURES = [
    "mash",
    "integrated-front-door",
    "locality-teams",
    "centralised-teams",
    "social-work-units",
    "family-help-teams",
    "multi-agency-child-protection-teams",
    "early-help-hub",
    "childrens-trust",
    "shared-service",
]
ADULT_STRUCTURES = [
    "single-point-of-access",
    "locality-teams",
    "integrated-health-and-care",
    "centralised-teams",
]
LICENCES = [("OGL-UK-3.0", 70), ("MIT", 15), ("CC-BY-4.0", 10), ("Apache-2.0", 5)]

GENERAL_TEXT = """The configuration was built by the systems team with practice leads and has been
live since the last upgrade. Import the steps in a test environment first and check the
next actions route to your own teams. Question codes follow the regional data standard so the
statutory returns pick them up. Lookups that differ between councils are listed in the
mapping table; replace the codes before import. Screens were tested with social workers,
team managers and business support. Audit found recording was quicker and managers could see
oversight on one screen. Known issue: the print layout needs the latest release. Contact the
systems team through the user group if you adopt it; we are happy to share the training slides
and the change request we raised with the supplier. Practice guidance explains when each form
is used, who completes it and how managers sign it off within timescales."""
GENERAL = " ".join(GENERAL_TEXT.split()).split(". ")

PRODUCT_NAMES = {
    "lcs": "LCS",
    "las": "LAS",
    "ehm": "EHM",
    "controcc": "ContrOCC",
    "mosaic": "Mosaic",
    "eclipse": "Eclipse",
    "carefirst": "CareFirst",
    "paris": "Paris",
    "azeus-care": "Azeus Care",
    "systmone": "SystmOne",
    "other": "our case management system",
}


def _weighted(rng: random.Random, pairs: list) -> object:
    return rng.choices(
        [p[:-1] if len(p) > 2 else p[0] for p in pairs], weights=[p[-1] for p in pairs]
    )[0]


def _artefact_text(rng: random.Random, topic: Topic, product: str) -> str:
    """Return artefact text: form XML, SQL and a CSV lookup in the topic's vocabulary."""
    parts = []
    for i, word in enumerate(rng.sample(topic.words, len(topic.words))):
        code = word.upper().replace(" ", "_")[:24]
        parts.append(
            f'<question code="Q{i:03d}_{code}" type="{rng.choice(["text", "date", "lookup"])}"'
            f' mandatory="{rng.choice(["true", "false"])}"><label>{word.capitalize()}</label>'
            f"<help>Record the {word} agreed with the family and the team manager.</help>"
            "</question>"
        )
    table = {"mosaic": "WF_STEPS", "lcs": "DIM_WORKFLOW", "eclipse": "FORM_ANSWERS"}.get(
        product, "CASE_STEPS"
    )
    for word in topic.words[:4]:
        parts.append(  # artefact text that looks like SQL, never executed
            f"SELECT person_id, step_id, completed_on FROM {table} WHERE step_type = "  # noqa: S608
            f"'{word.upper()}' AND completed_on >= DATEADD(month, -12, GETDATE());"
        )
    parts += [f"{i},{w},{w.title()},2023-04-01,,Y" for i, w in enumerate(topic.words)]
    rng.shuffle(parts)
    repeat = rng.randint(1, 4)
    return "\n".join(parts * repeat)


def make_corpus(n: int, seed: int = 20250601) -> list[SearchDocument]:
    """Return n packs, the same for the same n and seed."""
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    docs: list[SearchDocument] = []
    seen: set[tuple[str, str]] = set()
    while len(docs) < n:
        topic = rng.choice(TOPICS)
        supplier, products = _weighted(rng, SUPPLIERS)
        if topic.adults and "lcs" in products:
            products = ["las"]
        product = products[0]
        publisher = rng.choice(COUNCILS)
        models = rng.sample(ADULT_MODELS if topic.adults else CHILDREN_MODELS, rng.randint(0, 2))
        structures = rng.sample(ADULT_STRUCTURES if topic.adults else STRUCTURES, rng.randint(0, 2))
        title = rng.choice(topic.titles)
        flavour = rng.choice(
            [
                "",
                f" for {PRODUCT_NAMES[product]}",
                " (locality model)",
                f" v{rng.randint(2, 5)}",
                " – regional standard",
            ]
        )
        name = "-".join(title.lower().replace("(", "").replace(")", "").split()[:5])
        name = f"{name}-{rng.randint(1, 9999)}"
        if (publisher, name) in seen:
            continue
        seen.add((publisher, name))
        model_text = ", ".join(m.replace("-", " ") for m in models) or "our practice framework"
        readme = "\n\n".join(
            [
                f"# {title}{flavour}",
                f"{topic.summary} Built on {PRODUCT_NAMES[product]} for teams working with "
                f"{model_text}.",
                ". ".join(rng.sample(GENERAL, rng.randint(4, 9))) + ".",
                "## What is in the pack\n\n"
                + "\n".join(f"- {w.capitalize()}: {rng.choice(GENERAL)}" for w in topic.words),
                ". ".join(rng.sample(GENERAL, rng.randint(3, 8))) + ".",
            ]
        )
        kinds = sorted(set(rng.sample(topic.kinds, rng.randint(1, len(topic.kinds)))))
        docs.append(
            SearchDocument(
                publisher=publisher,
                name=name,
                version=f"{rng.randint(0, 3)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}",
                title=title + flavour,
                summary=topic.summary,
                keywords=rng.sample(topic.words, min(3, len(topic.words))),
                readme=readme,
                file_names=[f"config/{w.lower().replace(' ', '-')}.xml" for w in topic.words[:3]]
                + ["README.md", "cmspack.yaml", "docs/guidance.pdf"],
                text=_artefact_text(rng, topic, product),
                supplier=supplier,
                products=list(products),
                service_areas=list(topic.areas[: rng.randint(1, len(topic.areas))]),
                practice_models=models,
                organisation_structures=structures,
                kinds=kinds,
                licence=_weighted(rng, LICENCES),
                updated_at=start + timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60)),
                downloads=int(rng.paretovariate(1.2) * 10),
            )
        )
    return docs


QUERIES = [
    "SoS danger statements",
    "LAC review",
    "front door triage",
    "ICPC invitation letter",
    "S47 strategy discussion",
    "liquidlogic EHM early help assessment",
    "three conversations",
    "DoLS",
    "CIN census return",
    "mosaic signs of safety form",
    "safegaurding",
    "child protection conference",
    "looked after children",
    "care leavers pathway plan",
    "EHCP annual review",
    "family group conference",
    "PLO letter before proceedings",
    "MASH",
    "UASC age assessment",
    "CHC checklist",
    "exploitation screening CSE",
    "SSDA903",
    "Annex A",
    "caseload dashboard",
    "role permissions",
    "case note types",
    "carers assessment",
    "section 42 enquiry",
    "financial assessment charging",
    "foster carer form F",
    "procurement specification",
    "eclipse CIN",
    "servelec workflow",
    "RCPC minutes",
    "team around the family",
    "contextual safeguarding",
    "IRO",
    "early help",
    "strategy discussion police",
    "pathway plan",
    "timeliness",
    "county lines",
    "best interests assessor",
    "conference chair",
    "core group",
    "threshold",
    "scaling questions",
    "safety goals",
    "mental capacity",
    "decision support tool",
    "letter template",
    "child in need",
    "placement",
    "permanence",
    "statutory visits",
    "Ofsted",
    "validation rules",
    "family support",
    "supervision",
    "management oversight",
]

FILTER_CHOICES = [
    ("supplier", ["system-c"]),
    ("supplier", ["access-group"]),
    ("supplier", ["olm"]),
    ("supplier", ["system-c", "access-group"]),
    ("product", ["mosaic"]),
    ("product", ["lcs"]),
    ("product", ["las"]),
    ("service_area", ["childrens-social-care"]),
    ("service_area", ["adults-social-care"]),
    ("practice_model", ["signs-of-safety"]),
    ("practice_model", ["family-safeguarding"]),
    ("organisation_structure", ["mash"]),
    ("organisation_structure", ["locality-teams"]),
    ("kind", ["workflow"]),
    ("kind", ["form"]),
    ("kind", ["report", "data-extract"]),
    ("licence", ["OGL-UK-3.0"]),
    ("publisher", ["hertfordshire"]),
    ("publisher", ["leeds", "hackney"]),
]


def make_queries(n: int = 200, seed: int = 7) -> list[tuple[str, dict[str, list[str]]]]:
    """Return n distinct (query, filters) pairs, each with one filter."""
    rng = random.Random(seed)
    out: list[tuple[str, dict[str, list[str]]]] = []
    seen: set[tuple] = set()
    while len(out) < n:
        q = rng.choice(QUERIES)
        facet, values = rng.choice(FILTER_CHOICES)
        key = (q, facet, tuple(values))
        if key not in seen:
            seen.add(key)
            out.append((q, {facet: list(values)}))
    return out
