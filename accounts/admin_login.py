"""The Django admin's login, on the API login's rate-limit budget.

Each POST spends one attempt of the same counters as `POST auth/token/` (per client
address and per account), *before* the password is checked: while either budget is spent,
even the right password is refused, with a 429, a Retry-After and a message on the form.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm

from accounts.api.throttles import login_attempt_wait


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    throttle_wait: int | None = None

    def clean(self):
        self.throttle_wait = login_attempt_wait(self.request, self.cleaned_data.get("username"))
        if self.throttle_wait is not None:
            raise forms.ValidationError(
                "Too many login attempts for this account or from this address. "
                "Try again in %(seconds)s seconds.",
                code="throttled",
                params={"seconds": self.throttle_wait},
            )
        return super().clean()


def admin_login(request, extra_context=None):
    """`admin.site.login` with the throttled form; a refused attempt answers 429."""
    response = admin.site.login(request, extra_context)
    form = (getattr(response, "context_data", None) or {}).get("form")
    wait = getattr(form, "throttle_wait", None)
    if wait is not None:
        response.status_code = 429
        response["Retry-After"] = str(wait)
    return response
