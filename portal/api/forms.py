from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from portal.core.forms import FlaskForm


class TokenForm(FlaskForm):
    name = StringField(
        _l("Who holds it, and what for"),
        description=_l("For example: Central Women's Union, monthly report."),
        validators=[DataRequired(_l("Write who the token is for.")), Length(max=120)],
    )
    unit = SelectField(_l("What it reads"))
    submit = SubmitField(_l("Issue the token"))
