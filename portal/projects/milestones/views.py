"""Milestones: the winner or an organiser records one, an organiser verifies or returns it;
the files that show it; the kinds, kept by an admin."""

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage
from wtforms.fields.choices import SelectChoice

from portal.auth.models import Role
from portal.core import idempotency, storage
from portal.core.errors import DomainError
from portal.core.forms import form_status, show_error
from portal.core.inputs import bounded_int
from portal.core.permissions import STAFF_ROLES, load_or_404, roles_required
from portal.core.time import utcnow
from portal.projects import bp
from portal.projects.milestones import services
from portal.projects.milestones.forms import (
    MilestoneForm,
    MilestoneKindForm,
    ReturnMilestoneForm,
    VerifyMilestoneForm,
)
from portal.projects.milestones.models import Milestone, MilestoneFile, MilestoneKind
from portal.projects.models import SupportedProject


def _data(form: MilestoneForm) -> services.MilestoneData:
    uploads = [
        (upload.read(), upload.filename)
        for upload in (form.files.data or [])
        if isinstance(upload, FileStorage) and upload.filename
    ]
    return services.MilestoneData(
        kind_id=bounded_int(form.kind.data),
        reached_on=form.reached_on.data,
        note=form.note.data or "",
        evidence_link=form.evidence_link.data or "",
        registration_number=form.registration_number.data or "",
        legal_form=form.legal_form.data or None,
        files=uploads,
    )


def _kind_choices(form: MilestoneForm, include: int | None = None) -> None:
    form.kind.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(k.id), k.label) for k in services.kinds(include=include)
    ]


def _files_again(form: MilestoneForm, status: int) -> None:
    """A browser cannot keep chosen files across pages: say so next to the field."""
    chosen = [u for u in (form.files.data or []) if getattr(u, "filename", "")]
    if status != 200 and chosen and not form.files.errors:
        form.files.errors = [_("Choose the files again.")]


def _back_to(project_id: int):
    return redirect(url_for("projects.detail", project_id=project_id) + "#milestones")


@bp.route(
    "/projects/<int:project_id>/milestones/new", methods=["GET", "POST"], endpoint="new_milestone"
)
@login_required
def new_milestone(project_id: int):
    project = load_or_404(SupportedProject, project_id, allowed=services.may_record)
    form = MilestoneForm()
    _kind_choices(form)
    refusal = None
    if form.validate_on_submit():
        try:
            services.record_milestone(
                current_user,
                project,
                _data(form),
                now=utcnow(),
                form_key=request.form.get("form_key"),
            )
        except idempotency.AlreadySent:
            flash(_("This milestone was already recorded, once."), "info")
            return _back_to(project.id)
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(_("The milestone is recorded. An organiser will verify it."), "success")
            return _back_to(project.id)
    status = form_status(form, refusal)
    _files_again(form, status)
    return render_template(
        "projects/milestones/form.html", project=project, form=form, milestone=None
    ), status


@bp.route(
    "/projects/milestones/<int:milestone_id>/edit",
    methods=["GET", "POST"],
    endpoint="edit_milestone",
)
@login_required
def edit_milestone(milestone_id: int):
    milestone = load_or_404(Milestone, milestone_id, allowed=services.may_change)
    project = milestone.project
    form = MilestoneForm(obj=None if request.method == "POST" else milestone)
    _kind_choices(form, include=milestone.kind_id)
    form.remove_files.choices = [(f.id, f.filename) for f in milestone.files]
    refusal = None
    if request.method == "GET":
        form.kind.data = str(milestone.kind_id)
        form.legal_form.data = milestone.legal_form.value if milestone.legal_form else ""
        form.version.data = str(milestone.version)
    elif form.validate_on_submit():
        try:
            services.correct_milestone(
                current_user,
                milestone,
                _data(form),
                expected_version=bounded_int(form.version.data) or 0,
                remove_files=form.remove_files.data or [],
                now=utcnow(),
            )
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(_("The milestone is saved. An organiser will verify it."), "success")
            return _back_to(project.id)
    status = form_status(form, refusal)
    _files_again(form, status)
    return render_template(
        "projects/milestones/form.html", project=project, form=form, milestone=milestone
    ), status


