from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    FileField,
    FormField,
    HiddenField,
    MultipleFileField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Email, Length, NumberRange, Optional

from portal.core.forms import FlaskForm, IntegerField
from portal.core.inputs import optional_id

TEXT_MAX = 5_000


class TeamMemberForm(FlaskForm):
    class Meta:
        csrf = False  # part of the entry form, which carries the token

    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    role = StringField(_l("Role in the team"), validators=[Optional(), Length(max=120)])
    email = EmailField(
        _l("Her e-mail (optional)"),
        description=_l("We send her an invitation to join your team."),
        validators=[
            Optional(),
            Length(max=254),
            Email(_l("Enter an e-mail address like name@example.com.")),
        ],
    )
    phone = StringField(
        _l("Her phone (optional)"),
        validators=[Optional(), Length(max=32)],
        render_kw={"inputmode": "tel", "maxlength": 32},
    )


def _text(label, description=None, rows=4, max_length=TEXT_MAX):
    return TextAreaField(
        label,
        description=description,
        validators=[Optional(), Length(max=max_length)],
        render_kw={"rows": rows, "maxlength": max_length},
    )


class EntryForm(FlaskForm):
    """Nothing is required while she drafts; submission checks completeness in the service."""

    version = HiddenField()
    title = StringField(
        _l("Title of your idea"),
        validators=[Optional(), Length(max=200)],
        render_kw={"maxlength": 200},
    )
    category = SelectField(_l("Category"), coerce=optional_id, validate_choice=False)
    summary = _text(
        _l("Short summary"), _l("Two or three sentences that say what your idea is."), 3, 1_000
    )
    problem = _text(_l("The problem"), _l("What problem does your idea solve, and for whom?"))
    solution = _text(_l("Your solution"), _l("What will you make or do? What is new about it?"))
    customers = _text(_l("Customers and market"), _l("Who will buy, where, and at what price?"))
    local_resources = _text(
        _l("Local resources and identity"),
        _l("What local materials, skills, culture or landscape does your idea build on?"),
    )
    organisation = StringField(
        _l("Business, cooperative or group name"),
        description=_l("If your idea belongs to a business, cooperative or group (optional)."),
        validators=[Optional(), Length(max=200)],
        render_kw={"maxlength": 200},
    )
    team = FieldList(FormField(TeamMemberForm), min_entries=3, max_entries=10)
    capital_needed = IntegerField(
        _l("Capital needed (đồng)"),
        description=_l("Write the amount in đồng, without dots, for example 50000000."),
        validators=[
            Optional(),
            NumberRange(0, 1_000_000_000_000, _l("Enter an amount of 0 đồng or more.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    jobs_for_women = IntegerField(
        _l("Jobs it will create for women"),
        validators=[Optional(), NumberRange(0, 100_000, _l("Enter a number of 0 or more."))],
        render_kw={"inputmode": "numeric"},
    )
    consent_publish = BooleanField(_l("If I win, my name may be published with my idea"))
    business_plan = FileField(
        _l("Business plan (PDF, DOCX or ODT, at most 10 MB)"),
        render_kw={"accept": ".pdf,.docx,.odt,application/pdf"},
    )
    photos = MultipleFileField(
        _l("Photos (JPEG, PNG or WebP, at most 5 MB each, 5 in all)"),
        description=_l(
            "Do not show your name or face in the files: some rounds are judged without names."
        ),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    save = SubmitField(_l("Save draft"))
    submit = SubmitField(_l("Submit my entry"))


class WithdrawForm(FlaskForm):
    confirm = BooleanField(
        _l("Yes, I want to withdraw this entry. I understand it cannot be undone.")
    )
    submit = SubmitField(_l("Withdraw the entry"))
