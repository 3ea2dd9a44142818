"""Forms of supported projects: the list's filters, a prize won elsewhere, removing one."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.competitions.models import LEVEL_LABELS, CompetitionLevel
from portal.core.forms import FlaskForm, IntegerField, MoneyField, QuickSelect


class YearField(IntegerField):
    """A year; a wrong one gets a message in her language."""

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l("Write a year such as 2026."))) from None


class ProjectFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    q = StringField(
        _l("Search by title, reference or name"), validators=[Optional(), Length(max=100)]
    )
    year = SelectField(_l("Year"), validators=[Optional()], widget=QuickSelect())
    unit = SelectField(_l("Organising unit"), validators=[Optional()], widget=QuickSelect())
    category = SelectField(_l("Category"), validators=[Optional()], widget=QuickSelect())
    commune = SelectField(_l("Commune or ward"), validators=[Optional()], widget=QuickSelect())
    won = BooleanField(_l("Won at a regional or national round"))


class ExternalAwardForm(FlaskForm):
    level = RadioField(
        _l("Level of the round"),
        choices=[
            SelectChoice(level.value, LEVEL_LABELS[level])
            for level in (CompetitionLevel.REGIONAL, CompetitionLevel.NATIONAL)
        ],
        validators=[InputRequired(_l("Choose regional or national."))],
    )
    body = StringField(
        _l("Who ran the round"),
        description=_l("For example: Central Committee of the Vietnam Women's Union."),
        validators=[DataRequired(_l("Write who ran the round.")), Length(max=200)],
        render_kw={"maxlength": 200},
    )
    prize = StringField(
        _l("Prize won"),
        description=_l("For example: Second prize, or Special prize for digital economy."),
        validators=[DataRequired(_l("Write the prize she won.")), Length(max=200)],
        render_kw={"maxlength": 200},
    )
    year = YearField(
        _l("Year"),
        validators=[InputRequired(_l("Write the year of the round."))],
        render_kw={"inputmode": "numeric"},
    )
    cash_value = MoneyField(
        _l("Cash value (đồng, optional)"),
        description=_l("Leave empty when the prize had no cash or it is not known."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    evidence = FileField(
        _l("Evidence: the certificate or decision (PDF, JPEG or PNG, at most 10 MB)"),
        render_kw={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"},
    )
    evidence_note = TextAreaField(
        _l("Or where it can be checked"),
        description=_l(
            "Without a file, say in a few words where the proof is (the decision's number, "
            "a newspaper article) or give a link to it."
        ),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Record the prize"))


class DeleteExternalAwardForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is this prize removed?"),
        validators=[DataRequired(_l("Write why this prize is removed.")), Length(max=2000)],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Remove this prize"))
