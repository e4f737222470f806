"""The newsroom's roles as Django groups with Wagtail page and collection permissions.

Wagtail's own initial migration already creates two groups, "Moderators" (add,
edit, publish, lock on the root page) and "Editors" (add, edit on the root page),
and hands both the image and document permissions. Herald reconciles them
rather than adding look-alikes:

- "Editors" keeps its name and becomes Herald's editor role: edit everything under
  the home page, publish, schedule, unpublish, lock; manage authors, images and
  documents. Wagtail's root-page grants are replaced by grants on the home page.
- "Moderators" keeps its name but becomes Herald's moderator role, which is about
  readers' reactions, not pages: admin access only for now. Its page, image and
  document permissions from Wagtail are removed.
- "Contributors" (new): create and edit their own drafts under the home page,
  submit them for review, upload and choose images and documents, read authors.
- "Administrators" (new): every permission on the whole tree; Herald tops up its
  model permissions after each ``migrate`` (see ``NewsroomConfig.ready``) so
  permissions of apps added later are included.

Reversing restores Wagtail's defaults for "Editors" and "Moderators" and deletes
the two new groups.
"""

from django.db import migrations

PAGE_PERMISSIONS = {
    "add_page": "Can add page",
    "change_page": "Can change page",
    "publish_page": "Publish any page",
    "bulk_delete_page": "Delete pages with children",
    "lock_page": "Lock/unlock pages you've locked",
    "unlock_page": "Unlock any page",
}
COLLECTION_PERMISSIONS = {
    ("wagtailimages", "image", "add_image"): "Can add image",
    ("wagtailimages", "image", "change_image"): "Can change image",
    ("wagtailimages", "image", "choose_image"): "Can choose image",
    ("wagtaildocs", "document", "add_document"): "Can add document",
    ("wagtaildocs", "document", "change_document"): "Can change document",
    ("wagtaildocs", "document", "choose_document"): "Can choose document",
    ("wagtailcore", "collection", "add_collection"): "Can add collection",
    ("wagtailcore", "collection", "change_collection"): "Can change collection",
    ("wagtailcore", "collection", "delete_collection"): "Can delete collection",
}
MODEL_PERMISSIONS = {
    ("wagtailadmin", "admin", "access_admin"): "Can access Wagtail admin",
    ("newsroom", "author", "add_author"): "Can add author",
    ("newsroom", "author", "change_author"): "Can change author",
    ("newsroom", "author", "delete_author"): "Can delete author",
    ("newsroom", "author", "view_author"): "Can view author",
    ("wagtailimages", "image", "add_image"): "Can add image",
    ("wagtailimages", "image", "change_image"): "Can change image",
    ("wagtailimages", "image", "delete_image"): "Can delete image",
    ("wagtailimages", "image", "choose_image"): "Can choose image",
    ("wagtaildocs", "document", "add_document"): "Can add document",
    ("wagtaildocs", "document", "change_document"): "Can change document",
    ("wagtaildocs", "document", "delete_document"): "Can delete document",
    ("wagtaildocs", "document", "choose_document"): "Can choose document",
}

MEDIA_ADD_CHOOSE = [
    ("wagtailimages", "image", "add_image"),
    ("wagtailimages", "image", "choose_image"),
    ("wagtaildocs", "document", "add_document"),
    ("wagtaildocs", "document", "choose_document"),
]
MEDIA_ALL = [
    *MEDIA_ADD_CHOOSE,
    ("wagtailimages", "image", "change_image"),
    ("wagtaildocs", "document", "change_document"),
]
AUTHOR_ALL = [
    ("newsroom", "author", codename)
    for codename in ("add_author", "change_author", "delete_author", "view_author")
]
ACCESS_ADMIN = ("wagtailadmin", "admin", "access_admin")

# Herald's roles: (page permissions on the home page, collection permissions on the
# root collection, model permissions).
ROLES = {
    "Contributors": {
        "pages": ["add_page"],
        "collections": MEDIA_ADD_CHOOSE,
        "models": [ACCESS_ADMIN, ("newsroom", "author", "view_author")],
    },
    "Editors": {
        "pages": [
            "add_page",
            "change_page",
            "publish_page",
            "lock_page",
            "unlock_page",
        ],
        "collections": MEDIA_ALL,
        "models": [ACCESS_ADMIN, *AUTHOR_ALL],
    },
    "Moderators": {"pages": [], "collections": [], "models": [ACCESS_ADMIN]},
}
ADMINISTRATORS = "Administrators"
NEW_GROUPS = ("Contributors", ADMINISTRATORS)

