"""Judging pages: paper score sheets typed into a CSV file, imported into a round."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user

from portal.auth.models import Role
from portal.core.errors import DomainError
from portal.core.forms import INVALID, show_error
from portal.core.permissions import roles_required
from portal.core.time import utcnow
from portal.judging import bp, common
from portal.judging.imports import services as imports
from portal.judging.imports.forms import ImportForm
from portal.judging.results.views import managed_round, page_context


@bp.route("/judging/rounds/<int:round_id>/import", methods=["GET", "POST"])
@roles_required(Role.ORGANISER, Role.ADMIN)
def import_scores(round_id: int):
    round_ = managed_round(round_id)
    form = ImportForm()
    problems: list[imports.Problem] = []
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            upload = form.file.data
            try:
                summary = imports.import_file(
                    current_user,
                    round_,
                    filename=upload.filename or "",
                    data=upload.read(),
                    now=utcnow(),
                )
            except imports.ImportRejected as error:
                form.form_errors.append(error.message)
                problems = error.problems
            except DomainError as error:
                show_error(form, error)
            else:
                flash(
                    ngettext(
                        "Imported %(num)d score sheet",
                        "Imported %(num)d score sheets",
                        summary.sheets,
                    )
                    + " "
                    + ngettext("for %(num)d entry.", "for %(num)d entries.", summary.entries),
                    "success",
                )
                return redirect(url_for("judging.results", round_id=round_.id))
        status = INVALID
    return render_template(
        "judging/imports/import.html",
        **page_context(round_),
        form=form,
        problems=problems,
        criteria=common.criteria_of(round_),
    ), status
