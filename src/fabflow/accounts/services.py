"""Organizations, product spaces, users and secret keys: the rules for creating and using them."""

import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.text import slugify

from fabflow import limits, outbox
from fabflow.accounts import credentials
from fabflow.accounts.actors import Actor
from fabflow.accounts.error_codes import AccountErrorCode
from fabflow.accounts.models import Organization, ProductSpace, SecretKey, User
from fabflow.audit import trail as audit
from fabflow.audit.models import Action
from fabflow.errors import Conflict, Forbidden, InvalidInput, NotFound

# A key's last-used time is written at most this often, so that reading it costs no write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedSecretKey:
    """A new key and its secret, which is shown this once and never stored."""

    key: SecretKey
    secret: str


def normalize_tags(tags) -> list[str]:
    """Trim, drop empties and duplicates (keeping first-seen order) of a list of tags."""
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.split(",")
    result: list[str] = []
    for raw in tags:
        if not isinstance(raw, str):
            raise InvalidInput(
                "Tags must be text", code=AccountErrorCode.INVALID_TAGS, field=("tags",)
            )
        tag = raw.strip()
        if len(tag) > limits.MAX_TAG_LENGTH:
            raise InvalidInput(
                f"Tag {tag[:20]!r}… is longer than {limits.MAX_TAG_LENGTH} characters",
                code=AccountErrorCode.INVALID_TAGS,
                field=("tags",),
            )
        if tag and tag not in result:
            result.append(tag)
    return result


def _user_tags(tags) -> list[str]:
    """A user's tags, normalized and within the bounds of order tags (which they match)."""
    tags = normalize_tags(tags)
    if len(tags) > limits.MAX_TAGS:
        raise InvalidInput(
            f"A user has at most {limits.MAX_TAGS} tags; remove {len(tags) - limits.MAX_TAGS}",
            code=AccountErrorCode.INVALID_TAGS,
            field=("tags",),
        )
    return tags


@transaction.atomic
def create_organization(*, name: str) -> Organization:
    """Create a tenant."""
    if not name.strip():
        raise InvalidInput("An organization needs a name", field=("name",))
    return Organization.objects.create(name=name.strip())


@transaction.atomic
def create_space(
    *, organization: Organization, name: str, key: str = "", generator: str = ""
) -> ProductSpace:
    """Create a product space in `organization`; its key derives from the name unless given.

    `generator` is the key of a registered generator, or "" for a space without one.
    """
    name = _space_name(name)
    key = slugify(key or name)
    if not key:
        raise InvalidInput("The space's key must contain letters or digits", field=("key",))
    if len(key) > limits.MAX_SPACE_KEY_LENGTH:
        raise InvalidInput(
            f"A space's key has at most {limits.MAX_SPACE_KEY_LENGTH} characters", field=("key",)
        )
    _check_generator(generator)
    if ProductSpace.objects.filter(organization=organization, key=key).exists():
        raise Conflict(
            f"A product space with key {key!r} already exists",
            code=AccountErrorCode.DUPLICATE_SPACE_KEY,
            field=("key",),
        )
    return ProductSpace.objects.create(
        organization=organization,
        name=name,
        key=key,
        generator=generator,
        signing_secret=credentials.new_signing_secret(),
    )


@transaction.atomic
def add_space(*, actor: Actor, key: str, name: str, generator: str) -> ProductSpace:
    """Create a product space in the actor's organization (admins only)."""
    _require_admin(actor)
    organization = Organization.objects.get(pk=actor.organization_id)
    space = create_space(organization=organization, name=name, key=key, generator=generator)
    audit.record(
        actor=actor, action=Action.SPACE_ADDED, obj=space, after=audit.snapshot(space, SPACE_FIELDS)
    )
    return space


# What the audit trail records of a space (its signing secret only as changed).
SPACE_FIELDS = ("key", "name", "generator")


@transaction.atomic
def update_space(*, actor: Actor, space_id, name: str, generator: str) -> ProductSpace:
    """Rename a space and choose its generator (admins only); its key never changes."""
    _require_admin(actor)
    space = actor.spaces().select_for_update().filter(pk=space_id).first()
    if space is None:
        raise NotFound("No such product space")
    before = audit.snapshot(space, SPACE_FIELDS)
    space.name = _space_name(name)
    _check_generator(generator)
    space.generator = generator
    space.save(update_fields=["name", "generator"])
    audit.record(
        actor=actor,
        action=Action.SPACE_CHANGED,
        obj=space,
        before=before,
        after=audit.snapshot(space, SPACE_FIELDS),
    )
    return space


def _space_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput("A product space needs a name", field=("name",))
    if len(name) > limits.MAX_SPACE_NAME_LENGTH:
        raise InvalidInput(
            f"A space's name has at most {limits.MAX_SPACE_NAME_LENGTH} characters", field=("name",)
        )
    return name


def _check_generator(generator: str) -> None:
    # Imported here: the generators pull in the geometry kernel, which only this check needs.
    from fabflow.generators.registry import get_generator

    if generator:
        get_generator(generator)  # UnknownGenerator (InvalidInput at "generator") if none


