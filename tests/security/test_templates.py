"""Templates render under a budget: what can be known when a flow is saved is refused then; what
only running reveals fails its task at once, for good, with the exact reason; and a hostile
template never holds back the flows of others."""

import pytest

from fabflow.errors import InvalidInput
from fabflow.flows import templating
from fabflow.flows.registry import HandlerFailure
from fabflow.flows.schema import validate_definition
from tests.flows import conftest as flow_fixtures

smtp_server = flow_fixtures.smtp_server
receiver = flow_fixtures.receiver
installation = flow_fixtures.installation

VARIABLES = {
    "order": {"name": "R-1", "data": {"email": "ada@example.com"}},
    "products": [{"name": "Ring", "units": 2}],
}
REFUSED = "The template of payload.body cannot be rendered: "
NESTED_LOOPS = "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}"
OVER_BUDGET = "The payload's templates ran past their budget of 1 s and were stopped"


def mail(body: str, key="mail") -> dict:
    return {
        "key": key,
        "handlerKey": "send-email",
        "retries": 3,
        "payload": {"recipient": ["shop@example.com"], "subject": "Order", "body": body},
    }


def render_failure(body: str) -> HandlerFailure:
    with pytest.raises(HandlerFailure) as caught:
        templating.render_payload({"body": body}, VARIABLES)
    assert caught.value.retryable is False
    return caught.value


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("{{ 10 ** (10 ** 7) }}", "TemplateRefused: ** would make an integer beyond 4096 bits"),
        ("{{ 7 ** 5000 }}", "TemplateRefused: ** would make an integer beyond 4096 bits"),
        (
            "{{ 'x' * 10 ** 9 }}",
            "TemplateRefused: * would make 1,000,000,000 characters or items; at most 100,000",
        ),
        (
            "{{ [1] * 10 ** 7 }}",
            "TemplateRefused: * would make 10,000,000 characters or items; at most 100,000",
        ),
        (
            "{% set ns = namespace(text='x') %}{% for i in range(25) %}"
            "{% set ns.text = ns.text ~ ns.text %}{% endfor %}",
            "TemplateRefused: ~ would make 131,072 characters or items; at most 100,000",
        ),
        (
            "{% set ns = namespace(text='x') %}{% for i in range(25) %}"
            "{% set ns.text = ns.text + ns.text %}{% endfor %}",
            "TemplateRefused: + would make 131,072 characters or items; at most 100,000",
        ),
        ("{{ range(10 ** 6)|length }}", "TemplateRefused: range() gives at most 10,000 items"),
        (
            "{{ order.name|center(10 ** 9) }}",
            "TemplateRefused: center takes a width of at most 1000",
        ),
        (
            "{{ order.name|indent(10 ** 9) }}",
            "TemplateRefused: indent takes a width of at most 1000",
        ),
        (
            "{{ '%999999999d'|format(1) }}",
            "TemplateRefused: a format takes widths of at most 1000",
        ),
        ("{{ '%*d' % (10 ** 9, 1) }}", "TemplateRefused: a format takes widths of at most 1000"),
        (
            "{{ '{:>999999999}'.format(1) }}",
            "SecurityError: access to attribute 'format' of 'str' object is unsafe.",
        ),
        (
            "{{ order.name.ljust(10 ** 9) }}",
            "SecurityError: access to attribute 'ljust' of 'str' object is unsafe.",
        ),
        (
            "{{ range(10000)|join('x' * 1000) }}",
            "TemplateRefused: join would make 9,999,000 characters or items; at most 100,000",
        ),
        (
            "{{ ('a' * 1000)|replace('a', 'b' * 2000) }}",
            "TemplateRefused: replace would make 2,000,000 characters or items; at most 100,000",
        ),
        (
            "{{ range(3)|batch(10 ** 9, 0)|list }}",
            "TemplateRefused: batch takes a width of at most 1000",
        ),
        (
            "{{ range(3)|slice(10 ** 9)|list }}",
            "TemplateRefused: slice takes at most 10,000 slices",
        ),
        ("{{ lipsum(10 ** 6) }}", "UndefinedError: 'lipsum' is undefined"),
        (
            "{{ ([range(10000)|list] * 10)|sum(start=[]) }}",
            "TemplateRefused: sum adds numbers only",
        ),
        (
            "{{ order.data.update(x=1) }}",
            "SecurityError: access to attribute 'update' of 'dict' object is unsafe.",
        ),
        ("{{ 10.0 ** 1000 }}", "OverflowError: (34, 'Numerical result out of range')"),
        (
            "{{ order.name.missing.deeper }}",
            "UndefinedError: 'str object' has no attribute 'missing'",
        ),
        (
            "{% macro again() %}{{ again() }}{% endmacro %}{{ again() }}",
            "RecursionError: maximum recursion depth exceeded while calling a Python object",
        ),
        (
            "{% for i in range(10000) %}{{ 'x' * 1000 }}{% endfor %}",
            "TemplateRefused: the rendered payload would pass 1,000,000 characters",
        ),
    ],
)
def test_a_template_only_running_reveals_fails_for_good_with_the_reason(body, error):
    # Each is valid when saved: only rendering finds it out.
    assert validate_definition([{"key": "s", "tasks": [mail(body)]}])
    assert render_failure(body).message == REFUSED + error


