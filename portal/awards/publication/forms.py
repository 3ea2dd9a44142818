"""Forms of publication: the winners' gallery's filters (a GET form that works without
JavaScript), and the organisers' button that publishes the results."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SubmitField

from portal.awards.decision.forms import DecisionActionForm
from portal.core.forms import FlaskForm


class GalleryFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    # The choices are filled by the view; portal.awards.publication.public.parse_filters checks the values.
    year = SelectField(_l("Year"), validate_choice=False)
    province = SelectField(_l("Province or city"), validate_choice=False)
    category = SelectField(_l("Category"), validate_choice=False)
    level = SelectField(_l("Level"), validate_choice=False)


class PublishForm(DecisionActionForm):
    submit = SubmitField(_l("Publish the results now"))
