"""Forms of the prizes pages: a prize (tier or special), and the decision's prize setting."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from portal.applicants.models import BusinessStage
from portal.awards.models import PrizeKind
from portal.awards.prizes import services as prizes
from portal.core.errors import DomainError
from portal.core.forms import FlaskForm, IntegerField


class WholeNumberField(IntegerField):
    """A whole number; what cannot be read as one gets a message in the person's language."""

    def process_formdata(self, valuelist) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = valuelist[0].strip()
        if not text.isascii() or not text.isdigit() or len(text) > 6:
            self.data = None
            raise ValueError(str(_l("Enter a whole number, for example 3.")))
        self.data = int(text)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _cash_readable(form, field) -> None:
    try:
        prizes.parse_cash(field.data)
    except DomainError as error:
        raise ValidationError(error.message) from None


class PrizeForm(FlaskForm):
    """A prize's name, number, value and, for a special prize, who may win it."""

    name = StringField(
        _l("Name of the prize"),
        description=_l("For example: First prize, or Best idea in the digital economy."),
        validators=[
            DataRequired(_l("Give the prize a name.")),
            Length(max=prizes.MAX_NAME, message=_l("The name is too long.")),
        ],
        render_kw={"maxlength": prizes.MAX_NAME},
    )
    prize_count = WholeNumberField(
        _l("Number of prizes"),
        validators=[
            InputRequired(_l("Enter how many of this prize are given.")),
            NumberRange(
                1,
                prizes.MAX_COUNT,
                _l("Enter a whole number from %(low)d to %(high)d.", low=1, high=prizes.MAX_COUNT),
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    cash_value = StringField(
        _l("Cash value of each prize (đồng)"),
        description=_l("For example 10.000.000. Write 0 if the prize has no cash."),
        validators=[_cash_readable],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 40},
    )
    in_kind = TextAreaField(
        _l("In-kind support (optional)"),
        description=_l("Equipment, seed stock, training, branding… given with each prize."),
        validators=[Length(max=prizes.MAX_IN_KIND, message=_l("The in-kind support is too long."))],
        render_kw={"rows": 2, "maxlength": prizes.MAX_IN_KIND},
    )
    # Who may win a special prize; every condition ticked must hold.
    ethnic_minority = BooleanField(_l("The applicant belongs to an ethnic minority"))
    union_member = BooleanField(_l("The applicant is a member of the Women's Union"))
    category_codes = CheckboxesField(_l("The entry's category is one of"), validate_choice=False)
    household_status = CheckboxesField(_l("The household is"), validate_choice=False)
    business_stage = CheckboxesField(_l("The business stage is"), validate_choice=False)
    max_age = WholeNumberField(
        _l("Highest age (optional)"),
        description=_l("The applicant is at most this old when the prizes are decided."),
        validators=[
            Optional(),
            NumberRange(
                prizes.MIN_RULE_AGE,
                prizes.MAX_RULE_AGE,
                _l(
                    "Enter a whole number from %(low)d to %(high)d.",
                    low=prizes.MIN_RULE_AGE,
                    high=prizes.MAX_RULE_AGE,
                ),
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    submit = SubmitField(_l("Save the prize"))

    def __init__(self, *args, competition=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.category_codes.choices = [
            SelectChoice(code, name)
            for code, name in (prizes.rule_categories(competition) if competition else [])
        ]
        self.household_status.choices = [
            SelectChoice(s.value, s.label) for s in prizes.RULE_HOUSEHOLD_STATUSES
        ]
        self.business_stage.choices = [SelectChoice(s.value, s.label) for s in BusinessStage]

    def rule(self) -> dict:
        return {
            "ethnic_minority": bool(self.ethnic_minority.data),
            "union_member": bool(self.union_member.data),
            "category_codes": list(self.category_codes.data or []),
            "household_status": list(self.household_status.data or []),
            "business_stage": list(self.business_stage.data or []),
            "max_age": self.max_age.data,
        }

    def fill_rule(self, rule: dict) -> None:
        self.ethnic_minority.data = bool(rule.get("ethnic_minority"))
        self.union_member.data = bool(rule.get("union_member"))
        self.category_codes.data = list(rule.get("category_codes") or [])
        self.household_status.data = list(rule.get("household_status") or [])
        self.business_stage.data = list(rule.get("business_stage") or [])
        self.max_age.data = rule.get("max_age")

    def data_for(self, kind: PrizeKind) -> prizes.PrizeData:
        return prizes.PrizeData(
            name=self.name.data or "",
            prize_count=self.prize_count.data,
            cash_value=self.cash_value.data,
            in_kind=self.in_kind.data or "",
            kind=kind,
            rule=self.rule(),
        )


class AddPrizeForm(PrizeForm):
    kind = RadioField(
        _l("Kind of prize"),
        choices=[
            SelectChoice(PrizeKind.TIER.value, _l("Prize tier: given in rank order")),
            SelectChoice(
                PrizeKind.SPECIAL.value,
                _l("Special prize: the best-ranked entry that meets its conditions"),
            ),
        ],
        default=PrizeKind.TIER.value,
        validators=[InputRequired(_l("Choose a prize tier or a special prize."))],
    )
    submit = SubmitField(_l("Add the prize"))


class PrizeSettingsForm(FlaskForm):
    special_with_tier = RadioField(
        _l("May the winner of a prize tier also take a special prize?"),
        choices=[
            SelectChoice("no", _l("No: a special prize goes to an entry without another prize")),
            SelectChoice("yes", _l("Yes: she may win both")),
        ],
        validators=[InputRequired(_l("Choose yes or no."))],
    )
    submit = SubmitField(_l("Save the setting"))
