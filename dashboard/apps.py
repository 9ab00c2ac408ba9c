from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Dashboard"

    def ready(self) -> None:
        # The feed listens to the other apps; they never import dashboard.
        from django.db.models.signals import post_delete, post_save

        from billing.signals import payment_failed, payment_received
        from clients.signals import invite_accepted
        from coaching.models import FormResponse, HabitCheck
        from coaching.signals import (
            automation_fired,
            form_reviewed,
            form_submitted,
            habit_completed,
        )
        from dashboard import receivers, spine
        from dashboard.models import ActivityEvent
        from messaging.signals import message_changed, message_sent
        from notifications.models import Notification
        from plans.signals import plan_assigned
        from progress.models import BodyStat, CheckIn, MealLog, ProgressPhoto, WorkoutLog
        from progress.signals import (
            check_in_reviewed,
            metric_logged,
            photo_uploaded,
            record_set,
        )

        saved = (
            (WorkoutLog, receivers.on_workout_log_saved),
            (MealLog, receivers.on_meal_log_saved),
            (CheckIn, receivers.on_check_in_saved),
        )
        for model, receiver in saved:
            post_save.connect(
                receiver, sender=model, dispatch_uid=f"dashboard.feed.saved.{model.__name__}"
            )
            post_delete.connect(
                receivers.on_entry_deleted,
                sender=model,
                dispatch_uid=f"dashboard.feed.deleted.{model.__name__}",
            )
        # Rows whose events come from domain signals take their events with them when they
        # go (an undone habit check, a deleted form response, photo or body stat).
        for model in (HabitCheck, FormResponse, ProgressPhoto, BodyStat):
            post_delete.connect(
                receivers.on_entry_deleted,
                sender=model,
                dispatch_uid=f"dashboard.feed.deleted.{model.__name__}",
            )
        habit_completed.connect(
            receivers.on_habit_completed, dispatch_uid="dashboard.feed.habit_completed"
        )
        form_submitted.connect(
            receivers.on_form_submitted, dispatch_uid="dashboard.feed.form_submitted"
        )
        form_reviewed.connect(
            receivers.on_form_reviewed, dispatch_uid="dashboard.feed.form_reviewed"
        )
        photo_uploaded.connect(
            receivers.on_photo_uploaded, dispatch_uid="dashboard.feed.photo_uploaded"
        )
        metric_logged.connect(
            receivers.on_metric_logged, dispatch_uid="dashboard.feed.metric_logged"
        )
        invite_accepted.connect(
            receivers.on_invite_accepted, dispatch_uid="dashboard.feed.invite_accepted"
        )
        plan_assigned.connect(
            receivers.on_plan_assigned, dispatch_uid="dashboard.feed.plan_assigned"
        )
        check_in_reviewed.connect(
            receivers.on_check_in_reviewed, dispatch_uid="dashboard.feed.check_in_reviewed"
        )
        record_set.connect(receivers.on_record_set, dispatch_uid="dashboard.feed.record_set")
        payment_received.connect(
            receivers.on_payment_received, dispatch_uid="dashboard.feed.payment_received"
        )
        payment_failed.connect(
            receivers.on_payment_failed, dispatch_uid="dashboard.feed.payment_failed"
        )
        automation_fired.connect(
            receivers.on_automation_fired, dispatch_uid="dashboard.feed.automation_fired"
        )
        message_sent.connect(receivers.on_message_sent, dispatch_uid="dashboard.feed.message_sent")
        message_changed.connect(
            receivers.on_message_changed, dispatch_uid="dashboard.feed.message_changed"
        )
        # A new notification wakes its user's stream/ (at commit).
        post_save.connect(
            receivers.on_notification_saved,
            sender=Notification,
            dispatch_uid="dashboard.stream.notification_saved",
        )
        # The outbox: every new event is relayed to the spine's consumers after commit.
        post_save.connect(
            spine.on_event_saved, sender=ActivityEvent, dispatch_uid="dashboard.spine.relay"
        )
