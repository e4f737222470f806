"""Every write to members data. Emails and provider calls wait for the commit."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from herald.core.links import local_path

from . import emails, hooks, queries
from .models import (
    FINAL_STATUSES,
    CodeFailure,
    ComplimentaryAccess,
    EventKind,
    EventSource,
    Interval,
    Label,
    LoginToken,
    MemberEvent,
    MembershipSettings,
    MemberStatus,
    Offer,
    Payment,
    Subscription,
    SubscriptionStatus,
    Tier,
    TokenPurpose,
    User,
    WebhookEvent,
    format_money,
    newsroom_role_q,
)
from .providers import get_provider
from .providers.base import (
    CheckoutRequest,
    ProviderError,
    ProviderEvent,
    SubscriptionState,
)

log = logging.getLogger("herald.members")


def normalize_email(email: str) -> str:
    return User.objects.normalize_email(email.strip()).lower()


# --- History ------------------------------------------------------------------


def record_event(
    user: User | None,
    kind: str,
    *,
    source: str = EventSource.SYSTEM,
    actor: User | None = None,
    data: dict[str, Any] | None = None,
    reason: str = "",
) -> MemberEvent:
    """Append one row to a member's history."""
    return MemberEvent.objects.create(
        user=user,
        kind=kind,
        source=source,
        actor=actor,
        data=data or {},
        reason=reason[:300],
    )


# --- Tokens: magic links and codes --------------------------------------------


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _hash_code(token_hash: str, code: str) -> str:
    return salted_hmac(
        "herald.members.login-code", f"{token_hash}:{code}", algorithm="sha256"
    ).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: LoginToken
    raw: str
    code: str


def _issue_token(
    purpose: str,
    email: str,
    *,
    user: User | None = None,
    data: dict[str, Any] | None = None,
) -> IssuedToken:
    raw = secrets.token_urlsafe(32)
    code = f"{secrets.randbelow(1_000_000):06d}"
    token_hash = hash_token(raw)
    now = timezone.now()
    token = LoginToken.objects.create(
        purpose=purpose,
        email=email,
        user=user,
        token_hash=token_hash,
        code_hash=_hash_code(token_hash, code),
        data=data or {},
        created_at=now,
        expires_at=now + LoginToken.LIFETIME,
    )
    return IssuedToken(token=token, raw=raw, code=code)


LINK_ROUTES = {
    TokenPurpose.SIGNIN: "members:signin_link",
    TokenPurpose.SIGNUP: "members:signup_link",
    TokenPurpose.EMAIL_CHANGE: "members:email_link",
    TokenPurpose.REAUTH: "members:reauth_link",
}


def _link(issued: IssuedToken) -> str:
    path = reverse(LINK_ROUTES[issued.token.purpose], kwargs={"token": issued.raw})
    return emails.absolute(path)


def _send_after_commit(template: str, to: str, context: dict[str, Any]) -> None:
    transaction.on_commit(lambda: emails.send(template, to, context))


def _safe_next(next_url: str) -> str:
    return local_path(next_url)


@transaction.atomic
def request_signin(email: str, *, next_url: str = "") -> LoginToken:
    """Email a sign-in link and code; the answer never reveals if the email exists.

    A token is created in every case, so the code page behaves the same; only a
    member's own account gets a token whose code and link can succeed. Staff are
    told to use the admin's password sign-in instead.
    """
    email = normalize_email(email)
    user = queries.member_by_email(email)
    if user is not None and user.is_active and user.is_member_only:
        issued = _issue_token(
            TokenPurpose.SIGNIN, email, user=user, data={"next": _safe_next(next_url)}
        )
        _send_after_commit(
            "signin",
            email,
            {
                "link": _link(issued),
                "code": emails.code_display(issued.code),
                "minutes": 10,
            },
        )
        return issued.token
    issued = _issue_token(TokenPurpose.SIGNIN, email)
    if user is None:
        _send_after_commit(
            "no_account",
            email,
            {"signup_url": emails.absolute(reverse("members:signup"))},
        )
    elif user.is_active:
        _send_after_commit(
            "staff_signin",
            email,
            {"admin_url": emails.absolute(reverse("wagtailadmin_login"))},
        )
    return issued.token


@transaction.atomic
def request_signup(
    email: str,
    *,
    name: str = "",
    choices: list[str] | None = None,
    next_url: str = "",
    offer_code: str = "",
) -> LoginToken:
    """Start a sign-up: email a confirmation (double opt-in), or a sign-in if known."""
    email = normalize_email(email)
    user = queries.member_by_email(email)
    if user is not None:
        # Same page for the visitor; the address's owner gets a way in instead.
        return request_signin(email, next_url=next_url)
    issued = _issue_token(
        TokenPurpose.SIGNUP,
        email,
        data={
            "name": name.strip()[:150],
            "choices": list(choices or []),
            "next": _safe_next(next_url),
            "offer": offer_code,
        },
    )
    _send_after_commit(
        "signup",
        email,
        {
            "link": _link(issued),
            "code": emails.code_display(issued.code),
            "minutes": 10,
        },
    )
    return issued.token


