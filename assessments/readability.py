"""Flesch-Kincaid grade level, to help reviewers write at about grade 8 or lower.

The same rules run in the browser (static/js/readability.js) while the reviewer types."""

import re

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
