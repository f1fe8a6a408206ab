"""Seal the events written before the chain, in the order they were written. Its own migration (its own
transaction on PostgreSQL) so that no schema change follows row updates in one transaction."""

from django.conf import settings
from django.db import migrations

GENESIS = "0" * 64


def seal_existing(apps, schema_editor):
    from banchengshi.audit.chain import mac_of

    Event = apps.get_model("audit", "Event")
    AuditChain = apps.get_model("audit", "AuditChain")
    seq, prev = 0, GENESIS
    for event in Event.objects.order_by("at", "id").iterator(chunk_size=2000):
        seq += 1
        event.seq, event.prev_mac = seq, prev
        event.mac = mac_of(event, settings.AUDIT_KEY)
        event.save(update_fields=["seq", "prev_mac", "mac"])
        prev = event.mac
    AuditChain.objects.create(pk=1, last_seq=seq, last_mac=prev, purged_through_seq=0, purged_through_mac=GENESIS)


class Migration(migrations.Migration):

    dependencies = [("audit", "0005_event_chain")]

    operations = [migrations.RunPython(seal_existing, migrations.RunPython.noop)]