@dataclass(frozen=True)
class Redemption:
    """The outcome of using a link or a code."""

    user: User | None = None
    error: str = ""  # invalid, expired, used, refused, wrong_code, locked, taken
    attempts_left: int = 0
    next_url: str = ""
    purpose: str = ""

    @property
    def ok(self) -> bool:
        return self.user is not None and not self.error


def _token_error(token: LoginToken) -> str:
    if token.used_at is not None:
        return "used"
    if token.attempts >= LoginToken.MAX_ATTEMPTS:
        return "used"
    return "expired"


def _consume(token: LoginToken) -> bool:
    """Mark ``token`` used; False when another request used it first."""
    now = timezone.now()
    changed = LoginToken.objects.filter(
        pk=token.pk,
        used_at__isnull=True,
        expires_at__gt=now,
        attempts__lt=LoginToken.MAX_ATTEMPTS,
    ).update(used_at=now)
    return changed == 1


def find_token(raw: str, *, purpose: str) -> LoginToken | None:
    """The token behind a link, only if it was minted for ``purpose``."""
    if not raw or len(raw) > 100:
        return None
    return LoginToken.objects.filter(
        token_hash=hash_token(raw), purpose=purpose
    ).first()


@transaction.atomic
def redeem_link(raw: str, *, purpose: str) -> Redemption:
    """Use a magic link (the POST behind its confirm button)."""
    token = find_token(raw, purpose=purpose)
    if token is None:
        return Redemption(error="invalid", purpose=purpose)
    if not token.is_usable() or not _consume(token):
        return Redemption(error=_token_error(token), purpose=purpose)
    return _complete(token)


def _burn_open_tokens(email: str) -> None:
    """End every open link and code for ``email`` (its guesses are used up)."""
    LoginToken.objects.filter(
        email__iexact=email, used_at__isnull=True, expires_at__gt=timezone.now()
    ).update(attempts=LoginToken.MAX_ATTEMPTS)


@transaction.atomic
def redeem_code(token: LoginToken, code: str) -> Redemption:
    """Check a typed code against the pending token.

    Five wrong codes end the token; five wrong codes for one address within
    ``CodeFailure.WINDOW``, whatever the token, end all its open tokens and
    refuse codes (error ``locked``) until the window has passed.
    """
    token = LoginToken.objects.select_for_update().get(pk=token.pk)
    if not token.is_usable():
        return Redemption(error=_token_error(token), purpose=token.purpose)
    if queries.code_guesses_left(token.email) <= 0:
        _burn_open_tokens(token.email)
        return Redemption(error="locked", purpose=token.purpose)
    digits = "".join(ch for ch in code if ch.isdigit())
    if len(digits) != 6 or not constant_time_compare(
        _hash_code(token.token_hash, digits), token.code_hash
    ):
        LoginToken.objects.filter(pk=token.pk).update(attempts=F("attempts") + 1)
        CodeFailure.objects.create(email_digest=CodeFailure.digest(token.email))
        token.refresh_from_db(fields=["attempts"])
        if queries.code_guesses_left(token.email) <= 0:
            _burn_open_tokens(token.email)
            return Redemption(error="locked", purpose=token.purpose)
        left = queries.code_attempts_left(token)
        return Redemption(
            error="wrong_code" if left else "used",
            attempts_left=left,
            purpose=token.purpose,
        )
    if not _consume(token):
        return Redemption(error="used", purpose=token.purpose)
    return _complete(token)


def _complete(token: LoginToken) -> Redemption:
    next_url = str(token.data.get("next") or "")
    if token.purpose == TokenPurpose.SIGNIN:
        user = token.user
        if user is not None:
            user.refresh_from_db()
        if (
            user is None
            or not user.is_active
            or not user.is_member_only
            or user.email.lower() != token.email.lower()
        ):
            return Redemption(error="refused", purpose=token.purpose)
        return Redemption(user=user, next_url=next_url, purpose=token.purpose)
    if token.purpose == TokenPurpose.SIGNUP:
        return _confirm_signup(token, next_url)
    if token.purpose == TokenPurpose.EMAIL_CHANGE:
        return _confirm_email_change(token)
    if token.purpose == TokenPurpose.REAUTH:
        return _confirm_reauth(token, next_url)
    return Redemption(error="invalid")


