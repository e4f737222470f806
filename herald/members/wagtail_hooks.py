"""Members in the Wagtail admin."""

from __future__ import annotations

from wagtail import hooks

from .admin_views import MembershipViewSetGroup, MemberViewSet


@hooks.register("register_admin_viewset")
def register_members() -> MemberViewSet:
    return MemberViewSet()


@hooks.register("register_admin_viewset")
def register_membership() -> MembershipViewSetGroup:
    return MembershipViewSetGroup()
