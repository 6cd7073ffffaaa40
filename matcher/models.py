"""Import every area's models so that Base.metadata knows all tables (Alembic, tests)."""

from matcher import ratelimit  # noqa: F401
from matcher.accounts import models as accounts  # noqa: F401
from matcher.audit import models as audit  # noqa: F401
from matcher.db import Base
from matcher.employers import models as employers  # noqa: F401
from matcher.jobs import models as jobs  # noqa: F401
from matcher.matching import models as matching  # noqa: F401
from matcher.notifications import models as notifications  # noqa: F401
from matcher.profiles import models as profiles  # noqa: F401
from matcher.skills import models as skills  # noqa: F401
from matcher.vacancies import models as vacancies  # noqa: F401

metadata = Base.metadata
