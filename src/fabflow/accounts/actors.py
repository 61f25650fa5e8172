"""Who is acting: a signed-in user, a secret key, or the system itself.

Every service that reads or changes tenant data takes an `Actor`; `Actor.visible` is the one
place that says what the actor may see, and `Actor.restrict` narrows a queryset to it.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from fabflow.accounts.models import ProductSpace, SecretKey, User


@dataclass(frozen=True)
class Actor:
    """The caller of a service: exactly one of `user` or `key`, or neither for the system."""

    organization_id: object | None = None
    user: User | None = None
    key: SecretKey | None = None

    @classmethod
    def for_user(cls, user: User) -> "Actor":
        """The actor of a user of an organization.

        An operator of the installation has no organization and is refused here, so that no
        organization page or API call ever runs for them (the system actor of no organization
        sees every organization).
        """
        if user.organization_id is None:
            raise PermissionDenied("Operators use Django's admin site, not organization pages")
        return cls(organization_id=user.organization_id, user=user)

    @classmethod
    def for_key(cls, key: SecretKey) -> "Actor":
        return cls(organization_id=key.space.organization_id, key=key)

    @classmethod
    def system(cls, organization_id=None) -> "Actor":
        return cls(organization_id=organization_id)

    @property
    def is_system(self) -> bool:
        return self.user is None and self.key is None

    @property
    def space_id(self):
        """The only space a key may act in; None for users and the system."""
        return self.key.space_id if self.key is not None else None

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.get_full_name()
        if self.key is not None:
            return f"Secret key {self.key.name}"
        return "Fabflow"

    def visible(self, model) -> dict:
        """The column filters of the rows of `model` this actor may see: its key's space or its
        organization (none for the system of no organization).

        Every tenant model carries `organization` and `space` columns of its own (ProductSpace
        itself excepted), so this filter never needs a join.
        """
        if self.key is not None:
            return {"id" if model is ProductSpace else "space_id": self.key.space_id}
        if self.organization_id is None:
            return {}
        return {"organization_id": self.organization_id}

    def restrict(self, queryset: QuerySet) -> QuerySet:
        """Narrow `queryset` to the rows this actor may see (`visible`)."""
        return queryset.filter(**self.visible(queryset.model))

    def spaces(self) -> QuerySet:
        """The product spaces this actor may see."""
        return self.restrict(ProductSpace.objects.all())

    def event_fields(self) -> dict:
        """The actor columns of an event row."""
        return {"actor_user": self.user, "actor_key": self.key, "actor_label": self.label}
