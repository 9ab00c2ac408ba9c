from django.urls import path
from rest_framework.routers import SimpleRouter

from progress.api import records, views

router = SimpleRouter()
router.register("workout-logs", views.WorkoutLogViewSet, basename="workout-log")
router.register("meal-logs", views.MealLogViewSet, basename="meal-log")
router.register("check-ins", views.CheckInViewSet, basename="check-in")
router.register("photos", views.PhotoViewSet, basename="photo")
router.register("body-stats", views.BodyStatViewSet, basename="body-stat")
router.register("metric-types", views.MetricTypeViewSet, basename="metric-type")

urlpatterns = [
    path("photos/files/<str:token>/", views.PhotoFileView.as_view(), name="photo-file"),
    path("metrics/", views.MetricSeriesView.as_view(), name="metric-series"),
    *router.urls,
    path(
        "exercises/<int:pk>/history/",
        records.ExerciseHistoryView.as_view(),
        name="exercise-history",
    ),
    path("me/records/", records.RecordsView.as_view(), name="records"),
]
