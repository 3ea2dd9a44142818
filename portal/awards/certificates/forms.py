"""Forms of the certificates part: revoking an award, looking a certificate up by its code."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.awards.certificates import reissuing
from portal.awards.certificates.revoking import REASON_MAX
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


class ReissueForm(FlaskForm):
    """Correct what a certificate says; filled in with what it says now."""

    winner_name = StringField(
        _l("The winner's name, as it must be printed"),
        validators=[
            DataRequired(_l("Write the winner's name as it must be printed.")),
            Length(max=reissuing.NAME_MAX, message=_l("Write at most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    entry_title = StringField(
        _l("The idea's title, as it must be printed"),
        validators=[
            DataRequired(_l("Write the idea's title as it must be printed.")),
            Length(max=reissuing.TITLE_MAX, message=_l("Write at most %(max)d characters.")),
        ],
    )
    reason = TextAreaField(
        _l("Why is the certificate corrected?"),
        validators=[
            DataRequired(_l("Write why the certificate is corrected.")),
            Length(max=reissuing.REASON_MAX, message=_l("Write at most %(max)d characters.")),
        ],
        description=_l(
            "Kept in the audit log with the text before and after, and sent to the winner."
        ),
        render_kw={"rows": 3},
    )
    # What the page showed: a page older than the certificate is refused (another organiser
    # corrected it meanwhile), never applied over her correction.
    seen_name = HiddenField()
    seen_title = HiddenField()
    submit = SubmitField(_l("Re-issue the corrected certificate"))


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
