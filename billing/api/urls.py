from django.urls import path
from rest_framework.routers import SimpleRouter

from billing.api import views

router = SimpleRouter()
router.register("billing/plans", views.PlanViewSet, basename="billing-plan")
router.register("billing/subscriptions", views.SubscriptionViewSet, basename="billing-subscription")
router.register("billing/payments", views.PaymentViewSet, basename="billing-payment")
router.register("me/payments", views.MyPaymentViewSet, basename="my-payment")

urlpatterns = [
    path(
        "billing/payments/summary/",
        views.PaymentSummaryView.as_view(),
        name="billing-payment-summary",
    ),
    path("me/subscription/", views.MySubscriptionView.as_view(), name="my-subscription"),
    path(
        "me/subscription/checkout/",
        views.CheckoutView.as_view(),
        name="my-subscription-checkout",
    ),
    path("me/subscription/cancel/", views.CancelView.as_view(), name="my-subscription-cancel"),
    path(
        "billing/webhooks/stripe/", views.StripeWebhookView.as_view(), name="billing-stripe-webhook"
    ),
    *router.urls,
]
