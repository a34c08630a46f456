"""Private links by email (a case's family link, an unfinished form's resume link): the address holds
the row's id, signed, so it cannot be guessed or altered."""

import uuid

from django.core import signing


class SignedLink:
    """A private link's address: the row's id, signed with SALT. No timestamp in the signature, so the
    same link always has the same address; deleting or revoking the row kills it."""

    SALT = ""

    @property
    def token(self) -> str:
        return signing.Signer(salt=self.SALT).sign(self.id.hex)

    @classmethod
    def id_from_token(cls, token: str) -> uuid.UUID | None:
        try:
            return uuid.UUID(hex=signing.Signer(salt=cls.SALT).unsign(token))
        except (signing.BadSignature, ValueError, TypeError):
            return None
