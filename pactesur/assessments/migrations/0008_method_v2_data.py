"""Assessment method v2 (issue 12), the data: every assessment gets the scenarios of the two new attack
types, and a measure type recorded twice at a space becomes one row (0009 then makes that a rule)."""

from django.db import migrations


def one_row_per_measure_type(apps, schema_editor):
    """Before a measure type may be recorded once per space: where it was recorded twice, keep the
    existing row (else the first), with the notes of the others appended, and drop the others."""
    ExistingMeasure = apps.get_model("assessments", "ExistingMeasure")
    seen = {}
    for row in ExistingMeasure.objects.order_by("assessment_id", "measure_type_id", "status", "id"):
        key = (row.assessment_id, row.measure_type_id)
        kept = seen.get(key)
        if kept is None:
            seen[key] = row
            continue
        if row.notes and row.notes not in kept.notes:
            kept.notes = (kept.notes + "\n" + row.notes).strip()
            kept.save(update_fields=["notes"])
        row.delete()


# The library's order after this migration (library.ATTACK_ORDER): two types are new.
ORDER = (
    "vehicle",
    "firearms",
    "blade",
    "placed_ied",
    "pbied",
    "vbied",
    "arson",
    "cbrn",
    "drone",
    "bomb_threat",
    "cyber",
    "recon",
    "insider",
)


def scenarios_of_the_new_types(apps, schema_editor):
    """Every assessment gets the scenarios of the types the library gained (bomb threat, cyber),
    unrated; the next submission asks for them like any other."""
    Assessment = apps.get_model("assessments", "Assessment")
    Scenario = apps.get_model("assessments", "Scenario")
    for assessment in Assessment.objects.all():
        have = set(Scenario.objects.filter(assessment=assessment).values_list("attack_type", flat=True))
        for code in ORDER:
            if code not in have:
                Scenario.objects.create(assessment=assessment, attack_type=code, order=ORDER.index(code))
        for scenario in Scenario.objects.filter(assessment=assessment):
            if scenario.order != ORDER.index(scenario.attack_type):
                scenario.order = ORDER.index(scenario.attack_type)
                scenario.save(update_fields=["order"])


class Migration(migrations.Migration):
    dependencies = [("assessments", "0007_method_v2")]

    operations = [
        migrations.RunPython(one_row_per_measure_type, migrations.RunPython.noop),
        migrations.RunPython(scenarios_of_the_new_types, migrations.RunPython.noop),
    ]
