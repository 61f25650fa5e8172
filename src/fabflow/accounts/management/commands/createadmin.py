"""`fabflow createadmin EMAIL`: an administrator of one organization (never Django staff)."""

from django.core.management.base import BaseCommand, CommandError

from fabflow.accounts import services
from fabflow.accounts.bootstrap import generate_password
from fabflow.accounts.models import Organization
from fabflow.errors import FabflowError


class Command(BaseCommand):
    help = "Create an administrator of an organization and print the password once."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="")
        parser.add_argument("--password", help="the initial password (default: generated)")
        parser.add_argument(
            "--organization",
            help="the organization's name (default: the first one; created if new)",
        )

    def handle(self, *args, email, name, password, organization, **options):
        org = self._organization(organization)
        password = password or generate_password()
        try:
            user = services.create_user(
                organization=org, email=email, password=password, name=name, is_admin=True
            )
        except FabflowError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Created admin {user.email} of {org.name}; password: {password}")

    def _organization(self, name: str | None) -> Organization:
        if name:
            return Organization.objects.filter(name=name).first() or (
                services.create_organization(name=name)
            )
        org = Organization.objects.order_by("created_at").first()
        if org is None:
            raise CommandError("No organization exists yet: pass --organization NAME")
        return org
