"""Competition pages: the public list and detail, and the organisers' pages."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.auth.forms import ActionForm
from portal.competitions import bp, services
from portal.competitions.forms import (
    CATEGORY_ROWS,
    ROUND_ROWS,
    CompetitionForm,
    CopyForm,
    ListFilterForm,
)
from portal.competitions.models import Competition, CompetitionLevel, CompetitionStatus
from portal.competitions.services import CategoryData, CompetitionData, RoundData
from portal.competitions.status import BY_HAND
from portal.core import idempotency
from portal.core.errors import DomainError
from portal.core.forms import form_status, show_error
from portal.core.http_cache import public_cache
from portal.core.inputs import bounded_int
from portal.core.permissions import STAFF_ROLES, load_or_404, roles_required
from portal.core.time import from_vietnam, to_vietnam, utcnow
from portal.extensions import db
from portal.units import services as unit_services
from portal.units.models import Unit


@bp.route("/")
@public_cache
def index():
    form = ListFilterForm(request.args)
    form.province.choices = [SelectChoice("", _("All provinces"))] + [
        SelectChoice(str(p.id), p.name) for p in unit_services.provinces()
    ]
    form.level.choices = [SelectChoice("", _("All levels"))] + [
        SelectChoice(lv.value, lv.label) for lv in CompetitionLevel
    ]
    form.phase.choices = [
        SelectChoice("", _("All")),
        SelectChoice("open", _("Open for entries")),
        SelectChoice("upcoming", _("Upcoming")),
        SelectChoice("past", _("Past")),
    ]
    valid = form.validate()
    now = utcnow()
    query = services.public_query(
        province_id=bounded_int(form.province.data) if not form.province.errors else None,
        level=form.level.data,
        phase=form.phase.data,
        search=form.q.data,
        now=now,
    )
    page = db.paginate(query, per_page=20, error_out=False)
    # A filter that is not in its list is ignored, and said so next to it.
    status = 200 if valid else 400
    return render_template("competitions/index.html", form=form, page=page, now=now), status


def _moves(competition: Competition) -> list[tuple[str, str]]:
    """The buttons of the organiser's panel: each next state with what the button says."""
    labels = {
        (CompetitionStatus.DRAFT, CompetitionStatus.OPEN): _("Open for entries"),
        (CompetitionStatus.OPEN, CompetitionStatus.CLOSED): _("Close entries"),
        (CompetitionStatus.OPEN, CompetitionStatus.DRAFT): _("Back to draft"),
        (CompetitionStatus.CLOSED, CompetitionStatus.OPEN): _("Reopen entries"),
        (CompetitionStatus.CLOSED, CompetitionStatus.JUDGING): _("Start judging"),
    }
    return [
        (new.value, labels[(competition.status, new)])
        for new in sorted(BY_HAND[competition.status])
        if (competition.status, new) in labels
    ]


@bp.route("/<int:competition_id>")
@public_cache
def detail(competition_id: int):
    # A draft does not exist for those who may not see it.
    competition = load_or_404(Competition, competition_id, visible=services.visible_to)
    may_manage = services.may_manage_competition(current_user, competition)
    return render_template(
        "competitions/detail.html",
        competition=competition,
        now=utcnow(),
        may_manage=may_manage,
        moves=_moves(competition) if may_manage else [],
    )


# --- Organisers ---------------------------------------------------------------------------------


@bp.route("/manage")
@roles_required(*STAFF_ROLES)
def manage():
    page = db.paginate(services.managed_query(current_user), per_page=25, error_out=False)
    return render_template(
        "competitions/manage.html", page=page, now=utcnow(), copy_form=CopyForm(formdata=None)
    )


def _row_id(value: str | None) -> int | None:
    """The hidden id of a round or category row; anything else is a new row."""
    return bounded_int(value)


def _complete_rounds(form: CompetitionForm) -> list:
    """The round rows that were filled in completely, in order."""
    return [
        entry
        for entry in form.rounds
        if entry.form.name.data and entry.form.opens_at.data and entry.form.closes_at.data
    ]


