"""Follow-on capital's pages: the unit's capital sources and their contributions, proposing
support for a project, an agreement's page (the second signature, a loan's disbursement,
repayments and their reversal), the loan portfolio and its export, and the winner's "My
support"."""

from contextlib import suppress
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import (
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from portal.auth.models import Role
from portal.capital import bp, exports, mine, portfolio
from portal.capital.agreements import services as agreements
from portal.capital.common import may_manage_unit
from portal.capital.forms import (
    ApproveRestructuringForm,
    ApproveWriteOffForm,
    CloseForm,
    ContributionForm,
    DecisionForm,
    DisburseForm,
    InKindForm,
    PayTrancheForm,
    ProposeForm,
    RecoveryForm,
    RejectForm,
    RejectRestructuringForm,
    ReleaseTrancheForm,
    RepaymentForm,
    RestructureForm,
    ReverseInKindForm,
    ReverseRepaymentForm,
    ReverseTrancheForm,
    SourceForm,
    TrancheForm,
    WriteOffForm,
)
from portal.capital.in_kind import services as in_kind
from portal.capital.loans import services as loans
from portal.capital.loans import writeoff
from portal.capital.loans.schedule import METHOD_LABELS, Terms, schedule
from portal.capital.models import (
    AgreementKind,
    AgreementStatus,
    CapitalSource,
    Loan,
    Repayment,
    SupportAgreement,
)
from portal.capital.restructuring import services as restructuring
from portal.capital.sources import services as sources
from portal.capital.tranches import services as tranches
from portal.core import cache, idempotency, storage
from portal.core.errors import DomainError
from portal.core.forms import form_status, show_error
from portal.core.inputs import bounded_int
from portal.core.permissions import STAFF_ROLES, load_or_404, roles_required
from portal.core.spreadsheets import as_csv, as_xlsx
from portal.core.time import utcnow, vietnam_date
from portal.extensions import db
from portal.projects.milestones.services import kinds as milestone_kinds
from portal.projects.models import SupportedProject
from portal.projects.services import scoped_query
from portal.units import services as unit_services

PER_PAGE = 50


def _sources_page(form: SourceForm | None = None, contribution_forms: dict | None = None):
    found = sources.sources_of(current_user)
    form = form or SourceForm(formdata=None)
    form.unit.choices = [
        SelectChoice(str(u.id), u.full_name) for u in current_user.organiser_units()
    ]
    contribution_forms = contribution_forms or {}
    for source in found:
        contribution_forms.setdefault(
            source.id, ContributionForm(formdata=None, prefix=f"source-{source.id}")
        )
    return render_template(
        "capital/sources.html",
        sources=found,
        balances=sources.balances(found),
        form=form,
        contribution_forms=contribution_forms,
    )


@bp.route("/capital/sources", methods=["GET", "POST"], endpoint="sources")
@roles_required(*STAFF_ROLES)
def sources_view():
    form = SourceForm()
    form.unit.choices = [
        SelectChoice(str(u.id), u.full_name) for u in current_user.organiser_units()
    ]
    refusal = None
    if form.validate_on_submit():
        try:
            sources.create_source(
                current_user,
                bounded_int(form.unit.data),
                form.name.data,
                form.kind.data,
                form.partner.data or "",
            )
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(_("The capital source is recorded."), "success")
            return redirect(url_for("capital.sources"))
    if request.method == "GET":
        return _sources_page()
    return _sources_page(form), form_status(form, refusal)


@bp.route("/capital/sources/<int:source_id>/contributions", methods=["POST"], endpoint="contribute")
@roles_required(*STAFF_ROLES)
def contribute(source_id: int):
    source = load_or_404(
        CapitalSource, source_id, allowed=lambda user, s: may_manage_unit(user, s.unit_id)
    )
    form = ContributionForm(prefix=f"source-{source.id}")
    refusal = None
    if form.validate_on_submit():
        try:
            sources.contribute(
                current_user,
                source,
                form.amount.data,
                form.received_on.data,
                form.note.data or "",
                now=utcnow(),
                form_key=request.form.get("form_key"),
            )
        except idempotency.AlreadySent:
            return redirect(url_for("capital.sources"))
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(_("The contribution is recorded."), "success")
            return redirect(url_for("capital.sources"))
    return _sources_page(contribution_forms={source.id: form}), form_status(form, refusal)


@bp.route(
    "/capital/projects/<int:project_id>/support/new",
    methods=["GET", "POST"],
    endpoint="propose",
)
@roles_required(*STAFF_ROLES)
def propose(project_id: int):
    project = load_or_404(SupportedProject, project_id, allowed=agreements.may_propose)
    form = ProposeForm()
    choices = agreements.sources_for(project)
    form.source.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(s.id), f"{s.name} ({s.kind.label})") for s in choices
    ]
    refusal = None
    if form.validate_on_submit():
        try:
            agreement = agreements.propose(
                current_user,
                project,
                kind=form.kind.data,
                source_id=bounded_int(form.source.data),
                amount=form.amount.data,
                purpose=form.purpose.data or "",
                loan=agreements.LoanTerms(
                    form.rate.data,
                    form.periods.data,
                    form.grace.data,
                    form.frequency.data,
                    form.method.data,
                ),
                now=utcnow(),
                form_key=request.form.get("form_key"),
            )
        except idempotency.AlreadySent:
            return redirect(url_for("projects.detail", project_id=project.id))
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(
                _("The support is proposed: a second organiser of the unit must approve it."),
                "success",
            )
            return redirect(url_for("capital.agreement", agreement_id=agreement.id))
    return render_template("capital/propose.html", project=project, form=form), form_status(
        form, refusal
    )


