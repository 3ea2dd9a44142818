"""Entry pages for applicants: start, draft, submit, follow, withdraw."""

from flask import (
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage
from wtforms.fields.choices import SelectChoice

from portal.applicants.models import BusinessStage, HouseholdStatus
from portal.auth.forms import ActionForm
from portal.auth.models import Role
from portal.auth.tokens import InvalidLink
from portal.competitions import services as competition_services
from portal.competitions.models import Competition
from portal.core import cache, idempotency, storage
from portal.core.errors import DomainError
from portal.core.forms import INVALID, show_error
from portal.core.fragments import form_fields, untouched_form
from portal.core.inputs import bounded_int, page_number
from portal.core.money import format_vnd
from portal.core.permissions import (
    STAFF_ROLES,
    found_or_404,
    load_or_404,
    require,
    roles_required,
)
from portal.core.security import client_ip
from portal.core.time import from_vietnam, to_vietnam, utcnow
from portal.entries import attachments, bp, listing, services, team
from portal.entries.forms import EntryForm, WithdrawForm
from portal.entries.models import Attachment, AttachmentKind, Entry, EntryStatus
from portal.entries.organiser_forms import EntryFilterForm, ExtensionForm, ScreeningForm
from portal.entries.page import EntryPage, changes_between_versions, entry_page
from portal.entries.page import may_see as may_see_page
from portal.entries.services import EntryData, TeamMemberData


@bp.route("/competitions/<int:competition_id>/enter", methods=["POST"])
@roles_required(Role.APPLICANT)
def start(competition_id: int):
    competition = load_or_404(Competition, competition_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        entry = services.start_entry(
            current_user, competition, form_key=request.form.get("form_key")
        )
    except idempotency.AlreadySent as sent:  # the button pressed twice: her one draft
        return redirect(url_for("entries.edit", entry_id=sent.earlier.object_id))
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(url_for("competitions.detail", competition_id=competition.id))
    return redirect(url_for("entries.edit", entry_id=entry.id))


@bp.route("/entries/")
@roles_required(Role.APPLICANT)
def mine():
    return render_template(
        "entries/mine.html", entries=services.entries_of(current_user), now=utcnow()
    )


def _owns(user, entry: Entry) -> bool:
    return entry.applicant_id == user.id


def _organises(user, entry: Entry) -> bool:
    return competition_services.may_manage_competition(user, entry.competition)


# Not kept (core.cache.kept_per_account): it may show a draft, which moves no kept page, and an
# organiser rarely opens the same entry twice in a minute (docs/performance.md measured no gain).
@bp.route("/entries/<int:entry_id>")
@roles_required(Role.APPLICANT, *STAFF_ROLES)
def detail(entry_id: int):
    return _detail_page(found_or_404(entry_page(entry_id), allowed=may_see_page))


SCREENING_FIELDS = "entries/_screening_fields.html"
EXTENSION_FIELDS = "entries/_extension_fields.html"


def _detail_page(entry: EntryPage, screening_form=None, extension_form=None) -> str:
    is_owner = entry.applicant_id == current_user.id
    organises = current_user.can_act_on_unit(entry.competition_unit_id)
    screening = extension = None
    if organises:
        # Untouched, both forms are the same for every entry of a status (kept); one sent back
        # with its errors, or holding a reason given earlier, is written from what it holds.
        decision = "ineligible" if entry.status is EntryStatus.INELIGIBLE else "eligible"
        if screening_form is None and not entry.screening_reason:
            screening = untouched_form(SCREENING_FIELDS, ScreeningForm, decision=decision)
        else:
            screening = form_fields(
                SCREENING_FIELDS,
                screening_form
                or ScreeningForm(formdata=None, decision=decision, reason=entry.screening_reason),
            )
        extension = (
            form_fields(EXTENSION_FIELDS, extension_form)
            if extension_form
            else untouched_form(EXTENSION_FIELDS, ExtensionForm)
        )
    return render_template(
        "entries/detail.html",
        entry=entry,
        is_owner=is_owner,
        organises=organises,
        can_edit=is_owner and entry.can_edit(utcnow()),
        changes=changes_between_versions(entry) if organises else [],
        screening_fields=screening,
        extension_fields=extension,
    )


def _prefill(entry: Entry) -> dict:
    team = [
        {"name": m.name, "role": m.role, "email": m.email or "", "phone": m.phone}
        for m in entry.team_members
    ]
    return {
        "version": entry.version,
        "title": entry.title,
        "category": entry.category_id,
        "summary": entry.summary,
        "problem": entry.problem,
        "solution": entry.solution,
        "customers": entry.customers,
        "local_resources": entry.local_resources,
        "organisation": entry.organisation,
        "team": team + [{}] * max(3 - len(team), 1),
        "capital_needed": entry.capital_needed,
        "jobs_for_women": entry.jobs_for_women,
        "consent_publish": entry.consent_publish,
    }


def _data(form: EntryForm) -> EntryData:
    return EntryData(
        title=form.title.data or "",
        category_id=form.category.data,
        summary=form.summary.data or "",
        problem=form.problem.data or "",
        solution=form.solution.data or "",
        customers=form.customers.data or "",
        local_resources=form.local_resources.data or "",
        organisation=form.organisation.data or "",
        capital_needed=form.capital_needed.data,
        jobs_for_women=form.jobs_for_women.data,
        consent_publish=form.consent_publish.data,
        team=[
            TeamMemberData(
                name=m.form.name.data or "",
                role=m.form.role.data or "",
                email=m.form.email.data or "",
                phone=m.form.phone.data or "",
            )
            for m in form.team
        ],
    )


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@roles_required(Role.APPLICANT)
def edit(entry_id: int):
    entry = load_or_404(Entry, entry_id, allowed=_owns)
    now = utcnow()
    if request.method == "GET" and not services.can_edit(entry, now):
        return redirect(url_for("entries.detail", entry_id=entry.id))
    form = EntryForm(data=_prefill(entry) if request.method == "GET" else None)
    form.category.choices = [SelectChoice("", _("— Choose —"))] + [
        SelectChoice(c.id, c.name) for c in entry.competition.categories
    ]
    status, reasons = 200, []
    if request.method == "POST":
        status, reasons = _handle_post(form, entry)
        if status == 302:
            return redirect(url_for("entries.detail", entry_id=entry.id))
    return render_template(
        "entries/edit.html",
        form=form,
        entry=entry,
        reasons=reasons,
        deadline=services.deadline_for(entry),
        team_status=team.status_of(entry),
        saved_rows=g.get("saved_rows", []),
        now=now,
    ), status


def _saved_rows(form: EntryForm, entry: Entry, names: list[str]) -> list[tuple[str, str]]:
    """What is saved now of the fields `names`, as she would read it (saved_meanwhile)."""
    rows = []
    for name in names:
        if name == "team":
            members = ", ".join(m.name for m in entry.team_members)
            rows.append((_("Your team"), members or "—"))
        elif name == "category_id":
            rows.append((form.category.label.text, entry.category.name if entry.category else "—"))
        elif name == "capital_needed":
            amount = entry.capital_needed
            shown = format_vnd(amount, str(get_locale())) if amount is not None else "—"
            rows.append((form.capital_needed.label.text, shown))
        elif name == "consent_publish":
            rows.append(
                (form.consent_publish.label.text, _("Yes") if entry.consent_publish else _("No"))
            )
        else:
            value = getattr(entry, name)
            rows.append((form[name].label.text, "—" if value in (None, "") else str(value)))
    return rows


def _handle_post(form: EntryForm, entry: Entry) -> tuple[int, list[str]]:
    """Save what she typed, then submit if she asked to; returns the status and any reasons."""
    if not form.validate_on_submit():
        return INVALID, []
    version = bounded_int(form.version.data, minimum=0) or 0
    try:
        services.save_draft(current_user, entry, _data(form), version)
    except services.StaleEntry as error:
        # Both versions: hers in the form, the saved one above it. Her next save, having seen
        # them, is hers to make: the form now carries the saved version.
        form.form_errors.append(error.message)
        g.saved_rows = _saved_rows(form, entry, services.differences(entry, _data(form)))
        form.version.data = entry.version
        return error.status, []
    except DomainError as error:  # a stale version has no field: it goes above the form
        show_error(form, error)
        return error.status, []
    _tell_invitations(team.invite_team(current_user, entry, client_ip()))
    if not _upload(form, entry):
        form.version.data = entry.version
        return INVALID, []  # the text is saved; the refused file is named next to its field
    form.version.data = entry.version
    if not form.submit.data:
        flash(_("Your draft has been saved."), "success")
        return 302, []
    try:
        submitted = services.submit(current_user, entry, entry.version)
    except services.SubmissionRefused as error:
        form.form_errors.append(error.message)
        return error.status, error.reasons
    except DomainError as error:
        form.form_errors.append(error.message)
        return error.status, []
    if submitted:
        message = _(
            "Your entry has been submitted. Its reference number is %(reference)s.",
            reference=entry.reference,
        )
    else:  # the same form sent twice: one submission, one mail
        message = _(
            "We had already received this entry; nothing was sent twice. Its reference number "
            "is %(reference)s.",
            reference=entry.reference,
        )
    flash(message, "success")
    return 302, []


def _tell_invitations(outcome: team.InvitationsSent) -> None:
    """Said the same whether an address has an account or not."""
    if outcome.sent:
        flash(
            _(
                "An invitation to join your team was sent to %(emails)s. She is on your team "
                "once she accepts it.",
                emails=", ".join(outcome.sent),
            ),
            "info",
        )
    if outcome.held:
        flash(
            _(
                "You have sent as many team invitations as allowed in an hour. The invitation to "
                "%(emails)s was not sent: save your entry again after %(when)s to send it.",
                emails=", ".join(outcome.held),
                when=to_vietnam(outcome.retry_at).strftime("%H:%M %d/%m/%Y"),
            ),
            "warning",
        )


def _upload(form: EntryForm, entry: Entry) -> bool:
    """Attach the files sent with the form; False when one was refused."""
    uploads = [(AttachmentKind.BUSINESS_PLAN, form.business_plan.data)]
    uploads += [(AttachmentKind.PHOTO, photo) for photo in form.photos.data or []]
    ok = True
    for kind, upload in uploads:
        if not isinstance(upload, FileStorage) or not upload.filename:
            continue
        try:
            attachments.add_attachment(current_user, entry, kind, upload.filename, upload.read())
        except DomainError as error:
            show_error(form, error)
            ok = False
    return ok


@bp.route("/entries/<int:entry_id>/attachments/<int:attachment_id>")
@login_required
def attachment(entry_id: int, attachment_id: int):
    """A file of an entry, for its applicant and the organisers of its unit only."""
    entry = load_or_404(Entry, entry_id)
    file = load_or_404(Attachment, attachment_id, visible=lambda _, f: f.entry_id == entry.id)
    require(attachments.may_see(current_user, entry))
    return send_file(
        storage.path_of(file.stored_name),
        mimetype=file.content_type,
        as_attachment=file.kind is AttachmentKind.BUSINESS_PLAN,
        download_name=file.original_name,
        max_age=0,
    )


@bp.route("/entries/<int:entry_id>/attachments/<int:attachment_id>/delete", methods=["POST"])
@roles_required(Role.APPLICANT)
def delete_attachment(entry_id: int, attachment_id: int):
    entry = load_or_404(Entry, entry_id, allowed=_owns)
    file = load_or_404(Attachment, attachment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        attachments.remove_attachment(current_user, entry, file)
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(_("The file has been removed."), "info")
    return redirect(url_for("entries.edit", entry_id=entry.id))


@bp.route("/entries/<int:entry_id>/withdraw", methods=["GET", "POST"])
@roles_required(Role.APPLICANT)
def withdraw(entry_id: int):
    entry = load_or_404(Entry, entry_id, allowed=_owns)
    form = WithdrawForm()
    if form.validate_on_submit():
        if not form.confirm.data:
            form.confirm.errors = [_("Tick the box to confirm.")]
        else:
            try:
                services.withdraw(current_user, entry)
            except DomainError as error:
                flash(error.message, "danger")
            else:
                flash(_("Your entry has been withdrawn."), "info")
            return redirect(url_for("entries.mine"))
    status = INVALID if form.confirm.errors else 200
    return render_template("entries/withdraw.html", form=form, entry=entry), status


# --- Organisers ----------------------------------------------------------------------------------


def _filters(competition: Competition) -> tuple[EntryFilterForm, listing.EntryFilters]:
    form = EntryFilterForm(request.args)
    everything = SelectChoice("", _("All"))
    form.status.choices = [everything] + [SelectChoice(s.value, s.label) for s in listing.LISTED]
    form.category.choices = [everything] + [
        SelectChoice(str(c.id), c.name) for c in competition.categories
    ]
    form.commune.choices = [everything] + [
        SelectChoice(str(unit_id), name) for unit_id, name in listing.commune_choices(competition)
    ]
    form.household.choices = [everything] + [
        SelectChoice(h.value, h.label) for h in HouseholdStatus
    ]
    form.stage.choices = [everything] + [SelectChoice(b.value, b.label) for b in BusinessStage]
    form.validate()

    def valid(field):
        # A filter that is not in its list is ignored (its message is next to it).
        return None if field.errors else field.data

    filters = listing.EntryFilters(
        status=valid(form.status) or None,
        category_id=bounded_int(valid(form.category)),
        commune_id=bounded_int(valid(form.commune)),
        household_status=form.household.data or None,
        ethnic_minority=form.minority.data or None,
        business_stage=form.stage.data or None,
        search=form.q.data,
        sort=form.sort.data or "submitted",
    )
    return form, filters


@bp.route("/competitions/<int:competition_id>/entries")
@roles_required(*STAFF_ROLES)
@cache.kept_per_account
def competition_entries(competition_id: int):
    competition = found_or_404(
        listing.load_competition(competition_id),
        allowed=competition_services.may_manage_competition,
    )
    form, filters = _filters(competition)
    page, counts = listing.list_page(competition, filters, page_number())
    return render_template(
        "entries/competition_entries.html",
        competition=competition,
        form=form,
        page=page,
        counts=counts,
        # Said once for the page, not once a row.
        status_labels={status: status.label for status in EntryStatus},
        category_names={c.id: c.name for c in competition.categories},
        write_moment=listing.moment_writer(),
        args={k: v for k, v in request.args.items() if k != "page"},
    ), (400 if form.errors else 200)


@bp.route("/competitions/<int:competition_id>/entries.<any(csv, xlsx):kind>")
@roles_required(*STAFF_ROLES)
def export_entries(competition_id: int, kind: str):
    competition = load_or_404(
        Competition, competition_id, allowed=competition_services.may_manage_competition
    )
    _, filters = _filters(competition)
    query = listing.entries_query(competition, filters)
    name = f"{competition.reference_prefix}-{competition.year}-entries.{kind}"
    if kind == "csv":
        body, mimetype = listing.export_csv(query), "text/csv; charset=utf-8"
    else:
        body = listing.export_xlsx(query)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = make_response(body)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/entries/<int:entry_id>/screen", methods=["POST"])
@roles_required(*STAFF_ROLES)
def screen(entry_id: int):
    entry = load_or_404(Entry, entry_id, allowed=_organises)
    form = ScreeningForm()
    if form.validate_on_submit():
        try:
            services.screen(
                current_user,
                entry,
                eligible=form.decision.data == "eligible",
                reason=form.reason.data,
            )
        except DomainError as error:
            show_error(form, error)
            return _detail_page(entry_page(entry.id), screening_form=form), error.status
        flash(_("The decision has been recorded and the applicant told."), "success")
        return redirect(url_for("entries.detail", entry_id=entry.id))
    return _detail_page(entry_page(entry.id), screening_form=form), INVALID


@bp.route("/entries/<int:entry_id>/extension", methods=["POST"])
@roles_required(*STAFF_ROLES)
def extension(entry_id: int):
    entry = load_or_404(Entry, entry_id, allowed=_organises)
    form = ExtensionForm()
    if form.validate_on_submit():
        try:
            services.grant_extension(current_user, entry, from_vietnam(form.until.data))
        except DomainError as error:
            show_error(form, error)
            return _detail_page(entry_page(entry.id), extension_form=form), error.status
        flash(_("The applicant has more time for this entry."), "success")
        return redirect(url_for("entries.detail", entry_id=entry.id))
    return _detail_page(entry_page(entry.id), extension_form=form), INVALID


# --- Invitations to an entry's team ---------------------------------------------------------------


def _refusal(error: DomainError):
    """The page that says why she cannot answer this invitation."""
    # A link forged, expired or already answered: for this page the invitation does not exist.
    status = 404 if isinstance(error, InvalidLink) else error.status
    return render_template("entries/team_invitation.html", error=error.message), status


def _answerable(token: str):
    """The invitation of the link for the logged-in woman, or the page that says why not."""
    try:
        return team.check_invitation(current_user, token), None
    except DomainError as error:
        return None, _refusal(error)


@bp.route("/team-invitations/<token>")
@login_required
def team_invitation(token: str):
    found, refusal = _answerable(token)
    if refusal:
        return refusal
    invitation, member = found
    return render_template(
        "entries/team_invitation.html",
        invitation=invitation,
        member=member,
        token=token,
        form=ActionForm(),
    )


@bp.route("/team-invitations/<token>/<any(accept, decline):answer>", methods=["POST"])
@login_required
def answer_team_invitation(token: str, answer: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        # The same answer sent twice (a double click) is told the same, not "already answered".
        if answer == "accept":
            entry = team.accept(current_user, token, client_ip())
        else:
            entry = team.decline(current_user, token, client_ip())
    except DomainError as error:  # another account's, forged, expired or answered the other way
        return _refusal(error)
    if answer == "accept":
        flash(_("You are now on the team of “%(title)s”.", title=entry.title), "success")
    else:
        flash(
            _("You declined the invitation to the team of “%(title)s”.", title=entry.title), "info"
        )
    return redirect(url_for("main.home"))