def _form_data(form: CompetitionForm) -> CompetitionData:
    """What the form holds, as the services take it; what it could not read is None, so that
    the rules are checked on everything else in the same pass."""
    rounds = [
        RoundData(
            name=entry.form.name.data,
            opens_at=from_vietnam(entry.form.opens_at.data),
            closes_at=from_vietnam(entry.form.closes_at.data),
            id=_row_id(entry.form.id.data),
        )
        for entry in _complete_rounds(form)
    ]
    # A unit the picker refused is not looked up: it may be any number.
    picked = not (form.province.errors or form.commune.errors)
    unit_id = (form.commune.data or form.province.data) if picked else None
    level = form.level.data if form.level.data in {lv.value for lv in CompetitionLevel} else None
    prefix = form.reference_prefix.data or ""
    if not prefix and unit_id:
        unit = db.session.get(Unit, unit_id)
        prefix = (
            services.default_prefix(unit, CompetitionLevel(level) if level else None)
            if unit
            else ""
        )
    return CompetitionData(
        title=form.title.data,
        year=form.year.data,
        level=CompetitionLevel(level) if level else None,
        unit_id=unit_id,
        description=form.description.data or "",
        rules=form.rules.data or "",
        # Left empty with no unit chosen: the unit's own message says what to do.
        reference_prefix=prefix if (prefix or unit_id) else None,
        category_codes=list(form.category_codes.data or []),
        custom_categories=[
            CategoryData(entry.form.name.data.strip(), id=_row_id(entry.form.id.data))
            for entry in form.custom_categories
            if (entry.form.name.data or "").strip()
        ],
        rounds=rounds,
        women_only=form.women_only.data,
        residents_only=form.residents_only.data,
        min_age=form.min_age.data if not form.min_age.errors else None,
        max_age=form.max_age.data if not form.max_age.errors else None,
        max_entries_per_applicant=form.max_entries_per_applicant.data,
        region_id=form.region.data if not form.region.errors else None,
        by_nomination_only=bool(form.by_nomination_only.data),
        business_plan_required=form.business_plan_required.data,
        photos_required=form.photos_required.data,
    )


def _check_rounds(form: CompetitionForm) -> bool:
    """A round is either empty (ignored) or complete: a name, an opening and a closing time."""
    ok = True
    for entry in form.rounds:
        if entry.form.is_empty():
            continue
        for sub in (entry.form.name, entry.form.opens_at, entry.form.closes_at):
            if not sub.data and not sub.errors:
                sub.errors = [*sub.errors, _("Fill in this field, or leave the whole round empty.")]
                ok = False
    if all(entry.form.is_empty() for entry in form.rounds):
        form.rounds.entries[0].form.name.errors = [_("A competition needs at least one round.")]
        ok = False
    return ok


def _show_problems(form: CompetitionForm, problems: list[DomainError]) -> None:
    """Each of the services' problems next to its field (a round's next to that round's field),
    unless the form has already said something there."""
    # The rounds' and categories' error lists were collected during validation: a message
    # added to one of their fields is announced above the form too, and makes the page a 422.
    form.form_errors.append(_("Please correct the fields marked below."))
    rounds = _complete_rounds(form)
    for problem in problems:
        name = problem.field or ""
        target = None
        if name.startswith("rounds-"):
            number, sub = name.split("-", 2)[1:]
            target = getattr(rounds[int(number)].form, sub)
        elif name == "rounds":
            if all(entry.form.is_empty() for entry in form.rounds):
                continue  # _check_rounds has said it on the first round
            target = form.rounds.entries[0].form.name
        elif name.startswith(("category:", "round:")):
            kind, row = name.split(":")
            rows = form.custom_categories if kind == "category" else form.rounds
            target = next((e.form.name for e in rows if _row_id(e.form.id.data) == int(row)), None)
        else:
            target = getattr(form, name, None)
        if target is None:
            form.form_errors.append(problem.message)
        elif problem.message not in target.errors and not (
            target.errors and name in {"province", "reference_prefix", "min_age"}
        ):
            target.errors = [*target.errors, problem.message]


def _save(form: CompetitionForm, competition: Competition | None) -> tuple[Competition | None, int]:
    """Validate and save; returns the competition, or None with every error on the form, and the
    page's status.

    The fields and every round are checked in one pass, and the services' rules too on what
    could be read, so that she sees all her mistakes at once."""
    valid = form.validate_on_submit() & _check_rounds(form)

    data = _form_data(form)
    if not valid:
        _show_problems(form, services.problems(current_user, data, competition))
        return None, form_status(form)
    try:
        if competition is None:
            competition = services.create_competition(
                current_user, data, form_key=request.form.get("form_key")
            )
        else:
            services.update_competition(current_user, competition, data)
        return competition, 200
    except idempotency.AlreadySent as sent:
        # The same form sent twice: the competition it made, once.
        return db.session.get(Competition, sent.earlier.object_id), 200
    except services.CompetitionRefused as refused:
        _show_problems(form, refused.problems)
        return None, refused.status
    except DomainError as error:
        show_error(form, error)
        return None, error.status