def _confirm_signup(token: LoginToken, next_url: str) -> Redemption:
    existing = queries.member_by_email(token.email)
    if existing is not None:
        if not existing.is_member_only or not existing.is_active:
            return Redemption(error="refused", purpose=token.purpose)
        return Redemption(user=existing, next_url=next_url, purpose=token.purpose)
    now = timezone.now()
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                token.email,
                first_name=str(token.data.get("name") or "")[:150],
                email_confirmed_at=now,
            )
    except IntegrityError:  # confirmed twice at once
        user = queries.member_by_email(token.email)
        if user is None:
            raise
        return Redemption(user=user, next_url=next_url, purpose=token.purpose)
    choices = list(token.data.get("choices") or [])
    record_event(
        user,
        EventKind.SIGNED_UP,
        source=EventSource.MEMBER,
        actor=user,
        data={"choices": choices, "offer": token.data.get("offer") or ""},
    )
    hooks.emit("member_confirmed", user, choices)
    _send_after_commit(
        "welcome",
        user.email,
        {
            "greeting_name": f" {user.first_name}" if user.first_name else "",
            "plans_url": (
                emails.absolute(reverse("members:plans"))
                if Tier.objects.filter(is_paid=True, is_active=True).exists()
                else ""
            ),
        },
    )
    offer = str(token.data.get("offer") or "")
    if offer and not next_url:
        next_url = reverse("members:offer", kwargs={"code": offer})
    return Redemption(user=user, next_url=next_url, purpose=token.purpose)


# --- Newsroom accounts ---------------------------------------------------------


def sync_staff_status(user_ids: Iterable[int]) -> None:
    """Make ``is_staff`` follow the newsroom roles (or superuser) of these users.

    Wagtail's Settings -> Users form has no staff box, only groups; staff status
    must follow the groups or a new editor would count as a reader.
    """
    ids = {int(pk) for pk in user_ids}
    if not ids:
        return
    users = User.objects.filter(pk__in=ids)
    with_role = set(
        users.filter(Q(is_superuser=True) | newsroom_role_q()).values_list(
            "pk", flat=True
        )
    )
    users.filter(pk__in=with_role, is_staff=False).update(is_staff=True)
    users.exclude(pk__in=with_role).filter(is_staff=True).update(is_staff=False)


# --- The account page ---------------------------------------------------------


@transaction.atomic
def change_name(user: User, *, name: str) -> User:
    name = name.strip()[:150]
    if name != user.name:
        old = user.name
        user.first_name, user.last_name = name, ""
        user.save(update_fields=["first_name", "last_name"])
        record_event(
            user,
            EventKind.NAME_CHANGED,
            source=EventSource.MEMBER,
            actor=user,
            data={"from": old, "to": name},
        )
    return user


@transaction.atomic
def request_email_change(user: User, *, new_email: str) -> LoginToken | None:
    """Send a confirmation link to the new address (the change waits for it)."""
    new_email = normalize_email(new_email)
    if new_email == user.email:
        return None
    if queries.member_by_email(new_email) is not None:
        # Tell the address's owner, not the requester (no account enumeration).
        _send_after_commit("email_taken", new_email, {})
        return None
    issued = _issue_token(
        TokenPurpose.EMAIL_CHANGE,
        new_email,
        user=user,
        data={"old_email": user.email},
    )
    _send_after_commit(
        "email_change",
        new_email,
        {
            "link": _link(issued),
            "code": emails.code_display(issued.code),
            "minutes": 10,
        },
    )
    return issued.token


def _confirm_email_change(token: LoginToken) -> Redemption:
    user = token.user
    if user is None:
        return Redemption(error="refused", purpose=token.purpose)
    user.refresh_from_db()
    old_email = str(token.data.get("old_email") or "")
    if user.email.lower() != old_email.lower() or not user.is_active:
        return Redemption(error="expired", purpose=token.purpose)
    if queries.member_by_email(token.email) is not None:
        return Redemption(error="taken", purpose=token.purpose)
    user.email = token.email
    user.email_confirmed_at = timezone.now()
    # A new address ends every session; the view signs the confirming browser
    # back in with the new auth hash, so only that one stays.
    user.auth_epoch = F("auth_epoch") + 1
    user.save(update_fields=["email", "email_confirmed_at", "auth_epoch"])
    user.refresh_from_db(fields=["auth_epoch"])
    # Links sent to the old address name it, so they stop working now.
    record_event(
        user,
        EventKind.EMAIL_CHANGED,
        source=EventSource.MEMBER,
        actor=user,
        data={"from": old_email, "to": token.email},
    )
    _send_after_commit("email_changed_notice", old_email, {"new_email": token.email})
    hooks.emit("member_email_changed", user, old_email)
    return Redemption(
        user=user, next_url=reverse("members:account"), purpose=token.purpose
    )


@transaction.atomic
def request_reauth(user: User, *, next_url: str = "") -> LoginToken:
    """Email a code and link to ``user``'s current address to prove the inbox.

    Asked for before deleting the account or changing the email address, so a
    borrowed or stolen session alone cannot do either.
    """
    issued = _issue_token(
        TokenPurpose.REAUTH,
        user.email,
        user=user,
        data={"next": _safe_next(next_url)},
    )
    _send_after_commit(
        "reauth",
        user.email,
        {
            "link": _link(issued),
            "code": emails.code_display(issued.code),
            "minutes": 10,
        },
    )
    return issued.token


