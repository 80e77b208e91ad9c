"""Importing this module registers every staff view on the staff blueprint."""

from survey.staff import (  # noqa: F401
    views_api_tokens,
    views_audit,
    views_dashboard,
    views_entry,
    views_exports,
    views_firms,
    views_instruments,
    views_invitations,
    views_main,
    views_module_texts,
    views_register,
    views_rescoring,
    views_responses,
    views_support,
    views_tasks,
    views_users,
    views_waves,
)
