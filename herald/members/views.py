"""Reader-facing account views: thin wrappers around actions and queries."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from herald.core.http import client_ip
from herald.core.keep import http as keep_http
from herald.core.links import local_path

from . import actions, queries
from .forms import (
    CheckoutForm,
    CodeForm,
    DeleteAccountForm,
    EmailChangeForm,
    NameForm,
    SignInForm,
    SignUpForm,
)
from .metering import settings_for
from .models import TokenPurpose
from .providers import get_provider
from .providers.base import InvalidWebhook, ProviderError

PENDING_KEY = "members_pending_token"
REAUTH_PENDING_KEY = "members_reauth_token"
REAUTH_AT_KEY = "members_reauth_at"
PENDING_EMAIL_KEY = "members_pending_email"
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"

# Rates: count/period. Standards: the 6th link request for one email in 15 min.
RATES = {
    "email": "5/15m",
    "ip": "30/15m",
    "code_ip": "30/15m",
}


def _rate(name: str) -> str:
    return getattr(settings, "HERALD_MEMBERS_RATES", {}).get(name, RATES[name])


def _limited(request: HttpRequest, group: str, rate: str, value: str) -> bool:
    return is_ratelimited(
        request,
        group=f"members.{group}",
        key=lambda _group, _request: value,
        rate=rate,
        increment=True,
    )


def _ip(request: HttpRequest) -> str:
    # Behind nginx every REMOTE_ADDR is the proxy's: one bucket for all readers.
    return client_ip(request)


def too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "members/ratelimited.html", status=429)
    response["Retry-After"] = "900"
    return response


def _private(response: HttpResponse) -> HttpResponse:
    return keep_http.private(response, store=False)  # type: ignore[no-any-return]


def _allow_checkout_forms(response: HttpResponse) -> HttpResponse:
    """Let forms on this page be redirected to the provider's hosted pages."""
    origins = get_provider().checkout_origins()
    if origins:
        response._csp_update = {"form-action": origins}  # type: ignore[attr-defined]
    return response


def _sign_in(request: HttpRequest, user: Any) -> None:
    request.session.pop(PENDING_KEY, None)
    request.session.pop(PENDING_EMAIL_KEY, None)
    login(request, user, backend=LOGIN_BACKEND)  # rotates the session id


def _posted(request: HttpRequest) -> Any:
    """The POST data of a POST (even an empty one), else None (unbound form)."""
    return request.POST if request.method == "POST" else None


def _safe_next(value: str | None) -> str:
    return local_path(value or "")


# --- Sign-up and sign-in ------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    initial = {
        "next": _safe_next(request.GET.get("next")),
        "offer": request.GET.get("offer", "")[:60],
    }
    form = SignUpForm(_posted(request), initial=initial)
    if request.method == "POST":
        if _limited(request, "signup.ip", _rate("ip"), _ip(request)):
            return too_many(request)
        if form.is_valid():
            email = actions.normalize_email(form.cleaned_data["email"])
            if _limited(request, "signup.email", _rate("email"), email):
                return too_many(request)
            token = actions.request_signup(
                email,
                name=form.cleaned_data.get("name", ""),
                choices=form.cleaned_data.get("choices") or [],
                next_url=form.cleaned_data.get("next", ""),
                offer_code=form.cleaned_data.get("offer", ""),
            )
            request.session[PENDING_KEY] = token.pk
            request.session[PENDING_EMAIL_KEY] = email
            return redirect("members:code")
    status = 400 if form.errors else 200
    return render(request, "members/signup.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    form = SignInForm(
        _posted(request), initial={"next": _safe_next(request.GET.get("next"))}
    )
    if request.method == "POST":
        if _limited(request, "signin.ip", _rate("ip"), _ip(request)):
            return too_many(request)
        if form.is_valid():
            email = actions.normalize_email(form.cleaned_data["email"])
            if _limited(request, "signin.email", _rate("email"), email):
                return too_many(request)
            token = actions.request_signin(
                email, next_url=form.cleaned_data.get("next", "")
            )
            request.session[PENDING_KEY] = token.pk
            request.session[PENDING_EMAIL_KEY] = email
            return redirect("members:code")
    status = 400 if form.errors else 200
    return render(request, "members/signin.html", {"form": form}, status=status)


