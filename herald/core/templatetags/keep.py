"""``{% keep "kind" page vary… %}…{% endkeep %}``: a template fragment kept for
later readers when ``core.keep`` allows it.

Like Django's ``{% cache %}``, but the decision and the key are not the
template's: the fragment is kept only when the policy allows it for this request
and page (never for a preview, a page that is not live, or a reader who is not
anonymous), keyed by the page's live revision, the language, the time zone and
the ``vary`` values, in this process under the change generation. A ``vary``
value that is empty or None means "do not keep this one" (an odd URL).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from herald.core import keep as keeping

register = template.Library()


class KeepNode(template.Node):
    def __init__(
        self, nodelist: template.NodeList, kind: Any, page: Any, vary: list[Any]
    ) -> None:
        self.nodelist = nodelist
        self.kind = kind
        self.page = page
        self.vary = vary

    def render(self, context: Any) -> SafeString:
        request = context.get("request")
        page = self.page.resolve(context)
        vary = [v.resolve(context) for v in self.vary]
        key = None
        if all(v not in (None, "") for v in vary):
            key = keeping.kept_rendering(
                f"fragment:{self.kind.resolve(context)}",
                request,
                page,
                *vary,
                neutral=False,
            )
        if key is None:
            return self.nodelist.render(context)
        return mark_safe(  # noqa: S308 - our own template's output
            keeping.get_or_build(key, lambda: str(self.nodelist.render(context)))
        )


@register.tag("keep")
def do_keep(parser: Any, token: Any) -> KeepNode:
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(
            f"'{bits[0]}' takes a kind, a page (or None) and any vary values."
        )
    nodelist = parser.parse(("endkeep",))
    parser.delete_first_token()
    kind, page, *vary = (parser.compile_filter(b) for b in bits[1:])
    return KeepNode(nodelist, kind, page, vary)
