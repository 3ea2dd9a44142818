"""The guard: every page and export of the demo, as every demo role, in Vietnamese, shows no
English sentence of our catalogue and no raw code (an enum's value, an audit action)."""

import enum
import html
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from docx import Document
from openpyxl import load_workbook

from portal.auth.models import User
from portal.core.audit import ACTION_LABELS
from portal.demo.services import DEMO_PASSWORD, load_demo
from portal.extensions import db
from tests.snapshots import cached

pytestmark = pytest.mark.usefixtures("frozen_time")

ROLES = [
    "ungvien@demo.hoilhpn.vn",  # applicant with a draft
    "ungvien2@demo.hoilhpn.vn",  # winner: certificate, prize partly paid
    "lo.thi.xuan@demo.hoilhpn.vn",  # applicant with a submitted entry
    "giamkhao@demo.hoilhpn.vn",  # judge
    "tochuc.dienbien@demo.hoilhpn.vn",  # organiser of a province
    "tochuc.muongphang@demo.hoilhpn.vn",  # organiser of a commune
    "tochuc.laocai@demo.hoilhpn.vn",  # organiser of Lào Cai, and a judge
    "tochuc.trunguong@demo.hoilhpn.vn",  # organiser of the national unit
    "admin@demo.hoilhpn.vn",
    None,  # anonymous
]

# Each URL argument and the demo's rows that fill it: every competition and round (each in its
# own state), one entry of each status in each competition, a few people.
ARGUMENTS = {
    "competition_id": "SELECT id FROM competition",
    "entry_id": "SELECT min(id) FROM entry GROUP BY competition_id, status",
    "round_id": "SELECT id FROM competition_round",
    "award_id": "SELECT id FROM award",
    "user_id": "SELECT id FROM user_account ORDER BY id LIMIT 3",
    "tier_id": "SELECT id FROM prize_tier",
    "payment_id": "SELECT id FROM prize_payment",
    "project_id": "SELECT id FROM supported_project",
    "milestone_id": "SELECT min(id) FROM milestone GROUP BY status",
    "report_id": "SELECT min(id) FROM progress_report GROUP BY project_id, status",
    "kind_id": "SELECT id FROM milestone_kind LIMIT 2",
    "product_id": "SELECT id FROM ocop_product",
    "rating_id": "SELECT id FROM ocop_rating",
    "activity_id": "SELECT id FROM support_activity",
    "source_id": "SELECT id FROM capital_source",
    "agreement_id": "SELECT id FROM support_agreement",
    "loan_id": "SELECT id FROM loan",
    "account": "SELECT DISTINCT account FROM ledger_line",
    "indicator": "SELECT 'entries' UNION SELECT 'loans' UNION SELECT 'grants'"
    " UNION SELECT 'ocop_products' UNION SELECT 'jobs_women' UNION SELECT 'out_of_poverty'"
    " UNION SELECT 'higher_round_ideas' UNION SELECT 'par30' UNION SELECT 'credit_groups'",
    "repayment_id": "SELECT min(id) FROM loan_repayment GROUP BY loan_id",
    "token_id": "SELECT id FROM api_token",
    "code": "SELECT certificate_code FROM award WHERE certificate_code IS NOT NULL",
    "import_id": "SELECT id FROM credit_import",
}
# Pairs that only make sense together.
PAIRS = {
    ("entry_id", "round_id"): "SELECT min(entry_id), round_id FROM judge_assignment"
    " GROUP BY round_id, judge_id",
    ("attachment_id", "entry_id"): "SELECT id, entry_id FROM entry_attachment",
}
SKIPPED = {
    "static",
    "main.healthz",
    "units.communes",  # JSON for the commune picker: names of places
    "awards.certificate",  # a PDF (its text is tested in tests/awards)
    "awards.certificates_zip",
    "entries.attachment",  # files as uploaded
    "judging.entry_attachment",
    "awards.payment_receipt",
    "projects.external_evidence",
    "projects.milestone_file",
    "projects.report_photo",
    "projects.story_photo",
    "capital.repayment_slip",
    "capital.in_kind_receipt",
    "capital.repayment_receipt",  # a PDF, in Vietnamese (tests/capital/test_my_support.py)
}

