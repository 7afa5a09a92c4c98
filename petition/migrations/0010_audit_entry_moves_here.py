"""The audit log's new home (it was signatures.ModerationEntry): the same table, taken over
in the migration state only; its content type follows it, so admin permissions keep working."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _move(apps, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=target[0], model=target[1]).exists():
        ContentType.objects.filter(app_label=source[0], model=source[1]).update(
            app_label=target[0], model=target[1]
        )


def move_content_type(apps, schema_editor):
    _move(apps, ("signatures", "moderationentry"), ("petition", "auditentry"))


def move_content_type_back(apps, schema_editor):
    _move(apps, ("petition", "auditentry"), ("signatures", "moderationentry"))


class Migration(migrations.Migration):
    dependencies = [
        ("petition", "0009_verbose_names"),
        ("signatures", "0011_audit_entry_moves_to_petition"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("approve", "Approve"),
                                    ("remove", "Remove"),
                                    ("restore", "Restore"),
                                    ("mark_notable", "Mark notable"),
                                    ("unmark_notable", "Unmark notable"),
                                    ("verify_notable", "Verify notable"),
                                    ("block", "Add a block"),
                                    ("settings", "Change the letter"),
                                    ("invite", "Invite an organiser"),
                                    ("verification_cleared", "Verification cleared"),
                                    ("export", "Export"),
                                    ("update_test", "Send a test update"),
                                    ("update_send", "Send an update"),
                                    ("update_schedule", "Schedule an update"),
                                    ("update_cancel", "Cancel an update"),
                                    ("source", "Make a share link"),
                                    ("accept_hold", "Accept a held name"),
                                    ("hold", "Hold for review"),
                                    ("verify_organisation", "Verify organisation"),
                                    ("unverify_organisation", "Clear organisation verification"),
                                    ("add_on_behalf", "Add a name on someone's behalf"),
                                    ("wall", "Arrange the notable wall"),
                                    ("unverify_notable", "Clear verification"),
                                    ("unapprove", "Withdraw approval"),
                                    (
                                        "state",
                                        "Move the letter on (draft, private, published, closed)",
                                    ),
                                    ("new_key", "Make a new private link"),
                                    ("letter_schedule", "Schedule publishing or closing"),
                                ],
                                max_length=30,
                            ),
                        ),
                        ("signature_ids", models.JSONField(blank=True, default=list)),
                        ("changed", models.PositiveIntegerField(default=0)),
                        ("reason", models.CharField(blank=True, max_length=300)),
                        ("detail", models.CharField(blank=True, max_length=300)),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "letter",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="audit_log",
                                to="petition.letter",
                            ),
                        ),
                        (
                            "undoes",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="undone_by",
                                to="petition.auditentry",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "audit entries",
                        "db_table": "signatures_moderationentry",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
