"""Letters get their text per language (LetterText) and a life (draft, private, published,
closed, with a private key and a schedule). Today's English and Arabic text and profession
names are copied across before their columns go: an open letter is published, a closed one
that was never published is a draft, any other closed one stays closed."""

import secrets

import django.db.models.deletion
from django.db import migrations, models

import petition.models


def forwards(apps, schema_editor):
    Letter = apps.get_model("petition", "Letter")
    LetterText = apps.get_model("petition", "LetterText")
    Profession = apps.get_model("petition", "Profession")
    for letter in Letter.objects.all():
        texts = [("en", letter.title_en, letter.body_en)]
        if letter.title_ar and letter.body_ar:
            texts.append(("ar", letter.title_ar, letter.body_ar))
        for language, title, body in texts:
            LetterText.objects.create(letter=letter, language=language, title=title, body=body)
        if letter.is_open:
            letter.state = "published"
        else:
            letter.state = "closed" if letter.published_on else "draft"
        letter.language = "en"
        letter.private_key = secrets.token_urlsafe(16)  # one each, not the default's one
        letter.save(update_fields=["state", "language", "private_key"])
    for profession in Profession.objects.all():
        labels = {"en": profession.label_en, "ar": profession.label_ar}
        profession.labels = {code: label for code, label in labels.items() if label}
        profession.save(update_fields=["labels"])


def backwards(apps, schema_editor):
    Letter = apps.get_model("petition", "Letter")
    Profession = apps.get_model("petition", "Profession")
    for letter in Letter.objects.all():
        texts = {text.language: text for text in letter.texts.all()}
        first = texts.get("en") or texts.get(letter.language)
        letter.title_en, letter.body_en = (first.title, first.body) if first else ("", "")
        if "ar" in texts:
            letter.title_ar, letter.body_ar = texts["ar"].title, texts["ar"].body
        letter.is_open = letter.state in ("private", "published")
        letter.save()
    for profession in Profession.objects.all():
        profession.label_en = profession.labels.get("en") or profession.key
        profession.label_ar = profession.labels.get("ar", "")
        profession.save()


class Migration(migrations.Migration):
    dependencies = [
        ("petition", "0007_identity"),
    ]

    operations = [
        migrations.AddField(
            model_name="letter",
            name="closes_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="close at (UTC)"),
        ),
        migrations.AddField(
            model_name="letter",
            name="language",
            field=models.CharField(default="en", max_length=10, verbose_name="first language"),
        ),
        migrations.AddField(
            model_name="letter",
            name="private_key",
            field=models.CharField(
                default=petition.models.new_private_key, editable=False, max_length=40
            ),
        ),
        migrations.AddField(
            model_name="letter",
            name="publish_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="publish at (UTC)"),
        ),
        migrations.AddField(
            model_name="letter",
            name="state",
            field=models.CharField(
                choices=[
                    ("draft", "Draft: its organisers only"),
                    ("private", "Private: its organisers and whoever has the private link"),
                    ("published", "Published: everyone; open to signatures"),
                    ("closed", "Closed: everyone; no more signatures"),
                ],
                default="draft",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="profession",
            name="labels",
            field=models.JSONField(default=dict),
        ),
        migrations.CreateModel(
            name="LetterText",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("language", models.CharField(max_length=10)),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("body", models.TextField(verbose_name="statement (Markdown)")),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "letter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="texts",
                        to="petition.letter",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("letter", "language"), name="letter_text_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(
            model_name="letter",
            name="body_ar",
        ),
        migrations.RemoveField(
            model_name="letter",
            name="body_en",
        ),
        migrations.RemoveField(
            model_name="letter",
            name="is_open",
        ),
        migrations.RemoveField(
            model_name="letter",
            name="title_ar",
        ),
        migrations.RemoveField(
            model_name="letter",
            name="title_en",
        ),
        migrations.RemoveField(
            model_name="profession",
            name="label_ar",
        ),
        migrations.RemoveField(
            model_name="profession",
            name="label_en",
        ),
    ]
