"""Judging pages for judges: her dashboard, her declaration, scoring an entry, recusing herself."""

import io

import sqlalchemy as sa
from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.auth.models import Role
from portal.competitions.models import Competition, Round
from portal.core import cache
from portal.core.errors import DomainError, render_error
from portal.core.forms import INVALID, show_error
from portal.core.i18n import format_number
from portal.core.inputs import page_number
from portal.core.permissions import roles_required
from portal.core.time import utcnow
from portal.entries import attachments
from portal.entries.models import Attachment, AttachmentKind, Entry
from portal.extensions import db
from portal.judging import bp, common
from portal.judging.models import Assignment, SheetStatus
from portal.judging.scoring import services as scoring
from portal.judging.scoring.forms import DeclarationForm, RecuseForm, score_form


@bp.route("/judging/")
@roles_required(Role.JUDGE)
@cache.kept_per_account
def my_judging():
    now = utcnow()
    return render_template(
        "judging/scoring/dashboard.html", work=scoring.dashboard(current_user, now), now=now
    )


@bp.route("/judging/rounds/<int:round_id>/my-entries")
@roles_required(Role.JUDGE)
def my_round(round_id: int):
    """Every entry of the round assigned to her, a page at a time, by state."""
    round_ = db.get_or_404(Round, round_id)
    asked = request.args.get("state", "")
    state = scoring.EntryState(asked) if asked in set(scoring.EntryState) else None
    listing = scoring.round_list(current_user, round_, state, page_number(), utcnow())
    if listing is None:
        abort(403)  # no entry of this round is hers
    return render_template(
        "judging/scoring/round.html", listing=listing, states=scoring.TO_DO_FIRST
    )


# --- Declaration ------------------------------------------------------------------------------


@bp.route("/judging/competitions/<int:competition_id>/declaration", methods=["GET", "POST"])
@roles_required(Role.JUDGE)
def declaration(competition_id: int):
    competition = db.get_or_404(Competition, competition_id)
    record = common.judge_record(current_user, competition)
    if record is None:
        abort(403)
    if request.method == "GET":
        form = DeclarationForm(
            formdata=None,
            data={
                "expertise": [str(i) for i in record.expertise or []],
                "conflict_people": record.conflict_people,
                "conflict_communes": [str(i) for i in record.conflict_commune_ids or []],
                "conflict_organisations": record.conflict_organisations,
            },
        )
    else:
        form = DeclarationForm()
    communes = scoring.commune_choices(competition)
    form.expertise.choices = [SelectChoice(str(c.id), c.name) for c in competition.categories]
    form.conflict_communes.choices = [SelectChoice(str(c.id), c.name) for c in communes]
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                scoring.declare(
                    current_user,
                    record,
                    scoring.Declaration(
                        expertise=form.expertise_ids,
                        conflict_people=form.conflict_people.data or "",
                        conflict_commune_ids=form.commune_ids,
                        conflict_organisations=form.conflict_organisations.data or "",
                    ),
                    utcnow(),
                )
            except DomainError as error:
                show_error(form, error)
            else:
                flash(_("Your declaration has been saved."), "success")
                return redirect(url_for("judging.my_judging"))
        status = INVALID
    return render_template(
        "judging/scoring/declaration.html", form=form, competition=competition, record=record
    ), status


# --- Scoring ----------------------------------------------------------------------------------


def _assignment(round_id: int, entry_id: int) -> Assignment:
    """Her active assignment to this entry in this round; 403 for anyone else (and if recused)."""
    round_ = db.get_or_404(Round, round_id)
    entry = db.get_or_404(Entry, entry_id)
    assignment = common.active_assignment(current_user, round_.id, entry.id)
    if assignment is None:
        if _recused(round_.id, entry.id):
            abort(
                make_response(
                    render_error(
                        403,
                        _(
                            "You recused yourself from this entry: you can no longer see or "
                            "score it."
                        ),
                    )
                )
            )
        abort(403)
    return assignment


