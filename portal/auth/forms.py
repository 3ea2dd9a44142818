from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TelField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from portal.auth import shared_device
from portal.auth.phones import NotAMobileNumber, mobile_number, written_mobile
from portal.core.forms import FlaskForm
from portal.units.forms import UnitPickerMixin

LANGUAGE_CHOICES = [SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")]

PASSWORD_MIN = 8


def _email_field(label=None, *, required: bool = True):
    return EmailField(
        label or _l("E-mail address"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")) if required else Optional(),
            Length(max=254),
            Email(_l("Enter an e-mail address like name@example.com."), check_deliverability=False),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )


def _new_password_fields():
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(
                min=PASSWORD_MIN,
                max=128,
                message=_l("The password must have between %(min)d and %(max)d characters."),
            ),
        ],
        description=_l("At least 8 characters."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


def full_name_field():
    return StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter your full name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )


PHONE = Regexp(
    r"^(\+84|0)[0-9]{9,10}$",
    message=_l("Enter a Vietnamese phone number, for example 0912345678."),
)


def phone_field():
    """An optional Vietnamese phone number; spaces and dots typed between digits are dropped."""
    return TelField(
        _l("Phone (optional)"),
        filters=[lambda v: v.replace(" ", "").replace(".", "") if v else v],
        validators=[Optional(), PHONE],
        render_kw={"autocomplete": "tel"},
    )


class MobileNumberField(TelField):
    """A Vietnamese mobile number however she types it; `data` is its kept form (+84…), and a
    number that is none gets its reason next to the field (auth/phones.py)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.typed = self.data
        if self.data and self.data.strip():
            try:
                self.data = mobile_number(self.data)
            except NotAMobileNumber as error:
                self.data = None
                raise ValueError(str(error.message)) from None
        else:
            self.data = None

    def _value(self):
        # What she typed stays in the box, as she typed it, when the form comes back.
        typed = getattr(self, "typed", None)
        if typed is not None:
            return typed
        return written_mobile(self.data) if self.data else ""


def mobile_field(label=None, *, required: bool = True):
    return MobileNumberField(
        label or _l("Mobile number"),
        validators=[InputRequired(_l("Enter your mobile number.")) if required else Optional()],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )


def code_field():
    return StringField(
        _l("Code"),
        validators=[
            DataRequired(_l("Enter the code of the text message.")),
            Regexp(r"^\s*[0-9](\s*[0-9]){5}\s*$", message=_l("The code has six digits.")),
        ],
        description=_l("Six digits, in the text message we sent."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 12},
    )


class RegisterForm(FlaskForm):
    full_name = full_name_field()
    mobile = mobile_field(required=False)
    email = _email_field(_l("E-mail address (if you have one)"), required=False)
    password, confirm = _new_password_fields()
    language = RadioField(_l("Preferred language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Create my account"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.mobile.data and not self.email.data and not self.mobile.errors:
            if not self.email.errors:
                self.mobile.errors = [
                    *self.mobile.errors,
                    _l("Enter your mobile number, or an e-mail address."),
                ]
            return False
        return valid


def shared_field():
    return BooleanField(
        _l("This is not my phone"),
        description=_l(
            "Log me out after %(minutes)d minutes without use, and keep nothing on it.",
            minutes=shared_device.IDLE_MINUTES,
        ),
    )


class PhoneCodeForm(FlaskForm):
    mobile = mobile_field()
    code = code_field()
    shared = shared_field()  # the code logs her in
    submit = SubmitField(_l("Confirm"))


class NewCodeForm(FlaskForm):
    number = mobile_field()  # not `mobile`: it stands on the code's page, beside that form
    submit = SubmitField(_l("Send a new code"))


class ResetByCodeForm(FlaskForm):
    mobile = mobile_field()
    code = code_field()
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Save the new password"))


def _account_field():
    return StringField(
        _l("E-mail or mobile number"),
        validators=[
            DataRequired(_l("Enter your e-mail address or your mobile number.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "username"},
    )


class LoginForm(FlaskForm):
    account = _account_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Remember me on this device"))
    shared = shared_field()
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class EmailOnlyForm(FlaskForm):
    email = _email_field()
    submit = SubmitField(_l("Send the link"))


class ForgotPasswordForm(FlaskForm):
    account = _account_field()
    submit = SubmitField(_l("Send"))

    def validate_account(self, field):
        """An e-mail address, or a Vietnamese mobile number (with its reason when it is not)."""
        text = field.data.strip()
        if "@" in text:
            Email(_l("Enter an e-mail address like name@example.com."), check_deliverability=False)(
                self, field
            )
            return
        try:
            mobile_number(text)
        except NotAMobileNumber as error:
            raise ValidationError(str(error.message)) from None


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Save the new password"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Change the password"))


class ProfileForm(UnitPickerMixin, FlaskForm):
    full_name = full_name_field()
    phone = phone_field()
    language = RadioField(_l("Preferred language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Save"))


class InvitationForm(UnitPickerMixin, FlaskForm):
    include_nation = True
    email = _email_field(_l("E-mail address of the person to invite"))
    role = SelectField(_l("Role"), validators=[InputRequired()])
    language = RadioField(_l("Language of the invitation"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Send the invitation"))


class AcceptInvitationForm(FlaskForm):
    full_name = full_name_field()
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Create my account"))


class AcceptAsExistingForm(FlaskForm):
    submit = SubmitField(_l("Accept the invitation"))


class LanguageForm(FlaskForm):
    language = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class ActionForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change something."""
