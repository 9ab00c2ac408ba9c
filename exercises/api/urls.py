from rest_framework.routers import SimpleRouter

from exercises.api import views

router = SimpleRouter()
router.include_root_view = False
router.register("exercises/muscles", views.MuscleViewSet, basename="muscle")
router.register("exercises/equipment", views.EquipmentViewSet, basename="equipment")
router.register("exercises", views.ExerciseViewSet, basename="exercise")

urlpatterns = [
    *router.urls,
]
