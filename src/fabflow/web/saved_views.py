"""Saved views: a list page's state kept under a name, for its owner or for the organization.

A view is the page's query string, so it opens as a plain URL. Who sees a view: its owner, and
every user of its organization once it is shared. Who changes or deletes it: its owner, and an
organization admin for a shared view. Nobody outside its organization ever reaches it: to them
it does not exist.
"""

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from fabflow.accounts.actors import Actor
from fabflow.audit import trail
from fabflow.audit.models import Action
from fabflow.errors import Conflict, Forbidden, InvalidInput, NotFound
from fabflow.fields import printable
from fabflow.limits import (
    MAX_SAVED_VIEW_NAME_LENGTH,
    MAX_SAVED_VIEW_QUERY_LENGTH,
    MAX_SAVED_VIEWS_PER_USER,
    MAX_SAVED_VIEWS_SHARED_PER_ORGANIZATION,
)
from fabflow.web.models import SavedView


def visible_views(*, actor: Actor, table: str) -> QuerySet:
    """The views of `table` the acting user sees: their own, then the shared ones, by name."""
    user = _user(actor)
    mine = Q(owner_id=user.pk)
    return (
        actor.restrict(SavedView.objects.filter(table=table))
        .filter(mine | Q(is_shared=True))
        .select_related("owner")
        .order_by("name", "id")
    )


def get_view(*, actor: Actor, table: str, view_id) -> SavedView:
    """The view `view_id` of `table` if the acting user sees it; NotFound otherwise."""
    view = visible_views(actor=actor, table=table).filter(pk=view_id).first()
    if view is None:
        raise NotFound("No such saved view")
    return view


@transaction.atomic
def save_view(*, actor: Actor, table: str, name: str, query: str, is_shared: bool) -> SavedView:
    """Keep the state `query` of `table` as the acting user's view `name`."""
    user = _user(actor)
    name = _checked_name(name)
    if len(query) > MAX_SAVED_VIEW_QUERY_LENGTH:
        raise InvalidInput(
            f"This table state is too long to save (at most {MAX_SAVED_VIEW_QUERY_LENGTH} "
            "characters): remove some filters and try again.",
            field=("query",),
        )
    owned = SavedView.objects.filter(owner_id=user.pk)
    if owned.count() >= MAX_SAVED_VIEWS_PER_USER:
        raise Conflict(
            f"You already have {MAX_SAVED_VIEWS_PER_USER} saved views, the most one person "
            "keeps: delete one first.",
            field=("name",),
        )
    if is_shared:
        _check_room_to_share(actor)
    view = SavedView(
        organization_id=actor.organization_id,
        owner=user,
        table=table,
        name=name,
        query=query,
        is_shared=is_shared,
    )
    _save_unique(view)
    trail.record(actor=actor, action=Action.VIEW_SAVED, obj=view, after=_recorded(view))
    return view


@transaction.atomic
def change_view(*, actor: Actor, table: str, view_id, name: str, is_shared: bool) -> SavedView:
    """Rename the view `view_id`, and share it or keep it private."""
    view = _changeable(actor=actor, table=table, view_id=view_id)
    before = _recorded(view)
    view.name = _checked_name(name)
    if is_shared and not view.is_shared:
        _check_room_to_share(actor)
    view.is_shared = is_shared
    _save_unique(view)
    trail.record(
        actor=actor, action=Action.VIEW_CHANGED, obj=view, before=before, after=_recorded(view)
    )
    return view


@transaction.atomic
def delete_view(*, actor: Actor, table: str, view_id) -> None:
    """Delete the view `view_id`."""
    view = _changeable(actor=actor, table=table, view_id=view_id)
    trail.record(actor=actor, action=Action.VIEW_DELETED, obj=view, before=_recorded(view))
    view.delete()


def _recorded(view: SavedView) -> dict:
    """What the audit trail keeps of a view."""
    return trail.snapshot(view, ["table", "name", "query", "is_shared"])


def may_change(*, actor: Actor, view: SavedView) -> bool:
    """Whether the acting user may rename, share or delete `view`."""
    user = _user(actor)
    return view.owner_id == user.pk or (view.is_shared and user.is_admin)


def _changeable(*, actor: Actor, table: str, view_id) -> SavedView:
    view = get_view(actor=actor, table=table, view_id=view_id)
    if not may_change(actor=actor, view=view):
        raise Forbidden("Only its owner or an admin may change a shared view")
    # Locked, so that two changes of the same view run one after the other.
    return SavedView.objects.select_for_update().get(pk=view.pk)


def _check_room_to_share(actor: Actor) -> None:
    shared = actor.restrict(SavedView.objects.filter(is_shared=True))
    if shared.count() >= MAX_SAVED_VIEWS_SHARED_PER_ORGANIZATION:
        raise Conflict(
            f"Your organization already shares {MAX_SAVED_VIEWS_SHARED_PER_ORGANIZATION} "
            "views, the most it keeps: keep this one private, or delete a shared one first.",
            field=("is_shared",),
        )


def _checked_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise InvalidInput("Give the view a name.", field=("name",))
    if len(name) > MAX_SAVED_VIEW_NAME_LENGTH:
        raise InvalidInput(
            f"A view's name has at most {MAX_SAVED_VIEW_NAME_LENGTH} characters.", field=("name",)
        )
    if printable(name) != name:
        raise InvalidInput("A view's name holds only printable characters.", field=("name",))
    return name


def _save_unique(view: SavedView) -> None:
    """Save `view`, or Conflict when its owner has a view of that name on that table."""
    clash = SavedView.objects.filter(owner_id=view.owner_id, table=view.table, name=view.name)
    if clash.exclude(pk=view.pk).exists():
        raise Conflict(f"You already have a view named “{view.name}” here.", field=("name",))
    try:
        # A savepoint: a concurrent save of the same name leaves the transaction usable.
        with transaction.atomic():
            view.save()
    except IntegrityError as error:
        raise Conflict(
            f"You already have a view named “{view.name}” here.", field=("name",)
        ) from error


def _user(actor: Actor):
    if actor.user is None:
        raise Forbidden("Only a signed-in user has saved views")
    return actor.user
