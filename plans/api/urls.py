from rest_framework.routers import SimpleRouter

from plans.api.views import AssignmentViewSet, TemplateViewSet

router = SimpleRouter()
router.include_root_view = False
router.register("templates", TemplateViewSet, basename="template")
router.register("assignments", AssignmentViewSet, basename="assignment")

urlpatterns = [
    *router.urls,
]
