"""The demo's stories: invented news about invented places, in our own words.

Each ``Story`` carries what is particular to it (headline, dek, two opening
paragraphs, a quote, tags, optional facts). ``build_body`` adds paragraphs written
for its section, headings, a pull quote, a fact box, pictures and a source link, so
every article reads like a full story.

The order of ``STORIES`` matters: the first dozen mix every special case (breaking,
scheduled, draft, gated, corrected), so ``load_demo --articles 12`` still shows
them all.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Story:
    section: str
    authors: tuple[str, ...]
    headline: str
    dek: str
    paragraphs: tuple[str, str]
    quote: tuple[str, str]
    tags: tuple[str, ...]
    # Optional features.
    status: str = "live"  # live | breaking | scheduled | draft
    access: str = "public"  # public | members | paid | tiers
    article_type: str = "news"
    facts: tuple[str, tuple[str, ...]] | None = None
    correction: str = ""
    editors_note: str = ""
    gallery: bool = False
    figure: bool = False
    source: tuple[str, str, str] | None = None
    # The illustration to lead with (see pictures.COMPOSITIONS); else the section's.
    picture: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# Each section's three body headings, each with paragraphs written for it: a
# paragraph only ever sits under the heading it was written for.
SECTION_PASSAGES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "world": (
        (
            "What we know",
            (
                "Diplomats in Caldreth said the government had been kept informed "
                "and would say more once the details were clear.",
                "The Foreign Ministry's spokesperson, Dag Lennart, said officials "
                "were \u201cin contact with everyone concerned\u201d and that "
                "Veyland's position had not changed.",
            ),
        ),
        (
            "The view from the region",
            (
                "Veyland shares a long, mostly unfenced border with Kestria, and "
                "what happens on one bank of the Ambre is felt within days on the "
                "other.",
                "Residents reached by telephone described a tense but orderly few "
                "days, with shops open and buses running close to their usual "
                "timetable.",
            ),
        ),
        (
            "What happens next",
            (
                "Aid groups working along the coast said they were ready to help "
                "and asked both capitals for clearer and earlier information.",
                "Analysts at the Institute for Northern Affairs cautioned against "
                "reading too much into a single week, noting that the region has "
                "seen sudden reversals before.",
            ),
        ),
    ),
    "asia": (
        (
            "Why it matters",
            (
                "The Tamsar Republic buys nearly a third of Veyland's exports, most "
                "of them shipped from Port Avenell through the Sundra Strait.",
                "Officials in the Haleki Islands, whose economy depends on the sea "
                "lanes, say they want a louder voice in decisions that affect the "
                "strait.",
                "Across the region, governments are investing in ports, ferries "
                "and schools at a pace that would have seemed unlikely a decade "
                "ago.",
            ),
        ),
        (
            "On the ground in Daruvan",
            (
                "In Daruvan's central market, people the Courier spoke to were more "
                "curious than worried, and several said they had been expecting it.",
                "Veyland's embassy in Daruvan said it was following developments "
                "closely and had nothing further to add for now.",
            ),
        ),
        (
            "What comes next",
            (
                "Trade officials from both countries are due to meet in Daruvan "
                "next month, and shipping firms say they will wait for that meeting "
                "before changing their timetables.",
                "Diplomats expect the question to come up again at the regional "
                "summit in the Haleki Islands in the spring.",
            ),
        ),
    ),
    "politics": (
        (
            "The numbers",
            (
                "The governing Civic Alliance holds a majority of four in the "
                "151-seat National Assembly, which leaves it little room for "
                "rebellion on its own benches.",
                "A poll published by the Caldreth Survey Unit found voters evenly "
                "split on most questions facing the Assembly, with a large group "
                "still undecided.",
            ),
        ),
        (
            "How the Assembly reacted",
            (
                "Opposition members called for a full debate before any vote, while "
                "several Civic Alliance backbenchers said privately that they wanted "
                "to see the detail first.",
                "Party officials on all sides said they expected the issue to "
                "feature in the campaign for next year's local elections.",
            ),
        ),
        (
            "What happens next",
            (
                "Members returning from the recess face a crowded timetable, with "
                "the budget, housing and transport all competing for time on the "
                "floor.",
                "The Premier's office said it would respond in full in the coming "
                "days.",
                "Local councils, which carry out much of what the Assembly decides, "
                "have asked to be consulted earlier and in writing.",
            ),
        ),
    ),
    "business": (
        (
            "Who pays",
            (
                "Household budgets remain tight: the statistics office says food "
                "prices are still rising faster than wages in most of the country.",
                "Smaller firms, which make up most of the coast's employers, told "
                "the Courier they were watching costs week by week rather than "
                "planning ahead.",
            ),
        ),
        (
            "The bigger picture",
            (
                "Port Avenell handles more than four million tonnes of cargo a year, "
                "and around one job in seven in the city depends on it directly or "
                "indirectly.",
                "Economists at the University of Caldreth said the coast's economy "
                "had proved more resilient than expected over the past two years.",
            ),
        ),
        (
            "What to watch",
            (
                "The figures will be updated when the statistics office publishes "
                "its next quarterly review.",
                "Traders will be watching the central bank's next rate decision, "
                "due at the end of the month, for a sign of how long the squeeze "
                "will last.",
            ),
        ),
    ),
    "science": (
        (
            "How the study worked",
            (
                "The figures and the methods behind them have been published in "
                "full, so that others can check the work.",
                "The Saltmarsh coast is one of the most closely studied shorelines "
                "in the region, with records going back more than a century, which "
                "let the team compare new measurements with old ones.",
            ),
        ),
        (
            "What it does not show",
            (
                "Independent experts who were not involved called the work careful "
                "and useful, but said it should be repeated elsewhere before firm "
                "conclusions are drawn.",
                "The authors stress that their measurements describe one stretch of "
                "coast over a limited period, and cannot on their own say what "
                "caused the change.",
            ),
        ),
        (
            "What comes next",
            (
                "The team has invited volunteers to help with the next phase, which "
                "will take place over the coming summer.",
                "The next update is expected in a year, when the same measurements "
                "will be taken again.",
            ),
        ),
    ),
    "culture": (
        (
            "The reception",
            (
                "Critics have been divided about much of this season's work, but "
                "audiences much less so.",
                "The city's arts calendar has rarely been fuller, and venues say "
                "advance bookings are at their highest in years.",
            ),
        ),
        (
            "The backstory",
            (
                "Arts funding in Veyland was cut sharply three years ago, and many "
                "organisations now rely on a mix of tickets, sponsors and "
                "volunteers.",
                "Several of the people involved said the coast itself had shaped "
                "the work, from its weather to its long memory of the sea.",
            ),
        ),
        (
            "Where to see it",
            (
                "Details, dates and access information are published on the "
                "organisers' website.",
                "Tickets go on sale at the box office and online, with a number "
                "held back for people under twenty-five at half price.",
            ),
        ),
    ),
    "sport": (
        (
            "How it unfolded",
            (
                "Coaches and officials said the conditions had tested everyone, and "
                "praised the spirit in which the competition was fought.",
                "A video of the closing moments, shared by the organisers, was "
                "watched tens of thousands of times by the evening.",
            ),
        ),
        (
            "Behind the result",
            (
                "Local clubs report a rise in people signing up to train, which "
                "they put down to results like this one.",
                "Crowds at sporting events on the coast have grown for a third year "
                "in a row, driven largely by families and women's fixtures.",
            ),
        ),
        (
            "What's next",
            (
                "Full results and times will be published by the national "
                "federation later in the week.",
                "Several of those involved said they were already thinking about "
                "next season, when the calendar is expected to be even more "
                "crowded.",
            ),
        ),
    ),
}


SOURCES = {
    "world": (
        "Veyland Ministry of Foreign Affairs: statements",
        "https://www.foreignaffairs.gov.vy/statements/",
        "The ministry's published statements, in Veyish and English.",
    ),
    "asia": (
        "Tamsar Republic Ministry of Trade: announcements",
        "https://trade.gov.ts/en/announcements/",
        "Official announcements in English.",
    ),
    "politics": (
        "National Assembly: order paper and records",
        "https://www.assembly.vy/records/",
        "Debates, votes and committee papers.",
    ),
    "business": (
        "Veyland Statistics Office: latest releases",
        "https://www.stats.vy/releases/",
        "Prices, wages and trade figures.",
    ),
    "science": (
        "University of Caldreth open research archive",
        "https://archive.caldreth.ac.vy/",
        "Papers and data sets from the university's researchers.",
    ),
    "culture": (
        "Ropewalk Theatre: season programme",
        "https://www.ropewalktheatre.vy/season/",
        "Dates, tickets and access information.",
    ),
    "sport": (
        "Veyland Premier Division: fixtures and results",
        "https://www.premierdivision.vy/results/",
        "Official results and standings.",
    ),
}


STORIES: tuple[Story, ...] = (
    # --- The first dozen: one of every kind -----------------------------------
    Story(
        "world",
        ("anouk",),
        "Ambre river bursts its banks as Kestria opens upstream dams",
        "Emergency crews evacuate riverside streets in Greywater after a night of "
        "rising water; more rain is forecast.",
        (
            "Emergency crews began evacuating riverside streets in Greywater before "
            "dawn after the Ambre rose by more than a metre overnight, hours after "
            "Kestrian authorities opened two upstream dams to relieve pressure on "
            "their reservoirs.",
            "The regional emergency office said about 1,200 people had been asked to "
            "leave their homes and that three schools had been opened as shelters. "
            "No injuries had been reported by mid-morning.",
        ),
        (
            "We had the warning at two in the morning. By four the water was at the "
            "door.",
            "Ottilie Brask, a Greywater resident",
        ),
        ("floods", "Kestria", "Ambre river", "Greywater"),
        status="breaking",
        facts=(
            "The flood at a glance",
            (
                "River level at Greywater: 1.2 metres above normal",
                "People asked to leave: about 1,200",
                "Shelters open: three schools in the upper town",
                "Emergency line: 112",
            ),
        ),
    ),
    Story(
        "politics",
        ("tomas",),
        "Premier Varga promises free school meals for every child by next autumn",
        "The plan would cost the treasury an estimated 380 million marks a year; "
        "councils say they need the money up front.",
        (
            "Every child in Veyland's state schools would receive a free hot lunch "
            "from next autumn under a plan announced by Premier Ilse Varga, the "
            "largest expansion of school support in a generation.",
            "The treasury puts the cost at 380 million marks a year once the scheme "
            "is running, to be paid for partly by closing a tax exemption on "
            "second homes along the coast.",
        ),
        (
            "No child in this country should sit an afternoon exam on an empty "
            "stomach.",
            "Premier Ilse Varga",
        ),
        ("school meals", "budget", "Ilse Varga", "education"),
        facts=(
            "The plan in numbers",
            (
                "Children covered: about 610,000",
                "Estimated yearly cost: 380 million marks",
                "Start date: the next school year",
            ),
        ),
        correction="An earlier version of this article gave the number of children "
        "covered as 160,000. It is about 610,000.",
    ),
    Story(
        "business",
        ("priya",),
        "Port Avenell container volumes hit a record as Sundra route reopens",
        "The port handled its busiest month on record, but dock workers say the "
        "extra shifts are stretching crews thin.",
        (
            "Port Avenell handled more containers last month than in any month "
            "since records began, as ships returned to the Sundra Strait route after "
            "a year of detours.",
            "The port authority said volumes were up 14 percent on the same month "
            "last year. Its chief executive, Elke Brandsma, said the figures "
            "vindicated the decision to deepen the main channel.",
        ),
        (
            "The channel was a bet on the next thirty years. This month it started "
            "to pay.",
            "Elke Brandsma, chief executive of the Port Avenell Authority",
        ),
        ("port", "shipping", "Sundra Strait", "jobs"),
        figure=True,
        picture="harbour",
    ),
    Story(
        "science",
        ("jonah",),
        "Seagrass meadows off the Saltmarsh coast are recovering, survey finds",
        "Divers counted twice as much seagrass as a decade ago, a rare piece of good "
        "news for the coast's fisheries.",
        (
            "Seagrass meadows off the Saltmarsh coast have doubled in area over the "
            "past ten years, according to a survey by the University of Caldreth, "
            "reversing decades of decline.",
            "The team, led by Professor Ines Kalmar, credits cleaner river water and "
            "a ban on anchoring in the shallowest bays for the recovery.",
        ),
        (
            "Seagrass is patient. Give it clean water and leave it alone, and it "
            "comes back.",
            "Professor Ines Kalmar, University of Caldreth",
        ),
        ("seagrass", "oceans", "Saltmarsh coast", "research"),
        gallery=True,
        picture="harbour",
    ),
    Story(
        "culture",
        ("lucia",),
        "Review: The Lamplighters' harbour concert was a loud, generous homecoming",
        "The band's first show in Port Avenell in six years filled the quay with "
        "twelve thousand people and almost no empty hands.",
        (
            "Six years after they last played their home city, The Lamplighters "
            "returned to Port Avenell on Saturday night with a two-hour set on "
            "Ropewalk Quay that felt less like a concert than a reunion.",
            "The band played almost all of their second album and a handful of new "
            "songs, which the crowd met with polite curiosity before the old "
            "choruses took over again.",
        ),
        (
            "We wrote these songs on this quay. It seemed only fair to bring them "
            "back.",
            "Mira Solvang, singer of The Lamplighters",
        ),
        ("music", "The Lamplighters", "reviews", "Port Avenell"),
        article_type="analysis",
        access="members",
    ),
    Story(
        "sport",
        ("benedikt",),
        "Avenell Harbour snatch late winner to go top of the Premier Division",
        "Kofi Lindahl's header in the 89th minute beat Caldreth United and sent the "
        "harbour end into raptures.",
        (
            "Kofi Lindahl headed in a corner in the 89th minute to give Avenell "
            "Harbour a 2-1 win over Caldreth United and lift them to the top of the "
            "Premier Division for the first time in nine years.",
            "United had led through an early penalty before Harbour's captain, "
            "Selma Ruud, equalised with a low shot just after half-time.",
        ),
        (
            "I saw the ball, I closed my eyes, and then I heard the noise.",
            "Kofi Lindahl, Avenell Harbour striker",
        ),
        ("football", "Avenell Harbour", "Caldreth United", "Premier Division"),
        gallery=True,
    ),
    Story(
        "asia",
        ("hana",),
        "Tamsar and Veyland sign a ten-year grain deal in Daruvan",
        "The agreement guarantees Veyish farmers a buyer for a fifth of their wheat "
        "and gives Tamsar a fixed price through the next decade.",
        (
            "Veyland and the Tamsar Republic signed a ten-year agreement in Daruvan "
            "that will see Tamsar buy a fifth of Veyland's wheat harvest at a price "
            "fixed in advance.",
            "The deal, negotiated over eighteen months, is the largest trade "
            "agreement between the two countries and the first to run for longer "
            "than a single government.",
        ),
        (
            "Our farmers can now plan a decade ahead instead of a season ahead.",
            "Jorin Aska, Veyland's finance minister",
        ),
        ("trade", "Tamsar Republic", "farming", "wheat"),
        access="paid",
        facts=(
            "The grain deal",
            (
                "Length: ten years",
                "Share of the Veyish wheat harvest: about a fifth",
                "Port of arrival: Mahrisa",
            ),
        ),
    ),
    Story(
        "politics",
        ("maren", "tomas"),
        "How the coastal housing fund was spent: our six-month investigation",
        "Of 212 homes promised under the coastal housing fund, 74 have been built. "
        "The records we obtained show where the rest of the money went.",
        (
            "Three years after the government launched a fund to build affordable "
            "homes on the Saltmarsh coast, fewer than half of the promised homes "
            "exist, according to records obtained by the Courier.",
            "The records show that a large share of the money went on consultants, "
            "land purchases that were never developed and a management company "
            "whose directors had close ties to the fund's board.",
        ),
        (
            "We were promised keys. We got a fence and a sign.",
            "Annika Holt, who has been on the Merrow housing list for five years",
        ),
        ("housing", "investigations", "Merrow", "public money"),
        access="tiers",
        article_type="analysis",
        editors_note="<p>This investigation is published for our Patron members "
        "first. It will be free to read for everyone from next month.</p>",
    ),
    Story(
        "science",
        ("jonah",),
        "New flood barrier at Holloway Sands passes its first winter test",
        "Engineers say the barrier held back a surge that would have flooded about "
        "three hundred homes.",
        (
            "The movable flood barrier at Holloway Sands closed for the first time "
            "in a real storm, holding back a surge that engineers say would have "
            "reached about three hundred homes.",
            "The barrier took four years to build and was the subject of fierce "
            "local argument over its cost and its effect on the beach.",
        ),
        (
            "It did exactly what it was designed to do, which in engineering is "
            "the best compliment there is.",
            "Ruben Ostrander, the project's chief engineer",
        ),
        ("flood defences", "climate", "Holloway Sands"),
        status="scheduled",
        extra={"go_live_minutes": 3},
        picture="harbour",
    ),
    Story(
        "business",
        ("priya",),
        "Co-operative bakery chain Saltloaf to open in Caldreth",
        "The worker-owned bakery plans four shops in the capital and forty new jobs.",
        (
            "Saltloaf, the worker-owned bakery that began in a single shop on Port "
            "Avenell's Chandler Street, will open four branches in Caldreth next "
            "year, creating about forty jobs.",
            "The expansion is being financed by a community share offer that raised "
            "more than its target in under a month.",
        ),
        (
            "Every baker who joins becomes an owner after a year. That is the whole "
            "idea.",
            "Femke Aalders, Saltloaf's founder",
        ),
        ("co-operatives", "Caldreth", "food", "jobs"),
        status="draft",
    ),
    Story(
        "world",
        ("anouk",),
        "Ostel Federation holds first free local elections in a generation",
        "Turnout passed sixty percent in the federation's eastern provinces, where "
        "observers reported long but peaceful queues.",
        (
            "Voters across the Ostel Federation chose local councils in elections "
            "that international observers described as the freest in more than "
            "twenty years.",
            "Turnout passed sixty percent in the eastern provinces. Results from "
            "the larger towns are expected over the next two days.",
        ),
        (
            "My grandmother voted for the first time today. She is ninety-one.",
            "Pavel Dorin, a teacher in Varnay",
        ),
        ("Ostel Federation", "elections", "democracy"),
        figure=True,
    ),
    Story(
        "culture",
        ("lucia",),
        "Saltmarsh Film Festival names its opening film",
        "A drama set among the eel fishermen of the Northern Fells will open the "
        "festival in its tenth year.",
        (
            "The Saltmarsh Film Festival will open with The Eel Season, a drama "
            "about three generations of a fishing family on Lake Tollan, the "
            "organisers announced.",
            "The film is the first feature by director Aino Bergkamp, who grew up "
            "in the Northern Fells and cast many of its roles with local people.",
        ),
        (
            "I wanted the lake to be a character, not a backdrop.",
            "Aino Bergkamp, director of The Eel Season",
        ),
        ("film", "Saltmarsh Film Festival", "Northern Fells"),
    ),
    # --- The rest of the demo -------------------------------------------------
    Story(
        "world",
        ("anouk",),
        "Kestria and Veyland agree to share river data in real time",
        "After the floods, both governments will publish river gauges and dam "
        "releases on a shared public dashboard.",
        (
            "Kestria and Veyland have agreed to publish readings from every river "
            "gauge and every dam release on the Ambre in real time, in a deal "
            "signed by both environment ministers at the border town of Tollan.",
            "The agreement follows years of complaints from Veyish towns that "
            "warnings of upstream releases arrived too late to act on.",
        ),
        (
            "Water does not stop at the border, and neither should information.",
            "Lene Harstad, Veyland's environment minister",
        ),
        ("Kestria", "Ambre river", "floods", "data"),
    ),
    Story(
        "world",
        ("anouk", "maren"),
        "Analysis: why the border talks keep stalling",
        "Both sides say they want a deal. The sticking points have barely moved in "
        "four years.",
        (
            "For four years, negotiators from Veyland and Kestria have met every few "
            "months to settle the terms of trade across the Ambre. For four years, "
            "the communiqués have promised progress.",
            "The sticking points are the same as when the talks began: who inspects "
            "lorries, who pays for the new bridge, and what happens to the fishing "
            "rights in the estuary.",
        ),
        (
            "Everyone agrees on the easy things. Nobody has yet been brave enough "
            "to trade on the hard ones.",
            "Birgit Ansel, a former negotiator",
        ),
        ("Kestria", "trade", "diplomacy"),
        article_type="analysis",
        access="members",
    ),
    Story(
        "world",
        ("anouk",),
        "Aid convoy reaches flood-hit villages on the Kestrian bank",
        "Volunteers from Greywater crossed the river with food, blankets and water "
        "pumps.",
        (
            "A convoy of twenty lorries organised by volunteers in Greywater crossed "
            "the Ambre to deliver food, blankets and water pumps to villages on the "
            "Kestrian bank that were cut off by the floods.",
            "The convoy was waved through the border in under an hour, after both "
            "governments agreed to suspend routine customs checks for aid.",
        ),
        (
            "They helped us in the last flood. This time it was our turn.",
            "Jens Moller, one of the convoy's organisers",
        ),
        ("floods", "Kestria", "Greywater", "volunteers"),
        gallery=True,
    ),
    Story(
        "world",
        ("maren",),
        "Opinion: a small country's foreign policy should start at the river",
        "Veyland's influence abroad is modest. Its influence on its neighbours is "
        "not, and it should use it.",
        (
            "Veyland will never be a great power, and it does not need to be. But "
            "along the Ambre it is a large neighbour to many small towns, and what "
            "it does there matters more than any speech in a distant capital.",
            "The flood showed what cooperation can achieve in days. The border "
            "talks show what its absence costs over years.",
        ),
        (
            "Foreign policy is not only what we say abroad. It is how we treat the "
            "people across the water.",
            "Maren Oduya",
        ),
        ("opinion", "diplomacy", "Kestria"),
        article_type="opinion",
    ),
    Story(
        "world",
        ("anouk",),
        "Ostel Federation's new councils face an empty treasury",
        "Newly elected councillors found unpaid bills and closed libraries when "
        "they took office.",
        (
            "The councils elected in the Ostel Federation last month have inherited "
            "unpaid bills, closed libraries and, in one town, a fire station with no "
            "fuel for its engines.",
            "The federal government has promised an emergency grant, but councillors "
            "say it will cover barely a quarter of what is owed.",
        ),
        (
            "We won the election. Now we have to win the winter.",
            "Irina Kassel, the new mayor of Varnay",
        ),
        ("Ostel Federation", "local government"),
        correction="An earlier version of this article misspelled the name of "
        "Varnay's mayor. She is Irina Kassel, not Irena Kassel.",
    ),
    Story(
        "asia",
        ("hana",),
        "Haleki Islands ask for a seat at the Sundra Strait shipping talks",
        "The islands sit beside the busiest lane in the strait but have never been "
        "part of the talks that govern it.",
        (
            "The government of the Haleki Islands has formally asked to join the "
            "talks that set the rules for shipping in the Sundra Strait, arguing "
            "that the islands bear the risks of the traffic without a say in it.",
            "Chief Minister Tavita Roa made the request in a letter to the "
            "governments of Tamsar and Veyland, which was seen by the Courier.",
        ),
        (
            "The ships pass within sight of our schools. We should be in the room "
            "where their routes are decided.",
            "Tavita Roa, Chief Minister of the Haleki Islands",
        ),
        ("Haleki Islands", "shipping", "Sundra Strait"),
    ),
    Story(
        "asia",
        ("hana",),
        "Daruvan's new metro line opens two years late and over budget",
        "The line links the old city to the port, and commuters say it has already "
        "cut their journeys in half.",
        (
            "Daruvan's long-awaited Harbour Line opened to passengers on Monday, two "
            "years late and at almost double its original budget.",
            "Commuters travelling from the old city to the port said the journey had "
            "fallen from an hour by bus to under twenty-five minutes.",
        ),
        (
            "It was late, it was expensive, and I will use it every day.",
            "Sunita Varang, a dock clerk",
        ),
        ("Daruvan", "transport", "Tamsar Republic"),
        figure=True,
    ),
    Story(
        "asia",
        ("hana",),
        "Typhoon season forecast to be milder, Tamsar weather office says",
        "Forecasters expect fewer storms this year, but warn that one strong "
        "typhoon is enough to do great harm.",
        (
            "Tamsar's national weather office expects a milder typhoon season than "
            "last year, with between four and six named storms forecast to reach the "
            "region.",
            "Last year's season was the most destructive in a decade, damaging "
            "ports on both sides of the Sundra Strait.",
        ),
        (
            "A quiet season is a forecast, not a promise. Prepare as if it were a "
            "busy one.",
            "Dr Anil Seth, Tamsar's chief forecaster",
        ),
        ("weather", "Tamsar Republic", "typhoons"),
    ),
    Story(
        "asia",
        ("hana", "priya"),
        "Veyish shipbuilders win order for six Tamsar ferries",
        "The order, worth 240 million marks, will keep the Merrow yard busy for "
        "four years.",
        (
            "The Merrow shipyard has won an order to build six electric ferries for "
            "Tamsar's inter-island routes, its largest export contract in two "
            "decades.",
            "The yard employs about 900 people, and its managers say the order will "
            "mean another 150 jobs at its peak.",
        ),
        (
            "Six ferries, four years of work, and a reason for apprentices to stay "
            "in Merrow.",
            "Hendrik Vos, managing director of the Merrow yard",
        ),
        ("shipbuilding", "Merrow", "Tamsar Republic", "jobs"),
        access="members",
    ),
    Story(
        "asia",
        ("hana",),
        "In the Haleki Islands, a school that floats",
        "When the sea rose, the village of Tau Lei put its classrooms on a raft. "
        "Other villages are now copying the idea.",
        (
            "The school in Tau Lei rises and falls with the tide. Built on a raft of "
            "recycled drums and anchored to the seabed, it replaced a building that "
            "flooded every spring.",
            "Three other villages in the Haleki Islands are now building their own, "
            "with help from the engineers who designed the first.",
        ),
        (
            "The children think it is the best school in the world because it moves.",
            "Mele Fuataha, head teacher in Tau Lei",
        ),
        ("Haleki Islands", "education", "climate"),
        gallery=True,
    ),
    Story(
        "politics",
        ("tomas",),
        "Budget vote set for next month as coalition talks resume",
        "The Civic Alliance needs the votes of at least two independents to pass "
        "its spending plans.",
        (
            "The National Assembly will vote on the government's budget next month, "
            "the Speaker announced, as the governing Civic Alliance reopened talks "
            "with independent members to secure a majority.",
            "Two independents who backed last year's budget have said they will not "
            "support this one without changes to the plans for rural bus services.",
        ),
        (
            "I will vote for buses, not for slogans.",
            "Hedda Stromberg, independent member for the Northern Fells",
        ),
        ("budget", "National Assembly", "Civic Alliance"),
    ),
    Story(
        "politics",
        ("tomas",),
        "Port Avenell council approves car-free harbour front",
        "From spring, the quayside will be closed to private cars between nine in "
        "the morning and midnight.",
        (
            "Port Avenell's city council voted 27 to 18 to close the harbour front "
            "to private cars for most of the day, a plan that has divided the city "
            "for two years.",
            "Deliveries, taxis and disabled drivers will still be allowed, and the "
            "council will add two bus routes along the quay.",
        ),
        (
            "The harbour belongs to the people who walk along it.",
            "Mayor Delphine Achterberg",
        ),
        ("Port Avenell", "transport", "city council"),
        figure=True,
        correction="An earlier version of this article gave the vote as 27 to 16. "
        "It was 27 to 18.",
    ),
    Story(
        "politics",
        ("maren",),
        "Explainer: how a bill becomes law in Veyland",
        "From the first reading to the Premier's signature, the steps, the "
        "timetable and where it can go wrong.",
        (
            "Every law in Veyland starts as a bill tabled in the National Assembly, "
            "either by the government or by a member. Most never get further than "
            "a first reading.",
            "Those that do go through a committee stage, a second reading and a "
            "final vote before the Premier signs them, a process that can take from "
            "a few weeks to several years.",
        ),
        (
            "The committee stage is where bills are really written. The rest is "
            "mostly ceremony.",
            "Professor Karl Eide, constitutional lawyer",
        ),
        ("explainers", "National Assembly", "law"),
        article_type="explainer",
        facts=(
            "The stages",
            (
                "First reading: the bill is published",
                "Committee stage: amendments are debated line by line",
                "Second reading: the Assembly votes on the amended bill",
                "Signature: the Premier signs it into law",
            ),
        ),
    ),
    Story(
        "politics",
        ("tomas",),
        "Harbour Party picks a new leader after a close contest",
        "Rasmus Tal won by fewer than three hundred votes and promised to unite a "
        "divided party.",
        (
            "Rasmus Tal was elected leader of the opposition Harbour Party, beating "
            "his rival Solveig Marr by 286 votes out of more than 40,000 cast.",
            "Tal, a former mayor of Merrow, promised to bring both wings of the "
            "party into his front team.",
        ),
        (
            "A narrow win is still a win, and it is also a warning.",
            "Rasmus Tal, leader of the Harbour Party",
        ),
        ("Harbour Party", "Rasmus Tal", "elections"),
    ),
    Story(
        "politics",
        ("tomas", "maren"),
        "Ministers' diaries show lobbyists met more often than unions",
        "Our analysis of two years of published diaries counts 341 meetings with "
        "business lobbyists and 58 with trade unions.",
        (
            "Ministers in Veyland's government met business lobbyists almost six "
            "times as often as trade unions over the past two years, according to a "
            "Courier analysis of their published diaries.",
            "The diaries, which ministers must publish every quarter, list 341 "
            "meetings with business groups and 58 with unions.",
        ),
        (
            "The door is open to everybody. Some simply knock more often.",
            "A spokesperson for the Premier's office",
        ),
        ("lobbying", "transparency", "data"),
        access="paid",
        article_type="analysis",
    ),
    Story(
        "politics",
        ("tomas",),
        "Voting age of sixteen proposed for local elections",
        "A cross-party group of members wants sixteen- and seventeen-year-olds to "
        "vote for their councils from the next elections.",
        (
            "A group of Assembly members from four parties has tabled a bill to let "
            "sixteen- and seventeen-year-olds vote in local elections.",
            "The government has not said whether it will support the bill, but the "
            "Premier said she was \u201copen to the argument\u201d.",
        ),
        (
            "They pay for the buses and study in the schools. Let them vote for the "
            "people who run them.",
            "Amal Serin, one of the bill's sponsors",
        ),
        ("elections", "young people", "National Assembly"),
        status="scheduled",
        extra={"go_live_minutes": 45},
    ),
    Story(
        "politics",
        ("tomas",),
        "Draft: committee report on rural bus cuts",
        "Notes for a story on the transport committee's report, due before the "
        "budget vote.",
        (
            "The Assembly's transport committee will recommend that rural bus "
            "services be protected from the cuts in the budget, according to a draft "
            "of its report.",
            "The committee heard from more than sixty witnesses, most of them from "
            "villages that have lost at least one route in the past five years.",
        ),
        (
            "The last bus leaves at four. After that, you have a car or you stay home.",
            "A witness from the Northern Fells",
        ),
        ("buses", "Northern Fells", "budget"),
        status="draft",
    ),
    Story(
        "business",
        ("priya",),
        "Inflation eases for a third month, but food prices keep climbing",
        "Prices rose 3.1 percent over the year, the statistics office said; bread "
        "and vegetables rose more than twice as fast.",
        (
            "Inflation in Veyland slowed to 3.1 percent in the year to last month, "
            "the third monthly fall in a row, the statistics office said.",
            "Food prices, however, rose 7.4 percent, driven by vegetables and bread, "
            "which hit households on low incomes hardest.",
        ),
        (
            "The average is falling. My shopping bill is not.",
            "Gerda Lind, a shopper in Port Avenell",
        ),
        ("inflation", "cost of living", "food"),
        facts=(
            "The latest figures",
            (
                "Inflation, year to last month: 3.1 percent",
                "Food prices: up 7.4 percent",
                "Energy prices: down 2.2 percent",
            ),
        ),
    ),
    Story(
        "business",
        ("priya",),
        "Wind farm off Holloway Sands gets final approval",
        "Forty turbines will be built twelve kilometres offshore, enough to power "
        "every home on the coast.",
        (
            "The government has given final approval to a forty-turbine wind farm "
            "twelve kilometres off Holloway Sands, ending a planning process that "
            "began seven years ago.",
            "The developers say the farm will generate enough electricity for every "
            "home on the Saltmarsh coast and will be assembled at Port Avenell.",
        ),
        (
            "The blades will be unloaded in Avenell, assembled in Avenell and "
            "maintained from Avenell.",
            "Marit Jansen, project director",
        ),
        ("energy", "wind power", "Holloway Sands"),
        figure=True,
        picture="harbour",
    ),
    Story(
        "business",
        ("priya",),
        "The fishmonger who became the coast's biggest employer",
        "Arne Vestby started with one stall. Forty years later his company employs "
        "2,300 people.",
        (
            "Arne Vestby opened a fish stall on the quay in Port Avenell when he was "
            "nineteen. Four decades later, Vestby Seafoods employs 2,300 people and "
            "exports to eleven countries.",
            "In a rare interview, Vestby talked about luck, debt and why he still "
            "walks the processing floor every morning.",
        ),
        (
            "I never had a plan. I had a very good memory for which customers paid "
            "on time.",
            "Arne Vestby",
        ),
        ("interviews", "fishing", "Port Avenell"),
        article_type="interview",
        access="members",
        picture="harbour",
    ),
    Story(
        "business",
        ("priya",),
        "Dock workers vote to accept a new pay deal",
        "The agreement gives crane operators and lashers a 6 percent rise over two "
        "years and limits night shifts.",
        (
            "Dock workers at Port Avenell voted by a large majority to accept a pay "
            "deal that ends months of overtime bans.",
            "The agreement gives a 6 percent rise over two years and limits the "
            "number of consecutive night shifts to four.",
        ),
        (
            "It is not everything we asked for, but it is more than we were offered.",
            "Stellan Roos, branch secretary of the Dockers' Union",
        ),
        ("port", "wages", "unions"),
    ),
    Story(
        "business",
        ("priya",),
        "Money: five questions to ask before you fix your mortgage",
        "Rates are falling, slowly. Here is how to decide whether to lock in.",
        (
            "With mortgage rates edging down for the first time in two years, many "
            "homeowners whose fixed deals are ending face a choice: fix again, or "
            "wait.",
            "There is no right answer for everyone, but there are five questions "
            "that will help you find yours.",
        ),
        (
            "The cheapest deal on paper is not always the cheapest deal for you.",
            "Priya Halvorsen",
        ),
        ("personal finance", "mortgages", "explainers"),
        article_type="explainer",
        facts=(
            "Five questions",
            (
                "How long do you plan to stay in the home?",
                "Could you afford a rise of two points?",
                "What are the fees for leaving early?",
                "Do you expect your income to change?",
                "How much would overpaying save you?",
            ),
        ),
    ),
    Story(
        "business",
        ("priya",),
        "Northern Fells cheese makers win protected status",
        "Only cheese made from local milk in the Fells may now be sold as Fellside.",
        (
            "Fellside cheese, made in the Northern Fells for at least three "
            "centuries, has been granted protected status, meaning only cheese made "
            "there from local milk may carry the name.",
            "Producers say imitations sold abroad had been undercutting them for "
            "years.",
        ),
        (
            "Our grandparents made this cheese. Now our grandchildren can too.",
            "Liv Haugen, chair of the Fellside Producers' Association",
        ),
        ("food", "Northern Fells", "farming"),
        picture="hills",
    ),
    Story(
        "business",
        ("priya",),
        "Start-up turns fishing nets into skateboards",
        "A Merrow company collects discarded nets from the harbour and presses them "
        "into boards.",
        (
            "A start-up in Merrow has found a use for the tonnes of discarded "
            "fishing net that collect in the harbour each year: skateboards.",
            "Netdeck, founded by two former fishermen, sold its first thousand "
            "boards in three weeks.",
        ),
        (
            "We grew up pulling these nets out of the water. Now we pull them out "
            "for a reason.",
            "Oskar Brenn, co-founder of Netdeck",
        ),
        ("start-ups", "recycling", "Merrow"),
        picture="harbour",
    ),
    Story(
        "science",
        ("jonah",),
        "Caldreth researchers map the coast's hidden freshwater springs",
        "Hundreds of springs bubble up beneath the sea off the Saltmarsh coast, and "
        "they matter more than anyone thought.",
        (
            "Researchers at the University of Caldreth have mapped more than four "
            "hundred freshwater springs that rise from the seabed off the Saltmarsh "
            "coast.",
            "The springs, fed by rain that falls in the Northern Fells, create "
            "pockets of brackish water where young fish shelter.",
        ),
        (
            "We have been swimming over them for centuries without knowing they "
            "were there.",
            "Dr Sofie Lund, hydrologist",
        ),
        ("oceans", "research", "water"),
    ),
    Story(
        "science",
        ("jonah",),
        "Measles vaccination rates rise after school campaign",
        "Uptake among five-year-olds on the coast has returned to the level needed "
        "to stop outbreaks.",
        (
            "The share of five-year-olds on the Saltmarsh coast who have had both "
            "doses of the measles vaccine has risen to 95 percent, the level "
            "experts say is needed to prevent outbreaks.",
            "Health officials credit a campaign that took nurses into school "
            "playgrounds at pick-up time.",
        ),
        (
            "We stopped waiting for parents to come to us and went to the school gate.",
            "Health minister Signe Mollet",
        ),
        ("health", "vaccines", "children"),
    ),
    Story(
        "science",
        ("jonah",),
        "The night sky over the Fells is officially dark",
        "The Northern Fells have been named a dark-sky reserve, with limits on "
        "street lighting.",
        (
            "The Northern Fells have been designated a dark-sky reserve, one of only "
            "a handful in the region, after councils agreed to dim or shield more "
            "than three thousand street lamps.",
            "Astronomers say the Milky Way is now visible to the naked eye from "
            "most of the upland villages.",
        ),
        (
            "Half the people in this country have never seen the Milky Way. Now "
            "they have a place to go.",
            "Tove Ahl, amateur astronomer",
        ),
        ("astronomy", "Northern Fells", "environment"),
        gallery=True,
        picture="orbits",
    ),
    Story(
        "science",
        ("jonah",),
        "Study links sea-level rise to a faster-sinking coast",
        "Parts of the Saltmarsh coast are sinking by three millimetres a year, "
        "doubling the effect of the rising sea.",
        (
            "Parts of the Saltmarsh coast are sinking by up to three millimetres a "
            "year, according to a study using satellite measurements, roughly "
            "doubling the local effect of the rising sea.",
            "The sinking is caused mostly by the drainage of old peat marshes for "
            "farmland over the past two centuries.",
        ),
        (
            "We are not only facing a rising sea. We are meeting it halfway.",
            "Professor Ines Kalmar, University of Caldreth",
        ),
        ("climate", "sea level", "research"),
        access="paid",
        facts=(
            "Sinking and rising",
            (
                "Land sinking: up to 3 mm a year",
                "Sea rising: about 3.5 mm a year",
                "Most affected: the reclaimed marshes around Merrow",
            ),
        ),
    ),
    Story(
        "science",
        ("jonah",),
        "Hospital trial cuts waiting times for hip operations",
        "Port Avenell General ran weekend operating lists for six months. Waiting "
        "times fell by a third.",
        (
            "A six-month trial of weekend operating lists at Port Avenell General "
            "Hospital cut waiting times for hip replacements by a third.",
            "The trial was paid for by the regional health board, which will decide "
            "next month whether to extend it to other hospitals.",
        ),
        (
            "The theatres were standing empty two days a week. We simply used them.",
            "Dr Helga Sand, orthopaedic surgeon",
        ),
        ("health", "hospitals", "Port Avenell"),
    ),
    Story(
        "science",
        ("jonah",),
        "Explainer: why the Ambre floods more often than it used to",
        "Heavier rain, drained wetlands and dams upstream all play a part.",
        (
            "The Ambre has burst its banks four times in the past decade, compared "
            "with twice in the previous thirty years. There is no single reason.",
            "Rain falls harder than it used to, wetlands that once soaked it up have "
            "been drained, and the dams upstream are managed for power, not for the "
            "towns below.",
        ),
        (
            "Every change on its own is small. Together they turn a wet week into a "
            "flood.",
            "Dr Sofie Lund, hydrologist",
        ),
        ("explainers", "floods", "Ambre river", "climate"),
        article_type="explainer",
    ),
    Story(
        "culture",
        ("lucia",),
        "Teodor Falk's new novel is his most tender yet",
        "The Lighthouse Keeper's Daughters follows three sisters through a "
        "century on the coast.",
        (
            "Teodor Falk has written about the sea for thirty years, mostly as a "
            "threat. In The Lighthouse Keeper's Daughters, it is something closer to "
            "a companion.",
            "The novel follows three sisters from their childhood at the Merrow light "
            "to old age in three different countries.",
        ),
        (
            "I used to write about storms. I think I am finally writing about the "
            "people who wait for them to pass.",
            "Teodor Falk",
        ),
        ("books", "reviews", "Teodor Falk"),
        article_type="analysis",
    ),
    Story(
        "culture",
        ("lucia",),
        "Harbour Museum reopens after a three-year rebuild",
        "The museum's new glass hall holds the oldest boat ever found in Veyland.",
        (
            "The Harbour Museum in Port Avenell reopened after a three-year rebuild, "
            "with a glass hall on the quay built around the oldest boat ever found "
            "in Veyland.",
            "The log boat, carved from a single oak, was pulled from the mud of the "
            "Ambre estuary during work on the new channel.",
        ),
        (
            "The boat is older than the city. It seemed right to give it the best "
            "view in town.",
            "Karin Dahl, director of the Harbour Museum",
        ),
        ("museums", "history", "Port Avenell"),
        gallery=True,
    ),
    Story(
        "culture",
        ("lucia",),
        "The Ropewalk Theatre's storm-night comedy is a triumph of timing",
        "Nine actors, one stranded ferry and a plot that runs like a clock.",
        (
            "Stranded, the Ropewalk Theatre's new comedy, takes place on a single "
            "night in a ferry waiting room during a storm, and it is as precise and "
            "as funny as anything on a Veyish stage this year.",
            "Director Nils Ekberg keeps nine characters in constant motion without "
            "a single wasted entrance.",
        ),
        (
            "Comedy is arithmetic done at speed.",
            "Nils Ekberg, director",
        ),
        ("theatre", "reviews", "Ropewalk Theatre"),
        access="members",
    ),
    Story(
        "culture",
        ("lucia",),
        "Interview: the fiddler keeping the Fells' old tunes alive",
        "Ragna Holm has recorded more than four hundred tunes from elderly "
        "musicians in the upland villages.",
        (
            "For twenty years, Ragna Holm has driven around the Northern Fells with "
            "a fiddle and a recorder, asking old musicians to play her the tunes "
            "they learned as children.",
            "Her archive now holds more than four hundred tunes, many of which had "
            "never been written down.",
        ),
        (
            "When an old player dies, a library burns. I just try to get there first.",
            "Ragna Holm",
        ),
        ("music", "interviews", "Northern Fells"),
        article_type="interview",
    ),
    Story(
        "culture",
        ("lucia",),
        "City library extends opening hours to midnight",
        "The central library in Port Avenell will stay open late four nights a "
        "week, starting next month.",
        (
            "Port Avenell's central library will stay open until midnight four nights "
            "a week from next month, after a trial showed hundreds of students and "
            "shift workers using it late in the evening.",
            "The extra hours will be staffed by a mix of librarians and volunteers.",
        ),
        (
            "People do not only read between nine and five.",
            "Ingrid Falk, the city's chief librarian",
        ),
        ("libraries", "Port Avenell", "books"),
        editors_note="<p>Ingrid Falk, the chief librarian quoted here, is not "
        "related to the novelist Teodor Falk.</p>",
    ),
    Story(
        "culture",
        ("lucia",),
        "Young painters take over the old customs house",
        "Twenty artists under thirty have turned an empty building on the quay "
        "into studios.",
        (
            "The old customs house on Ropewalk Quay, empty for a decade, has been "
            "turned into studios for twenty artists under thirty, who pay a nominal "
            "rent in exchange for opening their doors to the public once a month.",
            "The first open day drew more than two thousand visitors.",
        ),
        (
            "We needed space, and the city needed someone to keep the lights on.",
            "Elin Sorensen, painter",
        ),
        ("art", "Port Avenell", "young people"),
        figure=True,
    ),
    Story(
        "sport",
        ("benedikt",),
        "Yara Okonjo breaks the national 200 metres record",
        "The nineteen-year-old from Merrow ran 22.31 seconds at the indoor "
        "championships in Caldreth.",
        (
            "Yara Okonjo broke Veyland's 200 metres record at the indoor "
            "championships in Caldreth, running 22.31 seconds to take eleven "
            "hundredths off a mark that had stood for fourteen years.",
            "Okonjo, who is nineteen and trains on a cinder track in Merrow, said "
            "she had not expected to run so fast so early in the season.",
        ),
        (
            "My coach told me to run the bend like I was late for the bus.",
            "Yara Okonjo",
        ),
        ("athletics", "Yara Okonjo", "records"),
        figure=True,
    ),
    Story(
        "sport",
        ("benedikt",),
        "Harbour regatta returns with a record fleet",
        "More than three hundred boats entered this year's race around the bay.",
        (
            "More than three hundred boats took part in the Port Avenell harbour "
            "regatta, the largest fleet in the race's 120-year history.",
            "Light winds made for a slow race, and the winners, a crew of four from "
            "Holloway Sands, crossed the line after almost seven hours.",
        ),
        (
            "Seven hours, two sandwiches and one argument about the spinnaker.",
            "Tilde Aas, skipper of the winning boat",
        ),
        ("sailing", "regatta", "Port Avenell"),
        gallery=True,
        picture="harbour",
    ),
    Story(
        "sport",
        ("benedikt",),
        "Caldreth United sack their coach after five defeats",
        "Mateo Sorlie leaves with the club in eighth place and supporters calling "
        "for change at board level.",
        (
            "Caldreth United have dismissed their coach, Mateo Sorlie, after five "
            "defeats in a row left the club in eighth place in the Premier "
            "Division.",
            "Sorlie was appointed eighteen months ago and won the cup in his first "
            "season.",
        ),
        (
            "Football has a short memory. The cup was a year ago, and a year is a "
            "long time.",
            "Mateo Sorlie",
        ),
        ("football", "Caldreth United", "Premier Division"),
    ),
    Story(
        "sport",
        ("benedikt",),
        "Women's league attendance doubles in a season",
        "Average crowds in the women's Premier Division reached 3,400, led by "
        "Avenell Harbour.",
        (
            "Average attendance in the women's Premier Division doubled this "
            "season to 3,400, with Avenell Harbour drawing the biggest crowds.",
            "The league credits cheaper tickets, kick-off times that suit families "
            "and matches played at the men's grounds.",
        ),
        (
            "We stopped treating it as an afterthought and people noticed.",
            "Asta Kvale, the league's chief executive",
        ),
        ("football", "women's sport", "Avenell Harbour"),
        access="members",
    ),
    Story(
        "sport",
        ("benedikt",),
        "Fell runners brave snow for the Tollan Horseshoe",
        "Two hundred runners completed the 32-kilometre race over six summits.",
        (
            "Two hundred runners completed the Tollan Horseshoe, a 32-kilometre race "
            "over six summits in the Northern Fells, despite snow on the high "
            "ground.",
            "The race was won by a local farmer, Eskil Bråten, in a time just over "
            "three hours.",
        ),
        (
            "I run up there every day to check the sheep. Today there were just "
            "more people.",
            "Eskil Bråten",
        ),
        ("running", "Northern Fells"),
        correction="An earlier version of this article said the race covered seven "
        "summits. It covers six.",
        picture="hills",
    ),
    Story(
        "sport",
        ("benedikt",),
        "Analysis: how Avenell Harbour built a title challenge on a small budget",
        "The club spends less on wages than half the division. Its secret is patience.",
        (
            "Avenell Harbour have the sixth-largest wage bill in the Premier "
            "Division and sit at the top of the table. That is not luck.",
            "Over five years the club has built one of the best youth academies in "
            "the country and sold players only when the price was right.",
        ),
        (
            "We do not buy stars. We grow them and we keep them as long as we can.",
            "Per Lindgren, Avenell Harbour's sporting director",
        ),
        ("football", "Avenell Harbour", "analysis"),
        article_type="analysis",
        access="paid",
    ),
    Story(
        "world",
        ("anouk",),
        "Kestrian farmers cross the border to sell at Veyish markets",
        "Weekly markets along the Ambre have become a lifeline for growers on both "
        "sides.",
        (
            "Every Thursday, farmers from the Kestrian bank drive their produce "
            "across the bridge at Tollan to a market that has grown from a handful "
            "of stalls to more than eighty.",
            "The market now draws shoppers from as far as Port Avenell.",
        ),
        (
            "The border is a line on a map. The market is where we actually meet.",
            "Mira Petrova, apple grower",
        ),
        ("Kestria", "farming", "markets"),
        picture="hills",
    ),
    Story(
        "asia",
        ("hana",),
        "Tamsar's parliament passes a data protection law",
        "The law gives citizens the right to see and delete what companies hold "
        "about them.",
        (
            "Tamsar's parliament passed the country's first comprehensive data "
            "protection law, giving citizens the right to see, correct and delete "
            "the information companies hold about them.",
            "Companies will have eighteen months to comply.",
        ),
        (
            "Your data is part of you. This law finally says so.",
            "Rina Chandra, the bill's sponsor",
        ),
        ("Tamsar Republic", "privacy", "law"),
    ),
    Story(
        "culture",
        ("lucia", "benedikt"),
        "Draft: festival guide for the summer",
        "Work in progress: the Courier's guide to the summer's festivals.",
        (
            "From the folk weekend in Tollan to the three-day music festival on the "
            "dunes at Holloway Sands, the coast's summer calendar is fuller than "
            "ever.",
            "Our critics pick the events worth the journey.",
        ),
        (
            "Bring a jumper. It is the coast.",
            "Every festival organiser we spoke to",
        ),
        ("festivals", "guides"),
        status="draft",
    ),
    Story(
        "science",
        ("jonah",),
        "Citizen scientists count a record number of seals",
        "Volunteers counted 1,840 grey seals on the sandbanks off Holloway Sands.",
        (
            "Volunteers counted 1,840 grey seals on the sandbanks off Holloway Sands "
            "in this year's census, the highest number since the count began.",
            "The census is carried out by about 150 volunteers with binoculars and "
            "tally counters at low tide on a single day.",
        ),
        (
            "The seals do not care about our census, but they are very good at "
            "posing for it.",
            "Lotte Vinter, census coordinator",
        ),
        ("wildlife", "citizen science", "Holloway Sands"),
        picture="harbour",
    ),
    Story(
        "politics",
        ("tomas",),
        "Assembly approves new rules on party donations",
        "Donations over 5,000 marks must now be published within a week.",
        (
            "Political parties in Veyland must publish any donation over 5,000 marks "
            "within seven days under new rules approved by the National Assembly.",
            "Until now, parties reported donations once a year, often months after "
            "the money arrived.",
        ),
        (
            "Voters should know who is paying before they vote, not after.",
            "Amal Serin, who sponsored the amendment",
        ),
        ("transparency", "National Assembly", "elections"),
    ),
    Story(
        "sport",
        ("benedikt",),
        "Merrow rowing club wins the coastal eights for the first time",
        "The crew, average age twenty-two, beat the holders by half a length on "
        "the Ambre estuary.",
        (
            "Merrow Rowing Club won the coastal eights on the Ambre estuary for the "
            "first time in its ninety-year history, beating the holders from "
            "Greywater by half a length.",
            "The Merrow crew, whose average age is twenty-two, trained through the "
            "winter in a boathouse that was flooded twice last year.",
        ),
        (
            "We bailed out the boathouse in the autumn and rowed it home in the "
            "spring.",
            "Ida Strand, Merrow's stroke",
        ),
        ("rowing", "Merrow", "Ambre river"),
        picture="harbour",
    ),
)


def _paragraph(text: str) -> dict[str, Any]:
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


def build_body(
    story: Story,
    *,
    rng: random.Random,
    figures: list[dict[str, Any]],
    gallery: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Return the StreamField blocks (as JSON-ready dicts) for ``story``.

    ``figures`` and ``gallery`` hold image block values ({"image": id, "caption":
    …}) that the loader made for this story; either may be empty.
    """
    # Each heading is followed only by paragraphs written for it.
    passages = []
    for heading, written in SECTION_PASSAGES[story.section]:
        pool = list(written)
        rng.shuffle(pool)
        passages.append((heading, pool))
    (first, first_pool), (second, second_pool), (third, third_pool) = passages
    quote, speaker = story.quote
    blocks: list[dict[str, Any]] = [
        _paragraph(story.paragraphs[0]),
        _paragraph(story.paragraphs[1]),
    ]
    if story.access != "public":
        blocks.append({"type": "paywall", "value": None})
    blocks.append({"type": "heading", "value": {"text": first, "level": "h2"}})
    blocks.append(_paragraph(first_pool[0]))
    if rng.random() < 0.3:
        blocks.append(
            {
                "type": "blockquote",
                "value": {"quote": quote, "attribution": speaker, "language": ""},
            }
        )
    else:
        blocks.append(
            {"type": "pullquote", "value": {"quote": quote, "attribution": speaker}}
        )
    blocks.append(_paragraph(first_pool[1]))
    for figure in figures:
        blocks.append({"type": "image", "value": figure})
    if story.facts:
        title, items = story.facts
        listing = "".join(f"<li>{item}</li>" for item in items)
        blocks.append(
            {
                "type": "factbox",
                "value": {"title": title, "body": f"<ul>{listing}</ul>"},
            }
        )
    blocks.append({"type": "heading", "value": {"text": second, "level": "h2"}})
    blocks.append(_paragraph(second_pool[0]))
    blocks.append(_paragraph(second_pool[1]))
    if gallery:
        blocks.append(
            {
                "type": "gallery",
                "value": {"title": "In pictures", "images": gallery},
            }
        )
    blocks.append({"type": "heading", "value": {"text": third, "level": "h2"}})
    blocks.append(_paragraph(third_pool[0]))
    title, url, description = story.source or SOURCES[story.section]
    blocks.append(
        {
            "type": "source",
            "value": {
                "title": title,
                "url": url,
                "document": None,
                "description": description,
            },
        }
    )
    return blocks
