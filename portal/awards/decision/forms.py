"""Forms of the prize decision: its actions (each carries the version it was shown with) and a
line's change."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from portal.awards.decision.services import MAX_REASON
from portal.core.forms import FlaskForm

INCOMPLETE = _l("This form is incomplete: reload the page.")
NUMBER = Regexp(r"^\d{1,9}$", message=INCOMPLETE)


class DecisionActionForm(FlaskForm):
    """A button that changes the decision, sent with the version of the page it was shown on."""

    version = HiddenField(validators=[InputRequired(INCOMPLETE), NUMBER])
    submit = SubmitField(_l("Send"))

    @property
    def shown_version(self) -> int:
        return int(self.version.data)


class ProposeForm(DecisionActionForm):
    submit = SubmitField(_l("Start from this proposal"))


class FinaliseForm(DecisionActionForm):
    submit = SubmitField(_l("Finalise the decision"))


class ApproveForm(DecisionActionForm):
    submit = SubmitField(_l("Approve the decision"))


class WithdrawApprovalForm(DecisionActionForm):
    reason = TextAreaField(
        _l("Why is the approval withdrawn? (optional)"),
        validators=[Optional(), Length(max=MAX_REASON)],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Withdraw the approval"))


class ReopenDecisionForm(DecisionActionForm):
    reason = TextAreaField(
        _l("Why is the decision reopened?"),
        validators=[
            DataRequired(_l("Write why the decision is reopened.")),
            Length(max=MAX_REASON),
        ],
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Reopen the decision"))


class LineForm(FlaskForm):
    entry = SelectField(
        _l("Entry"),
        validators=[Optional()],
        description=_l("Only entries ranked in the round the prizes are decided from."),
    )
    reason = TextAreaField(
        _l("Reason for the change"),
        validators=[Optional(), Length(max=MAX_REASON)],
        description=_l(
            "Required when the line differs from the proposal, or is a tie at a boundary. "
            "It is kept in the audit log."
        ),
        render_kw={"rows": 3},
    )
    # The line's entry when the page was shown ("" for none): a change made meanwhile is not
    # overwritten.
    was = HiddenField()
    submit = SubmitField(_l("Save the line"))
