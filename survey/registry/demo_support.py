"""Demo programmes for the support catalogue, of the kinds a Vietnamese city offers.

Modelled on real schemes, described in general terms: the national SMEdx programme
(assessed digital platforms for SMEs, launched by the Ministry of Information and
Communications, whose digital-transformation remit passed to the Ministry of Science and
Technology in 2025), the city's support to SMEs under Art. 11 of Decree 80/2021/NĐ-CP,
digital-skills training by the city's business associations, an e-invoice and cloud
accounting offer, and online-sales support. Amounts are left to the schemes' own terms;
contacts and every address but the SMEdx portal are invented for the demo (``example.vn``).
Dates follow the year the demo is seeded in, so that the demo never goes stale.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from survey.models import SupportProgramme
from survey.support import catalogue
from survey.support.vocabulary import vocabulary
from survey.timezone import LOCAL


def programmes(today: date) -> list[dict]:
    """The demo programmes' values as the catalogue takes them."""
    year = today.year
    return [
        {
            "name": "Chương trình hỗ trợ doanh nghiệp nhỏ và vừa chuyển đổi số (SMEdx)",
            "provider": "Bộ Khoa học và Công nghệ (chương trình do Bộ Thông tin và Truyền thông khởi động)",
            "offers": (
                "Các nền tảng số đã được đánh giá cho doanh nghiệp nhỏ và vừa (quản trị, bán hàng, "
                "kế toán, hóa đơn điện tử), nhiều nền tảng miễn phí hoặc ưu đãi trong thời gian đầu; "
                "công cụ tự đánh giá mức độ chuyển đổi số và tài liệu hướng dẫn."
            ),
            "link": "https://smedx.vn",
            "contact": "Bộ phận hỗ trợ của chương trình trên cổng smedx.vn",
            "levels": [0, 1, 2, 3],
            "sizes": ["micro", "small", "medium"],
        },
        {
            "name": "Hỗ trợ chuyển đổi số cho doanh nghiệp nhỏ và vừa theo Điều 11 Nghị định 80/2021/NĐ-CP",
            "provider": "Sở Khoa học và Công nghệ thành phố Hải Phòng",
            "offers": (
                "Hỗ trợ một phần chi phí thuê, mua giải pháp chuyển đổi số và chi phí tư vấn chuyển đổi "
                "số cho doanh nghiệp nhỏ và vừa, theo mức và điều kiện của Điều 11 Nghị định "
                "80/2021/NĐ-CP. Doanh nghiệp nộp hồ sơ đề nghị hỗ trợ tại Sở."
            ),
            "link": "https://hotro-doanhnghiep.example.vn/nghi-dinh-80",
            "contact": "Phòng Quản lý chuyển đổi số, Sở Khoa học và Công nghệ – cds@example.vn",
            "sizes": ["micro", "small", "medium"],
            "kinds": ["enterprise"],
            "needs": ["assessment", "management_software", "cloud", "security", "data", "finance"],
            "starts_on": date(year, 1, 1),
            "ends_on": date(year + 1, 12, 31),
        },
        {
            "name": "Lớp bồi dưỡng kỹ năng số cho chủ doanh nghiệp và người lao động",
            "provider": "Hiệp hội Doanh nghiệp thành phố Hải Phòng",
            "offers": (
                "Các buổi học ngắn, miễn phí cho hội viên: xây dựng kế hoạch chuyển đổi số, dùng phần "
                "mềm văn phòng và công cụ cộng tác trực tuyến, an toàn thông tin cơ bản."
            ),
            "link": "https://hiephoi.example.vn/dao-tao-ky-nang-so",
            "contact": "Văn phòng Hiệp hội – 0225 3000 000",
            "pillars": ["strategy", "culture"],
            "levels": [0, 1, 2],
            "starts_on": date(year, 3, 1),
            "ends_on": date(year, 11, 30),
        },
        {
            "name": "Hóa đơn điện tử và kế toán đám mây cho hộ kinh doanh, doanh nghiệp siêu nhỏ",
            "provider": "Các nhà cung cấp nền tảng số giới thiệu qua chương trình của thành phố",
            "offers": (
                "Hóa đơn điện tử khởi tạo từ máy tính tiền, sổ sách kế toán và lưu trữ trên đám mây, "
                "thuê theo tháng; ưu đãi năm đầu cho hộ kinh doanh mới dùng hóa đơn điện tử."
            ),
            "link": "https://nentang.example.vn/hoa-don-dien-tu",
            "contact": "Tổng đài 1900 0000 (giờ hành chính)",
            "sizes": ["micro", "household"],
            "needs": ["management_software", "cloud"],
            "ends_on": date(year, 12, 31),
        },
        {
            "name": "Đưa sản phẩm lên sàn thương mại điện tử",
            "provider": "Sở Công Thương thành phố Hải Phòng",
            "offers": (
                "Hướng dẫn mở gian hàng trên các sàn thương mại điện tử, chụp ảnh và viết mô tả sản "
                "phẩm, tham gia các đợt khuyến mại trực tuyến của thành phố."
            ),
            "link": "https://thuongmai.example.vn/san-tmdt",
            "contact": "Phòng Thương mại điện tử – tmdt@example.vn",
            "pillars": ["customer"],
            "levels": [0, 1, 2],
            "needs": ["ecommerce", "marketing"],
        },
    ]


def seed(session: Session, today: date | None = None) -> list[SupportProgramme]:
    """Add the demo programmes through the catalogue (validated and audited like an admin's);
    ``today`` (default: the city's) sets their years."""
    words = vocabulary(session)
    today = today or datetime.now(LOCAL).date()
    return [catalogue.create(session, values, words) for values in programmes(today)]
