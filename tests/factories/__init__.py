"""Factories for the main objects, so that a test builds what it needs in a line or two.

- accounts: `UserFactory(roles=[Role.JUDGE, (Role.ORGANISER, unit)])`, PASSWORD
- units: `UnitFactory`, `CommuneFactory`, `make_units()` (Điện Biên, Lào Cai and three communes)
- competitions: `CompetitionFactory`, `make_competition(organiser, unit)`, `EntryFactory`
- judging: `JudgeFactory`, `AssignmentFactory`, `ScoreSheetFactory`, `assign()`, `score()`, and
  `make_judging(units)`, a competition in judging
- awards: `PrizeFactory`, `AwardFactory`, and `make_awards(units)`, results final with prize
  tiers, then `publish_directly(world)`; `make_published(units)` does both
- projects: `SupportedProjectFactory`, `add_external()`, `project_of()`

The fixtures `units`, `judging`, `awards_world` and `published` (tests/conftest.py) give these
worlds to any test; under a frozen clock each is built once per worker and restored for every
test that asks for it (tests/snapshots.py).
"""

from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.awards import (
    NAMES,
    AwardFactory,
    AwardsWorld,
    PrizeFactory,
    make_awards,
    make_published,
    publish_directly,
)
from tests.factories.competitions import CompetitionFactory, EntryFactory, make_competition
from tests.factories.judging import (
    AssignmentFactory,
    JudgeFactory,
    JudgingWorld,
    ScoreSheetFactory,
    assign,
    make_judging,
    score,
)
from tests.factories.projects import (
    PDF,
    PNG,
    SupportedProjectFactory,
    add_external,
    project_of,
)
from tests.factories.units import CommuneFactory, UnitFactory, make_units

__all__ = [
    "NAMES",
    "PASSWORD",
    "PDF",
    "PNG",
    "AssignmentFactory",
    "AwardFactory",
    "AwardsWorld",
    "CommuneFactory",
    "CompetitionFactory",
    "EntryFactory",
    "JudgeFactory",
    "JudgingWorld",
    "PrizeFactory",
    "ScoreSheetFactory",
    "SupportedProjectFactory",
    "UnitFactory",
    "UserFactory",
    "add_external",
    "assign",
    "make_awards",
    "make_competition",
    "make_judging",
    "make_published",
    "make_units",
    "project_of",
    "publish_directly",
    "score",
]
