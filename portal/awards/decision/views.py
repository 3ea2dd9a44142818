"""The prize decision: the proposal, changing a line, finalising, approving, withdrawing the
approval, reopening. Publishing is awards/publication/views.py."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.awards import bp, common
from portal.awards.decision import proposal
from portal.awards.decision import services as deciding
from portal.awards.decision.forms import (
    INCOMPLETE,
    ApproveForm,
    FinaliseForm,
    LineForm,
    ProposeForm,
    ReopenDecisionForm,
    WithdrawApprovalForm,
)
from portal.awards.models import Award, DecisionStatus
from portal.awards.prizes.eligibility import describe
from portal.competitions.models import Competition
from portal.competitions.services import may_manage_competition
from portal.core.errors import DomainError
from portal.core.forms import INVALID, show_error
from portal.core.permissions import STAFF_ROLES, load_or_404, require, roles_required
from portal.core.time import utcnow
from portal.extensions import db
from portal.judging.common import format_score


def managed_competition(competition_id: int) -> Competition:
    return load_or_404(Competition, competition_id, allowed=may_manage_competition)


def _decide_page(competition: Competition, *, error: str | None = None, status: int = 200, **forms):
    view = proposal.overview(competition)
    version = view.decision.version if view.decision else 0
    made = {
        "propose_form": ProposeForm(formdata=None, version=version),
        "finalise_form": FinaliseForm(formdata=None, version=version),
        "approve_form": ApproveForm(formdata=None, version=version),
        "withdraw_form": WithdrawApprovalForm(formdata=None, version=version),
    }
    made.update(forms)
    return render_template(
        "awards/decision/index.html",
        competition=competition,
        view=view,
        format_score=format_score,
        error=error,
        is_finaliser=bool(view.decision and view.decision.finalised_by_id == current_user.id),
        **made,
    ), status


@bp.route("/awards/competitions/<int:competition_id>/decide", endpoint="decide")
@roles_required(*STAFF_ROLES)
def decide(competition_id: int):
    return _decide_page(managed_competition(competition_id))


def _act(competition: Competition, form, action, success: str, form_name: str, **kwargs):
    """Run one of the decision's actions from its button; the page again on a refusal."""
    if not form.validate_on_submit():
        refresh_version(form, competition)
        return _decide_page(competition, status=INVALID, **{form_name: form})
    try:
        action(current_user, competition, now=utcnow(), version=form.shown_version, **kwargs)
    except DomainError as error:
        if error.field and getattr(form, error.field, None) is not None:
            show_error(form, error)
            return _decide_page(competition, status=error.status, **{form_name: form})
        return _decide_page(competition, error=error.message, status=error.status)
    flash(success, "success")
    return redirect(url_for("awards.decide", competition_id=competition.id))


@bp.route("/awards/competitions/<int:competition_id>/propose", methods=["POST"], endpoint="propose")
@roles_required(*STAFF_ROLES)
def propose(competition_id: int):
    competition = managed_competition(competition_id)
    return _act(
        competition,
        ProposeForm(),
        deciding.start_from_proposal,
        _("The lines have been drawn from the proposal. Check each one, then finalise."),
        "propose_form",
    )


@bp.route(
    "/awards/competitions/<int:competition_id>/finalise", methods=["POST"], endpoint="finalise"
)
@roles_required(*STAFF_ROLES)
def finalise(competition_id: int):
    competition = managed_competition(competition_id)
    return _act(
        competition,
        FinaliseForm(),
        deciding.finalise,
        _("The decision is final. Another organiser of the competition must now approve it."),
        "finalise_form",
    )


@bp.route("/awards/competitions/<int:competition_id>/approve", methods=["POST"], endpoint="approve")
@roles_required(*STAFF_ROLES)
def approve(competition_id: int):
    competition = managed_competition(competition_id)
    return _act(
        competition,
        ApproveForm(),
        deciding.approve,
        _("The decision is approved: the results may now be published."),
        "approve_form",
    )


@bp.route(
    "/awards/competitions/<int:competition_id>/withdraw-approval",
    methods=["POST"],
    endpoint="withdraw_approval",
)
@roles_required(*STAFF_ROLES)
def withdraw_approval(competition_id: int):
    competition = managed_competition(competition_id)
    form = WithdrawApprovalForm()
    return _act(
        competition,
        form,
        deciding.withdraw_approval,
        _("The approval has been withdrawn: the decision waits for an approval again."),
        "withdraw_form",
        reason=form.reason.data or "",
    )


