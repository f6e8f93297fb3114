"""Investment plans are computed in the background: the state of the computation. Plans made before
were solved while the page waited: they are done."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0007_plan_measure_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="investmentplan",
            name="computation",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("running", "Being computed"),
                    ("done", "Done"),
                    ("failed", "Failed"),
                ],
                default="done",
                max_length=10,
                verbose_name="computation",
            ),
        ),
        migrations.AlterField(
            model_name="investmentplan",
            name="computation",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("running", "Being computed"),
                    ("done", "Done"),
                    ("failed", "Failed"),
                ],
                default="queued",
                max_length=10,
                verbose_name="computation",
            ),
        ),
        migrations.AddField(
            model_name="investmentplan",
            name="computation_message",
            field=models.CharField(blank=True, max_length=255, verbose_name="computation message"),
        ),
        migrations.AddField(
            model_name="investmentplan",
            name="computation_params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="investmentplan",
            name="progress",
            field=models.FloatField(default=0.0, help_text="0 … 1", verbose_name="progress"),
        ),
        migrations.AddField(
            model_name="investmentplan",
            name="task_id",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="investmentplan",
            name="computation_started_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="investmentplan",
            name="computation_finished_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
