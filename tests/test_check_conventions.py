"""tools/check_conventions.py: each rule refuses its bad example, passes its good."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "check_conventions.py"

_spec = importlib.util.spec_from_file_location("check_conventions", SCRIPT)
assert _spec and _spec.loader
checker = importlib.util.module_from_spec(_spec)
sys.modules["check_conventions"] = checker
_spec.loader.exec_module(checker)

RULE_IDS = [rule.id for rule in checker.RULES]


def run_checker(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.mark.parametrize("rule", checker.RULES, ids=RULE_IDS)
def test_bad_example_is_reported_with_file_line_and_reason(tmp_path, rule):
    write(tmp_path, rule.sample_path, rule.bad)

    result = run_checker(tmp_path)

    assert result.returncode == 1
    assert f"{rule.sample_path}:" in result.stdout
    assert f"[{rule.id}]" in result.stdout
    assert rule.why in result.stdout


@pytest.mark.parametrize("rule", checker.RULES, ids=RULE_IDS)
def test_good_example_passes(tmp_path, rule):
    write(tmp_path, rule.sample_path, rule.good)

    result = run_checker(tmp_path)

    assert result.returncode == 0, result.stdout
    assert result.stdout.strip().endswith("no findings.")


@pytest.mark.parametrize(
    ("rel", "text", "rule_id"),
    [
        ("herald/newsroom/tasks.py", "page.save()\n", "writes-in-actions"),
        (
            "herald/newsroom/management/commands/x.py",
            "Author.objects.bulk_create(rows)\n",
            "writes-in-actions",
        ),
        ("herald/members/api.py", "qs.objects.update(x=1)\n", "writes-in-actions"),
        ("manage.py", "os.environ.setdefault('X', 'y')\n", "environ-in-env-py"),
        ("herald/celery.py", "os.getenv('X')\n", "environ-in-env-py"),
        ("herald/core/views.py", "return mark_safe(html)\n", "no-unjustified-safe"),
        ("herald/x/views.py", "mark_safe(html)  # noqa: S308\n", "no-unjustified-safe"),
        ("herald/x/templates/x/a.html", "{{ x | safe }}\n", "no-unjustified-safe"),
        ("herald/x/views.py", "text = page.specific.body\n", "body-through-rendering"),
        (
            "herald/x/api.py",
            "blocks = list(latest_article.body)\n",
            "body-through-rendering",
        ),
        ("herald/core/tasks_util.py", "    print(x)\n", "no-print"),
        (
            ".ci/run",
            "python -m playwright install --with-deps\n",
            "no-playwright-install",
        ),
    ],
)
def test_more_bad_lines_are_caught(rel, text, rule_id):
    findings = checker.check_text(rel, text)

    assert [f.rule.id for f in findings] == [rule_id]
    assert findings[0].line == 1


@pytest.mark.parametrize(
    ("rel", "text"),
    [
        # Outside the rule's files.
        ("herald/newsroom/actions.py", "page.save(update_fields=['title'])\n"),
        ("herald/newsroom/tests/test_views.py", "Author.objects.create(name='A')\n"),
        ("herald/settings/env.py", "os.environ.get('HERALD_DEBUG')\n"),
        ("herald/newsroom/management/commands/load.py", "print('done')\n"),
        # Allowed forms.
        ("herald/x/tags.py", 'return mark_safe("")\n'),
        ("herald/x/tags.py", "mark_safe(html)  # noqa: S308 -- built by format_html\n"),
        (
            "herald/x/tags.py",
            "# The provider's markup, as Wagtail outputs it.\n"
            "x = mark_safe(html)  # noqa: S308\n",
        ),
        ("herald/x/views.py", "data = json.loads(request.body)\n"),
        ("herald/x/views.py", "return HttpResponse(feed.body)\n"),
        ("herald/x/views.py", "# article.body is never read here\n"),
        ("herald/x/templates/x/a.html", "{{ items|safeseq|join:', ' }}\n"),
        ("tests/e2e/conftest.py", '"""Never `playwright install`: use chromium."""\n'),
        ("herald/x/actions.py", "blueprint(x)\n"),
    ],
)
def test_allowed_lines_pass(rel, text):
    assert checker.check_text(rel, text) == []
