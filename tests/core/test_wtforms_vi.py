"""WTForms' own messages (it ships no Vietnamese) come from our catalogue, in her language."""

from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length

from portal.core.forms import FlaskForm


class _Form(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("name", validators=[DataRequired(), Length(max=5)])
    number = IntegerField("number")


def _errors(app, language: str, data: dict) -> dict:
    with app.test_request_context(method="POST", data=data, headers={"Accept-Language": language}):
        form = _Form()
        form.validate()
        return form.errors


def test_wtforms_messages_are_in_vietnamese(app):
    errors = _errors(app, "vi", {"name": "Quá dài rồi", "number": "mười"})
    assert errors["name"] == ["Không được dài quá 5 ký tự."]
    assert errors["number"] == ["Vui lòng nhập một số nguyên."]
    assert _errors(app, "vi", {})["name"] == ["Vui lòng điền mục này."]


def test_wtforms_messages_stay_english_in_english(app):
    errors = _errors(app, "en", {"name": "Too long here"})
    assert errors["name"] == ["Field cannot be longer than 5 characters."]
