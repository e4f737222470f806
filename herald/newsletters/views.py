"""Reader views: sign-up (double opt-in), preferences, one-click unsubscribe, archive.

None of these pages is kept (core.keep) or publicly cacheable: each carries a
CSRF token or a per-recipient link. The sign-up boxes inside kept pages
(footer, article foot, home) are plain GET forms without a token that lead
here; see CONTEXT.md, "Forms on kept pages".
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from herald.core.http import client_ip
from herald.core.keep import http as keep_http

from . import actions, queries
from .forms import ChoicesForm, SignupForm
from .models import SubscriptionSource, UnsubscribeReason

# count/period. A sign-up sends an email to someone: keep floods small.
RATES = {"ip": "10/15m", "email": "3/h"}


def _rate(name: str) -> str:
    return getattr(settings, "HERALD_NEWSLETTERS_RATES", {}).get(name, RATES[name])


def _limited(request: HttpRequest, group: str, value: str) -> bool:
    return is_ratelimited(
        request,
        group=f"newsletters.{group}",
        key=lambda _group, _request: value,
        rate=_rate(group),
        increment=True,
    )


def _private(response: HttpResponse) -> HttpResponse:
    return keep_http.private(response, store=False)  # type: ignore[no-any-return]


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "newsletters/ratelimited.html", status=429)
    response["Retry-After"] = "900"
    return _private(response)


def _problem(request: HttpRequest, code: str, *, status: int = 400) -> HttpResponse:
    return _private(
        render(request, "newsletters/link_problem.html", {"code": code}, status=status)
    )


# --- Sign-up ------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """The newsletters page: what there is, and the double opt-in sign-up form.

    A GET with ``email`` (and ``newsletter``) comes from a sign-up box on a
    kept page: the form is shown filled in, to be sent from here with a token.
    """
    offered = queries.public_newsletters()
    newsletters = list(offered)
    if request.method == "POST":
        if _limited(request, "ip", client_ip(request)):
            return _too_many(request)
        form = SignupForm(request.POST, newsletters=offered)
        if form.is_valid():
            email = actions.normalise_email(form.cleaned_data["email"])
            if _limited(request, "email", email.lower()):
                return _too_many(request)
            actions.request_subscription(
                form.cleaned_data["newsletters"],
                email=email,
                source=SubscriptionSource.FORM,
                language=get_language() or "",
            )
            return _private(
                render(request, "newsletters/check_inbox.html", {"email": email})
            )
        status = 400
    else:
        slugs = request.GET.getlist("newsletter")
        chosen = [n.slug for n in newsletters if n.slug in slugs] or [
            n.slug
            for n in newsletters
            if n.default_for_new_members or len(newsletters) == 1
        ]
        form = SignupForm(
            newsletters=offered,
            initial={
                "email": request.GET.get("email", "")[:254],
                "newsletters": chosen,
            },
        )
        status = 200
    context = {"form": form, "newsletters": newsletters}
    return _private(render(request, "newsletters/index.html", context, status=status))


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, signed: str) -> HttpResponse:
    """GET shows a button (mail scanners open links); the POST confirms."""
    try:
        email, nonce = queries.read_confirm_link(signed)
    except queries.LinkProblem as problem:
        return _problem(request, problem.code)
    if request.method == "GET":
        return _private(render(request, "newsletters/confirm.html", {"email": email}))
    if _limited(request, "ip", client_ip(request)):
        return _too_many(request)
    outcome = actions.confirm_subscriptions(email, nonce=nonce)
    if not outcome.ok:
        return _problem(request, "used")
    context = {
        "email": email,
        "confirmed": outcome.confirmed,
        "already": outcome.already,
        "preferences_url": queries.preferences_url(
            (outcome.confirmed or outcome.already)[0]
        ),
    }
    return _private(render(request, "newsletters/confirmed.html", context))


# --- Preferences and unsubscribing ----------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, signed: str) -> HttpResponse:
    """Switch newsletters or leave them all, from a link in any email, no sign-in."""
    try:
        subscription = queries.subscription_from_preferences_link(signed)
    except queries.LinkProblem as problem:
        return _problem(request, problem.code, status=404)
    email = subscription.email
    offered = queries.newsletters_for(subscription.member)
    # Only an address that confirmed once may add newsletters from here.
    may_add = subscription.confirmed_at is not None
    saved = False
    if request.method == "POST":
        if _limited(request, "ip", client_ip(request)):
            return _too_many(request)
        if "unsubscribe_all" in request.POST:
            actions.unsubscribe_address(email, reason=UnsubscribeReason.PREFERENCES)
            form = ChoicesForm(newsletters=offered, initial={"newsletters": []})
            saved = True
        else:
            form = ChoicesForm(request.POST, newsletters=offered)
            if form.is_valid():
                actions.set_choices(
                    email,
                    chosen=form.cleaned_data["newsletters"],
                    offered=offered,
                    source=SubscriptionSource.PREFERENCES,
                    reason=UnsubscribeReason.PREFERENCES,
                    member=subscription.member,
                    may_add=may_add,
                )
                saved = True
    if request.method == "GET" or saved:
        subscribed = queries.subscribed_ids(email)
        form = ChoicesForm(
            newsletters=offered,
            initial={"newsletters": [n.slug for n in offered if n.pk in subscribed]},
        )
    context = {"form": form, "email": email, "saved": saved, "may_add": may_add}
    status = 400 if form.errors else 200
    return _private(
        render(request, "newsletters/preferences.html", context, status=status)
    )


@csrf_exempt  # RFC 8058: mail clients POST without a session or token.
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, signed: str) -> HttpResponse:
    """One-click unsubscribe: POST leaves at once (idempotent); GET asks first."""
    try:
        subscription = queries.subscription_from_unsubscribe_link(signed)
    except queries.LinkProblem as problem:
        return _problem(request, problem.code, status=404)
    context: dict[str, Any] = {
        "subscription": subscription,
        "newsletter": subscription.newsletter,
        "preferences_url": queries.preferences_url(subscription),
    }
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        actions.unsubscribe(
            subscription,
            reason=UnsubscribeReason.ONE_CLICK
            if one_click
            else UnsubscribeReason.PREFERENCES,
        )
        context["done"] = True
    return _private(render(request, "newsletters/unsubscribe.html", context))


# --- Members --------------------------------------------------------------------------


@login_required(login_url="members:signin")
@require_http_methods(["POST"])
def account(request: HttpRequest) -> HttpResponse:
    """The newsletters section of the account page posts here."""
    user = request.user
    offered = queries.newsletters_for(user)
    form = ChoicesForm(request.POST, newsletters=offered)
    if not form.is_valid():
        return _private(
            render(request, "newsletters/form_error.html", {"form": form}, status=400)
        )
    actions.set_choices(
        user.email,
        chosen=form.cleaned_data["newsletters"],
        offered=offered,
        source=SubscriptionSource.ACCOUNT,
        reason=UnsubscribeReason.ACCOUNT,
        member=user,
    )
    messages.success(request, _("Your newsletters are saved."))
    return redirect("members:account")


# --- Archive --------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET"])
def archive(request: HttpRequest, slug: str) -> HttpResponse:
    newsletter = queries.newsletter_by_slug(slug)
    if newsletter is None:
        raise Http404
    context = {
        "newsletter": newsletter,
        "issues": queries.archive_issues(newsletter, reader=request.user),
        "form": SignupForm(
            newsletters=queries.public_newsletters(),
            initial={"newsletters": [newsletter.slug]},
        )
        if not newsletter.is_paid_only
        else None,
    }
    return _private(render(request, "newsletters/archive.html", context))