def _confirm_reauth(token: LoginToken, next_url: str) -> Redemption:
    user = token.user
    if user is None:
        return Redemption(error="refused", purpose=token.purpose)
    user.refresh_from_db()
    # A code sent before an email change no longer proves the current inbox.
    if not user.is_active or user.email.lower() != token.email.lower():
        return Redemption(error="refused", purpose=token.purpose)
    return Redemption(user=user, next_url=next_url, purpose=token.purpose)


@transaction.atomic
def sign_out_everywhere(user: User) -> None:
    """End every session of ``user`` (their auth hash no longer matches)."""
    User.objects.filter(pk=user.pk).update(auth_epoch=F("auth_epoch") + 1)
    user.refresh_from_db(fields=["auth_epoch"])
    record_event(
        user, EventKind.SIGNED_OUT_EVERYWHERE, source=EventSource.MEMBER, actor=user
    )
    hooks.emit("member_signed_out_everywhere", user)


def export_member_data(user: User) -> dict[str, Any]:
    """Everything Herald holds about ``user``, as JSON-ready data."""

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    data: dict[str, Any] = {
        "account": {
            "id": str(user.uuid),
            "email": user.email,
            "name": user.name,
            "status": user.status,
            "created_at": iso(user.date_joined),
            "email_confirmed_at": iso(user.email_confirmed_at),
            "last_login": iso(user.last_login),
            "stripe_customer_id": user.stripe_customer_id,
            "labels": [label.name for label in user.labels.all()],
            "note": user.note,
        },
        "subscriptions": [
            {
                "tier": s.tier.name if s.tier else None,
                "status": s.status,
                "interval": s.interval,
                "provider": s.provider,
                "provider_subscription_id": s.provider_subscription_id,
                "current_period_end": iso(s.current_period_end),
                "cancel_at_period_end": s.cancel_at_period_end,
                "created_at": iso(s.created_at),
            }
            for s in user.subscriptions.select_related("tier")
        ],
        "complimentary_access": [
            {
                "tier": c.tier.name,
                "starts_at": iso(c.starts_at),
                "ends_at": iso(c.ends_at),
                "revoked_at": iso(c.revoked_at),
            }
            for c in user.comps.select_related("tier")
        ],
        "payments": [
            {
                "amount": p.amount,
                "currency": p.currency,
                "paid_at": iso(p.paid_at),
                "invoice": p.provider_invoice_id,
            }
            for p in user.payments.all()
        ],
        "history": [
            {
                "what": e.kind,
                "source": e.source,
                "when": iso(e.created_at),
                "data": e.data,
                "reason": e.reason,
            }
            for e in user.member_events.all()
        ],
    }
    for extra in hooks.collect("member_export", user):
        if isinstance(extra, dict):
            data.update(extra)
    return data


@transaction.atomic
def delete_account(user: User, *, actor: User | None = None) -> None:
    """Delete a member's account; keep payment records, detached from the person.

    Subscriptions, payments and the member's history stay with their person
    emptied (accounting and tax law); live subscriptions are cancelled at the
    provider after the commit so that no further charge is taken.
    """
    live = list(
        queries.live_subscriptions()
        .filter(user=user)
        .exclude(provider_subscription_id__isnull=True)
        .values_list("provider", "provider_subscription_id")
    )
    record_event(
        user,
        EventKind.DELETED,
        source=EventSource.MEMBER if actor in (None, user) else EventSource.STAFF,
        actor=None,
        data={"subscriptions_cancelled": [sid for _p, sid in live]},
    )
    hooks.emit("member_deleted", user.pk, user.email)
    _forget_person(user)
    Subscription.objects.filter(user=user).update(user=None)
    Payment.objects.filter(user=user).update(user=None)
    MemberEvent.objects.filter(user=user).update(user=None)
    user.delete()

    def cancel() -> None:
        provider = get_provider()
        for provider_name, subscription_id in live:
            if provider_name != provider.name:
                continue
            try:
                provider.cancel_subscription(subscription_id)
            except ProviderError:
                log.exception("Could not cancel subscription %s", subscription_id)

    transaction.on_commit(cancel)


ERASED = "[deleted]"


def _traces_of(user: User) -> tuple[set[str], set[str]]:
    """Every email address and name ``user`` has had here, lower-cased."""
    emails_seen = {user.email.lower()}
    names = {user.name, user.first_name, user.last_name}
    for kind, data in user.member_events.filter(
        kind__in=[EventKind.EMAIL_CHANGED, EventKind.NAME_CHANGED]
    ).values_list("kind", "data"):
        target = emails_seen if kind == EventKind.EMAIL_CHANGED else names
        target.update(str(data.get(key) or "") for key in ("from", "to"))
    for email, data in user.login_tokens.values_list("email", "data"):
        emails_seen.update((email.lower(), str(data.get("old_email") or "")))
    return {e.lower() for e in emails_seen if e}, {
        n.lower() for n in names if len(n.strip()) > 2
    }


