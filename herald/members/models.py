"""Accounts: one user model for staff and members, with email as the login."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import BaseUserManager as DjangoBaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
        return self.get(is_staff=True, email__istartswith=f"{username}@")


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


class AccessLevel(models.TextChoices):
    """Who may read an article's full text."""

    PUBLIC = "public", _("Public: everyone")
    MEMBERS = "members", _("Members: anyone signed in")
    PAID = "paid", _("Paid: any paid tier")
    TIERS = "tiers", _("Specific tiers only")


class Tier(models.Model):
    """A membership level (free or paid). Prices and benefits come with payments."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_paid = models.BooleanField(_("paid"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")

    def __str__(self) -> str:
        return self.name
