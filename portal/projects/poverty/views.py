"""The organiser records the household's status (the commune's annual review, or what she
learnt); the history is shown on the project's page."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.errors import DomainError
from portal.core.forms import form_status, show_error
from portal.core.permissions import STAFF_ROLES, found_or_404, roles_required
from portal.core.time import utcnow
from portal.projects import bp
from portal.projects import services as project_services
from portal.projects.poverty import services
from portal.projects.poverty.forms import HouseholdStatusForm


@bp.route(
    "/projects/<int:project_id>/household", methods=["GET", "POST"], endpoint="household_status"
)
@roles_required(*STAFF_ROLES)
def household_status(project_id: int):
    project = found_or_404(
        project_services.load_project(project_id), allowed=project_services.may_manage_project
    )
    form = HouseholdStatusForm()
    refusal = None
    if form.validate_on_submit():
        try:
            services.record_status(
                current_user,
                project,
                form.status.data,
                form.as_of.data,
                form.source.data,
                form.note.data or "",
                now=utcnow(),
            )
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(_("The household's status is recorded."), "success")
            return redirect(url_for("projects.detail", project_id=project.id) + "#household")
    return render_template(
        "projects/poverty/form.html",
        project=project,
        form=form,
        history=services.history_of([project.id])[project.id],
    ), form_status(form, refusal)
