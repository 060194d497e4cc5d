from django.contrib import admin
from django.http import HttpRequest

from outbox.models import OutboxEmail


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "template", "to", "status", "attempts", "last_error"]
    list_filter = ["status", "template"]
    search_fields = ["to", "idempotency_key"]
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
