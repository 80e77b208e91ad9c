"""Invitations the app mails itself: templates (admins), mail-outs and reminders (analysts).

As for issuing links, nothing is queued on the first click: the GET page counts the firms
the mail-out would reach (and why others are left out), shows the message in Vietnamese and
English filled in for a real firm, with placeholders where the links go, and its POST (CSRF)
carries the count seen; a different count now queues nothing and asks again. Queued
messages are sent by survey.invitations.mailer.deliver (the job "invitations.deliver").
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from survey import audit, work
from survey.extensions import db
from survey.forms_i18n import TranslatedForm as FlaskForm
from survey.ids import get_or_404
from survey.invitations import mailouts, templates
from survey.models import AdminUnit, Enterprise, MailOut, MailPurpose, Role, Wave
from survey.models.base import utcnow
from survey.staff.access import requires
from survey.staff.blueprint import bp
from survey.staff.forms import ConfirmForm
from survey.staff.views_invitations import _filters, _sector_names, _seen_count

#: The firm the template page's preview is filled in for when the register is empty.
SAMPLE_NAME = "Công ty TNHH Mẫu"


def _placeholders_known(form, field) -> None:
    unknown = templates.unknown_placeholders(field.data)
    if unknown:
        raise ValidationError(
            _l(
                "Unknown placeholder %(names)s: use only {firm}, {link}, {closes} and {unsubscribe}.",
                names=", ".join(unknown),
            )
        )


def _has_link(form, field) -> None:
    if "{link}" not in (field.data or ""):
        raise ValidationError(_l("The text must contain {link}: the firm's personal link goes there."))


def _written_in(lang: str) -> dict:
    """The field's text is in ``lang`` (an English message on a Vietnamese page says so)."""
    return {"lang": lang}


def _subject(label, lang):
    return StringField(
        label,
        validators=[InputRequired(), DataRequired(), Length(max=200), _placeholders_known],
        render_kw=_written_in(lang),
    )


def _body(label, lang):
    return TextAreaField(
        label,
        validators=[InputRequired(), DataRequired(), Length(max=10_000), _placeholders_known, _has_link],
        render_kw=_written_in(lang),
    )


def _signature(label, lang):
    return TextAreaField(
        label,
        validators=[InputRequired(), DataRequired(), Length(max=2_000), _placeholders_known],
        render_kw=_written_in(lang),
    )


class MailTemplateForm(FlaskForm):
    subject_vi = _subject(_l("Subject (Vietnamese)"), "vi")
    body_vi = _body(_l("Message (Vietnamese)"), "vi")
    signature_vi = _signature(_l("Signature (Vietnamese)"), "vi")
    subject_en = _subject(_l("Subject (English)"), "en")
    body_en = _body(_l("Message (English)"), "en")
    signature_en = _signature(_l("Signature (English)"), "en")


def _purpose(value: str | None) -> MailPurpose:
    try:
        return MailPurpose(value or "")
    except ValueError:
        abort(400, description="purpose is invitation or reminder")


def _previews(texts: dict, firm_name: str, wave: Wave | None) -> dict[str, templates.Composed]:
    previews = {}
    for language in templates.LANGUAGES:
        closes = templates.closes_text(wave, language) if wave is not None else "[…]"
        previews[language] = templates.preview(texts, language, firm_name, closes)
    return previews


def _latest_wave() -> Wave | None:
    return db.session.scalars(select(Wave).order_by(Wave.opens_at.desc()).limit(1)).first()


def _template_page(purpose: MailPurpose, form: MailTemplateForm, status: int = 200):
    template = templates.get(db.session, purpose)
    sample = db.session.scalars(select(Enterprise).order_by(Enterprise.tax_code).limit(1)).first()
    return render_template(
        "staff/invitations_template.html",
        purpose=purpose,
        template=template,
        form=form,
        previews=_previews(
            templates.texts_of(template), sample.name if sample else SAMPLE_NAME, _latest_wave()
        ),
    ), status


@bp.get("/invitations/templates/<any(invitation, reminder):purpose>", endpoint="mail_template")
@requires(Role.ADMIN)
def mail_template(purpose: str):
    """The template's texts to edit, and its saved version previewed in both languages."""
    purpose = _purpose(purpose)
    return _template_page(purpose, MailTemplateForm(obj=templates.get(db.session, purpose)))


