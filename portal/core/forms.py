"""Helpers every form view uses: the status of a refused form, a rule's message on its field,
the field for amounts of đồng, and the number fields every form uses instead of WTForms' own."""

import math
from decimal import Decimal, InvalidOperation

import flask_wtf
import wtforms
from babel.numbers import format_decimal
from flask_babel import get_locale, get_translations
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import StringField
from wtforms.widgets import Select, html_params

from portal.core.errors import INVALID, DomainError
from portal.core.money import MoneyInputError, parse_vnd

# What a list's filter (or any choice field) says of a value that is not one of its choices.
FROM_THE_LIST = _l("Choose a value from the list.")


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


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's refusal next to the field it names, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def form_status(form: FlaskForm, refusal: DomainError | None = None) -> int:
    """The status of the page that shows `form`: the refusal's when a service refused it,
    INVALID when the form has messages, else 200."""
    if refusal is not None:
        return refusal.status
    return INVALID if (form.errors or form.form_errors) else 200


class MoneyField(StringField):
    """An amount of đồng typed the way she writes it (see `parse_vnd`). What she typed stays on
    the page; what cannot be read gets the reason next to the field. `minimum` (đồng) refuses
    smaller amounts, for example 1 where zero means nothing."""

    def __init__(self, label=None, validators=None, *, minimum: int = 0, **kwargs) -> None:
        # The phone's number pad, with the dots and spaces she may type between the thousands.
        kwargs["render_kw"] = {"inputmode": "numeric", "autocomplete": "off"} | (
            kwargs.get("render_kw") or {}
        )
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


class DayField(wtforms.DateField):
    """A day (the browser's date picker sends 2026-03-15); a wrong one gets a message in her
    language."""

    def __init__(self, label=None, validators=None, format="%Y-%m-%d", **kwargs) -> None:
        super().__init__(label, validators, format=format, **kwargs)

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l("Write a date such as 2026-03-15."))) from None


# More digits than any count, year, age or score of the portal: WTForms would read 400 digits
# and then fail (NumberRange converts to a float, the database's integer overflows) with a 500.
MAX_DIGITS = 18
NUMBER_MESSAGE = _l("Enter a whole number of at most 18 digits.")
DECIMAL_MESSAGE = _l("Enter a number of at most 18 digits, for example 72.5.")


def _number_text(valuelist) -> str | None:
    """What was typed in a number field, stripped; None when nothing was."""
    if not valuelist or valuelist[0] is None or not str(valuelist[0]).strip():
        return None
    return str(valuelist[0]).strip()


class IntegerField(wtforms.IntegerField):
    """A whole number of at most MAX_DIGITS digits; anything else is refused with a message in
    her language, next to the field, and what she typed stays in it."""

    def process_formdata(self, valuelist) -> None:
        text = _number_text(valuelist)
        self.data = None
        if text is None:
            return
        digits = text[1:] if text[:1] in "+-" else text
        if not (digits.isascii() and digits.isdigit()) or len(digits) > MAX_DIGITS:
            raise ValueError(str(NUMBER_MESSAGE))
        self.data = int(text)


class DecimalField(wtforms.DecimalField):
    """A decimal number of at most MAX_DIGITS digits before the point: a longer one could not
    be rounded to the field's places when the page comes back (a 500)."""

    def process_formdata(self, valuelist) -> None:
        text = _number_text(valuelist)
        self.data = None
        if text is None:
            return
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValueError(str(DECIMAL_MESSAGE)) from None
        if not number.is_finite() or number.adjusted() >= MAX_DIGITS:
            raise ValueError(str(DECIMAL_MESSAGE))
        self.data = number


class FloatField(wtforms.FloatField):
    """A number of at most MAX_DIGITS digits before the point; never inf or nan ('1e400')."""

    def process_formdata(self, valuelist) -> None:
        text = _number_text(valuelist)
        self.data = None
        if text is None:
            return
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            raise ValueError(str(DECIMAL_MESSAGE)) from None
        if not math.isfinite(number) or abs(number) >= 10**MAX_DIGITS:
            raise ValueError(str(DECIMAL_MESSAGE))
        self.data = number


# The years a moment typed on a form may have: the competitions' own, with room on each side.
FIRST_YEAR, LAST_YEAR = 2000, 2199
MOMENT_MESSAGE = _l("Enter a date and time in the years 2000 to 2199.")


class DateTimeLocalField(wtforms.DateTimeLocalField):
    """A moment typed in Vietnam's time, in the years FIRST_YEAR to LAST_YEAR: year 1 cannot be
    turned into UTC (a 500), and a year such as 0202 is a typing mistake to tell her about."""

    out_of_reach = False

    def process_formdata(self, valuelist) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not FIRST_YEAR <= self.data.year <= LAST_YEAR:
            self.data, self.out_of_reach = None, True
            raise ValueError(str(MOMENT_MESSAGE))

    def pre_validate(self, form) -> None:
        if self.out_of_reach:  # this message, not DataRequired's "enter it", which would clear it
            raise wtforms.validators.StopValidation()


class QuickSelect(Select):
    """WTForms' select written in one pass: the same HTML (tests/entries/test_listing.py), for the
    lists' filters. The entry list's seven offer 81 options on every view at Điện Biên; WTForms'
    own widget, with html_params for each option, took 2.1 ms of CPU to write them, this 0.6 ms."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        for flag in self.validation_attrs:
            if flag not in kwargs and getattr(field.flags, flag, False):
                kwargs[flag] = True
        options = "".join(
            f'<option{" selected" if choice.selected else ""} value="{escape(choice.value)}">'
            f"{escape(choice.label or choice.value)}</option>"
            if not choice.render_kw
            else self.render_option(choice)
            for choice in field.iter_choices()
        )
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{options}</select>")
