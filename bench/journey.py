"""Simulated respondents walking the whole journey over HTTP, as a browser would.

Each respondent opens every page, posts every form, follows every redirect and keeps
its cookie. When the server is unreachable (killed, restarting) it waits and sends
the same request again with the cookie it had, which is what a person pressing the
button again does. Every request is timed by step.
"""

from __future__ import annotations

import http.client
import itertools
import random
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from stdnum.vn import mst

from bench.servers import session_cookie
from survey.registry.demo import draw_answers

CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
#: Failures that mean "the server is not there right now" (refused, reset, cut off): try again.
UNREACHABLE = (OSError, http.client.HTTPException)


def tax_codes(count: int, prefix: str = "04") -> list[str]:
    """``count`` distinct valid tax codes, clear of the demo data's prefixes."""
    codes = []
    for serial in itertools.count(1):
        body = f"{prefix}{serial:07d}"
        check = mst.calc_check_digit(body)
        if len(check) == 1:
            codes.append(body + check)
            if len(codes) == count:
                return codes
    raise AssertionError("unreachable")


@dataclass
class Respondent:
    """What one simulated firm types: its tax code, its profile and its answers."""

    number: int
    tax_code: str
    firm: dict
    pages: list[list[tuple[str, str]]]  # one form per assessment page, technologies last

    @property
    def address(self) -> str:
        # Each respondent is its own client behind the proxy (X-Forwarded-For), so the
        # per-address rate limits apply to it as they would to a real firm.
        n = self.number
        return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def respondents(
    framework, count: int, units: list[int], sectors: list[str], seed: int = 7
) -> list[Respondent]:
    rng = random.Random(seed)
    people = []
    for number, code in enumerate(tax_codes(count), start=1):
        answers = draw_answers(rng, framework, rng.random())
        pages = []
        for pillar in framework.pillars:
            form = []
            for criterion in pillar.criteria:
                value = answers[criterion.code]
                form += [(criterion.code, v) for v in (value if isinstance(value, list) else [value])]
            pages.append(form)
        technologies = [t.code for t in framework.technologies if rng.random() < 0.3]
        pages.append([("technologies", t) for t in technologies])
        firm = {
            "firm_name": f"Công ty TNHH Thử tải {number}",
            "unit_id": str(rng.choice(units)),
            "sector_code": rng.choice(sectors),
            "ownership": "private",
            "employees": str(rng.randint(1, 400)),
            "revenue_bn": f"{rng.uniform(0.5, 300):.1f}".replace(".", ","),
            "capital_bn": "",
            "contact_name": f"Người trả lời {number}",
            "contact_email": f"r{number}@example.vn",
            "contact_phone": "0912 345 678",
            "website": "",
        }
        people.append(Respondent(number, code, firm, pages))
    return people


@dataclass
class Tally:
    """Everything the load saw, shared by the client threads (under ``lock``)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    retries: Counter = field(default_factory=Counter)  # requests sent again, by step and method
    acknowledged: set[str] = field(default_factory=set)  # tax codes whose submit was answered 303
    completed: set[str] = field(default_factory=set)  # tax codes that reached their result page
    failures: list[tuple[str, str]] = field(default_factory=list)  # (tax code, what went wrong)
    requests_per_port: Counter = field(default_factory=Counter)

    def record(self, step: str, seconds: float, status: int, port: int) -> None:
        with self.lock:
            self.latencies[step].append(seconds)
            self.statuses[status] += 1
            self.requests_per_port[port] += 1

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


class JourneyFailed(Exception):
    pass


class Browser:
    """One respondent's connection and cookie; ``ports`` are taken in turn per request."""

    def __init__(self, ports: list[int], tally: Tally, patience: float):
        self.ports = itertools.cycle(ports)
        self.tally = tally
        self.patience = patience
        self.cookie = ""
        self.headers: dict[str, str] = {}
        self.connections: dict[int, http.client.HTTPConnection] = {}

    def request(self, step: str, method: str, path: str, form: list[tuple[str, str]] | None = None):
        """Send until the server answers (or patience runs out); returns (status, location, body)."""
        body = urlencode(form) if form is not None else None
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookie:
            headers["Cookie"] = self.cookie
        give_up = time.monotonic() + self.patience
        while True:
            port = next(self.ports)
            started = time.perf_counter()
            try:
                conn = self.connections.get(port) or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                self.connections[port] = conn
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                page = response.read()
            except UNREACHABLE:
                stale = self.connections.pop(port, None)
                if stale is not None:
                    stale.close()
                with self.tally.lock:
                    self.tally.retries[f"{step} {method}"] += 1
                if time.monotonic() > give_up:
                    raise JourneyFailed(f"{method} {path}: server unreachable") from None
                time.sleep(0.25)
                continue
            self.tally.record(f"{step} {method}", time.perf_counter() - started, response.status, port)
            self.cookie = session_cookie(response) or self.cookie
            location = urlsplit(response.getheader("Location") or "")
            target = location.path + (f"?{location.query}" if location.query else "")
            return response.status, target, page.decode("utf-8", "replace")

    def close(self) -> None:
        for conn in self.connections.values():
            conn.close()


def walk(person: Respondent, ports: list[int], tally: Tally, patience: float) -> None:
    """The whole journey: start, firm, every assessment page, review, submit, result."""
    # Every request goes to the next instance, and half the respondents begin on each, so
    # each instance serves as many pages (the heavier requests) as posts.
    turn = person.number % len(ports)
    browser = Browser(ports[turn:] + ports[:turn], tally, patience)
    browser.headers["X-Forwarded-For"] = person.address
    try:

        def page(step: str, path: str) -> str:
            status, _, html = browser.request(step, "GET", path)
            if status != 200:
                raise JourneyFailed(f"GET {path}: {status}")
            return CSRF.search(html).group(1) if "csrf_token" in html else ""

        def post(step: str, path: str, token: str, form: list[tuple[str, str]], expect: int = 302) -> str:
            status, location, html = browser.request(step, "POST", path, [("csrf_token", token), *form])
            if status != expect:
                raise JourneyFailed(f"POST {path}: {status} {html[:200]!r}")
            return location

        token = page("start", "/start")
        next_page = post("start", "/start", token, [("tax_code", person.tax_code), ("consent", "y")])
        token = page("firm", next_page)
        next_page = post("firm", "/firm", token, list(person.firm.items()))
        for number, form in enumerate(person.pages, start=1):
            step = f"page {number}" if number < len(person.pages) else "technologies"
            token = page(step, next_page)
            next_page = post(step, f"/assessment/{number}", token, [("action", "next"), *form])
        token = page("review", next_page)
        next_page = post("submit", "/submit", token, [], expect=303)
        with tally.lock:
            tally.acknowledged.add(person.tax_code)
        page("result", next_page)
        with tally.lock:
            tally.completed.add(person.tax_code)
    except JourneyFailed as exc:
        with tally.lock:
            tally.failures.append((person.tax_code, str(exc)[:300]))
    finally:
        browser.close()


def run(
    people: list[Respondent], ports: list[int], concurrency: int, patience: float = 5.0, tally=None
) -> tuple:
    """Walk every respondent, ``concurrency`` at a time; returns (tally, wall seconds)."""
    tally = tally or Tally()
    queue = iter(people)
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                person = next(queue, None)
            if person is None:
                return
            walk(person, ports, tally, patience)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]
