"""Template filters of the reader site (herald_tags) that shape markup."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.template import Context, Template
from django.utils import timezone


def render(source: str, **context: object) -> str:
    return Template("{% load herald_tags %}" + source).render(Context(context))


def test_machine_datetime_drops_microseconds_and_keeps_the_local_offset():
    moment = datetime(2026, 3, 4, 5, 6, 7, 891234, tzinfo=UTC)

    with timezone.override("Asia/Kathmandu"):
        out = render("{{ moment|machine_datetime }}", moment=moment)

    assert out == "2026-03-04T10:51:07+05:45"


def test_machine_datetime_of_a_date_is_the_date_and_of_nothing_is_empty():
    assert render("{{ d|machine_datetime }}", d=date(2026, 3, 4)) == "2026-03-04"
    assert render("{{ missing|machine_datetime }}") == ""
    assert render("{{ text|machine_datetime }}", text="yesterday") == ""
