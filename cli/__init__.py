"""cmsreg: the contributor's and administrator's command-line client."""
