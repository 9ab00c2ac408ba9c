from rest_framework.routers import SimpleRouter

from progress.api import views

router = SimpleRouter()
router.register("workout-logs", views.WorkoutLogViewSet, basename="workout-log")
router.register("meal-logs", views.MealLogViewSet, basename="meal-log")
router.register("check-ins", views.CheckInViewSet, basename="check-in")

urlpatterns = [
    *router.urls,
]
