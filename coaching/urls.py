from rest_framework.routers import SimpleRouter

from coaching.api import forms, habits

router = SimpleRouter()
router.include_root_view = False
router.register("habits", habits.HabitViewSet, basename="habit")
router.register("forms", forms.FormViewSet, basename="form")
router.register("form-assignments", forms.FormAssignmentViewSet, basename="form-assignment")
router.register("form-responses", forms.FormResponseViewSet, basename="form-response")

urlpatterns = [
    *router.urls,
]
