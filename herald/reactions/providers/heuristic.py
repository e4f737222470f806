"""The built-in spam check: a few signals that cost a couple of queries.

Each signal adds to a score; three or more points is spam, so one signal
alone never is, except a flood of links:

- **links**: more than ``max_links`` links (2 points; three times as many, 3),
  or any link from an account younger than a day (1 point);
- **repeated text**: the same text posted by this member in the last day
  (2 points), or one word or character run repeated to fill the comment
  (2 points);
- **new account**: joined in the last ten minutes (1 point);
- **rate**: five or more comments by this member in the last ten minutes
  (2 points).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

from django.utils import timezone

from .base import Candidate, SpamCheck, Verdict

_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)
_RUN = re.compile(r"(.)\1{29,}", re.DOTALL)


class HeuristicSpamCheck(SpamCheck):
    name = "heuristic"
    max_links = 3
    threshold = 3.0

    def check(self, candidate: Candidate) -> Verdict:
        from herald.reactions.models import Comment

        now = timezone.now()
        text = candidate.text
        author = candidate.author
        score = 0.0
        reasons: list[str] = []
        joined = getattr(author, "date_joined", None) or now
        links = len(_LINK.findall(text))
        if links > self.max_links:
            score += 3 if links > 3 * self.max_links else 2
            reasons.append(f"{links} links")
        elif links and now - joined < timedelta(days=1):
            score += 1
            reasons.append("links from a new account")
        if now - joined < timedelta(minutes=10):
            score += 1
            reasons.append("account made minutes ago")
        words = [word.lower() for word in _WORD.findall(text)]
        if len(words) >= 8:
            _top, count = Counter(words).most_common(1)[0]
            if count / len(words) > 0.5:
                score += 2
                reasons.append("one word repeated")
        if _RUN.search(text):
            score += 2
            reasons.append("repeated characters")
        recent = Comment.objects.filter(
            author=author, created_at__gte=now - timedelta(days=1)
        )
        if recent.filter(text=text.strip()).exists():
            score += 2
            reasons.append("same text posted again")
        if recent.filter(created_at__gte=now - timedelta(minutes=10)).count() >= 5:
            score += 2
            reasons.append("many comments in ten minutes")
        return Verdict(spam=score >= self.threshold, score=score, reasons=reasons)
