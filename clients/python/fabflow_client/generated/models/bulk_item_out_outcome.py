from typing import Literal

BulkItemOutOutcome = Literal['done', 'failed', 'pending', 'refused', 'working']

BULK_ITEM_OUT_OUTCOME_VALUES: set[BulkItemOutOutcome] = { 'done', 'failed', 'pending', 'refused', 'working',  }

def check_bulk_item_out_outcome(value: str) -> BulkItemOutOutcome:
    if value in BULK_ITEM_OUT_OUTCOME_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {BULK_ITEM_OUT_OUTCOME_VALUES!r}")
