"""The row of a medical document. It lives beside the code that stores, seals and checks documents,
and belongs to the intake app (intake.models imports it)."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Document(models.Model):
    """A medical document a family sent. Its bytes are kept encrypted in the document store (a local
    folder or an S3 bucket, see intake.documents); this row holds what is needed to find, open and
    check them. A refused (infected) file keeps its row, so staff see it was refused, and no bytes."""

    class Kind(models.TextChoices):
        PATHOLOGY = "pathology", _("Pathology report")
        LAB = "lab", _("Lab results")
        LETTER = "letter", _("Doctor's letter or clinic note")
        SCAN = "scan", _("Scan report")
        OTHER = "other", _("Something else")

    class Source(models.TextChoices):
        INTAKE = "intake", "Case form"
        FAMILY = "family", "Added by the family later"

    class ScanState(models.TextChoices):
        NOT_SCANNED = "not_scanned", "Not scanned (no virus scanner is set up)"
        WAITING = "waiting", "Waiting for the virus scan"
        CLEAN = "clean", "Scanned, no virus found"
        INFECTED = "infected", "Refused: the virus scanner found something harmful"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "intake.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    # Set while the case form is being filled in; cleared when the case is submitted.
    draft = models.ForeignKey(
        "intake.Draft", null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.INTAKE)
    # The object's random key in the document store; empty when nothing is stored (a refused file).
    stored_name = models.CharField(max_length=64, blank=True, editable=False)
    original_name = models.CharField(max_length=255)
    # Of what is stored (a picture after its metadata was removed), before encryption.
    size = models.PositiveIntegerField()
    content_type = models.CharField("detected type", max_length=50)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    # Envelope encryption: the document's own data key, wrapped by the master key named key_id.
    # Empty for files stored in plain before encryption came in (see encrypt_plain_documents).
    key_id = models.CharField(max_length=40, blank=True, editable=False)
    wrapped_key = models.BinaryField(default=bytes, blank=True, editable=False)
    scan_state = models.CharField(max_length=12, choices=ScanState.choices, default=ScanState.NOT_SCANNED)
    scan_result = models.CharField("scanner's finding", max_length=200, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)
    # What staff should know before opening a PDF (see intake.documents.cleaning.Flag).
    flags = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    # When the stored bytes were last decrypted and found to match sha256 (verify_documents).
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "intake"
        ordering = ["uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(draft__isnull=False), name="document_belongs_somewhere"
            ),
            models.UniqueConstraint(
                fields=["stored_name"], condition=~Q(stored_name=""), name="document_stored_name_unique"
            ),
            # An infected file is never kept, not even encrypted.
            models.CheckConstraint(
                condition=~Q(scan_state="infected") | Q(stored_name=""), name="document_infected_not_stored"
            ),
        ]
        indexes = [
            models.Index(
                fields=["uploaded_at"],
                condition=Q(scan_state__in=["waiting", "not_scanned"]),
                name="document_scan_due",
            ),
        ]

    def __str__(self) -> str:
        return f"Document {self.id}"

    @property
    def is_viewable_inline(self) -> bool:
        # Browsers show PDFs and common images themselves; HEIC photos are downloaded instead.
        return self.content_type in ("application/pdf", "image/jpeg", "image/png")

    @property
    def is_refused(self) -> bool:
        return self.scan_state == self.ScanState.INFECTED

    @property
    def can_be_opened(self) -> bool:
        """Staff open clean files only. Files waiting for their scan, and refused ones, stay shut, and so
        do files kept while no scanner was configured: housekeeping scans them once one is. Only a
        development site (DEBUG, `make run` without ClamAV) opens those, with a note on the case page."""
        if not self.stored_name:
            return False
        if self.scan_state == self.ScanState.NOT_SCANNED:
            return settings.DEBUG
        return self.scan_state == self.ScanState.CLEAN

    def flag_labels(self) -> list[str]:
        from intake.documents.cleaning import Flag

        return [Flag.LABELS.get(flag, flag) for flag in self.flags]
