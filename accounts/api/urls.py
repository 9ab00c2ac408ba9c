from django.urls import path

from accounts.api import studio_views, views

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    path("auth/token/", views.TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/refresh/", views.TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/me/", views.MeView.as_view(), name="auth-me"),
    path("auth/password/change/", views.PasswordChangeView.as_view(), name="auth-password-change"),
    path("auth/password/reset/", views.PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "auth/password/reset/confirm/",
        views.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    # accept/ before <token>/ so "accept" is never read as a token.
    path(
        "auth/member-invites/accept/",
        studio_views.MemberInviteAcceptView.as_view(),
        name="member-invite-accept",
    ),
    path(
        "auth/member-invites/<str:token>/",
        studio_views.MemberInvitePreviewView.as_view(),
        name="member-invite-preview",
    ),
    path("studio/", studio_views.StudioView.as_view(), name="studio"),
    path("studio/members/", studio_views.MemberListView.as_view(), name="studio-member-list"),
    path(
        "studio/members/<int:pk>/",
        studio_views.MemberDetailView.as_view(),
        name="studio-member-detail",
    ),
    path("studio/invites/", studio_views.MemberInviteListView.as_view(), name="studio-invite-list"),
    path(
        "studio/invites/<int:pk>/",
        studio_views.MemberInviteDetailView.as_view(),
        name="studio-invite-detail",
    ),
]
