"""What reactions does when members change, wired in ``ReactionsConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def member_deleting(sender: Any, instance: Any = None, **kwargs: Any) -> None:
    """Remove or anonymise the comments of an account being deleted (by setting)."""
    from wagtail.models import Site

    from . import actions
    from .models import Comment, DeletedMemberComments, ReactionSettings

    if instance is None or not Comment.objects.filter(author=instance).exists():
        return
    site = Site.objects.filter(is_default_site=True).first()
    mode = (
        ReactionSettings.for_site(site).deleted_member_comments
        if site is not None
        else DeletedMemberComments.ANONYMISE
    )
    actions.forget_member_comments(instance, mode=mode)


def account_section(request: Any, user: Any) -> str:
    """The "emails about replies" switch on the member's account page."""
    from . import actions

    standing = actions.standing_of(user)
    return render_to_string(
        "reactions/_account_section.html",
        {"reply_emails": standing.reply_emails if standing else True},
        request=request,
    )
