from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from fitbud import views

admin.site.site_header = "Fitbud administration"
admin.site.site_title = "Fitbud admin"
# "View site" in the admin: the landing page, which links the docs, schema and probes.
admin.site.site_url = "/"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("fitbud.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path(
        "api/redoc/",
        # Our template: the package's one loads Google Fonts (everything is served locally).
        SpectacularRedocView.as_view(url_name="schema", template_name="fitbud/redoc.html"),
        name="redoc",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]

handler400 = "fitbud.views.bad_request"
handler403 = "fitbud.views.permission_denied"
handler404 = "fitbud.views.not_found"
handler500 = "fitbud.views.server_error"
