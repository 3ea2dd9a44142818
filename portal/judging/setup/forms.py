"""Forms of the organisers' judging pages: rubric, round settings, judges, assignments."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    FormField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from portal.core.forms import DateTimeLocalField, FlaskForm, FloatField, IntegerField
from portal.judging.models import RankBy


class CriterionForm(FlaskForm):
    class Meta:
        csrf = False  # part of the rubric form, which carries the token

    code = StringField(
        _l("Code"),
        description=_l("Lower-case letters, digits and underscores, e.g. market_fit."),
        validators=[Optional(), Length(max=32)],
        render_kw={"maxlength": 32, "autocapitalize": "none"},
    )
    label = StringField(_l("Label"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(
        _l("What the judges look at"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 2},
    )
    max_points = IntegerField(
        _l("Maximum points"),
        validators=[Optional(), NumberRange(1, 1000, _l("Enter a whole number from 1 to 1000."))],
        render_kw={"inputmode": "numeric"},
    )
    weight = FloatField(
        _l("Weight"),
        validators=[Optional(), NumberRange(0.01, 100, _l("Enter a number above 0, at most 100."))],
        render_kw={"inputmode": "decimal"},
    )
    order = IntegerField(
        _l("Order"),
        validators=[Optional(), NumberRange(0, 999, _l("Enter a whole number."))],
        render_kw={"inputmode": "numeric"},
    )
    remove = BooleanField(_l("Remove this criterion"))


class RubricForm(FlaskForm):
    criteria = FieldList(FormField(CriterionForm), min_entries=1, max_entries=21)
    add = SubmitField(_l("Add a criterion"))
    save = SubmitField(_l("Save the rubric"))


class RoundSettingsForm(FlaskForm):
    judges_per_entry = IntegerField(
        _l("Judges per entry"),
        validators=[
            InputRequired(_l("Enter the number of judges per entry.")),
            NumberRange(1, 15, _l("Enter a number from 1 to 15.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    blind = RadioField(
        _l("Blind or open judging"),
        validators=[InputRequired(_l("Choose blind or open judging."))],
    )
    rank_by = RadioField(
        _l("The score that ranks the entries"),
        validators=[InputRequired(_l("Choose the score that ranks the entries."))],
    )
    tie_break = FieldList(
        SelectField(_l("Tie-break"), validate_choice=False), min_entries=0, max_entries=20
    )
    disagreement_threshold = FloatField(
        _l("Disagreement threshold (points out of 100)"),
        description=_l("An entry is flagged when its judges' totals differ by more than this."),
        validators=[
            InputRequired(_l("Enter the disagreement threshold.")),
            NumberRange(0.01, 100, _l("Enter a number above 0, at most 100.")),
        ],
        render_kw={"inputmode": "decimal"},
    )
    scoring_closes_at = DateTimeLocalField(
        _l("Judges' deadline (Vietnam time, optional)"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
    )
    submit = SubmitField(_l("Save the settings"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.blind.choices = [
            SelectChoice("blind", _l("Blind: judges do not see the applicants' names")),
            SelectChoice("open", _l("Open: judges see the applicants' names")),
        ]
        self.rank_by.choices = [SelectChoice(r.value, r.label) for r in RankBy]


class JudgeForm(FlaskForm):
    email = EmailField(
        _l("The judge's e-mail address"),
        validators=[
            DataRequired(_l("Enter an e-mail address.")),
            Length(max=254),
            Email(_l("Enter an e-mail address like name@example.com.")),
        ],
    )
    submit = SubmitField(_l("Add the judge"))
