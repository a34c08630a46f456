"""Many reviewers pressing "Claim next case" at the same moment, against the real PostgreSQL."""

import threading

import pytest
from django.db import connection

from assessments.actions import claim_next_case
from intake.models import Case
from tests.conftest import make_case, make_user

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
CASES = 40


def test_concurrent_claims_hand_out_every_case_exactly_once():
    reviewers = [make_user(f"reviewer{i}", "Reviewer") for i in range(THREADS)]
    for _ in range(CASES):
        make_case(status=Case.Status.TRIAGED)
    start = threading.Barrier(THREADS)
    claimed: dict[str, list[int]] = {r.username: [] for r in reviewers}
    errors = []

    def work(reviewer):
        try:
            start.wait()
            while (case := claim_next_case(reviewer=reviewer)) is not None:
                claimed[reviewer.username].append(case.pk)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(r,)) for r in reviewers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    handed_out = [pk for pks in claimed.values() for pk in pks]
    assert len(handed_out) == CASES
    assert len(set(handed_out)) == CASES
    # More than one reviewer got work: the claims really did run side by side.
    assert sum(1 for pks in claimed.values() if pks) > 1
    owners = dict(Case.objects.values_list("pk", "assigned_to__username"))
    for username, pks in claimed.items():
        assert all(owners[pk] == username for pk in pks)
