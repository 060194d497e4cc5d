from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from networks.models import Membership, Network


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role", "card_number", "status", "joined_on"]
    raw_id_fields = ["user"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("user")


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "region", "city", "status", "launched_on"]
    list_filter = ["status", "region"]
    search_fields = ["name", "slug", "city"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "network", "role", "card_number", "status", "joined_on"]
    list_filter = ["role", "status", "network"]
    search_fields = ["user__email", "user__last_name"]
    list_select_related = ["user", "network"]
    raw_id_fields = ["user"]
