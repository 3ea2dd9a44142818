from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from portal.auth.models import Role
from portal.core.forms import FlaskForm
from portal.units.forms import UnitPickerMixin


class GrantRoleForm(UnitPickerMixin, FlaskForm):
    include_nation = True
    role = SelectField(
        _l("Role"),
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Give the role"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Labels are evaluated per request, in the person's language.
        self.role.choices = [SelectChoice(r.value, r.label) for r in Role]


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Search by name or e-mail"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice("", _l("All roles"))] + [
            SelectChoice(r.value, r.label) for r in Role
        ]