def _wrong_code(form: Any, attempts_left: int) -> None:
    """Say on the code field that the code was wrong, and how many tries are left."""
    form.add_error(
        "code",
        ngettext(
            "That code is not right. You have %(n)d attempt left.",
            "That code is not right. You have %(n)d attempts left.",
            attempts_left,
        )
        % {"n": attempts_left},
    )


def _link_problem(request: HttpRequest, error: str, *, purpose: str) -> HttpResponse:
    status = 404 if error == "invalid" else 410
    if error in ("refused", "taken"):
        status = 403 if error == "refused" else 409
    if error == "locked":
        status = 429
    response = render(
        request,
        "members/link_problem.html",
        {"error": error, "purpose": purpose},
        status=status,
    )
    if error == "locked":
        response["Retry-After"] = "900"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    token = queries.pending_token(request.session.get(PENDING_KEY))
    if token is None:
        messages.info(request, _("Ask for a new code to sign in."))
        return redirect("members:signin")
    form = CodeForm(_posted(request))
    status = 200
    attempts_left = queries.code_attempts_left(token)
    wrong_code = False
    if request.method == "POST":
        if _limited(request, "code.ip", _rate("code_ip"), _ip(request)):
            return too_many(request)
        if form.is_valid():
            result = actions.redeem_code(token, form.cleaned_data["code"])
            if result.ok:
                _sign_in(request, result.user)
                return redirect(result.next_url or reverse("members:account"))
            if result.error == "wrong_code":
                # The token was read before this guess: the count is the result's.
                attempts_left, wrong_code = result.attempts_left, True
                _wrong_code(form, result.attempts_left)
            else:
                request.session.pop(PENDING_KEY, None)
                return _link_problem(request, result.error, purpose=token.purpose)
        status = 400
    return render(
        request,
        "members/code.html",
        {
            "form": form,
            "email": request.session.get(PENDING_EMAIL_KEY, ""),
            "purpose": token.purpose,
            "attempts_left": attempts_left,
            "wrong_code": wrong_code,
        },
        status=status,
    )


def _link_view(purpose: str) -> Any:
    @never_cache
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, token: str) -> HttpResponse:
        if request.method == "GET":
            found = actions.find_token(token, purpose=purpose)
            if found is None:
                return _link_problem(request, "invalid", purpose=purpose)
            if not found.is_usable():
                return _link_problem(
                    request, actions._token_error(found), purpose=purpose
                )
            # Mail scanners follow links: only the button's POST uses the token.
            response = render(
                request, "members/link_confirm.html", {"purpose": purpose}
            )
            response["Referrer-Policy"] = "same-origin"
            return response
        if _limited(request, "link.ip", _rate("code_ip"), _ip(request)):
            return too_many(request)
        result = actions.redeem_link(token, purpose=purpose)
        if not result.ok:
            return _link_problem(request, result.error, purpose=purpose)
        _sign_in(request, result.user)
        if purpose == TokenPurpose.EMAIL_CHANGE:
            messages.success(request, _("Your email address is changed."))
        return redirect(result.next_url or reverse("members:account"))

    view.__name__ = f"{purpose}_link"
    return view


signin_link = _link_view(TokenPurpose.SIGNIN)
signup_link = _link_view(TokenPurpose.SIGNUP)
email_link = _link_view(TokenPurpose.EMAIL_CHANGE)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    # Reader pages are shared with other readers; this one says it to this one.
    messages.success(request, _("You are signed out."))
    return redirect("members:signin")


@login_required(login_url="members:signin")
@require_POST
def signout_everywhere(request: HttpRequest) -> HttpResponse:
    actions.sign_out_everywhere(request.user)
    logout(request)
    messages.success(request, _("You are signed out on every device."))
    return redirect("members:signin")


# --- The account page ---------------------------------------------------------


