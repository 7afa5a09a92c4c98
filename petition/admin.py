from django.contrib import admin

from .models import Letter, LetterText, Profession


class LetterTextInline(admin.StackedInline):
    model = LetterText
    extra = 0


class ProfessionInline(admin.TabularInline):
    model = Profession
    extra = 0


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ("slug", "language", "state", "featured", "moderation", "created_at")
    inlines = [LetterTextInline, ProfessionInline]
