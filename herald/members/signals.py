"""Signal receivers for members, connected in ``MembersConfig.ready()``."""

from __future__ import annotations

from typing import Any

from . import actions

CLEARED_USERS = "_herald_cleared_user_ids"


def user_groups_changed(
    sender: Any,
    instance: Any,
    action: str,
    reverse: bool,
    pk_set: set[int] | None,
    **kwargs: Any,
) -> None:
    """Keep staff status in step with newsroom groups, from either side.

    ``group.user_set.clear()`` names no users after the fact, so they are
    noted before it runs.
    """
    if action == "pre_clear" and reverse:
        setattr(
            instance,
            CLEARED_USERS,
            list(instance.user_set.values_list("pk", flat=True)),
        )
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        actions.sync_staff_status([instance.pk])
        # The caller (e.g. Wagtail's user form) must not save the old flag back.
        instance.refresh_from_db(fields=["is_staff"])
    elif action == "post_clear":
        actions.sync_staff_status(instance.__dict__.pop(CLEARED_USERS, []))
    else:
        actions.sync_staff_status(pk_set or [])
