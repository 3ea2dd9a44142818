"""The admin's pages of API tokens: issue one (its secret shown once), revoke one, read its
calls."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from portal.api import admin_bp as bp
from portal.api import services as tokens
from portal.api.forms import TokenForm
from portal.api.models import ApiCall, ApiToken
from portal.auth.forms import ActionForm
from portal.auth.models import Role
from portal.core import idempotency
from portal.core.errors import DomainError
from portal.core.forms import form_status, show_error
from portal.core.inputs import bounded_int
from portal.core.permissions import load_or_404, roles_required
from portal.extensions import db
from portal.units.models import Unit, UnitKind

COUNTRY = "country"
SHOWN_CALLS = 200


def _form() -> TokenForm:
    form = TokenForm()
    provinces = db.session.scalars(
        sa.select(Unit).where(Unit.kind == UnitKind.PROVINCE).order_by(Unit.name)
    )
    form.unit.choices = [SelectChoice(COUNTRY, _("The whole country"))] + [
        SelectChoice(str(p.id), p.full_name) for p in provinces
    ]
    return form


def _page(form: TokenForm | None, secret: str | None = None, issued: ApiToken | None = None):
    found = list(
        db.session.scalars(
            sa.select(ApiToken)
            .options(joinedload(ApiToken.unit), joinedload(ApiToken.issued_by))
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.issued_at.desc())
        )
    )
    return render_template(
        "api/tokens.html",
        form=form,
        tokens=found,
        calls=tokens.calls_of([t.id for t in found]),
        secret=secret,
        issued=issued,
    )


@bp.route("/admin/api-tokens", methods=["GET", "POST"], endpoint="tokens")
@roles_required(Role.ADMIN)
def tokens_page():
    form = _form()
    refusal = None
    if form.validate_on_submit():
        unit = None if form.unit.data == COUNTRY else bounded_int(form.unit.data)
        try:
            token, secret = tokens.issue_token(
                current_user, form.name.data, unit, form_key=request.form.get("form_key")
            )
        except idempotency.AlreadySent:
            # Sent again (a double tap, a reload): the secret was shown the first time only.
            flash(_("This token was already issued; its secret was shown once."), "info")
            return redirect(url_for("api_admin.tokens"))
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            # No form on this page: its key was just used, and another token starts afresh.
            return _page(None, secret=secret, issued=token), 201
    if request.method == "GET":
        return _page(form)
    return _page(form), form_status(form, refusal)


@bp.route("/admin/api-tokens/<int:token_id>", endpoint="token")
@roles_required(Role.ADMIN)
def token_page(token_id: int):
    token = load_or_404(ApiToken, token_id)
    calls = db.session.scalars(
        sa.select(ApiCall)
        .where(ApiCall.token_id == token.id)
        .order_by(ApiCall.at.desc(), ApiCall.id.desc())
        .limit(SHOWN_CALLS)
    )
    return render_template("api/token.html", token=token, calls=list(calls), shown=SHOWN_CALLS)


@bp.route("/admin/api-tokens/<int:token_id>/revoke", methods=["POST"], endpoint="revoke")
@roles_required(Role.ADMIN)
def revoke(token_id: int):
    token = load_or_404(ApiToken, token_id)
    if ActionForm().validate_on_submit():
        tokens.revoke_token(current_user, token)
        flash(_("The token is revoked: every call with it is refused from now on."), "success")
    return redirect(url_for("api_admin.token", token_id=token.id))
