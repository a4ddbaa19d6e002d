"""Moderators: the review queue, a submission under review, approve and reject."""
