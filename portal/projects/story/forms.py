"""The form of her project's story."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from portal.core.forms import FlaskForm


class StoryForm(FlaskForm):
    text = TextAreaField(
        _l("Your project's story, in your words"),
        description=_l(
            "What you make, how it started, who works with you. Do not write figures you want to keep private."
        ),
        validators=[Optional(), Length(max=3000)],
        render_kw={"rows": 6},
    )
    photo = FileField(
        _l("A photo you choose (JPEG or PNG)"),
        render_kw={"accept": "image/jpeg,image/png,.jpg,.jpeg,.png"},
    )
    remove_photo = BooleanField(_l("Remove the photo"))
    publish = BooleanField(
        _l("Publish my project's story on the portal, linked from the winners' gallery")
    )
    submit = SubmitField(_l("Save"))
