"""The respondent's journey: start, firm profile, one page per pillar, review, submit, result."""
