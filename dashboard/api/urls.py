from django.urls import include, path

urlpatterns = [
    path("", include("dashboard.api.feed_urls")),  # feed/, feed/stream/ (progress & feed)
    path("", include("dashboard.api.home_urls")),  # dashboard/, me/today|streaks|dashboard|export
]
