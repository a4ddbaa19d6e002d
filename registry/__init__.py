"""cmsreg: the registry of social care case management configuration packs."""
