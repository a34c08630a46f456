"""Which addresses are for everyone and which are for staff who have given both factors.

Anything not named here as public is a staff route. The middleware sends a person who has given a
password but no second factor yet from every staff route to the second step, so a route nobody
classified is closed, not open; tests/accounts/test_routes.py fails until it is classified.
"""

# Pages for families and visitors, and the steps of signing in itself.
PUBLIC = {
    "home",
    "privacy",
    "healthz",
    "favicon",
    "intake:start",
    "intake:step",
    "intake:submitted",
    "intake:save_later",
    "intake:resume",
    "intake:lost_link",
    "intake:family_case",
    "intake:family_verify",
    "intake:family_reply",
    "intake:family_answer",
    "intake:family_documents",
    "intake:family_delete",
    "intake:family_research_consent",
    "intake:family_share",
    "intake:family_cancel_deletion",
    "intake:family_report_pdf",
    "accounts:login",
    "accounts:logout",
    "accounts:second_factor",
    "accounts:enrol",
}
# Whole namespaces that are for staff only.
STAFF_NAMESPACES = {"assessments", "admin"}
STAFF = {
    "accounts:recovery_codes",
    "accounts:keep_alive",
    "accounts:staff",
    "accounts:reset_second_factor",
}


def is_public(match) -> bool:
    # No match is a 404 page, which shows nothing to protect.
    return match is None or match.view_name in PUBLIC


def is_for_families(match) -> bool:
    """Public pages other than staff sign-in: these speak the family's language, all others English.

    A 404 (no match) is for families too: it is mostly a mistyped or old link from an email."""
    return is_public(match) and (match is None or match.namespace != "accounts")
