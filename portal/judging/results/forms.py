"""Forms of a round's results: filters, making final, reopening, advancing."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.core.forms import DecimalField, FlaskForm, IntegerField, QuickSelect


class ResultFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    q = StringField(_l("Search by reference or title"), validators=[Optional(), Length(max=100)])
    flag = SelectField(_l("Flag"), validators=[Optional()], widget=QuickSelect())
    category = SelectField(_l("Category"), validators=[Optional()], widget=QuickSelect())


class FinaliseForm(FlaskForm):
    # The ranking version of the page the button was pressed on (ranking.finalise).
    version = HiddenField()
    accept_missing = BooleanField(
        _l("I know some entries have fewer score sheets than asked, and make the results final")
    )
    submit = SubmitField(_l("Make the results final"))


class ReopenForm(FlaskForm):
    reason = TextAreaField(
        _l("Why are the results reopened?"),
        validators=[DataRequired(_l("Write why the results are reopened.")), Length(max=2000)],
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Reopen the results"))


class AdvanceForm(FlaskForm):
    mode = RadioField(
        _l("Advance"),
        choices=[
            SelectChoice("top", _l("the top entries, by rank")),
            SelectChoice("score", _l("every entry with at least a score")),
        ],
        default="top",
        validators=[InputRequired(_l("Choose how to choose the entries."))],
    )
    count = IntegerField(
        _l("How many entries (by rank)"),
        validators=[Optional(), NumberRange(1, 100_000, _l("Enter a number of 1 or more."))],
        render_kw={"inputmode": "numeric"},
    )
    threshold = DecimalField(
        _l("Lowest score that advances (0 to 100)"),
        places=2,
        validators=[Optional(), NumberRange(0, 100, _l("Enter a score from 0 to 100."))],
        render_kw={"inputmode": "decimal"},
    )
    preview = SubmitField(_l("Show who would advance"))
    submit = SubmitField(_l("Advance these entries"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.mode.data == "top" and self.count.data is None and not self.count.errors:
            self.count.errors = [*self.count.errors, _l("Enter how many entries advance.")]
            ok = False
        if self.mode.data == "score" and self.threshold.data is None and not self.threshold.errors:
            self.threshold.errors = [*self.threshold.errors, _l("Enter the lowest score.")]
            ok = False
        return ok
