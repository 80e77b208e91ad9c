"""Who may do what, written down once: every staff route and the role it needs.

The table is the intent; a route whose declared role differs from it, or a staff route
missing from it, fails here. (The password-reset view declared for analysts survived
the whole suite before: every other test used an administrator.)
"""

from __future__ import annotations

from survey.models import Role

ADMIN, ANALYST, VIEWER = Role.ADMIN, Role.ANALYST, Role.VIEWER

ROLES = {
    # Accounts, the register, waves' settings and the audit trail: administrators.
    "staff.users": ADMIN,
    "staff.create_user": ADMIN,
    "staff.change_role": ADMIN,
    "staff.toggle_active": ADMIN,
    "staff.reset_password": ADMIN,
    "staff.audit_log": ADMIN,
    "staff.register_import": ADMIN,
    "staff.register_template": ADMIN,
    "staff.register_upload": ADMIN,
    "staff.register_confirm": ADMIN,
    "staff.register_errors": ADMIN,
    # A background task (register check or import, re-scoring): admins, its requester only.
    "staff.task_status": ADMIN,
    "staff.new_wave": ADMIN,
    "staff.edit_wave": ADMIN,
    "staff.change_wave_state": ADMIN,
    "staff.rescore_wave": ADMIN,
    # The support catalogue: admins keep it, every member of staff reads it.
    "staff.new_support_programme": ADMIN,
    "staff.edit_support_programme": ADMIN,
    "staff.change_support_programme": ADMIN,
    "staff.support_programmes": VIEWER,
    # API tokens let other systems read the figures (and, with the analyst scope, the
    # responses): administrators give them out.
    "staff.api_tokens": ADMIN,
    "staff.create_api_token": ADMIN,
    "staff.revoke_api_token": ADMIN,
    # Loading instruments: what every later wave may score firms by.
    "staff.instruments": ADMIN,
    "staff.instrument_upload": ADMIN,
    "staff.instrument_export": ADMIN,
    "staff.instrument_draft": ADMIN,
    "staff.instrument_draft_export": ADMIN,
    "staff.instrument_publish": ADMIN,
    "staff.instrument_delete": ADMIN,
    "staff.instrument_preview": ADMIN,
    "staff.instrument_preview_result": ADMIN,
    # Reviewing responses and inviting firms: analysts.
    "staff.review_response": ANALYST,
    "staff.add_note": ANALYST,
    "staff.correct_response": ANALYST,
    "staff.invitations": ANALYST,
    "staff.issue_invitations": ANALYST,
    "staff.revoke_invitation": ANALYST,
    "staff.reissue_invitation": ANALYST,
    "staff.confirm_issue_invitations": ANALYST,
    "staff.confirm_revoke_invitation": ANALYST,
    "staff.confirm_reissue_invitation": ANALYST,
    # Mailing invitations and reminders: analysts send them, admins word the templates.
    "staff.confirm_mailout": ANALYST,
    "staff.queue_mailout": ANALYST,
    "staff.mailout": ANALYST,
    "staff.mail_template": ADMIN,
    "staff.save_mail_template": ADMIN,
    # Entering a response for a firm, sending it its link again, the review queue.
    "staff.enter_response": ANALYST,
    "staff.send_link": ANALYST,
    "staff.next_pending": ANALYST,
    "staff.confirm_bulk_verify": ANALYST,
    "staff.bulk_verify": ANALYST,
    # The register's firms carry contacts: analysts read and export them, admins correct them.
    "staff.firms": ANALYST,
    "staff.firm": ANALYST,
    "staff.export_firms": ANALYST,
    "staff.edit_firm": ADMIN,
    "staff.save_firm": ADMIN,
    # Free-text answers can name people and firms: analysts.
    "staff.module_texts": ANALYST,
    # Reading: every member of staff.
    "staff.dashboard": VIEWER,
    "staff.city_dashboard": VIEWER,
    "staff.dashboard_chart": VIEWER,
    "staff.responses": VIEWER,
    "staff.response_detail": VIEWER,
    "staff.waves": VIEWER,
    "staff.rescore_run": VIEWER,
    "staff.request_export": VIEWER,
    "staff.my_exports": VIEWER,
    "staff.export_status": VIEWER,
    "staff.export_download": VIEWER,
}


def test_every_staff_route_needs_the_role_the_table_gives_it(app):
    declared = {
        rule.endpoint: getattr(app.view_functions[rule.endpoint], "required_role", None)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("staff.")
    }
    assert declared == ROLES
