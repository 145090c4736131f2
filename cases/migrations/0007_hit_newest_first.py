from django.db import migrations, models


class Migration(migrations.Migration):
    """The hits list pages newest first (GET /api/v1/hits/): an index in that order."""

    dependencies = [
        ("cases", "0006_access_requests"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="hit",
            index=models.Index(fields=["-created_at", "-id"], name="hit_newest_first"),
        ),
    ]
