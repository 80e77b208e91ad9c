"""Demo answers to the unscored modules: less mature firms meet greater barriers.

Drawn from their own random stream, so adding modules to the demo left every other demo
figure as it was.
"""

from __future__ import annotations

import random
import zlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import ModuleAnswer, ModuleVersion, Response, ResponseModule, Wave, WaveModule
from survey.modules import Module, module_of
from survey.modules import answers as module_answers

PROPOSALS = (
    "Mong Sở tổ chức thêm lớp tập huấn về hóa đơn điện tử và bán hàng trực tuyến.",
    "Cần tư vấn chọn phần mềm quản lý kho phù hợp với doanh nghiệp nhỏ.",
    "Đề nghị hỗ trợ chi phí thuê dịch vụ đám mây trong năm đầu.",
    "Muốn được kết nối với các nhà cung cấp giải pháp uy tín tại Hải Phòng.",
)


def attach(session: Session, wave: Wave) -> list[tuple[ModuleVersion, Module]]:
    """Give the demo wave the newest version of every recorded module."""
    newest: dict[str, ModuleVersion] = {}
    for version in session.scalars(select(ModuleVersion).order_by(ModuleVersion.version)):
        newest[version.code] = version
    carried = []
    for position, code in enumerate(sorted(newest)):
        wave.modules.append(WaveModule(module_version=newest[code], position=position))
        carried.append((newest[code], module_of(newest[code])))
    return carried


def _clamp(value: float, top: int) -> int:
    return max(1, min(top, round(value)))


def _lean(code: str) -> float:
    """A fixed lean in [-0.5, 0.5) per question or option, so that the demo's barriers and
    needs differ from each other as real ones do (the same on every run)."""
    return zlib.crc32(code.encode()) % 1000 / 1000 - 0.5


def draw(rng: random.Random, module: Module, maturity: float) -> dict:
    """Answers of a firm of ``maturity`` (0-1): barriers fall and agreement rises with it."""
    answers: dict = {}
    for question in module.questions:
        if question.kind == "rating":
            top = module.scale(question.scale).top
            # A rating with advice is a barrier (high is bad); the others are agreement.
            centre = top - (top - 1) * maturity if question.advice else 1 + (top - 1) * maturity
            centre += 1.6 * _lean(question.code)
            answers[question.code] = _clamp(rng.gauss(centre, 0.9), top)
        elif question.kind == "checklist":
            answers[question.code] = [
                o.code for o in question.options if rng.random() < 0.45 - 0.3 * maturity + 0.4 * _lean(o.code)
            ]
        elif question.code == "proposals" and rng.random() < 0.15:
            answers[question.code] = rng.choice(PROPOSALS)
    return answers


def answer(rng: random.Random, response: Response, carried, maturity: float) -> None:
    for version, module in carried:
        response.module_pins.append(ResponseModule(module_version_id=version.id))
        for question, option, number, text in module_answers.to_rows(module, draw(rng, module, maturity)):
            response.module_answers.append(
                ModuleAnswer(
                    module_version_id=version.id, question=question, option=option, number=number, text=text
                )
            )
