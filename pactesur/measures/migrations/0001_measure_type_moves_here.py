"""The measure catalogue moves from assessments to this app: the table is kept as it is (same rows, same
ids, the assessments' measures still point to them); only Django's record of which app owns it changes
(assessments 0006 removes it there)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("assessments", "0005_suggestion_steps_in_the_readers_language")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="MeasureType",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("code", models.SlugField(max_length=40, unique=True)),
                        ("family", models.CharField(max_length=20, verbose_name="family")),
                        ("name", models.CharField(max_length=200, verbose_name="name")),
                        ("effects", models.JSONField(default=dict)),
                        ("assumption", models.BooleanField(default=True, verbose_name="effects are assumptions")),
                        ("order", models.PositiveIntegerField(default=0)),
                    ],
                    options={"verbose_name": "measure type", "ordering": ["order", "code"], "db_table": "assessments_measuretype"},
                ),
            ],
            database_operations=[],
        ),
    ]
