"""The data inventory (D1): every field classified, nothing stale, and every
personal or life-critical field of a case encrypted."""

from django.apps import apps

from samverkan.cases.models import EncryptedField
from samverkan.inventory import INVENTORY, Level, model_field_keys


def test_every_field_of_every_model_has_an_entry():
    missing = sorted(model_field_keys() - INVENTORY.keys())
    assert missing == [], f"Classify these fields in samverkan/inventory.py: {missing}"


def test_every_entry_names_a_field_that_exists():
    stale = sorted(INVENTORY.keys() - model_field_keys())
    assert stale == [], f"These fields no longer exist; remove them from the inventory: {stale}"


def test_the_discovery_finds_the_samverkan_apps_and_only_them():
    apps_found = {key.split(".")[0] for key in model_field_keys()}
    assert apps_found >= {"accounts", "audit", "cases"}
    assert not apps_found & {"auth", "mfa", "sessions", "django_tasks_db"}


def test_every_entry_is_complete():
    incomplete = sorted(
        key
        for key, entry in INVENTORY.items()
        if not (
            isinstance(entry.level, Level)
            and entry.purpose.strip()
            and entry.retention.strip()
            and entry.visible_to.strip()
        )
    )
    assert incomplete == []


def _cases_fields():
    for model in apps.get_app_config("cases").get_models():
        for field in model._meta.concrete_fields:
            yield f"{model._meta.label}.{field.name}", field


def test_personal_and_life_critical_case_fields_are_encrypted():
    in_clear = sorted(
        key
        for key, field in _cases_fields()
        if INVENTORY[key].level in (Level.S2, Level.S3) and not isinstance(field, EncryptedField)
    )
    assert in_clear == [], f"S2/S3 fields of the cases app must be EncryptedField: {in_clear}"


def test_encrypted_fields_are_classified_as_personal_at_least():
    # An encrypted field marked S0/S1 would misstate the risk in the DPIA and the
    # export rules that follow the level.
    understated = sorted(
        key
        for key, field in _cases_fields()
        if isinstance(field, EncryptedField) and INVENTORY[key].level in (Level.S0, Level.S1)
    )
    assert understated == []


def test_the_life_critical_values_are_s3():
    assert {key for key, entry in INVENTORY.items() if entry.level == Level.S3} >= {
        "cases.Person.identity",
        "cases.Person.secret_location",
        "cases.Person.health",
        "cases.CaseNote.body",
    }
