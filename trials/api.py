"""Downloading study records from the ClinicalTrials.gov API (v2), page by page.

Each page is fetched whole (retrying with backoff when the server or the network fails), imported,
and only then is the next page token saved in `ApiImport`; an interrupted download therefore
resumes at the first page not yet imported, and a page imported twice changes nothing (upserts).
"""

import hashlib
import json
import logging
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import ijson
from django.conf import settings
from django.utils import timezone

from trials.importer import Importer, records_in_stream
from trials.models import ApiImport

log = logging.getLogger(__name__)
OPEN_STATUSES = ["RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "AVAILABLE"]
RETRY_STATUS_CODES = {408, 425, 429, 500, 502, 503, 504}
MAX_BACKOFF_SECONDS = 60.0


class ApiError(Exception):
    """The API could not be read; the message says what happened and how to go on."""


@dataclass(frozen=True)
class Query:
    condition: str
    statuses: tuple[str, ...]
    page_size: int

    def as_dict(self) -> dict:
        return {"condition": self.condition, "statuses": list(self.statuses), "page_size": self.page_size}

    @property
    def key(self) -> str:
        return hashlib.sha256(json.dumps(self.as_dict(), sort_keys=True).encode()).hexdigest()

    def url(self, page_token: str) -> str:
        params = {"format": "json", "pageSize": str(self.page_size), "countTotal": "true"}
        if self.condition:
            params["query.cond"] = self.condition
        if self.statuses:
            params["filter.overallStatus"] = ",".join(self.statuses)
        if page_token:
            params["pageToken"] = page_token
        return f"{settings.TRIALS_API_URL}?{urllib.parse.urlencode(params)}"


def fetch(url: str, *, sleep=time.sleep) -> tempfile.SpooledTemporaryFile:
    """The body of one page, retried with exponential backoff on network errors, 429 and 5xx."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ApiError(f"TRIALS_API_URL must be an http(s) address, not {url!r}")
    attempts = settings.TRIALS_API_RETRIES + 1
    for attempt in range(1, attempts + 1):
        wait = min(MAX_BACKOFF_SECONDS, settings.TRIALS_API_BACKOFF_SECONDS * 2 ** (attempt - 1))
        try:
            request = urllib.request.Request(  # noqa: S310 - scheme checked above
                url, headers={"Accept": "application/json", "User-Agent": "case-intake-trials/1"}
            )
            with urllib.request.urlopen(request, timeout=settings.TRIALS_API_TIMEOUT) as response:  # noqa: S310
                body = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned
                while chunk := response.read(256 * 1024):
                    body.write(chunk)
                body.seek(0)
                return body
        except urllib.error.HTTPError as e:
            if e.code not in RETRY_STATUS_CODES:
                raise ApiError(f"the API refused the request: HTTP {e.code} {e.reason}") from None
            retry_after = e.headers.get("Retry-After", "")
            if retry_after.isdigit():
                wait = min(MAX_BACKOFF_SECONDS, float(retry_after))
            problem = f"HTTP {e.code}"
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as e:
            problem = str(getattr(e, "reason", e))
        if attempt == attempts:
            raise ApiError(f"no answer from the API after {attempts} tries (last: {problem})")
        log.warning("API page failed (%s); trying again in %.1f s", problem, wait)
        sleep(wait)
    raise AssertionError("unreachable")


def _next_page_token(body) -> str:
    body.seek(0)
    for token in ijson.items(body, "nextPageToken"):
        return token if isinstance(token, str) else ""
    return ""


def import_from_api(
    importer: Importer, query: Query, *, max_pages: int | None = None, restart: bool = False, sleep=time.sleep
) -> ApiImport:
    """Import the query's pages, starting where an unfinished run of the same query stopped."""
    state, created = ApiImport.objects.get_or_create(query_key=query.key, defaults={"query": query.as_dict()})
    if restart or state.finished_at or created:
        state.next_page_token, state.pages_done, state.studies_seen = "", 0, 0
        state.started_at, state.finished_at = timezone.now(), None
    pages_this_run = 0
    while True:
        body = fetch(query.url(state.next_page_token), sleep=sleep)
        page = state.pages_done + 1
        seen = 0
        for label, record in records_in_stream(f"API page {page}", body):
            seen += not isinstance(record, Exception)
            importer.feed(label, record)
        importer.flush()  # stored before the token moves on: a resumed run never skips a page
        token = _next_page_token(body)
        state.pages_done, state.studies_seen = page, state.studies_seen + seen
        state.next_page_token, state.updated_at = token, timezone.now()
        if not token:
            state.finished_at = state.updated_at
        state.save()
        pages_this_run += 1
        if not token or (max_pages and pages_this_run >= max_pages):
            return state
