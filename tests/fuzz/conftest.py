"""Hypothesis settings for the fuzz tests, chosen with HYPOTHESIS_PROFILE (see README.md).

- ci (the default, used by `make test`): a fixed, small number of examples per form, the same ones
  on every run, so a red build is never a matter of luck (the classic breakers are tried on every
  field besides, see `classic_posts`);
- thorough: many more, new ones on every run, remembered in `.hypothesis/` (not in git) when they fail.
"""

import os

from hypothesis import HealthCheck, Phase, settings

# Each example is a real request against PostgreSQL: slow by Hypothesis's standards, and that's fine.
COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}

# No shrinking in `make test`: with examples this slow it can take minutes. A failure prints the
# example as drawn, and a blob to replay it (@reproduce_failure) under `thorough`, which shrinks.
CI_PHASES = [Phase.explicit, Phase.generate]
settings.register_profile(
    "ci", max_examples=5, derandomize=True, database=None, print_blob=True, phases=CI_PHASES, **COMMON
)
settings.register_profile("thorough", max_examples=200, **COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
