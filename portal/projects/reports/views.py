"""Progress reports: the organiser sets a project's schedule; the winner fills a report (a draft
kept on the server, then sent); the organiser accepts it, returns it with a comment or skips it."""

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage

from portal.core import storage
from portal.core.errors import DomainError
from portal.core.forms import form_status, show_error
from portal.core.inputs import bounded_int
from portal.core.money import format_vnd
from portal.core.permissions import STAFF_ROLES, found_or_404, load_or_404, roles_required
from portal.core.time import utcnow, vietnam_date
from portal.projects import bp
from portal.projects import services as project_services
from portal.projects.reports import services
from portal.projects.reports.forms import (
    ReportForm,
    ReturnReportForm,
    ReviewForm,
    ScheduleForm,
    SkipReportForm,
)
from portal.projects.reports.models import ProgressReport, ReportPhoto, ReportStatus, SupportNeed
from portal.projects.reports.schedule import DEFAULT_PLAN, PLANS, periods


@bp.route("/projects/<int:project_id>/schedule", methods=["GET", "POST"], endpoint="schedule")
@roles_required(*STAFF_ROLES)
def schedule(project_id: int):
    project = found_or_404(
        project_services.load_project(project_id), allowed=project_services.may_manage_project
    )
    current = services.schedule_of(project)
    form = ScheduleForm()
    refusal = None
    if request.method == "GET":
        form.plan.data = current.plan if current else DEFAULT_PLAN
        # By default the periods follow the calendar months, from the month of the award.
        form.starts_on.data = (
            current.starts_on if current else vietnam_date(project.created_at).replace(day=1)
        )
        form.version.data = str(current.version) if current else ""
    elif form.validate_on_submit():
        try:
            services.set_schedule(
                current_user,
                project,
                form.plan.data,
                form.starts_on.data,
                expected_version=bounded_int(form.version.data),
                now=utcnow(),
            )
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(_("The report schedule is saved."), "success")
            return redirect(url_for("projects.detail", project_id=project.id) + "#reports")
    preview = []
    plan = PLANS.get(form.plan.data or "")
    if plan and form.starts_on.data:
        preview = periods(plan, form.starts_on.data)
    return render_template(
        "projects/reports/schedule.html",
        project=project,
        form=form,
        current=current,
        preview=preview,
        reports=services.reports_of([project.id])[project.id],
    ), form_status(form, refusal)


def _answers(form: ReportForm) -> services.ReportData:
    return services.ReportData(
        revenue=form.revenue.data,
        costs=form.costs.data,
        products_sold=form.products_sold.data or "",
        jobs_total=form.jobs_total.data,
        jobs_women=form.jobs_women.data,
        jobs_ethnic_women=form.jobs_ethnic_women.data,
        members=form.members.data,
        household_status=form.household_status.data or None,
        needs=list(form.needs.data or []),
        needs_other=form.needs_other.data or "",
        went_well=form.went_well.data or "",
        was_hard=form.was_hard.data or "",
        photos=[
            (upload.read(), upload.filename)
            for upload in (form.photos.data or [])
            if isinstance(upload, FileStorage) and upload.filename
        ],
        remove_photos=list(form.remove_photos.data or []),
    )


def _load(report_id: int) -> ProgressReport:
    return load_or_404(ProgressReport, report_id, allowed=services.may_read)


@bp.route("/projects/reports/<int:report_id>", methods=["GET", "POST"], endpoint="report")
@login_required
def report(report_id: int):
    report = _load(report_id)
    fills = services.may_fill(current_user, report) and report.status in (
        ReportStatus.OPEN,
        ReportStatus.RETURNED,
    )
    form = ReportForm(obj=None if request.method == "POST" else report)
    refusal, saved_rows = None, []
    if request.method == "GET":
        form.version.data = str(report.version)
        form.household_status.data = (
            report.household_status.value if report.household_status else None
        )
    elif not services.may_fill(current_user, report):
        return redirect(url_for("projects.report", report_id=report.id))
    elif form.validate_on_submit():
        sending = bool(form.send.data)
        act = services.submit_report if sending else services.save_draft
        try:
            act(
                current_user,
                report,
                _answers(form),
                expected_version=bounded_int(form.version.data) or 0,
                now=utcnow(),
            )
        except services.ReportConflict as error:
            # Both versions: hers in the form, the saved one above it; her next save, having
            # seen them, is hers to make.
            form.form_errors.append(error.message)
            saved_rows = _saved_rows(form, report, services.differences(report, _answers(form)))
            form.version.data = str(report.version)
            refusal = error
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            if sending:
                flash(_("Your report is sent. Thank you: the organisers will read it."), "success")
                return redirect(
                    url_for("projects.detail", project_id=report.project_id) + "#reports"
                )
            flash(
                _("Your draft is saved. You can finish it later, on this phone or another device."),
                "success",
            )
            return redirect(url_for("projects.report", report_id=report.id))
    status = form_status(form, refusal)
    chosen = [u for u in (form.photos.data or []) if getattr(u, "filename", "")]
    if status != 200 and chosen and not form.photos.errors:
        form.photos.errors = [_("Choose the photos again.")]
    return _page(report, form if fills or refusal else None, saved_rows=saved_rows), status