def _scrub(value: Any, traces: set[str]) -> Any:
    if isinstance(value, str):
        lowered = value.lower()
        return ERASED if any(t in lowered for t in traces) else value
    if isinstance(value, list):
        return [_scrub(item, traces) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, traces) for key, item in value.items()}
    return value


def _forget_person(user: User) -> None:
    """Erase ``user``'s names and addresses from the rows that outlive the account.

    History rows stay (accounting), but their data and reason lose every name
    and address; sign-in and sign-up tokens and the admin login log go.
    """
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    emails_seen, names = _traces_of(user)
    traces = emails_seen | names
    # The one sanctioned edit of append-only history: erasure on request
    # (GDPR art. 17) wins over keeping the rows untouched.
    for event in MemberEvent.objects.filter(user=user).only("pk", "data", "reason"):
        data, reason = _scrub(event.data, traces), _scrub(event.reason, traces)
        if data != event.data or reason != event.reason:
            MemberEvent.objects.filter(pk=event.pk).update(data=data, reason=reason)
    by_email = Q()
    by_username = Q()
    for email in emails_seen:
        by_email |= Q(email__iexact=email)
        by_username |= Q(username__iexact=email)
    LoginToken.objects.filter(Q(user=user) | by_email).delete()
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(by_username).delete()


def purge_expired_data(*, now: datetime | None = None) -> dict[str, int]:
    """Delete expired sign-in tokens, expired sessions and old admin login logs.

    Retention: ``HERALD_LOGIN_TOKEN_RETENTION_HOURS`` after a token expires (so
    a late click still gets "expired", not "invalid"), and
    ``HERALD_AUTH_LOG_RETENTION_DAYS`` for django-axes attempts and logs.
    Wrong-code rows go once they no longer count (``CodeFailure.WINDOW``).
    """
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    now = now or timezone.now()
    token_hours = getattr(settings, "HERALD_LOGIN_TOKEN_RETENTION_HOURS", 24)
    log_days = getattr(settings, "HERALD_AUTH_LOG_RETENTION_DAYS", 30)
    removed = {
        "login_tokens": LoginToken.objects.filter(
            expires_at__lt=now - timedelta(hours=token_hours)
        ).delete()[0],
        "sessions": _purge_sessions(now),
        "code_failures": CodeFailure.objects.filter(
            created_at__lte=now - CodeFailure.WINDOW
        ).delete()[0],
    }
    log_cutoff = now - timedelta(days=log_days)
    for key, model in (
        ("login_attempts", AccessAttempt),
        ("login_logs", AccessLog),
        ("login_failures", AccessFailureLog),
    ):
        removed[key] = model.objects.filter(attempt_time__lt=log_cutoff).delete()[0]
    return removed


def _purge_sessions(now: datetime) -> int:
    """Drop expired sessions, as ``manage.py clearsessions`` does."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    get_model = getattr(store, "get_model_class", None)
    if get_model is None:
        # Cache and cookie sessions expire by themselves.
        store.clear_expired()
        return 0
    return int(get_model().objects.filter(expire_date__lt=now).delete()[0])


# --- Status -------------------------------------------------------------------


def computed_status(user: User, *, now: datetime | None = None) -> str:
    """What the member's status is now, from live subscriptions and comps."""
    if (
        queries.live_subscriptions(now=now)
        .filter(user=user, tier__is_paid=True)
        .exists()
    ):
        return MemberStatus.PAID
    if queries.live_comps(now=now).filter(user=user, tier__is_paid=True).exists():
        return MemberStatus.COMPED
    return MemberStatus.FREE


def refresh_status(
    user: User,
    *,
    source: str = EventSource.SYSTEM,
    actor: User | None = None,
    reason: str = "",
) -> str:
    """Bring ``user.status`` up to date; write an event when it changes."""
    new = computed_status(user)
    user.forget_access()
    if new != user.status:
        old = user.status
        User.objects.filter(pk=user.pk).update(status=new)
        user.status = new
        record_event(
            user,
            EventKind.STATUS_CHANGED,
            source=source,
            actor=actor,
            data={"from": old, "to": new},
            reason=reason,
        )
    return new


def expire_access(*, now: datetime | None = None) -> int:
    """Move members whose paid access ended back to free (periodic); return count."""
    changed = 0
    for user in User.objects.exclude(status=MemberStatus.FREE).iterator():
        with transaction.atomic():
            before = user.status
            if refresh_status(user, reason="access period ended") != before:
                changed += 1
    return changed


# --- Complimentary access -----------------------------------------------------


