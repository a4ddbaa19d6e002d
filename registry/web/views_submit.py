"""Contributors: my submissions, uploading a pack, withdrawing."""
