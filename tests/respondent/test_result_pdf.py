"""The result as a PDF: the page's content, read back with a PDF text extractor; the
package's own fonts; nothing fetched from anywhere; only the session holding the response."""

from __future__ import annotations

import io
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from pypdf import PdfReader

from survey.respondent import pdf
from tests import factories
from tests.respondent import helpers
from tests.respondent.test_advice import open_result

V2 = helpers.V2


def text_of(document: bytes) -> str:
    reader = PdfReader(io.BytesIO(document))
    return "\n".join(page.extract_text() for page in reader.pages)


def fonts_of(document: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(document))
    names = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def flat(text: str) -> str:
    # Lines wrap anywhere in the PDF: compare with every run of white space made one space.
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def submitted(db):
    wave = factories.wave(framework_version=factories.framework_version(2))
    return factories.response(
        wave, answers=factories.answers_at(V2, 0.4), firm_name="Công ty TNHH Cảng Xanh Hải Phòng"
    )


def test_the_pdf_says_what_the_page_says_in_vietnamese(client, db, submitted):
    got = open_result(client, db, submitted, "/result.pdf", headers={})  # Vietnamese, the default
    assert got.status_code == 200 and got.mimetype == "application/pdf"
    assert (
        got.headers["Content-Disposition"]
        == "attachment; filename=ket-qua-cong-ty-tnhh-cang-xanh-hai-phong-2025.pdf"
    )
    assert got.headers["Cache-Control"] == "no-store"
    text = flat(text_of(got.data))
    assert "Công ty TNHH Cảng Xanh Hải Phòng" in text
    level = V2.level(submitted.overall_level)
    assert re.search(rf"\b{submitted.overall_level}\b.*{level.name.vi}", text)
    assert "Trải nghiệm số cho khách hàng" in text
    for pillar in V2.pillars:
        assert flat(pillar.name.vi) in text, pillar.code
    # Every pillar's advice for this firm's size is there too, as on the page.
    for pillar, score in zip(V2.pillars, submitted.pillar_scores, strict=True):
        advice = pillar.recommendation(score.level, submitted.size_class.value).vi
        assert flat(advice) in text, pillar.code
    # Drawn only in the package's DejaVu Sans, by the @font-face name no system font has.
    assert fonts_of(got.data) and all(
        name.endswith(("+Survey-Sans", "+Survey-Sans-Bold")) for name in fonts_of(got.data)
    )


def test_the_pdf_has_the_overall_level_and_the_page_links_it(client, db, submitted):
    page = open_result(client, db, submitted).get_data(as_text=True)
    assert 'href="/result.pdf" data-testid="download-pdf"' in page and "data-print" in page
    document = client.get("/result.pdf", headers={"Accept-Language": "en"}).data
    text = flat(text_of(document))
    level = V2.level(submitted.overall_level)
    assert f"Level {submitted.overall_level} of 5: {level.name.en}" in text
    assert f"{submitted.total_points} of" in text
    # No buttons, no resume link: the PDF leaves out what only works in a browser.
    assert "Download as PDF" not in text and "/resume/" not in text and "Continue later" not in text


def test_a_draft_gets_no_pdf(client, db):
    draft = factories.response(
        factories.wave(), answers=factories.answers_at(helpers.FRAMEWORK, 0.5), submit=False
    )
    got = open_result(client, db, draft, "/result.pdf")
    assert got.status_code == 302 and got.headers["Location"].endswith("/review")


def test_another_session_gets_no_pdf(app, client, db, submitted):
    assert open_result(client, db, submitted, "/result.pdf").status_code == 200
    other = app.test_client()
    got = other.get("/result.pdf")
    assert got.status_code == 302 and got.headers["Location"].endswith("/start")
    assert got.mimetype != "application/pdf"


class Counting(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self):
        Counting.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    server = HTTPServer(("127.0.0.1", 0), Counting)
    Counting.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_a_firm_name_with_markup_is_text_and_fetches_nothing(client, db, submitted, listener):
    submitted.firm_name = f'<img src="{listener}/name.png"><link rel="stylesheet" href="{listener}/x.css">'
    got = open_result(client, db, submitted, "/result.pdf?lang=en")
    assert got.status_code == 200
    # Shown as the text it is (lines may wrap inside it), never taken as markup.
    assert f'<img src="{listener}/name.png">'.replace(" ", "") in text_of(got.data).replace(" ", "").replace(
        "\n", ""
    )
    assert Counting.hits == []


def test_the_renderer_refuses_every_url_but_the_static_files(app, listener, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    html = (
        f'<link rel="stylesheet" href="css/pdf.css"><link rel="stylesheet" href="{secret.as_uri()}">'
        f'<img src="{listener}/a.png"><img src="../../etc/passwd"><p>Trải nghiệm số</p>'
    )
    document, fetcher = pdf.render(html, app.static_folder)
    assert Counting.hits == []
    assert "css/pdf.css" in fetcher.served and "fonts/DejaVuSans.ttf" in fetcher.served
    assert any(url.startswith(listener) for url in fetcher.refused)
    assert secret.as_uri() in fetcher.refused
    assert "Trải nghiệm số" in text_of(document)


def test_download_names_are_ascii():
    assert (
        pdf.file_name("Hộ kinh doanh Đặng Thị Hoà / 2", 2025)
        == "ket-qua-ho-kinh-doanh-dang-thi-hoa-2-2025.pdf"
    )
    assert pdf.file_name('"; rm -rf /', None) == "ket-qua-rm-rf.pdf"
    assert pdf.file_name(None) == "ket-qua-doanh-nghiep.pdf"
