import logging
import re

FAMILY_TOKEN = re.compile(r"/my-case/(?!lost/)[^/\s]+/")


class HideFamilyLinks(logging.Filter):
    """Family links carry a signed token in their path; logs (Django's "Not Found: ..." among them)
    show where a request went, never the token."""

    def filter(self, record):
        message = record.getMessage()
        if "/my-case/" in message:
            record.msg, record.args = FAMILY_TOKEN.sub("/my-case/…/", message), ()
        return True
