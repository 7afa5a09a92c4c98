"""The counters are exact: journalled with each change, folded, repaired by recount."""

import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import connection

from signatures import signing
from signatures.counting import letter_count, tally_fold, tally_recount
from signatures.models import ProfessionTally, Signature, Tally, TallyChange
from signatures.moderation import signatures_moderate

from ..conftest import need
from ..factories import LetterFactory, ProfessionFactory, SignatureFactory


def pending(letter, profession, n, **extra):
    return [
        SignatureFactory(
            letter=letter,
            profession=profession,
            state=Signature.State.PENDING,
            confirmed_at=None,
            **extra,
        )
        for _ in range(n)
    ]


def true_count(letter) -> int:
    return Signature.objects.counted().filter(letter=letter).count()


@pytest.mark.django_db
def test_confirm_journals_one_change_and_fold_applies_it(django_capture_on_commit_callbacks):
    letter = LetterFactory()
    profession = ProfessionFactory(letter=letter)
    (signature,) = pending(letter, profession, 1, notable=True)
    signing.signature_confirm(signature_id=signature.pk, version=1)
    assert TallyChange.objects.count() == 1
    assert tally_fold(letter_id=letter.pk) == 1
    count = letter_count(letter=letter)
    assert (count.signatures, count.notable) == (1, 1)
    assert count.by_profession == {profession.key: 1}
    assert not TallyChange.objects.exists()