def _may_see(user, agreement: SupportAgreement) -> bool:
    return user.is_authenticated and (
        agreement.project.owner_id == user.id or may_manage_unit(user, agreement.project.unit_id)
    )


def tranche_form(**kwargs) -> TrancheForm:
    """The form that plans a tranche, with the kinds of milestone that may release it."""
    form = TrancheForm(**kwargs)
    form.milestone_kind.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(k.id), k.label) for k in milestone_kinds()
    ]
    return form


def agreement_page(agreement: SupportAgreement, **forms):
    """The agreement's page, with the forms given (kept as typed after a refusal) or fresh."""
    loan = agreement.loan
    rows = []
    if loan is not None and loan.disbursed_on is None:
        rows = schedule(
            Terms(
                loan.principal,
                loan.rate,
                loan.periods,
                loan.grace,
                loan.frequency,
                loan.method,
                loan.disbursed_on or vietnam_date(utcnow()),
            )
        )
    version = {"version": str(agreement.version)}
    repayments = loans.repayments_of(loan) if loan is not None else []
    grant = {}
    if agreement.kind is AgreementKind.GRANT:
        lines = tranches.tranches_of(agreement)
        pay_forms = forms.get("pay_forms") or {}
        grant = {
            "tranches": lines,
            "tranche": forms.get("tranche") or tranche_form(formdata=None, prefix="tranche"),
            "release_forms": {
                line.tranche.id: ReleaseTrancheForm(
                    formdata=None, data={"version": str(line.tranche.version)}
                )
                for line in lines
            },
            "pay_forms": {
                line.tranche.id: pay_forms.get(line.tranche.id)
                or PayTrancheForm(formdata=None, prefix=f"pay-{line.tranche.id}")
                for line in lines
            },
            "reverse_tranche_forms": {
                line.tranche.id: ReverseTrancheForm(
                    formdata=None, prefix=f"reverse-tranche-{line.tranche.id}"
                )
                for line in lines
            },
        }
    goods = {}
    if agreement.kind is AgreementKind.IN_KIND:
        items = in_kind.items_of(agreement)
        goods = {
            "items": items,
            "delivered": sum(i.value for i in items if i.reversed_at is None),
            "in_kind": forms.get("in_kind") or InKindForm(formdata=None, prefix="in-kind"),
            "reverse_item_forms": {
                i.id: ReverseInKindForm(formdata=None, prefix=f"reverse-item-{i.id}") for i in items
            },
        }
    hardship = {}
    if loan is not None and loan.disbursed_on is not None:
        pending = restructuring.pending_of(loan)
        hardship = {
            "restructurings": restructuring.restructurings_of(loan),
            "pending_plan": pending
            and restructuring.plan(loan, pending.effective_on, pending.periods, pending.grace),
            "decides_restructuring": pending is not None
            and restructuring.may_decide(current_user, pending),
            "decides_write_off": writeoff.may_approve(current_user, loan),
            "recoveries": writeoff.recoveries_of(loan),
        }
    return render_template(
        "capital/agreement.html",
        agreement=agreement,
        project=agreement.project,
        loan=loan,
        rows=rows,
        manages=may_manage_unit(current_user, agreement.project.unit_id),
        decides=agreements.may_decide(current_user, agreement),
        method_labels=METHOD_LABELS,
        available=sources.available(agreement.source),
        decide=forms.get("decide") or DecisionForm(formdata=None, data=version),
        refuse=forms.get("refuse") or RejectForm(formdata=None, prefix="reject", data=version),
        disburse=forms.get("disburse") or DisburseForm(formdata=None),
        repay=forms.get("repay") or RepaymentForm(formdata=None),
        repayments=repayments,
        reverse_forms={
            r.id: ReverseRepaymentForm(formdata=None, prefix=f"reverse-{r.id}")
            for r in repayments
            if r.reversed_at is None
        },
        restructure=forms.get("restructure")
        or RestructureForm(formdata=None, prefix="restructure"),
        approve_restructuring=ApproveRestructuringForm(formdata=None, prefix="restructuring"),
        reject_restructuring=forms.get("reject_restructuring")
        or RejectRestructuringForm(formdata=None, prefix="restructuring-reject"),
        write_off=forms.get("write_off") or WriteOffForm(formdata=None, prefix="write-off"),
        approve_write_off=ApproveWriteOffForm(formdata=None, prefix="write-off-approve"),
        recover=forms.get("recover") or RecoveryForm(formdata=None, prefix="recovery"),
        closes=agreements.may_close(current_user, agreement),
        stop=forms.get("stop") or CloseForm(formdata=None, prefix="close", data=version),
        **hardship,
        **grant,
        **goods,
    )