def test_a_template_that_loops_past_its_budget_is_stopped_at_it():
    assert render_failure(NESTED_LOOPS).message == OVER_BUDGET


def test_the_budget_is_one_for_the_whole_payload():
    half = "{% for i in range(10000) %}{{ 'x' * 60 }}{% endfor %}"
    assert len(templating.render_payload({"body": half}, VARIABLES)["body"]) == 600_000
    with pytest.raises(HandlerFailure) as caught:
        templating.render_payload({"subject": half, "body": half}, VARIABLES)
    assert caught.value.message == (
        REFUSED + "TemplateRefused: the rendered payload would pass 1,000,000 characters"
    )


def test_ordinary_templates_still_render():
    body = (
        "{{ order.name|upper }} for {{ order.data.get('email') }}: "
        "{% for p in products %}{{ p.units }} × {{ p.name }}{% endfor %}, "
        "{{ products|map(attribute='name')|join(', ') }} {{ '%05.1f'|format(2.5) }} "
        "{{ 2 ** 10 }} {{ 'ab' * 3 }} {{ range(3)|list }} {{ order.name.split('-')[1] }}"
    )
    assert templating.render_payload({"body": body}, VARIABLES) == {
        "body": "R-1 for ada@example.com: 2 × Ring, Ring 002.5 1024 ababab [0, 1, 2] 1"
    }


@pytest.mark.parametrize(
    "body",
    ["{{ order.__class__.__mro__ }}", "{{ order._private }}", "{{ order.name|no_such_filter }}"],
)
def test_what_can_be_known_at_save_is_refused_then(body):
    with pytest.raises(InvalidInput) as caught:
        validate_definition([{"key": "s", "tasks": [mail(body)]}])
    assert caught.value.field == ("definition", 0, "tasks", 0, "payload", "body")


def test_hostile_templates_fail_at_once_while_an_unrelated_flow_keeps_going(
    installation, smtp_server
):
    hostile = [
        {
            "key": "hostile",
            "tasks": [
                mail(NESTED_LOOPS, key="loops"),
                mail("{{ 10 ** (10 ** 7) }}", key="power"),
                mail("{{ 10.0 ** 1000 }}", key="overflow"),
            ],
        }
    ]
    setup = installation.call("setup", definition=hostile, flow_name="Hostile flow")
    unrelated = installation.call(
        "create_flow",
        name="Unrelated flow",
        definition=[{"key": "tell", "tasks": [mail("{{ order.name }} is on its way")]}],
    )
    manual = installation.call(
        "create_flow",
        name="Manual check",
        definition=[
            {
                "key": "check",
                "tasks": [
                    {
                        "key": "look",
                        "handlerKey": "manual-confirmation",
                        "payload": {
                            "title": "Check {{ order.name }}",
                            "description": "{{ products|length }} products",
                        },
                    },
                    {
                        "key": "bad-title",
                        "handlerKey": "manual-confirmation",
                        "payload": {"title": "{{ 'x' * 10 ** 9 }}"},
                    },
                ],
            }
        ],
    )
    installation.start_worker()
    [hostile_order] = installation.call("create_orders", count=1, flow_key=setup["flowKey"])
    unrelated_orders = installation.call("create_orders", count=3, flow_key=unrelated, prefix="U")
    [manual_order] = installation.call("create_orders", count=1, flow_key=manual, prefix="M")

    for order_id in unrelated_orders:
        installation.wait_for(
            lambda order_id=order_id: installation.order_status(order_id) == "success"
        )
    installation.wait_for(
        lambda: all(
            task["status"] == "failed"
            for task in installation.call("tasks", order_id=hostile_order)
        )
    )
    assert {
        task["key"]: (task["attempt"], task["error"])
        for task in installation.call("tasks", order_id=hostile_order)
    } == {
        "loops": (1, OVER_BUDGET),
        "power": (1, REFUSED + "TemplateRefused: ** would make an integer beyond 4096 bits"),
        "overflow": (1, REFUSED + "OverflowError: (34, 'Numerical result out of range')"),
    }
    assert installation.order_status(hostile_order) == "failure"
    assert sorted(message["Subject"] for message in smtp_server.messages) == ["Order"] * 3

    # Manual tasks show their title and description rendered, as the docs' example does.
    installation.wait_for(
        lambda: (
            {t["status"] for t in installation.call("tasks", order_id=manual_order)}
            == {"waiting", "failed"}
        )
    )
    tasks = {t["key"]: t for t in installation.call("tasks", order_id=manual_order)}
    assert (tasks["look"]["title"], tasks["look"]["description"]) == ("Check M 1", "1 products")
    assert tasks["bad-title"]["error"] == (
        "The template of payload.title cannot be rendered: TemplateRefused: "
        "* would make 1,000,000,000 characters or items; at most 100,000"
    )
    assert installation.call("action", name="confirm_task", task_id=tasks["look"]["id"]) == {
        "status": "succeeded",
        "attempt": 1,
    }
