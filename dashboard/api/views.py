"""Home screen, export and trainer dashboard: thin views over dashboard.selectors."""

import json

from django.db.models import F, Func, IntegerField, Subquery
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User, membership_of
from dashboard import selectors
from dashboard.api import serializers as s
from fitbud.api.exceptions import StudioRoleForbidden
from fitbud.api.permissions import IsClient, IsTrainer
from fitbud.api.response_cache import cached_response
from fitbud.api.schema import error_response
from messaging.selectors import unread_messages_of
from notifications.selectors import notification_list

CLIENT_TAG = ["me"]


# `?date=` is the one input: a bad value is a 400 with attr "date".
@extend_validation_errors(["invalid"], field_name="date", methods=["get"])
class TodayView(APIView):
    permission_classes = [IsAuthenticated, IsClient]

    @extend_schema(
        tags=CLIENT_TAG,
        summary="Today's workout and diet day, and what is already logged",
        parameters=[
            OpenApiParameter(
                "date",
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                required=False,
                description="Local date (YYYY-MM-DD); when absent, today in the client's "
                "timezone. An empty or invalid date is a 400.",
            )
        ],
        responses=s.TodaySerializer,
    )
    @cached_response
    def get(self, request):
        query = s.TodayQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        client = selectors.client_for_user(user=request.user)
        on_date = query.validated_data.get("date") or client.user.local_today()
        today = selectors.client_today(client=client, on_date=on_date)
        return Response(s.TodaySerializer(today).data)


class StreaksView(APIView):
    permission_classes = [IsAuthenticated, IsClient]

    @extend_schema(
        tags=CLIENT_TAG,
        summary="Workout streaks in days (rest days of the plan keep a streak alive)",
        responses=s.StreaksSerializer,
    )
    def get(self, request):
        client = selectors.client_for_user(user=request.user)
        return Response(s.StreaksSerializer(selectors.client_streaks(client=client)).data)


def _count(rows) -> Subquery:
    # COUNT as a plain function (not an aggregate): one row, no GROUP BY.
    counted = rows.order_by().values(n=Func(F("pk"), function="COUNT"))
    return Subquery(counted, output_field=IntegerField())


def unread_counts(user) -> dict[str, int]:
    """`unread_messages` and `unread_notifications`, read fresh on every request in one query
    (two counts on indexed rows), also when the rest of the response comes from the cache: a
    new notification or a read position is no tenant write, so it would not invalidate it."""
    messages, notifications = (
        User.objects.filter(pk=user.pk)
        .annotate(
            m=_count(unread_messages_of(user=user)),
            n=_count(notification_list(user=user, unread=True)),
        )
        .values_list("m", "n")
        .get()
    )
    return {"unread_messages": messages or 0, "unread_notifications": notifications or 0}


def with_counts(response, counts: dict[str, int]):
    if isinstance(response, Response):
        return response
    # A cache hit: the stored JSON body, with the fresh counts.
    data = json.loads(response.content)
    data.update(counts)
    return Response(data)


class ClientHomeView(APIView):
    permission_classes = [IsAuthenticated, IsClient]

    @extend_schema(
        tags=CLIENT_TAG,
        summary="Home screen: today, streaks, subscription and latest feedback in one call",
        responses=s.ClientHomeSerializer,
    )
    def get(self, request):
        counts = unread_counts(request.user)
        return with_counts(self._get(request, counts), counts)

    @cached_response
    def _get(self, request, counts):
        client = selectors.client_for_user(user=request.user)
        home = {**selectors.client_home(client=client), **counts}
        return Response(s.ClientHomeSerializer(home).data)


class ExportView(APIView):
    # Reading is allowed to deactivated clients too: exporting is how they leave.
    permission_classes = [IsAuthenticated, IsClient]

    @extend_schema(
        tags=CLIENT_TAG,
        summary="Download everything the account holds as JSON",
        description="Served as an attachment (fitbud-export-YYYY-MM-DD.json). Contains the "
        "profile, trainer's public info, health profile, plan assignments with snapshots, "
        "workout and meal logs, check-ins with feedback, subscriptions and payments. The "
        "trainer's private notes are never included.",
        responses=s.ExportSerializer,
    )
    def get(self, request):
        export = selectors.client_export(client_user=request.user)
        filename = f"fitbud-export-{request.user.local_today().isoformat()}.json"
        return Response(
            s.ExportSerializer(export).data,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


class TrainerDashboardView(APIView):
    permission_classes = [IsAuthenticated, IsTrainer]

    @extend_schema(
        tags=["dashboard"],
        summary="Trainer dashboard: clients, growth, revenue, engagement, who needs attention",
        responses=s.TrainerDashboardSerializer,
    )
    def get(self, request):
        counts = unread_counts(request.user)
        return with_counts(self._get(request, counts), counts)

    @cached_response
    def _get(self, request, counts):
        figures = {**selectors.trainer_dashboard(trainer=request.user), **counts}
        return Response(s.TrainerDashboardSerializer(figures).data)


class StudioDashboardView(APIView):
    permission_classes = [IsAuthenticated, IsTrainer]

    @extend_schema(
        tags=["dashboard"],
        summary="Studio dashboard: the dashboard figures for the whole studio and per coach",
        description="Owners and admins only (403 `studio_role_forbidden` for coaches and "
        "specialists). The figures of `dashboard/` over every client of the studio, then "
        "the same figures per coach over the clients they are the primary coach of. Months "
        "follow the reader's timezone. See docs/dashboards.md.",
        responses={
            200: s.StudioDashboardSerializer,
            403: error_response("Not an owner or admin of the studio.", "studio_role_forbidden"),
        },
    )
    @cached_response
    def get(self, request):
        member = membership_of(request.user)
        if member is None or not member.manages_studio:
            raise StudioRoleForbidden()
        figures = selectors.studio_dashboard(member=member, user=request.user)
        return Response(s.StudioDashboardSerializer(figures).data)
