"""The forms of the loan-book import: the files, then the confirmation after the preview."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired

from portal.core.forms import FlaskForm

CSV = {"accept": ".csv,text/csv"}


class UploadForm(FlaskForm):
    loans = FileField(
        _l("Loans (CSV)"),
        validators=[FileRequired(_l("Choose the CSV file of the loans."))],
        render_kw=CSV,
    )
    repayments = FileField(
        _l("Repayments (CSV, optional)"),
        render_kw=CSV,
    )
    openings = FileField(
        _l("Opening balances of the sources (CSV, optional)"),
        render_kw=CSV,
    )
    submit = SubmitField(_l("Check the files"))


class ConfirmForm(FlaskForm):
    """The files' text, carried from the preview so that what is imported is what was checked."""

    loans_csv = TextAreaField(validators=[DataRequired()])
    repayments_csv = TextAreaField()
    openings_csv = TextAreaField()
    submit = SubmitField(_l("Import these loans"))