CATALOGUE = Path(__file__).resolve().parents[1] / "portal/translations/vi/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def _english_phrases() -> set[str]:
    """The English of every message of three words or more whose Vietnamese differs (the parts
    between placeholders, each of three words or more)."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="vi")
    phrases = set()
    for message in catalogue:
        if not message.id:
            continue
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        vietnamese = message.string if isinstance(message.string, tuple) else (message.string,)
        if set(english) & set(vietnamese):
            continue
        for text in english:
            for part in PLACEHOLDER.split(text):
                part = part.strip(" .,:;“”\"'()")
                if len(part.split()) >= 3:
                    phrases.add(part)
    return phrases


def _raw_codes() -> set[str]:
    """The value of every StrEnum of the models, and every audit action code."""
    codes = set(ACTION_LABELS)
    pending = list(enum.StrEnum.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("portal."):
            codes |= {member.value for member in cls}
    return codes


TAGS = re.compile(r"<(script|style|samp|code)\b.*?</\1>|<[^>]+>", re.S)
# Text marked as English on purpose (an admin's English name of a kind of milestone, beside the
# Vietnamese one) is not a slip of the catalogue.
MARKED_ENGLISH = re.compile(r'<(td|span|p)\b[^>]*\blang="en"[^>]*>.*?</\1>', re.S)
URLS = re.compile(r"https?://\S+|\S+@\S+|/[\w./?=&%-]+")


def visible_text(body: str) -> str:
    """What a person reads: no tags, attributes, scripts, code samples, URLs or e-mail addresses."""
    return URLS.sub(" ", html.unescape(TAGS.sub(" ", MARKED_ENGLISH.sub(" ", body))))


def _export_text(response) -> str:
    if response.mimetype.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(response.data), read_only=True)
        return "\n".join(
            [sheet.title for sheet in book.worksheets]
            + [
                " | ".join("" if v is None else str(v) for v in row)
                for sheet in book.worksheets
                for row in sheet.iter_rows(values_only=True)
            ]
        )
    if response.mimetype.endswith("wordprocessingml.document"):
        document = Document(io.BytesIO(response.data))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    return URLS.sub(" ", response.get_data(as_text=True))


def _urls(app) -> list[tuple[str, str]]:
    """Every GET page of the app, with its ids filled from the demo's rows."""
    rows = {name: [r[0] for r in db.session.execute(sa.text(q))] for name, q in ARGUMENTS.items()}
    pairs = {names: db.session.execute(sa.text(q)).all() for names, q in PAIRS.items()}
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIPPED or "token" in rule.arguments:
            continue
        arguments = sorted(rule.arguments)
        if tuple(arguments) in pairs:
            choices = [dict(zip(arguments, row, strict=True)) for row in pairs[tuple(arguments)]]
        elif arguments == ["kind"] or arguments == ["competition_id", "kind"]:
            base = (
                [{}]
                if arguments == ["kind"]
                else [{"competition_id": i} for i in rows["competition_id"]]
            )
            kinds = getattr(rule._converters["kind"], "items", None) or ("csv", "xlsx")
            choices = [{**b, "kind": kind} for b in base for kind in sorted(kinds)]
        elif len(arguments) == 1:
            choices = [{arguments[0]: value} for value in rows[arguments[0]]]
        else:
            choices = [{}]
        for values in choices:
            urls.append((rule.endpoint, rule.build(values, append_unknown=False)[1]))
    return urls


@pytest.fixture
def demo(app):
    cached(load_demo)
    db.session.execute(sa.update(User).values(language="vi"))
    db.session.commit()


def _problems(client, urls, phrases, codes) -> list[str]:
    code_pattern = re.compile(
        r"(?<![\w.])(" + "|".join(map(re.escape, sorted(codes))) + r")(?![\w])"
    )
    problems = []
    for _endpoint, url in urls:
        response = client.get(url, headers={"Accept-Language": "vi"})
        if response.status_code != 200:
            continue
        if (
            response.mimetype in ("text/csv",)
            or "spreadsheet" in response.mimetype
            or "wordprocessing" in response.mimetype
        ):
            text = _export_text(response)
        elif response.mimetype == "text/html":
            text = visible_text(response.get_data(as_text=True))
        else:
            continue
        flat = " ".join(text.split())
        english = sorted(p for p in phrases if p in flat)
        raw = sorted(set(code_pattern.findall(flat)))
        if english or raw:
            problems.append(f"{url}: English {english} raw {raw}")
    return problems


def test_the_guard_sees_english(app, client):
    """The same check on an English page finds English: the guard is not blind."""
    page = visible_text(
        client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    )
    assert any(phrase in " ".join(page.split()) for phrase in _english_phrases())


@pytest.mark.parametrize("email", ROLES)
def test_every_page_and_export_of_the_demo_is_in_vietnamese(app, client, demo, email):
    if email:
        response = client.post_form("/login", {"account": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302
    problems = _problems(client, _urls(app), _english_phrases(), _raw_codes())
    assert not problems, "\n".join(problems)
