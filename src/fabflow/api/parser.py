"""Reading JSON bodies and query strings strictly, before any handler runs.

A JSON body may hold no NaN or Infinity, must not nest deeper than MAX_BODY_DEPTH, and every
key and string must be text a database stores (no NUL, no lone UTF-16 surrogate): Python accepts
each of these, and the database or the answer's encoder would then fail (a 500, possibly after
the write). Here a body that is not JSON is a 400 and a fault inside valid JSON a 422 naming
its location; `fabflow.api.errors` answers both.
"""

import json

from ninja.parser import Parser

from fabflow.bounds import check_json
from fabflow.limits import MAX_BODY_DEPTH


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


class StrictParser(Parser):
    def parse_body(self, request):
        data = json.loads(request.body, parse_constant=_reject_constant)
        check_json(data, loc=("body",), max_depth=MAX_BODY_DEPTH)
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        check_json(result, loc=("query",), max_depth=2)
        return result
