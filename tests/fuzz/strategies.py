"""What a careless or hostile visitor types, as Hypothesis strategies of form values (always strings).

Lone surrogates are generated too: the fuzz transport sends them as the bytes a broken client would
(`surrogatepass` UTF-8), and the server sees U+FFFD. See `tests/fuzz/harness.py`.
"""

from hypothesis import strategies as st

# Hand-picked values that broke (or nearly broke) real form code somewhere.
NASTY = [
    "",
    " ",
    "\t \n",
    "\u00a0\u2003",  # no-break and em spaces
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m\x7f",
    "\r\n\r\n",
    "\u202eevil.pdf",  # right-to-left override
    "مرحبا بالعالم",
    "שלום עולם",
    "👩‍👩‍👧‍👦🏳️‍🌈",
    "\U0001d573\U0001d58a\U0001d591\U0001d591\U0001d594",  # "Hello" in Fraktur letters
    "\ufeff",
    "\ud800",  # a lone surrogate
    "a\udfffb",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "%s%n%x",
    "{{ 7|add:7 }}{% now 'Y' %}",
    "../../etc/passwd",
    "null",
    "None",
    "true",
    "on",
    "false",
    "0",
]

NUMBERS = [
    "-1",
    "-0",
    "0",
    "1.5",
    "1e3",
    "1e309",
    "NaN",
    "inf",
    "0x1F",
    "²",
    "١٢٣",  # Arabic-Indic digits
    "\uff10\uff11\uff12",  # full-width digits
    "12 ",
    " 1_000",
    "2147483648",
    "9223372036854775808",
    "99999999999999999999",
    "-99999999999999999999",
    "9" * 400,
]

DATES = [
    "2025-02-30",
    "2025-13-01",
    "0000-00-00",
    "0001-01-01",
    "1899-12-31",
    "9999-12-31",
    "10000-01-01",
    "-2025-01-01",
    "2025/01/01",
    "01/02/2025",
    "2025-1-1",
    "tomorrow",
    "2025-01-01T00:00:00Z",
]

characters = st.characters()
surrogates = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
control = st.characters(max_codepoint=0x1F) | st.sampled_from("\x7f\x85\u2028\u2029\u200b\u200e\u200f")
rtl_and_emoji = st.characters(min_codepoint=0x0590, max_codepoint=0x06FF) | st.characters(
    min_codepoint=0x1F300, max_codepoint=0x1FAFF
)


def long_text() -> st.SearchStrategy[str]:
    """Very long values, made cheaply by repeating a short piece (up to 50,000 characters)."""
    piece = st.text(characters | surrogates, min_size=1, max_size=4)
    return st.builds(lambda p, n: (p * n)[:n], piece, st.integers(1_000, 50_000))


def numbers() -> st.SearchStrategy[str]:
    return st.sampled_from(NUMBERS) | st.integers(-(10**30), 10**30).map(str)


def dates() -> st.SearchStrategy[str]:
    return st.sampled_from(DATES) | st.dates().map(lambda d: d.isoformat())


def hostile() -> st.SearchStrategy[str]:
    """Anything at all: the strategy every fuzzed field draws from unless the table says more."""
    return st.one_of(
        st.sampled_from(NASTY),
        numbers(),
        dates(),
        st.text(characters | surrogates | control | rtl_and_emoji, max_size=40),
        long_text(),
    )


def management() -> st.SearchStrategy[str]:
    """Values for a formset's management form: TOTAL_FORMS and friends."""
    return st.one_of(st.sampled_from(["abc", "", "-1", "-5", "1.0", "31", "1000", "10" * 10]), numbers())


def plain_text(max_size: int = 200) -> st.SearchStrategy[str]:
    """Text a person might really type and that every free-text field must accept: any script, emoji,
    quotes and markup, new lines, but no control characters and not blank."""
    alphabet = st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from("\n\t")
    return st.text(alphabet, min_size=1, max_size=max_size).filter(lambda s: s.strip())
