"""Forms of support activities: an activity, one attendee, a sign-in sheet."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.core.forms import DayField, FlaskForm
from portal.projects.activities.models import ACTIVITY_KIND_LABELS, ActivityKind


class ActivityForm(FlaskForm):
    unit = SelectField(_l("Organising unit"), validators=[InputRequired()])
    kind = SelectField(
        _l("Kind of activity"),
        choices=[SelectChoice(k.value, ACTIVITY_KIND_LABELS[k]) for k in ActivityKind],
        validators=[InputRequired(_l("Choose the kind of activity."))],
    )
    held_on = DayField(_l("Date"), validators=[InputRequired(_l("Write the date it was held."))])
    topic = StringField(
        _l("Topic"),
        description=_l("For example: Selling online on Facebook and Zalo."),
        validators=[DataRequired(_l("Write the topic of the activity.")), Length(max=300)],
        render_kw={"maxlength": 300},
    )
    partner = StringField(
        _l("Partner (optional)"),
        description=_l("The organisation that ran it with the union, if any."),
        validators=[Optional(), Length(max=200)],
        render_kw={"maxlength": 200},
    )
    commune = SelectField(_l("Held in the commune of"), validators=[Optional()])
    submit = SubmitField(_l("Record the activity"))


class AttendeeForm(FlaskForm):
    project = SelectField(_l("A winner's project"), validators=[Optional()])
    name = StringField(
        _l("Or her name"), validators=[Optional(), Length(max=200)], render_kw={"maxlength": 200}
    )
    commune = SelectField(_l("Her commune"), validators=[Optional()])
    ethnicity = SelectField(_l("Her ethnic group"), validators=[Optional()])
    phone = StringField(
        _l("Phone (optional)"),
        validators=[Optional(), Length(max=32)],
        render_kw={"inputmode": "tel", "maxlength": 32},
    )
    submit = SubmitField(_l("Add to the list"))


class SheetForm(FlaskForm):
    sheet = FileField(
        _l("Sign-in sheet (XLSX or CSV)"),
        description=_l(
            "A first row naming the columns: “Họ và tên” (needed), “Xã”, “Dân tộc”, "
            "“Số điện thoại”, “Email”. A woman with an account or a project is linked to it."
        ),
        render_kw={"accept": ".xlsx,.csv,text/csv"},
    )
    submit = SubmitField(_l("Import the sheet"))