def refresh_version(form, competition: Competition) -> None:
    """After a conflict or an incomplete form, the form is shown again against the decision as it
    is now; what was typed stays."""
    if form.version.errors:
        form.form_errors.append(str(INCOMPLETE))
        form.version.errors = []
    decision = common.decision_of(competition)
    form.version.data = str(decision.version if decision else 0)


@bp.route(
    "/awards/competitions/<int:competition_id>/reopen",
    methods=["GET", "POST"],
    endpoint="reopen_decision",
)
@roles_required(*STAFF_ROLES)
def reopen_decision(competition_id: int):
    competition = managed_competition(competition_id)
    decision = common.decision_of(competition)
    status = 200
    if request.method == "POST":
        form = ReopenDecisionForm()
        if form.validate_on_submit():
            try:
                deciding.reopen(
                    current_user,
                    competition,
                    reason=form.reason.data,
                    now=utcnow(),
                    version=form.shown_version,
                )
            except DomainError as error:
                show_error(form, error)
                status = error.status
            else:
                flash(_("The decision is reopened: its lines may change again."), "info")
                return redirect(url_for("awards.decide", competition_id=competition.id))
        else:
            status = INVALID
        refresh_version(form, competition)
        decision = common.decision_of(competition)
    else:
        form = ReopenDecisionForm(formdata=None, version=decision.version if decision else 0)
    return render_template(
        "awards/decision/reopen.html", competition=competition, decision=decision, form=form
    ), status


# --- A line -------------------------------------------------------------------------------------


def _line_choices(candidates: list[proposal.Candidate]) -> list[SelectChoice]:
    return [SelectChoice("", _("Not given"))] + [
        SelectChoice(
            str(c.entry.id),
            _(
                "%(reference)s — %(title)s — rank %(rank)d",
                reference=c.entry.reference,
                title=c.entry.title,
                rank=c.rank,
            ),
        )
        for c in candidates
    ]


@bp.route("/awards/lines/<int:award_id>", methods=["GET", "POST"], endpoint="edit_line")
@roles_required(*STAFF_ROLES)
def edit_line(award_id: int):
    award = db.get_or_404(Award, award_id)
    competition = award.competition
    require(may_manage_competition(current_user, competition))
    decision = common.decision_of(competition)
    view = proposal.overview(competition)
    candidates = list(view.candidates.values())
    status = 200
    if request.method == "POST":
        form = LineForm()
        form.entry.choices = _line_choices(candidates)
        if form.validate_on_submit():
            chosen = form.entry.data or ""
            was = form.was.data or ""
            try:
                deciding.change_line(
                    current_user,
                    award,
                    int(chosen)
                    if chosen.isascii() and chosen.isdigit() and len(chosen) < 10
                    else None,
                    form.reason.data or "",
                    now=utcnow(),
                    was=int(was) if was.isascii() and was.isdigit() and len(was) < 10 else None,
                )
            except DomainError as error:
                show_error(form, error)
                status = error.status
                if isinstance(error, deciding.DecisionConflict):
                    db.session.refresh(award)
                    form.was.data = str(award.entry_id or "")
            else:
                flash(_("The line has been saved."), "success")
                return redirect(url_for("awards.decide", competition_id=competition.id))
        else:
            status = INVALID
    else:
        form = LineForm(
            formdata=None,
            entry=str(award.entry_id or ""),
            reason=award.change_reason or "",
            was=str(award.entry_id or ""),
        )
        form.entry.choices = _line_choices(candidates)
    category_names = {c.code: c.name for c in competition.categories if c.code}
    return render_template(
        "awards/decision/edit_line.html",
        competition=competition,
        decision=decision,
        award=award,
        view=view,
        note=view.note(award),
        proposed=view.candidates.get(award.proposed_entry_id),
        rule_lines=describe(award.tier.rule or {}, category_names) if award.tier.is_special else [],
        form=form,
        locked=decision is None or decision.status is not DecisionStatus.DRAFT,
    ), status
