"""Employers: the fair-employer checklist, its scoring and the vetting state machine."""
