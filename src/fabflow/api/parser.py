"""Reading JSON bodies and query strings strictly: no NaN/Infinity, no NUL characters.

Either would be accepted by Python and then refused by the database (a 500); here they are a 400.
"""

import json

from ninja.parser import Parser

from fabflow.errors import InvalidInput


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _check_text(value) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise ValueError("text must not contain NUL characters")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class StrictParser(Parser):
    def parse_body(self, request):
        data = json.loads(request.body, parse_constant=_reject_constant)
        _check_text(data)
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        try:
            _check_text(result)
        except ValueError as error:
            raise InvalidInput(str(error), loc=("query",)) from None
        return result
