from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from banchengshi.lib.masking import mask_phone
from banchengshi.notify.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "masked_to", "subject", "sent_at", "attempts", "last_error"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject"]
    fields = ("kind", "masked_to", "subject", "created_at", "sent_at", "attempts", "last_error")
    readonly_fields = fields

    @admin.display(description="接收号码")
    def masked_to(self, message: Message) -> str:
        return mask_phone(message.to)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Message | None = None) -> bool:
        return False