def _decide(milestone_id: int, form_class, act, prefix: str = "") -> object:
    """Verify or return a milestone from the project's page, and go back to it with the answer
    (a refusal is flashed: the page shows the milestone as it is now)."""
    milestone = load_or_404(Milestone, milestone_id, allowed=services.may_decide)
    form = form_class(prefix=f"{prefix}-{milestone.id}" if prefix else "")
    if form.validate_on_submit():
        try:
            act(milestone, form)
        except DomainError as error:
            flash(error.message, "danger")
    else:
        first = next(iter(form.errors.values()), [_("Check the milestone and try again.")])
        flash(first[0], "danger")
    return _back_to(milestone.project_id)


@bp.route(
    "/projects/milestones/<int:milestone_id>/verify", methods=["POST"], endpoint="verify_milestone"
)
@roles_required(*STAFF_ROLES)
def verify_milestone(milestone_id: int):
    def act(milestone, form):
        services.verify_milestone(
            current_user, milestone, expected_version=form.version.data, now=utcnow()
        )
        flash(_("The milestone is verified."), "success")

    return _decide(milestone_id, VerifyMilestoneForm, act)


@bp.route(
    "/projects/milestones/<int:milestone_id>/return", methods=["POST"], endpoint="return_milestone"
)
@roles_required(*STAFF_ROLES)
def return_milestone(milestone_id: int):
    def act(milestone, form):
        services.return_milestone(
            current_user,
            milestone,
            form.reason.data,
            expected_version=form.version.data,
            now=utcnow(),
        )
        flash(_("The milestone is returned with your comment."), "info")

    return _decide(milestone_id, ReturnMilestoneForm, act, prefix="return")


@bp.route("/projects/milestone-files/<int:file_id>", endpoint="milestone_file")
@login_required
def milestone_file(file_id: int):
    file = load_or_404(MilestoneFile, file_id, allowed=services.may_see_file)
    return send_file(
        storage.path_of(file.stored_name),
        mimetype=file.content_type,
        as_attachment=file.content_type == "application/pdf",
        download_name=file.filename,
        max_age=0,
    )


# --- The kinds of milestones (admins) -----------------------------------------------------------


@bp.route("/projects/milestone-kinds", methods=["GET", "POST"], endpoint="milestone_kinds")
@roles_required(Role.ADMIN)
def milestone_kinds():
    return _save_kind(None, MilestoneKindForm(prefix="new"), _("The kind of milestone is added."))


@bp.route(
    "/projects/milestone-kinds/<int:kind_id>", methods=["POST"], endpoint="save_milestone_kind"
)
@roles_required(Role.ADMIN)
def save_milestone_kind(kind_id: int):
    kind = load_or_404(MilestoneKind, kind_id)
    form = MilestoneKindForm(prefix=f"kind-{kind.id}")
    return _save_kind(kind, form, _("The kind of milestone is saved."))


def _save_kind(kind: MilestoneKind | None, form: MilestoneKindForm, done: str):
    """Add a kind (kind=None) or save one; the page again with the form's messages if refused."""
    refusal = None
    if form.validate_on_submit():
        try:
            services.save_kind(
                current_user,
                kind,
                label_vi=form.label_vi.data,
                label_en=form.label_en.data,
                is_registration=form.is_registration.data,
                active=form.active.data,
            )
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(done, "success")
            return redirect(url_for("projects.milestone_kinds"))
    page = _kinds_page(new=form) if kind is None else _kinds_page(edited={kind.id: form})
    return page, form_status(form, refusal)


def _kinds_page(new: MilestoneKindForm | None = None, edited: dict | None = None):
    rows = services.kinds(include_retired=True)
    forms = {
        kind.id: (edited or {}).get(kind.id)
        or MilestoneKindForm(formdata=None, obj=kind, prefix=f"kind-{kind.id}")
        for kind in rows
    }
    return render_template(
        "projects/milestones/kinds.html",
        kinds=rows,
        forms=forms,
        new=new or MilestoneKindForm(formdata=None, prefix="new"),
    )
