"""The province → commune picker, shared by every form that asks where someone lives or works.

Without JavaScript the person picks a province and presses "Show communes", which sends the
form back with the commune list filled in; with JavaScript the list follows the province at once.
"""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SubmitField
from wtforms.fields.choices import SelectChoice

from portal.core.inputs import optional_id
from portal.units import services


class UnitPickerMixin:
    province = SelectField(_l("Province or city"), coerce=optional_id, validate_choice=True)
    commune = SelectField(_l("Commune or ward"), coerce=optional_id, validate_choice=True)
    show_communes = SubmitField(_l("Show communes"))
    # Forms that name an organising unit offer the national one before the provinces.
    include_nation = False

    def fill_unit_choices(self) -> None:
        """Choices for the chosen province: call after the form has its data, before validating."""
        none = [SelectChoice("", _l("— Choose —"))]
        nation = services.nation() if self.include_nation else None
        self.province.choices = (
            none
            + ([SelectChoice(nation.id, nation.name)] if nation else [])
            + [SelectChoice(p.id, p.name) for p in services.provinces()]
        )
        self.commune.choices = none + [
            SelectChoice(c.id, c.name) for c in services.communes_of(self.province.data)
        ]

    @property
    def wants_communes(self) -> bool:
        """True when the no-JavaScript "Show communes" button sent the form."""
        return bool(self.show_communes.data)
