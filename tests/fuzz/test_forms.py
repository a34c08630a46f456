"""No answer breaks a form: every form in `tests/fuzz/table.py`, fuzzed as a careless or hostile
visitor would fill it in, and posted through the test client as the person who can send it.

Each test makes its rows once (`spec.arrange`), then runs its examples in an inner function that
takes no pytest fixtures: every example is wrapped in a savepoint that is rolled back and gets the
client's cookies back (`harness.rolled_back`), so each one starts from the same rows and session,
and no function-scoped fixture is shared behind Hypothesis's back.
"""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.fuzz.harness import FuzzForm, as_lists, judge, rolled_back, send
from tests.fuzz.strategies import hostile, management, plain_text
from tests.fuzz.table import FORMS, World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick(settings):
    settings.INTAKE_MIN_FILL_SECONDS = 0
    settings.REPORT_REQUIRES_APPROVAL = True  # so that "approve" has something to approve
    # Every test signs its personas up again; a slow password hash would be most of the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def fuzzed_posts(spec: FuzzForm, answers: dict):
    """Valid answers with one to three of them (or of the page's other inputs) replaced, dropped or
    repeated, each replacement drawn from the field's strategy."""
    names = sorted({*answers, *spec.hostile})
    valid = as_lists(answers)

    @st.composite
    def post(draw):
        data = {k: list(v) for k, v in valid.items()}
        mutated = draw(st.sets(st.sampled_from(names), min_size=1, max_size=min(3, len(names))))
        for name in sorted(mutated):
            default = management() if name.endswith("_FORMS") else hostile()
            strategy = spec.hostile.get(name, default)
            how = draw(st.sampled_from(["replace", "replace", "replace", "drop", "repeat"]))
            if how == "drop":
                data.pop(name, None)
            elif how == "repeat":
                data[name] = draw(st.lists(strategy, min_size=2, max_size=3))
            else:
                data[name] = [draw(strategy)]
        return data, mutated

    return post()


# The classic breakers, tried on every field of every form in every run, whatever Hypothesis draws.
CLASSICS = ["99999999999999999999", "a\x00b", "\ud800"]


def classic_posts(spec: FuzzForm, answers: dict):
    """Every field gets every classic once, the rest of the answers staying valid: post j gives field
    j too big a number, the next field a NUL and the one after a lone surrogate (wrapping around)."""
    names = sorted({*answers, *spec.hostile})
    rounds = max(len(names), len(CLASSICS))
    for j in range(rounds):
        picks = {name: CLASSICS[k] for i, name in enumerate(names) if (k := (i - j) % rounds) < len(CLASSICS)}
        yield {**as_lists(answers), **{name: [value] for name, value in picks.items()}}, set(picks)


def plain_posts(spec: FuzzForm, answers: dict):
    """Valid answers with every free-text field holding ordinary text of any script."""
    valid = as_lists(answers)
    texts = st.fixed_dictionaries({name: plain_text(size) for name, size in spec.plain.items()})
    return texts.map(lambda t: {**valid, **{k: [v] for k, v in t.items()}})


@pytest.mark.parametrize("spec", FORMS, ids=[spec.name for spec in FORMS])
def test_no_answer_breaks_the_form(spec):
    visit = spec.arrange(World())

    def fuzz(post):
        data, mutated = post
        with rolled_back(visit.client):
            response = send(visit, spec.method, data)
            judge(spec, visit, data, mutated, response)

    for post in classic_posts(spec, visit.answers):
        fuzz = example(post=post)(fuzz)
    given(post=fuzzed_posts(spec, visit.answers))(fuzz)()


@pytest.mark.parametrize("spec", FORMS, ids=[spec.name for spec in FORMS])
def test_ordinary_answers_are_accepted(spec):
    visit = spec.arrange(World())

    # Fewer: these answers are ordinary, and most forms have few free-text fields.
    @settings(max_examples=max(2, settings.default.max_examples // 4))
    @given(data=plain_posts(spec, visit.answers))
    def fuzz(data):
        with rolled_back(visit.client):
            response = send(visit, spec.method, data)
            expected = spec.accepted or spec.refused
            assert response.status_code in expected, (spec.name, response.status_code)
            judge(spec, visit, data, set(), response)

    fuzz()
