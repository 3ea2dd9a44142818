"""The organiser's form for the household's status."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from portal.applicants.models import HOUSEHOLD_STATUS_LABELS, HouseholdStatus
from portal.core.forms import DayField, FlaskForm
from portal.projects.poverty.models import SOURCE_LABELS
from portal.projects.poverty.services import BY_HAND


class HouseholdStatusForm(FlaskForm):
    status = RadioField(
        _l("The household's status"),
        choices=[SelectChoice(s.value, HOUSEHOLD_STATUS_LABELS[s]) for s in HouseholdStatus],
        validators=[InputRequired(_l("Choose the household's status."))],
    )
    as_of = DayField(
        _l("As of"),
        validators=[InputRequired(_l("Write the date of the status."))],
        description=_l("For the annual review, the date of the commune's decision."),
    )
    source = RadioField(
        _l("Where it comes from"),
        choices=[SelectChoice(s.value, SOURCE_LABELS[s]) for s in BY_HAND],
        default=BY_HAND[0].value,
        validators=[InputRequired(_l("Choose where the status comes from."))],
    )
    note = TextAreaField(
        _l("Note (optional)"),
        description=_l("For example the number of the commune's decision."),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Record the status"))
