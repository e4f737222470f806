"""A local, in-memory server that speaks the part of Stripe's HTTP API Herald uses.

Tests point the official ``stripe`` SDK at it (``stripe.api_base = server.url``),
so Herald's real SDK code path runs; it sends webhooks signed exactly as Stripe
signs them. Pure standard library (``http.server`` and threads). Objects follow
the shapes of API version ``API_VERSION`` (the one the installed SDK pins).

* API: ``ROUTES`` below lists every endpoint and the parameters it accepts.
* Pages: the hosted checkout page (``session.url``) and the billing portal page
  (``portal.url``) live in ``stripe_pages.py``.
* Test helpers: ``complete_checkout``, ``portal_action``, ``advance_time``,
  ``fail_next_payment``, ``retry_payment``, ``send_event``, ``resend``,
  ``deliver``, ``flush``, ``events``, ``deliveries``.

docs/testing-stripe.md says how to use it and what it leaves out.
"""

from __future__ import annotations

import calendar
import copy
import functools
import hashlib
import hmac
import json
import queue
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from typing import Any

API_VERSION = "2026-10-28.endive"
DEFAULT_API_KEY = "sk_test_herald_fake_0000000000000000"
DEFAULT_WEBHOOK_SECRET = "whsec_herald_fake_0000000000000000"
DAY = 86_400
ZERO_DECIMAL = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "pyg", "rwf", "vnd"}
DECLINED = ("card_declined", "generic_decline", "Your card was declined.")
NO_FUNDS = ("card_declined", "insufficient_funds", "Your card has insufficient funds.")
# Stripe's test cards: number -> None (pays) or (code, decline_code, message).
TEST_CARDS: dict[str, tuple[str, str, str] | None] = {
    "4242424242424242": None,
    "5555555555554444": None,
    "4000000000000002": DECLINED,
    "4000000000009995": NO_FUNDS,
    "4000000000000069": ("expired_card", "expired_card", "Your card has expired."),
}
CARD_FAILS_LATER = "4000000000000341"  # saving it works; every later charge fails


class StripeError(Exception):
    """Rendered as Stripe's ``{"error": {"type", "code", "message", "param"}}``."""

    def __init__(self, status, message, *, type="invalid_request_error", **extra):
        super().__init__(message)
        self.status = status
        self.body = {"type": type, "code": None, "message": message, "param": None}
        self.body.update(extra)


def bad(message: str, param: str | None = None, **extra: Any) -> StripeError:
    return StripeError(400, message, param=param, **extra)


def card_error(message, code, param="card_number", decline_code=None) -> StripeError:
    extra = {"decline_code": decline_code} if decline_code else {}
    return StripeError(402, message, type="card_error", code=code, param=param, **extra)


def missing(kind: str, oid: Any, param: str = "id") -> StripeError:
    msg = f"No such {kind}: '{oid}'"
    return StripeError(404, msg, code="resource_missing", param=param)


def parse_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Decode Stripe's form encoding: ``a[b][0][c]=v`` and ``expand[]=x``."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        match = re.fullmatch(r"([^\[\]]+)((?:\[[^\[\]]*\])*)", key)
        if not match:
            raise bad(f"Invalid parameter name: {key}", key)
        parts = [match[1], *re.findall(r"\[([^\[\]]*)\]", match[2])]
        node = root
        for depth, part in enumerate(parts):
            part = part or str(len(node))  # "a[]" appends
            if depth == len(parts) - 1:
                node[part] = value
            else:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise bad(f"Invalid parameter: {key}", key)
    return _listify(root)


def _listify(node: Any, key: str = "") -> Any:
    if not isinstance(node, dict):
        return node
    out = {k: _listify(v, k) for k, v in node.items()}
    if out and key != "metadata" and all(k.isdigit() for k in out):
        return [out[k] for k in sorted(out, key=int)]
    return out


