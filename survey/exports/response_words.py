"""The responses workbook in words (``labels="labels"``): what a person reads, in one language.

In words, every sheet name, header, coded value, codebook text and About item is in the
workbook's language (``"vi"`` or ``"en"``), as vi/en pairs held here like the column
catalogue's own (survey.exports.responses_workbook.RESPONSE_CATALOGUE). A coded value
(a kind of business, a state, a sector, a tier) is shown as its label, from the label
catalogue (survey.labels) or the Sector table, and is followed by a column of its codes
headed "… (mã)" / "… (code)", so that programs and analysts still have the codes.

The codes layout (``labels="codes"``) does not use this module: its headers are the column
codes and its codebook is bilingual, as the API (survey.api.responses) and the programs
that read it expect.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import has_app_context
from flask_babel import force_locale

from survey import labels as catalogue

#: The sheets' names in words (at most 31 characters).
SHEETS = {
    "vi": {
        "Responses": "Phiếu trả lời",
        "Scores": "Điểm",
        "Codebook": "Giải thích các cột",
        "About": "Thông tin",
    },
    "en": {"Responses": "Responses", "Scores": "Scores", "Codebook": "Codebook", "About": "About"},
}

#: How the header of a column of codes reads: the header of the column it codes, then this.
CODE_SUFFIX = {"vi": "(mã)", "en": "(code)"}


def code_header(header: str, lang: str) -> str:
    return f"{header} {CODE_SUFFIX[lang]}"


#: The catalogue columns whose values are codes, and the label catalogue's kind of each
#: (``sector``: the Sector table's names).
CODED = {
    "sector": "sector",
    "economic_pillar": "economic_pillar",
    "ownership": "ownership",
    "size_class": "size_class",
    "kind": "kind",
    "state": "state",
    "review_state": "review_state",
}

#: The fixed columns' headers in words (the Responses and Scores sheets), vi and en.
HEADERS: dict[str, tuple[str, str]] = {
    "response_id": ("Mã số phiếu", "Response number"),
    "tax_code": ("Mã số thuế hoặc số định danh cá nhân", "Tax code or personal ID"),
    "firm_name": ("Tên doanh nghiệp (người trả lời khai)", "Firm name (as the respondent gave it)"),
    "register_name": ("Tên trong danh sách doanh nghiệp", "Name in the register"),
    "unit_name": ("Phường, xã hoặc đặc khu", "Ward, commune or special zone"),
    "former_area": ("Quận/huyện cũ (trước 01/7/2025)", "Former district (before 1 July 2025)"),
    "sector": ("Ngành (VSIC 2018, cấp 1)", "Sector (VSIC 2018 section)"),
    "economic_pillar": ("Ngành kinh tế mũi nhọn", "Economic sector of focus"),
    "ownership": ("Loại hình doanh nghiệp", "Ownership"),
    "employees": ("Số lao động", "Employees"),
    "revenue_vnd": ("Doanh thu (đồng)", "Revenue (VND)"),
    "capital_vnd": ("Tổng nguồn vốn (đồng)", "Total capital (VND)"),
    "size_class": ("Quy mô doanh nghiệp", "Size class"),
    "kind": ("Loại hình cơ sở kinh doanh", "Kind of business"),
    "contact_name": ("Người liên hệ", "Contact person"),
    "contact_email": ("Thư điện tử liên hệ", "Contact e-mail"),
    "contact_phone": ("Điện thoại liên hệ", "Contact telephone"),
    "state": ("Trạng thái phiếu trả lời", "Response status"),
    "review_state": ("Kết quả rà soát", "Review outcome"),
    "review_reason": ("Lý do của kết quả rà soát", "Reason for the review outcome"),
    "rejected": ("Bị loại khi rà soát", "Rejected in review"),
    "created_at": ("Thời điểm tạo phiếu", "Started at"),
    "submitted_at": ("Thời điểm nộp phiếu", "Submitted at"),
    "updated_at": ("Thời điểm sửa lần cuối", "Last changed at"),
    "total_points": ("Tổng điểm", "Total points"),
    "tier": ("Nhóm", "Tier"),
}

#: The codebook's descriptions of fixed columns whose catalogue text names codes (or, in
#: English, reads poorly as a description in words); the others keep the catalogue's.
DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "tax_code": (
        "Mã số thuế (hộ, cá nhân kinh doanh: số định danh cá nhân, che trừ khi người xuất là quản trị viên)",
        "Tax code (household and individual businesses: the personal ID, masked unless an "
        "administrator exported)",
    ),
    "economic_pillar": (
        "Ngành kinh tế mũi nhọn của thành phố mà ngành của doanh nghiệp thuộc về",
        "The city's economic sector of focus that the firm's sector belongs to",
    ),
    "ownership": ("Loại hình doanh nghiệp theo sở hữu", "Ownership of the firm"),
    "kind": ("Loại hình cơ sở kinh doanh", "Kind of business"),
    "state": (
        "Trạng thái phiếu trả lời (đang điền hay đã nộp)",
        "Whether the response is being filled in or sent",
    ),
    "review_state": ("Kết quả rà soát của cán bộ", "Outcome of the staff's review"),
    "rejected": (
        "ĐÚNG (TRUE) nếu phiếu bị loại khi rà soát: không được tính vào số liệu thống kê",
        "TRUE if rejected in review: left out of the figures",
    ),
    "tier": ("Nhóm của doanh nghiệp theo tổng điểm", "The firm's tier by its points"),
}

#: What a column of codes says in the codebook, after the description of what it codes.
CODES_OF = {
    "vi": "Mã của cột “{header}”; các giá trị ở các dòng dưới.",
    "en": "The codes of the column “{header}”; the values are in the rows below.",
}
UNIT_CODE = {"vi": "Mã đơn vị hành chính cấp xã", "en": "Commune-level unit code"}

#: The codebook's kinds of column and of row, in words.
KINDS: dict[str, tuple[str, str]] = {
    "integer": ("Số nguyên", "Whole number"),
    "text": ("Chữ", "Text"),
    "boolean": ("Đúng/sai", "True or false"),
    "datetime": ("Ngày giờ", "Date and time"),
    "figure": ("Số liệu", "Figure"),
    "single": ("Chọn một", "Single choice"),
    "multi": ("Chọn nhiều", "Multiple choice"),
    "level": ("Chọn một", "Single choice"),
    "scale": ("Chọn một", "Single choice"),
    "0/1": ("Có/không (1/0)", "Yes/no (1/0)"),
    "percent": ("Tỷ lệ phần trăm", "Percentage"),
    "rating": ("Thang đánh giá", "Rating"),
    "code": ("Mã", "Code"),
    "label": ("Tên bằng chữ", "Label"),
    "band": ("Ngưỡng điểm", "Band"),
    "point": ("Mức của thang", "Scale point"),
    "option": ("Phương án", "Option"),
    "value": ("Giá trị", "Value"),
}

#: The codebook's header in words; "(mã)" columns hold codes.
CODEBOOK_HEADER = {
    "vi": (
        "Cột",
        "Cột (mã)",
        "Trang tính",
        "Kiểu",
        "Trụ cột",
        "Trụ cột (mã)",
        "Giá trị (mã)",
        "Điểm",
        "Điểm tối đa",
        "Nội dung",
    ),
    "en": (
        "Column",
        "Column (code)",
        "Sheet",
        "Kind",
        "Pillar",
        "Pillar (code)",
        "Value (code)",
        "Points",
        "Maximum points",
        "Description",
    ),
}
CODEBOOK_WIDTHS = (36, 18, 14, 14, 22, 14, 14, 8, 11, 80)

#: The framework's columns: headers and codebook texts around their own words.
FRAMEWORK_WORDS = {
    "vi": {
        "criterion": "{code} – {text}",
        "numerator": "{code} – {text}: tử số ({unit})",
        "denominator": "{code} – {text}: mẫu số ({unit})",
        "figure": "{label} ({unit})",
        "tech": "Công nghệ 4.0: {label}",
        "tech_text": "Công nghệ 4.0 đang dùng: {label} (1 = có, 0 = không)",
        "module": "{module}: {question}",
        "tick": "{module}: {question}: {option}",
        "pillar_points": "Điểm trụ cột {name}",
        "pillar_percent": "Tỷ lệ điểm trụ cột {name}",
        "pillar_level": "Mức trụ cột {name} (0–{top})",
        "component": "Điểm chỉ số thành phần {code} {name}",
        "overall_level": "Mức chung (0–{top})",
        "levels": "Mức chung: {levels}",
        "band": "Tỷ lệ {edge}",
        "provisional": " (thang điểm tạm thời)",
    },
    "en": {
        "criterion": "{code} – {text}",
        "numerator": "{code} – {text}: numerator ({unit})",
        "denominator": "{code} – {text}: denominator ({unit})",
        "figure": "{label} ({unit})",
        "tech": "Industry 4.0: {label}",
        "tech_text": "Industry 4.0 technology in use: {label} (1 = yes, 0 = no)",
        "module": "{module}: {question}",
        "tick": "{module}: {question}: {option}",
        "pillar_points": "Points in the pillar {name}",
        "pillar_percent": "Share of the maximum in the pillar {name}",
        "pillar_level": "Level of the pillar {name} (0–{top})",
        "component": "Points in the component index {code} {name}",
        "overall_level": "Overall level (0–{top})",
        "levels": "Overall level: {levels}",
        "band": "Share {edge}",
        "provisional": " (provisional bands)",
    },
}

#: The About sheet in words: its header, item names and sentences.
ABOUT = {
    "vi": {
        "header": ("Mục", "Nội dung"),
        "wave_name": "Đợt khảo sát",
        "wave_id": "Mã số đợt khảo sát",
        "wave_year": "Năm",
        "framework_code": "Bộ chỉ số (mã)",
        "framework_version": "Phiên bản bộ chỉ số",
        "framework_content_hash": "Dấu vân tay nội dung bộ chỉ số",
        "framework_title": "Tên bộ chỉ số",
        "filters": "Bộ lọc",
        "no_filters": "(không lọc: toàn bộ đợt khảo sát)",
        "filter": "Bộ lọc: {name}",
        "exported_at": "Thời điểm xuất",
        "time_zone": "Múi giờ",
        "time_zone_text": "{zone}: mọi thời điểm trong tệp này là giờ địa phương ở đó (UTC+7); "
        "Excel không lưu múi giờ kèm thời điểm.",
        "exported_by": "Người xuất",
        "rows": "Số dòng của trang {sheet}",
        "contacts_included": "Có thông tin liên hệ",
        "yes": "Có",
        "no": "Không",
        "personal_ids_included": "Có số định danh cá nhân đầy đủ",
        "personal_ids_yes": "Có: số định danh cá nhân của hộ, cá nhân kinh doanh được ghi đầy đủ "
        "(Luật 91/2025/QH15: dữ liệu cá nhân; cần giữ tệp này an toàn).",
        "personal_ids_no": "Không: số định danh cá nhân của hộ, cá nhân kinh doanh được che (031•••••••23).",
        "modules": "Các phần hỏi thêm không tính điểm",
        "module": "{title} (phiên bản {version}, dấu vân tay {hash})",
        "no_modules": "(không có)",
        "module_texts_included": "Có câu trả lời tự do của các phần hỏi thêm",
        "module_texts_yes": "Có: câu trả lời tự do nằm trong các cột của chúng (có thể nêu tên người: "
        "cần giữ tệp này an toàn).",
        "module_texts_no": "Không: câu trả lời tự do không được xuất, như thông tin liên hệ.",
        "answers_as": "Cách ghi câu trả lời",
        "answers_as_text": "Bằng chữ, tiếng Việt; mã nằm ở các cột có tiêu đề kết thúc bằng “(mã)”.",
        "rejected": "Phiếu bị loại",
        "rejected_text": "Cột “{column}” là ĐÚNG (TRUE) khi cán bộ loại phiếu khi rà soát; phiếu đó "
        "không được tính vào số liệu thống kê (cũng như phiếu chưa nộp) nhưng vẫn được liệt kê ở đây "
        "để không có gì bị ẩn.",
        "multi_choice": "Câu hỏi chọn nhiều",
        "multi_choice_text": "Câu trả lời chọn nhiều liệt kê các phương án đã chọn, "
        "cách nhau bằng dấu “{sep}”.",
        "codebook": "Trang giải thích",
        "codebook_text": "Trang “{sheet}” giải thích từng cột, với mã, tên và điểm của từng phương án, "
        "và thang của từng câu đánh giá trong các phần hỏi thêm.",
    },
    "en": {
        "header": ("Item", "Value"),
        "wave_name": "Wave",
        "wave_id": "Wave number",
        "wave_year": "Year",
        "framework_code": "Framework (code)",
        "framework_version": "Framework version",
        "framework_content_hash": "Framework content fingerprint",
        "framework_title": "Framework title",
        "filters": "Filters",
        "no_filters": "(no filter: the whole wave)",
        "filter": "Filter: {name}",
        "exported_at": "Exported at",
        "time_zone": "Time zone",
        "time_zone_text": "{zone}: every time in this workbook is local time there (UTC+7); "
        "Excel keeps no time zone with a time.",
        "exported_by": "Exported by",
        "rows": "Rows in the sheet {sheet}",
        "contacts_included": "Contact details included",
        "yes": "Yes",
        "no": "No",
        "personal_ids_included": "Personal IDs in full",
        "personal_ids_yes": "Yes: household and individual businesses' personal IDs are in full "
        "(Law 91/2025/QH15: personal data; keep this file safe).",
        "personal_ids_no": "No: household and individual businesses' personal IDs are masked (031•••••••23).",
        "modules": "Unscored modules",
        "module": "{title} (version {version}, fingerprint {hash})",
        "no_modules": "(none)",
        "module_texts_included": "Modules' free-text answers included",
        "module_texts_yes": "Yes: the modules' free-text answers are in their columns (they may name "
        "people: keep this file safe).",
        "module_texts_no": "No: the modules' free-text answers are left out, as the contacts.",
        "answers_as": "Answers shown as",
        "answers_as_text": "Words, in English; the codes are in the columns whose header ends in “(code)”.",
        "rejected": "Rejected responses",
        "rejected_text": "The column “{column}” is TRUE when staff rejected the response in review; it "
        "is left out of the figures (as are responses not yet submitted) but listed here so that "
        "nothing is hidden.",
        "multi_choice": "Multiple-choice answers",
        "multi_choice_text": "Multiple-choice answers list the chosen options separated by “{sep}”.",
        "codebook": "Codebook",
        "codebook_text": "The sheet “{sheet}” describes every column, with each option's code, label and "
        "points, and each module rating's scale.",
    },
}


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def coded_labels(kind: str, lang: str) -> dict[str, str]:
    """Code → label in ``lang`` of every value of a label catalogue's ``kind``."""
    with force_locale(lang):
        return dict(catalogue.choices(kind))


