"""The forms of the entrusted-credit import: the bank's file for a unit and a day, then the
confirmation after the preview (with the reason, when it replaces a period)."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.core.forms import DayField, FlaskForm
from portal.core.inputs import choice_value

SHEET = {"accept": ".xlsx,.csv"}


class UploadForm(FlaskForm):
    unit = SelectField(
        _l("Unit"),
        coerce=choice_value,
        validators=[InputRequired(_l("Choose the unit these figures are for."))],
    )
    period = DayField(
        _l("Figures as of"),
        description=_l(
            "The day the bank's figures stand at: usually the last day of a month or a quarter."
        ),
        validators=[InputRequired(_l("Write the day the figures stand at."))],
    )
    file = FileField(
        _l("The bank's file (XLSX or CSV)"),
        validators=[FileRequired(_l("Choose the bank's file."))],
        render_kw=SHEET,
    )
    submit = SubmitField(_l("Check the file"))


class ConfirmForm(FlaskForm):
    """What the preview checked, carried back so that what is imported is what was shown."""

    unit = HiddenField(validators=[DataRequired()])
    period = HiddenField(validators=[DataRequired()])
    file_name = HiddenField(validators=[Length(max=255)])
    lines = TextAreaField(validators=[DataRequired()])
    replaces = HiddenField()
    reason = TextAreaField(
        _l("Why these figures replace those imported before"),
        description=_l("For example: the bank corrected the figures of two groups."),
        validators=[Length(max=2000)],
    )
    submit = SubmitField(_l("Import these figures"))
