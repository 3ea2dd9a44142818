from flask_babel import lazy_gettext as _l
from wtforms import (
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.core.forms import FROM_THE_LIST, DateTimeLocalField, FlaskForm, QuickSelect


def _filter(label) -> SelectField:
    return SelectField(
        label, validators=[Optional()], invalid_choice_message=FROM_THE_LIST, widget=QuickSelect()
    )


class EntryFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    q = StringField(
        _l("Search by reference, title or name"), validators=[Optional(), Length(max=100)]
    )
    status = _filter(_l("Status"))
    category = _filter(_l("Category"))
    commune = _filter(_l("Commune or ward"))
    household = _filter(_l("Household status"))
    minority = _filter(_l("Ethnic minority"))
    stage = _filter(_l("Stage of the business"))
    sort = _filter(_l("Sort by"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.minority.choices = [
            SelectChoice("", _l("All")),
            SelectChoice("yes", _l("Yes")),
            SelectChoice("no", _l("No")),
        ]
        self.sort.choices = [
            SelectChoice("submitted", _l("Newest first")),
            SelectChoice("oldest", _l("Oldest first")),
            SelectChoice("reference", _l("Reference")),
            SelectChoice("title", _l("Title")),
            SelectChoice("capital", _l("Capital needed")),
        ]


class ScreeningForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice("eligible", _l("Eligible")),
            SelectChoice("ineligible", _l("Not eligible")),
        ],
        validators=[InputRequired(_l("Choose a decision."))],
    )
    reason = TextAreaField(
        _l("Reason (the applicant reads it)"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Record the decision"))


class ExtensionForm(FlaskForm):
    until = DateTimeLocalField(
        _l("New deadline for this entry (Vietnam time)"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("Enter the new deadline."))],
    )
    submit = SubmitField(_l("Give more time"))
