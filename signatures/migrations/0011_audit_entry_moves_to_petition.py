"""The audit log moves to the letter domain (petition.AuditEntry): its table stays as it is,
only the model's home changes, so this is a change of state alone."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("signatures", "0010_letter_life_actions"),
        ("petition", "0009_verbose_names"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ModerationEntry")],
            database_operations=[],
        ),
    ]
