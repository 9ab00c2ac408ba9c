from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.admin_login import ThrottledAdminAuthenticationForm, admin_login
from fitbud import views

admin.site.site_header = "Fitbud administration"
admin.site.site_title = "Fitbud admin"
# The admin login spends the API login's rate-limit budget (accounts/admin_login.py).
admin.site.login_form = ThrottledAdminAuthenticationForm

# "View site" in the admin: the landing page, which links the docs, schema and probes.
admin.site.site_url = "/"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("admin/login/", admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("fitbud.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    # Ours: the package's template loads Google Fonts, its bundle a logo from a CDN.
    path("api/redoc/", views.RedocView.as_view(url_name="schema"), name="redoc"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]

handler400 = "fitbud.views.bad_request"
handler403 = "fitbud.views.permission_denied"
handler404 = "fitbud.views.not_found"
handler500 = "fitbud.views.server_error"
