"""Reading one ClinicalTrials.gov study record (API v2 JSON) into the columns the catalogue keeps.

`parse_study` either returns a `ParsedStudy` or raises `Rejected` with a reason a person can act on.
Unknown keys are ignored (exports add their own); missing modules are allowed, since many real
records are minimal; values of the wrong shape reject the whole record, so no half study is stored.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date

from trials import index_terms
from trials.geo import country_code

NCT_ID = re.compile(r"^NCT\d{8}$")
AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.IGNORECASE)
YEARS_PER_UNIT = {
    "year": 1.0,
    "month": 1 / 12,
    "week": 7 / 365.25,
    "day": 1 / 365.25,
    "hour": 1 / (365.25 * 24),
    "minute": 1 / (365.25 * 24 * 60),
}
STATUSES = {
    "RECRUITING",
    "NOT_YET_RECRUITING",
    "ENROLLING_BY_INVITATION",
    "ACTIVE_NOT_RECRUITING",
    "SUSPENDED",
    "TERMINATED",
    "COMPLETED",
    "WITHDRAWN",
    "UNKNOWN",
    "AVAILABLE",
    "NO_LONGER_AVAILABLE",
    "TEMPORARILY_NOT_AVAILABLE",
    "APPROVED_FOR_MARKETING",
    "WITHHELD",
}
STUDY_TYPES = {"INTERVENTIONAL", "OBSERVATIONAL", "EXPANDED_ACCESS"}
SEXES = {"ALL", "FEMALE", "MALE"}


class Rejected(Exception):
    """The record cannot be imported; the message says why."""


@dataclass
class ParsedSite:
    position: int
    facility: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = ""
    country_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    status: str = ""
    contacts: list = field(default_factory=list)


@dataclass
class ParsedStudy:
    nct_id: str
    title: str = ""
    brief_title: str = ""
    acronym: str = ""
    brief_summary: str = ""
    conditions: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    interventions: list[str] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    overall_status: str = ""
    study_type: str = ""
    expanded_access_types: list[str] = field(default_factory=list)
    has_expanded_access: bool = False
    sponsor: str = ""
    minimum_age: str = ""
    maximum_age: str = ""
    min_age_years: float | None = None
    max_age_years: float | None = None
    sex: str = "ALL"
    healthy_volunteers: bool | None = None
    criteria_text: str = ""
    inclusion: list[str] = field(default_factory=list)
    exclusion: list[str] = field(default_factory=list)
    central_contacts: list[dict] = field(default_factory=list)
    source_updated_on: date | None = None
    sites: list[ParsedSite] = field(default_factory=list)
    # Worked out from the above for the matching query (trials.index_terms).
    diagnosis_codes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    site_count: int = 0
    site_countries: list[str] = field(default_factory=list)
    site_regions: list[str] = field(default_factory=list)
    site_cells: list[str] = field(default_factory=list)

    def study_fields(self) -> dict:
        return {k: v for k, v in vars(self).items() if k not in STUDY_FIELDS_LEFT_OUT}

    def facts_fields(self) -> dict:
        return {name: getattr(self, name) for name in FACTS_FIELDS}

    @property
    def record_hash(self) -> str:
        """Changes exactly when something the catalogue keeps changes."""
        canonical = json.dumps(vars(self), sort_keys=True, default=_plain, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


# What the studies table does not hold: the sites (a table of their own) and the matching facts.
STUDY_FIELDS_LEFT_OUT = {
    "sites",
    "diagnosis_codes",
    "tags",
    "site_count",
    "site_countries",
    "site_regions",
    "site_cells",
}
# The columns of trials.models.StudyFacts, which the importer writes from these.
FACTS_FIELDS = [
    "nct_id",
    "overall_status",
    "study_type",
    "has_expanded_access",
    "min_age_years",
    "max_age_years",
    "sex",
    "source_updated_on",
    "diagnosis_codes",
    "tags",
    "site_count",
    "site_countries",
    "site_regions",
    "site_cells",
]


def _plain(value):
    return vars(value) if isinstance(value, ParsedSite) else str(value)


# Reading typed values out of nested dictionaries, naming the path when a value has the wrong shape.


def _obj(parent: dict, key: str, path: str) -> dict:
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Rejected(f"{path}{key} is not an object")
    return value


def _text(parent: dict, key: str, path: str) -> str:
    value = parent.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Rejected(f"{path}{key} is not text")
    return value.strip()


def _texts(parent: dict, key: str, path: str) -> list[str]:
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Rejected(f"{path}{key} is not a list of text")
    return [v.strip() for v in value if v.strip()]


def _objs(parent: dict, key: str, path: str) -> list[dict]:
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise Rejected(f"{path}{key} is not a list of objects")
    return value


def _bool(parent: dict, key: str, path: str) -> bool | None:
    value = parent.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise Rejected(f"{path}{key} is not true or false")
    return value


def _choice(parent: dict, key: str, path: str, allowed: set[str]) -> str:
    value = _text(parent, key, path)
    if value and value not in allowed:
        raise Rejected(f"{path}{key} has an unknown value {value!r}")
    return value


def age_in_years(text: str, path: str) -> float | None:
    if not text or text.upper() == "N/A":
        return None
    match = AGE.match(text)
    if not match:
        raise Rejected(f"{path} {text!r} is not an age")
    return round(float(match.group(1)) * YEARS_PER_UNIT[match.group(2).lower()], 4)


def _date(text: str, path: str) -> date | None:
    if not text:
        return None
    try:
        if len(text) == 7:  # "2023-06": a month, as older records give it
            return date.fromisoformat(f"{text}-01")
        return date.fromisoformat(text)
    except ValueError:
        raise Rejected(f"{path} {text!r} is not a date") from None


def _contact(raw: dict) -> dict:
    return {k: str(raw[k]).strip() for k in ("name", "role", "phone", "phoneExt", "email") if raw.get(k)}


def _site(position: int, raw: dict) -> ParsedSite:
    path = f"locations[{position}]."
    point = _obj(raw, "geoPoint", path)
    latitude = point.get("lat")
    longitude = point.get("lon")
    for name, value, limit in (("lat", latitude, 90), ("lon", longitude, 180)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or not -limit <= value <= limit
        ):
            raise Rejected(f"{path}geoPoint.{name} {value!r} is not a coordinate")
    if (latitude is None) != (longitude is None):
        raise Rejected(f"{path}geoPoint has only one of lat and lon")
    country = _text(raw, "country", path)
    return ParsedSite(
        position=position,
        facility=_text(raw, "facility", path),
        city=_text(raw, "city", path),
        state=_text(raw, "state", path),
        zip=_text(raw, "zip", path)[:30],
        country=country,
        country_code=country_code(country),
        latitude=float(latitude) if latitude is not None else None,
        longitude=float(longitude) if longitude is not None else None,
        status=_text(raw, "status", path),
        contacts=[_contact(c) for c in _objs(raw, "contacts", path)],
    )


def parse_study(record) -> ParsedStudy:
    if not isinstance(record, dict):
        raise Rejected("not a study record (expected a JSON object)")
    protocol = record.get("protocolSection")
    if not isinstance(protocol, dict):
        raise Rejected("no protocolSection")
    p = "protocolSection."
    ident = _obj(protocol, "identificationModule", p)
    nct_id = _text(ident, "nctId", f"{p}identificationModule.")
    if not nct_id:
        raise Rejected("no NCT number (identificationModule.nctId)")
    if not NCT_ID.match(nct_id):
        raise Rejected(f"{nct_id!r} is not an NCT number")

    status = _obj(protocol, "statusModule", p)
    design = _obj(protocol, "designModule", p)
    conditions = _obj(protocol, "conditionsModule", p)
    arms = _obj(protocol, "armsInterventionsModule", p)
    eligibility = _obj(protocol, "eligibilityModule", p)
    contacts = _obj(protocol, "contactsLocationsModule", p)
    sponsors = _obj(protocol, "sponsorCollaboratorsModule", p)
    description = _obj(protocol, "descriptionModule", p)
    ea_info = _obj(status, "expandedAccessInfo", "statusModule.")
    ea_types = _obj(design, "expandedAccessTypes", "designModule.")
    updated = _obj(status, "lastUpdatePostDateStruct", "statusModule.")

    interventions = []
    for i, raw in enumerate(_objs(arms, "interventions", "armsInterventionsModule.")):
        name = _text(raw, "name", f"interventions[{i}].")
        kind = _text(raw, "type", f"interventions[{i}].")
        if name:
            interventions.append(f"{kind.replace('_', ' ').title()}: {name}" if kind else name)

    minimum_age = _text(eligibility, "minimumAge", "eligibilityModule.")
    maximum_age = _text(eligibility, "maximumAge", "eligibilityModule.")
    min_years = age_in_years(minimum_age, "eligibilityModule.minimumAge")
    max_years = age_in_years(maximum_age, "eligibilityModule.maximumAge")
    if min_years is not None and max_years is not None and max_years < min_years:
        raise Rejected(f"maximum age {maximum_age!r} is below the minimum age {minimum_age!r}")

    criteria = _text(eligibility, "eligibilityCriteria", "eligibilityModule.")
    inclusion, exclusion = split_criteria(criteria)
    lead = _obj(sponsors, "leadSponsor", "sponsorCollaboratorsModule.")
    org = _obj(ident, "organization", "identificationModule.")
    study = ParsedStudy(
        nct_id=nct_id,
        title=_text(ident, "officialTitle", "identificationModule."),
        brief_title=_text(ident, "briefTitle", "identificationModule."),
        acronym=_text(ident, "acronym", "identificationModule.")[:100],
        brief_summary=_text(description, "briefSummary", "descriptionModule."),
        conditions=_texts(conditions, "conditions", "conditionsModule."),
        keywords=_texts(conditions, "keywords", "conditionsModule."),
        interventions=interventions,
        phases=_texts(design, "phases", "designModule."),
        overall_status=_choice(status, "overallStatus", "statusModule.", STATUSES),
        study_type=_choice(design, "studyType", "designModule.", STUDY_TYPES),
        expanded_access_types=sorted(k for k, v in ea_types.items() if v is True),
        has_expanded_access=bool(_bool(ea_info, "hasExpandedAccess", "expandedAccessInfo.")),
        sponsor=_text(lead, "name", "leadSponsor.") or _text(org, "fullName", "organization."),
        minimum_age=minimum_age[:30],
        maximum_age=maximum_age[:30],
        min_age_years=min_years,
        max_age_years=max_years,
        sex=_choice(eligibility, "sex", "eligibilityModule.", SEXES) or "ALL",
        healthy_volunteers=_bool(eligibility, "healthyVolunteers", "eligibilityModule."),
        criteria_text=criteria,
        inclusion=inclusion,
        exclusion=exclusion,
        central_contacts=[
            _contact(c) for c in _objs(contacts, "centralContacts", "contactsLocationsModule.")
        ],
        source_updated_on=_date(_text(updated, "date", "lastUpdatePostDateStruct."), "lastUpdatePostDate")
        or _date(_text(status, "lastUpdateSubmitDate", "statusModule."), "lastUpdateSubmitDate"),
        sites=[
            _site(i, raw) for i, raw in enumerate(_objs(contacts, "locations", "contactsLocationsModule."))
        ],
    )
    texts = [*study.conditions, *study.keywords, study.brief_title, study.title]
    study.diagnosis_codes, study.tags = index_terms.terms(texts)
    for name, value in index_terms.site_terms(study.sites).items():
        setattr(study, name, value)
    return study


# Eligibility criteria: one free-text field, by convention "Inclusion Criteria:" then bullets, then
# "Exclusion Criteria:" then bullets. Sub-bullets belong to the item above them.

HEADING = re.compile(
    r"^\s*(?:key\s+|main\s+|general\s+)?(inclusion|exclusion)(?:\s+and\s+\w+)?\s+criteri[ao]\b.*$",
    re.IGNORECASE,
)
BULLET = re.compile(r"^(\s*)(?:[*\-•·]|\d{1,2}[.)]|[a-z][.)]|\([a-z0-9]{1,3}\))\s+(.*)$", re.IGNORECASE)
EMPTY_ITEMS = {"none", "none.", "n/a", "na", "not applicable", "-"}
MARKDOWN_ESCAPE = re.compile(r"\\([\\\[\]<>*_#()~^|-])")


def _clean(text: str) -> str:
    return " ".join(MARKDOWN_ESCAPE.sub(r"\1", text).split())


def split_criteria(text: str) -> tuple[list[str], list[str]]:
    """Inclusion and exclusion items, one criterion each, in the record's order."""
    sections: dict[str, list[str]] = {"inclusion": [], "exclusion": []}
    current = "inclusion"
    item_indent: int | None = None
    for line in text.splitlines():
        if not line.strip():
            continue
        heading = HEADING.match(line)
        if heading and len(line.strip()) < 120:
            current = heading.group(1).lower()
            item_indent = None
            continue
        items = sections[current]
        bullet = BULLET.match(line)
        if bullet:
            indent = len(bullet.group(1).expandtabs(4))
            body = _clean(bullet.group(2))
            if items and item_indent is not None and indent > item_indent:
                items[-1] = f"{items[-1]} {body}"  # a sub-item: part of the criterion above
            elif body:
                items.append(body)
                item_indent = indent
        elif items and item_indent is not None:
            items[-1] = f"{items[-1]} {_clean(line)}"  # a wrapped line of the item above
        else:
            items.append(_clean(line))
    return [i for i in sections["inclusion"] if i.casefold() not in EMPTY_ITEMS], [
        i for i in sections["exclusion"] if i.casefold() not in EMPTY_ITEMS
    ]
