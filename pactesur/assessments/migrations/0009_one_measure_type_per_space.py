"""Assessment method v2 (issue 12): each measure type once per space, its coverage between 1 and 100 %."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("assessments", "0008_method_v2_data")]

    operations = [
        migrations.AddConstraint(
            model_name="existingmeasure",
            constraint=models.UniqueConstraint(
                fields=("assessment", "measure_type"), name="assessment_measure_type_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="existingmeasure",
            constraint=models.CheckConstraint(
                condition=models.Q(("coverage_pct__gte", 1), ("coverage_pct__lte", 100)),
                name="assessment_measure_coverage_1_100",
            ),
        ),
    ]
