"""Webhook subscriptions: an organization's endpoints hear of its orders' changes.

Each change an order's history records (`orders.services.record_event`) that a subscription asks
for becomes a `Delivery` in the same transaction (`webhooks.events`); the worker sends it, signed,
until the receiver accepts it or a day has passed (`webhooks.delivery`).
"""
