"""Template filters that show stored values, "invalid value" for those that cannot be shown.

{% load fabflow_values %}
{{ order.deadline|when|default:"—" }}  {{ order.value|money }}  {{ order.data|shown }}
{% for tag in order.tags|words %}…{% endfor %}
"""

from django import template

from fabflow.web import display

register = template.Library()


@register.filter
def when(value, format_string: str = display.DATETIME_FORMAT):
    """A time in a <time> element in the site's time zone ("" for none), or the marker."""
    return display.moment_html(value, format_string)


@register.filter
def money(value):
    """An amount with two decimals, or the marker."""
    return display.money_html(value)


@register.filter
def shown(value):
    """Any stored value: the marker for one that cannot be read, else the value itself."""
    if isinstance(value, display.InvalidValue):
        return display.invalid_html(value)
    return value


@register.filter
def invalid(value):
    """The marker for a value found unreadable where it is used (a flow definition that
    cannot be drawn), what is stored in its tooltip."""
    if not isinstance(value, display.InvalidValue):
        value = display.InvalidValue(value)
    return display.invalid_html(value)


@register.filter
def words(value) -> list[str]:
    """The items of a stored list of words (tags); none when it is not a list."""
    return display.texts(value)


@register.filter
def tag_list(value):
    """Stored tags as tag chips ("" for none), or the marker."""
    return display.tags_html(value)
