from django.core.management.base import BaseCommand, CommandError

from fabflow.accounts.models import ProductSpace
from fabflow.orders.demo import load_demo


class Command(BaseCommand):
    help = "Load realistic demo orders (products, configurations, parts) into a product space."

    def add_arguments(self, parser):
        parser.add_argument("--space", default="demo", help="the product space's key")
        parser.add_argument("--orders", type=int, default=300)

    def handle(self, *args, space, orders, **options):
        target = ProductSpace.objects.filter(key=space).order_by("created_at").first()
        if target is None:
            raise CommandError(f"No product space {space!r}; run `fabflow serve` once first")
        created = load_demo(space=target, count=orders)
        self.stdout.write(f"Loaded {created} demo orders into {target.name}")
