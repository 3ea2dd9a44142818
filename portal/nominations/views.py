"""The cascade's pages: a higher competition's nominations (who may nominate, how many, until
when, and what came in); a competition's nominations upward (its candidates, its nominees, the
second organiser's approval); the organisers' overview; the woman's answer."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.auth.models import Role
from portal.competitions.models import Competition
from portal.competitions.services import may_manage_competition, visible_to
from portal.core import idempotency
from portal.core.errors import DomainError
from portal.core.forms import form_status, show_error
from portal.core.inputs import optional_id
from portal.core.permissions import STAFF_ROLES, load_or_404, roles_required
from portal.core.time import from_vietnam, to_vietnam, utcnow
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from portal.judging.common import format_score
from portal.nominations import bp, cascade, services
from portal.nominations.forms import DeadlineForm, SourceForm, VersionForm
from portal.nominations.models import Nomination, NominationSource, NominationStatus
from portal.units import services as unit_services


@bp.app_template_global("idea_path")
def idea_path(entry_id: int) -> cascade.IdeaPath:
    return cascade.path_of(entry_id)


@bp.app_template_global("lower_round")
def lower_round(entry_id: int) -> cascade.LowerRound | None:
    return cascade.lower_round(entry_id)


@bp.app_template_global("nomination_lapsed")
def nomination_lapsed(nomination: Nomination) -> bool:
    """Approved, and the higher competition no longer takes entries: she did not answer."""
    return nomination.status is NominationStatus.APPROVED and not services.answerable(
        nomination, utcnow()
    )


def _managed(competition_id: int) -> Competition:
    return load_or_404(Competition, competition_id, allowed=may_manage_competition)


# --- The higher competition -------------------------------------------------------------------


def _source_form(competition: Competition, formdata=None) -> SourceForm:
    form = SourceForm(formdata=formdata) if formdata is not None else SourceForm()
    none = [SelectChoice("", _("— Choose —"))]
    form.source.choices = none + [
        SelectChoice(c.id, f"{c.title} ({c.unit.full_name}, {c.year})")
        for c in services.possible_sources(competition)
    ]
    form.level.choices = [SelectChoice("", _("— Choose —"))] + [
        SelectChoice(level.value, level.label) for level in services.lower_levels(competition)
    ]
    provinces = services.reach(competition)
    form.unit.choices = [SelectChoice("", _("Every province it draws from"))] + [
        SelectChoice(p.id, p.name)
        for p in unit_services.provinces()
        if provinces is None or p.id in provinces
    ]
    return form


def _settings_page(competition, *, deadline_form=None, source_form=None, status=200, error=None):
    if deadline_form is None:
        closes = competition.nominations_close_at
        deadline_form = DeadlineForm(
            formdata=None,
            nominations_close_at=to_vietnam(closes).replace(tzinfo=None) if closes else None,
        )
    return render_template(
        "nominations/settings.html",
        competition=competition,
        takes=services.takes_nominations(competition),
        deadline_form=deadline_form,
        source_form=source_form or _source_form(competition, formdata=None),
        sources=services.sources_of(competition),
        incoming=cascade.incoming(competition),
        remove_form=VersionForm(formdata=None, version="0"),
        error=error,
    ), status


@bp.route("/competitions/<int:competition_id>/nominations", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def settings(competition_id: int):
    competition = _managed(competition_id)
    if request.method == "GET":
        return _settings_page(competition)
    if "save_deadline" in request.form:
        form = DeadlineForm()
        if not form.validate_on_submit():
            return _settings_page(competition, deadline_form=form, status=form_status(form))
        moment = form.nominations_close_at.data
        try:
            services.set_deadline(
                current_user, competition, from_vietnam(moment) if moment else None
            )
        except DomainError as error:
            show_error(form, error)
            return _settings_page(competition, deadline_form=form, status=error.status)
        flash(_("The nominations' deadline has been saved."), "success")
    else:
        form = _source_form(competition, formdata=request.form)
        if not form.validate_on_submit():
            return _settings_page(competition, source_form=form, status=form_status(form))
        try:
            services.add_source(
                current_user,
                competition,
                quota=form.quota.data,
                source_competition_id=form.source.data,
                level=None if form.source.data else form.level.data,
                unit_id=None if form.source.data else form.unit.data,
            )
        except DomainError as error:
            show_error(form, error)
            return _settings_page(competition, source_form=form, status=error.status)
        flash(_("They may now nominate."), "success")
    return redirect(url_for("nominations.settings", competition_id=competition.id))


@bp.route(
    "/competitions/<int:competition_id>/nominations/sources/<int:source_id>/remove",
    methods=["POST"],
)
@roles_required(*STAFF_ROLES)
def remove_source(competition_id: int, source_id: int):
    competition = _managed(competition_id)
    source = load_or_404(
        NominationSource, source_id, visible=lambda _user, s: s.competition_id == competition.id
    )
    if not VersionForm().validate_on_submit():
        return _settings_page(competition, status=400)
    services.remove_source(current_user, source)
    flash(_("Removed: nominations already made stay."), "success")
    return redirect(url_for("nominations.settings", competition_id=competition.id))


# --- The competition below --------------------------------------------------------------------


def _nominate_page(competition: Competition, *, status: int = 200, error: str | None = None):
    calls = services.calls_for(competition)
    nominations = services.nominations_from(competition)
    by_call: dict[int, list[Nomination]] = {}
    for n in nominations:
        by_call.setdefault(n.competition_id, []).append(n)
    nominated = {(n.competition_id, n.from_entry_id): n for n in nominations}
    return render_template(
        "nominations/nominate.html",
        competition=competition,
        calls=calls,
        by_call=by_call,
        nominated=nominated,
        candidates=services.candidates(competition),
        format_score=format_score,
        now=utcnow(),
        action_form=VersionForm(formdata=None, version="0"),
        error=error,
    ), status


@bp.route("/competitions/<int:competition_id>/nominate", methods=["GET"])
@roles_required(*STAFF_ROLES)
def nominate(competition_id: int):
    return _nominate_page(_managed(competition_id))


@bp.route("/competitions/<int:competition_id>/nominate/<int:higher_id>", methods=["POST"])
@roles_required(*STAFF_ROLES)
def propose(competition_id: int, higher_id: int):
    competition = _managed(competition_id)
    higher = load_or_404(Competition, higher_id, visible=visible_to)
    entry_id = optional_id(request.form.get("entry_id"))
    entry = db.session.get(Entry, entry_id) if entry_id else None
    if not VersionForm().validate_on_submit() or entry is None:
        return _nominate_page(competition, status=400, error=_("Choose an entry from the list."))
    if entry.competition_id != competition.id:
        return _nominate_page(competition, status=404, error=_("Choose an entry from the list."))
    try:
        services.propose(
            current_user,
            higher,
            entry,
            now=utcnow(),
            form_key=request.form.get("form_key"),
        )
    except idempotency.AlreadySent:
        pass  # the same form sent twice: one nomination
    except DomainError as error:
        return _nominate_page(competition, status=error.status, error=error.message)
    flash(_("Nominated. A second organiser of this competition must now approve it."), "success")
    return redirect(url_for("nominations.nominate", competition_id=competition.id))


def _move(nomination_id: int, action, success: str):
    nomination = load_or_404(
        Nomination,
        nomination_id,
        allowed=lambda user, n: may_manage_competition(user, n.from_competition),
    )
    competition = nomination.from_competition
    form = VersionForm()
    if not form.validate_on_submit() or form.shown_version is None:
        return _nominate_page(competition, status=400, error=_("Reload the page and try again."))
    try:
        action(current_user, nomination, now=utcnow(), version=form.shown_version)
    except DomainError as error:
        return _nominate_page(competition, status=error.status, error=error.message)
    flash(success, "success")
    return redirect(url_for("nominations.nominate", competition_id=competition.id))


@bp.route("/nominations/<int:nomination_id>/approve", methods=["POST"])
@roles_required(*STAFF_ROLES)
def approve(nomination_id: int):
    return _move(
        nomination_id,
        services.approve,
        _("Approved. She has been told, and asked to confirm."),
    )


@bp.route("/nominations/<int:nomination_id>/withdraw", methods=["POST"])
@roles_required(*STAFF_ROLES)
def withdraw(nomination_id: int):
    return _move(nomination_id, services.withdraw, _("The nomination has been withdrawn."))


# --- The organisers' overview -----------------------------------------------------------------


@bp.route("/nominations")
@roles_required(*STAFF_ROLES)
def overview():
    return render_template(
        "nominations/overview.html",
        outgoing=cascade.outgoing(current_user),
        receiving=cascade.receiving(current_user),
    )


# --- The woman nominated ----------------------------------------------------------------------


def _owned(nomination_id: int) -> Nomination:
    return load_or_404(
        Nomination,
        nomination_id,
        visible=lambda user, n: n.from_entry.applicant_id == user.id,
    )


def _refused(back: str, message: str, status: int):
    """Her answer could not be taken: why, and the way back to her entry."""
    return render_template("nominations/refused.html", message=message, back=back), status


@bp.route("/nominations/<int:nomination_id>/<any(accept, decline):answer>", methods=["POST"])
@roles_required(Role.APPLICANT)
def answer(nomination_id: int, answer: str):
    nomination = _owned(nomination_id)
    back = url_for("entries.detail", entry_id=nomination.from_entry_id)
    form = VersionForm()
    if not form.validate_on_submit() or form.shown_version is None:
        return _refused(back, _("Reload the page and try again."), 400)
    try:
        if answer == "accept":
            entry = services.accept(
                current_user, nomination, now=utcnow(), version=form.shown_version
            )
        else:
            services.decline(current_user, nomination, now=utcnow(), version=form.shown_version)
    except DomainError as error:
        return _refused(back, error.message, error.status)
    if answer == "accept":
        when = to_vietnam(entry.competition.closes_at).strftime("%H:%M %d/%m/%Y")
        if entry.status is EntryStatus.DRAFT:
            flash(
                _(
                    "Your idea is in %(competition)s as a draft: its rules ask for more. "
                    "Complete it and submit it before %(when)s.",
                    competition=entry.competition.title,
                    when=when,
                ),
                "warning",
            )
            return redirect(url_for("entries.edit", entry_id=entry.id))
        flash(
            _(
                "Your idea is entered in %(competition)s. You may update it and its files "
                "until %(when)s.",
                competition=entry.competition.title,
                when=when,
            ),
            "success",
        )
        return redirect(url_for("entries.detail", entry_id=entry.id))
    flash(_("You have declined the nomination."), "success")
    return redirect(back)
