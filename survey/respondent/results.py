"""What the result page and its PDF show, gathered once so that both say the same."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from flask import current_app, render_template, send_file

from survey import i18n
from survey.extensions import db
from survey.models import Response
from survey.models.base import utcnow
from survey.respondent import advice, charts, pages, services
from survey.responses import modules as response_modules
from survey.responses.scoring import profile_of
from survey.scoring import scorer_for
from survey.support import services as support
from survey.timezone import LOCAL


def context(response: Response) -> dict:
    """The template variables of ``templates/respondent/_result_body.html``."""
    framework = pages.framework_for(response)
    card = scorer_for(framework).score(response.answers, profile_of(response))
    peers = services.peer_comparison(
        db.session, response, current_app.config["PEER_MIN_GROUP"], services.peer_cutoff(utcnow())
    )
    modules = [(c.module, answers) for c, answers in response_modules.all_answers(response)]
    return {
        "response": response,
        "framework": framework,
        "card": card,
        "peers": peers,
        "chart": charts.pillar_chart(framework, card, peers, i18n.current_language()),
        "advice": advice.build(
            framework, card, advice.size_key(response.size_class, response.kind), modules, peers
        ),
        # The support programmes that fit the firm today (the city's day, not UTC's).
        "programmes": support.matching_for(db.session, response, card, datetime.now(LOCAL).date()),
    }


def pdf_download(response: Response):
    """The result as a PDF attachment, from the same content as the page."""
    # Imported here: WeasyPrint loads Pango, which only this download needs.
    from survey.respondent import pdf

    html = render_template("respondent/result_pdf.html", **context(response), pdf=True)
    document, _fetcher = pdf.render(html, current_app.static_folder)
    return send_file(
        BytesIO(document),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=pdf.file_name(response.firm_name, response.wave.year),
    )