@pytest.mark.django_db
def test_count_read_does_not_count_signature_rows(django_assert_max_num_queries):
    letter = LetterFactory()
    profession = ProfessionFactory(letter=letter)
    SignatureFactory.create_batch(30, letter=letter, profession=profession)
    tally_recount(letter_id=letter.pk)
    with django_assert_max_num_queries(4):  # tally, professions' tallies, keys, countries
        assert letter_count(letter=letter).signatures == 30
    # No query of the count path touches the signatures table.
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        letter_count(letter=letter)
    assert not any("signatures_signature" in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db
def test_recount_repairs_drift_and_logs_it(caplog):
    letter = LetterFactory()
    profession = ProfessionFactory(letter=letter)
    SignatureFactory.create_batch(7, letter=letter, profession=profession)
    Tally.objects.update_or_create(letter=letter, defaults={"total": 1000})
    with caplog.at_level(logging.WARNING, logger="signatures.counting"):
        drift = tally_recount(letter_id=letter.pk)
    assert drift > 0
    assert "drifted" in caplog.text
    assert letter_count(letter=letter).signatures == 7
    assert tally_recount(letter_id=letter.pk) == 0


@pytest.mark.django_db
def test_recount_leaves_unfolded_changes_to_the_fold():
    letter = LetterFactory()
    profession = ProfessionFactory(letter=letter)
    signatures = pending(letter, profession, 3)
    for signature in signatures:
        signing.signature_confirm(signature_id=signature.pk, version=1)
    tally_recount(letter_id=letter.pk)  # journal still holds +3
    assert letter_count(letter=letter).signatures == 0
    tally_fold(letter_id=letter.pk)
    assert letter_count(letter=letter).signatures == 3


@pytest.mark.django_db
def test_recount_command_reports_each_letter(capsys):
    letter = LetterFactory(slug="counted")
    ProfessionFactory(letter=letter)
    call_command("recount")
    assert "counted: drift 0" in capsys.readouterr().out


@pytest.mark.django_db
def test_recount_command_refuses_an_unknown_slug():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No letter with slug: nope"):
        call_command("recount", "nope")


@pytest.mark.django_db(transaction=True)
def test_concurrent_confirms_double_clicks_and_withdrawals_leave_exact_counters():
    need(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    letter = LetterFactory()
    professions = [ProfessionFactory(letter=letter) for _ in range(3)]
    signatures = [
        s
        for i, p in enumerate(professions)
        for n in range(70)
        for s in pending(letter, p, 1, notable=(i == 0), country=["FR", "EG", "BR", ""][n % 4])
    ][:200]
    ids = [s.pk for s in signatures]
    withdrawn = set(ids[::4])
    removed = set(ids[1::5]) - withdrawn

    def act(job):
        kind, signature_id = job
        try:
            if kind == "confirm":
                signing.signature_confirm(signature_id=signature_id, version=1)
            elif kind == "withdraw":
                signing.signature_withdraw(signature_id=signature_id)
            else:
                signatures_moderate(
                    letter=letter,
                    actor=None,
                    action="remove",
                    signature_ids=[signature_id],
                    reason="spam",
                )
        finally:
            connection.close()

    # Every signature confirmed twice (a double click); meanwhile a quarter withdrawn by their
    # signers and a fifth removed by organisers.
    jobs = (
        [("confirm", i) for i in ids] * 2
        + [("withdraw", i) for i in withdrawn]
        + [("remove", i) for i in removed]
    )
    jobs.sort(key=lambda job: (job[1] * 7919) % 1009)  # interleave kinds and ids
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(act, jobs))

    tally_fold(letter_id=letter.pk)
    count = letter_count(letter=letter)
    assert count.signatures == true_count(letter) == 200 - len(withdrawn) - len(removed)
    assert count.notable == Signature.objects.counted().filter(letter=letter, notable=True).count()
    for profession in professions:
        expected = Signature.objects.counted().filter(profession=profession).count()
        assert count.by_profession[profession.key] == expected
    for country in ("FR", "EG", "BR"):
        expected = Signature.objects.counted().filter(letter=letter, country=country).count()
        assert count.by_country[country] == expected > 0
    assert "" not in count.by_country
    assert tally_recount(letter_id=letter.pk) == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_folds_never_add_a_change_twice():
    need(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    letter = LetterFactory()
    profession = ProfessionFactory(letter=letter)
    TallyChange.objects.bulk_create(
        TallyChange(letter=letter, profession=profession, total=1, notable=0) for _ in range(120)
    )

    def fold(_):
        try:
            return tally_fold(letter_id=letter.pk)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(fold, range(16)))
    assert Tally.objects.get(letter=letter).total == 120
    assert ProfessionTally.objects.get(letter=letter, profession=profession).total == 120


@pytest.mark.django_db
def test_by_country_follows_every_change_and_recount_repairs_it(caplog):
    from signatures.models import CountryTally

    letter = LetterFactory()
    profession = ProfessionFactory(letter=letter)
    first, second, third = pending(letter, profession, 3, country="FR")
    Signature.objects.filter(pk=third.pk).update(country="")
    for signature in (first, second, third):
        signing.signature_confirm(signature_id=signature.pk, version=1)
    tally_fold(letter_id=letter.pk)
    assert letter_count(letter=letter).by_country == {"FR": 2}  # "" is no country
    signing.signature_withdraw(signature_id=first.pk)
    tally_fold(letter_id=letter.pk)
    assert letter_count(letter=letter).by_country == {"FR": 1}
    CountryTally.objects.filter(letter=letter).update(total=40)
    with caplog.at_level(logging.WARNING):
        assert tally_recount(letter_id=letter.pk) == 39
    assert letter_count(letter=letter).by_country == {"FR": 1}


@pytest.mark.django_db
def test_the_count_api_says_by_country(client, letter):
    SignatureFactory.create_batch(2, letter=letter, country="EG")
    SignatureFactory(letter=letter, country="GB")
    tally_recount(letter_id=letter.pk)
    body = client.get(f"/api/letters/{letter.slug}/count").json()
    assert body["by_country"] == {"EG": 2, "GB": 1}


@pytest.mark.django_db
def test_a_fresh_demo_seed_reports_no_drift(caplog):
    from petition.models import Letter

    call_command("seed_demo", verbosity=0)
    assert "drifted" not in caplog.text
    letter = Letter.objects.get(slug="ai-training")
    assert letter_count(letter=letter).signatures > 0
    assert tally_recount(letter_id=letter.pk) == 0  # and the counters are right
