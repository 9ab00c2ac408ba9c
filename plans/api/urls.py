from rest_framework.routers import DefaultRouter

from plans.api.views import AssignmentViewSet, TemplateViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("templates", TemplateViewSet, basename="template")
router.register("assignments", AssignmentViewSet, basename="assignment")

urlpatterns = [
    *router.urls,
]
