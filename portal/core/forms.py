"""Helpers every form view uses: the status of a refused form, a rule's message on its field,
and the field for amounts of đồng."""

import flask_wtf
from babel.numbers import format_decimal
from flask_babel import get_locale, get_translations
from flask_babel import lazy_gettext as _l
from wtforms import StringField

from portal.core.errors import DomainError
from portal.core.money import MoneyInputError, parse_vnd


class _BabelTranslations:
    """WTForms' own messages ("This field is required.", "Not a valid integer value.") looked up
    in our catalogue through Flask-Babel: WTForms ships no Vietnamese (see wtforms_messages)."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


class FlaskForm(flask_wtf.FlaskForm):
    """The project's base form: every form inherits it, so WTForms speaks her language."""

    class Meta:
        def get_translations(self, form):
            return _BabelTranslations()


# A form that fails validation comes back with what was typed, its messages, and this status.
INVALID = 422


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's refusal next to the field it names, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def form_status(form: FlaskForm) -> int:
    return INVALID if (form.errors or form.form_errors) else 200


class MoneyField(StringField):
    """An amount of đồng typed the way she writes it (see `parse_vnd`). What she typed stays on
    the page; what cannot be read gets the reason next to the field. `minimum` (đồng) refuses
    smaller amounts, for example 1 where zero means nothing."""

    def __init__(self, label=None, validators=None, *, minimum: int = 0, **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.minimum = minimum
        self.raw: str | None = None
        self.parse_error = None

    def process_formdata(self, valuelist) -> None:
        self.raw = valuelist[0] if valuelist else ""
        self.data, self.parse_error = None, None
        if self.raw.strip():
            try:
                self.data = parse_vnd(self.raw)
            except MoneyInputError as error:
                self.parse_error = error.message

    def pre_validate(self, form) -> None:
        if self.parse_error is not None:
            self.errors.append(str(self.parse_error))
        elif self.data is not None and self.data < self.minimum:
            self.errors.append(
                str(_l("Enter an amount of %(num)s đồng or more.", num=f"{self.minimum:,}"))
            )

    def _value(self) -> str:
        if self.raw is not None:
            return self.raw
        return "" if self.data is None else format_decimal(self.data, locale=get_locale())
