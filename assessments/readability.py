"""Flesch-Kincaid grade level, to help reviewers write at about grade 8 or lower.

The same rules run in the browser (static/js/readability.js) while the reviewer types."""

import re
from itertools import pairwise

WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)|\n\s*\n")
VOWEL_GROUPS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    word = word.lower()
    count = len(VOWEL_GROUPS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1  # a silent e, as in "time"
    return max(count, 1)


def grade(text: str) -> float | None:
    """The Flesch-Kincaid grade of `text`, or None when there is too little to judge."""
    words = WORD.findall(text)
    if len(words) < 10:
        return None
    sentences = max(len([s for s in SENTENCE_END.split(text) if WORD.search(s)]), 1)
    total_syllables = sum(syllables(w) for w in words)
    return round(0.39 * len(words) / sentences + 11.8 * total_syllables / len(words) - 15.59, 1)


# Spanish: the INFLESZ scale (Szigriszt-Pazos perspicuity, as Barrio-Cantalejo et al. validated it for
# patient information in 2008): 206.835 - 62.3 x syllables per word - words per sentence. Below 40 is
# very hard, 40-55 somewhat hard, 55-65 normal (secondary school), 65-80 fairly easy, above 80 very easy.
SPANISH_WORD = re.compile(r"[a-záéíóúüñ]+", re.IGNORECASE)
SPANISH_VOWELS = re.compile(r"[aeiouáéíóúü]+")
# Two of these side by side are two syllables (le-er, dí-a); a weak vowel (i, u, ü) joins its
# neighbour in one (cuan-do, bai-le).
STRONG = set("aeoáéóíú")


def spanish_syllables(word: str) -> int:
    word = word.lower()
    count = 0
    for run in SPANISH_VOWELS.findall(word):
        count += 1 + sum(1 for a, b in pairwise(run) if a in STRONG and b in STRONG)
    return max(count, 1)  # "y" alone is a word of one syllable


def inflesz(text: str) -> float | None:
    """The INFLESZ score of Spanish `text` (higher is easier), or None when there is too little."""
    words = SPANISH_WORD.findall(text)
    if len(words) < 10:
        return None
    sentences = max(len([s for s in SENTENCE_END.split(text) if SPANISH_WORD.search(s)]), 1)
    total_syllables = sum(spanish_syllables(w) for w in words)
    return round(206.835 - 62.3 * total_syllables / len(words) - len(words) / sentences, 1)
