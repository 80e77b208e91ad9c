"""The staff pages: admins edit the templates (previewed in both languages for a real firm,
never with a real link); analysts count, confirm and follow a mail-out."""

from __future__ import annotations

import re

from sqlalchemy import select

from survey.invitations import mailer, templates
from survey.models import AuditEvent, MailMessage, MailOut, MailPurpose, MailTemplate, Role
from tests import factories
from tests.invitations.helpers import firm

TEMPLATE = "/staff/invitations/templates/invitation"


def _form(**changes):
    texts = {**templates.DEFAULTS[MailPurpose.INVITATION], **changes}
    return texts


def test_only_admins_edit_templates(client, db, as_role):
    as_role(Role.ANALYST)
    assert client.get(TEMPLATE).status_code == 403
    token = client.csrf_token("/staff/invitations")
    assert client.post(TEMPLATE, data={**_form(), "csrf_token": token}).status_code == 403


def test_the_template_preview_fills_in_a_real_firm_and_no_real_link(client, db, wave, as_role):
    firm("a@example.vn", name="Công ty Cổ phần Xem Trước", tax_code="0300000019")
    db.session.commit()
    as_role(Role.ADMIN)
    page = client.get(TEMPLATE).get_data(as_text=True)
    vi = re.search(r'data-preview="vi".*?</article>', page, re.S).group(0)
    en = re.search(r'data-preview="en".*?</article>', page, re.S).group(0)
    assert "Kính gửi Công ty Cổ phần Xem Trước" in vi and "[đường dẫn riêng của doanh nghiệp]" in vi
    assert "Dear Công ty Cổ phần Xem Trước" in en and "[the firm&#39;s personal link]" in en
    assert "/i/" not in page and "/unsubscribe/" not in page


def test_saving_a_template_checks_its_placeholders_and_is_audited(client, db, wave, inbox, no_pause, as_role):
    admin = as_role(Role.ADMIN)
    token = client.csrf_token(TEMPLATE)
    refused = client.post(TEMPLATE, data={**_form(body_en="Dear {firma}, {link}"), "csrf_token": token})
    assert refused.status_code == 400 and "{firma}" in refused.get_data(as_text=True)
    no_link = client.post(TEMPLATE, data={**_form(body_vi="Kính gửi {firm}"), "csrf_token": token})
    assert no_link.status_code == 400
    assert db.session.scalars(select(MailTemplate)).all() == []

    saved = client.post(
        TEMPLATE,
        data={**_form(subject_en="Please answer, {firm}", signature_vi="Phòng CĐS"), "csrf_token": token},
    )
    assert saved.status_code == 302
    template = db.session.scalars(select(MailTemplate)).one()
    assert template.subject_en == "Please answer, {firm}" and template.updated_by_id == admin.id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "mail_template.edited")).one()
    assert set(event.details["after"]) == {"subject_en", "signature_vi"}

    # The saved texts are what the firms receive.
    hoa = firm("hoa@example.vn", name="Hoa Co")
    factories.response(factories.wave(), hoa, language="en")
    firm("lan@example.vn", name="Lan Co")
    db.session.commit()
    from survey.invitations import mailouts

    mailer.deliver(mailouts.queue(db.session, wave, MailPurpose.INVITATION, {}, None).id, per_minute=600)
    by_address = {str(m["To"]): m for m in inbox.messages}
    assert by_address["hoa@example.vn"]["Subject"] == "Please answer, Hoa Co"
    assert "Phòng CĐS" in by_address["lan@example.vn"].get_content()