@transaction.atomic
def create_user(
    *,
    organization: Organization,
    email: str,
    password: str | None,
    name: str = "",
    is_admin: bool = False,
    tags=None,
) -> User:
    """Create a user of `organization`; without a password the user cannot sign in yet."""
    name = name.strip()
    if len(name) > limits.MAX_USER_NAME_LENGTH:
        raise InvalidInput(
            f"A name is at most {limits.MAX_USER_NAME_LENGTH} characters", field=("name",)
        )
    return _create_account(
        email,
        password=password,
        name=name,
        organization=organization,
        is_admin=is_admin,
        tags=_user_tags(tags),
    )


@transaction.atomic
def create_operator(*, email: str, password: str) -> User:
    """Create an operator of the installation: Django's admin site, and no organization's data."""
    return _create_account(email, password=password, operator=True)


def _create_account(email: str, *, password: str | None, operator: bool = False, **fields) -> User:
    """A new user with a unique, bounded e-mail address (the login) and `password`."""
    email = User.objects.normalize_email(email.strip()).lower()
    if "@" not in email:
        raise InvalidInput(
            "Enter a valid e-mail address", code=AccountErrorCode.INVALID_EMAIL, field=("email",)
        )
    if len(email) > limits.MAX_EMAIL_LENGTH:
        raise InvalidInput(
            f"An e-mail address is at most {limits.MAX_EMAIL_LENGTH} characters", field=("email",)
        )
    if password is not None and len(password) > limits.MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"A password is at most {limits.MAX_PASSWORD_LENGTH} characters", field=("password",)
        )
    if User.objects.filter(email=email).exists():
        raise Conflict(
            "A user with this e-mail address already exists",
            code=AccountErrorCode.DUPLICATE_EMAIL,
            field=("email",),
        )
    create = User.objects.create_superuser if operator else User.objects.create_user
    try:
        with transaction.atomic():
            return create(email=email, password=password, **fields)
    except IntegrityError:
        raise Conflict(
            "A user with this e-mail address already exists",
            code=AccountErrorCode.DUPLICATE_EMAIL,
            field=("email",),
        ) from None


@transaction.atomic
def set_user_tags(*, actor: Actor, user_id, tags) -> User:
    """Replace the tags of a user of the actor's organization (admins only)."""
    _require_admin(actor)
    user = _user_of(actor, user_id)
    before = {"tags": user.tags}
    user.tags = _user_tags(tags)
    user.save(update_fields=["tags"])
    audit.record(
        actor=actor, action=Action.USER_CHANGED, obj=user, before=before, after={"tags": user.tags}
    )
    return user


@transaction.atomic
def deactivate_user(*, actor: Actor, user_id) -> User:
    """Stop a user from signing in; their history stays (admins only, never themselves)."""
    _require_admin(actor)
    user = _user_of(actor, user_id)
    if user.pk == actor.user.pk:
        raise Conflict("You cannot deactivate your own account")
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action=Action.USER_DEACTIVATED,
        obj=user,
        before={"is_active": True},
        after={"is_active": False},
    )
    return user


@transaction.atomic
def create_secret_key(*, actor: Actor, space: ProductSpace, name: str) -> CreatedSecretKey:
    """Create an API key for `space`; the returned secret is shown once and never stored."""
    if actor.user is not None:
        _require_admin(actor)
    if actor.organization_id is not None and space.organization_id != actor.organization_id:
        raise NotFound("No such product space", field=("space",))
    name = name.strip()
    if not name:
        raise InvalidInput("A secret key needs a name", field=("name",))
    key_id = credentials.new_key_id()
    secret = credentials.new_secret(key_id)
    key = SecretKey.objects.create(
        space=space,
        name=name,
        key_id=key_id,
        digest=credentials.digest(secret),
        created_by=actor.user,
    )
    audit.record(
        actor=actor,
        action=Action.KEY_ADDED,
        obj=key,
        after={"name": name, "space": space.key, "key_id": key_id, "secret": secret},
    )
    return CreatedSecretKey(key=key, secret=secret)


@transaction.atomic
def revoke_secret_key(*, actor: Actor, key_id) -> SecretKey:
    """Revoke a key of the actor's organization; requests with it are refused from now on."""
    _require_admin(actor)
    key = (
        SecretKey.objects.select_for_update()
        .filter(pk=key_id, space__organization_id=actor.organization_id)
        .first()
    )
    if key is None:
        raise NotFound("No such secret key")
    if key.revoked_at is not None:
        raise Conflict("This secret key is already revoked")
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action=Action.KEY_REVOKED,
        obj=key,
        before={"revoked_at": None},
        after={"revoked_at": key.revoked_at},
    )
    return key


def authenticate_secret_key(*, secret: str) -> SecretKey | None:
    """The active key `secret` belongs to, or None; records when the key was last used."""
    key_id = credentials.parse_key_id(secret)
    if key_id is None:
        # Still spend a digest so that a malformed key takes as long as a wrong one.
        credentials.digest(secret)
        return None
    key = (
        SecretKey.objects.select_related("space", "space__organization")
        .filter(key_id=key_id)
        .first()
    )
    stored = key.digest if key is not None else "0" * 64
    if not credentials.matches(secret, stored) or key is None or key.revoked_at is not None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        SecretKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


