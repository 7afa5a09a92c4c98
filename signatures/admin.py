from django.contrib import admin

from .models import Block, Signature, Tally


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    """Read-only: state changes go through the services so the counters stay exact."""

    list_display = (
        "name",
        "letter",
        "profession",
        "country",
        "state",
        "approved",
        "notable",
        "signed_at",
    )
    list_filter = ("letter", "state", "approved", "notable")
    search_fields = ("name", "email")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Tally)
class TallyAdmin(admin.ModelAdmin):
    list_display = ("letter", "total", "notable", "updated_at")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("kind", "value", "letter", "reason", "created_at")
    list_filter = ("kind", "letter")
