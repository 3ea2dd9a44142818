"""Judging pages: a round's results, their export, paper-sheet import, making final, advancing."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import (
    abort,
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
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from portal.auth.models import Role
from portal.competitions.models import Round
from portal.core import cache
from portal.core.errors import DomainError
from portal.core.forms import INVALID, form_status, show_error
from portal.core.inputs import bounded_int, page_number
from portal.core.permissions import load_or_404, roles_required
from portal.core.time import utcnow
from portal.judging import bp, common
from portal.judging.common import score_writer
from portal.judging.results import advancing, ranking
from portal.judging.results import services as results
from portal.judging.results.aggregation import MIN_SHEETS_TO_NORMALISE, EntryResult
from portal.judging.results.forms import (
    AdvanceForm,
    FinaliseForm,
    ReopenForm,
    ResultFilterForm,
)
from portal.judging.results.services import EntryRow

PER_PAGE = 50


def page_context(round_: Round) -> dict:
    return {
        "round": round_,
        "competition": round_.competition,
        "format_score": score_writer(),
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


@dataclass
class JudgeLine:
    """A judge's line in the explanation of an entry's score."""

    name: str
    email: str | None
    total: str  # T
    mean: str  # m
    spread: str  # s
    sheets: int
    normalised: str  # N
    as_is: bool  # N = T: too few sheets in the round, or totals that do not vary


@dataclass
class Line:
    """An entry's row of the results page, its numbers and sentences in the reader's language."""

    result: EntryResult
    entry: EntryRow
    raw: str
    normalised: str
    means: list[str]  # by criterion, in the rubric's order
    judges: list[JudgeLine]
    said: dict[str, Markup]  # the explanation's sentences


def _lines(
    shown: ranking.ShownPage, write: Callable[[float | None], str], *, explain: bool = False
) -> list[Line]:
    """The page's rows with every number (and, to `explain`, every judge's numbers and the
    sentences) written here, each sentence translated once for the page: a call from the
    template costs several times the writing. The translations are ours, so they are Markup
    as the template's `_()` makes them; the values put in them are escaped."""
    view = shown.ranking
    codes = [c.code for c in view.criteria]
    if explain:
        raw_said = Markup(
            _("Raw score: the mean of the totals T of the %(num)d judges = %(score)s.")
        )
        normalised_said = Markup(
            _(
                "Normalised: for a judge with at least 3 sheets in the round whose totals vary, "
                "N = M + S × (T − m) / s, where m and s are the mean and spread of her totals "
                "and M = %(mean)s and S = %(spread)s those of every total in the round; for any "
                "other judge N = T. The normalised score is the mean of the N = %(score)s."
            )
        )
        round_mean, round_spread = write(view.round_mean), write(view.round_spread)
    lines = []
    for result in shown.page.items:
        entry = view.entries[result.entry_id]
        raw, normalised = write(result.raw_score), write(result.normalised_score)
        means = [write(result.criterion_means.get(code)) for code in codes]
        judges, said = [], {}
        if explain:
            for judge_id, total in sorted(result.totals.items()):
                stats, judge = view.judge_stats[judge_id], view.judges.get(judge_id)
                judges.append(
                    JudgeLine(
                        judge.name if judge else str(judge_id),
                        judge.email if judge else None,
                        write(total),
                        write(stats.mean),
                        write(stats.spread),
                        stats.sheets,
                        write(result.normalised[judge_id]),
                        stats.sheets < MIN_SHEETS_TO_NORMALISE or stats.spread == 0,
                    )
                )
            said = {
                "raw": raw_said % {"num": result.sheets, "score": raw},
                "normalised": normalised_said
                % {"mean": round_mean, "spread": round_spread, "score": normalised},
            }
        lines.append(Line(result, entry, raw, normalised, means, judges, said))
    return lines


def _results_page(round_: Round, *, finalise_form=None, reopen_form=None, status: int = 200):
    form, filters = _filters(round_)
    shown = ranking.page_of(round_, filters, page_number(), PER_PAGE)
    finalise_form = finalise_form or FinaliseForm(formdata=None)
    # The button makes final the ranking this page shows, and no other (ranking.finalise).
    finalise_form.version.data = shown.version
    context = page_context(round_)
    return render_template(
        "judging/results/results.html",
        **context,
        ranking=shown.ranking,
        lines=_lines(shown, context["format_score"]),
        rubric=[(c.display_label, c.max_points) for c in shown.ranking.criteria],
        form=form,
        page=shown.page,
        missing=shown.missing,
        categories={c.id: c.name for c in round_.competition.categories},
        flag_labels=results.FLAG_LABELS,
        finalise_form=finalise_form,
        reopen_form=reopen_form or ReopenForm(formdata=None),
        following=results.next_round(round_),
        args={k: v for k, v in request.args.items() if k != "page"},
        # An entry's explanation is at this address followed by its id (one url_for, not 50).
        explain_prefix=url_for("judging.results", round_id=round_.id) + "/",
    ), status


@bp.route("/judging/rounds/<int:round_id>/results", endpoint="results")
@roles_required(Role.ORGANISER, Role.ADMIN)
@cache.kept_per_account
def results_page(round_id: int):
    return _results_page(managed_round(round_id))


@bp.route("/judging/rounds/<int:round_id>/results/<int:entry_id>")
@roles_required(Role.ORGANISER, Role.ADMIN)
def explanation(round_id: int, entry_id: int):
    """How one entry's score was computed: each judge's total, mean, spread and normalised
    total, and the formulas with the round's numbers."""
    round_ = managed_round(round_id)
    shown = ranking.explained(round_, entry_id)
    if shown is None:
        abort(404)
    context = page_context(round_)
    [line] = _lines(shown, context["format_score"], explain=True)
    return render_template(
        "judging/results/explanation.html",
        **context,
        line=line,
        rubric=[(c.display_label, c.max_points) for c in shown.ranking.criteria],
        flag_labels=results.FLAG_LABELS,
    )


def _download(round_: Round, kind: str):
    whole = ranking.whole(round_)
    competition = round_.competition
    name = f"{competition.reference_prefix}-{competition.year}-round{round_.position + 1}-results.{kind}"
    if kind == "csv":
        body, mimetype = results.export_csv(whole), "text/csv; charset=utf-8"
    else:
        body = results.export_xlsx(whole)
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
    refusal = None
    if form.validate_on_submit():
        try:
            ranking.finalise(
                current_user,
                round_,
                accept_missing=form.accept_missing.data,
                seen_version=bounded_int(form.version.data, minimum=0),
                now=utcnow(),
            )
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(_("The results are final: the scores of this round are locked."), "success")
            return redirect(url_for("judging.results", round_id=round_.id))
    return _results_page(round_, finalise_form=form, status=form_status(form, refusal))


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
