"""Forms of follow-on capital: a source, a contribution, proposing support, the decision."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.capital.loans.schedule import FREQUENCY_LABELS, METHOD_LABELS, Frequency, Method
from portal.capital.models import (
    AGREEMENT_KIND_LABELS,
    IN_KIND_KIND_LABELS,
    REPAYMENT_METHOD_LABELS,
    SOURCE_KIND_LABELS,
    TRANCHE_CONDITION_LABELS,
    AgreementKind,
    InKindKind,
    RepaymentMethod,
    SourceKind,
    TrancheCondition,
)
from portal.core.forms import DayField, FlaskForm, IntegerField, MoneyField


class SourceForm(FlaskForm):
    unit = SelectField(_l("Unit"), validators=[InputRequired()])
    name = StringField(
        _l("Name"),
        description=_l("For example: Women's Development Support Fund of Điện Biên."),
        validators=[DataRequired(_l("Write the name of the source.")), Length(max=200)],
    )
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(k.value, SOURCE_KIND_LABELS[k]) for k in SourceKind],
        validators=[InputRequired(_l("Choose the kind of source."))],
    )
    partner = StringField(_l("Partner (optional)"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Record the source"))


class ContributionForm(FlaskForm):
    amount = MoneyField(
        _l("Amount (đồng)"),
        minimum=1,
        validators=[InputRequired(_l("Write the amount in whole đồng, above zero."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    received_on = DayField(
        _l("Received on"),
        validators=[InputRequired(_l("Write the date the money was received, not in the future."))],
    )
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Record the contribution"))


class ProposeForm(FlaskForm):
    kind = RadioField(
        _l("Kind of support"),
        choices=[SelectChoice(k.value, AGREEMENT_KIND_LABELS[k]) for k in AgreementKind],
        validators=[InputRequired(_l("Choose a grant, a loan or in-kind support."))],
    )
    source = SelectField(_l("Capital source"), validators=[Optional()])
    amount = MoneyField(
        _l("Amount (đồng)"),
        minimum=1,
        validators=[InputRequired(_l("Write the amount in whole đồng, above zero."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    purpose = TextAreaField(
        _l("What it is for"),
        validators=[DataRequired(_l("Write what the support is for.")), Length(max=2000)],
        render_kw={"rows": 3},
    )
    rate = StringField(
        _l("Rate (percent a month)"),
        description=_l("Only for a loan: for example 0,65."),
        validators=[Optional(), Length(max=10)],
        render_kw={"inputmode": "decimal"},
    )
    periods = IntegerField(
        _l("Number of periods"), validators=[Optional()], render_kw={"inputmode": "numeric"}
    )
    grace = IntegerField(
        _l("Grace periods (interest only)"),
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
    )
    frequency = SelectField(
        _l("Instalments"),
        choices=[SelectChoice(f.value, FREQUENCY_LABELS[f]) for f in Frequency],
        validators=[Optional()],
    )
    method = SelectField(
        _l("Method"),
        choices=[SelectChoice("", "—")] + [SelectChoice(m.value, METHOD_LABELS[m]) for m in Method],
        validators=[Optional()],
    )
    submit = SubmitField(_l("Propose the support"))


class DecisionForm(FlaskForm):
    version = HiddenField()
    submit = SubmitField(_l("Approve"))


class RejectForm(FlaskForm):
    version = HiddenField()
    reason = TextAreaField(
        _l("Why is it not approved?"),
        validators=[DataRequired(_l("Write why it is not approved.")), Length(max=2000)],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Do not approve"))


class DisburseForm(FlaskForm):
    disbursed_on = DayField(
        _l("Handed over on"),
        validators=[
            InputRequired(_l("Write the day the money was handed over, not in the future."))
        ],
    )
    submit = SubmitField(_l("Record the disbursement"))


class RepaymentForm(FlaskForm):
    amount = MoneyField(
        _l("Amount paid (đồng)"),
        minimum=1,
        validators=[InputRequired(_l("Write the amount in whole đồng, above zero."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    paid_on = DayField(
        _l("Paid on"),
        validators=[InputRequired(_l("The day paid is between the disbursement and today."))],
    )
    method = RadioField(
        _l("How"),
        choices=[SelectChoice(m.value, REPAYMENT_METHOD_LABELS[m]) for m in RepaymentMethod],
        default=RepaymentMethod.CASH.value,
        validators=[InputRequired(_l("Choose how it was paid."))],
    )
    reference = StringField(
        _l("Receipt or transfer number (optional)"), validators=[Optional(), Length(max=120)]
    )
    receipt = FileField(
        _l("Receipt or bank slip (PDF, JPEG or PNG, at most 10 MB, optional)"),
        render_kw={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"},
    )
    early = BooleanField(
        _l(
            "Early repayment: it pays principal from the last instalment back, and lowers the interest still to come"
        )
    )
    submit = SubmitField(_l("Record the repayment"))


class ReverseRepaymentForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is it reversed?"),
        validators=[DataRequired(_l("Write why it is reversed.")), Length(max=2000)],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Reverse this repayment"))


class RestructureForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is the loan restructured?"),
        description=_l("For example: the flood of March took the pig pens."),
        validators=[DataRequired(_l("Write why the loan is restructured.")), Length(max=2000)],
        render_kw={"rows": 2},
    )
    effective_on = DayField(
        _l("The new schedule starts on"),
        description=_l("What was due on or before that day stays as it is."),
        validators=[InputRequired(_l("Write the day the new schedule starts."))],
    )
    periods = IntegerField(
        _l("Number of new periods"),
        validators=[InputRequired(_l("Write from 1 to 120 periods."))],
        render_kw={"inputmode": "numeric"},
    )
    grace = IntegerField(
        _l("Grace periods (interest only)"),
        default=0,
        validators=[InputRequired(_l("Grace periods are fewer than the periods."))],
        render_kw={"inputmode": "numeric"},
    )
    submit = SubmitField(_l("Propose the new schedule"))


class ApproveRestructuringForm(FlaskForm):
    submit = SubmitField(_l("Approve the new schedule"))


class RejectRestructuringForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is it not approved?"),
        validators=[DataRequired(_l("Write why it is not approved.")), Length(max=2000)],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Do not approve"))


class WriteOffForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is the loan written off?"),
        validators=[DataRequired(_l("Write why the loan is written off.")), Length(max=2000)],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Propose the write-off"))


class ApproveWriteOffForm(FlaskForm):
    submit = SubmitField(_l("Approve the write-off"))


class RecoveryForm(FlaskForm):
    amount = MoneyField(
        _l("Amount recovered (đồng)"),
        minimum=1,
        validators=[InputRequired(_l("Write the amount in whole đồng, above zero."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    received_on = DayField(
        _l("Received on"),
        validators=[InputRequired(_l("The day received is between the write-off and today."))],
    )
    submit = SubmitField(_l("Record the recovery"))


class TrancheForm(FlaskForm):
    amount = MoneyField(
        _l("Amount of the tranche (đồng)"),
        minimum=1,
        validators=[InputRequired(_l("Write the amount in whole đồng, above zero."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    planned_on = DayField(
        _l("Planned for"), validators=[InputRequired(_l("Write the planned date."))]
    )
    condition = RadioField(
        _l("Released when"),
        choices=[SelectChoice(c.value, TRANCHE_CONDITION_LABELS[c]) for c in TrancheCondition],
        default=TrancheCondition.NONE.value,
        validators=[InputRequired(_l("Choose from the list."))],
    )
    milestone_kind = SelectField(_l("The milestone, verified"), validators=[Optional()])
    report_number = IntegerField(
        _l("The number of the progress report, accepted"),
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
    )
    submit = SubmitField(_l("Add the tranche"))


class ReleaseTrancheForm(FlaskForm):
    version = HiddenField()
    submit = SubmitField(_l("Release for payment"))


class PayTrancheForm(FlaskForm):
    paid_on = DayField(
        _l("Paid on"),
        validators=[InputRequired(_l("Write the day it was paid, not in the future."))],
    )
    submit = SubmitField(_l("Record the payment"))


class ReverseTrancheForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is the payment reversed?"),
        validators=[DataRequired(_l("Write why it is reversed.")), Length(max=2000)],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Reverse the payment"))


class InKindForm(FlaskForm):
    kind = SelectField(
        _l("What was handed over"),
        choices=[SelectChoice(k.value, IN_KIND_KIND_LABELS[k]) for k in InKindKind],
        validators=[InputRequired(_l("Choose what was handed over."))],
    )
    description = StringField(
        _l("What exactly"),
        description=_l("For example: Mong Cai sows, 3 months old."),
        validators=[
            DataRequired(_l("Write what it was, for example: 20 Mong Cai sows.")),
            Length(max=200),
        ],
    )
    quantity = StringField(
        _l("Quantity"),
        validators=[DataRequired(_l("Write the quantity, a number above zero.")), Length(max=20)],
        render_kw={"inputmode": "decimal"},
    )
    unit_of_measure = StringField(
        _l("Unit (optional)"),
        description=_l("For example: head, kg, set, day of training."),
        validators=[Optional(), Length(max=30)],
    )
    value = MoneyField(
        _l("Value (đồng)"),
        minimum=1,
        validators=[InputRequired(_l("Write the value in whole đồng, above zero."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    delivered_on = DayField(
        _l("Handed over on"),
        validators=[InputRequired(_l("Write the day it was handed over, not in the future."))],
    )
    receipt = FileField(
        _l("Photo of the receipt she signed (PDF, JPEG or PNG, at most 10 MB)"),
        render_kw={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"},
    )
    submit = SubmitField(_l("Record what was handed over"))


class ReverseInKindForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is it reversed?"),
        validators=[DataRequired(_l("Write why it is reversed.")), Length(max=2000)],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Reverse this item"))


class CloseForm(FlaskForm):
    version = HiddenField()
    reason = TextAreaField(
        _l("Why does the support stop?"),
        validators=[DataRequired(_l("Write why the support stops.")), Length(max=2000)],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Stop the support"))
