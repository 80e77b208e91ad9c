"""The mail templates an admin edits, and a message made of one.

A template has a subject, a body and the department's signature in Vietnamese and English.
Its placeholders are ``{firm}`` (the firm's name), ``{link}`` (its personal link),
``{closes}`` (the day the wave closes) and ``{unsubscribe}`` (the link that stops the mail).
Only these four are replaced, as plain text; any other ``{…}`` is refused when the template
is saved, so a typo never reaches a firm. The body must carry ``{link}``; a message whose
texts have no ``{unsubscribe}`` gets a line with it under the signature, so every mail has one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import force_locale, format_date
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import MailPurpose, MailTemplate, Wave

PLACEHOLDERS = ("firm", "link", "closes", "unsubscribe")
LANGUAGES = ("vi", "en")
FIELDS = ("subject", "body", "signature")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

#: What the preview shows instead of a personal link: never a real one.
PREVIEW_LINK = {"vi": "[đường dẫn riêng của doanh nghiệp]", "en": "[the firm's personal link]"}
PREVIEW_UNSUBSCRIBE = {"vi": "[đường dẫn ngừng nhận thư]", "en": "[the link to stop these e-mails]"}
#: The line added under a message whose texts carry no {unsubscribe}.
UNSUBSCRIBE_LINE = {
    "vi": "Nếu không muốn nhận thư về khảo sát này nữa: {unsubscribe}",
    "en": "To receive no more e-mail about this survey: {unsubscribe}",
}

_SIGNATURE = {
    "vi": "Sở Khoa học và Công nghệ thành phố Hải Phòng\nBộ phận Chuyển đổi số",
    "en": "Hai Phong Department of Science and Technology\nDigital Transformation Office",
}
DEFAULTS: dict[MailPurpose, dict[str, str]] = {
    MailPurpose.INVITATION: {
        "subject_vi": "Mời {firm} tham gia khảo sát mức độ chuyển đổi số",
        "subject_en": "{firm}: an invitation to the digital readiness survey",
        "body_vi": (
            "Kính gửi {firm},\n\n"
            "Sở trân trọng mời doanh nghiệp tham gia đánh giá mức độ sẵn sàng chuyển đổi số. "
            "Đường dẫn dưới đây là riêng của doanh nghiệp, xin không chia sẻ:\n\n{link}\n\n"
            "Khảo sát đóng vào ngày {closes}."
        ),
        "body_en": (
            "Dear {firm},\n\n"
            "The department invites your business to assess its digital readiness. The link "
            "below is your business's own; please do not share it:\n\n{link}\n\n"
            "The survey closes on {closes}."
        ),
        "signature_vi": _SIGNATURE["vi"],
        "signature_en": _SIGNATURE["en"],
    },
    MailPurpose.REMINDER: {
        "subject_vi": "Nhắc {firm}: khảo sát chuyển đổi số đóng vào {closes}",
        "subject_en": "A reminder for {firm}: the digital readiness survey closes on {closes}",
        "body_vi": (
            "Kính gửi {firm},\n\n"
            "Doanh nghiệp chưa gửi bài đánh giá mức độ sẵn sàng chuyển đổi số. Mỗi câu trả lời "
            "giúp thành phố hiểu đúng nhu cầu hỗ trợ. Đường dẫn riêng của doanh nghiệp:\n\n{link}\n\n"
            "Khảo sát đóng vào ngày {closes}."
        ),
        "body_en": (
            "Dear {firm},\n\n"
            "Your business has not yet sent its digital readiness assessment. Every answer helps "
            "the city see what support firms need. Your business's own link:\n\n{link}\n\n"
            "The survey closes on {closes}."
        ),
        "signature_vi": _SIGNATURE["vi"],
        "signature_en": _SIGNATURE["en"],
    },
}


def unknown_placeholders(text: str) -> list[str]:
    """The ``{…}`` in ``text`` that are not one of PLACEHOLDERS, as written."""
    return [f"{{{name}}}" for name in _PLACEHOLDER.findall(text or "") if name not in PLACEHOLDERS]


def get(session: Session, purpose: MailPurpose | str) -> MailTemplate:
    """The purpose's template; until an admin saves one, the built-in texts (a template
    not in the session: reading it writes nothing, ``stored`` keeps it)."""
    purpose = MailPurpose(purpose)
    found = session.scalar(select(MailTemplate).where(MailTemplate.purpose == purpose))
    return found if found is not None else MailTemplate(purpose=purpose, **DEFAULTS[purpose])


def stored(session: Session, template: MailTemplate) -> MailTemplate:
    """``template`` with an id: the built-in texts are saved the first time they are used."""
    if template.id is None:
        session.add(template)
        session.flush()
    return template


def texts_of(template: MailTemplate) -> dict[str, str]:
    """The six texts of ``template`` (``subject_vi`` … ``signature_en``), as a mail-out keeps them."""
    return {f"{field}_{lang}": getattr(template, f"{field}_{lang}") for field in FIELDS for lang in LANGUAGES}


def closes_text(wave: Wave, language: str) -> str:
    with force_locale(language):
        return format_date(wave.closes_at, "long")


@dataclass(frozen=True)
class Composed:
    subject: str
    body: str


def _fill(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def compose(
    texts: dict[str, str], language: str, firm: str, link: str, closes: str, unsubscribe: str
) -> Composed:
    """The subject and body of one message in ``language`` ("vi" or "en")."""
    language = language if language in LANGUAGES else "vi"
    values = {"firm": firm, "link": link, "closes": closes, "unsubscribe": unsubscribe}
    # The subject is one line whatever a name holds: a header with a line break is refused.
    subject = " ".join(_fill(texts[f"subject_{language}"], values).split())
    body, signature = texts[f"body_{language}"], texts[f"signature_{language}"]
    parts = [body.strip(), "-- \n" + signature.strip()]
    if "{unsubscribe}" not in body + signature:
        parts.append(UNSUBSCRIBE_LINE[language])
    return Composed(subject=subject, body=_fill("\n\n".join(parts), values) + "\n")


def preview(texts: dict[str, str], language: str, firm: str, closes: str) -> Composed:
    """The message as a firm would read it, with placeholders where its links would be."""
    return compose(texts, language, firm, PREVIEW_LINK[language], closes, PREVIEW_UNSUBSCRIBE[language])