def option_rows(kind: str, lang: str, sectors: Mapping[str, str]) -> list[tuple[str, str]]:
    """(code, label) of every value a coded column may hold, in order."""
    if kind == "sector":
        return sorted(sectors.items())
    return list(coded_labels(kind, lang).items())


def sector_names(lang: str) -> dict[str, str]:
    """The Sector table's names in ``lang`` (code → name); empty outside an application."""
    if not has_app_context():
        return {}
    from sqlalchemy import select

    from survey.extensions import db
    from survey.models import Sector

    rows = db.session.execute(select(Sector.code, Sector.name_vi, Sector.name_en)).all()
    return {code: (name_en if lang == "en" else name_vi) for code, name_vi, name_en in rows}


def unit_names(codes) -> dict[str, str]:
    """The admin units' names (code → name) of ``codes``; empty outside an application."""
    codes = [str(c) for c in codes]
    if not codes or not has_app_context():
        return {}
    from sqlalchemy import select

    from survey.extensions import db
    from survey.models import AdminUnit

    rows = db.session.execute(select(AdminUnit.code, AdminUnit.name_vi).where(AdminUnit.code.in_(codes)))
    return dict(rows.all())


def filter_words(filters: dict, lang: str, sectors: Mapping[str, str]) -> list[tuple[str, str]]:
    """The filters as (name, value) in words in ``lang`` (survey.labels.filter_words)."""
    units = unit_names([filters["unit"]]) if "unit" in filters else {}
    with force_locale(lang):
        return catalogue.filter_words(filters, units, dict(sectors))
