from django.urls import path

from dashboard.api import views

urlpatterns = [
    path("dashboard/", views.TrainerDashboardView.as_view(), name="trainer-dashboard"),
    path("studio/dashboard/", views.StudioDashboardView.as_view(), name="studio-dashboard"),
    path("me/today/", views.TodayView.as_view(), name="me-today"),
    path("me/streaks/", views.StreaksView.as_view(), name="me-streaks"),
    path("me/dashboard/", views.ClientHomeView.as_view(), name="me-dashboard"),
    path("me/export/", views.ExportView.as_view(), name="me-export"),
]