@transaction.atomic
def rotate_signing_secret(*, actor: Actor, space_id) -> ProductSpace:
    """Give a space a new webhook signing secret (admins only)."""
    _require_admin(actor)
    space = actor.spaces().select_for_update().filter(pk=space_id).first()
    if space is None:
        raise NotFound("No such product space")
    before = {"signing_secret": space.signing_secret}
    space.signing_secret = credentials.new_signing_secret()
    space.save(update_fields=["signing_secret"])
    audit.record(
        actor=actor,
        action=Action.SIGNING_SECRET_ROTATED,
        obj=space,
        before=before,
        after={"signing_secret": space.signing_secret},
    )
    return space


@transaction.atomic
def add_user(
    *,
    actor: Actor,
    email: str,
    name: str = "",
    is_admin: bool = False,
    password: str | None = None,
    set_password_url=None,
) -> User:
    """Add a user to the actor's organization (admins only).

    Give an initial `password`, or `set_password_url` (a function of the user's encoded id and a
    one-time token that returns the absolute address of the set-password page): then the new user
    is e-mailed that link, and the user is not created when the e-mail cannot be sent.
    """
    _require_admin(actor)
    if not password and set_password_url is None:
        raise InvalidInput(
            "Give an initial password or send a set-password link", field=("password",)
        )
    user = create_user(
        organization=actor.user.organization,
        email=email,
        password=password or None,
        name=name,
        is_admin=is_admin,
    )
    if not password:
        link = set_password_url(*password_token(user))
        who = actor.user.get_full_name()
        try:
            EmailMessage(
                subject="Your Fabflow account",
                body=(
                    f"{who} added you to {user.organization.name} on Fabflow.\n\n"
                    f"Choose your password here (the link works once, for "
                    f"{settings.PASSWORD_RESET_TIMEOUT // 86400} days):\n{link}\n\n"
                    f"Then sign in with this e-mail address: {user.email}\n"
                ),
                to=[user.email],
                headers=outbox.headers(organization_id=user.organization_id),
            ).send()
        except (OSError, smtplib.SMTPException) as error:
            raise Conflict(
                f"The set-password e-mail could not be sent ({error}); the user was not added",
                field=("email",),
            ) from None
    after = audit.snapshot(user, ["email", "name", "is_admin", "tags"])
    audit.record(
        actor=actor,
        action=Action.USER_ADDED,
        obj=user,
        after={**after, "password": password or None},
    )
    return user


def password_token(user: User) -> tuple[str, str]:
    """The encoded user id and a one-time token for the set-password link of `user`."""
    return urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)


def user_for_password_token(*, encoded_id: str, token: str) -> User | None:
    """The active user a set-password link belongs to, or None when the link is not valid."""
    try:
        user_id = urlsafe_base64_decode(encoded_id).decode()
        user = User.objects.filter(pk=user_id, is_active=True).first()
    except (ValueError, TypeError, ValidationError):
        return None
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


@transaction.atomic
def set_password_with_token(*, encoded_id: str, token: str, password: str) -> User:
    """Set the password of the user a set-password link belongs to; the link then stops working."""
    user = user_for_password_token(encoded_id=encoded_id, token=token)
    if user is None:
        raise NotFound("This set-password link is not valid any more; ask an admin for a new one")
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput(
            " ".join(error.messages), code=AccountErrorCode.INVALID_PASSWORD, field=("password",)
        ) from None
    before = {"password": user.password}
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(
        actor=Actor.for_user(user),
        action=Action.PASSWORD_SET,
        obj=user,
        before=before,
        after={"password": user.password},
    )
    return user


def signing_secret(*, actor: Actor, space_id) -> str:
    """The webhook signing secret of a space (admins only)."""
    _require_admin(actor)
    space = actor.spaces().filter(pk=space_id).first()
    if space is None:
        raise NotFound("No such product space")
    return space.signing_secret


def _require_admin(actor: Actor) -> None:
    if actor.user is None or not actor.user.is_admin:
        raise Forbidden("Only administrators may do this")


def _user_of(actor: Actor, user_id) -> User:
    user = User.objects.filter(pk=user_id, organization_id=actor.organization_id).first()
    if user is None:
        raise NotFound("No such user")
    return user


@transaction.atomic
def set_private_addresses_allowed(*, actor: Actor, allowed: bool) -> Organization:
    """Allow or forbid the connectors of the actor's organization to call private addresses."""
    _require_admin(actor)
    organization = Organization.objects.select_for_update().get(pk=actor.organization_id)
    before = {"allow_private_addresses": organization.allow_private_addresses}
    organization.allow_private_addresses = allowed
    organization.save(update_fields=["allow_private_addresses"])
    audit.record(
        actor=actor,
        action=Action.ORGANIZATION_CHANGED,
        obj=organization,
        before=before,
        after={"allow_private_addresses": allowed},
    )
    return organization
