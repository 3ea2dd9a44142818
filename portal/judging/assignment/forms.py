"""Forms of the assignment pages: a judge given an entry by hand, the proposal confirmed."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    SelectField,
    SubmitField,
)
from wtforms.validators import InputRequired

from portal.core.forms import FlaskForm
from portal.core.inputs import optional_id


class AssignForm(FlaskForm):
    """Add a judge to an entry (entry given), or put another judge in an assignment's place."""

    entry = HiddenField()
    judge = SelectField(
        _l("Judge"),
        coerce=optional_id,
        validate_choice=False,
        validators=[InputRequired(_l("Choose a judge."))],
    )


class ConfirmForm(FlaskForm):
    version = HiddenField()
    fingerprint = HiddenField()
    submit = SubmitField(_l("Confirm these assignments"))
