"""Her project's story: she writes and publishes it; anyone reads it once published."""

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage

from portal.core import storage
from portal.core.errors import DomainError
from portal.core.forms import form_status, show_error
from portal.core.permissions import found_or_404, load_or_404
from portal.core.time import utcnow, vietnam_date
from portal.projects import bp
from portal.projects import services as project_services
from portal.projects.models import SupportedProject
from portal.projects.story import services
from portal.projects.story.forms import StoryForm


@bp.route("/projects/<int:project_id>/story", methods=["GET", "POST"], endpoint="edit_story")
@login_required
def edit_story(project_id: int):
    project = load_or_404(SupportedProject, project_id, allowed=services.may_tell)
    form = StoryForm(obj=None)
    refusal = None
    if not form.is_submitted():
        form.text.data = project.story_text
        form.publish.data = project.story_published
    elif form.validate_on_submit():
        upload = form.photo.data
        photo = (
            (upload.read(), upload.filename)
            if isinstance(upload, FileStorage) and upload.filename
            else None
        )
        try:
            services.save_story(
                current_user,
                project,
                publish=form.publish.data,
                text=form.text.data or "",
                photo=photo,
                remove_photo=form.remove_photo.data,
                now=utcnow(),
            )
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(
                _("Your story is published.")
                if project.story_published
                else _("Your story is saved; it is not public."),
                "success",
            )
            return redirect(url_for("projects.edit_story", project_id=project.id))
    return render_template("projects/story/edit.html", project=project, form=form), form_status(
        form, refusal
    )


def _published(project_id: int) -> SupportedProject:
    return found_or_404(
        project_services.load_project(project_id), visible=lambda _user, p: p.story_published
    )


@bp.route("/stories/<int:project_id>", endpoint="story")
def story(project_id: int):
    project = _published(project_id)
    return render_template(
        "projects/story/public.html", story=services.story_of(project, vietnam_date(utcnow()))
    )


@bp.route("/stories/<int:project_id>/photo", endpoint="story_photo")
def story_photo(project_id: int):
    project = _published(project_id)
    if not project.story_photo_stored_name:
        abort(404)
    return send_file(
        storage.path_of(project.story_photo_stored_name),
        mimetype=project.story_photo_content_type,
        download_name=project.story_photo_filename or "photo",
        max_age=0,
    )
