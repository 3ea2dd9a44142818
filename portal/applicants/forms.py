from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, SubmitField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from portal.applicants import services
from portal.applicants.ethnicities import ETHNICITIES, ordered_codes
from portal.applicants.models import (
    BUSINESS_STAGE_LABELS,
    FIELD_LABELS,
    GENDER_LABELS,
    HOUSEHOLD_STATUS_LABELS,
)
from portal.auth.forms import full_name_field, phone_field
from portal.core.forms import FlaskForm
from portal.core.inputs import choice_value
from portal.units.forms import UnitPickerMixin

DATE_FORMAT = "%Y-%m-%d"

# The yes/no radio buttons send these; the view turns them into True, False or None.
YES, NO = "yes", "no"


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(member.value, label) for member, label in labels.items()]


def ethnicity_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("— Choose —"))] + [
        SelectChoice(code, ETHNICITIES[code]) for code in ordered_codes()
    ]


class ApplicantProfileForm(UnitPickerMixin, FlaskForm):
    full_name = full_name_field()
    phone = phone_field()
    date_of_birth = DateField(
        FIELD_LABELS["date_of_birth"],
        format=DATE_FORMAT,
        validators=[Optional()],
        render_kw={"autocomplete": "bday"},
    )
    gender = RadioField(
        FIELD_LABELS["gender"],
        choices=_choices(GENDER_LABELS),
        validators=[Optional()],
        coerce=choice_value,
    )
    ethnicity = SelectField(
        FIELD_LABELS["ethnicity"],
        choices=ethnicity_choices(),
        validators=[Optional()],
        coerce=choice_value,
    )
    household_status = RadioField(
        FIELD_LABELS["household_status"],
        choices=_choices(HOUSEHOLD_STATUS_LABELS),
        validators=[Optional()],
        coerce=choice_value,
        description=_l("As certified by your commune for this year."),
    )
    union_member = RadioField(
        FIELD_LABELS["union_member"],
        choices=[SelectChoice(YES, _l("Yes")), SelectChoice(NO, _l("No"))],
        validators=[Optional()],
        coerce=choice_value,
    )
    business_stage = RadioField(
        FIELD_LABELS["business_stage"],
        choices=_choices(BUSINESS_STAGE_LABELS),
        validators=[Optional()],
        coerce=choice_value,
    )
    submit = SubmitField(_l("Save my profile"))

    def validate_date_of_birth(self, field: DateField) -> None:
        if field.data is not None:
            problem = services.date_of_birth_problem(field.data)
            if problem is not None:
                raise ValidationError(str(problem))
