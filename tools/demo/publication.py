"""The demo publication: who it is, its sections, its people and its tiers.

Everything here is invented for Herald's demo: the outlet, the country of Veyland,
the port city of Avenell, the Tamsar Republic and the Haleki Islands, and every
person named. Any resemblance to real outlets or people is unintended.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NAME = "The Avenell Courier"
TAGLINE = "Independent news from the Saltmarsh coast and the wider world"
HANDLE = "avenellcourier"
COLOUR = (24, 52, 88)
TIME_ZONE = "Europe/Amsterdam"
LANGUAGE = "en"
DOMAIN = "avenellcourier.news"

SETTINGS = {
    "name": NAME,
    "tagline": TAGLINE,
    "time_zone": TIME_ZONE,
    "language": LANGUAGE,
    "copyright_holder": "Avenell Courier Cooperative",
    "contact_email": f"newsroom@{DOMAIN}",
    "postal_address": (
        "Avenell Courier Cooperative\n14 Ropewalk Lane\nPort Avenell 2210\nVeyland"
    ),
    # About, Ethics, Corrections policy and Privacy are the demo's own pages
    # (pages.py), linked from the footer by default: no link set here.
    "about_url": "",
    "ethics_url": "",
    "corrections_url": "",
    "privacy_url": "",
    # No support_url: "Support us" leads to the plans page on the demo site.
    # Empty: "Subscribe" goes to Herald's own /newsletters/ page.
    "newsletter_url": "",
    "google_news_url": "https://news.google.com/publications/CAAqBwgKMKvTrQswuN7EAw",
    "x_url": f"https://x.com/{HANDLE}",
    "x_handle": HANDLE,
    "facebook_url": f"https://www.facebook.com/{HANDLE}",
    "instagram_url": f"https://www.instagram.com/{HANDLE}/",
    "mastodon_url": f"https://mastodon.social/@{HANDLE}",
    "bluesky_url": f"https://bsky.app/profile/{HANDLE}.bsky.social",
    "youtube_url": f"https://www.youtube.com/@{HANDLE}",
    "telegram_url": f"https://t.me/{HANDLE}",
    "whatsapp_url": "https://whatsapp.com/channel/0029VbAvenell7CourierQ3x2",
    "preview_paragraphs": 3,
}


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str
    parent: str | None = None
    pictures: tuple[str, ...] = ()


SECTIONS = (
    Section(
        "world",
        "World",
        "Reporting from beyond Veyland's borders: diplomacy, conflict, migration and "
        "the neighbours whose decisions shape life on the Saltmarsh coast.",
        pictures=("map", "skyline", "hills"),
    ),
    Section(
        "asia",
        "Asia & Pacific",
        "From the Tamsar Republic to the Haleki Islands: our correspondent in Daruvan "
        "follows the region that buys a third of everything Veyland exports.",
        parent="world",
        pictures=("map", "harbour", "skyline"),
    ),
    Section(
        "politics",
        "Politics",
        "The National Assembly in Caldreth, the city council in Port Avenell, and the "
        "money, promises and people behind both.",
        pictures=("chamber", "mosaic"),
    ),
    Section(
        "business",
        "Business",
        "Ports, farms, factories and start-ups: how Veyland earns its living, and who "
        "is feeling the squeeze.",
        pictures=("chart", "harbour", "skyline"),
    ),
    Section(
        "science",
        "Science",
        "Research, health, climate and the environment, explained without the jargon "
        "and checked with the people who do the work.",
        pictures=("orbits", "molecule", "hills"),
    ),
    Section(
        "culture",
        "Culture",
        "Books, stage, screen, music and the places where Port Avenell gathers after "
        "dark.",
        pictures=("stage", "mosaic"),
    ),
    Section(
        "sport",
        "Sport",
        "Results, rivalries and the stories behind the scores, from the Premier "
        "Division to the harbour regatta.",
        pictures=("pitch", "track"),
    ),
)


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    role: str
    short_bio: str
    bio: str
    links: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    sections: tuple[str, ...] = ()


def _links(handle: str) -> tuple[tuple[str, str], ...]:
    return (
        ("Mastodon", f"https://mastodon.social/@{handle}"),
        ("Bluesky", f"https://bsky.app/profile/{handle}.bsky.social"),
    )


AUTHORS = (
    Person(
        "maren",
        "Maren Oduya",
        "Editor-in-chief",
        "Maren Oduya leads the Courier's newsroom and writes about how power is "
        "used, and misused, on the Saltmarsh coast.",
        "<p>Maren Oduya has edited <i>The Avenell Courier</i> since the reporters "
        "bought it from its previous owners and turned it into a cooperative. Before "
        "that she spent eleven years covering the National Assembly in Caldreth.</p>"
        "<p>She reads every correction request herself. Write to her at "
        f'<a href="mailto:maren.oduya@{DOMAIN}">maren.oduya@{DOMAIN}</a>.</p>',
        _links("marenoduya"),
        ("politics", "world"),
    ),
    Person(
        "tomas",
        "Tomas Reyhill",
        "Political correspondent",
        "Tomas Reyhill covers the National Assembly, the parties and the budget.",
        "<p>Tomas Reyhill has reported from the press gallery in Caldreth through "
        "three governments. He specialises in public spending and is the author of "
        "the Courier's budget explainers.</p><p>He grew up on a dairy farm in the "
        "Northern Fells and still judges the cheese tent at the county show.</p>",
        _links("treyhill"),
        ("politics",),
    ),
    Person(
        "anouk",
        "Anouk Delacroix-Bay",
        "World affairs editor",
        "Anouk Delacroix-Bay edits the World desk and writes on diplomacy and "
        "migration.",
        "<p>Anouk Delacroix-Bay joined the Courier after a decade as a freelance "
        "correspondent along the Kestrian border. She speaks four languages and is "
        "learning a fifth.</p><p>Her reporting on the Ambre river crossings won the "
        "Coastal Press Award.</p>",
        _links("anoukdb"),
        ("world",),
    ),
    Person(
        "hana",
        "Hana Morikawa-Lind",
        "Asia-Pacific correspondent",
        "Hana Morikawa-Lind reports for the Courier from Daruvan, the capital of "
        "the Tamsar Republic.",
        "<p>Hana Morikawa-Lind has lived in Daruvan for six years. She covers trade, "
        "shipping and politics across the Sundra Strait and the Haleki Islands.</p>"
        "<p>Before moving abroad she was the Courier's shipping reporter.</p>",
        _links("hanaml"),
        ("asia", "world"),
    ),
    Person(
        "priya",
        "Priya Halvorsen",
        "Business reporter",
        "Priya Halvorsen writes about the port, work, wages and the cost of living.",
        "<p>Priya Halvorsen trained as an accountant before becoming a journalist, "
        "which is why she reads the annex before the press release.</p><p>She "
        "writes the Courier's weekly money column.</p>",
        _links("priyahalvorsen"),
        ("business",),
    ),
    Person(
        "jonah",
        "Jonah Ekwueme",
        "Science and environment reporter",
        "Jonah Ekwueme covers research, health and the changing coastline.",
        "<p>Jonah Ekwueme holds a doctorate in marine biology from the University "
        "of Caldreth and left the laboratory for the newsroom seven years ago.</p>"
        "<p>He is the Courier's lead reporter on the Saltmarsh flood defences.</p>",
        _links("jonahekwueme"),
        ("science",),
    ),
    Person(
        "lucia",
        "Lucía Farrant",
        "Culture critic",
        "Lucía Farrant reviews books, theatre and music, and reports on the arts "
        "economy.",
        "<p>Lucía Farrant has reviewed more than nine hundred performances for the "
        "Courier and still buys her own tickets.</p><p>She presents the paper's "
        "monthly books podcast.</p>",
        _links("luciafarrant"),
        ("culture",),
    ),
    Person(
        "benedikt",
        "Benedikt Osei",
        "Sport reporter",
        "Benedikt Osei covers football, athletics and the harbour regatta.",
        "<p>Benedikt Osei played in goal for Avenell Harbour's youth team until a "
        "broken wrist sent him to the press box.</p><p>He has covered four "
        "Continental Games and every regatta since he joined the Courier.</p>",
        _links("bosei"),
        ("sport",),
    ),
)


@dataclass(frozen=True)
class NewsroomUser:
    email: str
    first_name: str
    last_name: str
    group: str
    author: str | None = None


# The admin account is made separately (see loader.ADMIN_EMAIL).
NEWSROOM_USERS = (
    NewsroomUser(
        "maren.oduya@herald.localhost", "Maren", "Oduya", "Editors", author="maren"
    ),
    NewsroomUser(
        "benedikt.osei@herald.localhost",
        "Benedikt",
        "Osei",
        "Contributors",
        author="benedikt",
    ),
)

TIERS = (
    {
        "slug": "supporter",
        "name": "Supporter",
        "description": "Every paid story, the members' newsletter and our thanks.",
        "is_paid": True,
        "sort_order": 1,
    },
    {
        "slug": "patron",
        "name": "Patron",
        "description": "Everything Supporters get, plus the Patron-only investigations "
        "briefing and an invitation to the annual newsroom open day.",
        "is_paid": True,
        "sort_order": 2,
    },
)
