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
)

from portal.core.forms import FlaskForm
from portal.units.forms import UnitPickerMixin

LANGUAGE_CHOICES = [SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")]

PASSWORD_MIN = 8


def _email_field(label=None):
    return EmailField(
        label or _l("E-mail address"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
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


class RegisterForm(FlaskForm):
    full_name = full_name_field()
    email = _email_field()
    phone = phone_field()
    password, confirm = _new_password_fields()
    language = RadioField(_l("Preferred language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Create my account"))


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Remember me on this device"))
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class EmailOnlyForm(FlaskForm):
    email = _email_field()
    submit = SubmitField(_l("Send the link"))


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
