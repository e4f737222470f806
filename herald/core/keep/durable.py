"""Renderings kept with the live revision, in the database.

The process and shared caches (``store``) are emptied by every change (the
generation), by a restart and by a cache flush, so each of those made every
page's next view a first render. The parts of a page that are the same for every
reader and cost the most to make (an article's body parts, head and foot, and
its ``<head>`` tags) are also kept here, in ``core.KeptRendering``, under the
same key (which names the live revision, language and time zone). They are
dropped only for the pages a change affects:

- each page records what its kept renderings show (``RenderingUse``: the page
  itself, its section, authors, pictures, tags, related and linked pages);
- a change to one of those objects drops the renderings of the pages that use
  it (``drop_users_of``); a change nothing records (a site setting, a view
  restriction, a page move, a model an app watches without saying which pages
  it affects) drops every page's (``drop_all``).

A rendering made from rows read before a change, and written after the change
dropped the page's renderings, must not survive. So each page has a stamp
(``RenderingStamp``; page 0 stands for every page) that a drop moves forward
*before* deleting: ``begin`` reads the stamps before a request reads the rows it
renders from, and ``store`` deletes what it has just written when a stamp moved
in between. (Inside an outer transaction, as in tests, the check still runs but
nothing is committed before it.)

Nothing here decides *whether* a rendering may be kept: callers ask
``policy.may_keep`` first, as for every other store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

from django.db import connections, router, transaction
from django.db.models import F

# Kinds of rendering kept here as well as in the caches.
DURABLE_KINDS = frozenset(
    {"body", "article-head", "article-foot", "dist-head", "reactions"}
)

# Parts other apps render for a page (kind, vary of the request and page), so
# that a page's view can look all of them up in one query (``part_keys``).
_PARTS: list[tuple[str, Callable[[Any, Any], tuple[Any, ...]]]] = []

# Stamps read in this request, per page id (None outside a request).
_request_stamps: ContextVar[dict[int, tuple[int, int]] | None] = ContextVar(
    "herald_durable_stamps", default=None
)

PAGE_LABEL = "wagtailcore.page"


def register_part(kind: str, vary: Callable[[Any, Any], tuple[Any, ...]]) -> None:
    """Declare a durable part that every view of a page renders (from ``ready``)."""
    if kind not in DURABLE_KINDS:
        raise ValueError(f"{kind!r} is not a durable kind")
    if all(k != kind for k, _ in _PARTS):
        _PARTS.append((kind, vary))


def part_keys(request: Any, page: Any) -> dict[str, str]:
    """The keys of the registered parts of ``page`` for this request."""
    from .keys import rendering_key

    return {
        kind: rendering_key(kind, page, *vary(request, page)) for kind, vary in _PARTS
    }


def _models() -> tuple[Any, Any, Any]:
    from herald.core.models import KeptRendering, RenderingStamp, RenderingUse

    return KeptRendering, RenderingUse, RenderingStamp


def lookup(keys: Iterable[str]) -> dict[str, str]:
    """The kept values of ``keys`` (short keys), in one query."""
    keys = list(keys)
    if not keys:
        return {}
    from .keys import renderer

    kept = _models()[0]
    # Every first view of an article runs this: plain SQL, since compiling the
    # ORM's form of it cost more than running it (docs/performance.md).
    connection = connections[router.db_for_read(kept)]
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(keys))
    # Quoted names and placeholders only: the keys are parameters.
    table, key, value = quote(kept._meta.db_table), quote("key"), quote("value")
    where = f"{quote('renderer')} = %s AND {key} IN ({marks})"
    sql = f"SELECT {key}, {value} FROM {table} WHERE {where}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [renderer(), *keys])
        return dict(cursor.fetchall())


def _read_stamps(page_id: int) -> tuple[int, int]:
    stamp_model = _models()[2]
    rows = dict(
        stamp_model.objects.filter(page_id__in=(0, page_id)).values_list(
            "page_id", "stamp"
        )
    )
    return rows.get(0, 0), rows.get(page_id, 0)


def begin(page: Any) -> tuple[int, int]:
    """Read ``page``'s stamps before rendering it (once per request)."""
    memo = _request_stamps.get()
    if memo is not None and page.pk in memo:
        return memo[page.pk]
    stamps = _read_stamps(page.pk)
    if memo is not None:
        memo[page.pk] = stamps
    return stamps


