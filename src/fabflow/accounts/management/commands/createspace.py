from django.core.management.base import BaseCommand, CommandError

from fabflow.accounts import services
from fabflow.accounts.models import Organization
from fabflow.errors import FabflowError


class Command(BaseCommand):
    help = "Create a product space in an organization (a production installation's first space)."

    def add_arguments(self, parser):
        parser.add_argument("key", help="the space's key, e.g. 'rings'")
        parser.add_argument("--name", help="the space's name (default: the key)")
        parser.add_argument(
            "--generator",
            default="",
            help="the key of the generator its products are made with, e.g. 'ring' (default: none)",
        )
        parser.add_argument(
            "--organization", help="the organization's name (default: the only one)"
        )

    def handle(self, *args, key, name, generator, organization, **options):
        organizations = Organization.objects.all()
        if organization:
            organizations = organizations.filter(name=organization)
        matches = list(organizations[:2])
        if len(matches) != 1:
            raise CommandError(
                "Several organizations exist: pass --organization"
                if matches
                else "No such organization: create it with its first admin "
                "(fabflow createadmin EMAIL --organization NAME)"
            )
        try:
            space = services.create_space(
                organization=matches[0], name=name or key, key=key, generator=generator
            )
        except FabflowError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Created product space {space.key} of {matches[0].name}")
