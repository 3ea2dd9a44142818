"""Forms of prize payments: recording a payment, reversing one."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.awards.models import PAYMENT_METHOD_LABELS, PaymentMethod
from portal.core.forms import DayField, FlaskForm, MoneyField


class RecordPaymentForm(FlaskForm):
    amount = MoneyField(
        _l("Amount paid (đồng)"),
        minimum=1,
        validators=[InputRequired(_l("Write the amount paid."))],
        description=_l("For example 5.000.000."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    paid_on = DayField(
        _l("Date paid"),
        format="%Y-%m-%d",
        validators=[InputRequired(_l("Write the date the money was paid."))],
        description=_l("The day in Vietnam the winner received the money."),
    )
    method = RadioField(
        _l("Method"),
        choices=[SelectChoice(m.value, PAYMENT_METHOD_LABELS[m]) for m in PaymentMethod],
        default=PaymentMethod.BANK_TRANSFER.value,
        validators=[InputRequired(_l("Choose cash or bank transfer."))],
    )
    reference = StringField(
        _l("Payment reference"),
        description=_l("The bank transfer's reference, or the number of the cash receipt."),
        validators=[Optional(), Length(max=120)],
        render_kw={"maxlength": 120},
    )
    note = TextAreaField(
        _l("Note (optional)"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2}
    )
    receipt = FileField(
        _l("Receipt (PDF, JPEG or PNG, at most 10 MB, optional)"),
        render_kw={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"},
    )
    submit = SubmitField(_l("Record the payment"))


class ReversePaymentForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is this payment reversed?"),
        validators=[DataRequired(_l("Write why this payment is reversed.")), Length(max=2000)],
        description=_l("For example: entered twice, wrong amount, transfer returned by the bank."),
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Reverse the payment"))
