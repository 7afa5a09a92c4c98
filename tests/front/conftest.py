# The organisers cast, for pages both sides see.
from ..organise.conftest import as_user, cast  # noqa: F401 - fixtures