@transaction.atomic
def grant_comp(
    user: User,
    *,
    tier: Tier,
    ends_at: datetime | None,
    actor: User | None = None,
    reason: str = "",
    source: str = EventSource.STAFF,
) -> ComplimentaryAccess:
    comp = ComplimentaryAccess.objects.create(
        user=user, tier=tier, ends_at=ends_at, granted_by=actor, reason=reason[:300]
    )
    record_event(
        user,
        EventKind.COMP_GRANTED,
        source=source,
        actor=actor,
        data={"tier": tier.slug, "ends_at": ends_at.isoformat() if ends_at else None},
        reason=reason,
    )
    refresh_status(user, source=source, actor=actor, reason=reason)
    return comp


@transaction.atomic
def revoke_comp(
    comp: ComplimentaryAccess, *, actor: User | None = None, reason: str = ""
) -> None:
    if comp.revoked_at is not None:
        return
    comp.revoked_at = timezone.now()
    comp.save(update_fields=["revoked_at"])
    record_event(
        comp.user,
        EventKind.COMP_REVOKED,
        source=EventSource.STAFF,
        actor=actor,
        data={"tier": comp.tier.slug},
        reason=reason,
    )
    refresh_status(comp.user, source=EventSource.STAFF, actor=actor, reason=reason)


@transaction.atomic
def add_label(user: User, *, label: Label, actor: User | None = None) -> bool:
    if user.labels.filter(pk=label.pk).exists():
        return False
    user.labels.add(label)
    record_event(
        user,
        EventKind.LABEL_ADDED,
        source=EventSource.STAFF,
        actor=actor,
        data={"label": label.name},
    )
    return True


@transaction.atomic
def set_note(user: User, *, note: str, actor: User | None = None) -> None:
    if note == user.note:
        return
    user.note = note
    user.save(update_fields=["note"])
    record_event(user, EventKind.NOTE_CHANGED, source=EventSource.STAFF, actor=actor)


@transaction.atomic
def unsubscribe_member(
    user: User, *, actor: User | None = None, reason: str = ""
) -> None:
    """Stop all mail to ``user`` (apps holding subscriptions drop them)."""
    record_event(
        user,
        EventKind.UNSUBSCRIBED,
        source=EventSource.STAFF,
        actor=actor,
        reason=reason,
    )
    hooks.emit("member_unsubscribed", user)


# --- Payments -----------------------------------------------------------------


def _currency(site_settings: MembershipSettings | None) -> str:
    return (site_settings.currency if site_settings else "USD").upper()


def start_checkout(
    user: User,
    *,
    tier: Tier,
    interval: str,
    success_url: str,
    cancel_url: str,
    offer: Offer | None = None,
    site_settings: MembershipSettings | None = None,
) -> str:
    """Create a hosted checkout for ``tier`` and return its URL.

    Raises ``ProviderError`` when the provider refuses, ``ValueError`` when the
    tier has no price for ``interval``.
    """
    if interval not in Interval.values:
        raise ValueError("Unknown billing period.")
    amount = tier.price_for(interval)
    if not tier.is_paid or not amount:
        raise ValueError("This tier has no price for that period.")
    provider = get_provider()
    currency = _currency(site_settings)
    coupon = ""
    if offer is not None and offer.has_discount:
        coupon = provider.ensure_coupon(offer=offer, currency=currency)
        if coupon != offer.provider_coupon_id:
            Offer.objects.filter(pk=offer.pk).update(provider_coupon_id=coupon)
            offer.provider_coupon_id = coupon
    return provider.create_checkout(
        CheckoutRequest(
            member_uuid=str(user.uuid),
            email=user.email,
            customer_id=user.stripe_customer_id,
            tier_slug=tier.slug,
            tier_name=tier.name,
            interval=interval,
            amount=amount,
            currency=currency,
            success_url=success_url,
            cancel_url=cancel_url,
            trial_days=offer.trial_days if offer else 0,
            coupon_id=coupon,
            offer_code=offer.code if offer else "",
        )
    )


def billing_portal_url(user: User, *, return_url: str) -> str:
    if not user.stripe_customer_id:
        raise ProviderError("No billing account yet.")
    return get_provider().create_portal(
        customer_id=user.stripe_customer_id, return_url=return_url
    )


def _member_for(
    state: SubscriptionState | None,
    *,
    customer_id: str | None,
    member_uuid: str | None = None,
) -> User | None:
    uuid = member_uuid or (state.metadata.get("herald_member") if state else None)
    if uuid:
        user = User.objects.filter(uuid=uuid).first()
        if user is not None:
            return user
    customer_id = customer_id or (state.customer_id if state else None)
    if customer_id:
        return User.objects.filter(stripe_customer_id=customer_id).first()
    return None


