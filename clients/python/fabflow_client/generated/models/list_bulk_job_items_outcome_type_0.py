from typing import Literal

ListBulkJobItemsOutcomeType0 = Literal['done', 'failed', 'pending', 'refused', 'working']

LIST_BULK_JOB_ITEMS_OUTCOME_TYPE_0_VALUES: set[ListBulkJobItemsOutcomeType0] = { 'done', 'failed', 'pending', 'refused', 'working',  }

def check_list_bulk_job_items_outcome_type_0(value: str) -> ListBulkJobItemsOutcomeType0:
    if value in LIST_BULK_JOB_ITEMS_OUTCOME_TYPE_0_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_BULK_JOB_ITEMS_OUTCOME_TYPE_0_VALUES!r}")
