"""Forms of the certificates part: revoking an award, looking a certificate up by its code."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.awards.revoking import REASON_MAX
from portal.core.forms import FlaskForm


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is this award revoked?"),
        validators=[
            DataRequired(_l("Write why the award is revoked.")),
            Length(max=REASON_MAX, message=_l("Write at most %(max)d characters.")),
        ],
        description=_l(
            "The winner receives this reason by e-mail. The public verification page shows only "
            "that the certificate was revoked, and when."
        ),
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Revoke the award and its certificate"))


class VerifyForm(FlaskForm):
    """A GET form: nothing changes, so no CSRF token (the address can be shared)."""

    class Meta:
        csrf = False

    code = StringField(
        _l("Verification code"),
        validators=[
            DataRequired(_l("Type the code printed on the certificate.")),
            Length(max=40, message=_l("A verification code is 12 letters and digits.")),
        ],
        description=_l("12 letters and digits, for example K7Q2-9XMD-4HTA."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Check"))
