"""Input checks for subscriptions and pushes: clean values or clear errors."""

from __future__ import annotations

import base64
import binascii
import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class InvalidInput(ValueError):
    """Bad input, with a code, a message and per-field messages for the reader."""

    def __init__(self, code: str, message: str, fields: dict[str, str]):
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields


@dataclass(frozen=True)
class SubscriptionInput:
    endpoint: str
    p256dh: str
    auth: str
    topics: list[str] | None  # None: not given (keep, or the defaults)


def _b64url(value: str) -> bytes:
    value = value.strip()
    if not value or len(value) > 200:
        raise ValueError
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _host_allowed(host: str) -> bool:
    host = host.lower().rstrip(".")
    for allowed in getattr(settings, "HERALD_PUSH_SERVICE_HOSTS", ()):
        allowed = allowed.lower().strip().lstrip(".")
        if allowed and (host == allowed or host.endswith("." + allowed)):
            return True
    return False


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def clean_endpoint(value: Any) -> str:
    """An https URL of a known push service (plain http only for test hosts)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(_("The endpoint is missing."))
    value = value.strip()
    if len(value) > 1000:
        raise ValueError(_("The endpoint is too long."))
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ValueError(_("The endpoint is not a URL.")) from None
    host = parts.hostname or ""
    if not host or parts.username or parts.password or parts.fragment:
        raise ValueError(_("The endpoint is not a push service URL."))
    insecure = host in getattr(settings, "HERALD_PUSH_INSECURE_HOSTS", ())
    if parts.scheme != "https" and not (parts.scheme == "http" and insecure):
        raise ValueError(_("The endpoint must be an https URL."))
    if not insecure and _is_address(host):
        raise ValueError(_("The endpoint must name a push service, not an address."))
    if not _host_allowed(host):
        raise ValueError(_("This push service is not one the site sends to."))
    return value


def clean_p256dh(value: Any) -> str:
    """A base64url P-256 public key: 65 bytes, uncompressed (0x04), on the curve."""
    try:
        raw = _b64url(value)
    except (ValueError, TypeError, AttributeError, binascii.Error):
        raise ValueError(_("keys.p256dh is not base64url.")) from None
    if len(raw) != 65 or raw[0] != 4:
        raise ValueError(_("keys.p256dh must be a 65-byte uncompressed P-256 key."))
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        raise ValueError(_("keys.p256dh is not a point on P-256.")) from None
    return value.strip()


def clean_auth(value: Any) -> str:
    """A base64url 16-byte authentication secret."""
    try:
        raw = _b64url(value)
    except (ValueError, TypeError, AttributeError, binascii.Error):
        raise ValueError(_("keys.auth is not base64url.")) from None
    if len(raw) != 16:
        raise ValueError(_("keys.auth must be 16 bytes."))
    return value.strip()


def clean_topics(value: Any, allowed: Iterable[str]) -> list[str]:
    allowed = set(allowed)
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise ValueError(_("topics must be a list of topic names."))
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ValueError(_("Unknown topics: %s.") % ", ".join(unknown[:5]))
    return sorted(set(value))


def clean_subscription(
    data: Any, *, allowed_topics: Iterable[str]
) -> SubscriptionInput:
    """Check a browser's ``PushSubscription.toJSON()`` (plus ``topics``)."""
    if not isinstance(data, Mapping):
        raise InvalidInput(
            "invalid", _("Send a JSON object with endpoint and keys."), {}
        )
    errors: dict[str, str] = {}
    keys = data.get("keys")
    if not isinstance(keys, Mapping):
        errors["keys"] = _("keys with p256dh and auth are required.")
        keys = {}
    cleaned: dict[str, Any] = {}
    for name, check, value in (
        ("endpoint", clean_endpoint, data.get("endpoint")),
        ("keys.p256dh", clean_p256dh, keys.get("p256dh")),
        ("keys.auth", clean_auth, keys.get("auth")),
    ):
        if name.startswith("keys.") and "keys" in errors:
            continue
        try:
            cleaned[name] = check(value)
        except ValueError as exc:
            errors[name] = str(exc)
    topics = None
    if "topics" in data:
        try:
            topics = clean_topics(data["topics"], allowed_topics)
        except ValueError as exc:
            errors["topics"] = str(exc)
    if errors:
        raise InvalidInput(
            "invalid_subscription", _("The subscription is not valid."), errors
        )
    return SubscriptionInput(
        endpoint=cleaned["endpoint"],
        p256dh=cleaned["keys.p256dh"],
        auth=cleaned["keys.auth"],
        topics=topics,
    )


class TopicsForm(forms.Form):
    """The reader's topics page (works without JavaScript)."""

    topics = forms.MultipleChoiceField(
        label=gettext_lazy("Send me notifications about"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = choices


class PushForm(forms.Form):
    """What an editor sends: the topic, the words, and whether to push again."""

    topic = forms.ChoiceField(label=gettext_lazy("Send to"))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    body = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Headline and dek only: never text from the story."),
    )
    resend = forms.BooleanField(
        label=gettext_lazy("Send again even though this story was pushed already"),
        required=False,
    )

    def __init__(self, *args: Any, topics: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = topics