def _saved_rows(
    form: ReportForm, report: ProgressReport, names: list[str]
) -> list[tuple[str, str]]:
    """What is saved now of the answers `names`, as she would read it (saved_meanwhile)."""
    locale = str(get_locale())
    rows = []
    for name in names:
        value = getattr(report, name)
        if name in ("revenue", "costs") and value is not None:
            shown = format_vnd(value, locale)
        elif name == "household_status" and value is not None:
            shown = value.label
        elif name == "needs":
            shown = ", ".join(SupportNeed(need).label for need in value or [])
        else:
            shown = "" if value is None else str(value)
        rows.append((form[name].label.text, shown or "—"))
    return rows


def _page(
    report: ProgressReport,
    form: ReportForm | None,
    saved_rows: list[tuple[str, str]] | None = None,
    **review_forms,
):
    manages = services.may_review(current_user, report)
    version = {"version": str(report.version)}
    forms = {
        "review": ReviewForm(formdata=None, data=version),
        "give_back": ReturnReportForm(formdata=None, prefix="return", data=version),
        "skip": SkipReportForm(formdata=None, prefix="skip", data=version),
    } | review_forms
    return render_template(
        "projects/reports/report.html",
        report=report,
        project=report.project,
        state=services.state_of(report, vietnam_date(utcnow())),
        late_submission=services.is_late_submission(report),
        form=form,
        manages=manages,
        saved_rows=saved_rows or [],
        **forms,
    )


def _review(report_id: int, form: object, act, done: str, key: str):
    report = load_or_404(ProgressReport, report_id, allowed=services.may_review)
    if form.validate_on_submit():
        try:
            act(report, form)
        except DomainError as error:
            show_error(form, error)
            return _page(report, None, **{key: form}), error.status
        flash(done, "success")
        return redirect(url_for("projects.report", report_id=report.id))
    return _page(report, None, **{key: form}), form_status(form)


@bp.route("/projects/reports/<int:report_id>/accept", methods=["POST"], endpoint="accept_report")
@roles_required(*STAFF_ROLES)
def accept_report(report_id: int):
    def act(report, form):
        services.accept_report(
            current_user, report, expected_version=bounded_int(form.version.data) or 0
        )

    return _review(report_id, ReviewForm(), act, _("The report is accepted."), "review")


@bp.route("/projects/reports/<int:report_id>/return", methods=["POST"], endpoint="return_report")
@roles_required(*STAFF_ROLES)
def return_report(report_id: int):
    def act(report, form):
        services.return_report(
            current_user,
            report,
            form.comment.data,
            expected_version=bounded_int(form.version.data) or 0,
        )

    return _review(
        report_id,
        ReturnReportForm(prefix="return"),
        act,
        _("The report is returned with your comment; she has been told by mail."),
        "give_back",
    )


@bp.route("/projects/reports/<int:report_id>/skip", methods=["POST"], endpoint="skip_report")
@roles_required(*STAFF_ROLES)
def skip_report(report_id: int):
    def act(report, form):
        services.skip_report(
            current_user,
            report,
            form.reason.data,
            expected_version=bounded_int(form.version.data) or 0,
        )

    return _review(
        report_id, SkipReportForm(prefix="skip"), act, _("The report is skipped."), "skip"
    )


@bp.route("/projects/report-photos/<int:photo_id>", endpoint="report_photo")
@login_required
def report_photo(photo_id: int):
    photo = load_or_404(ReportPhoto, photo_id, allowed=services.may_see_photo)
    return send_file(
        storage.path_of(photo.stored_name),
        mimetype=photo.content_type,
        as_attachment=photo.content_type == "application/pdf",
        download_name=photo.filename,
        max_age=0,
    )
