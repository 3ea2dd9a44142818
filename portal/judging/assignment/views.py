"""Judging pages for organisers: a round's assignments, the solver's proposal and its
confirmation, manual changes and replacements."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.auth.forms import ActionForm
from portal.competitions.models import Round
from portal.core.errors import DomainError
from portal.core.forms import INVALID
from portal.core.inputs import bounded_int, page_number
from portal.core.permissions import STAFF_ROLES, roles_required
from portal.judging import bp
from portal.judging.assignment import services as assigning
from portal.judging.assignment.forms import AssignForm, ConfirmForm
from portal.judging.models import Assignment
from portal.judging.setup.views import managed_assignment, managed_round

PER_PAGE = 25

# --- Assignments ----------------------------------------------------------------------------------


def _judge_choices(data: assigning.RoundData) -> list[SelectChoice]:
    judges = sorted(data.assignable.values(), key=lambda row: row.name)
    return [SelectChoice("", _("— Choose —"))] + [
        SelectChoice(row.user_id, row.name) for row in judges
    ]


def _assignments_page(round_: Round, errors: list[str] | None = None, status: int = 200):
    data = assigning.load_round(round_)
    try:
        page = page_number()
    except ValueError:
        page = 1
    pages = max(1, -(-len(data.entries) // PER_PAGE))
    page = min(page, pages)
    shown = data.entries[(page - 1) * PER_PAGE : page * PER_PAGE]
    by_entry: dict[int, list[Assignment]] = {}
    for a in data.assignments:
        by_entry.setdefault(a.entry_id, []).append(a)
    loads = data.loads()
    return render_template(
        "judging/assignment/assignments.html",
        round=round_,
        competition=round_.competition,
        data=data,
        entries=shown,
        by_entry=by_entry,
        page=page,
        pages=pages,
        loads=sorted(
            ((data.users[j], n) for j, n in loads.items()), key=lambda item: item[0].full_name
        ),
        judge_choices=_judge_choices(data),
        status=assigning.assignment_status(data),
        refusal=assigning.assignment_refusal(round_),
        errors=errors or [],
        assign_form=AssignForm(formdata=None),
    ), status


@bp.route("/judging/rounds/<int:round_id>/assignments")
@roles_required(*STAFF_ROLES)
def assignments(round_id: int):
    return _assignments_page(managed_round(round_id))


def _proposal_page(round_: Round, errors: list[str] | None = None, status: int = 200):
    try:
        proposal = assigning.propose(current_user, round_)
    except DomainError as error:
        return _assignments_page(round_, [error.message], INVALID)
    form = ConfirmForm(formdata=None, version=proposal.version, fingerprint=proposal.fingerprint)
    return render_template(
        "judging/assignment/proposal.html",
        round=round_,
        competition=round_.competition,
        proposal=proposal,
        form=form,
        errors=errors or [],
    ), (status if proposal.plan is not None else INVALID)


@bp.route("/judging/rounds/<int:round_id>/assignments/propose", methods=["POST"])
@roles_required(*STAFF_ROLES)
def propose_assignments(round_id: int):
    round_ = managed_round(round_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _proposal_page(round_)


@bp.route("/judging/rounds/<int:round_id>/assignments/confirm", methods=["POST"])
@roles_required(*STAFF_ROLES)
def confirm_assignments(round_id: int):
    round_ = managed_round(round_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    version = bounded_int(form.version.data, minimum=0)
    if version is None:
        return _proposal_page(round_, [_("This proposal is incomplete: here is a fresh one.")], 409)
    try:
        created = assigning.confirm(current_user, round_, version, form.fingerprint.data or "")
    except assigning.StaleProposal as error:
        return _proposal_page(round_, [error.message], 409)
    except DomainError as error:
        return _assignments_page(round_, [error.message], INVALID)
    flash(
        ngettext(
            "%(num)d assignment has been made.", "%(num)d assignments have been made.", created
        ),
        "success",
    )
    return redirect(url_for("judging.assignments", round_id=round_.id))


def _judge_id(form: AssignForm) -> int | None:
    return form.judge.data if form.validate_on_submit() else None


@bp.route("/judging/rounds/<int:round_id>/assignments/add", methods=["POST"])
@roles_required(*STAFF_ROLES)
def add_assignment(round_id: int):
    round_ = managed_round(round_id)
    form = AssignForm()
    form.judge.choices = []
    judge_id = _judge_id(form)
    entry_id = bounded_int(form.entry.data)
    if judge_id is None or entry_id is None:
        return _assignments_page(round_, [_("Choose a judge for the entry.")], INVALID)
    try:
        assigning.add_assignment(current_user, round_, entry_id, judge_id)
    except DomainError as error:
        return _assignments_page(round_, [error.message], INVALID)
    flash(_("The judge has been assigned."), "success")
    return redirect(
        url_for("judging.assignments", round_id=round_.id, page=request.args.get("page"))
    )


@bp.route("/judging/assignments/<int:assignment_id>/remove", methods=["POST"])
@roles_required(*STAFF_ROLES)
def remove_assignment(assignment_id: int):
    assignment = managed_assignment(assignment_id)
    round_ = assignment.round
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        assigning.remove_assignment(current_user, assignment)
    except DomainError as error:
        return _assignments_page(round_, [error.message], INVALID)
    flash(_("The assignment has been removed."), "success")
    return redirect(
        url_for("judging.assignments", round_id=round_.id, page=request.args.get("page"))
    )


@bp.route("/judging/assignments/<int:assignment_id>/replace", methods=["POST"])
@roles_required(*STAFF_ROLES)
def replace_assignment(assignment_id: int):
    assignment = managed_assignment(assignment_id)
    round_ = assignment.round
    form = AssignForm()
    form.judge.choices = []
    judge_id = _judge_id(form)
    if judge_id is None:
        return _assignments_page(round_, [_("Choose the judge who takes her place.")], INVALID)
    try:
        assigning.replace_assignment(current_user, assignment, judge_id)
    except DomainError as error:
        return _assignments_page(round_, [error.message], INVALID)
    flash(_("The judge has been replaced."), "success")
    return redirect(
        url_for("judging.assignments", round_id=round_.id, page=request.args.get("page"))
    )


@bp.route("/judging/assignments/<int:assignment_id>/replacement", methods=["POST"])
@roles_required(*STAFF_ROLES)
def find_replacement(assignment_id: int):
    assignment = managed_assignment(assignment_id)
    round_ = assignment.round
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        created = assigning.find_replacement(current_user, assignment)
    except DomainError as error:
        return _assignments_page(round_, [error.message], INVALID)
    flash(
        _(
            "%(names)s now judges %(reference)s.",
            names=", ".join(a.judge.full_name for a in created),
            reference=assignment.entry.reference,
        ),
        "success",
    )
    return redirect(url_for("judging.round_overview", round_id=round_.id))
