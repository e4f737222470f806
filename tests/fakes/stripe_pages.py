"""The fake Stripe's HTTP layer: the JSON API and the two hosted pages.

* ``/v1/...``: auth (``Authorization: Bearer <api key>``), idempotency keys,
  Stripe's error bodies; the work is done by ``FakeStripe.handle_api``.
* ``/c/pay/<session>``: the hosted checkout page. GET shows an accessible form;
  POST pays (or shows the decline) and redirects (303) to ``success_url``.
* ``/p/session/<portal session>``: the billing portal. It lists the customer's
  subscriptions with buttons to cancel (at period end or now), renew, or switch
  price; each POST redirects (303) to ``return_url``.

Before a page redirects, its webhooks have been posted to URL endpoints, as a
reader who lands back on the site could otherwise race them.
"""

from __future__ import annotations

import html
import json
import re
import secrets
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.stripe_server import API_VERSION, StripeError, money, parse_form

if TYPE_CHECKING:
    from tests.fakes.stripe_server import FakeStripe

CSS = """
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f6f8fa;
  color: #1a1f36 }
main { max-width: 32rem; margin: 2rem auto; padding: 1.5rem; background: #fff }
label { display: block; margin-top: .75rem; font-weight: 600 }
input[type=text], input[type=email] { width: 100%; padding: .5rem; font: inherit;
  box-sizing: border-box; border: 1px solid #6b7385; border-radius: 4px }
fieldset { border: 0; padding: 0; margin: 0 }
legend { font-weight: 700; margin-top: 1rem }
button { margin-top: 1rem; padding: .6rem 1rem; font: inherit; color: #fff;
  background: #0a2540; border: 1px solid #0a2540; border-radius: 4px }
button.secondary { background: #fff; color: #0a2540 }
[role=alert] { color: #a4141f; border-left: 4px solid #a4141f; padding-left: .5rem }
.note { color: #4f5b76; font-size: .875rem }
:focus-visible { outline: 3px solid #635bff; outline-offset: 2px }
th, td { text-align: left; padding: .25rem 1rem .25rem 0 }
"""


def page(title: str, body: str) -> bytes:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{body}</main></body></html>"
    ).encode()


def day(ts: int | None) -> str:
    return datetime.fromtimestamp(ts or 0, UTC).strftime("%d %B %Y")


def price_text(price: dict) -> str:
    recurring = price["recurring"] or {}
    count, interval = recurring.get("interval_count", 1), recurring.get("interval")
    every = f"per {interval}" if count == 1 else f"every {count} {interval}s"
    return f"{money(price['unit_amount'], price['currency'])} {every}"


def field(name, label, value="", *, error=None, kind="text", auto="", extra=""):
    """A labelled input; the one named by the error points at the message."""
    invalid = ' aria-invalid="true" aria-describedby="error"' if error == name else ""
    return (
        f'<label for="{name}">{html.escape(label)}</label>'
        f'<input type="{kind}" id="{name}" name="{name}" value="{html.escape(value)}"'
        f' autocomplete="{auto}"{invalid}{extra}>'
    )


