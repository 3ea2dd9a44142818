"""Helpers every form view uses: the status of a refused form, and a rule's message on its field."""

from flask_wtf import FlaskForm

from portal.core.errors import DomainError

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
