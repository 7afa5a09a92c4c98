from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

# The admin signs in through allauth too, so its two-factor step cannot be bypassed.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include("front.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("organise/", include("organise.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
