"""Accounts: one user model for staff and members, with email as the login.

Also the member's labels and the single-use tokens behind magic links and codes.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import BaseUserManager as DjangoBaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

# A renewing subscription keeps access this long past its period end, so a
# renewal webhook that arrives late does not lock a paying member out.
RENEWAL_GRACE = timedelta(hours=48)

# The newsroom's roles (newsroom migration 0003 creates them). Members may not
# import newsroom, so the names are kept here, next to the one decision below.
NEWSROOM_GROUPS = ("Contributors", "Editors", "Moderators", "Administrators")


def newsroom_role_q() -> Q:
    """Users who hold a newsroom role: a newsroom group, or admin access granted.

    Wagtail lets in anyone with ``wagtailadmin.access_admin``, so a group an
    administrator invents later counts as soon as it opens the admin.
    """
    in_role_group = User.groups.through.objects.filter(
        Q(group__name__in=NEWSROOM_GROUPS)
        | Q(
            group__permissions__codename="access_admin",
            group__permissions__content_type__app_label="wagtailadmin",
        )
    ).values("user_id")
    granted_directly = User.user_permissions.through.objects.filter(
        permission__codename="access_admin",
        permission__content_type__app_label="wagtailadmin",
    ).values("user_id")
    return Q(pk__in=in_role_group) | Q(pk__in=granted_directly)


def newsroom_accounts_q() -> Q:
    """Decide "is a newsroom account" for querysets (and ``limit_choices_to``).

    A newsroom account signs in to the admin with its password and is never
    treated as a reader: no emailed link or code, not in the members lists.
    """
    return Q(is_staff=True) | Q(is_superuser=True) | newsroom_role_q()


class MemberStatus(models.TextChoices):
    """What a member last paid for (kept current by actions; access is computed)."""

    FREE = "free", _("Free")
    PAID = "paid", _("Paid")
    COMPED = "comped", _("Complimentary")


class Label(models.Model):
    """A staff-chosen tag on members (e.g. "press", "event 2026")."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("label")
        verbose_name_plural = _("labels")

    def __str__(self) -> str:
        return self.name


class UserManager(DjangoBaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        """Find a user by email; staff may also use the part before the @.

        The short form only matches when exactly one staff account has that
        local part, so ``admin`` signs in the demo's ``admin@…`` account.
        """
        username = (username or "").strip()
        if "@" in username or not username:
            return self.get(email__iexact=username)
        matches = list(
            self.filter(newsroom_accounts_q(), email__istartswith=f"{username}@")[:2]
        )
        if len(matches) != 1:
            # None, or ambiguous: refuse like an unknown user (no 500).
            raise self.model.DoesNotExist(f"No single staff account for {username!r}")
        return matches[0]


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account: a staff member, a reader who signed up, or both.

    The login is the email address (case-insensitive, unique). There is no
    username. Staff sign in to the admin with a password; members sign in with
    a link or code sent by email (members issue).
    """

    email = models.EmailField(_("email address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Whether the user can sign in to the newsroom admin."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    # Membership. ``status`` is a denormalised summary for lists and filters;
    # who may read what is computed from subscriptions and comps (access.py).
    uuid = models.UUIDField(
        _("public id"), default=uuid.uuid4, unique=True, editable=False
    )
    status = models.CharField(
        _("member status"),
        max_length=16,
        choices=MemberStatus.choices,
        default=MemberStatus.FREE,
        db_index=True,
    )
    email_confirmed_at = models.DateTimeField(
        _("email confirmed"), null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    labels = models.ManyToManyField(
        Label, verbose_name=_("labels"), blank=True, related_name="members"
    )
    stripe_customer_id = models.CharField(
        _("Stripe customer id"), max_length=255, blank=True, db_index=True
    )
    # Bumped by "sign out everywhere": every session's auth hash includes it.
    auth_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), name="members_user_email_ci_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name()

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    # Wagtail and Django admin call these.
    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.first_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    # Sessions: the hash Django stores in each session covers the password and
    # the auth epoch, so bumping the epoch ends every session at once.
    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        key_salt = "herald.members.User.get_session_auth_hash"
        return salted_hmac(
            key_salt,
            f"{self.password}:{self.auth_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    # What the paywall gate asks (members.access.reader_for). One query per
    # user object, i.e. per request, whatever the number of calls.
    def _access_grants(self) -> tuple[frozenset[int], bool]:
        cached = getattr(self, "_herald_access", None)
        if cached is None:
            from herald.members.queries import access_grants

            cached = access_grants(self)
            self._herald_access = cached
        return cached

    def has_paid_access(self) -> bool:
        """Whether a live subscription or comp gives this member a paid tier."""
        return self._access_grants()[1]

    def active_tier_ids(self) -> frozenset[int]:
        """Ids of the tiers this member can read now (paid, comped and free)."""
        return self._access_grants()[0]

    def forget_access(self) -> None:
        """Drop the cached access answer (after a change within one request)."""
        self.__dict__.pop("_herald_access", None)

    @property
    def is_newsroom_account(self) -> bool:
        """Whether this is a newsroom account (see ``newsroom_accounts_q``)."""
        # The flags answer without a query, and are all an unsaved user has.
        if self.is_staff or self.is_superuser:
            return True
        if self.pk is None:
            return False
        manager = type(self)._default_manager
        return manager.filter(newsroom_accounts_q(), pk=self.pk).exists()

    @property
    def is_member_only(self) -> bool:
        """A reader account: no admin access, may sign in by magic link."""
        return not self.is_newsroom_account


class TokenPurpose(models.TextChoices):
    SIGNIN = "signin", _("Sign in")
    SIGNUP = "signup", _("Confirm sign-up")
    EMAIL_CHANGE = "email_change", _("Confirm new email")
    # Fresh proof of the inbox before deleting the account or changing the email.
    REAUTH = "reauth", _("Confirm it is you")


class LoginToken(models.Model):
    """One emailed link plus code, single-use, for one purpose and one address.

    Only hashes are stored: the link token as SHA-256 (it is long and random),
    the six-digit code as an HMAC keyed by the site secret and the token.
    """

    LIFETIME = timedelta(minutes=10)
    MAX_ATTEMPTS = 5

    purpose = models.CharField(max_length=16, choices=TokenPurpose.choices)
    email = models.EmailField()
    user = models.ForeignKey(
        "members.User",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="login_tokens",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["email", "purpose"])]

    def __str__(self) -> str:
        return f"{self.purpose} {self.email}"

    @property
    def attempts_left(self) -> int:
        return max(0, self.MAX_ATTEMPTS - self.attempts)

    def is_usable(self, *, now: Any = None) -> bool:
        now = now or timezone.now()
        return (
            self.used_at is None
            and self.expires_at > now
            and self.attempts < self.MAX_ATTEMPTS
        )


class CodeFailure(models.Model):
    """One wrong six-digit code typed for an address, kept for the lockout window.

    Guesses are capped per address across all its tokens, or a fresh code would
    bring fresh guesses. The address is kept only as an HMAC keyed by the site
    secret: the rows count guesses without saying whose they were.
    """

    WINDOW = timedelta(minutes=15)
    LIMIT = 5

    email_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["email_digest", "created_at"])]

    def __str__(self) -> str:
        return f"wrong code at {self.created_at:%Y-%m-%d %H:%M}"

    @staticmethod
    def digest(email: str) -> str:
        return salted_hmac(
            "herald.members.code-failure", email.strip().lower(), algorithm="sha256"
        ).hexdigest()
