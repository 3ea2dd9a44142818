"""Administration: people and their roles, the audit log, the outbox, the units."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin import bp, services
from portal.admin.forms import GrantRoleForm, UserSearchForm
from portal.auth import roles
from portal.auth.forms import ActionForm
from portal.auth.models import Role, RoleGrant, User
from portal.core import audit, outbox
from portal.core.errors import DomainError
from portal.core.forms import form_status, show_error
from portal.core.outbox import OutboxMessage, OutboxStatus
from portal.core.permissions import load_or_404, roles_required
from portal.core.security import client_ip
from portal.core.time import utcnow
from portal.extensions import db
from portal.units import services as unit_services

PER_PAGE = 25


@bp.route("/users")
@roles_required(Role.ADMIN)
def users():
    form = UserSearchForm(request.args)
    form.validate()
    page = db.paginate(
        services.user_query(form.q.data, form.role.data), per_page=PER_PAGE, error_out=False
    )
    return render_template("admin/users.html", form=form, page=page)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_detail(user_id: int):
    user = load_or_404(User, user_id)
    form = GrantRoleForm()
    form.fill_unit_choices()
    status = 200
    if request.method == "POST" and form.wants_communes:
        form.commune.data = None
    elif form.validate_on_submit():
        try:
            roles.grant_role(
                current_user,
                user,
                Role(form.role.data),
                form.commune.data or form.province.data,
                client_ip(),
            )
        except DomainError as error:
            show_error(form, error)
            status = error.status
        else:
            flash(_("The role has been given."), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    else:
        status = form_status(form)
    return render_template("admin/user_detail.html", user=user, form=form), status


@bp.route("/users/<int:user_id>/roles/<int:grant_id>/revoke", methods=["POST"])
@roles_required(Role.ADMIN)
def revoke_role(user_id: int, grant_id: int):
    grant = load_or_404(RoleGrant, grant_id, visible=lambda _, g: g.user_id == user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        roles.revoke_role(current_user, grant, client_ip())
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(_("The role has been removed."), "info")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles_required(Role.ADMIN)
def set_active(user_id: int):
    user = load_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        roles.set_active(current_user, user, active, client_ip())
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(_("The account is active.") if active else _("The account is deactivated."), "info")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.route("/audit")
@roles_required(Role.ADMIN)
def audit_log():
    action = request.args.get("action") or None
    page = db.paginate(services.audit_query(action), per_page=50, error_out=False)
    return render_template(
        "admin/audit.html",
        page=page,
        actors=services.actors_by_id(page.items),
        actions=services.audit_actions(),
        action=action,
        action_label=audit.action_label,
        object_label=audit.object_label,
        readable=audit.readable,
    )


@bp.route("/outbox")
@roles_required(Role.ADMIN)
def outbox_list():
    status = request.args.get("status") or None
    page = db.paginate(services.outbox_query(status), per_page=PER_PAGE, error_out=False)
    now = utcnow()  # one moment for the warning and for each row
    return render_template(
        "admin/outbox.html",
        page=page,
        counts=services.outbox_counts(),
        status=status,
        statuses=list(OutboxStatus),
        slow=services.slow_sends(now),
        slow_after=outbox.SLOW_CLAIM,
        stale_after=outbox.STALE_CLAIM,
        now=now,
    )


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
@roles_required(Role.ADMIN)
def outbox_retry(message_id: int):
    message = load_or_404(OutboxMessage, message_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if services.retry_message(message):
        flash(_("The message will be sent again."), "info")
    return redirect(url_for("admin.outbox_list", status="failed"))


@bp.route("/units")
@roles_required(Role.ADMIN)
def units():
    query = (request.args.get("q") or "")[:100]
    results = unit_services.search_units(query) if query else []
    return render_template(
        "admin/units.html",
        query=query,
        results=results,
        provinces=unit_services.provinces_with_commune_counts(),
        nation=unit_services.nation(),
        regions=unit_services.regions(),
    )
