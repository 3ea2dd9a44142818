"""Forms of milestones: recording or correcting one, verifying or returning it, its kinds."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.core.forms import DayField, FlaskForm, IntegerField
from portal.projects.models import LEGAL_FORM_LABELS, LegalForm


class MilestoneForm(FlaskForm):
    kind = SelectField(
        _l("What did the project reach?"),
        validators=[InputRequired(_l("Choose what the project reached."))],
    )
    reached_on = DayField(
        _l("Date"),
        validators=[InputRequired(_l("Write the date it happened."))],
        description=_l("The day it happened, for example the date on the certificate."),
    )
    note = TextAreaField(
        _l("What happened"),
        description=_l("A few words: what was sold, which product, how many jobs."),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3},
    )
    registration_number = StringField(
        _l("Registration number"),
        description=_l("Only for a registration: the number on the certificate."),
        validators=[Optional(), Length(max=64)],
        render_kw={"maxlength": 64, "autocomplete": "off"},
    )
    legal_form = SelectField(
        _l("Registered as"),
        description=_l("Only for a registration."),
        choices=[SelectChoice("", "—")]
        + [SelectChoice(form.value, LEGAL_FORM_LABELS[form]) for form in LegalForm],
        validators=[Optional()],
    )
    evidence_link = StringField(
        _l("A link that shows it (optional)"),
        description=_l("For example the page of the online shop, or a newspaper article."),
        validators=[Optional(), Length(max=500)],
        render_kw={"inputmode": "url", "maxlength": 500},
    )
    files = MultipleFileField(
        _l("Photos or documents (JPEG, PNG or PDF, at most 5 files of 10 MB)"),
        render_kw={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"},
    )
    remove_files = SelectMultipleField(
        _l("Remove these files"),
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[Optional()],
        validate_choice=False,
    )
    version = HiddenField()
    submit = SubmitField(_l("Save the milestone"))


class VerifyMilestoneForm(FlaskForm):
    version = IntegerField(validators=[InputRequired()])
    submit = SubmitField(_l("Verify"))


class ReturnMilestoneForm(FlaskForm):
    version = IntegerField(validators=[InputRequired()])
    reason = TextAreaField(
        _l("What should be corrected?"),
        validators=[DataRequired(_l("Write what should be corrected.")), Length(max=2000)],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Return for changes"))


class MilestoneKindForm(FlaskForm):
    label_vi = StringField(
        _l("Name in Vietnamese"),
        validators=[DataRequired(_l("Write the name in Vietnamese.")), Length(max=120)],
        render_kw={"maxlength": 120},
    )
    label_en = StringField(
        _l("Name in English"),
        validators=[DataRequired(_l("Write the name in English.")), Length(max=120)],
        render_kw={"maxlength": 120},
    )
    is_registration = BooleanField(
        _l("A registration: ask for the registration number and the legal form")
    )
    active = BooleanField(_l("Offered on the form"), default=True)
    submit = SubmitField(_l("Save"))
