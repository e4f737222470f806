"""The append-only history of each member: who changed what, when and why."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    SIGNED_UP = "signed_up", _("Signed up")
    SIGNED_IN = "signed_in", _("Signed in")
    SIGNED_OUT_EVERYWHERE = "signed_out_all", _("Signed out everywhere")
    EMAIL_CHANGED = "email_changed", _("Changed email")
    NAME_CHANGED = "name_changed", _("Changed name")
    STATUS_CHANGED = "status_changed", _("Status changed")
    SUBSCRIPTION_CHANGED = "subscription", _("Subscription changed")
    PAYMENT = "payment", _("Payment received")
    COMP_GRANTED = "comp_granted", _("Complimentary access granted")
    COMP_REVOKED = "comp_revoked", _("Complimentary access revoked")
    LABEL_ADDED = "label_added", _("Label added")
    LABEL_REMOVED = "label_removed", _("Label removed")
    NOTE_CHANGED = "note_changed", _("Note changed")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    IMPORTED = "imported", _("Imported")
    EXPORTED = "exported", _("Exported own data")
    DELETED = "deleted", _("Deleted account")


class EventSource(models.TextChoices):
    MEMBER = "member", _("Member")
    STAFF = "staff", _("Staff")
    PROVIDER = "provider", _("Payment provider")
    SYSTEM = "system", _("System")
    IMPORT = "import", _("Import")


class MemberEvent(models.Model):
    """One change to a member. Rows are only ever added, never edited.

    When an account is deleted its rows stay with ``user`` emptied, so
    subscription and payment history remains for the accounts.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member_events",
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    source = models.CharField(
        max_length=10, choices=EventSource.choices, default=EventSource.SYSTEM
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("member event")
        verbose_name_plural = _("member events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Guard, not business logic: history is append-only.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("MemberEvent rows are append-only.")
        super().save(*args, **kwargs)
