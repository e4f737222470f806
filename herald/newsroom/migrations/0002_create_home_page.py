"""Replace Wagtail's welcome page with Herald's home page and point the site at it."""

from django.db import migrations


def create_home(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("newsroom.HomePage")
    Locale = apps.get_model("wagtailcore.Locale")

    if HomePage.objects.exists():
        return
    page_ct = ContentType.objects.get_for_model(Page)
    # Wagtail's initial data: a bare "Welcome" page at depth 2.
    Page.objects.filter(depth=2, content_type=page_ct, numchild=0).delete()
    home_ct, _ = ContentType.objects.get_or_create(app_label="newsroom", model="homepage")
    root = Page.objects.get(depth=1)
    existing = Page.objects.filter(depth=2).order_by("-path").first()
    next_num = int(existing.path[4:8], 36) + 1 if existing else 1
    import string

    alphabet = string.digits + string.ascii_uppercase
    step = ""
    n = next_num
    for _ in range(4):
        step = alphabet[n % 36] + step
        n //= 36
    locale = Locale.objects.first()
    home = HomePage.objects.create(
        title="Home",
        draft_title="Home",
        slug="home",
        content_type=home_ct,
        path=root.path + step,
        depth=2,
        numchild=0,
        url_path="/home/",
        live=True,
        locale_id=locale.pk if locale else None,
    )
    Page.objects.filter(pk=root.pk).update(numchild=Page.objects.filter(depth=2).count())
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", port=80, root_page_id=home.pk, is_default_site=True,
            site_name="Herald",
        )
    else:
        site.root_page_id = home.pk
        site.save(update_fields=["root_page"])


def remove_home(apps, schema_editor):
    HomePage = apps.get_model("newsroom.HomePage")
    HomePage.objects.filter(depth=2, numchild=0).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0001_initial"),
        ("wagtailcore", "0001_initial"),
        ("wagtailcore", "0002_initial_data"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    run_before = []

    operations = [migrations.RunPython(create_home, remove_home)]
