#!/usr/bin/env python3
"""Check Herald's code conventions (docs: shared design conventions.md) with grep rules.

Each rule names the files it looks at, the pattern it refuses, why, and a bad and
a good example (``tests/test_check_conventions.py`` runs every example through
the checker, so the examples stay true). Run from the repository root:

    python tools/check_conventions.py            # the whole tree
    python tools/check_conventions.py --root DIR # another tree (used by the tests)
    python tools/check_conventions.py --list     # the rules with their examples

Exit status 1 and ``path:line: [rule] explanation`` for each finding; 0 when clean.
A finding that is deliberate is allowed on its line as the rule says (e.g.
``# noqa: S308 -- why this HTML is safe``); the reason is required.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Folders never scanned: tooling, caches, data, third-party code.
SKIP_DIRS = {
    ".git",
    ".venv",
    ".venv-tools",
    "node_modules",
    "__pycache__",
    ".ruff_cache",
    ".pytest_cache",
    ".import_linter_cache",
    "var",
    "media",
    "staticfiles",
}
# The checker and its test hold the bad examples on purpose.
SELF_FILES = {"tools/check_conventions.py", "tests/test_check_conventions.py"}


@dataclass(frozen=True)
class Rule:
    id: str
    why: str
    include: tuple[str, ...]
    pattern: re.Pattern[str]
    bad: str
    good: str
    sample_path: str
    exclude: tuple[str, ...] = ()
    # A line matching this is allowed (a literal that is safe, a justified noqa).
    allow: re.Pattern[str] | None = None
    # Allowed too when this marker is on the line and a comment line just above
    # it gives the reason (a noqa for S308 under "# Sanitised by nh3 above.").
    allow_after_comment: re.Pattern[str] | None = None
    # Skip comment lines (Python # comments, whole-line template comments).
    skip_comments: bool = True

    def applies_to(self, rel: str) -> bool:
        if not any(fnmatch.fnmatch(rel, pattern) for pattern in self.include):
            return False
        return not any(fnmatch.fnmatch(rel, pattern) for pattern in self.exclude)


# fnmatch's * also matches "/", so "herald/*/views.py" covers nested apps too.
WRITES_DIRS = (
    "herald/*/views.py",
    "herald/*/views/*.py",
    "herald/*/api.py",
    "herald/*/api/*.py",
    "herald/*/tasks.py",
    "herald/*/management/commands/*.py",
)

RULES: tuple[Rule, ...] = (
    Rule(
        id="writes-in-actions",
        why=(
            "ORM writes belong in an app's actions.py (one verb-first function, in "
            "transaction.atomic, side effects on commit); views, APIs, tasks and "
            "management commands parse input and call one action."
        ),
        include=WRITES_DIRS,
        exclude=("*/tests/*",),
        pattern=re.compile(
            r"\.objects\.(create|get_or_create|update_or_create|update|delete|"
            r"bulk_\w+)\(|\.save\(|\.save_revision\("
        ),
        bad=(
            "def subscribe(request):\n"
            "    Subscription.objects.create(email=request.POST['email'])\n"
        ),
        good=(
            "def subscribe(request):\n"
            "    actions.subscribe(request.POST['email'], source='form')\n"
        ),
        sample_path="herald/members/views.py",
    ),
    Rule(
        id="environ-in-env-py",
        why=(
            "Only herald/settings/env.py reads the process environment (each "
            "HERALD_* variable documented there); import the value from env, and "
            "call env.ensure_settings_module() to choose the settings."
        ),
        include=("herald/*.py", "manage.py"),
        exclude=("herald/settings/env.py", "herald/*/tests/*"),
        pattern=re.compile(
            r"\bos\.environ\b|\bos\.getenv\(|\bfrom os import .*environ"
        ),
        bad="import os\n\nDEBUG = os.environ.get('HERALD_DEBUG') == '1'\n",
        good="from herald.settings import env\n\nDEBUG = env.DEBUG\n",
        sample_path="herald/settings/dev.py",
    ),
    Rule(
        id="no-unjustified-safe",
        why=(
            "Autoescaping is the XSS defence: no |safe in templates and no "
            "mark_safe() on anything but a constant, unless the line says why the "
            "HTML is safe ('# noqa: S308 -- sanitised by nh3' / "
            "'{# noqa: S308 -- reason #}')."
        ),
        include=("herald/*.html", "herald/*.py"),
        exclude=("herald/*/tests/*", "herald/*/migrations/*"),
        pattern=re.compile(r"\|\s*safe\b(?!seq)|\bmark_safe\(|\bSafeString\("),
        allow=re.compile(
            # a justified noqa, or a constant string literal
            r"noqa:\s*S308\s*[-—:(]*\s*\w{3,}"
            r"|\b(mark_safe|SafeString)\(\s*(\"[^\"{}<>%]*\"|'[^'{}<>%]*')\s*\)"
        ),
        allow_after_comment=re.compile(r"noqa:\s*S308"),
        bad="<div>{{ comment.text|safe }}</div>\n",
        good=(
            "<div>{{ comment.text }}</div>\n"
            "<div>{{ comment.html|safe }}</div>"
            "{# noqa: S308 -- cleaned by nh3 in reactions.sanitise #}\n"
        ),
        sample_path="herald/reactions/templates/reactions/comment.html",
    ),
    Rule(
        id="body-through-rendering",
        why=(
            "Reader views never touch an article's .body: the paywall cuts it in "
            "newsroom.rendering/queries (through members.access.can_read), so the "
            "premium part cannot leak through a view, feed or API."
        ),
        include=(
            "herald/*/views.py",
            "herald/*/views/*.py",
            "herald/*/api.py",
            "herald/*/api/*.py",
            "herald/*/feeds.py",
            "herald/*/oembed.py",
        ),
        exclude=("*/tests/*",),
        # An article by any usual name (article, page, story, post, their
        # plurals and prefixes) or any Wagtail page's .specific.
        pattern=re.compile(
            r"(?i)\b\w*(article|page|story|post)\w*(\.specific)?\.body\b"
            r"|\.specific\.body\b"
        ),
        bad=(
            "def article_text(request, pk):\n"
            "    article = ArticlePage.objects.get(pk=pk)\n"
            "    return HttpResponse(article.body.render_as_block())\n"
        ),
        good=(
            "def article_text(request, pk):\n"
            "    context = queries.article_context(request, pk)\n"
            "    payload = json.loads(request.body)\n"
        ),
        sample_path="herald/distribution/views.py",
    ),
    Rule(
        id="no-print",
        why=(
            "Use logging (logger = logging.getLogger(__name__)) in Herald's code; "
            "only management commands write to the terminal (self.stdout.write)."
        ),
        include=("herald/*.py",),
        exclude=("herald/*/management/commands/*",),
        pattern=re.compile(r"(?<![\w.])print\("),
        bad="def publish(article):\n    print('published', article.pk)\n",
        good="def publish(article):\n    logger.info('published %s', article.pk)\n",
        sample_path="herald/newsroom/actions.py",
    ),
    Rule(
        id="no-playwright-install",
        why=(
            "Never download browsers: the browser tests drive Debian's "
            "/usr/bin/chromium (make chromium); a browser download fails offline "
            "and in CI."
        ),
        include=(
            "*.py",
            "*.sh",
            "*.toml",
            "*.cfg",
            "*.ini",
            "*.yml",
            "*.yaml",
            "*.json",
            "*.md",
            "*.txt",
            "Makefile",
            "*/Makefile",
            "*.mk",
            ".ci/*",
            "Dockerfile",
        ),
        pattern=re.compile(r"playwright\s+install|playwright\W+install_?deps"),
        # Prose that forbids it is fine; a command never says "never".
        allow=re.compile(r"(?i)\b(never|don'?t|do not|not)\b"),
        skip_comments=False,
        bad="test-e2e:\n\t.venv/bin/python -m playwright install chromium\n",
        good="test-e2e: chromium\n\t.venv/bin/python -m pytest -m browser tests/e2e\n",
        sample_path="Makefile",
    ),
)


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    rule: Rule
    text: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}: [{self.rule.id}]"
        return f"{where} {self.rule.why}\n    {self.text}"


def iter_files(root: Path) -> Iterator[tuple[Path, str]]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if rel not in SELF_FILES:
                yield path, rel


def _is_comment(line: str, rel: str) -> bool:
    stripped = line.lstrip()
    if rel.endswith(".py"):
        return stripped.startswith("#")
    if rel.endswith(".html"):
        return stripped.startswith("{#") and stripped.rstrip().endswith("#}")
    return False


def check_text(rel: str, text: str, rules: tuple[Rule, ...] = RULES) -> list[Finding]:
    """Return the findings of ``rules`` in one file's ``text`` at path ``rel``."""
    active = [rule for rule in rules if rule.applies_to(rel)]
    findings: list[Finding] = []
    if not active:
        return findings
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        above = lines[number - 2] if number > 1 else ""
        for rule in active:
            if rule.skip_comments and _is_comment(line, rel):
                continue
            if not rule.pattern.search(line):
                continue
            if rule.allow is not None and rule.allow.search(line):
                continue
            if (
                rule.allow_after_comment is not None
                and rule.allow_after_comment.search(line)
                and _is_comment(above, rel)
            ):
                continue
            findings.append(Finding(rel, number, rule, line.strip()))
    return findings


def check_tree(root: Path, rules: tuple[Rule, ...] = RULES) -> list[Finding]:
    findings: list[Finding] = []
    for path, rel in iter_files(root):
        if not any(rule.applies_to(rel) for rule in rules):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        findings.extend(check_text(rel, text, rules))
    return findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--root", type=Path, default=Path(__file__).resolve().parent.parent
    )
    parser.add_argument("--list", action="store_true", help="print the rules")
    args = parser.parse_args(argv)
    if args.list:
        for rule in RULES:
            print(f"[{rule.id}] {rule.why}")
            print(f"  files: {', '.join(rule.include)}")
            print("  bad:\n    " + rule.bad.rstrip().replace("\n", "\n    "))
            print("  good:\n    " + rule.good.rstrip().replace("\n", "\n    "))
        return 0
    findings = check_tree(args.root.resolve())
    for finding in findings:
        print(finding)
    if findings:
        print(f"check_conventions: {len(findings)} finding(s).", file=sys.stderr)
        return 1
    print(f"check_conventions: {len(RULES)} rules, no findings.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
