"""Publishing the results (the organisers' confirm page), and the public pages of the awards:
a competition's published results and the winners' gallery."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.awards import bp, common
from portal.awards.common import is_published
from portal.awards.decision.views import managed_competition, refresh_version
from portal.awards.publication import public
from portal.awards.publication import services as publication
from portal.awards.publication.forms import GalleryFilterForm, PublishForm
from portal.competitions.models import DEFAULT_CATEGORIES, Competition, CompetitionLevel
from portal.core.errors import DomainError
from portal.core.forms import INVALID
from portal.core.http_cache import public_cache
from portal.core.permissions import STAFF_ROLES, roles_required
from portal.core.time import utcnow
from portal.extensions import db
from portal.units import services as unit_services

BAD_REQUEST = 400


@bp.app_template_global("results_published")
def results_published(competition: Competition) -> bool:
    """For the public competition page: link to the results once they are published."""
    return is_published(competition)


@bp.route("/competitions/<int:competition_id>/results", endpoint="public_results")
@public_cache
def public_results(competition_id: int):
    competition = db.get_or_404(Competition, competition_id)
    results = public.results_of(competition)
    if results is None:
        abort(404)  # results not yet published do not exist for the public
    return render_template(
        "awards/publication/results.html", competition=competition, results=results
    )


def _filter_form() -> tuple[GalleryFilterForm, public.GalleryFilters]:
    form = GalleryFilterForm(request.args)
    years = public.gallery_years()
    provinces = unit_services.provinces()
    form.year.choices = [SelectChoice("", _("All years"))] + [
        SelectChoice(str(y), str(y)) for y in years
    ]
    form.province.choices = [SelectChoice("", _("All provinces"))] + [
        SelectChoice(str(p.id), p.name) for p in provinces
    ]
    form.category.choices = (
        [SelectChoice("", _("All categories"))]
        + [SelectChoice(code, str(label)) for code, label in DEFAULT_CATEGORIES.items()]
        + [SelectChoice(public.OTHER_CATEGORY, _("Other categories"))]
    )
    form.level.choices = [SelectChoice("", _("All levels"))] + [
        SelectChoice(lv.value, lv.label) for lv in CompetitionLevel
    ]
    filters, refused = public.parse_filters(
        request.args, years=years, province_ids={p.id for p in provinces}
    )
    for name, value in refused.items():
        field = getattr(form, name)
        field.data = ""
        field.errors = [_refused_message(name, value[:40])]
    return form, filters


def _refused_message(name: str, value: str) -> str:
    if name == "year":
        return _(
            "There are no published results for the year “%(value)s”; all years are shown.",
            value=value,
        )
    if name == "province":
        return _("“%(value)s” is not a province in the list; all provinces are shown.", value=value)
    if name == "category":
        return _(
            "“%(value)s” is not a category in the list; all categories are shown.", value=value
        )
    return _("“%(value)s” is not a level in the list; all levels are shown.", value=value)


def _page_number() -> int:
    """The page asked for; anything that is not a positive whole number means the first page."""
    raw = request.args.get("page", "")
    return int(raw) if raw.isdecimal() and 0 < len(raw) < 7 else 1


@bp.route("/winners", endpoint="gallery")
@public_cache
def gallery():
    form, filters = _filter_form()
    page = public.gallery(filters, _page_number())
    args = {
        name: getattr(form, name).data or "" for name in ("year", "province", "category", "level")
    }
    status = BAD_REQUEST if any(f.errors for f in form) else 200
    return render_template(
        "awards/publication/gallery.html", form=form, page=page, args=args
    ), status


@bp.route(
    "/awards/competitions/<int:competition_id>/publish",
    methods=["GET", "POST"],
    endpoint="publish",
)
@roles_required(*STAFF_ROLES)
def publish(competition_id: int):
    competition = managed_competition(competition_id)
    status = 200
    if request.method == "POST":
        form = PublishForm()
        if form.validate_on_submit():
            try:
                done = publication.publish(
                    current_user, competition, now=utcnow(), version=form.shown_version
                )
            except DomainError as error:
                form.form_errors.append(error.message)
                status = error.status
            else:
                flash(
                    _("The results are published.")
                    + " "
                    + ngettext(
                        "%(num)d applicant is told by e-mail.",
                        "%(num)d applicants are told by e-mail.",
                        done.mails,
                    ),
                    "success",
                )
                return redirect(url_for("awards.decide", competition_id=competition.id))
        else:
            status = INVALID
        refresh_version(form, competition)
    else:
        decision = common.decision_of(competition)
        form = PublishForm(formdata=None, version=decision.version if decision else 0)
    return render_template(
        "awards/publication/publish.html",
        competition=competition,
        decision=common.decision_of(competition),
        audience=publication.preview_audience(competition),
        form=form,
    ), status
