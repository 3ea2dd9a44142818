"""The applicant profile page: a thin view over portal.applicants.services."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.applicants import bp, services
from portal.applicants.forms import NO, YES, ApplicantProfileForm
from portal.applicants.models import BusinessStage, Gender, HouseholdStatus
from portal.auth.models import Role, User
from portal.core.errors import DomainError
from portal.core.forms import form_status, show_error
from portal.core.permissions import roles_required
from portal.core.security import safe_next


def _initial_data(user: User) -> dict:
    profile = services.get_profile(user)
    data = {
        "full_name": user.full_name,
        "phone": user.phone,
        "province": user.province_id,
        "commune": user.commune_id,
    }
    if profile is not None:
        data.update(
            date_of_birth=profile.date_of_birth,
            gender=_value(profile.gender),
            ethnicity=profile.ethnicity or "",
            household_status=_value(profile.household_status),
            union_member={True: YES, False: NO}.get(profile.union_member),
            business_stage=_value(profile.business_stage),
        )
    return data


def _value(member) -> str | None:
    return member.value if member is not None else None


def _member(enum_class, value: str | None):
    return enum_class(value) if value else None


@bp.route("/profile", methods=["GET", "POST"])
@roles_required(Role.APPLICANT)
def profile():
    user = current_user
    # Where the entry form sent her from, to go back once the profile is saved; only this site.
    next_url = safe_next(request.args.get("next"), "") or None
    form = ApplicantProfileForm(data=None if request.method == "POST" else _initial_data(user))
    form.fill_unit_choices()
    page = {
        "form": form,
        "user": user,
        "next_url": next_url,
        "missing": [str(name) for name in services.missing_fields(user)],
    }
    if request.method == "POST" and form.wants_communes:
        form.commune.data = None
        return render_template("applicants/profile.html", **page)
    refusal = None
    if form.validate_on_submit():
        try:
            services.save_profile(
                user,
                full_name=form.full_name.data,
                phone=form.phone.data,
                province_id=form.province.data,
                commune_id=form.commune.data,
                date_of_birth=form.date_of_birth.data,
                gender=_member(Gender, form.gender.data),
                ethnicity=form.ethnicity.data or None,
                household_status=_member(HouseholdStatus, form.household_status.data),
                union_member={YES: True, NO: False}.get(form.union_member.data),
                business_stage=_member(BusinessStage, form.business_stage.data),
            )
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(_("Your applicant profile has been saved."), "success")
            return redirect(next_url or url_for("applicants.profile"))
    return render_template("applicants/profile.html", **page), form_status(form, refusal)
