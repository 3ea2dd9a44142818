"""Certificates: the organisers' list, downloads (one or all as a ZIP), revoking, the public
verification page, and the winner's own award pages."""

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from portal.auth.models import Role, User
from portal.awards import bp
from portal.awards.certificates import reissuing, revoking
from portal.awards.certificates import services as certificates
from portal.awards.certificates.forms import ReissueForm, RevokeForm, VerifyForm
from portal.awards.common import (
    decision_of,
    is_published,
    normalise_code,
    published_awards_query,
)
from portal.awards.models import PRIZE_ORDER, Award, AwardStatus, Prize
from portal.awards.payments import services as payments
from portal.competitions.models import Competition
from portal.competitions.services import may_manage_competition
from portal.core.errors import DomainError
from portal.core.forms import INVALID, form_status, show_error
from portal.core.http_cache import public_cache
from portal.core.inputs import page_number
from portal.core.permissions import load_or_404, require, roles_required
from portal.core.time import utcnow
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db, limiter

PER_PAGE = 50
GONE = 410
NOT_FOUND = 404


def _tier_order() -> tuple:
    return (
        *PRIZE_ORDER,
        Award.slot,
    )


def _awards_of(competition: Competition) -> sa.Select:
    """The competition's published awards (valid or revoked), in tier order then slot."""
    return (
        published_awards_query()
        .join(Prize, Prize.id == Award.tier_id)
        .where(Award.competition_id == competition.id)
        .order_by(*_tier_order())
    )


def _managed_competition(competition_id: int) -> Competition:
    return load_or_404(Competition, competition_id, allowed=may_manage_competition)


def _published_award(award_id: int) -> Award:
    """An award of published results given to an entry; any other id does not exist here."""
    award = db.session.scalar(published_awards_query().where(Award.id == award_id))
    if award is None:
        abort(404)
    return award


def _attachment(body: bytes, mimetype: str, name: str):
    response = make_response(body)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_global("valid_awards_of")
def valid_awards_of(entry: Entry) -> list[Award]:
    """For the entry's page: its valid awards of published results (usually none or one)."""
    if entry.status is not EntryStatus.AWARDED:
        return []
    return [
        award
        for award in db.session.scalars(
            published_awards_query()
            .join(Prize, Prize.id == Award.tier_id)
            .where(Award.entry_id == entry.id)
            .order_by(*_tier_order())
        ).unique()
        if award.is_valid
    ]


# --- Organisers ----------------------------------------------------------------------------------


@bp.route("/awards/competitions/<int:competition_id>/certificates", endpoint="certificates")
@roles_required(Role.ORGANISER, Role.ADMIN)
def certificates_page(competition_id: int):
    competition = _managed_competition(competition_id)
    decision = decision_of(competition)
    published = decision is not None and decision.published
    page, revokers = None, {}
    if published:
        page = db.paginate(
            _awards_of(competition),
            page=page_number(),
            per_page=PER_PAGE,
            error_out=False,
        )
        ids = {a.revoked_by_id for a in page.items if a.revoked_by_id}
        if ids:
            revokers = dict(
                db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(ids)))
                .tuples()
                .all()
            )
    return render_template(
        "awards/certificates/index.html",
        competition=competition,
        decision=decision,
        published=published,
        page=page,
        revokers=revokers,
    )


@bp.route("/awards/competitions/<int:competition_id>/certificates.zip", endpoint="certificates_zip")
@roles_required(Role.ORGANISER, Role.ADMIN)
def certificates_zip(competition_id: int):
    competition = _managed_competition(competition_id)
    back = redirect(url_for("awards.certificates", competition_id=competition.id))
    if not is_published(competition):
        flash(_("Certificates are issued when the results are published."), "info")
        return back
    awards = [a for a in db.session.scalars(_awards_of(competition)).unique() if a.is_valid]
    if not awards:
        flash(_("There is no valid certificate to download."), "info")
        return back
    return _attachment(
        certificates.zip_all(awards), "application/zip", certificates.zip_name(competition)
    )


@bp.route("/awards/<int:award_id>/revoke", methods=["GET", "POST"], endpoint="revoke")
@roles_required(Role.ORGANISER, Role.ADMIN)
def revoke(award_id: int):
    award = _published_award(award_id)
    require(may_manage_competition(current_user, award.competition))
    back = url_for("awards.certificates", competition_id=award.competition_id)
    if award.status is AwardStatus.REVOKED:
        if request.method == "POST":  # a second click: nothing more to do
            flash(_("This award has already been revoked."), "info")
            return redirect(back)
        return render_template("awards/certificates/revoke.html", award=award, form=None)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            revoking.revoke(current_user, award, form.reason.data, now=utcnow())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(
                _(
                    "The award of %(name)s is revoked. Its certificate now shows as revoked and "
                    "she has been told by e-mail.",
                    name=award.entry.applicant.full_name,
                ),
                "success",
            )
            return redirect(back)
    status = form_status(form) if request.method == "POST" else 200
    return render_template("awards/certificates/revoke.html", award=award, form=form), status


