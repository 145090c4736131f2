"""Issue 17: every sort of the case list pages by keyset on its own (key, id) index; the owner
sort gets a copy of the owner's code on the case (no index can serve a join's order); the
identifier filter, which has no kind, gets an index on the value."""
from django.db import migrations, models

BACKFILL_OWNER_CODE = ("UPDATE cases_case SET owner_code = "
                       "(SELECT code FROM agencies_agency WHERE agencies_agency.id = cases_case.owner_agency_id)")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0009_prosecution'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='owner_code',
            field=models.CharField(default='', editable=False, max_length=32),
            preserve_default=False,
        ),
        migrations.RunSQL(BACKFILL_OWNER_CODE, migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.CheckConstraint(condition=models.Q(('owner_code', ''), _negated=True),
                                              name='case_owner_code_set'),
        ),
        # (status, id) and (port, id) serve the status and port filters as the single-column indexes did.
        migrations.RemoveIndex(model_name='case', name='cases_case_status_5f99d2_idx'),
        migrations.RemoveIndex(model_name='case', name='cases_case_port_e48ec6_idx'),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['title', 'id'], name='case_title_keyset'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['status', 'id'], name='case_status_keyset'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['port', 'id'], name='case_port_keyset'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['handling_code', 'id'], name='case_handling_keyset'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['owner_code', 'id'], name='case_owner_keyset'),
        ),
        migrations.AddIndex(
            model_name='identifier',
            index=models.Index(fields=['value', 'case'], name='identifier_value_case'),
        ),
    ]
