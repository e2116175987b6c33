"""The review workflow: change sets, items, reviews, audit, apply/revert, the review table and its admin."""
