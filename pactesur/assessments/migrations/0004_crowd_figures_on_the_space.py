"""The crowd figures, peak times and area of an assessment are its space's (issue 10).

A draft reads them from the space; the assessment's own columns become the figures it was
submitted with, which an assessment in review or approved keeps. Rows already in review or approved
hold exactly that. For drafts, a figure the assessment has and the space lacks is copied to the
space (nothing entered is lost); where both have one, the space's stays, as the space's page showed it.
"""

from django.db import migrations, models

FIELDS = ("usual_crowd", "peak_crowd", "peak_times")


def _fill_the_spaces_gaps(apps, schema_editor):  # type: ignore[no-untyped-def]
    assessment_model = apps.get_model("assessments", "Assessment")
    for assessment in assessment_model.objects.filter(status="draft").select_related("space"):
        space = assessment.space
        changed = []
        for name in FIELDS:
            mine = getattr(assessment, f"submitted_{name}")
            if mine not in (None, "") and getattr(space, name) in (None, ""):
                setattr(space, name, mine)
                changed.append(name)
        if changed:
            space.edited = True
            space.save(update_fields=[*changed, "edited"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0003_scenario_not_applicable"),
        ("spaces", "0002_space_archived_at_space_archived_by"),
    ]

    operations = [
        migrations.RenameField("assessment", "peak_times", "submitted_peak_times"),
        migrations.RenameField("assessment", "usual_crowd", "submitted_usual_crowd"),
        migrations.RenameField("assessment", "peak_crowd", "submitted_peak_crowd"),
        migrations.RenameField("assessment", "area_m2", "submitted_area_m2"),
        migrations.AlterField(
            model_name="assessment",
            name="submitted_peak_times",
            field=models.TextField(blank=True, verbose_name="peak times as submitted"),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="submitted_usual_crowd",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="usual crowd as submitted (people)"
            ),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="submitted_peak_crowd",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="peak crowd as submitted (people)"
            ),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="submitted_area_m2",
            field=models.FloatField(default=0.0, verbose_name="area as submitted (m²)"),
        ),
        migrations.RunPython(_fill_the_spaces_gaps, migrations.RunPython.noop),
    ]