def _recused(round_id: int, entry_id: int) -> bool:
    return (
        db.session.scalar(
            sa.select(Assignment.id).where(
                Assignment.round_id == round_id,
                Assignment.entry_id == entry_id,
                Assignment.judge_id == current_user.id,
                Assignment.recused_at.is_not(None),
            )
        )
        is not None
    )


def _prefill(form, assignment: Assignment) -> None:
    sheet = scoring.own_sheet(assignment)
    if sheet is None:
        return
    for criterion_id, value in sheet.points_by_criterion().items():
        field = getattr(form, f"points_{criterion_id}", None)
        if field is not None:
            field.data = value
    form.comment.data = sheet.comment
    form.feedback.data = sheet.feedback


@bp.route("/judging/rounds/<int:round_id>/entries/<int:entry_id>/score", methods=["GET", "POST"])
@roles_required(Role.JUDGE)
def score_entry(round_id: int, entry_id: int):
    assignment = _assignment(round_id, entry_id)
    round_ = assignment.round
    criteria = common.criteria_of(round_)
    now = utcnow()
    if request.method == "GET":
        form = score_form(criteria, formdata=None)
        _prefill(form, assignment)
        form.version.data = str(scoring.sheet_version(assignment))
        return _score_page(assignment, form, criteria, now)

    form = score_form(criteria)
    if not form.validate_on_submit():
        return _score_page(assignment, form, criteria, now, INVALID)
    submit = bool(form.submit.data)
    data = scoring.SheetInput(
        points=form.points(),
        comment=form.comment.data or "",
        feedback=form.feedback.data or "",
    )
    try:
        outcome = scoring.save_sheet(
            current_user,
            assignment,
            data,
            submit=submit,
            now=now,
            expected_version=form.expected_version(),
        )
    except scoring.StaleSheet as error:
        # Both versions: hers in the form, the saved one above it; her next save, having seen
        # them, is hers to make.
        form.form_errors.append(error.message)
        saved_rows = _saved_rows(form, assignment)
        form.version.data = str(scoring.sheet_version(assignment))
        return _score_page(assignment, form, criteria, now, 409, saved_rows)
    except scoring.ScoresInvalid as error:
        for criterion_id, message in error.errors.items():
            form[f"points_{criterion_id}"].errors.append(message)
        form.form_errors.append(error.message)
        return _score_page(assignment, form, criteria, now, INVALID)
    except scoring.ScoringClosed as error:
        form.form_errors.append(error.message)
        return _score_page(assignment, form, criteria, now, 409)
    except DomainError as error:
        form.form_errors.append(error.message)
        return _score_page(assignment, form, criteria, now, INVALID)
    if outcome is scoring.Outcome.DRAFT_SAVED:
        flash(_("Your draft has been saved. Submit your scores before the deadline."), "success")
        return redirect(url_for("judging.score_entry", round_id=round_id, entry_id=entry_id))
    flash(
        _(
            "Your scores for %(reference)s have been submitted.",
            reference=assignment.entry.reference,
        ),
        "success",
    )
    return redirect(url_for("judging.my_judging"))


def _saved_rows(form, assignment: Assignment) -> list[tuple[str, str]]:
    """What her sheet holds now where it differs from the form (saved_meanwhile)."""
    sheet = scoring.own_sheet(assignment)
    if sheet is None:
        return []
    rows = []
    for criterion_id, value in sheet.points_by_criterion().items():
        field = getattr(form, f"points_{criterion_id}", None)
        typed = float(field.data) if field is not None and field.data is not None else None
        if field is not None and typed != value:
            shown = "—" if value is None else format_number(value, "#,##0.##")
            rows.append((field.label.text, shown))
    for field, value in ((form.comment, sheet.comment), (form.feedback, sheet.feedback)):
        if (field.data or "").strip() != (value or "").strip():
            rows.append((field.label.text, value or "—"))
    return rows