def _prefill(competition: Competition) -> dict:
    unit = competition.unit
    rounds = [
        {
            "id": r.id,
            "name": r.name,
            "opens_at": to_vietnam(r.opens_at).replace(tzinfo=None),
            "closes_at": to_vietnam(r.closes_at).replace(tzinfo=None),
        }
        for r in competition.rounds
    ]
    named = [{"id": c.id, "name": c.custom_name} for c in competition.categories if not c.code]
    return {
        "title": competition.title,
        "year": competition.year,
        "level": competition.level.value,
        "province": unit.id if unit.is_nation else unit.province_id,
        "commune": unit.id if unit.parent_id else None,
        "region": competition.region_id,
        "by_nomination_only": competition.by_nomination_only,
        "reference_prefix": competition.reference_prefix,
        "description": competition.description,
        "rules": competition.rules,
        "category_codes": [c.code for c in competition.categories if c.code],
        # Blank rows to add more, as many as the form takes (more would be a 500).
        "custom_categories": named + [{}] * min(2, CATEGORY_ROWS - len(named)),
        "rounds": rounds + [{}] * min(1, ROUND_ROWS - len(rounds)),
        "women_only": competition.women_only,
        "residents_only": competition.residents_only,
        "min_age": competition.min_age,
        "max_age": competition.max_age,
        "max_entries_per_applicant": competition.max_entries_per_applicant,
        "business_plan_required": competition.business_plan_required,
        "photos_required": competition.photos_required,
    }


def _picker_step(form: CompetitionForm) -> bool:
    if request.method == "POST" and form.wants_communes:
        form.commune.data = None
        return True
    return False


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def create():
    units = services.units_user_organises(current_user)
    defaults = None
    if request.method == "GET":
        home = units[0] if units else None
        defaults = {
            "year": utcnow().year,
            "province": (home.id if home.is_nation else home.province_id) if home else None,
            "level": "national" if home and home.is_nation else "provincial",
            "commune": home.id if home and home.parent_id else None,
            "category_codes": list(services.DEFAULT_CATEGORIES),
            "women_only": True,
            "business_plan_required": True,
            "max_entries_per_applicant": 1,
            "photos_required": 0,
        }
    form = CompetitionForm(data=defaults)
    form.fill_unit_choices()
    status = form_status(form)
    if not _picker_step(form) and request.method == "POST":
        competition, status = _save(form, None)
        if competition is not None:
            flash(_("The competition has been created as a draft."), "success")
            return redirect(url_for("competitions.detail", competition_id=competition.id))
    return render_template("competitions/form.html", form=form, competition=None), status


@bp.route("/<int:competition_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def edit(competition_id: int):
    competition = load_or_404(Competition, competition_id, allowed=services.may_manage_competition)
    if competition.status not in services.EDITABLE:
        flash(_("This competition can no longer be edited."), "warning")
        return redirect(url_for("competitions.detail", competition_id=competition.id))
    form = CompetitionForm(data=_prefill(competition) if request.method == "GET" else None)
    form.fill_unit_choices()
    status = form_status(form)
    if not _picker_step(form) and request.method == "POST":
        saved, status = _save(form, competition)
        if saved is not None:
            flash(_("The competition has been saved."), "success")
            return redirect(url_for("competitions.detail", competition_id=competition.id))
    return render_template("competitions/form.html", form=form, competition=competition), status


@bp.route("/<int:competition_id>/status", methods=["POST"])
@roles_required(*STAFF_ROLES)
def change_status(competition_id: int):
    competition = load_or_404(Competition, competition_id, allowed=services.may_manage_competition)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        new = CompetitionStatus(request.form.get("status", ""))
        services.change_status(current_user, competition, new)
    except ValueError:
        abort(400)
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(_("The competition is now: %(status)s.", status=new.label), "success")
    return redirect(url_for("competitions.detail", competition_id=competition.id))


@bp.route("/<int:competition_id>/copy", methods=["POST"])
@roles_required(*STAFF_ROLES)
def copy(competition_id: int):
    source = load_or_404(Competition, competition_id, allowed=services.may_manage_competition)
    form = CopyForm()
    if not form.validate_on_submit():
        flash(_("Enter the year of the new competition."), "danger")
        return redirect(url_for("competitions.manage"))
    try:
        copy = services.copy_competition(
            current_user, source, form.year.data, form_key=request.form.get("form_key")
        )
    except idempotency.AlreadySent as sent:
        copy = db.session.get(Competition, sent.earlier.object_id)
    flash(_("A copy has been created as a draft. Check its dates before opening it."), "success")
    return redirect(url_for("competitions.edit", competition_id=copy.id))