@bp.post("/invitations/templates/<any(invitation, reminder):purpose>", endpoint="save_mail_template")
@work.writes
@requires(Role.ADMIN)
def save_mail_template(purpose: str):
    purpose = _purpose(purpose)
    form = MailTemplateForm()
    if not form.validate_on_submit():
        return _template_page(purpose, form, 400)
    template = templates.stored(db.session, templates.get(db.session, purpose))
    before = templates.texts_of(template)
    form.populate_obj(template)
    template.updated_by_id = current_user.id
    template.updated_at = utcnow()
    after = templates.texts_of(template)
    changed = [key for key in after if before[key] != after[key]]
    audit.record(
        db.session,
        "mail_template.edited",
        template,
        before={key: before[key] for key in changed},
        after={key: after[key] for key in changed},
    )
    flash(_("The template is saved."), "success")
    return redirect(url_for("staff.mail_template", purpose=purpose.value))


def _names(filters: dict) -> dict:
    unit, sector = filters.get("unit"), filters.get("sector")
    return {
        "unit_name": unit and db.session.scalar(select(AdminUnit.name_vi).where(AdminUnit.code == unit)),
        "sector_name": sector and _sector_names().get(sector),
    }


def _mailout_page(wave: Wave, purpose: MailPurpose, filters: dict, changed_from: int | None = None):
    choice = mailouts.choose(db.session, wave, purpose, filters)
    template = templates.get(db.session, purpose)
    sample = choice.sample.name if choice.sample is not None else SAMPLE_NAME
    return render_template(
        "staff/invitations_mail.html",
        wave=wave,
        purpose=purpose,
        filters=filters,
        choice=choice,
        reasons=mailouts.REASONS,
        previews=_previews(templates.texts_of(template), sample, wave),
        mail_on=bool(current_app.config["MAIL_SERVER"]),
        per_minute=current_app.config["MAIL_PER_MINUTE"],
        changed_from=changed_from,
        confirm=ConfirmForm(),
        **_names(filters),
    ), (200 if changed_from is None else 409)


@bp.get("/invitations/<int:wave_id>/mail", endpoint="confirm_mailout")
@requires(Role.ANALYST)
def confirm_mailout(wave_id: int):
    """How many firms a mail-out (or reminder) would reach, and its message; queues nothing."""
    wave = get_or_404(Wave, wave_id)
    return _mailout_page(wave, _purpose(request.args.get("purpose")), _filters(request.args))


def start_delivery(mailout_id: int) -> None:
    """Hand the mail-out to the job queue, once its messages are committed."""
    try:
        from survey import jobs

        jobs.enqueue("invitations.deliver", mailout_id=mailout_id)
    except (ImportError, AttributeError, KeyError):  # KeyError: survey.jobs.UnknownJob
        current_app.logger.warning("mail-out %s is queued; no job 'invitations.deliver' sends it", mailout_id)


@bp.post("/invitations/<int:wave_id>/mail", endpoint="queue_mailout")
@work.writes
@requires(Role.ANALYST)
def queue_mailout(wave_id: int):
    wave = get_or_404(Wave, wave_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    purpose = _purpose(request.form.get("purpose"))
    filters = _filters(request.form)
    seen = _seen_count()
    if seen is None:
        abort(400, description="count is the number of firms confirmed")
    try:
        mailout = mailouts.queue(db.session, wave, purpose, filters, current_user.id, expected=seen)
    except mailouts.CountChanged:
        db.session.rollback()
        return _mailout_page(wave, purpose, filters, changed_from=seen)
    mailout_id = mailout.id
    work.after_commit(lambda: start_delivery(mailout_id))
    return redirect(url_for("staff.mailout", mailout_id=mailout_id))


@bp.get("/invitations/mailouts/<int:mailout_id>", endpoint="mailout")
@requires(Role.ANALYST)
def mailout(mailout_id: int):
    """One mail-out: each firm's message (queued, sent, failed and why) and where the firm stands."""
    out = get_or_404(MailOut, mailout_id)
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        abort(400, description="page must be a number")
    per_page = current_app.config["PER_PAGE"]
    pages = max(1, -(-out.count // per_page))
    page = min(page, pages)
    rows = mailouts.messages_of(db.session, out, per_page, (page - 1) * per_page)
    counts = next(counts for each, counts in mailouts.mailouts(db.session, out.wave) if each.id == out.id)
    return render_template(
        "staff/invitations_mailout.html",
        mailout=out,
        rows=rows,
        counts=counts,
        opted_out=mailouts.opted_out_among(db.session, [row.enterprise_id for row in rows]),
        page=page,
        pages=pages,
    )
