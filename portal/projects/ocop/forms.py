"""Forms of OCOP products: a product, an evaluation (one field per part of the scheme in force),
a revocation."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.core.forms import DayField, FlaskForm, IntegerField
from portal.projects.models import LEGAL_FORM_LABELS, LegalForm
from portal.projects.ocop.models import OCOP_GROUP_LABELS, OcopGroup, OcopScheme, _in_language


class ProductForm(FlaskForm):
    name = StringField(
        _l("Product name"),
        validators=[DataRequired(_l("Write the product's name.")), Length(max=200)],
        render_kw={"maxlength": 200},
    )
    group = RadioField(
        _l("OCOP product group"),
        choices=[SelectChoice(g.value, OCOP_GROUP_LABELS[g]) for g in OcopGroup],
        validators=[InputRequired(_l("Choose the product's OCOP group."))],
    )
    legal_form = SelectField(
        _l("The owner is registered as"),
        choices=[SelectChoice("", _l("As the project is registered"))]
        + [SelectChoice(f.value, LEGAL_FORM_LABELS[f]) for f in LegalForm],
        validators=[Optional()],
    )
    submit = SubmitField(_l("Add the product"))


class RatingFormBase(FlaskForm):
    evaluated_on = DayField(
        _l("Date of the evaluation"),
        validators=[InputRequired(_l("Write the date of the evaluation."))],
    )
    level = RadioField(_l("Evaluated at"), validators=[InputRequired(_l("Choose the level."))])
    certificate_number = StringField(
        _l("Certificate or decision number"),
        description=_l("Needed for 3 stars and more."),
        validators=[Optional(), Length(max=64)],
        render_kw={"maxlength": 64, "autocomplete": "off"},
    )
    certificate_date = DayField(
        _l("Date of the certificate"),
        description=_l("The rating is valid from this day (from the evaluation without it)."),
        validators=[Optional()],
    )
    recheck_months = IntegerField(
        _l("Interim re-check every (months, optional)"),
        description=_l("Some provinces check products of 3 stars and more every three months."),
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
    )
    submit = SubmitField(_l("Record the evaluation"))


def rating_form(scheme: OcopScheme, **kwargs) -> RatingFormBase:
    """The evaluation form with one field per part of `scheme`, labelled with its maximum."""

    class RatingForm(RatingFormBase):
        pass

    for part in scheme.parts:
        setattr(
            RatingForm,
            f"score_{part['code']}",
            IntegerField(
                _l(
                    "%(code)s. %(name)s (out of %(max)d)",
                    code=part["code"],
                    name=_in_language(part),
                    max=part["max"],
                ),
                validators=[InputRequired(_l("Write the points of this part."))],
                render_kw={"inputmode": "numeric", "min": 0, "max": part["max"]},
            ),
        )
    form = RatingForm(**kwargs)
    form.level.choices = [
        SelectChoice(level["code"], _in_language(level)) for level in scheme.levels
    ]
    return form


class RevokeRatingForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is the rating revoked?"),
        validators=[DataRequired(_l("Write why the rating is revoked.")), Length(max=2000)],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Revoke the rating"))
