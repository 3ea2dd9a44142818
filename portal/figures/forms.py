from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.core.forms import FlaskForm, IntegerField


class TargetForm(FlaskForm):
    unit = SelectField(_l("Unit"), validators=[InputRequired(_l("Choose the unit."))])
    indicator = SelectField(
        _l("Figure"), validators=[InputRequired(_l("Choose one of the figures."))]
    )
    first_year = IntegerField(
        _l("First year of the term"),
        validators=[InputRequired(_l("Write the term's first year.")), NumberRange(2000, 2100)],
        render_kw={"inputmode": "numeric"},
    )
    last_year = IntegerField(
        _l("Last year of the term"),
        validators=[InputRequired(_l("Write the term's last year.")), NumberRange(2000, 2100)],
        render_kw={"inputmode": "numeric"},
    )
    figure = IntegerField(
        _l("Target"),
        description=_l("A number; đồng for an amount; whole per cent for a share."),
        validators=[InputRequired(_l("Write the target, a whole number above zero."))],
        render_kw={"inputmode": "numeric"},
    )
    yearly = BooleanField(_l("The target is for each year of the term"))
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Set the target"))
