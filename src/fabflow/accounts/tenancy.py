"""The columns that tie a row to its tenant, declared once for every tenant table.

A tenant row carries its organization and its product space. Both are protected (an
organization or a space is never deleted from under its rows) and add no reverse accessor. Most
tenant tables index them only as the first columns of composite indexes; a table that also
indexes them on their own says so where it declares them (`organization_column(indexed=True)`),
so the database keeps exactly the indexes it has.
"""

from django.db import models

from fabflow.accounts.models import Organization, ProductSpace


def organization_column(*, indexed: bool = False, related_name: str = "+") -> models.ForeignKey:
    """The organization that owns a row."""
    return models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name=related_name, db_index=indexed
    )


def space_column(*, indexed: bool = False, related_name: str = "+") -> models.ForeignKey:
    """The product space a row belongs to."""
    return models.ForeignKey(
        ProductSpace, on_delete=models.PROTECT, related_name=related_name, db_index=indexed
    )


class TenantModel(models.Model):
    """A row owned by one product space, with its organization copied for join-free filtering."""

    organization = organization_column()
    space = space_column()

    class Meta:
        abstract = True
