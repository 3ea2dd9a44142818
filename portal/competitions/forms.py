from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.competitions.models import DEFAULT_CATEGORIES, CompetitionLevel
from portal.core.forms import FROM_THE_LIST, DateTimeLocalField, FlaskForm, IntegerField
from portal.core.inputs import optional_id
from portal.units import services as unit_services
from portal.units.forms import UnitPickerMixin

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


# The most rows the form takes: named categories and rounds.
CATEGORY_ROWS = 40
ROUND_ROWS = 6


class RoundForm(FlaskForm):
    class Meta:
        csrf = False  # part of the competition form, which carries the token

    id = HiddenField()  # the round it edits, so that its rubric, judges and results stay on it
    name = StringField(_l("Name of the round"), validators=[Optional(), Length(max=120)])
    opens_at = DateTimeLocalField(
        _l("Opens (Vietnam time)"), format=DATETIME_FORMAT, validators=[Optional()]
    )
    closes_at = DateTimeLocalField(
        _l("Closes (Vietnam time)"), format=DATETIME_FORMAT, validators=[Optional()]
    )

    def is_empty(self) -> bool:
        return not (self.name.data or self.opens_at.data or self.closes_at.data)


class CategoryForm(FlaskForm):
    """A category the organisers name; emptying the name removes it."""

    class Meta:
        csrf = False  # part of the competition form, which carries the token

    id = HiddenField()  # the category it renames: its entries stay filed under it
    name = StringField(_l("Other category"), validators=[Optional(), Length(max=120)])


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CompetitionForm(UnitPickerMixin, FlaskForm):
    include_nation = True
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)]
    )
    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(_l("Enter the year.")),
            NumberRange(2000, 2100, _l("Enter a year between 2000 and 2100.")),
        ],
    )
    level = SelectField(_l("Level"))
    region = SelectField(
        _l("Region (of a regional competition)"),
        coerce=optional_id,
        validate_choice=True,
        invalid_choice_message=FROM_THE_LIST,
    )
    by_nomination_only = BooleanField(
        _l("Entries only by nomination from the competitions below"),
        description=_l(
            "No one applies directly: the competitions below nominate their best ideas."
        ),
    )
    reference_prefix = StringField(
        _l("Prefix of entry numbers"),
        description=_l(
            "2 to 6 capital letters, for example DB gives entry numbers like DB-2026-0042."
        ),
        filters=[lambda v: v.strip().upper() if v else v],
        validators=[Optional(), Length(max=6)],
    )
    description = TextAreaField(
        _l("Description"), validators=[Length(max=10_000)], render_kw={"rows": 4}
    )
    rules = TextAreaField(_l("Rules"), validators=[Length(max=20_000)], render_kw={"rows": 6})
    category_codes = CheckboxesField(_l("Categories"))
    custom_categories = FieldList(FormField(CategoryForm), min_entries=2, max_entries=CATEGORY_ROWS)
    rounds = FieldList(FormField(RoundForm), min_entries=2, max_entries=ROUND_ROWS)
    women_only = BooleanField(_l("The lead applicant must be a woman"), default=True)
    residents_only = BooleanField(_l("The lead applicant must live in the organising unit"))
    min_age = IntegerField(
        _l("Lowest age (optional)"), validators=[Optional(), NumberRange(14, 100)]
    )
    max_age = IntegerField(
        _l("Highest age (optional)"), validators=[Optional(), NumberRange(14, 100)]
    )
    max_entries_per_applicant = IntegerField(
        _l("Entries per applicant, at most"),
        default=1,
        validators=[InputRequired(), NumberRange(1, 10)],
    )
    business_plan_required = BooleanField(_l("A business plan must be attached"), default=True)
    photos_required = IntegerField(
        _l("Photos required (0 to 5)"), default=0, validators=[InputRequired(), NumberRange(0, 5)]
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = [SelectChoice(lv.value, lv.label) for lv in CompetitionLevel]
        self.region.choices = [SelectChoice("", _l("— None —"))] + [
            SelectChoice(r.id, r.name) for r in unit_services.regions()
        ]
        self.category_codes.choices = [
            SelectChoice(code, label) for code, label in DEFAULT_CATEGORIES.items()
        ]
        # Each row its own label, so that a screen reader tells them apart.
        for number, entry in enumerate(self.custom_categories, start=1):
            entry.form.name.label.text = _l("Other category %(number)d", number=number)


class CopyForm(FlaskForm):
    year = IntegerField(
        _l("Year of the new competition"), validators=[InputRequired(), NumberRange(2000, 2100)]
    )
    submit = SubmitField(_l("Copy"))


class ListFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    province = SelectField(
        _l("Province or city"),
        validators=[Optional()],
        invalid_choice_message=_l("Choose a province or city from the list."),
    )
    level = SelectField(_l("Level"), validators=[Optional()], invalid_choice_message=FROM_THE_LIST)
    phase = SelectField(_l("Status"), validators=[Optional()], invalid_choice_message=FROM_THE_LIST)
