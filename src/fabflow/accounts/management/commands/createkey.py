from django.core.management.base import BaseCommand, CommandError

from fabflow.accounts import services
from fabflow.accounts.actors import Actor
from fabflow.accounts.models import ProductSpace
from fabflow.errors import FabflowError


class Command(BaseCommand):
    help = "Create an API secret key for a product space and print the secret once."

    def add_arguments(self, parser):
        parser.add_argument("--space", required=True, help="the product space's key")
        parser.add_argument("--name", required=True, help="what the key is for, e.g. 'Webshop'")
        parser.add_argument("--organization", help="the organization's name, if keys collide")

    def handle(self, *args, space, name, organization, **options):
        spaces = ProductSpace.objects.filter(key=space)
        if organization:
            spaces = spaces.filter(organization__name=organization)
        matches = list(spaces[:2])
        if len(matches) != 1:
            raise CommandError(
                f"No product space {space!r}"
                if not matches
                else f"Several organizations have a space {space!r}: pass --organization"
            )
        try:
            created = services.create_secret_key(
                actor=Actor.system(matches[0].organization_id), space=matches[0], name=name
            )
        except FabflowError as error:
            raise CommandError(error.message) from None
        self.stdout.write(created.secret)
