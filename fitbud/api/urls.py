from django.urls import include, path

# One include per app; each app owns its paths (see DESIGN.md's API map).
urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("clients.api.urls")),
    path("", include("exercises.api.urls")),
    path("", include("plans.api.urls")),
    path("", include("progress.api.urls")),
    path("", include("coaching.urls")),
    path("", include("coaching.api.automations")),
    path("", include("messaging.api.urls")),
    path("", include("billing.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("integrations.api.urls")),
    path("", include("dashboard.api.urls")),
    path("", include("sync.api.urls")),
]