@bp.route("/capital/agreements/<int:agreement_id>", endpoint="agreement")
@login_required
def agreement(agreement_id: int):
    return agreement_page(load_or_404(SupportAgreement, agreement_id, allowed=_may_see))


@bp.route("/capital/agreements/<int:agreement_id>/approve", methods=["POST"], endpoint="approve")
@roles_required(*STAFF_ROLES)
def approve(agreement_id: int):
    agreement = load_or_404(SupportAgreement, agreement_id, allowed=agreements.may_decide)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            agreements.approve(
                current_user, agreement, expected_version=bounded_int(form.version.data) or 0
            )
        except DomainError as error:
            show_error(form, error)
            return agreement_page(agreement, decide=form), error.status
        flash(_("The support is approved; the winner has been told."), "success")
        return redirect(url_for("capital.agreement", agreement_id=agreement.id))
    return agreement_page(agreement, decide=form), form_status(form)


@bp.route("/capital/agreements/<int:agreement_id>/reject", methods=["POST"], endpoint="reject")
@roles_required(*STAFF_ROLES)
def reject(agreement_id: int):
    agreement = load_or_404(SupportAgreement, agreement_id, allowed=agreements.may_decide)
    form = RejectForm(prefix="reject")
    if form.validate_on_submit():
        try:
            agreements.reject(
                current_user,
                agreement,
                form.reason.data,
                expected_version=bounded_int(form.version.data) or 0,
            )
        except DomainError as error:
            show_error(form, error)
            return agreement_page(agreement, refuse=form), error.status
        flash(_("The support is not approved."), "info")
        return redirect(url_for("capital.agreement", agreement_id=agreement.id))
    return agreement_page(agreement, refuse=form), form_status(form)


@bp.route("/capital/agreements/<int:agreement_id>/close", methods=["POST"], endpoint="close")
@roles_required(*STAFF_ROLES)
def close(agreement_id: int):
    agreement = load_or_404(SupportAgreement, agreement_id, allowed=_manages_agreement)
    form = CloseForm(prefix="close")
    refusal = None
    if form.validate_on_submit():
        try:
            agreements.close(
                current_user,
                agreement,
                form.reason.data,
                expected_version=bounded_int(form.version.data) or 0,
            )
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(_("The support is stopped; the winner has been told."), "info")
            return redirect(url_for("capital.agreement", agreement_id=agreement.id))
    return agreement_page(agreement, stop=form), form_status(form, refusal)


@bp.route("/capital/agreements", endpoint="agreements")
@roles_required(*STAFF_ROLES)
def agreements_list():
    status = None
    with suppress(ValueError):
        status = AgreementStatus(request.args.get("status", ""))
    project_id = bounded_int(request.args.get("project"))
    return render_template(
        "capital/agreements.html",
        agreements=agreements.agreements_of(current_user, status=status, project_id=project_id),
        status=status,
        statuses=list(AgreementStatus),
        project_id=project_id,
    )


