"""The default editorial workflow: one "Editor approval" task for the Editors group.

It is attached to the home page, so every section and article goes through it
when a contributor submits. Wagtail's own migration created a "Moderators
approval" workflow on the root page for its publish-permission group; Herald's
"Moderators" moderate reactions, not pages, so that workflow is deactivated and
detached here (restored on reverse).
"""

from django.db import migrations

WORKFLOW_NAME = "Editorial review"
TASK_NAME = "Editor approval"
WAGTAIL_WORKFLOW_NAME = "Moderators approval"


def create_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    HomePage = apps.get_model("newsroom", "HomePage")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Task = apps.get_model("wagtailcore", "Task")

    root = Page.objects.get(depth=1)
    home = HomePage.objects.order_by("path").first()
    home_page = Page.objects.get(pk=home.pk) if home else root

    for workflow in Workflow.objects.filter(name=WAGTAIL_WORKFLOW_NAME, active=True):
        WorkflowPage.objects.filter(workflow=workflow).delete()
        workflow.active = False
        workflow.save(update_fields=["active"])
    Task.objects.filter(name=WAGTAIL_WORKFLOW_NAME).update(active=False)

    editors, _ = Group.objects.get_or_create(name="Editors")
    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(
            name=TASK_NAME, content_type=task_type, active=True
        )
    task.groups.add(editors)
    workflow, _ = Workflow.objects.get_or_create(
        name=WORKFLOW_NAME, defaults={"active": True}
    )
    WorkflowTask.objects.get_or_create(
        workflow=workflow, task_id=task.pk, defaults={"sort_order": 0}
    )
    WorkflowPage.objects.update_or_create(
        page=home_page, defaults={"workflow": workflow}
    )


def remove_workflow(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    Task = apps.get_model("wagtailcore", "Task")

    Workflow.objects.filter(name=WORKFLOW_NAME).delete()
    Task.objects.filter(name=TASK_NAME).delete()

    wagtail_workflow = Workflow.objects.filter(name=WAGTAIL_WORKFLOW_NAME).first()
    if wagtail_workflow is not None:
        wagtail_workflow.active = True
        wagtail_workflow.save(update_fields=["active"])
        Task.objects.filter(name=WAGTAIL_WORKFLOW_NAME).update(active=True)
        WorkflowPage.objects.get_or_create(
            page=Page.objects.get(depth=1), defaults={"workflow": wagtail_workflow}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0003_newsroom_groups"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_workflow, remove_workflow)]