def test_an_analyst_counts_confirms_and_follows_a_mailout(client, db, wave, as_role):
    firm("a@example.vn", sector_code="G", name="Công ty Thương Mại")
    firm("b@example.vn", sector_code="G")
    firm("c@example.vn", sector_code="C")
    db.session.commit()
    as_role(Role.ANALYST)
    url = f"/staff/invitations/{wave.id}/mail?purpose=invitation&sector=G"
    page = client.get(url).get_data(as_text=True)
    assert 'data-count="2"' in page
    assert "Công ty Thương Mại" in page  # the preview's firm
    assert db.session.scalars(select(MailOut)).all() == []  # counting queues nothing

    token = client.csrf_token(url)
    form = {"csrf_token": token, "purpose": "invitation", "sector": "G"}
    changed = client.post(f"/staff/invitations/{wave.id}/mail", data={**form, "count": "3"})
    assert changed.status_code == 409 and 'data-testid="count-changed"' in changed.get_data(as_text=True)
    assert db.session.scalars(select(MailOut)).all() == []

    assert client.post(f"/staff/invitations/{wave.id}/mail", data=form).status_code == 400  # no count
    assert (
        client.post(
            f"/staff/invitations/{wave.id}/mail", data={**form, "purpose": "spam", "count": "2"}
        ).status_code
        == 400
    )

    queued = client.post(f"/staff/invitations/{wave.id}/mail", data={**form, "count": "2"})
    assert queued.status_code == 302
    mailout = db.session.scalars(select(MailOut)).one()
    assert queued.headers["Location"].endswith(f"/staff/invitations/mailouts/{mailout.id}")
    assert mailout.count == 2 and mailout.filters == {"sector": "G"}
    assert {m.status.value for m in db.session.scalars(select(MailMessage))} == {"queued"}

    follow = client.get(f"/staff/invitations/mailouts/{mailout.id}").get_data(as_text=True)
    assert follow.count('data-mail-status="queued"') == 2
    overview = client.get(f"/staff/invitations?wave={wave.id}").get_data(as_text=True)
    assert f'data-mailout="{mailout.id}"' in overview


def test_the_invitations_page_shows_mail_status_and_submissions_per_day(
    client, db, wave, inbox, no_pause, as_role, framework
):
    from survey.invitations import mailouts

    refused = firm("nobody@example.vn")
    firm("ok@example.vn")
    inbox.refuse.add("nobody@example.vn")
    done = firm("done@example.vn")
    factories.response(wave, done, factories.answers_at(framework, 0.5))
    db.session.commit()
    mailer.deliver(mailouts.queue(db.session, wave, MailPurpose.INVITATION, {}, None).id, per_minute=600)
    as_role(Role.ANALYST)
    page = client.get(f"/staff/invitations?wave={wave.id}").get_data(as_text=True)
    assert re.search(r'data-mail-count="sent">1<', page) and re.search(r'data-mail-count="failed">1<', page)
    assert "550 5.1.1" in page  # the refused firm's reason, beside its link
    assert 'data-testid="per-day"' in page and re.search(r"<td>1</td></tr></tbody>", page)
    assert refused.id


def test_viewers_cannot_mail(client, db, wave, as_role):
    as_role(Role.VIEWER)
    assert client.get(f"/staff/invitations/{wave.id}/mail?purpose=invitation").status_code == 403


def test_unknown_placeholders_are_found():
    assert templates.unknown_placeholders("Hi {firm}, {link} {firm.__class__} {0}") == [
        "{firm.__class__}",
        "{0}",
    ]
    composed = templates.compose(
        templates.DEFAULTS[MailPurpose.INVITATION], "vi", "A {link} B", "L", "1 tháng 1", "U"
    )
    assert "A {link} B" in composed.body  # a name is never read as a placeholder
    assert "U" in composed.body  # the unsubscribe line is added


def test_queueing_a_mailout_hands_it_to_the_delivery_job(client, db, wave, inbox, no_pause, as_role, app):
    """The page enqueues "invitations.deliver" (survey.invitations.jobs); the tests run jobs
    inline, so the messages are at the SMTP server when the page answers."""
    from survey import jobs

    assert app.config["JOBS_INLINE"]
    jobs.load(app)
    assert "invitations.deliver" in jobs._registry
    firm("a@example.vn", sector_code="G")
    firm("b@example.vn", sector_code="G")
    db.session.commit()
    as_role(Role.ANALYST)
    url = f"/staff/invitations/{wave.id}/mail?purpose=invitation&sector=G"
    token = client.csrf_token(url)
    form = {"csrf_token": token, "purpose": "invitation", "sector": "G", "count": "2"}
    assert client.post(f"/staff/invitations/{wave.id}/mail", data=form).status_code == 302
    assert sorted(inbox.to()) == ["a@example.vn", "b@example.vn"]
    db.session.expire_all()
    assert {m.status.value for m in db.session.scalars(select(MailMessage))} == {"sent"}
