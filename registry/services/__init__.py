"""Services: the only code that changes state. Views and commands call these, nothing else."""
