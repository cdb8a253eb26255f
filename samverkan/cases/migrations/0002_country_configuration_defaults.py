from django.db import migrations


def add_defaults(apps, schema_editor):
    # Every country starts at the Convention's minimum of 30 days; Norway grants
    # six months. Operators set their country's figures on the configuration page.
    CountryConfiguration = apps.get_model("cases", "CountryConfiguration")
    for country in ["DK", "EE", "FI", "DE", "IS", "LV", "LT", "NO", "PL", "SE"]:
        CountryConfiguration.objects.get_or_create(
            country=country,
            defaults={"reflection_period_days": 180 if country == "NO" else 30},
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
