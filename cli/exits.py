"""Exit codes of `cmsreg` (SPEC §7), in one place so every command agrees."""

OK = 0
INVALID = 1  # validation failed or personal-data findings block publication
USAGE = 2  # click also uses 2 for usage errors
REGISTRY = 3  # the registry could not be reached or answered with an error
AUTH = 4  # no token, a bad token, or not allowed
