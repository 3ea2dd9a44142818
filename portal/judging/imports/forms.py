"""The form that uploads paper score sheets typed into a CSV file."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField

from portal.core.forms import FlaskForm


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV file of paper score sheets"),
        validators=[FileRequired(_l("Choose the CSV file to import."))],
        description=_l(
            "UTF-8, one score per line: reference, judge's e-mail, criterion code, points, comment."
        ),
        render_kw={"accept": ".csv,text/csv"},
    )
    submit = SubmitField(_l("Import the scores"))
