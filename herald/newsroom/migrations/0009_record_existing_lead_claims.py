"""Record the lead claims of what is live today: the pinned lead, breaking stories.

From then on publishing keeps them (``actions.record_lead_claims``). The time of
a claim is the last publication of the page that made it, the best guess there is.
"""

from django.db import migrations
from django.utils import timezone


def record_claims(apps, schema_editor):
    HomePage = apps.get_model("newsroom", "HomePage")
    ArticlePage = apps.get_model("newsroom", "ArticlePage")
    LeadClaim = apps.get_model("newsroom", "LeadClaim")
    for home in HomePage.objects.filter(live=True, lead_article__isnull=False):
        LeadClaim.objects.get_or_create(
            kind="pinned",
            article_id=home.lead_article_id,
            defaults={"since": home.last_published_at or timezone.now()},
        )
    breaking = ArticlePage.objects.filter(
        live=True, is_breaking=True, first_published_at__isnull=False
    )
    for article in breaking:
        LeadClaim.objects.get_or_create(
            kind="breaking",
            article_id=article.pk,
            defaults={
                "since": article.last_published_at or article.first_published_at
            },
        )


def forget_claims(apps, schema_editor):
    apps.get_model("newsroom", "LeadClaim").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0008_front_page_slots_and_lead_claims")]

    operations = [migrations.RunPython(record_claims, forget_claims)]
