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


class SubscriberForm(forms.ModelForm):
    """The signing secret is written, never shown again (it is encrypted at rest): left blank on a change,
    the secret stays as it was."""

    secret = forms.CharField(label="签名密钥", max_length=128, required=False, strip=True,
                             widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
                             help_text="推送以 HMAC-SHA256 签名，对方用同一密钥验签。已设置的密钥不再显示；留空则保持不变")

    class Meta:
        model = Subscriber
        fields = ["secret"]  # the admin adds the others (with its URL field override)

    def clean_secret(self) -> str:
        typed = str(self.cleaned_data.get("secret") or "")
        if typed:
            return typed
        if self.instance.pk and self.instance.secret:
            return str(self.instance.secret)
        raise forms.ValidationError("请设置签名密钥")


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    form = SubscriberForm
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
