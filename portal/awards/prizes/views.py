"""The organisers' prizes pages: a competition's prize tiers and special prizes, their order, and
whether the winner of a tier may also take a special prize."""

from babel.numbers import format_decimal
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.forms import ActionForm
from portal.awards import bp
from portal.awards.models import Prize, PrizeKind
from portal.awards.prizes import services as prizes
from portal.awards.prizes.forms import AddPrizeForm, PrizeForm, PrizeSettingsForm
from portal.competitions.models import Competition
from portal.competitions.services import may_manage_competition
from portal.core import idempotency
from portal.core.errors import DomainError
from portal.core.forms import INVALID, show_error
from portal.core.permissions import STAFF_ROLES, load_or_404, roles_required
from portal.extensions import db

LOCKED = 409


def _managed_competition(competition_id: int) -> Competition:
    return load_or_404(Competition, competition_id, allowed=may_manage_competition)


def _managed_prize(tier_id: int) -> Prize:
    return load_or_404(
        Prize, tier_id, allowed=lambda user, x: may_manage_competition(user, x.competition)
    )


def _prizes_url(competition: Competition, anchor: str | None = None) -> str:
    return url_for("awards.prizes", competition_id=competition.id, _anchor=anchor)


def _page(
    competition: Competition,
    *,
    form: AddPrizeForm | None = None,
    settings_form: PrizeSettingsForm | None = None,
    status: int = 200,
):
    data = prizes.overview(competition)
    if form is None:
        form = AddPrizeForm(formdata=None, competition=competition)
    if settings_form is None:
        settings_form = PrizeSettingsForm(
            formdata=None, special_with_tier="yes" if data.special_with_tier else "no"
        )
    return render_template(
        "awards/prizes/index.html",
        competition=competition,
        data=data,
        form=form,
        settings_form=settings_form,
        has_rule_categories=bool(prizes.rule_categories(competition)),
    ), status


@bp.route(
    "/awards/competitions/<int:competition_id>/prizes",
    methods=["GET", "POST"],
    endpoint="prizes",
)
@roles_required(*STAFF_ROLES)
def prizes_page(competition_id: int):
    competition = _managed_competition(competition_id)
    if request.method == "GET":
        return _page(competition)
    if request.form.get("usual"):
        return _use_usual_tiers(competition)
    form = AddPrizeForm(competition=competition)
    if prizes.lock_reason(competition):
        return _page(competition, form=form, status=LOCKED)
    if form.validate_on_submit():
        try:
            tier = prizes.add_prize(
                current_user,
                competition,
                form.data_for(PrizeKind(form.kind.data)),
                form_key=request.form.get("form_key"),
            )
        except idempotency.AlreadySent as sent:
            tier = db.session.get(Prize, sent.earlier.object_id)
            flash(_("The prize “%(name)s” has been added.", name=tier.name), "success")
            return redirect(_prizes_url(competition, f"prize-{tier.id}"))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The prize “%(name)s” has been added.", name=tier.name), "success")
            return redirect(_prizes_url(competition, f"prize-{tier.id}"))
    return _page(competition, form=form, status=INVALID)


def _use_usual_tiers(competition: Competition):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        prizes.use_usual_tiers(current_user, competition, language=str(get_locale() or "vi"))
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(
            _(
                "The usual tiers have been added. Fill in the cash value of each, and change "
                "anything that differs in this competition."
            ),
            "success",
        )
    return redirect(_prizes_url(competition))


def _cash_text(amount: int) -> str:
    """The stored value as she would type it: 10.000.000 in Vietnamese, 10,000,000 in English."""
    return format_decimal(amount, locale=str(get_locale() or "vi"))


def _edit_page(tier: Prize, form: PrizeForm, reason: str | None, status: int = 200):
    lines = prizes.lines_of_tier(tier)
    competition = tier.competition
    return render_template(
        "awards/prizes/edit.html",
        competition=competition,
        tier=tier,
        form=form,
        lock_reason=reason,
        lines=len(lines),
        given=sum(1 for a in lines if a.entry_id is not None),
        conditions=prizes.describe_rule(tier.rule, competition) if tier.is_special else [],
        has_rule_categories=bool(prizes.rule_categories(competition)),
    ), status


@bp.route("/awards/prizes/<int:tier_id>/edit", methods=["GET", "POST"], endpoint="edit_prize")
@roles_required(*STAFF_ROLES)
def edit_prize(tier_id: int):
    tier = _managed_prize(tier_id)
    competition = tier.competition
    reason = prizes.lock_reason(competition)
    if request.method == "GET" or reason:
        form = PrizeForm(
            formdata=None,
            competition=competition,
            name=tier.name,
            prize_count=tier.prize_count,
            cash_value=_cash_text(tier.cash_value),
            in_kind=tier.in_kind,
        )
        form.fill_rule(tier.rule or {})
        return _edit_page(tier, form, reason, LOCKED if request.method == "POST" else 200)
    form = PrizeForm(competition=competition)
    if form.validate_on_submit():
        try:
            prizes.edit_prize(current_user, tier, form.data_for(tier.kind))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The prize “%(name)s” has been saved.", name=tier.name), "success")
            return redirect(_prizes_url(competition, f"prize-{tier.id}"))
    return _edit_page(tier, form, None, INVALID)


@bp.route("/awards/prizes/<int:tier_id>/delete", methods=["POST"], endpoint="delete_prize")
@roles_required(*STAFF_ROLES)
def delete_prize(tier_id: int):
    tier = _managed_prize(tier_id)
    competition, name = tier.competition, tier.name
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        removed = prizes.delete_prize(current_user, tier)
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(url_for("awards.edit_prize", tier_id=tier.id))
    message = _("The prize “%(name)s” has been deleted.", name=name)
    if removed:
        message += " " + ngettext(
            "%(num)d line of the draft decision was deleted with it.",
            "%(num)d lines of the draft decision were deleted with it.",
            removed,
        )
    flash(message, "success")
    return redirect(_prizes_url(competition))


@bp.route("/awards/prizes/<int:tier_id>/move", methods=["POST"], endpoint="move_prize")
@roles_required(*STAFF_ROLES)
def move_prize(tier_id: int):
    tier = _managed_prize(tier_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        prizes.move_prize(current_user, tier, request.form.get("direction", ""))
    except DomainError as error:
        flash(error.message, "danger")
    return redirect(_prizes_url(tier.competition, f"prize-{tier.id}"))


@bp.route(
    "/awards/competitions/<int:competition_id>/prize-settings",
    methods=["POST"],
    endpoint="prize_settings",
)
@roles_required(*STAFF_ROLES)
def prize_settings(competition_id: int):
    competition = _managed_competition(competition_id)
    form = PrizeSettingsForm()
    if prizes.lock_reason(competition):
        return _page(competition, settings_form=form, status=LOCKED)
    if form.validate_on_submit():
        try:
            prizes.set_special_with_tier(
                current_user, competition, form.special_with_tier.data == "yes"
            )
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The setting has been saved."), "success")
            return redirect(_prizes_url(competition, "settings"))
    return _page(competition, settings_form=form, status=INVALID)
