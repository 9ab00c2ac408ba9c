from django.urls import path
from rest_framework.routers import SimpleRouter

from progress.api import records, views

router = SimpleRouter()
router.register("workout-logs", views.WorkoutLogViewSet, basename="workout-log")
router.register("meal-logs", views.MealLogViewSet, basename="meal-log")
router.register("check-ins", views.CheckInViewSet, basename="check-in")

urlpatterns = [
    *router.urls,
    path(
        "exercises/<int:pk>/history/",
        records.ExerciseHistoryView.as_view(),
        name="exercise-history",
    ),
    path("me/records/", records.RecordsView.as_view(), name="records"),
]
