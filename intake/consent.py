"""The consent text families agree to. Every version ever shown stays here, so the version stored
with a case always resolves to the exact words the person agreed to."""

CURRENT_VERSION = "2026-11"

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
}


def current_text() -> dict[str, str]:
    return TEXTS[CURRENT_VERSION]