@bp.route("/my/support", endpoint="my_support")
@login_required
def my_support():
    return render_template(
        "capital/mine.html", support=mine.my_support(current_user, vietnam_date(utcnow()))
    )


def _manages_agreement(user, agreement: SupportAgreement) -> bool:
    return may_manage_unit(user, agreement.project.unit_id)


@bp.route("/capital/agreements/<int:agreement_id>/disburse", methods=["POST"], endpoint="disburse")
@roles_required(*STAFF_ROLES)
def disburse(agreement_id: int):
    agreement = load_or_404(SupportAgreement, agreement_id, allowed=_manages_agreement)
    form = DisburseForm()
    if form.validate_on_submit():
        try:
            loans.disburse(
                current_user,
                agreement,
                form.disbursed_on.data,
                now=utcnow(),
                form_key=request.form.get("form_key"),
            )
        except idempotency.AlreadySent:
            return redirect(url_for("capital.agreement", agreement_id=agreement.id))
        except DomainError as error:
            show_error(form, error)
            return agreement_page(agreement, disburse=form), error.status
        flash(_("The disbursement is recorded; the schedule runs from that day."), "success")
        return redirect(url_for("capital.agreement", agreement_id=agreement.id))
    return agreement_page(agreement, disburse=form), form_status(form)


@bp.route("/capital/loans/<int:loan_id>/repayments", methods=["POST"], endpoint="repay")
@roles_required(*STAFF_ROLES)
def repay(loan_id: int):
    loan = load_or_404(Loan, loan_id, allowed=lambda user, loan: loans.may_manage(user, loan))
    form = RepaymentForm()
    if form.validate_on_submit():
        try:
            loans.record_repayment(
                current_user,
                loan,
                paid_on=form.paid_on.data,
                amount=form.amount.data,
                method=form.method.data,
                reference=form.reference.data or "",
                early=form.early.data,
                receipt=uploaded(form.receipt.data),
                now=utcnow(),
                form_key=request.form.get("form_key"),
            )
        except idempotency.AlreadySent:
            return redirect(url_for("capital.agreement", agreement_id=loan.agreement_id))
        except DomainError as error:
            show_error(form, error)
            choose_again(form.receipt)
            return agreement_page(loan.agreement, repay=form), error.status
        flash(_("The repayment is recorded."), "success")
        return redirect(url_for("capital.agreement", agreement_id=loan.agreement_id))
    choose_again(form.receipt)
    return agreement_page(loan.agreement, repay=form), form_status(form)


def choose_again(field) -> None:
    """A browser never sends a chosen file again: say so rather than lose it silently."""
    if getattr(field.data, "filename", "") and not field.errors:
        field.errors = [_("Choose the receipt file again.")]


def uploaded(upload) -> tuple[bytes, str] | None:
    return (upload.read(), upload.filename or "") if upload and upload.filename else None


@bp.route("/capital/repayments/<int:repayment_id>/slip", endpoint="repayment_slip")
@login_required
def repayment_slip(repayment_id: int):
    """The receipt or bank slip kept with a repayment: the borrower's and her organisers'."""
    repayment = load_or_404(Repayment, repayment_id, allowed=loans.may_see_receipt)
    return storage.send_stored(
        repayment.receipt_stored_name,
        repayment.receipt_content_type,
        repayment.receipt_filename,
        "receipt",
    )


@bp.route(
    "/capital/repayments/<int:repayment_id>/reverse", methods=["POST"], endpoint="reverse_repayment"
)
@roles_required(*STAFF_ROLES)
def reverse_repayment(repayment_id: int):
    repayment = load_or_404(
        Repayment, repayment_id, allowed=lambda user, r: loans.may_manage(user, r.loan)
    )
    form = ReverseRepaymentForm(prefix=f"reverse-{repayment.id}")
    if form.validate_on_submit():
        try:
            loans.reverse_repayment(current_user, repayment, form.reason.data)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(_("The repayment is reversed; the reversal is in the ledger."), "info")
    else:
        flash(_("Write why it is reversed."), "danger")
    return redirect(url_for("capital.agreement", agreement_id=repayment.loan.agreement_id))


