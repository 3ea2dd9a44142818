"""The portfolio as a spreadsheet for the union's accountants: CSV or XLSX, in her language."""

from flask_babel import lazy_gettext as _l

from portal.capital.portfolio import LoanRow, SourceLine

COLUMNS = [
    _l("Loan"),
    _l("Project"),
    _l("Capital source"),
    _l("Disbursed on"),
    _l("Principal"),
    _l("Outstanding principal"),
    _l("Overdue principal"),
    _l("Overdue interest"),
    _l("Days past due"),
    _l("Ageing"),
]


def row(r: LoanRow) -> list:
    return [
        r.loan,
        r.project,
        r.source,
        r.disbursed_on.strftime("%d/%m/%Y"),
        r.principal,
        r.outstanding_principal,
        r.overdue_principal,
        r.overdue_interest,
        r.days_past_due,
        str(BUCKET_LABELS[r.bucket]),
    ]


BUCKET_LABELS = {
    "current": _l("Current"),
    "1-30": _l("1–30 days"),
    "31-60": _l("31–60 days"),
    "61-90": _l("61–90 days"),
    "91-180": _l("91–180 days"),
    "180+": _l("Over 180 days"),
}


SOURCE_COLUMNS = [
    _l("Capital source"),
    _l("Unit"),
    _l("Loans"),
    _l("Principal disbursed"),
    _l("Principal repaid"),
    _l("Outstanding principal"),
    *(_l("Outstanding, %(bucket)s", bucket=label) for label in BUCKET_LABELS.values()),
    _l("PAR30, in percent"),
    _l("Grants paid"),
    _l("Grants planned"),
    _l("In-kind support given"),
]


def source_row(line: SourceLine) -> list:
    return [
        line.source.name,
        line.source.unit.full_name,
        line.loans,
        line.disbursed,
        line.repaid,
        line.outstanding,
        *(line.by_bucket[name] for name in BUCKET_LABELS),
        float(line.par30_ratio * 100),
        line.grants_paid,
        line.grants_planned,
        line.in_kind,
    ]