@never_cache
@login_required(login_url="members:signin")
@require_http_methods(["GET"])
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    from . import hooks

    context = {
        "member": user,
        "name_form": NameForm(initial={"name": user.name}),
        "email_form": EmailChangeForm(),
        "subscription": queries.current_subscription(user),
        "comps": list(queries.live_comps().filter(user=user).select_related("tier")),
        "extra_sections": list(hooks.collect("account_sections", request, user)),
        "has_billing": bool(user.stripe_customer_id),
        "tiers": queries.paid_tiers(),
    }
    return _allow_checkout_forms(render(request, "members/account.html", context))


@login_required(login_url="members:signin")
@require_POST
def change_name(request: HttpRequest) -> HttpResponse:
    form = NameForm(request.POST)
    if form.is_valid():
        actions.change_name(request.user, name=form.cleaned_data["name"])
        messages.success(request, _("Your name is saved."))
        return redirect("members:account")
    return render(request, "members/form_error.html", {"form": form}, status=400)


@login_required(login_url="members:signin")
@require_POST
def change_email(request: HttpRequest) -> HttpResponse:
    if not _inbox_proven(request):
        messages.info(request, _("First confirm it is you with a code we email you."))
        return redirect(
            f"{reverse('members:reauth')}?next={reverse('members:account')}"
        )
    form = EmailChangeForm(request.POST)
    if not form.is_valid():
        return render(request, "members/form_error.html", {"form": form}, status=400)
    email = actions.normalize_email(form.cleaned_data["email"])
    if _limited(request, "email_change.email", _rate("email"), email):
        return too_many(request)
    _spend_inbox_proof(request)
    actions.request_email_change(request.user, new_email=email)
    messages.info(
        request,
        _("We sent a link to %(email)s. Your address changes once you open it.")
        % {"email": email},
    )
    return redirect("members:account")