@dataclass
class PortfolioView:
    """The portfolio as asked on the page: the day, the unit and source chosen."""

    as_of: date
    unit_id: int | None
    source_id: int | None
    sources: list[CapitalSource]
    projects: sa.Select
    offered: list[CapitalSource]  # every source of her units: the filter's choices

    def rows(self, loan_ids: list[int] | None = None) -> list[portfolio.LoanRow]:
        """Its loans' rows (only `loan_ids` when given: a page of the list)."""
        return portfolio.portfolios(
            [self.as_of], source_id=self.source_id, projects=self.projects, loan_ids=loan_ids
        )[self.as_of]

    def scope(self) -> tuple:
        """What the page's figures are kept under: her units (or all of them) and the unit chosen."""
        if current_user.has_role(Role.ADMIN):
            return ("all", self.unit_id)
        return (sorted(u.id for u in current_user.organiser_units()), self.unit_id)


def _portfolio_view() -> PortfolioView:
    """The loans of her units as of the day asked (today by default), for the unit and source
    chosen; an old or mistyped link shows today, all."""
    as_of = vietnam_date(utcnow())
    asked = request.args.get("as_of", "")
    with suppress(ValueError):
        as_of = date.fromisoformat(asked[:10]) if asked else as_of
    source_id = bounded_int(request.args.get("source"))
    unit_id = bounded_int(request.args.get("unit"))
    found = offered = sources.sources_of(current_user)
    projects = scoped_query(current_user).order_by(None).with_only_columns(SupportedProject.id)
    if unit_id:
        projects = projects.where(SupportedProject.unit_id.in_(unit_services.within([unit_id])))
        found = [s for s in found if s.unit_id == unit_id or s.unit.parent_id == unit_id]
    found = portfolio.funding_sources(found, projects)  # each loan's source has its line
    if source_id:
        found = [s for s in found if s.id == source_id]
    return PortfolioView(as_of, unit_id, source_id, found, projects, offered)


@bp.route("/capital/portfolio", endpoint="portfolio")
@roles_required(*STAFF_ROLES)
@cache.kept_per_account
def portfolio_view():
    view = _portfolio_view()
    everything = view.offered
    summary, buckets, by_source = portfolio.kept_figures(
        view.as_of,
        view.sources,
        scope=view.scope(),
        source_id=view.source_id,
        projects=view.projects,
    )
    # A page of the loans: only its rows are worked out; the number of pages is the summary's.
    page = db.paginate(
        portfolio.listed_on(view.as_of, source_id=view.source_id, projects=view.projects),
        per_page=PER_PAGE,
        error_out=False,
        count=False,
    )
    page.total = summary.loans
    return render_template(
        "capital/portfolio.html",
        rows=view.rows(list(page.items)) if page.items else [],
        page=page,
        as_of=view.as_of,
        source_id=view.source_id,
        unit_id=view.unit_id,
        sources=everything,
        units=sorted({s.unit for s in everything}, key=lambda u: u.full_name),
        summary=summary,
        buckets=buckets,
        by_source=by_source,
        bucket_labels=exports.BUCKET_LABELS,
    )


def _spreadsheet(kind: str, name: str, title: str, columns, body):
    if kind == "csv":
        data, mimetype = as_csv(columns, body), "text/csv; charset=utf-8"
    else:
        data = as_xlsx(title, columns, body)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = make_response(data)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


@bp.route("/capital/portfolio/sources.<any(csv, xlsx):kind>", endpoint="portfolio_sources_export")
@roles_required(*STAFF_ROLES)
def portfolio_sources_export(kind: str):
    view = _portfolio_view()
    lines = portfolio.by_source(view.rows(), view.sources, view.as_of, projects=view.projects)
    return _spreadsheet(
        kind,
        f"portfolio-sources-{view.as_of:%Y%m%d}",
        str(_("By source")),
        exports.SOURCE_COLUMNS,
        [exports.source_row(line) for line in lines],
    )


@bp.route("/capital/portfolio.<any(csv, xlsx):kind>", endpoint="portfolio_export")
@roles_required(*STAFF_ROLES)
def portfolio_export(kind: str):
    view = _portfolio_view()
    return _spreadsheet(
        kind,
        f"portfolio-{view.as_of:%Y%m%d}",
        str(_("Portfolio")),
        exports.COLUMNS,
        [exports.row(r) for r in view.rows()],
    )
