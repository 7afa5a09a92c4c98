# The organisers' fixed cast (alice owns the letter, bob moderates it, charlie another).
from ..organise.conftest import as_user, cast  # noqa: F401 - fixtures
