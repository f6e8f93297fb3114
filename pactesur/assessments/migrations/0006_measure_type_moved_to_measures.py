"""The measure catalogue now belongs to the measures app (its 0001 takes the table over as it is):
the assessments' measures point to measures.MeasureType, and this app forgets the model. Nothing
changes in the database."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0005_suggestion_steps_in_the_readers_language"),
        ("measures", "0001_measure_type_moves_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="existingmeasure",
                    name="measure_type",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="measures.measuretype",
                    ),
                ),
                migrations.DeleteModel(name="MeasureType"),
            ],
            database_operations=[],
        ),
    ]
