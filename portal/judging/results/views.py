"""Judging pages: a round's results, their export, paper-sheet import, making final, advancing."""

from flask import (
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.auth.models import Role
from portal.competitions.models import Round
from portal.core.errors import DomainError
from portal.core.forms import INVALID, form_status, show_error
from portal.core.inputs import bounded_int, page_number
from portal.core.permissions import load_or_404, roles_required
from portal.core.time import utcnow
from portal.judging import bp, common
from portal.judging.common import format_score
from portal.judging.results import advancing
from portal.judging.results import services as results
from portal.judging.results.aggregation import MIN_SHEETS_TO_NORMALISE
from portal.judging.results.forms import (
    AdvanceForm,
    FinaliseForm,
    ReopenForm,
    ResultFilterForm,
)

PER_PAGE = 50


def page_context(round_: Round) -> dict:
    return {
        "round": round_,
        "competition": round_.competition,
        "format_score": format_score,
        "overview_url": url_for("judging.round_overview", round_id=round_.id),
    }


def managed_round(round_id: int) -> Round:
    return load_or_404(Round, round_id, allowed=common.may_manage_round)


def _filters(round_: Round) -> tuple[ResultFilterForm, results.ResultFilters]:
    form = ResultFilterForm(request.args)
    form.flag.choices = [SelectChoice("", _("All"))] + [
        SelectChoice(flag, str(results.FLAG_LABELS[flag])) for flag in results.FLAGS
    ]
    form.category.choices = [SelectChoice("", _("All"))] + [
        SelectChoice(str(c.id), c.name) for c in round_.competition.categories
    ]
    form.validate()
    category = form.category.data or ""
    return form, results.ResultFilters(
        flag=form.flag.data or None,
        category_id=bounded_int(category),
        search=form.q.data if not form.q.errors else None,
    )


def _results_page(round_: Round, *, finalise_form=None, reopen_form=None, status: int = 200):
    form, filters = _filters(round_)
    ranking = results.compute(round_)
    rows = results.filtered(ranking, filters)
    page = results.paginate(rows, page_number(), PER_PAGE)
    missing = sum(1 for r in ranking.results if "missing" in r.flags)
    return render_template(
        "judging/results/results.html",
        **page_context(round_),
        ranking=ranking,
        form=form,
        page=page,
        missing=missing,
        categories={c.id: c.name for c in round_.competition.categories},
        flag_labels=results.FLAG_LABELS,
        min_sheets=MIN_SHEETS_TO_NORMALISE,
        finalise_form=finalise_form or FinaliseForm(formdata=None),
        reopen_form=reopen_form or ReopenForm(formdata=None),
        following=results.next_round(round_),
        args={k: v for k, v in request.args.items() if k != "page"},
    ), status


@bp.route("/judging/rounds/<int:round_id>/results", endpoint="results")
@roles_required(Role.ORGANISER, Role.ADMIN)
def results_page(round_id: int):
    return _results_page(managed_round(round_id))


def _download(round_: Round, kind: str):
    ranking = results.compute(round_)
    competition = round_.competition
    name = f"{competition.reference_prefix}-{competition.year}-round{round_.position + 1}-results.{kind}"
    if kind == "csv":
        body, mimetype = results.export_csv(ranking), "text/csv; charset=utf-8"
    else:
        body = results.export_xlsx(ranking)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = make_response(body)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/judging/rounds/<int:round_id>/results.csv")
@roles_required(Role.ORGANISER, Role.ADMIN)
def export_results_csv(round_id: int):
    return _download(managed_round(round_id), "csv")


@bp.route("/judging/rounds/<int:round_id>/results.xlsx")
@roles_required(Role.ORGANISER, Role.ADMIN)
def export_results_xlsx(round_id: int):
    return _download(managed_round(round_id), "xlsx")


@bp.route("/judging/rounds/<int:round_id>/finalise", methods=["POST"])
@roles_required(Role.ORGANISER, Role.ADMIN)
def finalise_results(round_id: int):
    round_ = managed_round(round_id)
    form = FinaliseForm()
    if form.validate_on_submit():
        try:
            results.finalise(
                current_user, round_, accept_missing=form.accept_missing.data, now=utcnow()
            )
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The results are final: the scores of this round are locked."), "success")
            return redirect(url_for("judging.results", round_id=round_.id))
    return _results_page(round_, finalise_form=form, status=INVALID)


@bp.route("/judging/rounds/<int:round_id>/reopen", methods=["GET", "POST"])
@roles_required(Role.ORGANISER, Role.ADMIN)
def reopen_results(round_id: int):
    round_ = managed_round(round_id)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            results.reopen(current_user, round_, reason=form.reason.data, now=utcnow())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The results are reopened: judges may change their scores again."), "info")
            return redirect(url_for("judging.results", round_id=round_.id))
    status = form_status(form) if request.method == "POST" else 200
    return render_template("judging/results/reopen.html", form=form, **page_context(round_)), status


def _choice(form: AdvanceForm) -> dict:
    if form.mode.data == "score":
        return {"at_least": float(form.threshold.data)}
    return {"top": form.count.data}


@bp.route("/judging/rounds/<int:round_id>/advance", methods=["GET", "POST"])
@roles_required(Role.ORGANISER, Role.ADMIN)
def advance(round_id: int):
    round_ = managed_round(round_id)
    plan, status = None, 200
    if request.method == "POST":
        form = AdvanceForm()
        if form.validate_on_submit():
            try:
                done = advancing.advance(current_user, round_, now=utcnow(), **_choice(form))
            except DomainError as error:
                show_error(form, error)
            else:
                flash(
                    ngettext(
                        "%(num)d entry advanced to %(round)s.",
                        "%(num)d entries advanced to %(round)s.",
                        len(done.advancing),
                        round=done.next_round.name,
                    ),
                    "success",
                )
                return redirect(url_for("judging.results", round_id=round_.id))
        status = INVALID
    else:
        form = AdvanceForm(request.args if request.args else None, meta={"csrf": False})
        if request.args:
            if form.validate():
                try:
                    plan = advancing.plan_advance(round_, **_choice(form))
                except DomainError as error:
                    show_error(form, error)
            if form.errors or form.form_errors:
                status = INVALID
    return render_template(
        "judging/results/advance.html",
        **page_context(round_),
        form=form,
        plan=plan,
        following=results.next_round(round_),
    ), status
