"""The demo publication's standing pages: About, Ethics, Corrections, Privacy, Contact.

Written for The Avenell Courier (see ``publication.py``); every name, address and
promise here is invented for Herald's demo.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import publication


@dataclass(frozen=True)
class StandingPage:
    slug: str
    kind: str
    title: str
    intro: str
    body: str


DOMAIN = publication.DOMAIN

PAGES = (
    StandingPage(
        "about",
        "about",
        "About the Courier",
        "A newsroom owned by the people who read it, reporting from Port Avenell "
        "since the ferry strike of 1961.",
        "<p>The Avenell Courier began as a four-page bulletin printed by dock "
        "workers who wanted to know what the harbour board had decided before the "
        "rumours reached the quay. It is now a daily newsroom of twenty-six people "
        "covering the Saltmarsh coast, Veyland and the countries our trade and "
        "families connect us to.</p>"
        "<h2>Who owns us</h2>"
        "<p>The Courier belongs to the Avenell Courier Cooperative. Every reader who "
        "pays for a membership holds one share and one vote at the annual meeting, "
        "which elects the board. The board appoints the editor-in-chief but has no "
        "say over what we publish.</p>"
        "<h2>How we are paid for</h2>"
        "<p>Most of our money comes from members. The rest comes from advertising, "
        "which is marked as such and never placed inside a story, and from a small "
        "grant for our court reporting, listed with its amount in our annual "
        "report. We do not accept money from political parties or from companies "
        "we regularly cover.</p>"
        "<h2>The people</h2>"
        "<p>Our reporters' pages list what each of them covers and how to reach "
        "them. The editor-in-chief answers for everything we publish.</p>",
    ),
    StandingPage(
        "ethics",
        "ethics",
        "Our standards",
        "What you can expect from every story we publish, and what to do when we "
        "fall short.",
        "<h2>Accuracy first</h2>"
        "<p>Every fact in a story is checked by its reporter and read by an editor "
        "before it appears. Numbers are traced to where they were first published; "
        "quotes are recorded or written down as they are said.</p>"
        "<h2>Sources</h2>"
        "<p>We name our sources. When a person would lose their job or their safety "
        "by speaking openly, an editor must know who they are and agree that the "
        "story needs them, and we tell you why they are not named.</p>"
        "<h2>Independence</h2>"
        "<p>Reporters do not write about companies they hold shares in, relatives, "
        "or organisations they belong to. Gifts worth more than a coffee are "
        "returned. Travel paid for by others is declared at the foot of the story.</p>"
        "<h2>Labels</h2>"
        "<p>News, analysis, opinion and sponsored pieces are labelled at the top. "
        "Opinion writers speak for themselves, not for the Courier.</p>",
    ),
    StandingPage(
        "corrections-policy",
        "corrections",
        "Corrections policy",
        "When we get something wrong we say so, on the story, with the date.",
        "<p>A factual error is corrected as soon as an editor confirms it. The "
        "correction appears at the foot of the story, dated, and says what was "
        "wrong, not only what is right now. We do not quietly rewrite a published "
        "sentence.</p>"
        "<p>When a correction changes the meaning of a story, its time stamp shows "
        "it as updated, and readers who follow us by feed see the change.</p>"
        "<p>Spelling slips and broken links are fixed without a note. Headlines that "
        "overstated a story are corrected like any other sentence.</p>"
        f"<p>To report an error, write to corrections@{DOMAIN} with the story's "
        "address. The standards editor reads every message and replies within two "
        "working days.</p>",
    ),
    StandingPage(
        "privacy",
        "privacy",
        "Privacy",
        "What we keep about you, why, and how to have it removed.",
        "<h2>What we collect</h2>"
        "<p>If you sign in, we keep your email address, your membership and the "
        "newsletters you chose. If you pay, our payment provider keeps your card "
        "details; we see only the last four digits.</p>"
        "<h2>What we do not do</h2>"
        "<p>We load no advertising trackers and no third-party scripts. We count "
        "page views ourselves, without cookies that follow you elsewhere, and we "
        "never sell or lend our members' addresses.</p>"
        "<h2>Your choices</h2>"
        "<p>From your account page you can download everything we hold about you "
        "or delete your account. Emails we send carry a link that unsubscribes you "
        "at once.</p>"
        f"<p>Questions go to privacy@{DOMAIN}.</p>",
    ),
    StandingPage(
        "contact",
        "contact",
        "Contact us",
        "How to reach the newsroom, send us a tip, or ask about your membership.",
        f"<h2>News tips</h2><p>Write to tips@{DOMAIN}. For anything sensitive, ask "
        "in your first message for a safer way to talk, and do not send documents "
        "until we reply.</p>"
        f"<h2>Membership</h2><p>members@{DOMAIN} answers questions about your "
        "membership, payments and newsletters, on weekdays.</p>"
        f"<h2>Letters</h2><p>Letters for publication go to letters@{DOMAIN}. Keep "
        "them under three hundred words and include the town you live in.</p>"
        "<h2>By post or in person</h2><p>Avenell Courier Cooperative, 14 Ropewalk "
        "Lane, Port Avenell 2210, Veyland. The front desk is open from nine to five, "
        "Monday to Friday.</p>",
    ),
)
