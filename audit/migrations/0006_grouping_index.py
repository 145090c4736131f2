# The consultation grouping asks "has this actor recorded this act on this case through this
# session since T?". With the session after the time in the key, PostgreSQL visited every
# record of the case by other sessions in the window to read their session; with the session
# before the time, it visits only the matching ones. The case trail and the other checks use
# the (case_id, actor, action) prefix, as before. The new index is built before the old one
# is dropped, so the trail is never without one.
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0005_record_once_function'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['case_id', 'actor', 'action', 'session_ref', 'at'],
                               name='audit_case_actor_session'),
        ),
        migrations.RemoveIndex(
            model_name='auditevent',
            name='audit_audit_case_id_437c59_idx',
        ),
    ]
