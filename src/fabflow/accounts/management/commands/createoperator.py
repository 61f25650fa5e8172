"""`fabflow createoperator EMAIL`: an operator of the installation, for Django's admin site."""

from django.core.management.base import BaseCommand, CommandError

from fabflow.accounts import services
from fabflow.accounts.bootstrap import generate_password
from fabflow.errors import FabflowError


class Command(BaseCommand):
    help = (
        "Create an operator of the installation (Django's admin site at /django-admin/, no "
        "organization) and print the password once."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--password", help="the initial password (default: generated)")

    def handle(self, *args, email, password, **options):
        password = password or generate_password()
        try:
            operator = services.create_operator(email=email, password=password)
        except FabflowError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Created operator {operator.email}; password: {password}")