def _tier_for(state: SubscriptionState, current: Tier | None) -> Tier | None:
    slug = state.metadata.get("herald_tier")
    if slug:
        tier = Tier.objects.filter(slug=slug).first()
        if tier is not None:
            return tier
    return current


@transaction.atomic
def apply_subscription_state(
    state: SubscriptionState,
    *,
    event_created: int,
    provider: str,
    user: User | None = None,
    reason: str = "",
) -> Subscription | None:
    """Mirror the provider's subscription; never let an older state win.

    ``event_created`` orders states: a state older than the one applied last is
    ignored (the caller re-fetches when in doubt). A final state (canceled) is
    never undone by an older event.
    """
    row = (
        Subscription.objects.select_for_update()
        .filter(provider_subscription_id=state.id)
        .first()
    )
    if row is not None and event_created < row.last_event_created:
        return row
    if (
        row is not None
        and row.status in FINAL_STATUSES
        and (state.status not in FINAL_STATUSES)
    ):
        return row
    if user is None:
        user = row.user if row is not None and row.user else None
    if user is None:
        user = _member_for(state, customer_id=state.customer_id)
    if user is None:
        log.warning("Subscription %s matches no member", state.id)
        return None
    if state.customer_id and user.stripe_customer_id != state.customer_id:
        user.stripe_customer_id = state.customer_id
        user.save(update_fields=["stripe_customer_id"])
    offer_code = state.metadata.get("herald_offer") or ""
    before = None
    if row is None:
        row = Subscription(
            provider=provider,
            provider_subscription_id=state.id,
            user=user,
            offer=Offer.objects.filter(code=offer_code).first() if offer_code else None,
        )
    else:
        before = (
            row.status,
            row.tier_id,
            row.current_period_end,
            row.cancel_at_period_end,
        )
    row.user = user
    row.tier = _tier_for(state, row.tier)
    row.provider_customer_id = state.customer_id
    row.status = (
        state.status
        if state.status in SubscriptionStatus.values
        else (SubscriptionStatus.INCOMPLETE)
    )
    row.interval = state.interval if state.interval in Interval.values else row.interval
    row.current_period_end = state.current_period_end
    row.cancel_at_period_end = state.cancel_at_period_end
    row.trial_end = state.trial_end
    row.canceled_at = state.canceled_at
    row.last_event_created = max(row.last_event_created, event_created)
    row.save()
    after = (row.status, row.tier_id, row.current_period_end, row.cancel_at_period_end)
    if before != after:
        record_event(
            user,
            EventKind.SUBSCRIPTION_CHANGED,
            source=EventSource.PROVIDER,
            data={
                "subscription": state.id,
                "status": row.status,
                "previous_status": before[0] if before else None,
                "tier": row.tier.slug if row.tier else None,
                "current_period_end": (
                    row.current_period_end.isoformat()
                    if row.current_period_end
                    else None
                ),
                "cancel_at_period_end": row.cancel_at_period_end,
            },
            reason=reason,
        )
    refresh_status(user, source=EventSource.PROVIDER, reason=reason)
    return row


SUBSCRIPTION_EVENTS = (
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.paused",
    "customer.subscription.resumed",
    "customer.subscription.trial_will_end",
)


