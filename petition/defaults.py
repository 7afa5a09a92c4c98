"""What a new letter starts with: the creative professions, named in English, Arabic and
French (owners rename them and name them in the letter's other languages)."""

PROFESSIONS = [
    ("illustrator", {"en": "Illustrator", "ar": "رسّام/ة", "fr": "Illustrateur·rice"}),
    ("actor", {"en": "Actor", "ar": "ممثّل/ة", "fr": "Comédien·ne"}),
    ("musician", {"en": "Musician", "ar": "موسيقي/ة", "fr": "Musicien·ne"}),
    ("composer", {"en": "Composer", "ar": "ملحّن/ة", "fr": "Compositeur·rice"}),
    ("novelist", {"en": "Novelist", "ar": "روائي/ة", "fr": "Romancier·ère"}),
    ("poet", {"en": "Poet", "ar": "شاعر/ة", "fr": "Poète"}),
    ("screenwriter", {"en": "Screenwriter", "ar": "كاتب/ة سيناريو", "fr": "Scénariste"}),
    ("photographer", {"en": "Photographer", "ar": "مصوّر/ة", "fr": "Photographe"}),
    ("voice-actor", {"en": "Voice actor", "ar": "مؤدّي/ة صوت", "fr": "Comédien·ne de doublage"}),
    ("translator", {"en": "Translator", "ar": "مترجم/ة", "fr": "Traducteur·rice"}),
    (
        "game-developer",
        {"en": "Game developer", "ar": "مطوّر/ة ألعاب", "fr": "Développeur·se de jeux"},
    ),
    ("animator", {"en": "Animator", "ar": "رسّام/ة رسوم متحرّكة", "fr": "Animateur·rice"}),
    ("designer", {"en": "Designer", "ar": "مصمّم/ة", "fr": "Designer"}),
    ("dancer", {"en": "Dancer", "ar": "راقص/ة", "fr": "Danseur·se"}),
    ("journalist", {"en": "Journalist", "ar": "صحفي/ة", "fr": "Journaliste"}),
    ("other", {"en": "Other creative work", "ar": "عمل إبداعي آخر", "fr": "Autre métier créatif"}),
]
