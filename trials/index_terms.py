"""What the matching query reads from plain columns instead of working it out for every study.

At import each study gets the diagnosis codes its conditions, keywords and titles name (through the
synonym table), tags for whom it is meant (relapsed disease, newly diagnosed, after CAR-T...), and the
countries, regions and map cells of its open sites. The matching query then filters with GIN-indexed
array lookups, which are exact and cheap, rather than with phrase searches and a subquery per study.
A change to the synonym table reaches stored studies on their next import (their record hash covers
these columns).
"""

import math
from functools import cache

from trials import synonyms
from trials.geo import Point, bounding_box, region_key

# Open to patients: a trial or observational study while it takes people, an expanded-access program
# while it is available. A status of the other kind on a record is a mislabelling and is not open.
TRIAL_OPEN_STATUSES = ["RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION"]
EXPANDED_ACCESS_OPEN_STATUSES = ["AVAILABLE"]
OPEN_STATUSES = [*TRIAL_OPEN_STATUSES, *EXPANDED_ACCESS_OPEN_STATUSES]
# Sites often leave their own status out; an unlisted status counts as open (and is said to be unknown).
OPEN_SITE_STATUSES = ["", *OPEN_STATUSES]
# Map cells of one degree: a distance search looks only at studies with an open site in a nearby cell.
MAX_CELLS = 400


@cache
def _terms() -> list[tuple[str, tuple[str, ...]]]:
    """(column value, the phrases that give it), normalised once."""
    table = list(synonyms.SPECIFIC.items())
    table += [(f"group:{group}", phrases) for group, phrases in synonyms.GROUP.items()]
    table += [("relapsed", synonyms.RELAPSED_WORDS), ("newly_diagnosed", synonyms.NEWLY_DIAGNOSED_WORDS)]
    table += [(f"after:{kind}", phrases) for kind, phrases in synonyms.AFTER_TREATMENT.items()]
    return [(value, tuple(f" {synonyms.normalise(p)} " for p in phrases)) for value, phrases in table]


TAGS = {"relapsed", "newly_diagnosed", *(f"after:{kind}" for kind in synonyms.AFTER_TREATMENT)}


def terms(texts: list[str]) -> tuple[list[str], list[str]]:
    """The diagnosis codes ("group:<group>" for broader names of a group) and the tags the texts name,
    by the same whole-word matching as synonyms.contains."""
    # One string for all the texts; "|" never survives normalising, so no phrase spans two texts.
    haystack = " " + " | ".join(synonyms.normalise(t) for t in texts) + " "
    found = [value for value, phrases in _terms() if any(p in haystack for p in phrases)]
    return sorted(v for v in found if v not in TAGS), sorted(v for v in found if v in TAGS)


def cell(latitude: float, longitude: float) -> str:
    return f"{math.floor(latitude)}:{math.floor(longitude)}"


def cells_around(centre: Point, miles: float) -> list[str] | None:
    """The map cells a circle of `miles` around `centre` touches; None when that is most of the map."""
    south, north, west, east = bounding_box(centre, miles)
    rows = range(math.floor(max(south, -90)), math.floor(min(north, 89.999)) + 1)
    if east - west >= 360:
        return None
    columns = [((c + 180) % 360) - 180 for c in range(math.floor(west), math.floor(east) + 1)]
    if len(rows) * len(columns) > MAX_CELLS:
        return None
    return [f"{r}:{c}" for r in rows for c in columns]


def site_terms(sites) -> dict:
    open_sites = [s for s in sites if s.status in OPEN_SITE_STATUSES]
    return {
        "site_count": len(sites),
        "site_countries": sorted({s.country_code for s in open_sites if s.country_code}),
        "site_regions": sorted(
            {f"{s.country_code}:{region_key(s.state)}" for s in open_sites if s.country_code and s.state}
        ),
        "site_cells": sorted({cell(s.latitude, s.longitude) for s in open_sites if s.latitude is not None}),
    }