# What Wagtail's own migrations gave its two default groups (restored on reverse).
WAGTAIL_DEFAULTS = {
    "Editors": {"root_pages": ["add_page", "change_page"]},
    "Moderators": {
        "root_pages": [
            "add_page",
            "change_page",
            "publish_page",
            "lock_page",
            "unlock_page",
        ],
        "collections": [
            ("wagtailimages", "image", "add_image"),
            ("wagtailimages", "image", "change_image"),
            ("wagtailimages", "image", "choose_image"),
            ("wagtaildocs", "document", "add_document"),
            ("wagtaildocs", "document", "change_document"),
            ("wagtaildocs", "document", "choose_document"),
        ],
        "models": [
            key
            for key in MODEL_PERMISSIONS
            if key[0] in ("wagtailimages", "wagtaildocs")
        ],
    },
}


def _permission(apps, app_label, model, codename, name):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(
        app_label=app_label, model=model
    )
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return permission


def _page_permission(apps, codename):
    return _permission(
        apps, "wagtailcore", "page", codename, PAGE_PERMISSIONS[codename]
    )


def _named(apps, key):
    name = MODEL_PERMISSIONS.get(key) or COLLECTION_PERMISSIONS[key]
    return _permission(apps, *key, name)


def _anchors(apps):
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    HomePage = apps.get_model("newsroom", "HomePage")
    root = Page.objects.get(depth=1)
    home = HomePage.objects.order_by("path").first()
    home_page = Page.objects.get(pk=home.pk) if home else root
    return root, home_page, Collection.objects.get(depth=1)


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model(
        "wagtailcore", "GroupCollectionPermission"
    )
    root, home, root_collection = _anchors(apps)

    for name, role in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        # Herald's roles are anchored at the home page, not Wagtail's root page.
        GroupPagePermission.objects.filter(group=group, page=root).delete()
        if name == "Moderators":
            GroupPagePermission.objects.filter(group=group).delete()
            GroupCollectionPermission.objects.filter(group=group).delete()
            group.permissions.clear()
        for codename in role["pages"]:
            GroupPagePermission.objects.get_or_create(
                group=group, page=home, permission=_page_permission(apps, codename)
            )
        for key in role["collections"]:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=_named(apps, key)
            )
        group.permissions.add(*[_named(apps, key) for key in role["models"]])

    admins, _ = Group.objects.get_or_create(name=ADMINISTRATORS)
    for codename in PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=admins, page=root, permission=_page_permission(apps, codename)
        )
    for key in COLLECTION_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=admins, collection=root_collection, permission=_named(apps, key)
        )
    # Every model permission that exists now; later ones are added after migrate.
    Permission = apps.get_model("auth", "Permission")
    admins.permissions.add(*Permission.objects.all())


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model(
        "wagtailcore", "GroupCollectionPermission"
    )
    root, home, root_collection = _anchors(apps)
    Group.objects.filter(name__in=NEW_GROUPS).delete()

    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        GroupPagePermission.objects.filter(group=editors, page=home).delete()
        for codename in WAGTAIL_DEFAULTS["Editors"]["root_pages"]:
            GroupPagePermission.objects.get_or_create(
                group=editors, page=root, permission=_page_permission(apps, codename)
            )
        editors.permissions.remove(*[_named(apps, key) for key in AUTHOR_ALL])

    moderators = Group.objects.filter(name="Moderators").first()
    if moderators is not None:
        defaults = WAGTAIL_DEFAULTS["Moderators"]
        for codename in defaults["root_pages"]:
            GroupPagePermission.objects.get_or_create(
                group=moderators,
                page=root,
                permission=_page_permission(apps, codename),
            )
        for key in defaults["collections"]:
            GroupCollectionPermission.objects.get_or_create(
                group=moderators,
                collection=root_collection,
                permission=_named(apps, key),
            )
        moderators.permissions.add(*[_named(apps, key) for key in defaults["models"]])


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0002_create_home_page"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
