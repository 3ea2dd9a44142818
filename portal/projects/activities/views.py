"""Support activities: the organisers' list with its yearly figures, recording one, its page
with who attended, adding someone, importing the sign-in sheet."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import FileStorage
from wtforms.fields.choices import SelectChoice

from portal.applicants.ethnicities import ETHNICITIES, ordered_codes
from portal.core import idempotency
from portal.core.errors import DomainError
from portal.core.forms import form_status, show_error
from portal.core.inputs import bounded_int
from portal.core.permissions import STAFF_ROLES, load_or_404, roles_required
from portal.core.time import utcnow
from portal.extensions import db
from portal.projects import bp
from portal.projects import services as project_services
from portal.projects.activities import services
from portal.projects.activities.forms import ActivityForm, AttendeeForm, SheetForm
from portal.projects.activities.models import Attendee, SupportActivity
from portal.projects.models import SupportedProject
from portal.units import services as unit_services

PER_PAGE = 50


def _communes(province_id: int | None) -> list[SelectChoice]:
    return [SelectChoice("", "—")] + [
        SelectChoice(str(c.id), c.name) for c in unit_services.communes_of(province_id)
    ]


def _activity_form() -> ActivityForm:
    form = ActivityForm()
    units = current_user.organiser_units() or []
    form.unit.choices = [SelectChoice(str(u.id), u.full_name) for u in units]
    chosen = next(
        (u for u in units if str(u.id) == (form.unit.data or "")), units[0] if units else None
    )
    form.commune.choices = _communes(chosen.province_id if chosen else None)
    return form


@bp.route("/projects/activities", methods=["GET", "POST"], endpoint="activities")
@roles_required(*STAFF_ROLES)
def activities():
    form = _activity_form()
    refusal = None
    if form.validate_on_submit():
        try:
            activity = services.create_activity(
                current_user,
                bounded_int(form.unit.data),
                form.kind.data,
                form.held_on.data,
                form.topic.data,
                form.partner.data or "",
                bounded_int(form.commune.data),
                now=utcnow(),
                form_key=request.form.get("form_key"),
            )
        except idempotency.AlreadySent:
            return redirect(url_for("projects.activities"))
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(_("The activity is recorded: now add who attended."), "success")
            return redirect(url_for("projects.activity", activity_id=activity.id))
    page = db.paginate(
        services.activities_query(current_user).options(
            joinedload(SupportActivity.commune), selectinload(SupportActivity.attendees)
        ),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "projects/activities/index.html",
        form=form,
        page=page,
        figures=services.figures(current_user),
    ), form_status(form, refusal)


def _page(activity: SupportActivity, attendee_form=None, sheet_form=None, report=None):
    attendee_form = attendee_form or AttendeeForm(formdata=None)
    _attendee_choices(attendee_form, activity)
    return render_template(
        "projects/activities/detail.html",
        activity=activity,
        attendees=list(
            db.session.scalars(
                db.select(Attendee)
                .where(Attendee.activity_id == activity.id)
                .options(joinedload(Attendee.commune), joinedload(Attendee.project))
                .order_by(Attendee.id)
            )
        ),
        attendee_form=attendee_form,
        sheet_form=sheet_form or SheetForm(formdata=None),
        report=report,
        ethnicities=ETHNICITIES,
    )


def _attendee_choices(form: AttendeeForm, activity: SupportActivity) -> None:
    projects = db.session.scalars(
        project_services.scoped_query(current_user).options(joinedload(SupportedProject.owner))
    )
    form.project.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(p.id), f"{p.owner.full_name}: {p.title}") for p in projects
    ]
    form.commune.choices = _communes(activity.unit.province_id)
    form.ethnicity.choices = [SelectChoice("", "—")] + [
        SelectChoice(code, ETHNICITIES[code]) for code in ordered_codes()
    ]


@bp.route("/projects/activities/<int:activity_id>", endpoint="activity")
@roles_required(*STAFF_ROLES)
def activity(activity_id: int):
    return _page(load_or_404(SupportActivity, activity_id, allowed=services.may_manage))


@bp.route(
    "/projects/activities/<int:activity_id>/attendees", methods=["POST"], endpoint="add_attendee"
)
@roles_required(*STAFF_ROLES)
def add_attendee(activity_id: int):
    activity = load_or_404(SupportActivity, activity_id, allowed=services.may_manage)
    form = AttendeeForm()
    _attendee_choices(form, activity)
    refusal = None
    if form.validate_on_submit():
        try:
            services.add_attendee(
                current_user,
                activity,
                project_id=bounded_int(form.project.data),
                name=form.name.data or "",
                commune_id=bounded_int(form.commune.data),
                ethnicity=form.ethnicity.data or None,
                phone=form.phone.data or "",
            )
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(_("She is on the list."), "success")
            return redirect(url_for("projects.activity", activity_id=activity.id))
    return _page(activity, attendee_form=form), form_status(form, refusal)


@bp.route(
    "/projects/activities/attendees/<int:attendee_id>/remove",
    methods=["POST"],
    endpoint="remove_attendee",
)
@roles_required(*STAFF_ROLES)
def remove_attendee(attendee_id: int):
    attendee = load_or_404(
        Attendee, attendee_id, allowed=lambda user, a: services.may_manage(user, a.activity)
    )
    activity_id = attendee.activity_id
    services.remove_attendee(current_user, attendee)
    flash(_("She is taken off the list."), "info")
    return redirect(url_for("projects.activity", activity_id=activity_id))


@bp.route(
    "/projects/activities/<int:activity_id>/import", methods=["POST"], endpoint="import_sheet"
)
@roles_required(*STAFF_ROLES)
def import_sheet(activity_id: int):
    activity = load_or_404(SupportActivity, activity_id, allowed=services.may_manage)
    form = SheetForm()
    upload = form.sheet.data
    sent = (
        (upload.read(), upload.filename)
        if isinstance(upload, FileStorage) and upload.filename
        else None
    )
    if not form.validate_on_submit():
        return _page(activity, sheet_form=form), form_status(form)
    try:
        report = services.import_sheet(current_user, activity, sent)
    except DomainError as error:
        show_error(form, error)
        return _page(activity, sheet_form=form), error.status
    if report.errors:
        return _page(activity, sheet_form=form, report=report), 422
    flash(
        _(
            "%(added)d added from the sheet; %(already)d were on the list already.",
            added=report.added,
            already=len(report.already),
        ),
        "success",
    )
    return redirect(url_for("projects.activity", activity_id=activity.id))
