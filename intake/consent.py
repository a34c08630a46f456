"""The consent text families agree to. Every version ever shown stays here, so the version stored
with a case always resolves to the exact words the person agreed to.

A translation is a version of its own, named after the English one and the language ("2026-11-es"),
and written here rather than in the translation catalogue: what a family agreed to must not change
when the catalogue does."""

from django.utils import translation
from django.utils.functional import lazy

CURRENT_VERSION = "2026-11"

# How long after closing each version's privacy_notice words say a case is kept. The words stay fixed
# text (a stored version must keep meaning what it said), so intake.W003 warns when
# RETENTION_CLOSED_CASE_DAYS drifts from what the current words promise.
KEPT_AFTER_CLOSING_DAYS = {"2026-11": 730}

TEXTS = {
    "2026-11": {
        "privacy_notice": (
            "I have read how you protect my information (the privacy notice), and I agree that you "
            "store what I send for as long as my case is open, and for up to 2 years after."
        ),
        "reviewers_may_read": (
            "I agree that your reviewers may read everything I send, including the documents, to look "
            "for options for the patient. I am the patient, or I have the patient's permission, or I am "
            "their parent or legal guardian."
        ),
        "research_contact": (
            "You may contact me about research studies. This is optional. Saying no does not change "
            "the help we give."
        ),
        # Asked for each share a reviewer proposes, with the partner and the reason filled in.
        "share_summary": (
            "I agree that you send a summary of the case to {partner}, for this reason: {purpose}. "
            "The summary has no names, contact details or documents. This is only for this one share. "
            "I can take it back on this page, but a summary already sent cannot be called back."
        ),
    },
    "2026-11-es": {
        "privacy_notice": (
            "Leí cómo protegen mi información (el aviso de privacidad). Acepto que guarden lo que "
            "envío mientras mi caso esté abierto, y hasta 2 años después."
        ),
        "reviewers_may_read": (
            "Acepto que sus revisores lean todo lo que envío, también los documentos, para buscar "
            "opciones para el paciente. Soy el paciente, o tengo su permiso, o soy su madre, padre o "
            "tutor legal."
        ),
        "research_contact": (
            "Pueden escribirme sobre estudios de investigación. Esto es opcional. Si no lo marca, "
            "le ayudamos igual."
        ),
        "share_summary": (
            "Acepto que envíen un resumen del caso a {partner}, para esto: {purpose}. El resumen no "
            "tiene nombres, datos de contacto ni documentos. Es solo para esta vez. Puedo retirar mi "
            "permiso en esta página, pero un resumen ya enviado no se puede recuperar."
        ),
    },
}


def shown_version() -> str:
    """The version a person reads now: the current one in the active language, if it is translated."""
    translated = f"{CURRENT_VERSION}-{translation.get_language()}"
    return translated if translated in TEXTS else CURRENT_VERSION


def _text(part: str) -> str:
    return TEXTS[shown_version()][part]


_lazy_text = lazy(_text, str)


def current_text() -> dict[str, str]:
    """The current words, each read in the language active when it is shown (form labels)."""
    return {part: _lazy_text(part) for part in TEXTS[CURRENT_VERSION]}