def _score_page(
    assignment: Assignment,
    form,
    criteria,
    now,
    status: int = 200,
    saved_rows: list[tuple[str, str]] | None = None,
):
    round_ = assignment.round
    sheet = scoring.own_sheet(assignment)
    return render_template(
        "judging/scoring/score.html",
        assignment=assignment,
        entry=assignment.entry,
        round=round_,
        competition=round_.competition,
        criteria=criteria,
        form=form,
        sheet=sheet,
        submitted=sheet is not None and sheet.status is SheetStatus.SUBMITTED,
        is_open=common.scoring_open(round_, now),
        file_names=_file_names(assignment),
        saved_rows=saved_rows or [],
        now=now,
    ), status


@bp.route("/judging/rounds/<int:round_id>/entries/<int:entry_id>/attachments/<int:attachment_id>")
@roles_required(Role.JUDGE)
def entry_attachment(round_id: int, entry_id: int, attachment_id: int):
    """A file of an entry she is asked to score; in a blind round under a name that tells nothing."""
    assignment = _assignment(round_id, entry_id)
    file = db.get_or_404(Attachment, attachment_id)
    if file.entry_id != assignment.entry_id:
        abort(404)
    name = file.original_name
    if assignment.round.blind:
        name = blind_name(file, assignment.entry.attachments)
    # The copy without metadata: a photo's EXIF artist or GPS, a plan's author would name her.
    data = attachments.public_copy(file)
    if data is None:
        abort(404)
    return send_file(
        io.BytesIO(data),
        mimetype=file.content_type,
        as_attachment=file.kind is AttachmentKind.BUSINESS_PLAN,
        download_name=name,
        max_age=0,
    )


def _file_names(assignment: Assignment) -> dict[int, str]:
    files = assignment.entry.attachments
    if not assignment.round.blind:
        return {f.id: f.original_name for f in files}
    return {f.id: blind_name(f, files) for f in files}


def blind_name(file: Attachment, files: list[Attachment]) -> str:
    """A file's name in a blind round: its kind and number, and the extension it had."""
    extension = file.original_name.rsplit(".", 1)[-1].lower() if "." in file.original_name else ""
    suffix = f".{extension}" if extension.isalnum() and len(extension) <= 5 else ""
    if file.kind is AttachmentKind.BUSINESS_PLAN:
        return _("business-plan") + suffix
    photos = [f for f in files if f.kind is AttachmentKind.PHOTO]
    number = next((n for n, f in enumerate(photos, 1) if f.id == file.id), 1)
    return _("photo-%(number)d", number=number) + suffix


# --- Recusal ----------------------------------------------------------------------------------


@bp.route("/judging/rounds/<int:round_id>/entries/<int:entry_id>/recuse", methods=["GET", "POST"])
@roles_required(Role.JUDGE)
def recuse(round_id: int, entry_id: int):
    assignment = _assignment(round_id, entry_id)
    form = RecuseForm()
    status = 200
    if request.method == "POST":
        status = INVALID
        if form.validate_on_submit():
            if not form.confirm.data:
                form.confirm.errors = [_("Tick the box to confirm.")]
            else:
                try:
                    scoring.recuse(current_user, assignment, form.reason.data or "", utcnow())
                except DomainError as error:
                    show_error(form, error)
                else:
                    flash(
                        _(
                            "You have recused yourself from %(reference)s. The organisers have "
                            "been told that it needs another judge.",
                            reference=assignment.entry.reference,
                        ),
                        "info",
                    )
                    return redirect(url_for("judging.my_judging"))
    sheet = scoring.own_sheet(assignment)
    return render_template(
        "judging/scoring/recuse.html",
        form=form,
        assignment=assignment,
        entry=assignment.entry,
        round=assignment.round,
        sheet=sheet,
    ), status
