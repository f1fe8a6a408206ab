"""The admin office configures sources here; secrets are set only by `manage.py set_integration_secret`
and never shown (the model marks them not editable, and the admin names only whether one is set)."""

from __future__ import annotations

from django.contrib import admin

from banchengshi.integrations.models import Delivery, InboundEvent, IntegrationSource
from banchengshi.lib.admin import ReadOnlyAdmin


@admin.register(IntegrationSource)
class IntegrationSourceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "channel", "default_center", "secret_status", "is_active"]
    list_filter = ["kind", "is_active"]
    fields = ("code", "name", "kind", "channel", "default_center", "callback", "is_active", "secret_status",
              "secret_set_at")
    readonly_fields = ("secret_status", "secret_set_at")

    @admin.display(description="签名密钥")
    def secret_status(self, source: IntegrationSource) -> str:
        return f"{source.secret_state}（用 manage.py set_integration_secret 设置）"


@admin.register(InboundEvent)
class InboundEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "source", "event_id", "case"]
    list_filter = ["source"]
    search_fields = ["event_id", "case__reference"]
    fields = ("source", "event_id", "case", "received_at", "body_digest")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "source_code", "event_id", "outcome", "status_code", "reason", "reference"]
    list_filter = ["outcome", "source_code"]
    search_fields = ["event_id", "reference"]
