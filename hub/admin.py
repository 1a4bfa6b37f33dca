"""Django admin for hub operators (superusers). Account admins use the web UI instead."""
from django.contrib import admin

from hub import models


@admin.register(models.Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "account", "role"]
    list_filter = ["role"]


@admin.register(models.Pbx)
class PbxAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "account", "kind", "timezone"]
    exclude = ["ingest_token", "ingest_token_hash"]


class DirectoryAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "pbx", "edited_by_admin"]
    list_filter = ["pbx"]
    search_fields = ["number", "name"]

    def save_model(self, request, obj, form, change):
        # A name corrected here must survive the next time traffic mentions the entry.
        obj.edited_by_admin = obj.edited_by_admin or "name" in form.changed_data
        super().save_model(request, obj, form, change)


admin.site.register(models.PbxUser, DirectoryAdmin)
admin.site.register(models.Queue, DirectoryAdmin)
admin.site.register(models.RingGroup, DirectoryAdmin)


@admin.register(models.IngestSource)
class IngestSourceAdmin(admin.ModelAdmin):
    list_display = ["pbx", "kind", "path", "port", "enabled", "lines_read", "events_stored", "last_record_at", "last_error"]
    list_filter = ["kind", "enabled"]
    readonly_fields = ["position", "lines_read", "events_stored", "skipped", "last_read_at", "last_record_at"]


@admin.register(models.WebhookComponent)
class WebhookComponentAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "condition", "target", "seconds", "enabled"]


@admin.register(models.Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["unique_call_id", "pbx", "direction", "state", "caller_number", "call_start_at", "call_duration"]
    list_filter = ["state", "direction"]
    search_fields = ["unique_call_id", "caller_number"]