@login_required(login_url="members:signin")
@require_POST
def export_data(request: HttpRequest) -> HttpResponse:
    data = actions.export_member_data(request.user)
    response = JsonResponse(data, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return _private(response)


@never_cache
@login_required(login_url="members:signin")
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    proven = _inbox_proven(request)
    form = DeleteAccountForm(_posted(request))
    if request.method == "POST" and not proven:
        status = 403
    elif request.method == "POST" and form.is_valid():
        _spend_inbox_proof(request)
        actions.delete_account(request.user, actor=request.user)
        logout(request)
        messages.success(request, _("Your account is deleted."))
        return redirect("members:deleted")
    else:
        status = 400 if form.errors else 200
    return render(
        request,
        "members/delete.html",
        {"form": form, "proven": proven, "next": reverse("members:delete")},
        status=status,
    )


@never_cache
@require_http_methods(["GET"])
def account_deleted(request: HttpRequest) -> HttpResponse:
    """Where a reader lands after deleting the account: it says it is done."""
    return render(request, "members/deleted.html")


# --- Fresh proof of the inbox (before deleting or changing the email) ---------


def _inbox_proven(request: HttpRequest) -> bool:
    """Whether this session typed a code from the member's inbox a moment ago."""
    at = request.session.get(REAUTH_AT_KEY)
    window = int(getattr(settings, "HERALD_MEMBERS_REAUTH_SECONDS", 300))
    now = timezone.now().timestamp()
    return isinstance(at, (int, float)) and 0 <= now - at <= window


def _spend_inbox_proof(request: HttpRequest) -> None:
    # One proof, one sensitive change.
    request.session.pop(REAUTH_AT_KEY, None)


def _prove_inbox(request: HttpRequest) -> None:
    request.session.pop(REAUTH_PENDING_KEY, None)
    request.session[REAUTH_AT_KEY] = timezone.now().timestamp()


@never_cache
@login_required(login_url="members:signin")
@require_http_methods(["GET", "POST"])
def reauth(request: HttpRequest) -> HttpResponse:
    """Email a code and link to the member's current address."""
    next_url = _safe_next(request.POST.get("next") or request.GET.get("next"))
    if request.method == "POST":
        if _limited(request, "reauth.email", _rate("email"), request.user.email):
            return too_many(request)
        token = actions.request_reauth(request.user, next_url=next_url)
        request.session[REAUTH_PENDING_KEY] = token.pk
        return redirect("members:reauth_code")
    return render(
        request, "members/reauth.html", {"next": next_url, "email": request.user.email}
    )


@never_cache
@login_required(login_url="members:signin")
@require_http_methods(["GET", "POST"])
def reauth_code(request: HttpRequest) -> HttpResponse:
    token = queries.pending_token(request.session.get(REAUTH_PENDING_KEY))
    if (
        token is None
        or token.purpose != TokenPurpose.REAUTH
        or token.user_id != request.user.pk
    ):
        return redirect("members:reauth")
    form = CodeForm(_posted(request))
    status = 200
    if request.method == "POST":
        if _limited(request, "code.ip", _rate("code_ip"), _ip(request)):
            return too_many(request)
        if form.is_valid():
            result = actions.redeem_code(token, form.cleaned_data["code"])
            if result.ok:
                _prove_inbox(request)
                return redirect(result.next_url or reverse("members:account"))
            if result.error != "wrong_code":
                request.session.pop(REAUTH_PENDING_KEY, None)
                return _link_problem(request, result.error, purpose=token.purpose)
            _wrong_code(form, result.attempts_left)
            token.refresh_from_db(fields=["attempts"])
        status = 400
    return render(
        request,
        "members/reauth.html",
        {
            "form": form,
            "email": request.user.email,
            "attempts_left": token.attempts_left,
        },
        status=status,
    )


@never_cache
@login_required(login_url="members:signin")
@require_http_methods(["GET", "POST"])
def reauth_link(request: HttpRequest, token: str) -> HttpResponse:
    purpose = TokenPurpose.REAUTH
    found = actions.find_token(token, purpose=purpose)
    if found is None:
        return _link_problem(request, "invalid", purpose=purpose)
    if found.user_id != request.user.pk:
        # Someone else's proof: refuse without using it up.
        return _link_problem(request, "refused", purpose=purpose)
    if request.method == "GET":
        if not found.is_usable():
            return _link_problem(request, actions._token_error(found), purpose=purpose)
        # Mail scanners follow links: only the button's POST uses the token.
        response = render(request, "members/reauth_link.html")
        response["Referrer-Policy"] = "same-origin"
        return response
    if _limited(request, "link.ip", _rate("code_ip"), _ip(request)):
        return too_many(request)
    result = actions.redeem_link(token, purpose=purpose)
    if not result.ok:
        return _link_problem(request, result.error, purpose=purpose)
    _prove_inbox(request)
    return redirect(result.next_url or reverse("members:account"))


# --- Plans, checkout, billing -------------------------------------------------


@never_cache
@require_http_methods(["GET"])
def plans(request: HttpRequest) -> HttpResponse:
    context = {
        "tiers": queries.paid_tiers(),
        "currency": _currency(request),
        "next": request.get_full_path(),
        # The story a reader came from: checkout brings them back to it.
        "return_to": _safe_next(request.GET.get("next")),
    }
    return _allow_checkout_forms(render(request, "members/plans.html", context))


def _currency(request: HttpRequest) -> str:
    config = settings_for(request)
    return config.currency.upper() if config else "USD"


@never_cache
@require_http_methods(["GET"])
def offer(request: HttpRequest, code: str) -> HttpResponse:
    found = queries.get_offer(code)
    if found is None:
        return render(request, "members/offer_gone.html", status=404)
    context = {
        "offer": found,
        "tier": found.tier,
        "currency": _currency(request),
        "signup_form": SignUpForm(initial={"offer": found.code}),
    }
    return _allow_checkout_forms(render(request, "members/offer.html", context))


@login_required(login_url="members:signin")
@require_POST
def checkout(request: HttpRequest) -> HttpResponse:
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        return render(request, "members/form_error.html", {"form": form}, status=400)
    tier = queries.get_tier(form.cleaned_data["tier"])
    interval = form.cleaned_data["interval"]
    chosen = None
    if form.cleaned_data.get("offer"):
        chosen = queries.get_offer(form.cleaned_data["offer"])
        if (
            chosen is None
            or chosen.tier_id != getattr(tier, "pk", None)
            or chosen.interval != interval
        ):
            chosen = None
    if tier is None:
        return render(
            request,
            "members/payment_problem.html",
            {"problem": _("That plan is not available.")},
            status=400,
        )
    return_to = _safe_next(form.cleaned_data.get("next"))
    done = reverse("members:checkout_done")
    back = reverse("members:plans")
    if return_to:
        done = f"{done}?{urlencode({'next': return_to})}"
        back = f"{back}?{urlencode({'next': return_to})}"
    done = request.build_absolute_uri(done)
    back = request.build_absolute_uri(back)
    try:
        url = actions.start_checkout(
            request.user,
            tier=tier,
            interval=interval,
            offer=chosen,
            success_url=done,
            cancel_url=back,
            site_settings=settings_for(request),
        )
    except ValueError:
        return render(
            request,
            "members/payment_problem.html",
            {"problem": _("That plan has no price for this billing period.")},
            status=400,
        )
    except ProviderError:
        return render(
            request,
            "members/payment_problem.html",
            {"problem": _("Payments are not available right now. Try again soon.")},
            status=502,
        )
    return redirect(url)


@never_cache
@login_required(login_url="members:signin")
def checkout_done(request: HttpRequest) -> HttpResponse:
    """Thank the reader; one who came from a story goes back to it once paid."""
    subscription = queries.current_subscription(request.user)
    return_to = _safe_next(request.GET.get("next"))
    active = subscription is not None and subscription.status in (
        "active",
        "trialing",
    )
    if active and return_to:
        return redirect(return_to)
    return render(
        request,
        "members/checkout_done.html",
        {"subscription": subscription, "active": active, "return_to": return_to},
    )


@login_required(login_url="members:signin")
@require_POST
def billing(request: HttpRequest) -> HttpResponse:
    try:
        url = actions.billing_portal_url(
            request.user,
            return_url=request.build_absolute_uri(reverse("members:account")),
        )
    except ProviderError:
        return render(
            request,
            "members/payment_problem.html",
            {"problem": _("Billing is not available right now. Try again soon.")},
            status=502,
        )
    return redirect(url)


@csrf_exempt
@require_POST
def provider_webhook(request: HttpRequest) -> HttpResponse:
    """Payment provider events: verified by signature, applied once per event id."""
    provider = get_provider()
    try:
        event = provider.parse_webhook(request.body, request.headers)
    except InvalidWebhook:
        return JsonResponse(
            {"error": {"code": "bad_signature", "message": "Invalid webhook."}},
            status=400,
        )
    try:
        outcome = actions.handle_provider_event(event, provider_name=provider.name)
    except ProviderError:
        # Nothing was recorded; the provider retries later.
        return JsonResponse(
            {"error": {"code": "provider", "message": "Try again later."}},
            status=503,
        )
    return JsonResponse({"received": True, "outcome": outcome})


@never_cache
@login_required(login_url="members:signin")
@require_http_methods(["GET", "POST"])
def dummy_checkout(request: HttpRequest) -> HttpResponse:
    from .providers.dummy import DummyProvider

    if get_provider().name != "dummy":
        return render(
            request,
            "members/payment_problem.html",
            {"problem": _("This checkout is not available.")},
            status=404,
        )
    try:
        session = DummyProvider.read_session(request.GET.get("session", ""))
    except ProviderError:
        return render(
            request,
            "members/payment_problem.html",
            {"problem": _("This checkout link is not valid.")},
            status=400,
        )
    if request.method == "POST":
        try:
            actions.activate_dummy_checkout(request.user, session=session)
        except ProviderError as error:
            return render(
                request,
                "members/payment_problem.html",
                {"problem": str(error)},
                status=403,
            )
        return redirect(session["success_url"])
    return render(
        request,
        "members/dummy_checkout.html",
        {"session": session, "session_json": json.dumps(session)},
    )
