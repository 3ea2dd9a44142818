from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional

from portal.core.forms import FROM_THE_LIST, DateTimeLocalField, FlaskForm, IntegerField
from portal.core.inputs import bounded_int, optional_id


class DeadlineForm(FlaskForm):
    nominations_close_at = DateTimeLocalField(
        _l("Nominations close at (Vietnam time)"),
        description=_l("Leave it empty to take no nominations."),
        validators=[Optional()],
    )
    save_deadline = SubmitField(_l("Save the deadline"))


class SourceForm(FlaskForm):
    source = SelectField(
        _l("A competition that may nominate"),
        coerce=optional_id,
        validate_choice=True,
        invalid_choice_message=FROM_THE_LIST,
    )
    level = SelectField(
        _l("Or every competition of a level"),
        validators=[Optional()],
        invalid_choice_message=FROM_THE_LIST,
    )
    unit = SelectField(
        _l("Of the province (optional)"),
        coerce=optional_id,
        validate_choice=True,
        invalid_choice_message=FROM_THE_LIST,
    )
    quota = IntegerField(
        _l("Entries each competition may send"),
        default=3,
        validators=[
            InputRequired(_l("Enter how many entries each may send.")),
            NumberRange(1, 100, _l("Enter a number from 1 to 100.")),
        ],
    )
    add_source = SubmitField(_l("Add"))


class VersionForm(FlaskForm):
    """A button that moves a nomination, carrying the version the page showed."""

    version = HiddenField(validators=[InputRequired()])

    @property
    def shown_version(self) -> int | None:
        return bounded_int(self.version.data, minimum=0)