class Handler(BaseHTTPRequestHandler):
    fake: FakeStripe  # set on the subclass FakeStripe.start() makes
    server_version = "FakeStripe/1.0"
    protocol_version = "HTTP/1.0"  # one request per connection: no pooled stalls

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def send(
        self, status: int, body: bytes, ctype="text/html; charset=utf-8", headers=()
    ):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, url: str) -> None:
        self.send(303, b"", "text/plain", [("Location", url)])

    def dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        pairs = parse_qsl(
            body if method == "POST" else url.query, keep_blank_values=True
        )
        if url.path.startswith("/v1/"):
            self.api(method, url.path, pairs, body)
        elif match := re.fullmatch(r"/c/pay/([\w-]+)", url.path):
            self.checkout(method, match[1], dict(pairs))
        elif match := re.fullmatch(r"/p/session/([\w-]+)", url.path):
            self.portal(method, match[1], dict(pairs))
        else:
            self.send(404, page("Not found", "<h1>Not found</h1>"))

    # ------------------------------------------------------------------ API
    def api(self, method: str, path: str, pairs: list, body: str) -> None:
        fake, key = self.fake, self.headers.get("Idempotency-Key")
        version = self.headers.get("Stripe-Version") or API_VERSION
        headers = [
            ("Request-Id", f"req_{secrets.token_hex(7)}"),
            ("Stripe-Version", version),
        ]
        try:
            auth = self.headers.get("Authorization", "")
            if not auth.startswith("Bearer "):
                raise StripeError(401, "You did not provide an API key.")
            if auth[7:] != fake.api_key:
                masked = f"{auth[7:15]}********{auth[-4:]}"
                msg = f"Invalid API Key provided: {masked}"
                raise StripeError(401, msg, code="api_key_invalid")
            with fake._lock:  # one idempotent request at a time: no races
                replay = (
                    fake._idempotency.get(key) if method == "POST" and key else None
                )
                fingerprint = f"{path}?{body}"
                if replay and replay[0] != fingerprint:
                    msg = (
                        "Keys for idempotent requests can only be used with the same "
                        "parameters they were first used with. Try using a key other "
                        f"than '{key}' if you meant to execute a different request."
                    )
                    raise StripeError(400, msg, type="idempotency_error")
                if replay:
                    headers += [
                        ("Idempotency-Key", key),
                        ("Idempotent-Replayed", "true"),
                    ]
                    self.send(replay[1], replay[2], "application/json", headers)
                    return
                try:
                    status, result = (
                        200,
                        fake.handle_api(method, path, parse_form(pairs)),
                    )
                except StripeError as error:
                    if error.status != 402:  # Stripe saves results, not refusals
                        raise
                    status, result = 402, {"error": error.body}
                payload = json.dumps(result, indent=2).encode()
                if method == "POST" and key:
                    fake._idempotency[key] = (fingerprint, status, payload)
                    headers.append(("Idempotency-Key", key))
        except StripeError as error:
            status, payload = error.status, json.dumps({"error": error.body}).encode()
        except Exception as error:  # a bug in the fake: say so, never hang up
            body = {"type": "api_error", "message": f"Fake Stripe failed: {error!r}"}
            status, payload = 500, json.dumps({"error": body}).encode()
        self.send(status, payload, "application/json", headers)

    # ------------------------------------------------------------- checkout
    def checkout(self, method: str, session_id: str, form: dict) -> None:
        fake = self.fake
        session = fake.objects.get(session_id)
        if not session or session["object"] != "checkout.session":
            self.send(
                404, page("Not found", "<h1>This checkout page does not exist</h1>")
            )
            return
        status, error = 200, None
        if method == "POST":
            try:
                done = fake.pay_checkout(session_id, form)
            except StripeError as exc:
                status, error = exc.status, exc
            else:
                fake.wait_for_webhooks()
                url = done["success_url"].replace("{CHECKOUT_SESSION_ID}", done["id"])
                self.redirect(url)
                return
        with fake._lock:
            self.send(status, self.checkout_html(session, form, error))

    def checkout_html(self, session: dict, form: dict, error) -> bytes:
        fake = self.fake
        name, title = html.escape(fake.business_name), f"Pay {fake.business_name}"
        back = ""
        if session["cancel_url"]:
            cancel = html.escape(session["cancel_url"])
            back = f'<p><a href="{cancel}">Back to {name}</a></p>'
        if session["status"] != "open" or fake.now() > session["expires_at"]:
            state = "is paid" if session["status"] == "complete" else "has expired"
            return page(title, f"<h1>This checkout session {state}</h1>{back}")
        price = fake.objects[session["_lines"][0]["price"]]
        product, trial = fake.objects[price["product"]], session["_trial_days"]
        parts = [
            f'<p class="note">{name}</p>',
            f"<h1>Subscribe to {html.escape(product['name'])}</h1>",
            f"<p>{html.escape(price_text(price))}</p>",
        ]
        if trial:
            parts.append(
                f"<p>{trial} days free, then {html.escape(price_text(price))}</p>"
            )
        for entry in session["discounts"]:
            coupon = fake.objects[entry["coupon"]]
            off = f"{coupon['percent_off']:g}% off" if coupon["percent_off"] else None
            off = off or f"{money(coupon['amount_off'], coupon['currency'])} off"
            parts.append(
                f"<p>Discount: {html.escape(coupon['name'] or off)} ({off})</p>"
            )
        due = money(session["amount_total"], session["currency"])
        parts.append(f"<p><strong>Due today: {due}</strong></p>")
        if error:
            parts.append(f'<p role="alert" id="error">{html.escape(str(error))}</p>')
        param = error.body["param"] if error else None
        email = session["customer_email"] or form.get("email", "")
        if session["customer"]:
            email = fake.objects[session["customer"]]["email"] or ""
        fixed = " readonly" if session["customer_email"] or session["customer"] else ""
        fields = [
            field("email", "Email", email, error=param, kind="email", auto="email",
                  extra=fixed or " required"),
            "<fieldset><legend>Card information</legend>",
            field("card_number", "Card number", form.get("card_number", ""),
                  error=param, auto="cc-number", extra=' inputmode="numeric" required'),
            field("expiry", "Expiry date (MM / YY)", form.get("expiry", ""),
                  error=param, auto="cc-exp", extra=' placeholder="MM / YY" required'),
            field("cvc", "Security code (CVC)", form.get("cvc", ""), error=param,
                  auto="cc-csc", extra=' inputmode="numeric" required'),
            "</fieldset>",
            field("name", "Name on card", form.get("name", ""), auto="cc-name"),
        ]  # fmt: skip
        if session["allow_promotion_codes"]:
            code = form.get("promotion_code", "")
            fields.append(field("promotion_code", "Promotion code", code, error=param))
        button = "Start trial" if trial else "Subscribe"
        parts.append(
            f'<form method="post" novalidate>{"".join(fields)}'
            f'<button type="submit">{button}</button></form>{back}'
            '<p class="note">Test mode: card 4242 4242 4242 4242 pays, '
            "4000 0000 0000 0002 is declined.</p>"
        )
        return page(title, "".join(parts))

    # --------------------------------------------------------------- portal
    def portal(self, method: str, portal_id: str, form: dict) -> None:
        fake = self.fake
        portal = fake.objects.get(portal_id)
        if not portal or portal["object"] != "billing_portal.session":
            self.send(
                404, page("Not found", "<h1>This billing page does not exist</h1>")
            )
            return
        status, error = 200, None
        if method == "POST":
            try:
                fake.act_in_portal(portal_id, form)
            except StripeError as exc:
                status, error = exc.status, str(exc)
            else:
                fake.wait_for_webhooks()
                if portal["return_url"]:
                    self.redirect(portal["return_url"])
                    return
        with fake._lock:
            self.send(status, self.portal_html(portal, error))

    def portal_html(self, portal: dict, error: str | None) -> bytes:
        fake = self.fake
        customer = fake.objects[portal["customer"]]
        name = html.escape(fake.business_name)
        parts = [
            f"<h1>{name}: billing</h1>",
            f"<p>{html.escape(customer['email'] or '')}</p>",
        ]
        if error:
            parts.append(f'<p role="alert">{html.escape(error)}</p>')
        parts.append("<h2>Current plan</h2>")
        subs = fake.of_kind("subscription", customer=customer["id"])
        subs = [sub for sub in subs if sub["status"] != "canceled"]
        if not subs:
            parts.append("<p>No active subscription.</p>")
        for sub in subs:
            parts.append(self.subscription_html(sub))
        invoices = fake.of_kind("invoice", customer=customer["id"])
        if invoices:
            rows = "".join(
                f"<tr><td>{day(i['created'])}</td>"
                f"<td>{money(i['total'], i['currency'])}</td>"
                f"<td>{i['status']}</td></tr>"
                for i in invoices
            )
            head = "<tr><th>Date</th><th>Amount</th><th>Status</th></tr>"
            parts.append(f"<h2>Invoice history</h2><table>{head}{rows}</table>")
        if portal["return_url"]:
            back = html.escape(portal["return_url"])
            parts.append(f'<p><a href="{back}">Return to {name}</a></p>')
        return page(f"Billing: {fake.business_name}", "".join(parts))

    def subscription_html(self, sub: dict) -> str:
        fake = self.fake
        price = sub["items"]["data"][0]["price"]
        product = fake.objects[price["product"]]
        end = day(fake.period_end(sub))
        state = f"Renews on {end}"
        if sub["cancel_at_period_end"]:
            state = f"Cancels on {end}"
        elif sub["status"] == "trialing":
            state = f"Trial ends on {end}"
        hidden = f'<input type="hidden" name="subscription" value="{sub["id"]}">'
        if sub["cancel_at_period_end"]:
            actions = '<button name="action" value="renew">Renew plan</button> '
        else:
            actions = '<button name="action" value="cancel">Cancel plan</button> '
        actions += '<button class="secondary" name="action" value="cancel_now">'
        actions += "Cancel now</button>"
        parts = [
            f"<section><h3>{html.escape(product['name'])}: "
            f"{html.escape(price_text(price))}</h3>",
            f"<p>Status: {sub['status']}. {state}.</p>",
            f'<form method="post">{hidden}{actions}</form>',
        ]
        others = [
            p
            for p in fake.of_kind("price", active=True, type="recurring")
            if p["id"] != price["id"] and p["currency"] == price["currency"]
        ]
        if others:
            options = "".join(
                f'<label><input type="radio" name="price" value="{p["id"]}" required> '
                f"{html.escape(fake.objects[p['product']]['name'])}: "
                f"{html.escape(price_text(p))}</label>"
                for p in others
            )
            parts.append(
                f'<form method="post">{hidden}<fieldset><legend>Switch plan</legend>'
                f"{options}</fieldset>"
                '<button name="action" value="switch">Switch plan</button></form>'
            )
        card = fake.objects[sub["default_payment_method"]]["card"]
        parts.append(
            f"<h3>Payment method</h3><p>{card['brand'].title()} ending in "
            f"{card['last4']}</p></section>"
        )
        return "".join(parts)
