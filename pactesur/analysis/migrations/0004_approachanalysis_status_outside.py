"""A status of its own for a space no street of the network reaches: not analysed, not failed.

Rows that failed for that reason before are given it (their message said "the area does not touch
the street network"); every other failure stays a failure.
"""

from django.db import migrations, models
from django.utils import timezone

# The messages as stored then and now (pactesur.analysis.actions), copied: a migration must not
# change when the code does.
_ENGINE_FAILED = "The engine cannot analyse this space: %(reason)s"
_NO_TOUCH = "the area does not touch the street network"
_OUTSIDE = (
    "Not analysed: no street, footway or open square of street network version %(version)d reaches "
    "this space."
)


def _mark_outside(apps, schema_editor):  # type: ignore[no-untyped-def]
    ApproachAnalysis = apps.get_model("analysis", "ApproachAnalysis")
    rows = ApproachAnalysis.objects.filter(
        status="failed", error=_ENGINE_FAILED, error_params__reason__startswith=_NO_TOUCH
    )
    now = timezone.now()
    for row in rows.only("pk", "network_version"):
        ApproachAnalysis.objects.filter(pk=row.pk).update(
            status="outside", error=_OUTSIDE, error_params={"version": row.network_version}, updated_at=now
        )


def _mark_failed(apps, schema_editor):  # type: ignore[no-untyped-def]
    ApproachAnalysis = apps.get_model("analysis", "ApproachAnalysis")
    ApproachAnalysis.objects.filter(status="outside").update(
        status="failed",
        error=_ENGINE_FAILED,
        error_params={"reason": _NO_TOUCH},
        updated_at=timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0003_page_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="approachanalysis",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "queued"),
                    ("running", "running"),
                    ("succeeded", "succeeded"),
                    ("failed", "failed"),
                    ("outside", "not analysed: outside the street network"),
                    ("stale", "out of date"),
                ],
                default="queued",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(_mark_outside, _mark_failed),
    ]
