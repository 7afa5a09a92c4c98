"""What the organisers' forms post, filled from a letter as it stands."""


def settings_data(letter, *, professions: bool = True, **extra) -> dict:
    """The letter settings form, unchanged but for `extra`."""
    rows = list(letter.professions.all()) if professions else []
    data = {
        "moderation": letter.moderation,
        "professions-TOTAL_FORMS": str(len(rows)),
        "professions-INITIAL_FORMS": str(len(rows)),
    }
    for i, profession in enumerate(rows):
        data |= {
            f"professions-{i}-id": profession.pk,
            f"professions-{i}-key": profession.key,
            f"professions-{i}-label": profession.labels.get(letter.language, profession.key),
            f"professions-{i}-order": profession.order,
        }
    return {**data, **extra}


def text_data(letter, language: str, **extra) -> dict:
    """A language page's form, unchanged but for `extra`."""
    text = letter.texts_by_language().get(language)
    data = {
        "title": text.title if text else "",
        "body": text.body if text else "",
        "updates_wording": (letter.updates_wording or {}).get(language, ""),
    }
    for profession in letter.professions.all():
        data[f"label_{profession.pk}"] = profession.labels.get(language, "")
    return {**data, **extra}
