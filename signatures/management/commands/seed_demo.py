"""Create the demo letter `ai-training` with its professions and a few fictional notable
signers, if there is no letter with that slug. It runs at every start (`make run`, the
stack, compose), so it never changes what exists: an organiser's edits, a closed letter or
a removed signer stay as they are."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from ops.addresses import canonical_email
from petition.defaults import PROFESSIONS
from petition.models import Letter, LetterText, Profession
from signatures.counting import tally_recount
from signatures.models import Signature
from signatures.normalise import search_key

TITLE_EN = "Stop training AI on our work without a licence"
TITLE_AR = "لا لتدريب الذكاء الاصطناعي على أعمالنا دون ترخيص"

BODY_EN = """\
We are illustrators, actors, composers, novelists, photographers, translators and game makers.
Our work is how we earn our living, and it is a large part of who we are.

Generative AI companies have copied our work by the million to train their systems, without
asking, without a licence and without paying. Those systems are now sold as replacements for
the very people whose work built them.

**The unlicensed use of creative work to train generative AI is a major, unjust threat to the
livelihoods of the people who made that work, and it must not be permitted.**

We ask AI developers, and the governments that regulate them:

1. **Ask before you train.** No creative work is used for training without its creator's consent.
2. **License and pay.** Training on our work is a use that needs a licence, like any other.
3. **Be open.** Publish what each system was trained on, so that creators can know and object.

We sign in our own names.
"""

BODY_AR = """\
نحن رسّامون وممثلون وملحّنون وروائيون ومصوّرون ومترجمون وصنّاع ألعاب.
أعمالنا مصدر رزقنا، وهي جزء كبير ممّا نحن عليه.

لقد نسخت شركات الذكاء الاصطناعي التوليدي أعمالنا بالملايين لتدريب أنظمتها، دون إذن ودون
ترخيص ودون مقابل. وتُباع هذه الأنظمة اليوم بديلاً عن الأشخاص أنفسهم الذين بُنيت على أعمالهم.

**إنّ استخدام الأعمال الإبداعية دون ترخيص في تدريب الذكاء الاصطناعي التوليدي تهديدٌ كبير وظالم
لأرزاق من صنعوا هذه الأعمال، ويجب ألّا يُسمح به.**

نطالب مطوّري الذكاء الاصطناعي والحكومات التي تنظّم عملهم بما يلي:

1. **الاستئذان قبل التدريب.** لا يُستخدم أيّ عمل إبداعي في التدريب دون موافقة صاحبه.
2. **الترخيص والدفع.** التدريب على أعمالنا استخدامٌ يحتاج إلى ترخيص كأيّ استخدام آخر.
3. **الشفافية.** الإفصاح عمّا دُرّب عليه كلّ نظام، ليعرف المبدعون ذلك ويعترضوا عليه.

نوقّع بأسمائنا.
"""

TITLE_FR = "Non à l'entraînement de l'IA sur nos œuvres sans licence"

BODY_FR = """\
Nous sommes illustrateurs, comédiens, compositeurs, romanciers, photographes, traducteurs et
créateurs de jeux. Notre travail est notre gagne-pain, et une grande part de ce que nous sommes.

Des entreprises d'IA générative ont copié nos œuvres par millions pour entraîner leurs
systèmes, sans demander, sans licence et sans payer. Ces systèmes sont aujourd'hui vendus pour
remplacer celles et ceux dont le travail les a construits.

**L'utilisation sans licence d'œuvres de création pour entraîner l'IA générative est une menace
majeure et injuste pour les moyens d'existence de celles et ceux qui ont créé ces œuvres, et
elle ne doit pas être permise.**

Nous demandons aux développeurs d'IA, et aux gouvernements qui les encadrent :

1. **Demander avant d'entraîner.** Aucune œuvre n'est utilisée pour l'entraînement sans le
   consentement de son auteur.
2. **Licencier et payer.** Entraîner sur nos œuvres est un usage qui demande une licence, comme
   tout autre.
3. **La transparence.** Publier ce sur quoi chaque système a été entraîné, pour que les
   créateurs puissent le savoir et s'y opposer.

Nous signons de nos propres noms.
"""


# Fictional people: any likeness to real ones is chance.
NOTABLE_SIGNERS = [
    ("Mara Ellison", "novelist", "Novelist, author of The Salt Archive", "GB"),
    ("ليلى منصور", "composer", "Composer and oud player", "LB"),
    ("Tomasz Wren", "illustrator", "Illustrator and picture-book author", "PL"),
    ("Ana Sofía Quintero", "actor", "Actor, stage and screen", "MX"),
    ("Kenji Arakawa", "voice-actor", "Voice actor", "JP"),
    ("Chidi Okafor", "photographer", "Documentary photographer", "NG"),
]


class Command(BaseCommand):
    help = "Create the demo letter `ai-training` unless it exists (never changes an existing one)."

    @transaction.atomic
    def handle(self, *args, **options):
        letter, created = Letter.objects.get_or_create(
            slug="ai-training",
            defaults={"language": "en", "featured": True, "state": Letter.State.PUBLISHED},
        )
        if not created:
            self.stdout.write(f"Letter '{letter.slug}' exists; left as it is.")
            return
        LetterText.objects.bulk_create(
            LetterText(letter=letter, language=language, title=title, body=body)
            for language, title, body in (
                ("en", TITLE_EN, BODY_EN),
                ("ar", TITLE_AR, BODY_AR),
                ("fr", TITLE_FR, BODY_FR),
            )
        )
        professions = {
            key: Profession.objects.create(letter=letter, key=key, labels=labels, order=order)
            for order, (key, labels) in enumerate(PROFESSIONS)
        }
        now = timezone.now()
        Signature.objects.bulk_create(
            Signature(
                letter=letter,
                email=f"demo-signer-{index + 1}@example.org",
                email_key=canonical_email(f"demo-signer-{index + 1}@example.org"),
                name=name,
                name_search=search_key(name),
                profession=professions[profession],
                role=role,
                country=country,
                show_name=True,
                state=Signature.State.CONFIRMED,
                approved=True,
                notable=True,
                notable_verified=True,
                confirmed_at=now,
            )
            for index, (name, profession, role, country) in enumerate(NOTABLE_SIGNERS)
        )
        # Demo rows are written directly, not through the services: count them from the rows.
        tally_recount(letter_id=letter.pk, first_count=True)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created letter '{letter.slug}' with {len(professions)} professions "
                f"and {len(NOTABLE_SIGNERS)} notable signers."
            )
        )
