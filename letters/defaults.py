"""What a new letter starts with: the creative professions (key, English, Arabic)."""

PROFESSIONS = [
    ("illustrator", "Illustrator", "رسّام/ة"),
    ("actor", "Actor", "ممثّل/ة"),
    ("musician", "Musician", "موسيقي/ة"),
    ("composer", "Composer", "ملحّن/ة"),
    ("novelist", "Novelist", "روائي/ة"),
    ("poet", "Poet", "شاعر/ة"),
    ("screenwriter", "Screenwriter", "كاتب/ة سيناريو"),
    ("photographer", "Photographer", "مصوّر/ة"),
    ("voice-actor", "Voice actor", "مؤدّي/ة صوت"),
    ("translator", "Translator", "مترجم/ة"),
    ("game-developer", "Game developer", "مطوّر/ة ألعاب"),
    ("animator", "Animator", "رسّام/ة رسوم متحرّكة"),
    ("designer", "Designer", "مصمّم/ة"),
    ("dancer", "Dancer", "راقص/ة"),
    ("journalist", "Journalist", "صحفي/ة"),
    ("other", "Other creative work", "عمل إبداعي آخر"),
]
