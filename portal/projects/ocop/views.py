"""OCOP products: adding one to a project, recording an evaluation, revoking a rating, and the
organisers' list of products with their stars and expiry."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.core import idempotency
from portal.core.errors import DomainError
from portal.core.forms import form_status, show_error
from portal.core.permissions import STAFF_ROLES, load_or_404, roles_required
from portal.core.time import utcnow, vietnam_date
from portal.extensions import db
from portal.projects import bp
from portal.projects.models import SupportedProject
from portal.projects.ocop import services
from portal.projects.ocop.forms import ProductForm, RevokeRatingForm, rating_form
from portal.projects.ocop.models import OcopProduct, OcopRating

PER_PAGE = 50


def _to_project(project_id: int):
    return redirect(url_for("projects.detail", project_id=project_id) + "#ocop")


@bp.route("/projects/<int:project_id>/ocop/new", methods=["GET", "POST"], endpoint="new_product")
@login_required
def new_product(project_id: int):
    project = load_or_404(SupportedProject, project_id, allowed=services.may_add_product)
    form = ProductForm()
    refusal = None
    if form.validate_on_submit():
        try:
            services.add_product(
                current_user,
                project,
                form.name.data,
                form.group.data,
                form.legal_form.data,
                form_key=request.form.get("form_key"),
            )
        except idempotency.AlreadySent:
            return _to_project(project.id)
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(_("The product is added."), "success")
            return _to_project(project.id)
    return render_template("projects/ocop/product.html", project=project, form=form), form_status(
        form, refusal
    )


@bp.route(
    "/projects/ocop/<int:product_id>/ratings/new", methods=["GET", "POST"], endpoint="new_rating"
)
@roles_required(*STAFF_ROLES)
def new_rating(product_id: int):
    product = load_or_404(OcopProduct, product_id, allowed=services.may_rate)
    scheme = services.scheme_on(vietnam_date(utcnow()))
    if scheme is None:
        abort(404)
    form = rating_form(scheme)
    refusal = None
    if form.validate_on_submit():
        data = services.RatingData(
            evaluated_on=form.evaluated_on.data,
            level=form.level.data,
            scores={p["code"]: form[f"score_{p['code']}"].data for p in scheme.parts},
            certificate_number=form.certificate_number.data or "",
            certificate_date=form.certificate_date.data,
            recheck_months=form.recheck_months.data,
        )
        try:
            services.record_rating(
                current_user, product, data, now=utcnow(), form_key=request.form.get("form_key")
            )
        except idempotency.AlreadySent:
            return _to_project(product.project_id)
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(_("The evaluation is recorded."), "success")
            return _to_project(product.project_id)
    return render_template(
        "projects/ocop/rating.html",
        product=product,
        project=product.project,
        scheme=scheme,
        form=form,
        parts=[form[f"score_{p['code']}"] for p in scheme.parts],
    ), form_status(form, refusal)


@bp.route(
    "/projects/ocop/ratings/<int:rating_id>/revoke", methods=["POST"], endpoint="revoke_rating"
)
@roles_required(*STAFF_ROLES)
def revoke_rating(rating_id: int):
    rating = load_or_404(
        OcopRating, rating_id, allowed=lambda u, r: services.may_rate(u, r.product)
    )
    form = RevokeRatingForm(prefix=f"revoke-{rating.id}")
    if form.validate_on_submit():
        try:
            services.revoke_rating(current_user, rating, form.reason.data)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(_("The rating is revoked; it stays in the product's history."), "info")
    else:
        flash(_("Write why the rating is revoked."), "danger")
    return _to_project(rating.product.project_id)


@bp.route("/projects/ocop", endpoint="ocop_products")
@roles_required(*STAFF_ROLES)
def ocop_products():
    page = db.paginate(services.products_query(current_user), per_page=PER_PAGE, error_out=False)
    today = vietnam_date(utcnow())
    current = {p.id: services.current_rating(p) for p in page.items}
    women, owners = services.owner_counts(current_user)
    return render_template(
        "projects/ocop/index.html",
        page=page,
        current=current,
        states={
            p.id: services.state_of(current[p.id], p, today) for p in page.items if current[p.id]
        },
        women=women,
        owners=owners,
    )
