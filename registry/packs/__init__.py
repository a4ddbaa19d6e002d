"""The configuration-pack domain: manifest, vocabularies, archive safety, personal-data scan.

Nothing here imports Flask, the database or git, so the offline `cmsreg validate` runs exactly
the checks the registry runs.
"""
