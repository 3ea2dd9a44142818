"""Forms of progress reports: the schedule, the report itself, and the organiser's review."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.applicants.models import HOUSEHOLD_STATUS_LABELS, HouseholdStatus
from portal.core.forms import DayField, FlaskForm, IntegerField, MoneyField, QuickSelect
from portal.projects.reports.models import SUPPORT_NEED_LABELS, SupportNeed
from portal.projects.reports.schedule import PLANS


class ScheduleForm(FlaskForm):
    plan = RadioField(
        _l("How often does the project report?"),
        choices=[SelectChoice(plan.code, plan.label) for plan in PLANS.values()],
        validators=[InputRequired(_l("Choose how often the project reports."))],
    )
    starts_on = DayField(
        _l("First day of the first period"),
        validators=[InputRequired(_l("Write the first day of the first period."))],
        description=_l(
            "Usually the first day of the month the prize was awarded. Each report is due 15 "
            "days after its period ends."
        ),
    )
    version = HiddenField()
    submit = SubmitField(_l("Save the schedule"))


def _count(label, description=None):
    return IntegerField(
        label,
        validators=[Optional()],
        description=description,
        render_kw={"inputmode": "numeric", "autocomplete": "off", "min": 0},
    )


class ReportForm(FlaskForm):
    revenue = MoneyField(
        _l("Revenue in the period (đồng)"),
        description=_l("All the money the sales brought in, for example 15.000.000."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    costs = MoneyField(
        _l("Costs in the period (đồng)"),
        description=_l("What was spent: materials, wages, rent, transport."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    products_sold = TextAreaField(
        _l("Products or services sold"),
        description=_l(
            "What was sold and how much, for example 300 kg of tea, 40 homestay nights."
        ),
        validators=[Optional(), Length(max=4000)],
        render_kw={"rows": 2},
    )
    jobs_total = _count(_l("People working in the project"), _l("Including yourself."))
    jobs_women = _count(_l("Of them, women"))
    jobs_ethnic_women = _count(_l("Of them, ethnic-minority women"))
    members = _count(
        _l("Members of the cooperative or group"),
        _l("Only when the project is a cooperative or a cooperative group."),
    )
    household_status = RadioField(
        _l("Your household today"),
        choices=[SelectChoice(s.value, HOUSEHOLD_STATUS_LABELS[s]) for s in HouseholdStatus],
        validators=[Optional()],
    )
    needs = SelectMultipleField(
        _l("Support you still need"),
        choices=[SelectChoice(n.value, SUPPORT_NEED_LABELS[n]) for n in SupportNeed],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[Optional()],
    )
    needs_other = TextAreaField(
        _l("Say more about the support you need"),
        validators=[Optional(), Length(max=4000)],
        render_kw={"rows": 2},
    )
    went_well = TextAreaField(
        _l("What went well"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 3}
    )
    was_hard = TextAreaField(
        _l("What was hard"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 3}
    )
    photos = MultipleFileField(
        _l("Photos (JPEG or PNG, at most 6)"),
        render_kw={"accept": "image/jpeg,image/png,.jpg,.jpeg,.png,.pdf"},
    )
    remove_photos = SelectMultipleField(coerce=int, validators=[Optional()], validate_choice=False)
    version = HiddenField()
    save = SubmitField(_l("Save as a draft"))
    send = SubmitField(_l("Send the report"))


class ReviewForm(FlaskForm):
    version = HiddenField()
    accept = SubmitField(_l("Accept the report"))


class ReturnReportForm(FlaskForm):
    version = HiddenField()
    comment = TextAreaField(
        _l("What should be changed?"),
        validators=[DataRequired(_l("Write what should be changed.")), Length(max=4000)],
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Return for changes"))


class SkipReportForm(FlaskForm):
    version = HiddenField()
    reason = TextAreaField(
        _l("Why is this report skipped?"),
        validators=[DataRequired(_l("Write why this report is skipped.")), Length(max=4000)],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Skip this report"))


class FollowUpFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    year = SelectField(_l("Competition year"), validators=[Optional()], widget=QuickSelect())
    commune = SelectField(_l("Commune or ward"), validators=[Optional()], widget=QuickSelect())
    state = SelectField(_l("Status"), validators=[Optional()], widget=QuickSelect())
    kind = SelectField(_l("Kind"), validators=[Optional()], widget=QuickSelect())
