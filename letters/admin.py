from django.contrib import admin

from .models import Letter, Profession


class ProfessionInline(admin.TabularInline):
    model = Profession
    extra = 0


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ("title_en", "slug", "featured", "is_open", "moderation", "created_at")
    prepopulated_fields = {"slug": ("title_en",)}
    inlines = [ProfessionInline]
