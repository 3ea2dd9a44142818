"""Forms of the judges' pages: her declaration, her score sheet, her recusal."""

import math

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput

from portal.core.forms import FlaskForm
from portal.core.inputs import bounded_int
from portal.judging.models import RubricCriterion
from portal.judging.scoring.services import ORGANISATIONS_MAX, PEOPLE_MAX

COMMENT_MAX = 5_000


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes: works on every phone, without JavaScript."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        # The service names a refused choice in words; WTForms' own message is about "values".
        pass


def _int_list(values) -> list[int]:
    return [number for number in map(bounded_int, values) if number is not None]


class DeclarationForm(FlaskForm):
    expertise = CheckboxesField(_l("The categories I know well"), coerce=str)
    conflict_people = TextAreaField(
        _l("People I must not judge"),
        description=_l(
            "Relatives, business partners, people you advise: their names or e-mail addresses, "
            "one per line."
        ),
        validators=[Optional(), Length(max=PEOPLE_MAX)],
        render_kw={"rows": 4, "maxlength": PEOPLE_MAX},
    )
    conflict_communes = CheckboxesField(_l("Communes where I have a conflict"), coerce=str)
    conflict_organisations = TextAreaField(
        _l("Organisations I have a conflict with"),
        description=_l("Cooperatives, businesses or associations you belong to, one per line."),
        validators=[Optional(), Length(max=ORGANISATIONS_MAX)],
        render_kw={"rows": 3, "maxlength": ORGANISATIONS_MAX},
    )
    submit = SubmitField(_l("Save my declaration"))

    @property
    def expertise_ids(self) -> list[int]:
        return _int_list(self.expertise.data or [])

    @property
    def commune_ids(self) -> list[int]:
        return _int_list(self.conflict_communes.data or [])


class PointsField(StringField):
    """Points for one criterion: a number in halves; "7,5" is read as 7.5. What she typed stays."""

    widget = NumberInput(step="0.5", min=0)

    def process_formdata(self, valuelist) -> None:
        self.raw = valuelist[0] if valuelist else ""
        text = (self.raw or "").strip().replace(",", ".")
        self.data = None
        self.bad = False
        if not text:
            return
        try:
            value = float(text)
        except ValueError:
            self.bad = True
            return
        if not math.isfinite(value):
            self.bad = True
            return
        self.data = value

    def pre_validate(self, form) -> None:
        if getattr(self, "bad", False):
            self.errors.append(str(_l("Enter a number, like 7 or 7.5.")))

    def _value(self) -> str:
        if getattr(self, "bad", False):
            return ""  # a number input cannot show text; the message says what to type
        if self.data is None:
            return ""
        return f"{self.data:g}"


class ScoreForm(FlaskForm):
    """One points field per criterion (`points_<criterion id>`), built by `score_form()`."""

    comment = TextAreaField(
        _l("Comment for the organisers"),
        description=_l("Only the organisers read it."),
        validators=[Optional(), Length(max=COMMENT_MAX)],
        render_kw={"rows": 3, "maxlength": COMMENT_MAX},
    )
    feedback = TextAreaField(
        _l("Feedback for the applicant (optional)"),
        description=_l("Advice the applicant may read with her results. Do not sign it."),
        validators=[Optional(), Length(max=COMMENT_MAX)],
        render_kw={"rows": 3, "maxlength": COMMENT_MAX},
    )
    save = SubmitField(_l("Save draft"))
    submit = SubmitField(_l("Submit scores"))
    # The sheet's version when the page was opened: an older tab's save is refused.
    version = HiddenField()

    criteria: list[RubricCriterion] = []

    def expected_version(self) -> int | None:
        """The version the form was opened at; None when the form did not say (an old page)."""
        return bounded_int(self.version.data, minimum=0)

    def points_fields(self) -> list[tuple[RubricCriterion, PointsField]]:
        return [(c, self[f"points_{c.id}"]) for c in self.criteria]

    def points(self) -> dict[int, float | None]:
        return {c.id: f.data for c, f in self.points_fields()}


def score_form(criteria: list[RubricCriterion], **kwargs) -> ScoreForm:
    """A score form for this rubric; `kwargs` as for a FlaskForm (data= to prefill)."""

    class RubricScoreForm(ScoreForm):
        pass

    for criterion in criteria:
        setattr(
            RubricScoreForm,
            f"points_{criterion.id}",
            PointsField(
                criterion.display_label,
                render_kw={"max": criterion.max_points, "inputmode": "decimal"},
            ),
        )
    RubricScoreForm.criteria = criteria
    return RubricScoreForm(**kwargs)


class RecuseForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (optional)"),
        description=_l("For example: the applicant is a relative. Only the organisers read it."),
        validators=[Optional(), Length(max=COMMENT_MAX)],
        render_kw={"rows": 3, "maxlength": COMMENT_MAX},
    )
    confirm = BooleanField(_l("Yes, I recuse myself from this entry."))
    submit = SubmitField(_l("Recuse myself"))
