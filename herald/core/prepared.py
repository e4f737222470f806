"""Querysets compiled to SQL once per thread and run again with other values.

Django compiles a queryset to SQL on every evaluation. For the few lookups that
every first view of an article makes (the page at a path), compiling costs more
than running: about 1.4 ms of CPU against 0.2 ms for the round trip on the
benchmark machine (docs/performance.md). ``PreparedQuery`` builds the queryset
once with stand-in values, keeps the compiled SQL and the compiler's column
map, and on each call runs that SQL with the real values and turns the rows
into model instances the way Django's ``ModelIterable`` does (``from_db``, then
the ``select_related`` populators). Nothing else of the ORM is bypassed: the
query goes through the connection's cursor (so it is counted and logged like
any other) and the field converters apply.

Only plain equality filters can be prepared: each stand-in value must reach the
SQL parameters unchanged, which is checked when the query is compiled.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators


class PreparedQuery:
    """``build(**stand_ins)`` returns the queryset; ``all(**values)`` runs it."""

    def __init__(self, build: Callable[..., QuerySet[Any]], *names: str) -> None:
        self._build = build
        self._names = names
        self._local = threading.local()

    def _compiled(self, using: str) -> Any:
        connection = connections[using]
        state = getattr(self._local, using, None)
        # Compilers hold their thread's connection (converters read it), so the
        # compiled form is kept per thread and made again after a new wrapper.
        if state is not None and state.connection is connection:
            return state
        stand_ins = {name: f"\x00herald-prepared:{name}\x00" for name in self._names}
        queryset = self._build(**stand_ins)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        by_value = {value: name for name, value in stand_ins.items()}
        slots = [by_value.get(p) if isinstance(p, str) else None for p in params]
        if sorted(s for s in slots if s) != sorted(self._names):
            raise ValueError(
                f"cannot prepare {queryset.model.__name__} query: every value must "
                "reach the SQL parameters once, unchanged"
            )
        if compiler.annotation_col_map or queryset._known_related_objects:
            raise ValueError("cannot prepare a query with annotations")
        klass_info = compiler.klass_info
        select = compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        state = _State()
        state.connection = connection
        state.compiler = compiler
        state.sql = sql
        state.params = list(params)
        state.slots = slots
        state.model = klass_info["model"]
        state.start, state.end = start, end
        state.init_list = [f[0].target.attname for f in select[start:end]]
        state.converters = compiler.get_converters(
            [s[0] for s in select[0 : compiler.col_count]]
        )
        state.populators = get_related_populators(klass_info, select, using)
        setattr(self._local, using, state)
        return state

    def all(self, using: str = "default", **values: Any) -> list[Model]:
        state = self._compiled(using)
        params = [
            values[slot] if slot is not None else constant
            for slot, constant in zip(state.slots, state.params, strict=True)
        ]
        with state.connection.cursor() as cursor:
            cursor.execute(state.sql, params)
            rows = cursor.fetchall()
        found = []
        if state.converters:
            rows = state.compiler.apply_converters(rows, state.converters)
        for row in rows:
            obj = state.model.from_db(
                using, state.init_list, row[state.start : state.end]
            )
            for populator in state.populators:
                populator.populate(row, obj)
            found.append(obj)
        return found

    def first(self, using: str = "default", **values: Any) -> Model | None:
        found = self.all(using, **values)
        return found[0] if found else None


class _State:
    """One thread's compiled form of a prepared query."""

    connection: Any
    compiler: Any
    sql: str
    params: list[Any]
    slots: list[str | None]
    model: Any
    start: int
    end: int
    init_list: list[str]
    converters: dict[int, Any]
    populators: list[Any]
