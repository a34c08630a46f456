"""An email backend that fails like a mail server that is down, until told it is back."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class FlakyBackend(EmailBackend):
    down = True

    def send_messages(self, messages):
        if FlakyBackend.down:
            raise smtplib.SMTPConnectError(421, "Service not available")
        return super().send_messages(messages)