def sign_payload(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe sends: ``t=<unix>,v1=<hex HMAC>``."""
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256)
    return f"t={ts},v1={digest.hexdigest()}"


def add_interval(ts: int, interval: str, count: int = 1) -> int:
    """``ts`` plus ``count`` intervals; month ends are clamped like Stripe's."""
    if interval in ("day", "week"):
        return ts + count * DAY * (7 if interval == "week" else 1)
    when = datetime.fromtimestamp(ts, UTC)
    months = when.month - 1 + count * (12 if interval == "year" else 1)
    year, month = when.year + months // 12, months % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return int(when.replace(year=year, month=month, day=day).timestamp())


def money(amount: int, currency: str) -> str:
    if currency.lower() in ZERO_DECIMAL:
        return f"{amount} {currency.upper()}"
    return f"{amount / 100:,.2f} {currency.upper()}"


def luhn_ok(number: str) -> bool:
    digits = [int(d) for d in reversed(number)] if number.isdigit() else []
    doubled = [d * 2 - 9 if d > 4 else d * 2 for d in digits[1::2]]
    return 12 <= len(digits) <= 19 and (sum(digits[::2]) + sum(doubled)) % 10 == 0


def _nulls(names: str) -> dict[str, None]:
    return dict.fromkeys(names.split())


def _int(p: dict, name: str, default: int | None = None, minimum: int = 0):
    raw = p.get(name)
    if raw in (None, ""):
        return default
    if not re.fullmatch(r"-?\d+", str(raw)):
        raise bad(f"Invalid integer: {raw}", name)
    if int(raw) < minimum:
        raise bad(f"{name} must be at least {minimum}.", name)
    return int(raw)


def _bool(p: dict, name: str, default: bool | None = None) -> bool | None:
    if p.get(name) is None:
        return default
    if p[name] not in ("true", "false"):
        raise bad(f"Invalid boolean: {p[name]}", name)
    return p[name] == "true"


def _required(p: dict, name: str) -> Any:
    if p.get(name) in (None, ""):
        raise bad(f"Missing required param: {name}.", name, code="parameter_missing")
    return p[name]


def _metadata(p: dict, current: dict | None = None) -> dict:
    """Merge ``metadata[k]=v``; an empty value unsets a key, ``metadata=`` all."""
    raw, merged = p.get("metadata"), dict(current or {})
    if raw == "":
        return {}
    for key, value in (raw if isinstance(raw, dict) else {}).items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    return merged


@dataclass
class Endpoint:
    """Where webhooks go: an http URL (posted from a background thread), or a
    callable ``(payload, headers) -> (status, body)`` called from the test's
    thread (in-process delivery, e.g. through Django's test client)."""

    target: str | Callable[[bytes, dict[str, str]], tuple[int, str]]
    secret: str
    pending: list[dict] = field(default_factory=list)

    @property
    def is_url(self) -> bool:
        return isinstance(self.target, str)


@dataclass
class Delivery:
    event_id: str
    event_type: str
    target: str
    status: int | None  # None: the endpoint could not be reached
    body: str = ""


class FakeStripe:
    """The in-memory Stripe: ``start()``, point the SDK at ``url``, ``stop()``."""

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        webhook_secret: str = DEFAULT_WEBHOOK_SECRET,
        host: str = "127.0.0.1",
        port: int = 0,
        business_name: str = "Herald test publication",
    ) -> None:
        self.api_key, self.webhook_secret = api_key, webhook_secret
        self.business_name = business_name
        self._address = (host, port)
        self._lock = threading.RLock()
        self._httpd: ThreadingHTTPServer | None = None
        self._outbox: queue.Queue = queue.Queue()
        self.reset()

    # ------------------------------------------------------------ lifecycle
    def start(self) -> FakeStripe:
        from tests.fakes.stripe_pages import Handler

        handler = type("BoundHandler", (Handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer(self._address, handler)
        self._httpd.daemon_threads = True
        for run in (self._httpd.serve_forever, self._send_outbox):
            threading.Thread(target=run, daemon=True, name="fake-stripe").start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._outbox.put(None)
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    @property
    def url(self) -> str:
        """The base URL; the SDK's ``api_base`` (it appends ``/v1/...``)."""
        assert self._httpd, "FakeStripe is not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def reset(self) -> None:
        """Forget every object, event, endpoint and setting a test changed."""
        if self._httpd:
            self.wait_for_webhooks()
        with self._lock:
            self.objects: dict[str, dict] = {}  # every object by id, in order
            self.endpoints: list[Endpoint] = []
            self.deliveries: list[Delivery] = []
            self._idempotency: dict[str, tuple[str, int, bytes]] = {}
            self._failures: dict[str, int] = {}
            self._clock_offset = 0
            self.auto_deliver = True
            self.max_payment_attempts = 3  # failed attempts before giving up
            self.retry_days = 3
            self.retries_exhausted_status = "unpaid"  # or "canceled"

    # ---------------------------------------------------------------- store
    def now(self) -> int:
        """The fake's clock: real time, moved forward by ``advance_time``."""
        return int(time.time()) + self._clock_offset

    def _new(self, prefix, kind, p=None, copied="", *, oid=None, **fields) -> dict:
        """Create and store an object; ``copied`` names fields taken from ``p``."""
        p = p or {}
        obj = {"id": oid or f"{prefix}_{secrets.token_hex(12)}", "object": kind}
        obj.update(created=self.now(), livemode=False, metadata=_metadata(p))
        obj.update({name: p.get(name) for name in copied.split()}, **fields)
        self.objects[obj["id"]] = obj
        return obj

    def _get(self, oid: Any, kind: str, param: str = "id") -> dict:
        obj = self.objects.get(oid) if isinstance(oid, str) else None
        if not obj or obj["object"] != kind or obj.get("deleted"):
            raise missing(kind, oid, param)
        return obj

    def of_kind(self, kind: str, **equal: Any) -> list[dict]:
        """Stored objects of a kind whose fields equal ``equal``, oldest first."""
        with self._lock:
            objs = list(self.objects.values())
        return [
            o
            for o in objs
            if o["object"] == kind and all(o.get(k) == v for k, v in equal.items())
        ]

    @staticmethod
    def public(obj: dict) -> dict:
        """A deep copy of ``obj`` without the fake's private ``_fields``."""
        return copy.deepcopy({k: v for k, v in obj.items() if not k.startswith("_")})

    def _list(self, kind: str, p: dict, url: str, match=None) -> dict:
        """A Stripe list, newest first, with ``limit`` and ``starting_after``."""
        objs = [o for o in reversed(self.of_kind(kind)) if not o.get("deleted")]
        objs = [o for o in objs if match is None or match(o)]
        if after := p.get("starting_after"):
            ids = [o["id"] for o in objs]
            objs = objs[ids.index(after) + 1 :] if after in ids else []
        limit = _int(p, "limit", 10, minimum=1)
        data = [self.public(o) for o in objs[:limit]]
        return {
            "object": "list",
            "data": data,
            "has_more": len(objs) > limit,
            "url": url,
        }

    # --------------------------------------------------------------- events
    def _emit(self, type_: str, obj: dict, previous: dict | None = None) -> dict:
        data: dict[str, Any] = {"object": self.public(obj)}
        if previous:
            data["previous_attributes"] = copy.deepcopy(previous)
        event = self._new(
            "evt", "event", type=type_, data=data, api_version=API_VERSION
        )
        event.pop("metadata")
        event["pending_webhooks"] = len(self.endpoints)
        event["request"] = {"id": None, "idempotency_key": None}
        for endpoint in self.endpoints:
            if endpoint.is_url and self.auto_deliver:
                self._outbox.put((endpoint, event))
            else:
                endpoint.pending.append(event)
        return event

    @property
    def events(self) -> list[dict]:
        """Every event so far, oldest first (copies)."""
        return [copy.deepcopy(e) for e in self.of_kind("event")]

    def event_types(self) -> list[str]:
        return [e["type"] for e in self.of_kind("event")]

    def add_endpoint(self, target, *, secret: str | None = None) -> Endpoint:
        """Send webhooks to ``target``: an http URL or a callable (see Endpoint)."""
        endpoint = Endpoint(target, secret or self.webhook_secret)
        with self._lock:
            self.endpoints.append(endpoint)
        return endpoint

    def _post(self, endpoint: Endpoint, event: dict) -> Delivery:
        payload = json.dumps(event, indent=2).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": sign_payload(payload, endpoint.secret),
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        }
        target = endpoint.target
        try:
            if isinstance(target, str):
                opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
                request = urllib.request.Request(target, payload, headers)
                with opener.open(request, timeout=30) as response:
                    status, body = response.status, response.read().decode()
            else:
                status, body = target(payload, headers)
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode(errors="replace")
        except OSError as error:
            status, body = None, repr(error)
        done = Delivery(event["id"], event["type"], str(target), status, body[:500])
        with self._lock:
            self.deliveries.append(done)
        return done

    def _send_outbox(self) -> None:
        while (item := self._outbox.get()) is not None:
            try:
                self._post(*item)
            finally:
                self._outbox.task_done()

    def wait_for_webhooks(self, timeout: float = 30) -> None:
        """Wait until the background sender has posted every queued event."""
        deadline = time.monotonic() + timeout
        while self._outbox.unfinished_tasks:
            if time.monotonic() > deadline:
                raise TimeoutError("webhooks are still queued")
            time.sleep(0.005)

    def flush(self) -> list[Delivery]:
        """Deliver every pending event now, in this thread, oldest first.

        In-process endpoints only receive events this way (helpers called from
        the test flush for you); URL endpoints too when ``auto_deliver`` is off."""
        self.wait_for_webhooks()
        done = []
        for endpoint in list(self.endpoints):
            while endpoint.pending:
                done.append(self._post(endpoint, endpoint.pending.pop(0)))
        return done

    def deliver(self, events=None, *, order=None) -> list[Delivery]:
        """Deliver ``events`` (dicts or ids; default: every pending one) to every
        endpoint, in the order given; ``order="reversed"`` or a callable reorders."""
        self.wait_for_webhooks()
        if events is None:
            events = list(
                {e["id"]: e for ep in self.endpoints for e in ep.pending}.values()
            )
        events = [self._get(e, "event") if isinstance(e, str) else e for e in events]
        if order == "reversed":
            events = events[::-1]
        elif callable(order):
            events = list(order(events))
        ids = {e["id"] for e in events}
        done = []
        for endpoint in list(self.endpoints):
            endpoint.pending = [e for e in endpoint.pending if e["id"] not in ids]
            done += [self._post(endpoint, event) for event in events]
        return done

    def resend(self, event) -> list[Delivery]:
        """Deliver a sent event again: same id and body, a fresh signature."""
        return self.deliver([event])

    def send_event(self, type_: str, obj, previous_attributes=None) -> dict:
        """Emit any event about ``obj`` (a dict, or the id of a stored object)."""
        with self._lock:
            obj = self.objects[obj] if isinstance(obj, str) else obj
            event = self._emit(type_, obj, previous_attributes)
        self._auto_flush()
        return copy.deepcopy(event)

    def _auto_flush(self) -> None:
        if self.auto_deliver:
            self.flush()

    # ------------------------------------------------------------ resources
    def create_customer(self, p: dict) -> dict:
        customer = self._new("cus", "customer", p, "email name description phone")
        customer.update(_nulls("address currency default_source discount test_clock"))
        customer.update(balance=0, delinquent=False, tax_exempt="none", _invoices=0)
        customer.update(invoice_prefix=secrets.token_hex(4).upper())
        customer["invoice_settings"] = {"default_payment_method": None, "footer": None}
        customer["preferred_locales"] = p.get("preferred_locales") or []
        self._emit("customer.created", customer)
        return customer

    def _update(self, obj: dict, p: dict, names: str, event: str | None = None):
        before = self.public(obj)
        for name in names.split():
            if name in p:
                obj[name] = (p[name] == "true") if name == "active" else p[name] or None
        obj["metadata"] = _metadata(p, obj["metadata"])
        changed = {k: v for k, v in before.items() if obj.get(k) != v}
        if event and changed:
            self._emit(event, obj, changed)
        return obj

    def search_customers(self, p: dict) -> dict:
        """``query`` as ``email:'a@b.c'`` / ``metadata['k']:'v'`` joined by AND."""
        query = _required(p, "query")
        terms = re.findall(r"(\w+|metadata\['[^']+'\])\s*:\s*'([^']*)'", query)
        if not terms:
            raise bad(f"Unsupported search query: {query}", "query")

        def value(customer: dict, name: str) -> Any:
            meta = re.fullmatch(r"metadata\['([^']+)'\]", name)
            return customer["metadata"].get(meta[1]) if meta else customer.get(name)

        def match(customer: dict) -> bool:
            return all(value(customer, name) == wanted for name, wanted in terms)

        found = self._list("customer", p, "/v1/customers/search", match)
        return {**found, "object": "search_result", "next_page": None}

    def create_product(self, p: dict) -> dict:
        _required(p, "name")
        product = self._new(
            "prod", "product", p, "name description url", oid=p.get("id")
        )
        product.update(active=_bool(p, "active", True), default_price=None, images=[])
        product.update(marketing_features=[], type="service", updated=self.now())
        return product

    def create_price(self, p: dict) -> dict:
        if "product_data" in p:
            product = self.create_product(p["product_data"])
        else:
            product = self._get(_required(p, "product"), "product", "product")
        _required(p, "unit_amount")
        amount = _int(p, "unit_amount")
        recurring = p.get("recurring")
        if recurring is not None:
            interval = (
                recurring.get("interval") if isinstance(recurring, dict) else None
            )
            if interval not in ("day", "week", "month", "year"):
                raise bad("Invalid recurring[interval]", "recurring[interval]")
            count = _int(recurring, "interval_count", 1, minimum=1)
            recurring = {"interval": interval, "interval_count": count, "meter": None}
            recurring.update(trial_period_days=None, usage_type="licensed")
        price = self._new(
            "price", "price", p, "lookup_key nickname", recurring=recurring
        )
        price.update(active=_bool(p, "active", True), billing_scheme="per_unit")
        price.update(currency=_required(p, "currency").lower(), product=product["id"])
        price.update(type="recurring" if recurring else "one_time", unit_amount=amount)
        price.update(tax_behavior=p.get("tax_behavior", "unspecified"))
        price["unit_amount_decimal"] = str(amount)
        return price

    def create_coupon(self, p: dict) -> dict:
        percent, amount = p.get("percent_off"), _int(p, "amount_off", minimum=1)
        if (percent is None) == (amount is None):
            raise bad("Pass exactly one of percent_off and amount_off.", "percent_off")
        if percent is not None:
            if (
                not re.fullmatch(r"\d+(\.\d+)?", percent)
                or not 0 < float(percent) <= 100
            ):
                raise bad("percent_off must be between 0 and 100.", "percent_off")
            percent = float(percent)
        if amount is not None and not p.get("currency"):
            raise bad("You must pass currency when passing amount_off.", "currency")
        duration = p.get("duration", "once")
        if duration not in ("once", "repeating", "forever"):
            raise bad(f"Invalid duration: {duration}", "duration")
        months = _int(p, "duration_in_months", minimum=1)
        if (duration == "repeating") != (months is not None):
            msg = "duration_in_months goes with duration=repeating, and only with it."
            raise bad(msg, "duration_in_months")
        if p.get("id") in self.objects:
            raise bad("Coupon already exists.", "id", code="resource_already_exists")
        coupon = self._new(
            "co", "coupon", p, "name", oid=p.get("id"), duration=duration
        )
        coupon.update(percent_off=percent, amount_off=amount, duration_in_months=months)
        coupon.update(currency=(p.get("currency") or "").lower() or None)
        coupon.update(max_redemptions=_int(p, "max_redemptions", minimum=1))
        coupon.update(redeem_by=_int(p, "redeem_by"), times_redeemed=0, valid=True)
        return coupon

    def create_promotion_code(self, p: dict) -> dict:
        promotion = p.get("promotion")
        if not isinstance(promotion, dict) or promotion.get("type") != "coupon":
            raise bad("Missing required param: promotion[type].", "promotion[type]")
        coupon = self._get(promotion.get("coupon"), "coupon", "promotion[coupon]")
        promo = self._new("promo", "promotion_code", p, "customer", times_redeemed=0)
        promo.update(active=_bool(p, "active", True), expires_at=_int(p, "expires_at"))
        promo.update(code=p.get("code") or secrets.token_hex(4).upper())
        promo.update(max_redemptions=_int(p, "max_redemptions", minimum=1))
        promo["promotion"] = {"type": "coupon", "coupon": coupon["id"]}
        promo["restrictions"] = {
            "first_time_transaction": False,
            "minimum_amount": None,
        }
        return promo

    def find_promotion_code(self, code: str) -> dict | None:
        code = code.strip().lower()
        for promo in self.of_kind("promotion_code", active=True):
            if promo["code"].lower() == code:
                return promo
        return None

    def _discount_entry(self, item: dict, index: int) -> dict:
        if item.get("promotion_code"):
            param = f"discounts[{index}][promotion_code]"
            promo = self._get(item["promotion_code"], "promotion_code", param)
            return {
                "coupon": promo["promotion"]["coupon"],
                "promotion_code": promo["id"],
            }
        param = f"discounts[{index}][coupon]"
        coupon = self._get(item.get("coupon"), "coupon", param)
        if not coupon["valid"]:
            raise bad("This coupon is no longer valid.", param)
        return {"coupon": coupon["id"], "promotion_code": None}

    # ----------------------------------------------------- checkout sessions
    def create_checkout_session(self, p: dict) -> dict:
        if p.get("mode") != "subscription":
            raise bad("This fake Stripe supports mode=subscription only.", "mode")
        if p.get("customer") and p.get("customer_email"):
            raise bad("Pass customer or customer_email, not both.", "customer_email")
        if p.get("discounts") and p.get("allow_promotion_codes"):
            raise bad("Pass allow_promotion_codes or discounts, not both.", "discounts")
        if p.get("customer"):
            self._get(p["customer"], "customer", "customer")
        if not isinstance(p.get("line_items"), list):
            _required({}, "line_items")
        lines = []
        for index, item in enumerate(p["line_items"]):
            price = self._get(item.get("price"), "price", f"line_items[{index}][price]")
            if price["type"] != "recurring":
                msg = "Subscription mode needs a recurring price."
                raise bad(msg, f"line_items[{index}][price]")
            lines.append(
                {"price": price["id"], "quantity": _int(item, "quantity", 1, 1)}
            )
        discounts = [
            self._discount_entry(d, i) for i, d in enumerate(p.get("discounts") or [])
        ]
        sub_data = p.get("subscription_data") or {}
        _pick(sub_data, "trial_period_days metadata description proration_behavior")
        trial_days = _int(sub_data, "trial_period_days", minimum=1)
        subtotal = sum(
            self.objects[x["price"]]["unit_amount"] * x["quantity"] for x in lines
        )
        total = functools.reduce(
            lambda amount, d: self._apply(self.objects[d["coupon"]], amount),
            discounts,
            subtotal,
        )
        copied = "cancel_url client_reference_id customer customer_email locale"
        session = self._new(
            "cs_test", "checkout.session", p, copied, mode="subscription"
        )
        session.update(_nulls("customer_details invoice subscription"))
        session.update(allow_promotion_codes=_bool(p, "allow_promotion_codes", False))
        session.update(
            amount_subtotal=subtotal, amount_total=0 if trial_days else total
        )
        session.update(currency=self.objects[lines[0]["price"]]["currency"])
        session.update(customer_creation=None if p.get("customer") else "always")
        session.update(discounts=discounts, payment_method_types=["card"])
        session.update(expires_at=_int(p, "expires_at") or self.now() + DAY)
        session.update(payment_status="unpaid", status="open", ui_mode="hosted")
        session.update(success_url=_required(p, "success_url"))
        session["total_details"] = _nulls("amount_shipping amount_tax") | {
            "amount_discount": 0
        }
        session.update(_lines=lines, _trial_days=trial_days, _sub_data=sub_data)
        session["url"] = f"{self.url}/c/pay/{session['id']}"
        return session

    def checkout_error(self, session_id: str, form: dict) -> StripeError | None:
        """What the hosted page would say about ``form``; None if it pays."""
        session = self._get(session_id, "checkout.session")
        if session["status"] != "open" or self.now() > session["expires_at"]:
            return bad("This checkout session is no longer available.")
        fixed = session["customer"] or session["customer_email"]
        if not fixed and "@" not in form.get("email", ""):
            return bad("Enter a valid email address.", "email")
        number = re.sub(r"[\s-]", "", form.get("card_number", ""))
        if not luhn_ok(number):
            return card_error("Your card number is invalid.", "incorrect_number")
        expiry = re.fullmatch(
            r"\s*(\d\d?)\s*/\s*(\d\d|\d{4})\s*", form.get("expiry", "")
        )
        if not expiry or not 1 <= int(expiry[1]) <= 12:
            msg = "Your card's expiration date is incomplete."
            return card_error(msg, "incomplete_expiry", "expiry")
        year = int(expiry[2]) % 100 + 2000
        today = datetime.fromtimestamp(self.now(), UTC)
        if (year, int(expiry[1])) < (today.year, today.month):
            msg = "Your card's expiration date is in the past."
            return card_error(msg, "invalid_expiry_year", "expiry")
        if not re.fullmatch(r"\d{3,4}", form.get("cvc", "").strip()):
            return card_error(
                "Your card's security code is incomplete.", "incomplete_cvc", "cvc"
            )
        code = form.get("promotion_code", "").strip()
        if code and not (
            session["allow_promotion_codes"] and self.find_promotion_code(code)
        ):
            return bad("This code is invalid.", "promotion_code")
        decline = TEST_CARDS.get(number)
        if number == CARD_FAILS_LATER and not session["_trial_days"]:
            decline = DECLINED
        return (
            card_error(decline[2], decline[0], decline_code=decline[1])
            if decline
            else None
        )

    def complete_checkout(
        self,
        session_id: str,
        *,
        card: str = "4242 4242 4242 4242",
        email: str = "reader@example.com",
        name: str = "",
        expiry: str = "12 / 40",
        cvc: str = "123",
        promotion_code: str = "",
    ) -> dict:
        """Pay a session as its page's form would, then deliver the webhooks.

        Returns the completed session; raises StripeError (402) for a declined
        or invalid card, leaving the session open."""
        form = {"card_number": card, "email": email, "name": name, "expiry": expiry}
        form.update(cvc=cvc, promotion_code=promotion_code)
        session = self.pay_checkout(session_id, form)
        self._auto_flush()
        return session

    def pay_checkout(self, session_id: str, form: dict) -> dict:
        """Validate and pay, without delivering (shared with the page)."""
        with self._lock:
            error = self.checkout_error(session_id, form)
            if error:
                raise error
            return self.public(self._pay_checkout(self.objects[session_id], form))

    def _pay_checkout(self, session: dict, form: dict) -> dict:
        if session["customer"]:
            customer = self.objects[session["customer"]]
        else:
            email = session["customer_email"] or form["email"].strip()
            customer = self.create_customer({"email": email, "name": form.get("name")})
        number = re.sub(r"[\s-]", "", form["card_number"])
        month, year = re.findall(r"\d+", form["expiry"])[:2]
        card = {
            "brand": "mastercard" if number[0] == "5" else "visa",
            "last4": number[-4:],
        }
        card.update(
            exp_month=int(month), exp_year=int(year) % 100 + 2000, _number=number
        )
        pm = self._new(
            "pm", "payment_method", type="card", card=card, customer=customer["id"]
        )
        discounts = session["discounts"]
        if form.get("promotion_code", "").strip():
            promo = self.find_promotion_code(form["promotion_code"])
            discounts = [
                {"coupon": promo["promotion"]["coupon"], "promotion_code": promo["id"]}
            ]
        sub = self._create_subscription(customer, session, pm, discounts)
        invoice = self.objects[sub["latest_invoice"]]
        paid = "paid" if invoice["amount_paid"] else "no_payment_required"
        session.update(status="complete", payment_status=paid, customer=customer["id"])
        session.update(
            subscription=sub["id"], invoice=invoice["id"], discounts=discounts
        )
        session["customer_details"] = {
            "email": customer["email"],
            "name": customer["name"],
        }
        session["amount_total"] = invoice["total"]
        session["total_details"]["amount_discount"] = (
            invoice["subtotal"] - invoice["total"]
        )
        self._emit("checkout.session.completed", session)
        return session

    # -------------------------------------------------------- subscriptions
    def _create_subscription(self, customer, session, pm, discounts) -> dict:
        now, days = self.now(), session["_trial_days"]
        trial_end = now + days * DAY if days else None
        sub = self._new("sub", "subscription", session["_sub_data"], "description")
        sub.update(
            _nulls("cancel_at canceled_at days_until_due ended_at pending_update")
        )
        sub.update(_nulls("latest_invoice test_clock"), _periods=0, discounts=[])
        sub.update(billing_cycle_anchor=trial_end or now, cancel_at_period_end=False)
        sub.update(cancellation_details=_nulls("comment feedback reason"))
        sub.update(
            collection_method="charge_automatically", currency=session["currency"]
        )
        sub.update(customer=customer["id"], default_payment_method=pm["id"])
        sub.update(status="trialing" if trial_end else "active", start_date=now)
        sub.update(trial_end=trial_end, trial_start=now if trial_end else None)
        items = [
            {"id": f"si_{secrets.token_hex(12)}", "object": "subscription_item"}
            | {"created": now, "discounts": [], "metadata": {}, "tax_rates": []}
            | {
                "price": self.public(self.objects[line["price"]]),
                "subscription": sub["id"],
            }
            | {"quantity": line["quantity"]}
            for line in session["_lines"]
        ]
        sub["items"] = {"object": "list", "data": items, "has_more": False}
        sub["items"].update(total_count=len(items), url="/v1/subscription_items")
        for entry in discounts:
            coupon = self.objects[entry["coupon"]]
            coupon["times_redeemed"] += 1
            months = coupon["duration_in_months"]
            end = add_interval(now, "month", months) if months else None
            discount = self._new(
                "di", "discount", entry, "promotion_code", start=now, end=end
            )
            discount.update(coupon=self.public(coupon), customer=customer["id"])
            discount.update(subscription=sub["id"])
            discount.pop("metadata")
            sub["discounts"].append(discount["id"])
        self._set_period(sub, now, trial_end)
        self._emit("customer.subscription.created", sub)
        self._charge(
            sub, self._invoice(sub, "subscription_create", trial=bool(trial_end))
        )
        return sub

    def _set_period(self, sub: dict, start: int, end: int | None = None) -> None:
        """Start the next period at ``start``; it ends at ``end`` or one interval
        after the billing anchor, counted from the anchor like Stripe."""
        if end is None:
            sub["_periods"] += 1
            recurring = sub["items"]["data"][0]["price"]["recurring"]
            count = recurring["interval_count"] * sub["_periods"]
            end = add_interval(
                sub["billing_cycle_anchor"], recurring["interval"], count
            )
        for item in sub["items"]["data"]:
            item.update(current_period_start=start, current_period_end=end)

    @staticmethod
    def period_end(sub: dict) -> int:
        """Since API version 2025-03-31 periods live on the subscription items."""
        return sub["items"]["data"][0]["current_period_end"]

    @staticmethod
    def _apply(coupon: dict, amount: int) -> int:
        if coupon["percent_off"]:
            return amount - round(amount * coupon["percent_off"] / 100)
        return max(amount - coupon["amount_off"], 0)

    def _discounted(self, sub: dict, subtotal: int) -> int:
        total = subtotal
        for discount in (self.objects[d] for d in sub["discounts"]):
            if discount["end"] and self.now() >= discount["end"]:
                continue
            if discount["coupon"]["duration"] == "once" and discount.get("_used"):
                continue
            total = self._apply(discount["coupon"], total)
            discount["_used"] = discount.get("_used") or subtotal > 0
        return total

    def _invoice(self, sub: dict, reason: str, *, trial: bool = False) -> dict:
        customer = self.objects[sub["customer"]]
        customer["_invoices"] += 1
        start, end = (
            sub["items"]["data"][0]["current_period_start"],
            self.period_end(sub),
        )
        lines = []
        for item in sub["items"]["data"]:
            price = item["price"]
            amount = 0 if trial else price["unit_amount"] * item["quantity"]
            details = {"price": price["id"], "product": price["product"]}
            line = {"id": f"il_{secrets.token_hex(12)}", "object": "line_item"}
            line.update(
                amount=amount, currency=price["currency"], quantity=item["quantity"]
            )
            line.update(
                description=price["nickname"], period={"start": start, "end": end}
            )
            line["pricing"] = {"type": "price_details", "price_details": details}
            lines.append(line)
        subtotal = sum(line["amount"] for line in lines)
        total = self._discounted(sub, subtotal)
        invoice = self._new(
            "in", "invoice", billing_reason=reason, _subscription=sub["id"]
        )
        invoice.update(_nulls("hosted_invoice_url invoice_pdf next_payment_attempt"))
        invoice.update(amount_due=total, amount_paid=0, amount_remaining=total)
        invoice.update(attempt_count=0, attempted=False, currency=sub["currency"])
        invoice.update(
            collection_method="charge_automatically", customer=customer["id"]
        )
        invoice.update(customer_email=customer["email"], customer_name=customer["name"])
        invoice.update(discounts=list(sub["discounts"]), subtotal=subtotal, total=total)
        invoice["lines"] = {"object": "list", "data": lines, "has_more": False}
        invoice["number"] = f"{customer['invoice_prefix']}-{customer['_invoices']:04d}"
        invoice.update(period_start=start, period_end=end, status="open")
        invoice["status_transitions"] = {"finalized_at": self.now(), "paid_at": None}
        details = {"subscription": sub["id"], "metadata": dict(sub["metadata"])}
        invoice["parent"] = {"type": "subscription_details", "quote_details": None}
        invoice["parent"]["subscription_details"] = details
        sub["latest_invoice"] = invoice["id"]
        return invoice

    def _charge(self, sub: dict, invoice: dict) -> bool:
        """Attempt to pay ``invoice``; set the subscription's status; emit the
        invoice events (``_settle`` reports the subscription's change)."""
        invoice.update(attempted=True, attempt_count=invoice["attempt_count"] + 1)
        card = self.objects[sub["default_payment_method"]]["card"]["_number"]
        forced = self._failures.get(sub["id"], 0) > 0 and invoice["amount_due"] > 0
        fails = forced or (card == CARD_FAILS_LATER and invoice["amount_due"] > 0)
        if forced:
            self._failures[sub["id"]] -= 1
        if not fails:
            invoice.update(status="paid", amount_paid=invoice["amount_due"])
            invoice.update(amount_remaining=0, next_payment_attempt=None)
            invoice["status_transitions"]["paid_at"] = self.now()
            trial_over = self.now() >= (sub["trial_end"] or 0)
            if sub["status"] in ("past_due", "unpaid") or (
                sub["status"] == "trialing" and trial_over
            ):
                sub["status"] = "active"
            self._emit("invoice.paid", invoice)
            if invoice["amount_paid"]:
                self._emit("invoice.payment_succeeded", invoice)
            return True
        given_up = invoice["attempt_count"] >= self.max_payment_attempts
        retry = None if given_up else self.now() + self.retry_days * DAY
        invoice["next_payment_attempt"] = retry
        sub["status"] = self.retries_exhausted_status if given_up else "past_due"
        if sub["status"] == "canceled":
            sub.update(ended_at=self.now(), canceled_at=self.now())
            sub["cancellation_details"]["reason"] = "payment_failed"
        self._emit("invoice.payment_failed", invoice)
        return False

    def _settle(self, sub: dict, invoice: dict, previous: dict | None = None) -> bool:
        """Charge, then emit the subscription's change as Stripe does."""
        previous, status = dict(previous or {}), sub["status"]
        paid = self._charge(sub, invoice)
        if sub["status"] != status:
            previous["status"] = status
        if sub["status"] == "canceled":
            self._emit("customer.subscription.deleted", sub)
        elif previous:
            self._emit("customer.subscription.updated", sub, previous)
        return paid

    def update_subscription(self, sub_id: str, p: dict) -> dict:
        sub = self._get(sub_id, "subscription")
        if sub["status"] == "canceled":
            raise bad("A canceled subscription can only update its metadata.", "id")
        before = self.public(sub)
        cancel = _bool(p, "cancel_at_period_end")
        if cancel is not None:
            sub["cancel_at_period_end"] = cancel
            sub["cancel_at"] = self.period_end(sub) if cancel else None
            sub["canceled_at"] = self.now() if cancel else None
            reason = "cancellation_requested" if cancel else None
            sub["cancellation_details"]["reason"] = reason
        for index, change in enumerate(p.get("items") or []):
            items = {item["id"]: item for item in sub["items"]["data"]}
            if change.get("id") not in items:
                raise missing(
                    "subscription item", change.get("id"), f"items[{index}][id]"
                )
            item = items[change["id"]]
            if "price" in change:
                price = self._get(change["price"], "price", f"items[{index}][price]")
                item["price"] = self.public(price)
            item["quantity"] = _int(change, "quantity", item["quantity"], minimum=1)
        sub["metadata"] = _metadata(p, sub["metadata"])
        if p.get("trial_end") == "now" and sub["status"] == "trialing":
            sub.update(
                trial_end=self.now(), billing_cycle_anchor=self.now(), _periods=0
            )
            self._set_period(sub, self.now())
            self._charge(sub, self._invoice(sub, "subscription_cycle"))
        changed = {k: v for k, v in before.items() if sub.get(k) != v}
        if changed:
            self._emit("customer.subscription.updated", sub, changed)
        return sub

    def cancel_subscription(self, sub_id: str) -> dict:
        sub = self._get(sub_id, "subscription")
        if sub["status"] == "canceled":
            raise bad("This subscription has already been canceled.", "id")
        sub.update(status="canceled", canceled_at=self.now(), ended_at=self.now())
        sub["cancel_at"] = None
        sub["cancellation_details"]["reason"] = "cancellation_requested"
        self._emit("customer.subscription.deleted", sub)
        return sub

    def create_portal_session(self, p: dict) -> dict:
        customer = self._get(_required(p, "customer"), "customer", "customer")
        portal = self._new("bps", "billing_portal.session", p, "locale return_url")
        portal.update(configuration="bpc_herald_fake", customer=customer["id"])
        portal.update(flow=None, on_behalf_of=None)
        portal.pop("metadata")
        portal["url"] = f"{self.url}/p/session/{portal['id']}"
        return portal

    def portal_action(self, portal_id: str, form: dict) -> dict:
        """Do what the portal page's buttons do, then deliver the webhooks.

        ``form``: ``subscription`` and ``action`` (``cancel`` at period end,
        ``cancel_now``, ``renew``, or ``switch`` with ``price``)."""
        portal = self.act_in_portal(portal_id, form)
        self._auto_flush()
        return portal

    def act_in_portal(self, portal_id: str, form: dict) -> dict:
        """``portal_action`` without delivering (shared with the page)."""
        with self._lock:
            portal = self._get(portal_id, "billing_portal.session")
            sub = self._get(form.get("subscription"), "subscription", "subscription")
            if sub["customer"] != portal["customer"]:
                raise missing("subscription", sub["id"], "subscription")
            action = form.get("action")
            if action == "cancel_now":
                self.cancel_subscription(sub["id"])
            elif action in ("cancel", "renew"):
                flag = "true" if action == "cancel" else "false"
                self.update_subscription(sub["id"], {"cancel_at_period_end": flag})
            elif action == "switch":
                change = {
                    "id": sub["items"]["data"][0]["id"],
                    "price": form.get("price"),
                }
                self.update_subscription(sub["id"], {"items": [change]})
            else:
                raise bad(f"Unknown action: {action}", "action")
            return self.public(portal)

    # ----------------------------------------------------- helpers: time
    def fail_next_payment(self, sub_id: str, count: int = 1) -> None:
        """Make the next ``count`` charges of this subscription decline."""
        with self._lock:
            self._get(sub_id, "subscription")
            self._failures[sub_id] = self._failures.get(sub_id, 0) + count

    def advance_time(self, sub_id: str | None = None, *, to) -> None:
        """Move the fake's clock to ``to`` (aware datetime or unix time) and do,
        in time order, what Stripe would for the subscription (default: all):
        trial ends, renewals, payment retries, cancellations at period end."""
        target = int(to.timestamp()) if isinstance(to, datetime) else int(to)
        with self._lock:
            subs = [self._get(sub_id, "subscription")] if sub_id else None
            while True:
                steps = []
                for sub in subs or self.of_kind("subscription"):
                    if sub["status"] in ("canceled", "unpaid"):
                        continue
                    steps.append((self.period_end(sub), "renew", sub))
                    invoice = self.objects.get(sub["latest_invoice"] or "")
                    if invoice and invoice["status"] == "open":
                        retry = invoice["next_payment_attempt"]
                        steps += [(retry, "retry", sub)] if retry else []
                due = sorted((s for s in steps if s[0] <= target), key=lambda s: s[:2])
                if not due:
                    break
                when, action, sub = due[0]
                self._clock_offset = max(self._clock_offset, when - int(time.time()))
                if action == "retry":
                    self._settle(sub, self.objects[sub["latest_invoice"]])
                else:
                    self._renew(sub)
            self._clock_offset = max(self._clock_offset, target - int(time.time()))
        self._auto_flush()

    def _renew(self, sub: dict) -> None:
        if sub["cancel_at_period_end"]:
            sub.update(status="canceled", ended_at=self.period_end(sub))
            self._emit("customer.subscription.deleted", sub)
            return
        before = {"items": copy.deepcopy(sub["items"])}
        self._set_period(sub, self.period_end(sub))
        self._settle(sub, self._invoice(sub, "subscription_cycle"), before)

    def retry_payment(self, sub_id: str) -> bool:
        """Attempt the subscription's open invoice again now; True if paid."""
        with self._lock:
            sub = self._get(sub_id, "subscription")
            invoice = self.objects[sub["latest_invoice"]]
            if invoice["status"] != "open":
                raise bad("Invoice is already paid.", code="invoice_already_paid")
            paid = self._settle(sub, invoice)
        self._auto_flush()
        return paid

    # -------------------------------------------------------------- the API
    def handle_api(self, method: str, path: str, p: dict) -> dict:
        """Route one API call (``p``: decoded form or query) to its handler."""
        for verb, pattern, handler, allowed in ROUTES:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                expand = p.get("expand") or []
                _pick(p, allowed)
                with self._lock:
                    result = self.public(self._call(handler, p, *match.groups()))
                    for dotted in expand if isinstance(expand, list) else [expand]:
                        self._expand(result, dotted)
                return result
        raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")

    def _call(self, handler: str, p: dict, *ids: str) -> dict:
        action, _, kind = handler.partition(":")
        if action == "get":
            return self._get(ids[0], kind)
        if action == "delete":
            obj = self._get(ids[0], kind)
            obj.update(deleted=True, valid=False)
            if kind == "customer":
                obj.pop("valid")
                self._emit("customer.deleted", obj)
            return {"id": ids[0], "object": kind, "deleted": True}
        if action == "list":  # filters: fields (or _fields) equal to the params
            names = [n for n in ROUTE_FILTERS[handler].split() if n in p]

            def match(o: dict) -> bool:
                value = {n: str(o.get(n, o.get("_" + n))).lower() for n in names}
                return all(value[n] == str(p[n]).lower() for n in names)

            return self._list(kind, p, f"/v1/{kind.replace('.', '/')}s", match)
        return getattr(self, action)(*ids, p) if ids else getattr(self, action)(p)

    def _expand(self, obj: Any, path: str) -> None:
        head, _, rest = path.partition(".")
        if isinstance(obj, list):
            for element in obj:
                self._expand(element, path)
            return
        if head == "line_items" and obj.get("object") == "checkout.session":
            data = [
                {"object": "item", "quantity": line["quantity"]}
                | {"price": self.public(self.objects[line["price"]])}
                for line in self.objects[obj["id"]]["_lines"]
            ]
            obj["line_items"] = {"object": "list", "data": data, "has_more": False}
        if not isinstance(obj, dict) or head not in obj:
            raise bad(f"This property cannot be expanded ({path}).", "expand")
        value = obj[head]
        if isinstance(value, str) and value in self.objects:
            value = obj[head] = self.public(self.objects[value])
        elif isinstance(value, list):
            stored = self.objects
            value = obj[head] = [
                self.public(stored[v]) if isinstance(v, str) and v in stored else v
                for v in value
            ]
        if rest and value is not None:
            self._expand(value, rest)

    def list_prices(self, p: dict) -> dict:
        active, keys = _bool(p, "active"), p.get("lookup_keys")

        def match(price: dict) -> bool:
            fields = ("product", "type", "currency")
            return (
                all(p.get(n) in (None, price[n]) for n in fields)
                and active in (None, price["active"])
                and (keys is None or price["lookup_key"] in keys)
            )

        return self._list("price", p, "/v1/prices", match)

    def list_subscriptions(self, p: dict) -> dict:
        """Like Stripe: canceled ones only with ``status=canceled`` or ``all``."""
        status = p.get("status")

        def match(sub: dict) -> bool:
            prices = [item["price"]["id"] for item in sub["items"]["data"]]
            return (
                (
                    status in ("all", sub["status"])
                    or not status
                    and sub["status"] != "canceled"
                )
                and p.get("customer") in (None, sub["customer"])
                and p.get("price") in (None, *prices)
            )

        return self._list("subscription", p, "/v1/subscriptions", match)

    def update_customer(self, cid: str, p: dict) -> dict:
        names = "email name description phone preferred_locales"
        return self._update(self._get(cid, "customer"), p, names, "customer.updated")

    def update_product(self, pid: str, p: dict) -> dict:
        return self._update(self._get(pid, "product"), p, "name description active")

    def update_price(self, pid: str, p: dict) -> dict:
        return self._update(self._get(pid, "price"), p, "active nickname lookup_key")

    def expire_checkout_session(self, sid: str, p: dict) -> dict:
        session = self._get(sid, "checkout.session")
        if session["status"] != "open":
            raise bad("Only an open session can be expired.", "session")
        session["status"] = "expired"
        self._emit("checkout.session.expired", session)
        return session

    def update_subscription_api(self, sid: str, p: dict) -> dict:
        return self.update_subscription(sid, p)

    def cancel_subscription_api(self, sid: str, p: dict) -> dict:
        return self.cancel_subscription(sid)

    def pay_invoice(self, iid: str, p: dict) -> dict:
        invoice = self._get(iid, "invoice")
        if invoice["status"] != "open":
            raise bad("Invoice is already paid.", code="invoice_already_paid")
        if not self._settle(self.objects[invoice["_subscription"]], invoice):
            raise card_error("Your card was declined.", "card_declined", None)
        return invoice


def _pick(p: dict, allowed: str) -> dict:
    """Refuse parameters Stripe would call unknown."""
    for name in p:
        if name not in allowed.split() and name != "expand":
            raise bad(
                f"Received unknown parameter: {name}", name, code="parameter_unknown"
            )
    return p


# METHOD PATH HANDLER ALLOWED-PARAMETERS (indented lines continue the list).
# Handlers: "get:<object>", "delete:<object>", "list:<object>" (filters: the
# allowed parameters other than paging) or the name of a FakeStripe method.
_ROUTE_TABLE = """
POST /v1/customers create_customer email name description phone metadata address
    payment_method invoice_settings preferred_locales shipping tax_exempt
GET /v1/customers list:customer email
GET /v1/customers/search search_customers query limit page
GET /v1/customers/{id} get:customer
POST /v1/customers/{id} update_customer email name description phone metadata
    address invoice_settings preferred_locales
DELETE /v1/customers/{id} delete:customer
POST /v1/products create_product id name description active metadata images url
    marketing_features
GET /v1/products list:product active
GET /v1/products/{id} get:product
POST /v1/products/{id} update_product name description active metadata
POST /v1/prices create_price product product_data unit_amount currency recurring
    nickname lookup_key metadata active tax_behavior transfer_lookup_key
GET /v1/prices list_prices product active type currency lookup_keys
GET /v1/prices/{id} get:price
POST /v1/prices/{id} update_price active nickname lookup_key metadata
POST /v1/coupons create_coupon id percent_off amount_off currency duration name
    duration_in_months max_redemptions redeem_by metadata applies_to
GET /v1/coupons list:coupon
GET /v1/coupons/{id} get:coupon
DELETE /v1/coupons/{id} delete:coupon
POST /v1/promotion_codes create_promotion_code promotion code active customer
    expires_at max_redemptions metadata restrictions
GET /v1/promotion_codes list:promotion_code code active
GET /v1/promotion_codes/{id} get:promotion_code
POST /v1/checkout/sessions create_checkout_session mode customer customer_email
    line_items success_url cancel_url subscription_data discounts metadata locale
    allow_promotion_codes client_reference_id expires_at payment_method_types
    billing_address_collection customer_update automatic_tax tax_id_collection
    consent_collection custom_text payment_method_collection
GET /v1/checkout/sessions list:checkout.session customer
GET /v1/checkout/sessions/{id} get:checkout.session
POST /v1/checkout/sessions/{id}/expire expire_checkout_session
POST /v1/billing_portal/sessions create_portal_session customer return_url locale
    configuration flow_data on_behalf_of
GET /v1/subscriptions list_subscriptions customer status price
GET /v1/subscriptions/{id} get:subscription
POST /v1/subscriptions/{id} update_subscription_api cancel_at_period_end items
    metadata proration_behavior payment_behavior trial_end cancellation_details
DELETE /v1/subscriptions/{id} cancel_subscription_api invoice_now prorate
    cancellation_details
GET /v1/invoices list:invoice customer subscription status
GET /v1/invoices/{id} get:invoice
POST /v1/invoices/{id}/pay pay_invoice payment_method off_session
GET /v1/events list:event type
GET /v1/events/{id} get:event
"""
_PAGING = " limit starting_after ending_before created"
ROUTES: list[tuple[str, str, str, str]] = []
ROUTE_FILTERS: dict[str, str] = {}
for _line in re.sub(r"\n\s+", " ", _ROUTE_TABLE).strip().splitlines():
    _method, _path, _handler, *_allowed = _line.split()
    _pattern = _path.replace("{id}", r"([\w-]+)")
    _params = " ".join(_allowed)
    if _handler.startswith("list") or _handler == "list_subscriptions":
        ROUTE_FILTERS[_handler] = _params
        _params += _PAGING
    ROUTES.append((_method, _pattern, _handler, _params))