def request_scope() -> Any:
    """Set up the per-request memo of stamps; returns the token to reset."""
    return _request_stamps.set({})


def end_request_scope(token: Any) -> None:
    _request_stamps.reset(token)


def store(
    page: Any,
    values: dict[str, str],
    *,
    uses: Iterable[tuple[str, Any]] | None = None,
    since: tuple[int, int] | None = None,
) -> None:
    """Keep ``values`` (short keys) for ``page``, and what they show (``uses``).

    Written only if no drop of the page happened since ``begin`` (or the
    stamps ``since``, read before rendering); otherwise what was written is
    deleted again.
    """
    if not values and uses is None:
        return
    kept, use_model, _stamp = _models()
    if since is None:
        since = begin(page)
    from .keys import renderer

    made_by = renderer()
    kept.objects.bulk_create(
        [
            kept(key=k, page_id=page.pk, value=v, renderer=made_by)
            for k, v in values.items()
        ],
        ignore_conflicts=True,
    )
    if uses is not None:
        rows = {(str(label), str(obj)) for label, obj in uses if obj is not None}
        rows.add((PAGE_LABEL, str(page.pk)))
        use_model.objects.filter(page_id=page.pk).delete()
        use_model.objects.bulk_create(
            [use_model(page_id=page.pk, label=lb, object_id=o) for lb, o in rows],
            ignore_conflicts=True,
        )
    if _read_stamps(page.pk) != since:
        kept.objects.filter(key__in=list(values), page_id=page.pk).delete()


def users_of(label: str, object_ids: Iterable[Any]) -> set[int]:
    """Ids of the pages whose kept renderings show one of these objects."""
    ids = [str(o) for o in object_ids if o is not None]
    if not ids:
        return set()
    use_model = _models()[1]
    return set(
        use_model.objects.filter(label=label, object_id__in=ids).values_list(
            "page_id", flat=True
        )
    )


# Called with the ids of the pages whose renderings were dropped (None: all),
# after the drop commits (``newsroom`` renders them again on a worker).
_after_drop: list[Callable[[set[int] | None], None]] = []


def on_drop(callback: Callable[[set[int] | None], None]) -> None:
    if callback not in _after_drop:
        _after_drop.append(callback)


def _drop_now(page_ids: set[int] | None) -> None:
    kept, use_model, stamp_model = _models()
    if page_ids is None:
        updated = stamp_model.objects.filter(page_id=0).update(stamp=F("stamp") + 1)
        if not updated:
            stamp_model.objects.get_or_create(page_id=0, defaults={"stamp": 1})
        kept.objects.all().delete()
        return
    if not page_ids:
        return
    ids = sorted(page_ids)
    stamp_model.objects.filter(page_id__in=ids).update(stamp=F("stamp") + 1)
    have = set(
        stamp_model.objects.filter(page_id__in=ids).values_list("page_id", flat=True)
    )
    stamp_model.objects.bulk_create(
        [stamp_model(page_id=i, stamp=1) for i in ids if i not in have],
        ignore_conflicts=True,
    )
    kept.objects.filter(page_id__in=ids).delete()


def _after_commit(page_ids: set[int] | None) -> None:
    _drop_now(page_ids)
    for callback in _after_drop:
        callback(page_ids)


def drop(page_ids: set[int] | None) -> None:
    """Drop the kept renderings of ``page_ids`` (None: every page's): now, and
    again after the transaction commits (a rendering made in between from the
    rows as they were is not kept past the commit)."""
    page_ids = None if page_ids is None else set(page_ids)
    _drop_now(page_ids)
    transaction.on_commit(lambda: _after_commit(page_ids))


def drop_users_of(
    label: str, object_ids: Iterable[Any], *, also: Iterable[int] = ()
) -> None:
    """Drop the renderings of the pages showing one of these objects (and ``also``)."""
    drop(users_of(label, object_ids) | set(also))


def prune() -> int:
    """Delete renderings made by another release's code; return how many."""
    from .keys import renderer

    deleted, _ = _models()[0].objects.exclude(renderer=renderer()).delete()
    return deleted


def forget_page(page_id: int) -> None:
    """Drop a deleted page's renderings and what it recorded using."""
    _models()[1].objects.filter(page_id=page_id).delete()