def handle_provider_event(event: ProviderEvent, *, provider_name: str) -> str:
    """Apply one verified webhook event once; return what happened.

    Idempotent by event id (a unique row per event). Out-of-order delivery: an
    event older than the state already applied, or as old, makes us re-fetch
    the subscription from the provider and apply that instead.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                WebhookEvent.objects.create(
                    provider=provider_name,
                    event_id=event.id,
                    event_type=event.type,
                    event_created=event.created,
                )
        except IntegrityError:
            return "duplicate"
        return _apply_event(event, provider_name=provider_name)


def _apply_event(event: ProviderEvent, *, provider_name: str) -> str:
    reason = f"{event.type} {event.id}"
    if event.type == "checkout.session.completed":
        user = _member_for(
            None,
            customer_id=event.customer_id,
            member_uuid=event.client_reference_id
            or event.metadata.get("herald_member"),
        )
        if user is None:
            return "unknown member"
        if event.customer_id and user.stripe_customer_id != event.customer_id:
            user.stripe_customer_id = event.customer_id
            user.save(update_fields=["stripe_customer_id"])
        if event.subscription_id:
            state = get_provider().fetch_subscription(event.subscription_id)
            apply_subscription_state(
                state,
                event_created=max(event.created, state.created),
                provider=provider_name,
                user=user,
                reason=reason,
            )
        return "applied"
    if event.type in SUBSCRIPTION_EVENTS and event.subscription is not None:
        state = event.subscription
        row = Subscription.objects.filter(provider_subscription_id=state.id).first()
        if row is not None and event.created <= row.last_event_created:
            # Late or simultaneous: ask the provider what is true now.
            state = get_provider().fetch_subscription(state.id)
            apply_subscription_state(
                state,
                event_created=row.last_event_created,
                provider=provider_name,
                reason=reason + " (re-fetched)",
            )
            return "refetched"
        apply_subscription_state(
            state, event_created=event.created, provider=provider_name, reason=reason
        )
        return "applied"
    if event.type in ("invoice.paid", "invoice.payment_succeeded") and event.invoice:
        return _record_payment(event, provider_name=provider_name)
    if event.type == "invoice.payment_failed" and event.subscription_id:
        state = get_provider().fetch_subscription(event.subscription_id)
        row = Subscription.objects.filter(provider_subscription_id=state.id).first()
        apply_subscription_state(
            state,
            event_created=max(event.created, row.last_event_created if row else 0),
            provider=provider_name,
            reason=reason,
        )
        return "applied"
    return "ignored"


def _record_payment(event: ProviderEvent, *, provider_name: str) -> str:
    invoice = event.invoice
    assert invoice is not None
    subscription = (
        Subscription.objects.filter(
            provider_subscription_id=invoice.subscription_id
        ).first()
        if invoice.subscription_id
        else None
    )
    user = subscription.user if subscription else None
    if user is None:
        user = _member_for(None, customer_id=invoice.customer_id)
    if invoice.amount_paid <= 0:
        return "ignored"
    save_payment(
        user,
        subscription=subscription,
        provider=provider_name,
        invoice_id=invoice.id,
        amount=invoice.amount_paid,
        currency=invoice.currency,
        paid_at=invoice.paid_at or timezone.now(),
        reason=f"{event.type} {event.id}",
    )
    return "applied"


def save_payment(
    user: User | None,
    *,
    subscription: Subscription | None,
    provider: str,
    invoice_id: str,
    amount: int,
    currency: str,
    paid_at: datetime,
    reason: str = "",
) -> Payment:
    """Record a paid invoice once (by its id); the member gets a receipt.

    Idempotent: a second call with the same ``invoice_id`` changes nothing and
    sends nothing.
    """
    payment, created = Payment.objects.get_or_create(
        provider_invoice_id=invoice_id,
        defaults={
            "provider": provider,
            "user": user,
            "subscription": subscription,
            "amount": amount,
            "currency": currency.upper()[:3],
            "paid_at": paid_at,
        },
    )
    if created and user is not None:
        record_event(
            user,
            EventKind.PAYMENT,
            source=EventSource.PROVIDER,
            data={"amount": amount, "currency": currency.upper()},
            reason=reason,
        )
        tier = subscription.tier if subscription is not None else None
        _send_after_commit(
            "receipt",
            user.email,
            {
                "greeting_name": f" {user.first_name}" if user.first_name else "",
                "amount": format_money(amount, currency),
                "tier": tier.name if tier is not None else "",
                "interval": (
                    Interval(subscription.interval).label
                    if subscription is not None
                    and subscription.interval in Interval.values
                    else ""
                ),
                "paid_at": paid_at,
                "reference": invoice_id,
                "test_payment": provider == "dummy",
            },
        )
    return payment


@transaction.atomic
def activate_dummy_checkout(
    user: User, *, session: dict[str, Any]
) -> Subscription | None:
    """Dev only: the dummy provider's Pay button activates the subscription."""
    from .providers.dummy import DummyProvider

    if get_provider().name != "dummy":
        raise ProviderError("The dummy checkout is off.")
    if session.get("member") != str(user.uuid):
        raise ProviderError("This checkout belongs to another account.")
    state = DummyProvider.paid_state(session, customer_id=f"dummy_cus_{user.pk}")
    row = apply_subscription_state(
        state, event_created=state.created, provider="dummy", user=user
    )
    if state.status == SubscriptionStatus.ACTIVE and session.get("amount"):
        # A trial starts unpaid; otherwise the test payment is made now.
        save_payment(
            user,
            subscription=row,
            provider="dummy",
            invoice_id=f"dummy_in_{state.id}",
            amount=int(session["amount"]),
            currency=str(session.get("currency") or "USD"),
            paid_at=timezone.now(),
            reason=f"test-checkout dummy_in_{state.id}",
        )
    return row


def link_provider_subscriptions(user_id: int) -> int:
    """Mirror every provider subscription of an imported member's customer id."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.stripe_customer_id:
        return 0
    provider = get_provider()
    states = provider.list_subscriptions(customer_id=user.stripe_customer_id)
    for state in states:
        apply_subscription_state(
            state,
            event_created=state.created,
            provider=provider.name,
            user=user,
            reason="linked after import",
        )
    return len(states)


@transaction.atomic
def remove_label(user: User, *, label: Label, actor: User | None = None) -> bool:
    if not user.labels.filter(pk=label.pk).exists():
        return False
    user.labels.remove(label)
    record_event(
        user,
        EventKind.LABEL_REMOVED,
        source=EventSource.STAFF,
        actor=actor,
        data={"label": label.name},
    )
    return True
