"""Places: country codes for the names records use, US states, ZIP code centroids and distances.

Distances come from the family's ZIP code to each site's coordinates. ZIP centroids come from the
`zipcodes` package, which ships them; nothing is looked up online.
"""

import math
from dataclasses import dataclass
from functools import cache

import zipcodes
from django_countries import countries

EARTH_RADIUS_MILES = 3958.8

# ClinicalTrials.gov writes a few countries differently from the ISO names django-countries knows.
COUNTRY_ALIASES = {
    "united states": "US",
    "korea, republic of": "KR",
    "south korea": "KR",
    "korea, democratic people's republic of": "KP",
    "iran, islamic republic of": "IR",
    "moldova, republic of": "MD",
    "congo, the democratic republic of the": "CD",
    "macedonia, the former yugoslav republic of": "MK",
    "former serbia and montenegro": "RS",
    "libyan arab jamahiriya": "LY",
    "palestinian territories, occupied": "PS",
    "tanzania, united republic of": "TZ",
    "côte d'ivoire": "CI",
    "cote d'ivoire": "CI",
}

US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana",
    "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri",
    "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio",
    "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "PR": "Puerto Rico", "RI": "Rhode Island",
    "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah",
    "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming",
}  # fmt: skip


@cache
def country_code(name: str) -> str:
    """The ISO code for a country name as records write it; blank when unknown."""
    key = " ".join(name.split()).lower()
    if not key:
        return ""
    return COUNTRY_ALIASES.get(key) or countries.by_name(name.strip()) or ""


def region_key(region: str) -> str:
    """A state or region written either way ("OH", "Ohio", " ohio ") as one comparable key."""
    words = " ".join(region.split())
    return US_STATES.get(words.upper(), words).casefold()


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


@cache
def zip_centroid(postal_code: str) -> Point | None:
    """The centre of a US ZIP code (five digits, ZIP+4 allowed), or None when it is not one."""
    digits = postal_code.strip()[:5]
    if len(digits) != 5 or not digits.isdigit():
        return None
    try:
        found = zipcodes.matching(digits)
    except (ValueError, TypeError):
        return None
    if not found:
        return None
    return Point(float(found[0]["lat"]), float(found[0]["long"]))


def miles_between(a: Point, b: Point) -> float:
    """Great-circle distance (haversine)."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(centre: Point, miles: float) -> tuple[float, float, float, float]:
    """Latitude and longitude bounds that contain every point within `miles`: an index-friendly
    first cut before the exact distance."""
    dlat = math.degrees(miles / EARTH_RADIUS_MILES)
    cos_lat = max(math.cos(math.radians(centre.latitude)), 0.01)
    dlon = min(180.0, math.degrees(miles / (EARTH_RADIUS_MILES * cos_lat)))
    return centre.latitude - dlat, centre.latitude + dlat, centre.longitude - dlon, centre.longitude + dlon