@bp.route("/awards/<int:award_id>/reissue", methods=["GET", "POST"], endpoint="reissue")
@roles_required(Role.ORGANISER, Role.ADMIN)
def reissue(award_id: int):
    """Correct the name or the idea's title a certificate shows, with a reason (audited)."""
    award = _published_award(award_id)
    require(may_manage_competition(current_user, award.competition))
    if not reissuing.reissuable(award):
        return render_template("awards/certificates/reissue.html", award=award, form=None)
    shown = {
        "winner_name": award.winner_name,
        "entry_title": award.entry_title,
        "seen_name": award.winner_name,
        "seen_title": award.entry_title,
    }
    form = ReissueForm(data=None if request.method == "POST" else shown)
    status = 200
    if form.validate_on_submit():
        try:
            reissuing.reissue(
                current_user,
                award,
                winner_name=form.winner_name.data,
                entry_title=form.entry_title.data,
                reason=form.reason.data,
                now=utcnow(),
                seen=(form.seen_name.data or "", form.seen_title.data or ""),
            )
        except reissuing.ReissueConflict as error:
            # Her typing stays in the form; what is printed now is on the page above it.
            db.session.expire(award)
            show_error(form, error)
            form.seen_name.data, form.seen_title.data = award.winner_name, award.entry_title
            status = error.status
        except DomainError as error:
            show_error(form, error)
        else:
            flash(
                _(
                    "The certificate is re-issued with the corrected text; the verification page "
                    "shows it and the winner has been told."
                ),
                "success",
            )
            return redirect(url_for("awards.certificates", competition_id=award.competition_id))
    if request.method == "POST" and status == 200:
        status = form_status(form)
    return render_template("awards/certificates/reissue.html", award=award, form=form), status


# --- Downloading one certificate -----------------------------------------------------------------


@bp.route("/awards/<int:award_id>/certificate.pdf", endpoint="certificate")
@login_required
def certificate(award_id: int):
    """The winner of the award and the competition's organisers; nobody else."""
    award = _published_award(award_id)
    own = award.entry.applicant_id == current_user.id
    require(own or may_manage_competition(current_user, award.competition))
    if not award.is_valid:
        return render_template("awards/certificates/revoked.html", award=award, own=own), GONE
    return _attachment(
        certificates.render_pdf(award), "application/pdf", certificates.file_name(award)
    )


# --- Public verification -------------------------------------------------------------------------


def _verify_limit() -> str:
    return current_app.config.get("VERIFY_LIMIT", "30 per minute")


@bp.route("/verify", endpoint="verify_form")
@limiter.limit(_verify_limit)
@public_cache
def verify_form():
    asked = "code" in request.args
    form = VerifyForm(request.args if asked else None)
    if asked and form.validate():
        code = normalise_code(form.code.data)
        if code:
            return redirect(url_for("awards.verify", code=code))
        form.code.errors.append(_("A verification code is 12 letters and digits."))
    status = INVALID if asked else 200
    return render_template("awards/certificates/verify_form.html", form=form), status


@bp.route("/verify/<code>", endpoint="verify")
@limiter.limit(_verify_limit)
@public_cache
def verify(code: str):
    normal = normalise_code(code[:40])
    if normal and normal != code:
        return redirect(url_for("awards.verify", code=normal))
    award = (
        db.session.scalar(published_awards_query().where(Award.certificate_code == normal))
        if normal
        else None
    )
    if award is None:
        form = VerifyForm(formdata=None, code=code[:40])
        return render_template(
            "awards/certificates/verify_form.html", form=form, unknown=code[:40]
        ), NOT_FOUND
    return render_template(
        "awards/certificates/verify.html",
        award=award,
        issued_on=certificates.issued_on(award),
        form=VerifyForm(formdata=None),
    )


# --- The winner's pages --------------------------------------------------------------------------


@bp.route("/my/awards", endpoint="my_awards")
@login_required
def my_awards():
    awards = db.session.scalars(
        published_awards_query()
        .join(Entry, Entry.id == Award.entry_id)
        .join(Prize, Prize.id == Award.tier_id)
        .where(Entry.applicant_id == current_user.id)
        .order_by(Award.issued_at.desc(), Award.competition_id.desc(), *_tier_order())
    ).unique()
    return render_template("awards/certificates/my_awards.html", awards=list(awards))


@bp.route("/my/awards/<int:award_id>", endpoint="my_award")
@login_required
def my_award(award_id: int):
    award = db.session.scalar(
        published_awards_query().where(Award.id == award_id).options(selectinload(Award.payments))
    )
    if award is None:
        abort(404)
    require(award.entry.applicant_id == current_user.id)
    return render_template(
        "awards/certificates/my_award.html",
        award=award,
        issued_on=certificates.issued_on(award),
        verify_url=certificates.verification_url(award) if award.certificate_code else None,
        winner_payments=payments.winner_view(award),
    )
