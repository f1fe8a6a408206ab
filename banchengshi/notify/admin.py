from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from banchengshi.lib.masking import mask_phone
from banchengshi.notify.models import Message, MessageKind, Notice, PeriodicRun, Subscriber


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ReadOnly):
    list_display = ["created_at", "kind", "masked_to", "subject", "sent_at", "attempts", "dead_at", "last_error"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter), ("dead_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject"]
    fields = ("kind", "masked_to", "title", "subject", "sequence", "key", "created_at", "next_attempt_at", "sent_at",
              "attempts", "dead_at", "last_error")
    readonly_fields = fields

    @admin.display(description="接收方")
    def masked_to(self, message: Message) -> str:
        if message.kind == MessageKind.SMS:
            return mask_phone(message.to)
        if message.kind == MessageKind.EMAIL:
            name, _, domain = message.to.partition("@")
            return f"{name[:1]}***@{domain}"
        return message.to


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}}
    list_display = ["name", "url", "source", "is_active", "paused_at", "consecutive_failures", "last_error"]
    list_filter = ["is_active", ("paused_at", admin.EmptyFieldListFilter)]
    fields = ("name", "url", "secret", "events", "source", "is_active", "paused_at", "consecutive_failures", "last_error")
    readonly_fields = ("paused_at", "consecutive_failures", "last_error")


@admin.register(Notice)
class NoticeAdmin(ReadOnly):
    list_display = ["created_at", "user", "title", "subject", "read_at"]
    list_filter = [("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject", "title"]


@admin.register(PeriodicRun)
class PeriodicRunAdmin(ReadOnly):
    list_display = ["period", "job", "worker", "started_at", "finished_at", "skipped", "result"]
    list_filter = ["job"]
