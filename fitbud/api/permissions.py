from rest_framework.permissions import SAFE_METHODS, BasePermission

from fitbud.api.exceptions import ClientInactive, StudioRoleForbidden


class IsTrainer(BasePermission):
    message = "This endpoint is for trainers."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_trainer)


class IsClient(BasePermission):
    message = "This endpoint is for clients."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_client)


class IsTrainerOrClient(BasePermission):
    """Shared endpoints: either role, each scoped in its selector."""

    message = "This endpoint is for trainers and clients."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_trainer or user.is_client))


class ActiveClientCanWrite(BasePermission):
    """A deactivated client keeps read access but every write is refused with a clear 403."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if request.method in SAFE_METHODS or not (user and user.is_authenticated):
            return True
        if user.is_client:
            link = getattr(user, "client_link", None)
            if link is None or not link.is_active:
                raise ClientInactive()
        return True


class StudioManagerWrites(BasePermission):
    """Reads for every member; writes only for the studio's owners and admins (a solo
    trainer owns their studio). 403 `studio_role_forbidden` otherwise."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        from accounts.models import membership_of

        member = membership_of(request.user)
        if member is None or not member.manages_studio:
            raise StudioRoleForbidden()
        return True
