"""Judging pages for organisers: a round's hub, its rubric and settings, the competition's judges,
and the assignment of judges to entries."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.auth.forms import ActionForm
from portal.competitions.models import Competition, Round
from portal.competitions.services import may_manage_competition
from portal.core.errors import DomainError
from portal.core.forms import INVALID, form_status, show_error
from portal.core.permissions import STAFF_ROLES, load_or_404, roles_required
from portal.core.time import from_vietnam, to_vietnam
from portal.extensions import db
from portal.judging import bp, common
from portal.judging.assignment import services as assigning
from portal.judging.models import DEFAULT_RUBRIC, Assignment, CompetitionJudge
from portal.judging.setup import services as setup
from portal.judging.setup.forms import (
    JudgeForm,
    RoundSettingsForm,
    RubricForm,
)


def managed_round(round_id: int) -> Round:
    return load_or_404(Round, round_id, allowed=common.may_manage_round)


def _managed_competition(competition_id: int) -> Competition:
    return load_or_404(Competition, competition_id, allowed=may_manage_competition)


def managed_assignment(assignment_id: int) -> Assignment:
    return load_or_404(
        Assignment, assignment_id, allowed=lambda user, x: common.may_manage_round(user, x.round)
    )


# --- Round overview -------------------------------------------------------------------------------


@bp.route("/judging/rounds/<int:round_id>")
@roles_required(*STAFF_ROLES)
def round_overview(round_id: int):
    round_ = managed_round(round_id)
    data = assigning.load_round(round_)
    criteria = common.rubric_of(round_)
    loads = data.loads()
    return render_template(
        "judging/setup/overview.html",
        round=round_,
        competition=round_.competition,
        criteria=criteria,
        data=data,
        loads=sorted(
            ((data.users[j], n) for j, n in loads.items()), key=lambda item: item[0].full_name
        ),
        status=assigning.assignment_status(data),
        refusal=assigning.assignment_refusal(round_),
    )


# --- Rubric ---------------------------------------------------------------------------------------


def _rubric_prefill(round_: Round) -> dict:
    return {
        "criteria": [
            {
                "code": c.code,
                "label": c.display_label,
                "description": c.display_description,
                "max_points": c.max_points,
                "weight": c.weight,
                "order": (n + 1) * 10,
            }
            for n, c in enumerate(common.rubric_of(round_))
        ]
    }


def _rubric_data(form: RubricForm) -> list[setup.CriterionData]:
    rows = [
        (row.form.order.data if row.form.order.data is not None else 999, n, row.form)
        for n, row in enumerate(form.criteria)
        if not row.form.remove.data
        and any([row.form.code.data, row.form.label.data, row.form.max_points.data])
    ]
    return [
        setup.CriterionData(
            code=(f.code.data or "").strip(),
            label=f.label.data or "",
            description=f.description.data or "",
            max_points=f.max_points.data,
            weight=f.weight.data,
        )
        for _order, _n, f in sorted(rows, key=lambda item: (item[0], item[1]))
    ]


@bp.route("/judging/rounds/<int:round_id>/rubric", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def edit_rubric(round_id: int):
    round_ = managed_round(round_id)
    if request.method == "GET" or round_.settings_locked:
        form = RubricForm(formdata=None, data=_rubric_prefill(round_))
        return render_template(
            "judging/setup/rubric.html", round=round_, form=form, defaults=DEFAULT_RUBRIC
        ), (409 if request.method == "POST" else 200)
    form = RubricForm()
    if form.add.data and form.validate():
        form.criteria.append_entry({"order": (len(form.criteria) + 1) * 10})
        return render_template("judging/setup/rubric.html", round=round_, form=form)
    if form.validate_on_submit():
        try:
            setup.save_rubric(current_user, round_, _rubric_data(form))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The rubric has been saved."), "success")
            return redirect(url_for("judging.round_overview", round_id=round_.id))
    return render_template("judging/setup/rubric.html", round=round_, form=form), form_status(
        form
    ) or INVALID


# --- Round settings -------------------------------------------------------------------------------


def _settings_form(round_: Round, formdata=True) -> RoundSettingsForm:
    criteria = common.rubric_of(round_)
    if formdata is None:
        tie = list(round_.tie_break or [])
        form = RoundSettingsForm(
            formdata=None,
            data={
                "judges_per_entry": round_.judges_per_entry,
                "blind": "blind" if round_.blind else "open",
                "rank_by": round_.rank_by,
                "tie_break": tie + [""] * (len(criteria) - len(tie)),
                "disagreement_threshold": round_.disagreement_threshold,
                "scoring_closes_at": to_vietnam(round_.scoring_closes_at).replace(tzinfo=None)
                if round_.scoring_closes_at
                else None,
            },
        )
    else:
        form = RoundSettingsForm()
    while len(form.tie_break) < len(criteria):
        form.tie_break.append_entry("")
    choices = [SelectChoice("", _("— None —"))] + [
        SelectChoice(c.code, c.display_label) for c in criteria
    ]
    for n, sub in enumerate(form.tie_break):
        sub.choices = choices
        sub.label.text = _("Tie-break %(num)d", num=n + 1)
    return form


@bp.route("/judging/rounds/<int:round_id>/settings", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def edit_round_settings(round_id: int):
    round_ = managed_round(round_id)
    if request.method == "GET" or round_.settings_locked:
        form = _settings_form(round_, formdata=None)
        status = 409 if request.method == "POST" else 200
        return render_template("judging/setup/settings.html", round=round_, form=form), status
    form = _settings_form(round_)
    if form.validate_on_submit():
        data = setup.RoundSettingsData(
            judges_per_entry=form.judges_per_entry.data,
            blind=form.blind.data == "blind",
            rank_by=form.rank_by.data,
            tie_break=[sub.data for sub in form.tie_break if sub.data],
            disagreement_threshold=form.disagreement_threshold.data,
            scoring_closes_at=from_vietnam(form.scoring_closes_at.data)
            if form.scoring_closes_at.data
            else None,
        )
        try:
            setup.save_round_settings(current_user, round_, data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The round's settings have been saved."), "success")
            return redirect(url_for("judging.round_overview", round_id=round_.id))
    return render_template("judging/setup/settings.html", round=round_, form=form), INVALID


# --- The competition's judges ---------------------------------------------------------------------


@bp.route("/judging/competitions/<int:competition_id>/judges", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def competition_judges(competition_id: int):
    competition = _managed_competition(competition_id)
    form = JudgeForm() if request.method == "POST" else JudgeForm(formdata=None)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                row = setup.add_judge(
                    current_user,
                    competition,
                    form.email.data,
                    language=current_user.language or "vi",
                    ip=request.remote_addr,
                )
            except DomainError as error:
                show_error(form, error)
            else:
                if row.user_id:
                    flash(
                        _("%(email)s is now a judge of this competition.", email=row.email),
                        "success",
                    )
                else:
                    flash(
                        _(
                            "%(email)s has no account yet: an invitation has been sent. She "
                            "appears here as invited until she accepts it.",
                            email=row.email,
                        ),
                        "success",
                    )
                return redirect(
                    url_for("judging.competition_judges", competition_id=competition.id)
                )
        status = form_status(form) if form.errors or form.form_errors else INVALID
    rows = setup.judge_rows(competition)
    return render_template(
        "judging/setup/judges.html",
        competition=competition,
        rows=rows,
        form=form,
    ), status


@bp.route(
    "/judging/competitions/<int:competition_id>/judges/<int:judge_id>/remove", methods=["POST"]
)
@roles_required(*STAFF_ROLES)
def remove_judge(competition_id: int, judge_id: int):
    competition = _managed_competition(competition_id)
    judge = db.get_or_404(CompetitionJudge, judge_id)
    if judge.competition_id != competition.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    name = judge.name
    try:
        setup.remove_judge(current_user, judge, ip=request.remote_addr)
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(_("%(name)s is no longer a judge of this competition.", name=name), "success")
    return redirect(url_for("judging.competition_judges", competition_id=competition.id))
